//! Where the server may post events (no SSRF): only to hosts the operator lists in
//! `webhook_allowed_hosts` — a name (`hooks.mzj.gov.cn`), a wildcard for its subdomains
//! (`*.gov.cn`), or an address. A loopback, private, link-local or otherwise non-public address
//! is refused unless the operator listed that very host (not by a wildcard): checked when a
//! department subscribes, again before every send, and on every name resolution (a name that
//! resolves inside is not followed there — DNS rebinding).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// The operator's list.
#[derive(Debug, Clone, Default)]
pub struct AllowedHosts {
    entries: Vec<String>,
}

impl AllowedHosts {
    #[must_use]
    pub fn new(entries: &[String]) -> Self {
        Self {
            entries: entries
                .iter()
                .map(|e| e.trim().trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase())
                .filter(|e| !e.is_empty())
                .collect(),
        }
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The list as the operator wrote it, for a refusal's message.
    #[must_use]
    pub fn describe(&self) -> String {
        self.entries.join("、")
    }

    /// Listed by name or address itself (an inside address is then allowed).
    #[must_use]
    pub fn exact(&self, host: &str) -> bool {
        let host = bare(host);
        self.entries.contains(&host)
    }

    /// Listed, exactly or under a wildcard.
    #[must_use]
    pub fn allows(&self, host: &str) -> bool {
        let host = bare(host);
        self.entries.iter().any(|e| match e.strip_prefix("*.") {
            Some(domain) => host.len() > domain.len() + 1 && host.ends_with(&format!(".{domain}")),
            None => *e == host,
        })
    }

    /// Why the server may not post to `url` now, or `None`.
    #[must_use]
    pub fn refusal(&self, url: &reqwest::Url) -> Option<String> {
        let Some(host) = url.host_str() else { return Some("地址中没有主机名".to_owned()) };
        if !url.username().is_empty() || url.password().is_some() {
            return Some("地址中不能含用户名或密码（请用签名密钥）".to_owned());
        }
        if self.is_empty() {
            return Some("运维尚未允许任何推送地址（webhook_allowed_hosts）".to_owned());
        }
        if !self.allows(host) {
            return Some(format!("主机 {host} 不在允许的推送地址中（{}）", self.describe()));
        }
        match url.scheme() {
            "https" => {}
            // Plain HTTP only to a host the operator named itself (a system on the 政务外网).
            "http" if self.exact(host) => {}
            _ => return Some("推送地址须以 https:// 开头".to_owned()),
        }
        match bare(host).parse::<IpAddr>() {
            Ok(ip) if !is_public(ip) && !self.exact(host) => Some(format!("{host} 是内网或本机地址，未被运维单独允许")),
            _ => None,
        }
    }
}

fn bare(host: &str) -> String {
    host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase()
}

/// Whether an address is on the public internet: not loopback, private, link-local, shared
/// (CGNAT), documentation, benchmarking, multicast, reserved or unspecified. (std's
/// `is_global` is not stable.)
#[must_use]
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => public_v4(v4),
            None => public_v6(v6),
        },
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240)
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        || first == 0x0064)
}

/// Name resolution for the delivery client: the system's resolver, then only the addresses the
/// rules allow for that name.
#[derive(Debug)]
pub struct GuardedResolver {
    pub hosts: Arc<AllowedHosts>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let hosts = self.hosts.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let inside_allowed = hosts.exact(&host);
            let kept: Vec<SocketAddr> = found.into_iter().filter(|a| inside_allowed || is_public(a.ip())).collect();
            if kept.is_empty() {
                return Err(format!("{host} 解析到内网或本机地址，未被运维单独允许").into());
            }
            Ok(Box::new(kept.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{is_public, AllowedHosts};

    fn refusal(hosts: &[&str], url: &str) -> Option<String> {
        let hosts: Vec<String> = hosts.iter().map(|h| (*h).to_owned()).collect();
        AllowedHosts::new(&hosts).refusal(&reqwest::Url::parse(url).unwrap_or_else(|e| panic!("{url}: {e}")))
    }

    #[test]
    fn only_listed_hosts_and_no_inside_address_unless_listed_itself() {
        assert_eq!(refusal(&["*.gov.cn"], "https://hooks.mzj.gov.cn/x"), None);
        assert!(refusal(&["*.gov.cn"], "https://gov.cn.evil.example/x").is_some());
        assert!(refusal(&["*.gov.cn"], "http://hooks.mzj.gov.cn/x").is_some(), "plain http under a wildcard");
        assert!(refusal(&[], "https://hooks.mzj.gov.cn/x").is_some(), "nothing listed, nothing allowed");
        assert!(refusal(&["10.0.0.5"], "https://10.0.0.6/x").is_some());
        assert_eq!(refusal(&["10.0.0.5"], "http://10.0.0.5:8080/x"), None, "listed itself");
        assert_eq!(refusal(&["127.0.0.1"], "http://127.0.0.1:9/x"), None);
        assert!(refusal(&["127.0.0.1"], "http://user:pw@127.0.0.1:9/x").is_some());
        assert!(refusal(&["::1"], "http://[::1]:9/x").is_none());
    }

    #[test]
    fn inside_ranges_are_not_public() {
        for inside in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(inside.parse().unwrap()), "{inside}");
        }
        for outside in ["202.96.134.133", "8.8.8.8", "2400:3200::1"] {
            assert!(is_public(outside.parse().unwrap()), "{outside}");
        }
    }
}
