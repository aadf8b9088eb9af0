//! Chat group robots (群机器人) a township or county sets so that its reminders also reach the
//! group its clerks read: DingTalk (钉钉) and WeCom (企业微信) both take a JSON POST of
//! `{"msgtype": "text", "text": {"content": …}}` at the robot's webhook address. A robot that
//! fails never fails the reminder: its answer is recorded beside the reminder.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use onetable_core::{RegionCode, RegionLevel, Role};
use onetable_store::reminders::{self as store, HookRow, ReminderRow};
use serde::Serialize;
use utoipa::ToSchema;

use crate::actor::{region_not_found, Actor};
use crate::input::region_code;
use crate::problem::{AppResult, Problem};
use crate::App;

/// Where DingTalk's and WeCom's group robots are: the only hosts a robot may be at unless the
/// operator adds others (`reminder_robot_hosts`).
pub const DEFAULT_HOSTS: [&str; 2] = ["oapi.dingtalk.com", "qyapi.weixin.qq.com"];

/// How long a robot may take to answer.
const TIMEOUT: Duration = Duration::from_secs(5);

/// A region's robot as the API shows it (the address is a secret of the group: only its host).
#[derive(Debug, Serialize, ToSchema)]
pub struct Hook {
    pub region: String,
    /// `dingtalk` or `wecom`.
    pub kind: String,
    /// The host the reminders are posted to.
    pub host: String,
    /// Whether posts are signed (DingTalk 加签); the secret is never answered.
    pub signed: bool,
    pub set_by: String,
}

fn invalid(field: &str, code: &str, message: impl Into<String>) -> Problem {
    Problem::unprocessable("validation_failed", "群机器人设置不符合要求").with_detail(Some(field), code, message)
}

/// What an admin sets for a region's robot.
pub struct RobotSetting {
    /// `dingtalk` or `wecom`.
    pub kind: String,
    pub url: String,
    /// A DingTalk robot's 加签 secret (`SEC…`), if the robot signs.
    pub secret: Option<String>,
}

impl std::fmt::Debug for RobotSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RobotSetting").field("kind", &self.kind).finish_non_exhaustive()
    }
}

/// The query DingTalk's 加签 adds to a robot's address: the time in milliseconds and the
/// base64 HMAC-SHA256 of `timestamp` and the secret on two lines, keyed with the secret,
/// URL-encoded.
#[must_use]
pub fn dingtalk_signature(secret: &str, timestamp_ms: i64) -> String {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(format!("{timestamp_ms}\n{secret}").as_bytes());
    let sign = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let encoded: String = sign
        .chars()
        .map(|c| match c {
            '+' => "%2B".to_owned(),
            '/' => "%2F".to_owned(),
            '=' => "%3D".to_owned(),
            c => c.to_string(),
        })
        .collect();
    format!("timestamp={timestamp_ms}&sign={encoded}")
}

/// An admin sets the robot of a township or county in its scope.
///
/// # Errors
/// 403 not an admin or outside its scope; 404 an unknown region; 422 the region's level, the
/// kind, a secret for a WeCom robot, or an address not at an allowed host over https.
pub async fn set(app: &App, actor: &Actor, region: String, setting: RobotSetting) -> AppResult<Hook> {
    let RobotSetting { kind, url, secret } = setting;
    let secret = secret.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    app.authorize(actor, "reminders.hook", Some(region.clone()), actor.require_role(&[Role::Admin])).await?;
    let region = region_code(&region, "region")?;
    app.authorize(actor, "reminders.hook", Some(region.to_string()), actor.require_write(region)).await?;
    if !matches!(region.level(), RegionLevel::Township | RegionLevel::County) {
        return Err(invalid("region", "region_level_not_allowed", "群机器人设在乡镇或县"));
    }
    if !matches!(kind.as_str(), "dingtalk" | "wecom") {
        return Err(invalid("kind", "invalid_kind", "kind 须为 dingtalk（钉钉）或 wecom（企业微信）"));
    }
    let parsed =
        reqwest::Url::parse(url.trim()).map_err(|_| invalid("url", "invalid_url", "请填写机器人的 Webhook 地址"))?;
    let host = parsed.host_str().unwrap_or_default().to_owned();
    if !matches!(parsed.scheme(), "http" | "https") || host.is_empty() {
        return Err(invalid("url", "invalid_url", "Webhook 地址须以 https:// 开头"));
    }
    // The server posts there: only to the chat services' hosts, never to an inside address an
    // admin typed. A stand-in for a test, or a 政务 instance of the chat service, is added by the
    // operator.
    if !app.robot_hosts.iter().any(|allowed| allowed.eq_ignore_ascii_case(&host)) {
        return Err(invalid(
            "url",
            "host_not_allowed",
            format!(
                "只能填写钉钉或企业微信的机器人地址（{}）；其他地址须由运维加入 reminder_robot_hosts",
                app.robot_hosts.join("、")
            ),
        ));
    }
    if parsed.scheme() == "http" && !parsed.host_str().is_some_and(|h| h == "127.0.0.1" || h == "localhost") {
        return Err(invalid("url", "invalid_url", "Webhook 地址须以 https:// 开头"));
    }
    if secret.is_some() && kind != "dingtalk" {
        return Err(invalid("secret", "not_signed", "只有钉钉机器人有“加签”密钥"));
    }
    let row = HookRow {
        region_code: region.to_string(),
        kind,
        url: parsed.to_string(),
        set_by: actor.subject.clone(),
        set_at: chrono::Utc::now().naive_utc(),
        secret,
    };
    let stored = row.clone();
    app.write(move |conn| {
        onetable_store::regions::find(conn, region)?.ok_or_else(|| region_not_found(region))?;
        Ok(store::put_hook(conn, &stored)?)
    })
    .await?;
    app.audit(actor.event("reminders.hook", Some(region.to_string()), "success")).await?;
    Ok(Hook {
        region: row.region_code,
        kind: row.kind,
        host: parsed.host_str().unwrap_or_default().to_owned(),
        signed: row.secret.is_some(),
        set_by: row.set_by,
    })
}

#[derive(Serialize)]
struct Text<'a> {
    content: &'a str,
}

#[derive(Serialize)]
struct Message<'a> {
    msgtype: &'static str,
    text: Text<'a>,
}

/// Posts the reminders to the robots of their townships (or, lacking one, their counties), one
/// message per robot, and records each robot's answer beside its reminders.
///
/// # Errors
/// Only when the database fails.
pub async fn deliver(app: &App, sent: &[ReminderRow], names: &HashMap<String, String>) -> AppResult<Vec<ReminderRow>> {
    let mut sent = sent.to_vec();
    let reached: Vec<String> = sent
        .iter()
        .filter_map(|r| RegionCode::parse(&r.region_code).ok())
        .flat_map(|village| [village.truncated_to(RegionLevel::Township), village.truncated_to(RegionLevel::County)])
        .map(|code| code.to_string())
        .collect();
    let hooks: HashMap<String, HookRow> = app
        .run(move |conn| Ok(store::hooks_at(conn, &reached)?))
        .await?
        .into_iter()
        .map(|h| (h.region_code.clone(), h))
        .collect();
    if hooks.is_empty() {
        return Ok(sent);
    }
    // Each reminder to the nearest robot: its township's, else its county's.
    let mut by_hook: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, reminder) in sent.iter().enumerate() {
        let Ok(village) = RegionCode::parse(&reminder.region_code) else { continue };
        let hook = [RegionLevel::Township, RegionLevel::County]
            .into_iter()
            .map(|level| village.truncated_to(level).to_string())
            .find(|code| hooks.contains_key(code));
        if let Some(code) = hook {
            by_hook.entry(code).or_default().push(i);
        }
    }
    let client = reqwest::Client::builder().timeout(TIMEOUT).build().map_err(Problem::internal)?;
    for (code, indexes) in by_hook {
        let hook = &hooks[&code];
        let first = &sent[indexes[0]];
        let villages: Vec<String> = indexes
            .iter()
            .map(|&i| names.get(&sent[i].region_code).cloned().unwrap_or_else(|| sent[i].region_code.clone()))
            .collect();
        let content = format!(
            "【催报】{}：{}\n（{}，发送人 {}）",
            villages.join("、"),
            first.message,
            first.period,
            first.sent_by
        );
        let body = Message { msgtype: "text", text: Text { content: &content } };
        let address = match &hook.secret {
            Some(secret) => {
                let sign = dingtalk_signature(secret, chrono::Utc::now().timestamp_millis());
                format!("{}{}{sign}", hook.url, if hook.url.contains('?') { '&' } else { '?' })
            }
            None => hook.url.clone(),
        };
        let outcome = match client.post(&address).json(&body).send().await {
            Ok(response) if response.status().is_success() => format!("{}: 已推送", hook.kind),
            Ok(response) => format!("{}: 推送失败（HTTP {}）", hook.kind, response.status().as_u16()),
            Err(e) => {
                tracing::warn!(error = %e, region = %code, "reminder robot unreachable");
                format!("{}: 推送失败（无法连接）", hook.kind)
            }
        };
        let ids: Vec<i64> = indexes.iter().map(|&i| sent[i].id).collect();
        let recorded = outcome.clone();
        app.write(move |conn| Ok(store::set_delivery(conn, &ids, &recorded)?)).await?;
        for i in indexes {
            sent[i].delivery = Some(outcome.clone());
        }
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_dingtalk_signature_is_the_documented_hmac() {
        // Computed with Python's hmac, hashlib and base64 from DingTalk's description.
        assert_eq!(
            super::dingtalk_signature("SEC000000000000000000000", 1_733_600_000_000),
            "timestamp=1733600000000&sign=WylKRZcH1dtDbIja40J%2Bv63uXDzb96yz7h0Iknfq4Fg%3D"
        );
    }
}
