#![allow(clippy::expect_used)]
//! The test harness: a real server on a free port over a fresh database per test — a SQLite file
//! always, and a new PostgreSQL database when `ONETABLE_TEST_PG` (or a `postgres://`
//! `DATABASE_URL`) names a server to create it on.

pub mod browser;
pub mod hostile;
pub mod labelled_forms;
pub mod receiver;

use std::future::Future;

use diesel::{Connection, PgConnection, RunQueryDsl};
use onetable_app::accounts::{self, AccountSpec};
use onetable_core::{RegionCode, Role};
use onetable_server::{Application, Settings};
use onetable_store::{divisions, seed, Backend, DatabaseUrl, Db};
use reqwest::StatusCode;
use serde_json::Value;

/// The PostgreSQL server to create test databases on, if one is configured.
#[must_use]
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("ONETABLE_TEST_PG")
        .ok()
        .or_else(|| std::env::var("DATABASE_URL").ok().filter(|u| u.starts_with("postgres")))
        .filter(|u| !u.trim().is_empty())
}

/// The backends every API test runs on.
#[must_use]
pub fn backends() -> Vec<Backend> {
    let mut out = vec![Backend::Sqlite];
    if postgres_admin_url().is_some() {
        out.push(Backend::Postgres);
    }
    out
}

/// Runs `test` once per configured backend, each time on a fresh database with the demo regions.
pub async fn each_backend<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    for backend in backends() {
        eprintln!("--- on {}", backend.as_str());
        test(TestApp::spawn(backend).await).await;
    }
}

/// A fresh database of one backend, removed when dropped.
pub struct TestDatabase {
    pub url: DatabaseUrl,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// # Panics
    /// When the database cannot be created (a broken test environment).
    #[must_use]
    pub fn create(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = DatabaseUrl::Sqlite(dir.path().join("onetable.db"));
                Self { url, cleanup: Cleanup::Sqlite(dir) }
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url().expect("ONETABLE_TEST_PG is set");
                let name = format!("onetable_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::establish(&admin_url).expect("connect to the PostgreSQL admin URL");
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .expect("create the test database");
                let url = DatabaseUrl::Postgres(replace_database(&admin_url, &name));
                Self { url, cleanup: Cleanup::Postgres { admin_url, name } }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup {
            if let Ok(mut admin) = PgConnection::establish(admin_url) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin);
            }
        }
    }
}

/// `postgres://u@h:5432/postgres?x=y` with the database name replaced.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..].find('/').map_or(base.len(), |i| authority_start + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// The application layer over a fresh database with the demo regions and the reference
/// catalogue, without HTTP: for testing use cases where their rules live.
pub struct TestStore {
    pub app: onetable_app::App,
    _database: TestDatabase,
}

impl TestStore {
    /// # Panics
    /// When the database cannot be prepared (a broken test environment).
    #[must_use]
    pub fn create(backend: Backend) -> Self {
        let database = TestDatabase::create(backend);
        let db = Db::connect(&database.url, 4).expect("connect");
        db.migrate().expect("migrate");
        let set = seed::demo_divisions().expect("demo divisions");
        divisions::import(&mut db.conn().expect("conn"), &set, date("2025-01-01")).expect("import demo regions");
        let now = chrono::Utc::now().naive_utc();
        onetable_app::registry::catalogue::load(
            &mut db.conn().expect("conn"),
            onetable_app::registry::catalogue::SEED_INDICATORS,
            Some(onetable_app::registry::catalogue::SEED_RULES),
            "test",
            now,
        )
        .expect("catalogue loads");
        let app = onetable_app::App::start(db, onetable_app::imports::Limits::default())
            .expect("the application starts")
            .with_data_keys(onetable_app::registers::sealing::DataKeys::random());
        Self { app, _database: database }
    }
}

/// An actor as a verified token would make it.
///
/// # Panics
/// On a malformed region literal in a test.
#[must_use]
pub fn actor(subject: &str, role: Role, region: Option<&str>, department: Option<&str>) -> onetable_app::Actor {
    onetable_app::Actor {
        subject: subject.to_owned(),
        kind: onetable_app::SubjectKind::User,
        role,
        scope: onetable_core::Scope::from_region(region.map(|r| RegionCode::parse(r).expect("region literal"))),
        department: department.map(str::to_owned),
        origin: onetable_app::Origin::default(),
    }
}

/// The password every test account gets (it passes the policy).
pub const PASSWORD: &str = "Test-pass-2025";

/// A running server over its own fresh database.
pub struct TestApp {
    pub address: String,
    pub backend: Backend,
    pub db: Db,
    pub client: reqwest::Client,
    /// A province-wide (贵州, 52) viewer's token: what `get_json` sends.
    pub token: String,
    pub settings: Settings,
    server: actix_web::dev::ServerHandle,
    /// The server's `data_dir` (cube snapshots), its own per test.
    _data_dir: tempfile::TempDir,
    // Dropped last: the database outlives the server's connections to it.
    _database: TestDatabase,
}

/// Having `Drop` also makes a test's `async move` block capture the whole app: without it, Rust's
/// disjoint captures would take only the fields the block uses (say `app.db`) and drop the rest —
/// the database guard with it — as soon as the closure returned.
impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop accepting requests; the database is removed right after.
        drop(self.server.stop(false));
    }
}

impl TestApp {
    /// A server over a fresh database holding the demo regions (黔西南州).
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    /// As [`TestApp::spawn`], with settings changed first (lockout period, rate limits …).
    pub async fn spawn_with(backend: Backend, configure: impl FnOnce(&mut Settings)) -> Self {
        let mut app = Self::start(backend, configure, true);
        app.token = app.user_token("t_viewer", Role::Viewer, Some("52"), None).await;
        app
    }

    /// A server over a fresh, migrated database with no regions and no accounts; call
    /// [`TestApp::sign_in_viewer`] once a fixture has created the province.
    pub async fn spawn_empty(backend: Backend) -> Self {
        Self::start(backend, |_| {}, false)
    }

    /// Makes `get_json` read as a viewer of `region` (which must exist by now).
    pub async fn sign_in_viewer(&mut self, region: &str) {
        self.token = self.user_token("t_viewer", Role::Viewer, Some(region), None).await;
    }

    fn start(backend: Backend, configure: impl FnOnce(&mut Settings), with_regions: bool) -> Self {
        // Server logs go to the test's captured output: shown when a test fails.
        let _ = tracing_subscriber::fmt().with_env_filter("warn").with_test_writer().try_init();
        let database = TestDatabase::create(backend);
        let db = Db::connect(&database.url, 4).expect("connect");
        db.migrate().expect("migrate");
        if with_regions {
            let set = seed::demo_divisions().expect("demo divisions");
            divisions::import(&mut db.conn().expect("conn"), &set, date("2025-01-01")).expect("import demo regions");
        }
        let data_dir = tempfile::tempdir().expect("data dir");
        let mut settings = Settings {
            bind: "127.0.0.1:0".to_owned(),
            login_rate_per_minute: 1000,
            data_dir: data_dir.path().to_path_buf(),
            ..Settings::default()
        };
        configure(&mut settings);
        let app = Application::build(&settings, db.clone()).expect("build the server");
        let address = format!("http://127.0.0.1:{}", app.port());
        let server = app.into_server();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            address,
            backend,
            db,
            client: client(),
            token: String::new(),
            settings,
            server: handle,
            _data_dir: data_dir,
            _database: database,
        }
    }

    /// Stops the server and starts a new one over the same database and data folder (a restart:
    /// nothing in memory survives, what is on disk does).
    pub async fn restart(&mut self) {
        self.server.stop(true).await;
        let app = Application::build(&self.settings, self.db.clone()).expect("build the server again");
        self.address = format!("http://127.0.0.1:{}", app.port());
        let server = app.into_server();
        self.server = server.handle();
        tokio::spawn(server);
    }

    /// Stops the server (as a network gone away does, for the pages' offline tests).
    pub async fn stop_server(&self) {
        self.server.stop(false).await;
    }

    /// The PostgreSQL database's name (`None` on SQLite).
    #[must_use]
    pub fn database_name(&self) -> Option<String> {
        match &self._database.cleanup {
            Cleanup::Postgres { name, .. } => Some(name.clone()),
            Cleanup::Sqlite(_) => None,
        }
    }

    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Creates an account directly in the store (password [`PASSWORD`]), through the same
    /// validation the API uses.
    pub fn add_user(&self, username: &str, role: Role, region: Option<&str>, department: Option<&str>) {
        let spec = AccountSpec {
            username: username.to_owned(),
            role,
            region: region.map(|r| RegionCode::parse(r).expect("region literal")),
            department: department.map(str::to_owned),
            phone: None,
            password_issued: false,
        };
        let now = chrono::Utc::now().naive_utc();
        accounts::create(&mut self.db.conn().expect("conn"), &spec, PASSWORD, None, now).expect("create test user");
    }

    /// Registers a department system (民政局, scope 5223) for client credentials.
    pub fn add_client(&self, client_id: &str, secret: &str, disabled: bool) {
        use onetable_store::identity::{self, NewClient};
        identity::insert_client(
            &mut self.db.conn().expect("conn"),
            &NewClient {
                client_id: client_id.to_owned(),
                secret_hash: onetable_app::accounts::hashing::hash(secret).expect("hash"),
                department: "民政局".to_owned(),
                region_code: "522300000000".to_owned(),
                disabled,
                created_at: chrono::Utc::now().naive_utc(),
            },
        )
        .expect("insert client");
    }

    /// A client-credentials token for a system added with [`TestApp::add_client`].
    pub async fn client_token(&self, client_id: &str, secret: &str) -> String {
        let form = [("grant_type", "client_credentials"), ("client_id", client_id), ("client_secret", secret)];
        let response =
            self.client.post(self.url("/api/v1/auth/token")).form(&form).send().await.expect("token request");
        assert_eq!(response.status(), 200, "client token for {client_id}");
        let body: Value = response.json().await.expect("token body");
        body["access_token"].as_str().expect("access_token").to_owned()
    }

    /// `POST /api/v1/auth/login` as a person would: the status and the whole answer (the token,
    /// `password_change_required`, …) or the refusal.
    pub async fn sign_in(&self, username: &str, password: &str) -> (StatusCode, Value) {
        let response = self
            .client
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .expect("login request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Logs in over HTTP and returns the access token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let response = self
            .client
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .expect("login request");
        assert_eq!(response.status(), 200, "login of {username} failed");
        let body: Value = response.json().await.expect("token body");
        body["access_token"].as_str().expect("access_token").to_owned()
    }

    /// Creates an account and logs it in.
    pub async fn user_token(
        &self,
        username: &str,
        role: Role,
        region: Option<&str>,
        department: Option<&str>,
    ) -> String {
        self.add_user(username, role, region, department);
        self.login(username, PASSWORD).await
    }

    /// Loads the shipped reference catalogue (98 indicators, 15 rules) through the store.
    pub fn load_catalogue(&self) -> onetable_app::registry::catalogue::LoadSummary {
        use onetable_app::registry::catalogue::{load, SEED_INDICATORS, SEED_RULES};
        let now = chrono::Utc::now().naive_utc();
        load(&mut self.db.conn().expect("conn"), SEED_INDICATORS, Some(SEED_RULES), "test", now)
            .expect("catalogue loads")
    }

    /// Stores one village's entry for `period` in `status` with these values, through the store
    /// (replacing what was there), as an import would.
    pub fn seed_entry(&self, village: &str, period: &str, status: &str, values: &[(&str, &str)]) {
        use onetable_store::cells;
        use onetable_store::cells::DataValueRow;
        use onetable_store::entries::EntryRow;
        let mut conn = self.db.conn().expect("conn");
        let now = chrono::Utc::now().naive_utc();
        let codes: Vec<String> = values.iter().map(|(c, _)| (*c).to_owned()).collect();
        cells::delete_cells(&mut conn, village, period, &codes).expect("delete cells");
        let rows: Vec<DataValueRow> = values
            .iter()
            .map(|(code, value)| DataValueRow {
                region_code: village.to_owned(),
                indicator_code: (*code).to_owned(),
                period: period.to_owned(),
                value: (*value).to_owned(),
                source: "import".to_owned(),
                revision: 1,
                entered_by: "test".to_owned(),
                entered_at: now,
            })
            .collect();
        cells::insert_cells(&mut conn, &rows).expect("insert cells");
        if onetable_store::entries::entries_of(&mut conn, period, &[village.to_owned()]).expect("entries").is_empty() {
            let entry = EntryRow {
                region_code: village.to_owned(),
                period: period.to_owned(),
                status: status.to_owned(),
                revision: 1,
                updated_by: "test".to_owned(),
                updated_at: now,
            };
            onetable_store::entries::insert_entries(&mut conn, &[entry]).expect("insert entry");
        } else {
            onetable_store::entries::touch_entry(&mut conn, village, period, "test", now).expect("touch entry");
            onetable_store::entries::set_status(&mut conn, village, period, status).expect("status");
        }
    }

    /// GET as the province-wide viewer, JSON body parsed.
    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        self.get_as(&self.token, path).await
    }

    /// GET with a bearer token, JSON body parsed.
    pub async fn get_as(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let response = self.client.get(self.url(path)).bearer_auth(token).send().await.expect("request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// POSTs `bytes` as a raw file upload with a bearer token, JSON answer parsed (`Null` if none).
    pub async fn post_file(&self, token: &str, path: &str, content_type: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
        let response = self
            .client
            .post(self.url(path))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(bytes)
            .send()
            .await
            .expect("request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Sends `body` as JSON with `method` and a bearer token.
    pub async fn send_json(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: &Value,
    ) -> (StatusCode, Value) {
        let response =
            self.client.request(method, self.url(path)).bearer_auth(token).json(body).send().await.expect("request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

/// # Panics
/// On a malformed literal in a test.
#[must_use]
pub fn date(text: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date literal")
}

/// The tests' HTTP client. It drops a pooled connection after 2 s idle, before the server's 5 s
/// keep-alive closes it: a test that blocks its runtime longer (filling the demo data takes ~6 s
/// in a debug build on a slow machine) would otherwise send its next request on a connection the
/// server is closing, and fail with `IncompleteMessage`.
fn client() -> reqwest::Client {
    reqwest::Client::builder().pool_idle_timeout(std::time::Duration::from_secs(2)).build().expect("HTTP client")
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn database_names_are_replaced() {
        assert_eq!(replace_database("postgres://u@h:5432/postgres", "t1"), "postgres://u@h:5432/t1");
        assert_eq!(replace_database("postgres://u@h", "t1"), "postgres://u@h/t1");
        assert_eq!(replace_database("postgres://u@h/db?sslmode=disable", "t1"), "postgres://u@h/t1?sslmode=disable");
    }
}
