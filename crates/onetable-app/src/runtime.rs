//! Where use cases run: the connection pool, the one SQLite writer, the caches of forms and cubes,
//! and the audit trail every decision is recorded in. Blocking store work runs on the blocking
//! pool, never on the caller's async workers.

use std::sync::Arc;

use onetable_store::audit::{self, NewAuditEvent};
use onetable_store::idempotency::HolderLock;
use onetable_store::{Backend, Db, DbConn};

use crate::actor::Actor;
use crate::cubes::CubeCache;
use crate::entries::FormCache;
use crate::group_commit::GroupCommit;
use crate::imports::Limits;
use crate::metrics::Metrics;
use crate::problem::{AppResult, Problem};
use crate::uploads::UploadTurns;

/// The application: what every use case shares.
#[derive(Clone, Debug)]
pub struct App {
    pub db: Db,
    pub forms: Arc<FormCache>,
    pub cubes: Arc<CubeCache>,
    /// SQLite only: this process's writes, batched on one writer thread.
    pub writer: Option<Arc<GroupCommit>>,
    /// What an uploaded table may cost to read (one request's budget).
    pub table_limits: Limits,
    /// Turns for reading heavy uploads.
    pub uploads: UploadTurns,
    /// PostgreSQL: this process's life, named in the Idempotency-Key claims it runs.
    pub holder: Option<Arc<HolderLock>>,
    pub metrics: Metrics,
    /// Password history and age (the complexity is the same everywhere).
    pub passwords: crate::accounts::passwords::PasswordRules,
    /// The hosts a chat robot may be at.
    pub robot_hosts: Arc<Vec<String>>,
    /// The data key that seals sensitive register values; none: registers cannot be written.
    pub data_keys: Option<Arc<crate::registers::sealing::DataKeys>>,
    /// Where events may be pushed, how long a receiver may take, and the delivery worker's bell.
    pub webhooks: Arc<crate::subscriptions::delivery::Webhooks>,
}

impl App {
    /// The application over `db`: on SQLite it starts the writer thread, and releases the
    /// Idempotency-Keys a crashed process left running (one server writes a SQLite file).
    ///
    /// # Errors
    /// When the writer cannot be started or the store cannot be reached.
    pub fn start(db: Db, table_limits: Limits) -> AppResult<Self> {
        let metrics = Metrics::new();
        let writer = match db.backend() {
            Backend::Sqlite => {
                let released = onetable_store::idempotency::release_running_keys(
                    &mut *db.conn()?,
                    chrono::Utc::now().naive_utc(),
                )?;
                if released > 0 {
                    tracing::warn!(released, "released Idempotency-Keys left running by an earlier process");
                }
                Some(Arc::new(GroupCommit::start(db.clone(), metrics.clone()).map_err(Problem::internal)?))
            }
            Backend::Postgres => None,
        };
        Self::assemble(db, writer, table_limits, metrics)
    }

    /// The application for a command-line action beside a running server (`onetable users add`):
    /// its writes each in a transaction of their own, no writer thread, and the Idempotency-Keys a
    /// running server holds left alone.
    ///
    /// # Errors
    /// On PostgreSQL, when the server-process lock cannot be taken.
    pub fn for_command_line(db: Db) -> AppResult<Self> {
        Self::assemble(db, None, Limits::default(), Metrics::new())
    }

    fn assemble(db: Db, writer: Option<Arc<GroupCommit>>, table_limits: Limits, metrics: Metrics) -> AppResult<Self> {
        let holder = onetable_store::idempotency::hold(db.url(), std::iter::repeat_with(rand::random::<i32>).take(8))?
            .map(Arc::new);
        let cubes = Arc::new(CubeCache::default().with_metrics(metrics.clone()));
        Ok(Self {
            db,
            forms: Arc::default(),
            cubes,
            writer,
            table_limits,
            uploads: UploadTurns::default(),
            holder,
            metrics,
            passwords: crate::accounts::passwords::PasswordRules::default(),
            robot_hosts: Arc::new(crate::reminders::hooks::DEFAULT_HOSTS.iter().map(|h| (*h).to_owned()).collect()),
            data_keys: None,
            webhooks: Arc::default(),
        })
    }

    /// The deployment's password history and age rules.
    #[must_use]
    pub fn with_password_rules(mut self, rules: crate::accounts::passwords::PasswordRules) -> Self {
        self.passwords = rules;
        self
    }

    /// The hosts a township's chat robot may be at.
    #[must_use]
    pub fn with_robot_hosts(mut self, hosts: Vec<String>) -> Self {
        self.robot_hosts = Arc::new(hosts);
        self
    }

    /// The deployment's webhook settings (allowed hosts, timeout, longest retry wait).
    #[must_use]
    pub fn with_webhooks(mut self, webhooks: crate::subscriptions::delivery::Webhooks) -> Self {
        self.webhooks = Arc::new(webhooks);
        self
    }

    /// The data key sensitive register values are sealed with.
    #[must_use]
    pub fn with_data_keys(mut self, keys: crate::registers::sealing::DataKeys) -> Self {
        self.data_keys = Some(Arc::new(keys));
        self
    }

    /// The data key, or 503 when the server has none.
    ///
    /// # Errors
    /// When no data key was given.
    pub fn data_keys(&self) -> AppResult<Arc<crate::registers::sealing::DataKeys>> {
        self.data_keys.clone().ok_or_else(|| {
            Problem::new(
                crate::problem::Kind::Unavailable,
                "data_key_missing",
                "服务器未配置数据密钥（data.key 或 ONETABLE_DATA_KEY），台账暂不可用，请联系管理员",
            )
        })
    }

    /// At most `turns` uploads read at once (see [`crate::uploads`]).
    #[must_use]
    pub fn with_upload_turns(mut self, turns: usize) -> Self {
        self.uploads = UploadTurns::new(turns);
        self
    }

    /// Keeps a snapshot of each cube in `dir` and loads the ones there now on another thread, so
    /// the first aggregate after a restart does not wait for a rebuild from the store; the cubes
    /// in memory hold at most `budget` bytes together (none: no limit).
    #[must_use]
    pub fn with_cube_snapshots(mut self, dir: std::path::PathBuf, budget: Option<usize>) -> Self {
        let cache = CubeCache::with_snapshots(dir).with_metrics(self.metrics.clone());
        self.cubes = Arc::new(match budget {
            Some(bytes) => cache.with_budget(bytes),
            None => cache,
        });
        let (cubes, db) = (self.cubes.clone(), self.db.clone());
        let warm = std::thread::Builder::new().name("cube-warm".into()).spawn(move || {
            for period in cubes.snapshot_periods() {
                let loaded =
                    db.conn().map_err(Problem::from).and_then(|mut conn| cubes.read(&mut conn, period, |_| Ok(())));
                if let Err(e) = loaded {
                    tracing::warn!(%period, error = %e.describe(), "cube not warmed");
                }
            }
        });
        if let Err(e) = warm {
            tracing::warn!(error = %e, "cubes not warmed");
        }
        self
    }

    /// The metrics as a Prometheus scrape reads them, with the pool and the cubes as they are now.
    ///
    /// # Errors
    /// Only if formatting fails.
    pub fn render_metrics(&self) -> Result<String, Problem> {
        let pool = self.db.pool_state();
        self.metrics.db_connections_in_use.set(i64::from(pool.in_use));
        self.metrics.db_connections_idle.set(i64::from(pool.idle));
        self.metrics.db_waiting.set(i64::try_from(pool.waiting).unwrap_or(i64::MAX));
        self.metrics.cube_bytes.set(i64::try_from(self.cubes.held_bytes()).unwrap_or(i64::MAX));
        self.metrics.render().map_err(Problem::internal)
    }

    /// Runs blocking store work on the blocking pool with a pooled connection.
    ///
    /// # Errors
    /// Whatever `work` returns, or a problem when no connection can be had.
    pub async fn run<T, F>(&self, work: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = db.conn()?;
            work(&mut conn)
        })
        .await?
    }

    /// Runs CPU-bound work (reading an uploaded file, say) on the blocking pool without a
    /// connection: a parse never holds one that other requests wait for.
    ///
    /// # Errors
    /// Whatever `work` returns.
    pub async fn compute<T, F>(&self, work: F) -> AppResult<T>
    where
        F: FnOnce() -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        tokio::task::spawn_blocking(work).await?
    }

    /// As [`App::run`], for work that writes: all of it in one transaction (a savepoint of a
    /// group commit on SQLite, see [`crate::group_commit`]), rolled back when `work` fails.
    ///
    /// # Errors
    /// Whatever `work` returns, or a problem when no connection can be had.
    pub async fn write<T, F>(&self, work: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        if let Some(writer) = &self.writer {
            return writer.run(work).await;
        }
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let _turn = db.lock_writes();
            let mut conn = db.conn()?;
            onetable_store::connection::transaction(&mut conn, |conn| {
                // On SQLite, hold the write lock before the first read (see `begin_write`).
                onetable_store::cells::begin_write(conn)?;
                work(conn)
            })
        })
        .await?
    }

    /// Appends an audit event. A failure to record is a problem: an action that cannot be
    /// audited must not appear to succeed.
    ///
    /// # Errors
    /// On a database error.
    pub async fn audit(&self, event: NewAuditEvent) -> AppResult<()> {
        self.run(move |conn| Ok(audit::record(conn, &event)?)).await
    }

    /// Passes `decision` through, recording a denial in the audit trail when it is a refusal.
    ///
    /// # Errors
    /// `decision`'s problem.
    pub async fn authorize<E: Into<Problem>>(
        &self,
        actor: &Actor,
        action: &str,
        target: Option<String>,
        decision: Result<(), E>,
    ) -> AppResult<()> {
        if let Err(denied) = decision {
            let denied: Problem = denied.into();
            let mut event = actor.event(action, target, "denied");
            event.detail = Some(denied.code().to_owned());
            self.audit(event).await?;
            return Err(denied);
        }
        Ok(())
    }
}
