//! `onetable audit archive | verify | prune`: a month's events go to a hash-chained file with a
//! signed manifest; an auditor's check finds any change to the file or the manifest, and trusts
//! only the server's keys; events are deleted only from archived months past the retention.

#![allow(clippy::unwrap_used)] // a test: a failure is a panic with its message

mod common;

use std::path::Path;
use std::process::{Command, Output};

use chrono::NaiveDate;
use onetable_store::audit::{self, NewAuditEvent};
use onetable_store::{DatabaseUrl, Db};

use common::{text, BIN};

fn onetable(url: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(BIN).arg("--database-url").arg(url).args(args).envs(env.iter().copied()).output().unwrap()
}

fn events(db: &Db, month: (i32, u32), n: u32) {
    let mut conn = db.conn().unwrap();
    for i in 0..n {
        let day = NaiveDate::from_ymd_opt(month.0, month.1, 1 + i % 28).unwrap();
        let event = NewAuditEvent {
            occurred_at: day.and_hms_opt(8, 0, i % 60).unwrap(),
            actor: Some(format!("clerk_{i}")),
            role: Some("clerk".into()),
            action: "entries.update".into(),
            target: Some(format!("522301100{i:03}/2026")),
            outcome: "success".into(),
            request_id: None,
            client_addr: Some("10.0.0.7".into()),
            detail: Some("POP.REGISTERED".into()),
        };
        audit::record(&mut conn, &event).unwrap();
    }
}

fn count(db: &Db, from: (i32, u32), to: (i32, u32)) -> usize {
    let day = |(y, m): (i32, u32)| NaiveDate::from_ymd_opt(y, m, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
    audit::between(&mut db.conn().unwrap(), day(from), day(to)).unwrap().len()
}

fn jwks(db: &Db, path: &Path) {
    let keys = onetable_server::auth::keys::KeyRing::load_or_create(&mut db.conn().unwrap()).unwrap();
    let keys: Vec<_> = keys
        .public_keys()
        .into_iter()
        .map(|(kid, x)| serde_json::json!({"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": x}))
        .collect();
    std::fs::write(path, serde_json::to_vec(&serde_json::json!({ "keys": keys })).unwrap()).unwrap();
}

/// Rewrites the archive with one event's actor changed (a valid gzip of other content).
fn forge(file: &Path) {
    use std::io::{Read, Write};
    let mut plain = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(file).unwrap()).read_to_string(&mut plain).unwrap();
    let forged = plain.replacen("clerk_7", "admin_7", 1);
    assert_ne!(forged, plain);
    let mut out = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    out.write_all(forged.as_bytes()).unwrap();
    std::fs::write(file, out.finish().unwrap()).unwrap();
}

#[test]
fn months_are_archived_signed_verified_and_pruned_only_past_the_retention() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("onetable.db");
    let url = format!("sqlite://{}", path.display());
    let db = Db::connect(&DatabaseUrl::Sqlite(path), 2).unwrap();
    db.migrate().unwrap();
    events(&db, (2026, 4), 30);
    events(&db, (2026, 5), 40);
    events(&db, (2026, 9), 10);
    let archives = dir.path().join("archives");
    let to = archives.display().to_string();

    let out = onetable(&url, &["audit", "archive", "--month", "2026-04", "--to", &to], &[]);
    assert!(out.status.success(), "{}", text(&out));
    let out = onetable(&url, &["audit", "archive", "--month", "2026-05", "--to", &to], &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("40 events"), "{}", text(&out));
    let may = archives.join("audit-2026-05.jsonl.gz");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(archives.join("audit-2026-05.manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["manifest"]["previous_month"], "2026-04", "the chain continues from April");

    // Refused: again, the current month, a retention under the law's.
    let again = onetable(&url, &["audit", "archive", "--month", "2026-05", "--to", &to], &[]);
    assert!(!again.status.success() && text(&again).contains("已归档"), "{}", text(&again));
    let current = chrono::Utc::now().format("%Y-%m").to_string();
    let open = onetable(&url, &["audit", "archive", "--month", &current, "--to", &to], &[]);
    assert!(!open.status.success() && text(&open).contains("尚未结束"), "{}", text(&open));
    let short = onetable(&url, &["audit", "prune"], &[("ONETABLE_AUDIT_RETENTION_DAYS", "90")]);
    assert!(!short.status.success() && text(&short).contains("180"), "{}", text(&short));

    // The auditor's check, with the database's keys and with a saved JWKS.
    let ok = onetable(&url, &["audit", "verify", &may.display().to_string()], &[]);
    assert!(ok.status.success() && text(&ok).contains("OK 2026-05: 40 events"), "{}", text(&ok));
    let trusted = dir.path().join("jwks.json");
    jwks(&db, &trusted);
    let ok =
        onetable(&url, &["audit", "verify", &may.display().to_string(), "--jwks", &trusted.display().to_string()], &[]);
    assert!(ok.status.success(), "{}", text(&ok));
    let stranger = tempfile::tempdir().unwrap();
    let other = Db::connect(&DatabaseUrl::Sqlite(stranger.path().join("other.db")), 1).unwrap();
    other.migrate().unwrap();
    let untrusted = stranger.path().join("jwks.json");
    jwks(&other, &untrusted);
    let refused = onetable(
        &url,
        &["audit", "verify", &may.display().to_string(), "--jwks", &untrusted.display().to_string()],
        &[],
    );
    assert!(!refused.status.success() && text(&refused).contains("not among the trusted keys"), "{}", text(&refused));

    // A changed event: the checksum fails; a manifest fixed up to match: its signature fails.
    let original = std::fs::read(&may).unwrap();
    forge(&may);
    let altered = onetable(&url, &["audit", "verify", &may.display().to_string()], &[]);
    assert!(!altered.status.success() && text(&altered).contains("SHA-256"), "{}", text(&altered));
    let manifest_path = archives.join("audit-2026-05.manifest.json");
    let mut fixed = manifest.clone();
    let forged_sum = {
        use sha2::Digest;
        sha2::Sha256::digest(std::fs::read(&may).unwrap()).iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    fixed["manifest"]["file_sha256"] = forged_sum.into();
    std::fs::write(&manifest_path, serde_json::to_vec(&fixed).unwrap()).unwrap();
    let resigned = onetable(&url, &["audit", "verify", &may.display().to_string()], &[]);
    assert!(
        !resigned.status.success() && text(&resigned).contains("differs from what was signed"),
        "{}",
        text(&resigned)
    );
    std::fs::write(&may, original).unwrap();
    std::fs::write(&manifest_path, serde_json::to_vec(&manifest).unwrap()).unwrap();

    // The database refuses to delete events of a month not archived.
    assert!(audit::delete_between(
        &mut db.conn().unwrap(),
        NaiveDate::from_ymd_opt(2026, 9, 1).unwrap().and_hms_opt(0, 0, 0).unwrap(),
        NaiveDate::from_ymd_opt(2026, 10, 1).unwrap().and_hms_opt(0, 0, 0).unwrap(),
    )
    .is_err());
    // Pruning (180 days): April and May ended more than 180 days before today (2026-12), and
    // are archived; September is neither.
    let pruned = onetable(&url, &["audit", "prune"], &[]);
    assert!(pruned.status.success(), "{}", text(&pruned));
    assert_eq!((count(&db, (2026, 4), (2026, 6)), count(&db, (2026, 9), (2026, 10))), (0, 10), "{}", text(&pruned));
    let ok = onetable(&url, &["audit", "verify", &may.display().to_string()], &[]);
    assert!(ok.status.success(), "the archive outlives the pruned events: {}", text(&ok));
}
