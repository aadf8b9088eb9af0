//! Group commit for SQLite. SQLite has one writer at a time; each write transaction pays for its
//! commit (WAL frames for every page it touched). Here this process's writes queue for one writer
//! thread, which runs those waiting together in one transaction, each in its own savepoint: a write
//! that fails rolls back alone, and every caller learns its result only once the batch committed.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;

use onetable_store::connection::transaction;
use onetable_store::{Db, DbConn};

use crate::error::ApiError;

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
    pub fn start(db: Db) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new().name("sqlite-writer".into()).spawn(move || writer(&db, &queue))?;
        Ok(Self { jobs })
    }

    /// Runs `work` in its own savepoint of the next batch; its result once the batch committed.
    ///
    /// # Errors
    /// `work`'s error, or an internal error when the batch could not commit.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let (done, result) = tokio::sync::oneshot::channel::<Result<T, ApiError>>();
        let job: Job = Box::new(move |conn| {
            let outcome = match conn {
                Some(conn) => transaction(conn, work),
                None => Err(ApiError::internal("no database connection for the writer")),
            };
            Box::new(move |committed| {
                let outcome =
                    if committed { outcome } else { outcome.and(Err(ApiError::internal("write batch rolled back"))) };
                let _ = done.send(outcome);
            })
        });
        self.jobs.send(job).map_err(|_| ApiError::internal("the SQLite writer has stopped"))?;
        result.await.map_err(|_| ApiError::internal("the SQLite writer dropped a write"))?
    }
}

fn writer(db: &Db, queue: &mpsc::Receiver<Job>) {
    // Kept from batch to batch (its per-connection setting and statement cache with it); dropped
    // after a batch that did not commit, in case the connection is what failed.
    let mut kept: Option<onetable_store::PooledConn> = None;
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
        let committed = transaction::<(), ApiError>(&mut conn, |conn| {
            // Take the write lock before any job reads: a read snapshot upgraded to a write after
            // another connection wrote would fail at once (SQLITE_BUSY_SNAPSHOT), not wait.
            onetable_store::imports::begin_write(conn)?;
            for job in batch {
                match catch_unwind(AssertUnwindSafe(|| job(Some(conn)))) {
                    Ok(completion) => completions.push(completion),
                    // A panicking write leaves its savepoint in an unknown state: drop the batch.
                    Err(_) => return Err(ApiError::internal("a write panicked; its batch is rolled back")),
                }
            }
            Ok(())
        })
        .is_ok();
        // With a pool of one, keeping it would starve every reader.
        if committed && db.max_connections() > 1 {
            kept = Some(conn);
        }
        completions.into_iter().for_each(|complete| complete(committed));
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
        let writer = std::sync::Arc::new(GroupCommit::start(db.clone()).unwrap());
        let writes = (0..40).map(|i| {
            let writer = writer.clone();
            async move {
                writer
                    .run(move |conn| {
                        audit::record(conn, &event(&format!("w{i}")))?;
                        if i % 3 == 0 {
                            return Err(ApiError::conflict("test", "refused"));
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
}
