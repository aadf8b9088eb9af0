//! Group commit for SQLite. SQLite has one writer at a time; each write transaction pays for its
//! commit (WAL frames for every page it touched). Here this process's writes queue for one writer
//! thread, which runs those waiting together in one transaction, each in its own savepoint: a write
//! that fails rolls back alone, and every caller learns its result only once the batch committed.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;

use onetable_store::connection::transaction;
use onetable_store::{Db, DbConn};

use crate::metrics::Metrics;
use crate::problem::Problem;

/// Called after the batch: `true` when it committed.
type Completion = Box<dyn FnOnce(bool) + Send>;
/// Runs one write on the writer's connection (`None`: there is none; fail at once).
type Job = Box<dyn FnOnce(Option<&mut DbConn>) -> Completion + Send>;

/// Writes waiting beyond this many go into the next batch, so one batch's latency stays bounded.
const MAX_BATCH: usize = 64;

#[derive(Debug)]
pub struct GroupCommit {
    jobs: mpsc::Sender<Job>,
}

impl GroupCommit {
    /// Starts the writer thread; it stops when this is dropped.
    ///
    /// # Errors
    /// When the thread cannot be started.
    pub fn start(db: Db, metrics: Metrics) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let (committed, commits) = mpsc::channel::<()>();
        let for_checkpoints = db.clone();
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || checkpointer(&for_checkpoints, &commits))?;
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer(&db, &queue, &committed, &metrics))?;
        Ok(Self { jobs })
    }

    /// Runs `work` in its own savepoint of the next batch; its result once the batch committed.
    ///
    /// # Errors
    /// `work`'s error, or an internal error when the batch could not commit.
    pub async fn run<T, F>(&self, work: F) -> Result<T, Problem>
    where
        F: FnOnce(&mut DbConn) -> Result<T, Problem> + Send + 'static,
        T: Send + 'static,
    {
        let (done, result) = tokio::sync::oneshot::channel::<Result<T, Problem>>();
        let job: Job = Box::new(move |conn| {
            let outcome = match conn {
                Some(conn) => transaction(conn, work),
                None => Err(Problem::internal("no database connection for the writer")),
            };
            Box::new(move |committed| {
                let outcome =
                    if committed { outcome } else { outcome.and(Err(Problem::internal("write batch rolled back"))) };
                let _ = done.send(outcome);
            })
        });
        self.jobs.send(job).map_err(|_| Problem::internal("the SQLite writer has stopped"))?;
        result.await.map_err(|_| Problem::internal("the SQLite writer dropped a write"))?
    }
}

/// Checkpoints the WAL after commits, at most every [`CHECKPOINT_PAUSE`], on its own thread and
/// connection, so the writer does not copy pages (see [`Db::batch_writer_conn`]).
fn checkpointer(db: &Db, commits: &mpsc::Receiver<()>) {
    while commits.recv().is_ok() {
        while commits.try_recv().is_ok() {}
        if let Err(e) = db.conn().and_then(|mut conn| onetable_store::connection::checkpoint(&mut conn)) {
            tracing::warn!(error = %e, "WAL checkpoint failed; the next commit tries again");
        }
        std::thread::sleep(CHECKPOINT_PAUSE);
    }
}

/// The least time between two checkpoints.
const CHECKPOINT_PAUSE: std::time::Duration = std::time::Duration::from_millis(25);

/// At most this often the writer checkpoints too. A WAL starts over only when a write begins with
/// every frame copied, which the checkpointer, always behind a busy writer, never achieves alone:
/// measured, the WAL grew to 485 MB in 13 s. The writer's own checkpoint finds nearly all frames
/// copied already, so the WAL stays bounded; but it waits for three `fsync`s (~10 ms on the VMs
/// measured), and every write queued meanwhile waits with it. Every 32 commits, as before, that was
/// ~16 % of the writer's time under 16 busy clerks; by time it is ~5 %, and the WAL stayed under
/// 30 MB in a minute of full load (docs/benchmarks.md).
const WRITER_CHECKPOINT_INTERVAL: std::time::Duration = std::time::Duration::from_millis(200);

/// A batch taking longer than this is logged: every write in it waited that long.
const SLOW_BATCH: std::time::Duration = std::time::Duration::from_millis(50);

fn writer(db: &Db, queue: &mpsc::Receiver<Job>, checkpoints: &mpsc::Sender<()>, metrics: &Metrics) {
    // Kept from batch to batch (its per-connection setting and statement cache with it); dropped
    // after a batch that did not commit, in case the connection is what failed.
    let mut kept: Option<DbConn> = None;
    let mut next_checkpoint = std::time::Instant::now() + WRITER_CHECKPOINT_INTERVAL;
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut conn = match kept.take().map_or_else(|| db.batch_writer_conn(), Ok) {
            Ok(conn) => conn,
            Err(e) => {
                tracing::error!(error = %e, "SQLite writer has no connection");
                batch.into_iter().for_each(|job| job(None)(false));
                continue;
            }
        };
        let mut completions: Vec<Completion> = Vec::with_capacity(batch.len());
        let started = std::time::Instant::now();
        let jobs = batch.len();
        let committed = transaction::<(), Problem>(&mut conn, |conn| {
            // Take the write lock before any job reads: a read snapshot upgraded to a write after
            // another connection wrote would fail at once (SQLITE_BUSY_SNAPSHOT), not wait.
            onetable_store::cells::begin_write(conn)?;
            for job in batch {
                match catch_unwind(AssertUnwindSafe(|| job(Some(conn)))) {
                    Ok(completion) => completions.push(completion),
                    // A panicking write leaves its savepoint in an unknown state: drop the batch.
                    Err(_) => return Err(Problem::internal("a write panicked; its batch is rolled back")),
                }
            }
            Ok(())
        })
        .is_ok();
        if committed {
            kept = Some(conn);
            // Fails only once the checkpointer is gone, which it is only as this thread ends.
            let _ = checkpoints.send(());
        }
        // Counted before the answers go out: whoever reads the metrics after an answer sees its batch.
        metrics.write_batch_jobs.observe(jobs as f64);
        metrics.write_commit_seconds.observe(started.elapsed().as_secs_f64());
        // Answered before the writer's checkpoint, which need not delay this batch.
        completions.into_iter().for_each(|complete| complete(committed));
        let answered = started.elapsed();
        if answered > SLOW_BATCH {
            tracing::warn!(jobs, committed, ms = answered.as_millis(), "slow write batch");
        }
        if committed && std::time::Instant::now() >= next_checkpoint {
            // One that did not copy everything (the checkpointer was running, or a reader still
            // needed frames) is tried again soon, not after the whole interval.
            let complete = match kept.as_mut().map(onetable_store::connection::checkpoint) {
                Some(Ok(complete)) => complete,
                Some(Err(e)) => {
                    tracing::debug!(error = %e, "writer's checkpoint failed");
                    false
                }
                None => false,
            };
            let wait = if complete { WRITER_CHECKPOINT_INTERVAL } else { CHECKPOINT_PAUSE };
            next_checkpoint = std::time::Instant::now() + wait;
        }
    }
}

#[cfg(test)]
mod tests {
    use onetable_store::audit::{self, AuditFilter, NewAuditEvent};
    use onetable_store::DatabaseUrl;

    use super::*;

    fn event(action: &str) -> NewAuditEvent {
        NewAuditEvent {
            occurred_at: chrono::Utc::now().naive_utc(),
            actor: Some("test".into()),
            role: None,
            action: action.into(),
            target: None,
            outcome: "success".into(),
            request_id: None,
            client_addr: None,
            detail: None,
        }
    }

    /// Writes queued together share a transaction, but a failing one rolls back alone.
    #[tokio::test]
    async fn a_failing_write_rolls_back_alone_and_the_rest_commit() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&DatabaseUrl::Sqlite(dir.path().join("t.db")), 4).unwrap();
        db.migrate().unwrap();
        let writer = std::sync::Arc::new(GroupCommit::start(db.clone(), Metrics::new()).unwrap());
        let writes = (0..40).map(|i| {
            let writer = writer.clone();
            async move {
                writer
                    .run(move |conn| {
                        audit::record(conn, &event(&format!("w{i}")))?;
                        if i % 3 == 0 {
                            return Err(Problem::conflict("test", "refused"));
                        }
                        Ok(i)
                    })
                    .await
            }
        });
        let results = futures_util::future::join_all(writes).await;
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 26);
        let (_, stored) = audit::list(&mut db.conn().unwrap(), &AuditFilter::default(), 100, 0).unwrap();
        assert_eq!(stored, 26, "the 14 refused writes left nothing behind");
    }

    /// With autocheckpoint off on the writer's connection, the WAL must still start over: commits
    /// one after another for a second and a half leave it at a few checkpoint intervals' worth of
    /// pages, not all of them (without restarts it grows by ~11 KB a commit here).
    #[tokio::test]
    async fn the_wal_stays_small_under_a_stream_of_commits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let db = Db::connect(&DatabaseUrl::Sqlite(path.clone()), 4).unwrap();
        db.migrate().unwrap();
        let writer = GroupCommit::start(db.clone(), Metrics::new()).unwrap();
        let started = std::time::Instant::now();
        let mut commits = 0;
        while started.elapsed() < 6 * WRITER_CHECKPOINT_INTERVAL + std::time::Duration::from_millis(300) {
            writer.run(move |conn| Ok(audit::record(conn, &event(&format!("w{commits}")))?)).await.unwrap();
            commits += 1;
        }
        let wal = std::fs::metadata(dir.path().join("t.db-wal")).map(|m| m.len()).unwrap_or(0);
        eprintln!("{commits} commits, WAL {wal} bytes");
        // Half of what it would hold without restarts: measured at about a third on an idle
        // machine, and near it with both cores busy, so a third failed now and then under load.
        assert!(wal < commits * 11_000 / 2, "WAL is {wal} bytes after {commits} commits");
        let (_, stored) = audit::list(&mut db.conn().unwrap(), &AuditFilter::default(), 1, 0).unwrap();
        assert_eq!(stored, i64::try_from(commits).unwrap());
    }
}
