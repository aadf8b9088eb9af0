//! `onetable audit archive | verify | prune` (审计归档): monthly archives of the audit trail with a
//! manifest signed by the server's key, their check, and the retention.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use onetable_app::audit_archive::{self, Manifest};
use onetable_server::auth::keys::KeyRing;
use onetable_server::Settings;
use serde::{Deserialize, Serialize};

/// `audit-2026-05.manifest.json`: the manifest and its signature (a JWS whose claims are it).
#[derive(Debug, Serialize, Deserialize)]
struct Signed {
    manifest: Manifest,
    signature: String,
}

fn manifest_path(file: &Path) -> PathBuf {
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    file.with_file_name(name.replace(".jsonl.gz", ".manifest.json"))
}

fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// # Errors
/// A bad or unfinished month, one archived already, or a file or database fault.
pub fn archive(settings: &Settings, month: &str, dir: &Path) -> anyhow::Result<()> {
    let db = super::open(settings)?;
    let mut conn = db.conn()?;
    let keys = KeyRing::load_or_create(&mut conn)?;
    let at = now();
    let (manifest, file) = audit_archive::write(&mut conn, month, dir, at).map_err(|e| anyhow!(e.describe()))?;
    let signature = keys
        .with_signing_key(|key| {
            let mut header = Header::new(Algorithm::EdDSA);
            header.kid = Some(key.kid.clone());
            jsonwebtoken::encode(&header, &manifest, &key.encoding)
        })
        .ok_or_else(|| anyhow!("no signing key"))??;
    let signed = Signed { manifest, signature };
    let path = manifest_path(&file);
    std::fs::write(&path, serde_json::to_vec_pretty(&signed)?)
        .with_context(|| format!("cannot write {}", path.display()))?;
    audit_archive::record(&mut conn, &signed.manifest, at).map_err(|e| anyhow!(e.describe()))?;
    println!(
        "archived {}: {} events → {} (SHA-256 {}), manifest {} signed with key {}",
        signed.manifest.month,
        signed.manifest.events,
        file.display(),
        signed.manifest.file_sha256,
        path.display(),
        jsonwebtoken::decode_header(&signed.signature)?.kid.unwrap_or_default()
    );
    Ok(())
}

#[derive(Deserialize)]
struct Jwks {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    kid: String,
    x: String,
}

/// The public key `kid`: from the JWKS document an auditor saved (`/.well-known/jwks.json`), or
/// else from the database.
fn public_key(settings: &Settings, kid: &str, jwks: Option<&Path>) -> anyhow::Result<DecodingKey> {
    let x = match jwks {
        Some(path) => {
            let set: Jwks = serde_json::from_slice(&std::fs::read(path)?).context("not a JWKS document")?;
            set.keys.into_iter().find(|k| k.kid == kid).map(|k| k.x)
        }
        None => {
            let db = super::open(settings)?;
            let keys = KeyRing::load_or_create(&mut *db.conn()?)?;
            keys.public_keys().into_iter().find(|(k, _)| k == kid).map(|(_, x)| x)
        }
    }
    .ok_or_else(|| anyhow!("the manifest is signed with key {kid}, which is not among the trusted keys"))?;
    Ok(DecodingKey::from_ed_components(&x)?)
}

/// # Errors
/// When the signature, the checksum or the chain does not hold.
pub fn verify(settings: &Settings, file: &Path, jwks: Option<&Path>) -> anyhow::Result<()> {
    let path = manifest_path(file);
    let signed: Signed =
        serde_json::from_slice(&std::fs::read(&path).with_context(|| format!("no manifest {}", path.display()))?)
            .context("the manifest is not readable")?;
    let kid = jsonwebtoken::decode_header(&signed.signature)?.kid.unwrap_or_default();
    let key = public_key(settings, &kid, jwks)?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    let claimed = jsonwebtoken::decode::<Manifest>(&signed.signature, &key, &validation)
        .map_err(|e| anyhow!("FAILED: the manifest's signature does not hold ({e})"))?
        .claims;
    if claimed != signed.manifest {
        bail!("FAILED: the manifest differs from what was signed");
    }
    let events = audit_archive::verify(file, &claimed).map_err(|why| anyhow!("FAILED: {why}"))?;
    println!(
        "OK {}: {events} events, checksum and hash chain hold, signed by key {kid}; chain continues from {}",
        claimed.month,
        claimed.previous_month.as_deref().unwrap_or("the start")
    );
    Ok(())
}

/// # Errors
/// A database fault.
pub fn prune(settings: &Settings) -> anyhow::Result<()> {
    let db = super::open(settings)?;
    let pruned = audit_archive::prune(&mut *db.conn()?, settings.audit_retention_days, now())
        .map_err(|e| anyhow!(e.describe()))?;
    if pruned.is_empty() {
        println!("nothing to prune: no archived month ended more than {} days ago", settings.audit_retention_days);
    }
    for (month, deleted) in pruned {
        println!("pruned {month}: {deleted} events (kept in its archive)");
    }
    Ok(())
}
