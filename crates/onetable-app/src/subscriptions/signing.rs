//! The signature of a pushed event: `X-Onetable-Signature: t=<unix seconds>,v1=<hex>`, where the
//! hex is HMAC-SHA256 keyed with the subscription's secret over `<t>.<body>`. The time is inside
//! what is signed, so a receiver that refuses old times (five minutes) cannot be replayed to; the
//! scheme is Stripe's, which department developers already know.

use hmac::{Hmac, Mac};

/// The header the signature is sent in.
pub const HEADER: &str = "X-Onetable-Signature";

/// How old a signature a receiver should accept, in seconds.
pub const TOLERANCE_SECONDS: i64 = 300;

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Option<Hmac<sha2::Sha256>> {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(mac)
}

/// The header's value for `body` signed at `timestamp` (unix seconds).
#[must_use]
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let hex = mac(secret, timestamp, body)
        .map(|m| m.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect::<String>())
        .unwrap_or_default();
    format!("t={timestamp},v1={hex}")
}

/// What a receiver does: the header parsed, the time within the tolerance of `now`, and one
/// `v1` equal (in constant time) to the HMAC of the body.
#[must_use]
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> bool {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.push(v.to_owned()),
            _ => {}
        }
    }
    let Some(timestamp) = timestamp else { return false };
    if (now - timestamp).abs() > TOLERANCE_SECONDS {
        return false;
    }
    signatures.iter().any(|hex| {
        let Some(bytes) = decode_hex(hex) else { return false };
        mac(secret, timestamp, body).is_some_and(|m| m.verify_slice(&bytes).is_ok())
    })
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::{sign, verify};

    #[test]
    fn a_signature_is_the_hmac_python_computes() {
        // hmac.new(b"whsec-test-secret-0001", b"1765152000." + body, hashlib.sha256).hexdigest()
        let body = br#"{"id":"e1","type":"entry.approved"}"#;
        assert_eq!(
            sign("whsec-test-secret-0001", 1_765_152_000, body),
            "t=1765152000,v1=366c211d96a82fe4d26d4be430a73036df72a4fbb7821ce69ed8882055a4d790"
        );
    }

    #[test]
    fn a_receiver_refuses_another_body_another_secret_and_an_old_time() {
        let body = b"{}";
        let header = sign("s3cret-s3cret-s3cret", 1_000_000, body);
        assert!(verify("s3cret-s3cret-s3cret", &header, body, 1_000_100));
        assert!(!verify("s3cret-s3cret-s3cret", &header, b"{ }", 1_000_100));
        assert!(!verify("another-secret-value", &header, body, 1_000_100));
        assert!(!verify("s3cret-s3cret-s3cret", &header, body, 1_000_000 + 301));
        assert!(!verify("s3cret-s3cret-s3cret", "t=1000000,v1=zz", body, 1_000_000));
    }
}
