//! Idempotency-Key records: a request's first answer, kept so that a retry gets it again.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreResult;
use crate::schema::idempotency_keys;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyRow {
    pub key: String,
    pub actor: String,
    pub request_hash: String,
    pub state: String,
    pub response_status: Option<i32>,
    pub response_body: Option<String>,
    pub created_at: NaiveDateTime,
    /// The server process running it (PostgreSQL; see [`HolderLock`]).
    pub holder: Option<i32>,
}

/// The advisory-lock class of server processes: the first half of each holder's lock key.
const HOLDER_CLASS: i32 = 0x00E7_AB1E;

/// A server process's life, as PostgreSQL sees it: a session-level advisory lock on a number
/// of its own, held on a connection of its own until the process ends. The database lets go of
/// it when that connection ends, so a `kill -9` frees it too: a claim naming a holder whose
/// lock is free is a dead process's.
pub struct HolderLock {
    pub id: i32,
    // Only held, never used again: a mutex makes the holder shareable between threads.
    _conn: std::sync::Mutex<DbConn>,
}

impl std::fmt::Debug for HolderLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HolderLock").field("id", &self.id).finish_non_exhaustive()
    }
}

/// Takes the first free holder number from `candidates` (random numbers), on a connection
/// opened for it. `None` on SQLite, where one process owns the file and releases its claims at
/// start.
///
/// # Errors
/// When no connection can be opened, or every candidate is taken.
pub fn hold(url: &crate::DatabaseUrl, candidates: impl IntoIterator<Item = i32>) -> StoreResult<Option<HolderLock>> {
    let crate::DatabaseUrl::Postgres(_) = url else { return Ok(None) };
    let mut conn = crate::connection::establish(url)?;
    for id in candidates {
        if try_lock(&mut conn, id)? {
            return Ok(Some(HolderLock { id, _conn: std::sync::Mutex::new(conn) }));
        }
    }
    Err(crate::error::StoreError::NoHolderNumber)
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    locked: bool,
}

fn try_lock(conn: &mut DbConn, id: i32) -> StoreResult<bool> {
    let DbConn::Postgres(pg) = conn else { return Ok(false) };
    let row: Locked = diesel::sql_query("SELECT pg_try_advisory_lock($1, $2) AS locked")
        .bind::<diesel::sql_types::Integer, _>(HOLDER_CLASS)
        .bind::<diesel::sql_types::Integer, _>(id)
        .get_result(pg)?;
    Ok(row.locked)
}

/// Whether the process `holder` has ended: its lock is free (taken here for an instant to
/// tell, and let go). Always `false` on SQLite.
///
/// # Errors
/// On a database error.
pub fn holder_ended(conn: &mut DbConn, holder: i32) -> StoreResult<bool> {
    if !try_lock(conn, holder)? {
        return Ok(false);
    }
    if let DbConn::Postgres(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_unlock($1, $2)")
            .bind::<diesel::sql_types::Integer, _>(HOLDER_CLASS)
            .bind::<diesel::sql_types::Integer, _>(holder)
            .execute(pg)?;
    }
    Ok(true)
}

/// Claims `(actor, key)` for a new request; `Ok(None)` when claimed, `Ok(Some(row))` when the key
/// was already used (running or done). A key still `running` belongs to a holder that died (a
/// crash or `kill -9` mid-import) when its claim is older than `stale_before`, or at once when
/// its holder's lock is free: the same request takes it over, since the import it guarded was
/// all or nothing.
///
/// # Errors
/// On a database error.
pub fn claim_key(
    conn: &mut DbConn,
    row: &IdempotencyRow,
    stale_before: NaiveDateTime,
) -> StoreResult<Option<IdempotencyRow>> {
    let earlier = insert_key(conn, row)?;
    let Some(earlier) = earlier else { return Ok(None) };
    let same_request = earlier.state == "running" && earlier.request_hash == row.request_hash;
    let dead = same_request
        && (earlier.created_at < stale_before
            || match earlier.holder {
                Some(holder) => holder_ended(conn, holder)?,
                None => false,
            });
    if dead {
        let taken = diesel::update(
            idempotency_keys::table
                .find((&row.actor, &row.key))
                .filter(idempotency_keys::state.eq("running"))
                .filter(idempotency_keys::created_at.eq(earlier.created_at)),
        )
        .set((idempotency_keys::created_at.eq(row.created_at), idempotency_keys::holder.eq(row.holder)))
        .execute(conn)?;
        if taken == 1 {
            return Ok(None);
        }
        return Ok(idempotency_keys::table
            .find((&row.actor, &row.key))
            .select(IdempotencyRow::as_select())
            .get_result(conn)
            .optional()?);
    }
    Ok(Some(earlier))
}

/// Forgets every claim still `running`: at start-up, when no request of this process can hold
/// one.
///
/// # Errors
/// On a database error.
pub fn release_running_keys(conn: &mut DbConn, claimed_before: NaiveDateTime) -> StoreResult<usize> {
    Ok(diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::state.eq("running"))
            .filter(idempotency_keys::created_at.lt(claimed_before)),
    )
    .execute(conn)?)
}

fn insert_key(conn: &mut DbConn, row: &IdempotencyRow) -> StoreResult<Option<IdempotencyRow>> {
    let inserted = match conn {
        DbConn::Sqlite(c) => {
            diesel::insert_into(idempotency_keys::table).values(row).on_conflict_do_nothing().execute(c)?
        }
        DbConn::Postgres(c) => {
            diesel::insert_into(idempotency_keys::table).values(row).on_conflict_do_nothing().execute(c)?
        }
    };
    if inserted == 1 {
        return Ok(None);
    }
    Ok(idempotency_keys::table
        .find((&row.actor, &row.key))
        .select(IdempotencyRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Stores the final response of a claimed key.
///
/// # Errors
/// On a database error.
pub fn finish_key(conn: &mut DbConn, actor: &str, key: &str, status: i32, body: &str) -> StoreResult<()> {
    diesel::update(idempotency_keys::table.find((actor, key)))
        .set((
            idempotency_keys::state.eq("done"),
            idempotency_keys::response_status.eq(Some(status)),
            idempotency_keys::response_body.eq(Some(body)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets a claimed key (the request failed on our side: a retry may run it).
///
/// # Errors
/// On a database error.
pub fn release_key(conn: &mut DbConn, actor: &str, key: &str) -> StoreResult<()> {
    diesel::delete(idempotency_keys::table.find((actor, key))).execute(conn)?;
    Ok(())
}
