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
}

/// Claims `(actor, key)` for a new request; `Ok(None)` when claimed, `Ok(Some(row))` when the key
/// was already used (running or done). A key still `running` whose claim is older than
/// `stale_before` belongs to a holder that died (a crash or `kill -9` mid-import): the same
/// request takes it over, since the import it guarded was all or nothing.
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
    if earlier.state == "running" && earlier.created_at < stale_before && earlier.request_hash == row.request_hash {
        let taken = diesel::update(
            idempotency_keys::table
                .find((&row.actor, &row.key))
                .filter(idempotency_keys::state.eq("running"))
                .filter(idempotency_keys::created_at.eq(earlier.created_at)),
        )
        .set(idempotency_keys::created_at.eq(row.created_at))
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
