//! The Ed25519 key ring: generated on first start, kept in the database, rotated with
//! `onetable keys rotate`. The newest key signs; every active key verifies, so tokens signed before
//! a rotation stay valid until they expire.

use std::sync::RwLock;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use ed25519_dalek::SigningKey;
use jsonwebtoken::{DecodingKey, EncodingKey};
use onetable_store::identity::{self, SigningKeyRow};
use onetable_store::{DbConn, StoreError};

pub struct LoadedKey {
    pub kid: String,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    /// The public key, base64url (the JWK `x`).
    pub x: String,
}

#[derive(Default)]
pub struct KeyRing {
    keys: RwLock<Vec<LoadedKey>>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing").finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("stored signing key {kid} is unusable: {reason}")]
    Corrupt { kid: String, reason: String },
}

impl KeyRing {
    /// Loads the active keys, creating the first one on a new installation.
    ///
    /// # Errors
    /// On a database error or a corrupt stored key.
    pub fn load_or_create(conn: &mut DbConn) -> Result<Self, KeyError> {
        let ring = Self::default();
        ring.reload(conn)?;
        if ring.is_empty() {
            add_key(conn)?;
            ring.reload(conn)?;
        }
        Ok(ring)
    }

    /// Re-reads the active keys (after a rotation by another process).
    ///
    /// # Errors
    /// On a database error or a corrupt stored key.
    pub fn reload(&self, conn: &mut DbConn) -> Result<(), KeyError> {
        let loaded = identity::active_keys(conn)?.into_iter().map(load).collect::<Result<Vec<_>, _>>()?;
        if let Ok(mut keys) = self.keys.write() {
            *keys = loaded;
        }
        Ok(())
    }

    fn is_empty(&self) -> bool {
        self.keys.read().map_or(true, |k| k.is_empty())
    }

    /// Runs `f` on the newest key.
    pub fn with_signing_key<T>(&self, f: impl FnOnce(&LoadedKey) -> T) -> Option<T> {
        let keys = self.keys.read().ok()?;
        keys.last().map(f)
    }

    /// Runs `f` on the key with this id, if it is known and active.
    pub fn with_key<T>(&self, kid: &str, f: impl FnOnce(&LoadedKey) -> T) -> Option<T> {
        let keys = self.keys.read().ok()?;
        keys.iter().find(|k| k.kid == kid).map(f)
    }

    /// `(kid, x)` of every active key, for the JWKS document.
    #[must_use]
    pub fn public_keys(&self) -> Vec<(String, String)> {
        self.keys.read().map(|keys| keys.iter().map(|k| (k.kid.clone(), k.x.clone())).collect()).unwrap_or_default()
    }
}

fn load(row: SigningKeyRow) -> Result<LoadedKey, KeyError> {
    let corrupt = |reason: String| KeyError::Corrupt { kid: row.kid.clone(), reason };
    let der = STANDARD.decode(&row.private_key).map_err(|e| corrupt(e.to_string()))?;
    let decoding = DecodingKey::from_ed_components(&row.public_key).map_err(|e| corrupt(e.to_string()))?;
    Ok(LoadedKey { encoding: EncodingKey::from_ed_der(&der), decoding, x: row.public_key.clone(), kid: row.kid })
}

/// Generates a new Ed25519 key and stores it; it becomes the signing key. Returns its id.
///
/// # Errors
/// On a database error.
pub fn add_key(conn: &mut DbConn) -> Result<String, KeyError> {
    let signing = SigningKey::generate(&mut rand::rngs::OsRng);
    let der = signing.to_pkcs8_der().map_err(|e| KeyError::Corrupt { kid: "new".into(), reason: e.to_string() })?;
    let now = chrono::Utc::now().naive_utc();
    let kid = format!("{}-{}", now.format("%Y%m%d"), &uuid::Uuid::new_v4().simple().to_string()[..8]);
    identity::insert_key(
        conn,
        &SigningKeyRow {
            kid: kid.clone(),
            private_key: STANDARD.encode(der.as_bytes()),
            public_key: URL_SAFE_NO_PAD.encode(signing.verifying_key().to_bytes()),
            created_at: now,
            retired_at: None,
        },
    )?;
    Ok(kid)
}
