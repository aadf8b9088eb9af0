#![allow(clippy::expect_used)]
//! The test harness: a real server on a free port over a fresh database per test — a SQLite file
//! always, and a new PostgreSQL database when `ONETABLE_TEST_PG` (or a `postgres://`
//! `DATABASE_URL`) names a server to create it on.

use std::future::Future;

use diesel::{Connection, PgConnection, RunQueryDsl};
use onetable_server::Application;
use onetable_store::{divisions, seed, Backend, DatabaseUrl, Db};
use reqwest::StatusCode;
use serde_json::Value;

/// The PostgreSQL server to create test databases on, if one is configured.
#[must_use]
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("ONETABLE_TEST_PG")
        .ok()
        .or_else(|| {
            std::env::var("DATABASE_URL")
                .ok()
                .filter(|u| u.starts_with("postgres"))
        })
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
                Self {
                    url,
                    cleanup: Cleanup::Sqlite(dir),
                }
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url().expect("ONETABLE_TEST_PG is set");
                let name = format!("onetable_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::establish(&admin_url)
                    .expect("connect to the PostgreSQL admin URL");
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .expect("create the test database");
                let url = DatabaseUrl::Postgres(replace_database(&admin_url, &name));
                Self {
                    url,
                    cleanup: Cleanup::Postgres { admin_url, name },
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup {
            if let Ok(mut admin) = PgConnection::establish(admin_url) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin);
            }
        }
    }
}

/// `postgres://u@h:5432/postgres?x=y` with the database name replaced.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// A running server over its own fresh database.
pub struct TestApp {
    pub address: String,
    pub backend: Backend,
    pub db: Db,
    pub client: reqwest::Client,
    // Dropped last: the database outlives the server's connections to it.
    _database: TestDatabase,
}

impl TestApp {
    /// A server over a fresh database holding the demo regions (黔西南州).
    pub async fn spawn(backend: Backend) -> Self {
        let app = Self::spawn_empty(backend).await;
        let set = seed::demo_divisions().expect("demo divisions");
        divisions::import(&mut app.db.conn().expect("conn"), &set, date("2025-01-01"))
            .expect("import demo regions");
        app
    }

    /// A server over a fresh, migrated, empty database.
    pub async fn spawn_empty(backend: Backend) -> Self {
        let database = TestDatabase::create(backend);
        let db = Db::connect(&database.url, 4).expect("connect");
        db.migrate().expect("migrate");
        let app = Application::build("127.0.0.1:0", db.clone()).expect("bind");
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.into_server());
        Self {
            address,
            backend,
            db,
            client: reqwest::Client::new(),
            _database: database,
        }
    }

    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// GET and parse the JSON body.
    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let response = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("request");
        let status = response.status();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }
}

/// # Panics
/// On a malformed literal in a test.
#[must_use]
pub fn date(text: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date literal")
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn database_names_are_replaced() {
        assert_eq!(
            replace_database("postgres://u@h:5432/postgres", "t1"),
            "postgres://u@h:5432/t1"
        );
        assert_eq!(
            replace_database("postgres://u@h", "t1"),
            "postgres://u@h/t1"
        );
        assert_eq!(
            replace_database("postgres://u@h/db?sslmode=disable", "t1"),
            "postgres://u@h/t1?sslmode=disable"
        );
    }
}
