//! The data key (数据密钥): sensitive register values sealed at rest with AES-256-GCM, a key id
//! beside each value so that keys rotate, and keyed hashes (HMAC-SHA256) that find a record or a
//! person without decrypting anything. The keys live outside the database — the key file in the
//! data directory, or `ONETABLE_DATA_KEY` — so a copy of the database alone reads no ID number.

use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::problem::Problem;

/// The keys: every one ever used (to open old values), the newest seals.
pub struct DataKeys {
    keys: Vec<(String, [u8; 32])>,
    /// The lookup hashes' key, derived from the oldest data key: it must not change when the
    /// sealing key rotates, or no record would be found again.
    lookup: [u8; 32],
}

impl std::fmt::Debug for DataKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("DataKeys").field("ids", &ids).finish_non_exhaustive()
    }
}

/// The key file's name in the data directory.
pub const KEY_FILE: &str = "data.key";

impl DataKeys {
    /// Reads keys as the key file holds them: one `id base64-of-32-bytes` per line (`#` starts a
    /// comment), oldest first; a single bare base64 key is key `k1`.
    ///
    /// # Errors
    /// A message saying which line is wrong (never the key itself).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut keys = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (id, encoded) = line.split_once(char::is_whitespace).unwrap_or(("k1", line));
            let bytes = STANDARD.decode(encoded.trim()).map_err(|_| format!("数据密钥第 {} 行不是 base64", n + 1))?;
            let key: [u8; 32] =
                bytes.try_into().map_err(|_| format!("数据密钥第 {} 行应为 32 字节（AES-256）", n + 1))?;
            if id.is_empty() || id.contains(':') || keys.iter().any(|(k, _)| k == id) {
                return Err(format!("数据密钥第 {} 行的密钥编号“{id}”无效或重复", n + 1));
            }
            keys.push((id.to_owned(), key));
        }
        let first = keys.first().ok_or("数据密钥为空")?.1;
        let lookup = hmac_bytes(&first, b"onetable lookup v1");
        Ok(Self { keys, lookup })
    }

    /// `ONETABLE_DATA_KEY` when given; else the key file in `dir`, created with a new random
    /// key (readable by the owner only) the first time.
    ///
    /// # Errors
    /// When the key cannot be read, parsed or written.
    pub fn load_or_create(dir: &Path, from_env: Option<&str>) -> Result<Self, String> {
        if let Some(text) = from_env.filter(|t| !t.trim().is_empty()) {
            return Self::parse(text);
        }
        let path = dir.join(KEY_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(dir).map_err(|e| format!("无法创建 {}：{e}", dir.display()))?;
                let text = format!(
                    "# onetable data key: seals sensitive register values. Back it up apart from the database;\n\
                     # without it they cannot be read. To rotate, add a line `k2 <base64 of 32 random bytes>`.\n\
                     k1 {}\n",
                    STANDARD.encode(rand::random::<[u8; 32]>())
                );
                write_private(&path, &text).map_err(|e| format!("无法写入 {}：{e}", path.display()))?;
                tracing::info!(path = %path.display(), "created the data key");
                Self::parse(&text)
            }
            Err(e) => Err(format!("无法读取 {}：{e}", path.display())),
        }
    }

    /// Seals a value with the newest key: `id:base64(nonce‖ciphertext)`.
    ///
    /// # Errors
    /// Never in practice (AES-GCM fails only on absurd lengths).
    pub fn seal(&self, plain: &str) -> Result<String, Problem> {
        let (id, key) = self.keys.last().ok_or_else(|| Problem::internal("no data key"))?;
        let cipher = Aes256Gcm::new(key.into());
        let nonce: [u8; 12] = rand::random();
        let sealed = cipher
            .encrypt(Nonce::from_slice(&nonce), plain.as_bytes())
            .map_err(|_| Problem::internal("sealing failed"))?;
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        Ok(format!("{id}:{}", STANDARD.encode(bytes)))
    }

    /// Opens a sealed value with the key its id names.
    ///
    /// # Errors
    /// 500 when the key is not known here or the value was tampered with.
    pub fn open(&self, sealed: &str) -> Result<String, Problem> {
        let (id, encoded) =
            sealed.split_once(':').ok_or_else(|| Problem::internal("a sealed value without a key id"))?;
        let key = self
            .keys
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, key)| key)
            .ok_or_else(|| Problem::internal(format!("data key {id} is not in the key file")))?;
        let bytes = STANDARD.decode(encoded).map_err(|_| Problem::internal("a sealed value is not base64"))?;
        if bytes.len() < 12 {
            return Err(Problem::internal("a sealed value is too short"));
        }
        let (nonce, body) = bytes.split_at(12);
        let plain = Aes256Gcm::new(key.into())
            .decrypt(Nonce::from_slice(nonce), body)
            .map_err(|_| Problem::internal("a sealed value does not open with its key"))?;
        String::from_utf8(plain).map_err(|_| Problem::internal("a sealed value is not text"))
    }

    /// The keyed hash of `value` for `purpose` (which register's key, which person): equal
    /// values hash equal, nobody without the key can test a guess.
    #[must_use]
    pub fn lookup(&self, purpose: &str, value: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.lookup).unwrap_or_else(|_| unreachable!());
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Keys made up for a test or a demo that keeps nothing.
    #[must_use]
    pub fn random() -> Self {
        let text = format!("k1 {}", STANDARD.encode(rand::random::<[u8; 32]>()));
        Self::parse(&text).unwrap_or_else(|_| unreachable!())
    }
}

fn hmac_bytes(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(message);
    mac.finalize().into_bytes().into()
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_seal_open_and_survive_a_rotation() {
        let old = DataKeys::random();
        let sealed = old.seal("522323199001011234").unwrap();
        assert!(!sealed.contains("1234") && sealed.starts_with("k1:"));
        assert_eq!(old.open(&sealed).unwrap(), "522323199001011234");
        let first = old.keys[0].1;
        let rotated = DataKeys::parse(&format!(
            "k1 {}\nk2 {}",
            STANDARD.encode(first),
            STANDARD.encode(rand::random::<[u8; 32]>())
        ))
        .unwrap();
        assert_eq!(rotated.open(&sealed).unwrap(), "522323199001011234", "old values open after a rotation");
        assert!(rotated.seal("x").unwrap().starts_with("k2:"), "new values take the new key");
        assert_eq!(rotated.lookup("p", "v"), old.lookup("p", "v"), "lookups stay the same");
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(old.open(&tampered).is_err());
    }

    #[test]
    fn a_bad_key_file_is_named_by_line_not_shown() {
        let error = DataKeys::parse("# c\nk1 bm90IDMyIGJ5dGVz").unwrap_err();
        assert!(error.contains("第 2 行") && !error.contains("bm90"), "{error}");
    }
}
