//! Connections and the pool. One codebase on both backends through `diesel::MultiConnection`;
//! the backend is chosen from the URL scheme.

use std::collections::BTreeMap;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{CustomizeConnection, R2D2Connection};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::{StoreError, StoreResult};
use crate::url::{Backend, DatabaseUrl};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// How long a SQLite writer waits for the write lock before giving up.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 10_000;

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// How long a request waits for a pooled connection while the database answers.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long it waits while connecting has just failed: during an outage a request is answered
/// (503) at once instead of queueing behind a database that is not there.
const CHECKOUT_TIMEOUT_IN_OUTAGE: Duration = Duration::from_millis(250);
/// For how long a failed connection attempt counts as an outage.
const OUTAGE_WINDOW: Duration = Duration::from_secs(2);

/// When opening a connection last failed (milliseconds since the process's clock origin; 0:
/// never), shared by the pool's manager and the handle that checks connections out.
#[derive(Debug, Default)]
struct Health {
    origin: std::sync::OnceLock<std::time::Instant>,
    last_failure_ms: std::sync::atomic::AtomicU64,
    /// Callers inside `conn()` now, waiting for the pool (r2d2 does not count them).
    waiting: std::sync::atomic::AtomicUsize,
}

impl Health {
    fn now_ms(&self) -> u64 {
        let origin = self.origin.get_or_init(std::time::Instant::now);
        u64::try_from(origin.elapsed().as_millis()).unwrap_or(u64::MAX).max(1)
    }

    fn record_failure(&self) {
        self.last_failure_ms.store(self.now_ms(), std::sync::atomic::Ordering::Relaxed);
    }

    fn record_success(&self) {
        self.last_failure_ms.store(0, std::sync::atomic::Ordering::Relaxed);
    }

    fn in_outage(&self) -> bool {
        let failed = self.last_failure_ms.load(std::sync::atomic::Ordering::Relaxed);
        let window = u64::try_from(OUTAGE_WINDOW.as_millis()).unwrap_or(u64::MAX);
        failed != 0 && self.now_ms().saturating_sub(failed) < window
    }
}

/// Opens connections of exactly the backend the URL names. (diesel's own manager for a
/// `MultiConnection` tries each backend in turn until one accepts the string: a silent fallback.)
#[derive(Debug)]
pub struct Manager {
    url: DatabaseUrl,
    health: std::sync::Arc<Health>,
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        let opened = establish(&self.url).map_err(|e| match e {
            StoreError::Connect(e) => diesel::r2d2::Error::ConnectionError(e),
            other => diesel::r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(other.to_string())),
        });
        match &opened {
            Ok(_) => self.health.record_success(),
            Err(_) => self.health.record_failure(),
        }
        opened
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

/// See [`Db::pool_state`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolState {
    pub in_use: u32,
    pub idle: u32,
    pub waiting: usize,
}

/// The store handle the server and the CLI share: a connection pool and its backend.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    backend: Backend,
    url: DatabaseUrl,
    health: std::sync::Arc<Health>,
    /// SQLite has one writer at a time; queueing writers here, in-process, spares them SQLite's
    /// busy handler, which sleeps in growing steps (the long tail of concurrent writes).
    sqlite_writer: std::sync::Arc<std::sync::Mutex<()>>,
    /// The readiness probe's own connection, outside the pool (see [`Db::ping`]).
    probe: std::sync::Arc<std::sync::Mutex<Option<DbConn>>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("backend", &self.backend).finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        sqlite_pragmas(conn).map_err(diesel::r2d2::Error::QueryError)
    }
}

fn sqlite_pragmas(conn: &mut DbConn) -> diesel::QueryResult<()> {
    if let DbConn::Sqlite(sqlite) = conn {
        sqlite.batch_execute(&format!(
            "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};
             PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;"
        ))?;
    }
    Ok(())
}

impl Db {
    /// Opens a pool on the database the URL names, creating a SQLite file (and its folder) if
    /// needed. Does not migrate: call [`Db::migrate`].
    ///
    /// # Errors
    /// When the SQLite folder cannot be created or no connection can be opened.
    pub fn connect(url: &DatabaseUrl, max_connections: u32) -> StoreResult<Self> {
        if let DatabaseUrl::Sqlite(path) = url {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .map_err(|source| StoreError::SqliteFile { path: path.display().to_string(), source })?;
            }
        }
        let health = std::sync::Arc::<Health>::default();
        let manager = Manager { url: url.clone(), health: health.clone() };
        let pool = r2d2::Pool::builder()
            .max_size(max_connections.max(1))
            // Open connections as needed, not all at start: many pools may share one PostgreSQL.
            .min_idle(Some(1))
            .connection_timeout(CHECKOUT_TIMEOUT)
            .connection_customizer(Box::new(SqlitePragmas))
            .build(manager)?;
        Ok(Self {
            pool,
            backend: url.backend(),
            url: url.clone(),
            health,
            sqlite_writer: std::sync::Arc::default(),
            probe: std::sync::Arc::default(),
        })
    }

    /// Holds this process's SQLite writers back until the returned guard drops; `None` on
    /// PostgreSQL, where writers run side by side.
    #[must_use]
    pub fn lock_writes(&self) -> Option<std::sync::MutexGuard<'_, ()>> {
        match self.backend {
            Backend::Sqlite => Some(self.sqlite_writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner)),
            Backend::Postgres => None,
        }
    }

    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The database this handle opens connections to.
    #[must_use]
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// A pooled connection: waited for up to 5 s, or only 250 ms while connecting has just failed.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when none can be had in that time.
    pub fn conn(&self) -> StoreResult<PooledConn> {
        let timeout = if self.health.in_outage() { CHECKOUT_TIMEOUT_IN_OUTAGE } else { CHECKOUT_TIMEOUT };
        self.health.waiting.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let conn = self.pool.get_timeout(timeout).map_err(StoreError::Unavailable);
        self.health.waiting.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
        conn
    }

    /// The pool now: connections lent out, open and idle, and callers waiting for one.
    #[must_use]
    pub fn pool_state(&self) -> PoolState {
        let state = self.pool.state();
        PoolState {
            in_use: state.connections.saturating_sub(state.idle_connections),
            idle: state.idle_connections,
            waiting: self.health.waiting.load(std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// Whether opening a connection failed in the last two seconds.
    #[must_use]
    pub fn in_outage(&self) -> bool {
        self.health.in_outage()
    }

    /// A connection of its own (outside the pool) for a writer that runs many writes in one
    /// transaction, each in a savepoint.
    /// SQLite keeps the original of every page a savepoint changes in a sub-journal, which spills
    /// to a temporary file (open, a `pwrite` per page, unlink) once past 64 KiB: measured, that was
    /// a quarter of the group-commit writer's time. Here it stays in memory (`temp_store`); only
    /// this connection, so large sorts elsewhere still spill to disk. Its commits do not checkpoint
    /// the WAL either (copying pages into the database file and syncing it, in the one writer's
    /// time): call [`checkpoint`] from elsewhere. And its page cache is 64 MiB, not 2: with the
    /// default, edits spread over a growing file read most pages back from the OS (measured: 1,550
    /// → 2,100–2,230 PATCH/s at 16 clients once the bench database had grown past 100 MB).
    ///
    /// # Errors
    /// When no connection can be had, or the setting fails.
    pub fn batch_writer_conn(&self) -> StoreResult<DbConn> {
        let mut conn = establish(&self.url)?;
        sqlite_pragmas(&mut conn)?;
        if let DbConn::Sqlite(sqlite) = &mut conn {
            sqlite.batch_execute(
                "PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 0; PRAGMA cache_size = -65536;",
            )?;
        }
        Ok(conn)
    }

    /// Runs the pending embedded migrations of this backend; returns how many ran.
    ///
    /// # Errors
    /// When a migration fails (it is rolled back).
    pub fn migrate(&self) -> StoreResult<usize> {
        let mut conn = self.conn()?;
        let applied = match &mut *conn {
            DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
            DbConn::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len()),
        };
        applied.map_err(|e| StoreError::Migration(e.to_string()))
    }

    /// A cheap round trip, for readiness probes.
    ///
    /// # Errors
    /// When the database cannot be reached.
    pub fn ping(&self) -> StoreResult<()> {
        // Its own connection, outside the pool: requests that hold every pooled connection (ten
        // uploads being read once did) must not make a load balancer take the node out.
        let mut probe = self.probe.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let conn = match probe.as_mut() {
            Some(conn) => conn,
            None => probe.insert(establish(&probe_url(&self.url))?),
        };
        let answered = diesel::sql_query("SELECT 1").execute(conn);
        if answered.is_err() {
            *probe = None;
        }
        answered?;
        Ok(())
    }

    /// Every table (but the migrations bookkeeping) with its column names, sorted: the test that
    /// keeps the two migration folders in step compares these.
    ///
    /// # Errors
    /// On a database error.
    pub fn table_columns(&self) -> StoreResult<BTreeMap<String, Vec<String>>> {
        #[derive(QueryableByName)]
        struct Column {
            #[diesel(sql_type = diesel::sql_types::Text)]
            table_name: String,
            #[diesel(sql_type = diesel::sql_types::Text)]
            column_name: String,
        }
        let mut conn = self.conn()?;
        let columns: Vec<Column> = match &mut *conn {
            DbConn::Sqlite(c) => diesel::sql_query(
                "SELECT m.name AS table_name, p.name AS column_name
                 FROM sqlite_master m, pragma_table_info(m.name) p
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
                   AND m.name <> '__diesel_schema_migrations'",
            )
            .load(c)?,
            DbConn::Postgres(c) => diesel::sql_query(
                "SELECT table_name::text AS table_name, column_name::text AS column_name
                 FROM information_schema.columns
                 WHERE table_schema = current_schema()
                   AND table_name <> '__diesel_schema_migrations'",
            )
            .load(c)?,
        };
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for column in columns {
            out.entry(column.table_name).or_default().push(column.column_name);
        }
        for names in out.values_mut() {
            names.sort();
        }
        Ok(out)
    }
}

/// The probe's URL: on PostgreSQL, connecting gives up after 2 s (libpq waits forever by
/// default for a host that does not answer).
fn probe_url(url: &DatabaseUrl) -> DatabaseUrl {
    match url {
        DatabaseUrl::Postgres(text) if !text.contains("connect_timeout") => {
            let joiner = if text.contains('?') { '&' } else { '?' };
            DatabaseUrl::Postgres(format!("{text}{joiner}connect_timeout=2"))
        }
        other => other.clone(),
    }
}

/// Opens one connection outside any pool (for creating and dropping test databases, say).
///
/// # Errors
/// When the connection fails.
pub fn establish(url: &DatabaseUrl) -> StoreResult<DbConn> {
    Ok(match url {
        DatabaseUrl::Sqlite(path) => DbConn::Sqlite(SqliteConnection::establish(&path.display().to_string())?),
        DatabaseUrl::Postgres(url) => DbConn::Postgres(PgConnection::establish(url)?),
    })
}

/// The query-builder backend of [`DbConn`]: the subset of SQL both backends share.
pub type AnyBackend = <DbConn as Connection>::Backend;

/// Multi-row INSERT, which diesel's shared backend does not offer: each backend runs its own.
///
/// # Errors
/// On a database error.
pub fn insert_batch<T, R>(conn: &mut DbConn, table: T, rows: &[R]) -> diesel::QueryResult<usize>
where
    T: diesel::Table + Copy,
    for<'a> &'a [R]: diesel::Insertable<T>,
    for<'a> diesel::query_builder::InsertStatement<T, <&'a [R] as diesel::Insertable<T>>::Values>:
        diesel::query_dsl::methods::ExecuteDsl<SqliteConnection> + diesel::query_dsl::methods::ExecuteDsl<PgConnection>,
{
    if rows.is_empty() {
        return Ok(0);
    }
    match conn {
        DbConn::Sqlite(c) => diesel::insert_into(table).values(rows).execute(c),
        DbConn::Postgres(c) => diesel::insert_into(table).values(rows).execute(c),
    }
}

/// Runs `work` in one transaction: committed when it returns `Ok`, rolled back otherwise.
///
/// # Errors
/// `work`'s error, or the database's.
pub fn transaction<T, E>(conn: &mut DbConn, work: impl FnOnce(&mut DbConn) -> Result<T, E>) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    conn.transaction(work)
}

/// Copies what the SQLite WAL holds into the database file, without waiting for or blocking
/// writers (a passive checkpoint); nothing on PostgreSQL. `true` when every frame was copied;
/// `false` when another checkpoint was running or a reader still needs some frames.
///
/// # Errors
/// On a database error.
pub fn checkpoint(conn: &mut DbConn) -> StoreResult<bool> {
    #[derive(diesel::QueryableByName)]
    struct Outcome {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        busy: i32,
        #[diesel(sql_type = diesel::sql_types::Integer)]
        log: i32,
        #[diesel(sql_type = diesel::sql_types::Integer)]
        checkpointed: i32,
    }
    let DbConn::Sqlite(sqlite) = conn else { return Ok(true) };
    let outcome: Outcome = diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").get_result(sqlite)?;
    Ok(outcome.busy == 0 && outcome.log == outcome.checkpointed)
}
