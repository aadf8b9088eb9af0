//! Typed configuration, layered: defaults, then an optional `onetable.toml`, then `DATABASE_URL`,
//! then `ONETABLE_*` environment variables. The CLI's flags go on top.

use std::fmt;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

/// The configuration file read when none is named.
pub const DEFAULT_CONFIG_FILE: &str = "onetable.toml";

#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// `sqlite://PATH`, a plain path, or `postgres://…`. Empty: a SQLite file in `data_dir`.
    pub database_url: String,
    /// Where the embedded database and (later) keys live.
    pub data_dir: PathBuf,
    /// Address the HTTP server listens on.
    pub bind: String,
    /// Connections in the pool.
    pub db_max_connections: u32,
    /// `text` or `json` logs.
    pub log_format: String,
    /// The `iss` of issued tokens.
    pub jwt_issuer: String,
    /// The `aud` of issued tokens.
    pub jwt_audience: String,
    /// Lifetime of a person's token.
    pub user_token_minutes: i64,
    /// Lifetime of a department system's token.
    pub client_token_minutes: i64,
    /// Failed logins in a row that lock an account.
    pub lockout_attempts: i32,
    /// How long a lock lasts.
    pub lockout_seconds: i64,
    /// Earlier passwords a person may not reuse when changing its own (besides the current one).
    pub password_history: usize,
    /// Days a password lasts; after them the person must change it at the next sign-in
    /// (定期更换). 0, the default: passwords do not expire.
    pub password_max_age_days: u32,
    /// Days before expiry from which the pages warn.
    pub password_expiry_warning_days: u32,
    /// The hosts a township's chat robot may be at (reminders are posted there): DingTalk's and
    /// WeCom's by default, so that no admin can make the server post to an inside address.
    pub reminder_robot_hosts: Vec<String>,
    /// The hosts events may be pushed to (订阅推送): names, `*.domain` wildcards or addresses.
    /// Empty, the default: no department may subscribe. An inside address (loopback, private,
    /// link-local) only when listed itself, never through a wildcard or a name resolving there.
    pub webhook_allowed_hosts: Vec<String>,
    /// How long a department's endpoint may take to answer an event, in seconds.
    pub webhook_timeout_seconds: u64,
    /// The longest wait between two attempts at an event, in seconds (the wait doubles from 1 s
    /// up to it; events are retried for 24 hours).
    pub webhook_retry_max_seconds: u64,
    /// Login and token requests per client address per minute.
    pub login_rate_per_minute: u32,
    /// Largest import file, in MiB (413 above it).
    pub import_max_mib: u64,
    /// Largest an uploaded XLSX workbook may inflate to, in MiB (413 above it).
    pub import_max_inflated_mib: u64,
    /// Most non-empty cells an uploaded table may hold (413 above it).
    pub import_max_cells: usize,
    /// Uploads (imports, forms to analyze, clean-up batches) read at once; another gets 429 with
    /// `Retry-After`. Each may hold a few hundred MiB while it is read (docs/operations.md).
    pub upload_turns: usize,
    /// Most memory the periods' cubes may hold together, in MiB; beyond it the least recently read
    /// cube is dropped (and loaded again from its snapshot when next read). 0: no limit.
    pub cube_memory_mib: usize,
    /// The bearer token a Prometheus scrape of `/metrics` must send; none (the default): no
    /// `/metrics` at all (404), so that it is never public by accident.
    pub metrics_token: Option<String>,
    /// On SIGTERM: how long requests under way may take to finish (their queued writes commit
    /// and are answered) before the workers are stopped; the cubes are then snapshotted.
    pub shutdown_grace_seconds: u64,
    /// Days audit events are kept at least (网络安全法 §21: 180 or more; less is refused at start).
    /// Older events of archived months may be pruned (`onetable audit prune`).
    pub audit_retention_days: u32,
    /// Addresses of the reverse proxies in front (nginx): only from these is `X-Forwarded-For`
    /// believed, for the audit trail and the login rate limit. Empty: never.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The data key that seals sensitive register values (`ONETABLE_DATA_KEY`: `k1 <base64 of 32
    /// bytes>` lines, oldest first). None: `data.key` in `data_dir`, created on first start.
    /// Never printed.
    pub data_key: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            database_url: String::new(),
            data_dir: PathBuf::from("data"),
            bind: "127.0.0.1:8080".to_owned(),
            db_max_connections: 8,
            log_format: "text".to_owned(),
            jwt_issuer: "onetable".to_owned(),
            jwt_audience: "onetable-api".to_owned(),
            user_token_minutes: 30,
            client_token_minutes: 60,
            lockout_attempts: 5,
            lockout_seconds: 15 * 60,
            password_history: 5,
            password_max_age_days: 0,
            password_expiry_warning_days: 14,
            reminder_robot_hosts: onetable_app::reminders::hooks::DEFAULT_HOSTS
                .iter()
                .map(|h| (*h).to_owned())
                .collect(),
            webhook_allowed_hosts: Vec::new(),
            webhook_timeout_seconds: 10,
            webhook_retry_max_seconds: 60,
            login_rate_per_minute: 30,
            import_max_mib: 50,
            import_max_inflated_mib: 256,
            import_max_cells: 4_000_000,
            upload_turns: onetable_app::uploads::DEFAULT_TURNS,
            cube_memory_mib: 4096,
            metrics_token: None,
            shutdown_grace_seconds: 30,
            audit_retention_days: 180,
            trusted_proxies: Vec::new(),
            data_key: None,
        }
    }
}

impl Settings {
    /// Loads the layers. `file` overrides the default `onetable.toml` (which may be absent).
    ///
    /// # Errors
    /// When a layer holds a value of the wrong type, or a named file is missing.
    pub fn load(file: Option<&Path>) -> Result<Self, Box<figment::Error>> {
        let mut figment = Figment::from(Serialized::defaults(Self::default()));
        match file {
            Some(path) if !path.exists() => {
                return Err(Box::new(figment::Error::from(format!(
                    "configuration file {} does not exist",
                    path.display()
                ))));
            }
            Some(path) => figment = figment.merge(Toml::file(path)),
            None => figment = figment.merge(Toml::file(DEFAULT_CONFIG_FILE)),
        }
        let settings: Self = figment
            .merge(Env::raw().only(&["DATABASE_URL"]))
            .merge(Env::prefixed("ONETABLE_"))
            .extract()
            .map_err(Box::new)?;
        onetable_app::audit_archive::check_retention(settings.audit_retention_days)
            .map_err(|problem| Box::new(figment::Error::from(problem.describe())))?;
        Ok(settings)
    }

    /// The password history and age rules these settings give.
    #[must_use]
    pub fn password_rules(&self) -> onetable_app::accounts::passwords::PasswordRules {
        onetable_app::accounts::passwords::PasswordRules {
            history: self.password_history,
            max_age_days: (self.password_max_age_days > 0).then_some(self.password_max_age_days),
            warning_days: self.password_expiry_warning_days,
        }
    }

    /// The database URL, defaulting to `DATA_DIR/onetable.db`.
    #[must_use]
    pub fn effective_database_url(&self) -> String {
        if self.database_url.trim().is_empty() {
            format!("sqlite://{}", self.data_dir.join("onetable.db").display())
        } else {
            self.database_url.clone()
        }
    }
}

/// Never prints secrets: the database URL is shown with its password redacted.
impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = onetable_store::DatabaseUrl::parse(&self.effective_database_url())
            .map_or_else(|e| format!("<invalid: {e}>"), |u| u.to_string());
        f.debug_struct("Settings")
            .field("database_url", &url)
            .field("data_dir", &self.data_dir)
            .field("bind", &self.bind)
            .field("db_max_connections", &self.db_max_connections)
            .field("log_format", &self.log_format)
            .field("jwt_issuer", &self.jwt_issuer)
            .field("jwt_audience", &self.jwt_audience)
            .field("lockout_attempts", &self.lockout_attempts)
            .field("lockout_seconds", &self.lockout_seconds)
            .field("password_history", &self.password_history)
            .field("password_max_age_days", &self.password_max_age_days)
            .field("password_expiry_warning_days", &self.password_expiry_warning_days)
            .field("reminder_robot_hosts", &self.reminder_robot_hosts)
            .field("webhook_allowed_hosts", &self.webhook_allowed_hosts)
            .field("webhook_timeout_seconds", &self.webhook_timeout_seconds)
            .field("webhook_retry_max_seconds", &self.webhook_retry_max_seconds)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::result_large_err)] // figment::Jail's own signature
    fn layers_apply_in_order_defaults_file_env() {
        figment::Jail::expect_with(|jail| {
            let defaults = Settings::load(None).map_err(|e| *e)?;
            assert_eq!(defaults.bind, "127.0.0.1:8080");
            assert_eq!(defaults.effective_database_url(), "sqlite://data/onetable.db");

            jail.create_file(DEFAULT_CONFIG_FILE, "bind = \"0.0.0.0:9000\"\ndata_dir = \"var\"\n")?;
            let from_file = Settings::load(None).map_err(|e| *e)?;
            assert_eq!(from_file.bind, "0.0.0.0:9000");
            assert_eq!(from_file.effective_database_url(), "sqlite://var/onetable.db");

            jail.set_env("DATABASE_URL", "postgres://a@b/c");
            assert_eq!(Settings::load(None).map_err(|e| *e)?.database_url, "postgres://a@b/c");
            jail.set_env("ONETABLE_DATABASE_URL", "postgres://app:secret@db/onetable");
            jail.set_env("ONETABLE_BIND", "127.0.0.1:7000");
            let from_env = Settings::load(None).map_err(|e| *e)?;
            assert_eq!(from_env.bind, "127.0.0.1:7000");
            assert_eq!(from_env.database_url, "postgres://app:secret@db/onetable");
            assert!(!format!("{from_env:?}").contains("secret"), "Debug must not print the password");
            Ok(())
        });
    }

    #[test]
    fn a_named_missing_file_is_an_error() {
        assert!(Settings::load(Some(Path::new("/nonexistent/onetable.toml"))).is_err());
    }
}
