//! The hashes of the passwords an account used before (口令历史), so that a change may refuse
//! the last few; only hashes, never a password.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreResult;
use crate::schema::password_history;

/// The account's `keep` most recent earlier hashes, newest first.
///
/// # Errors
/// On a database error.
pub fn recent(conn: &mut DbConn, user_id: i64, keep: usize) -> StoreResult<Vec<String>> {
    Ok(password_history::table
        .filter(password_history::user_id.eq(user_id))
        .order((password_history::replaced_at.desc(), password_history::id.desc()))
        .limit(i64::try_from(keep).unwrap_or(i64::MAX))
        .select(password_history::password_hash)
        .load(conn)?)
}

/// Keeps `hash` as replaced at `at`, and forgets all but the account's `keep` newest.
///
/// # Errors
/// On a database error.
pub fn remember(conn: &mut DbConn, user_id: i64, hash: &str, at: NaiveDateTime, keep: usize) -> StoreResult<()> {
    diesel::insert_into(password_history::table)
        .values((
            password_history::user_id.eq(user_id),
            password_history::password_hash.eq(hash),
            password_history::replaced_at.eq(at),
        ))
        .execute(conn)?;
    let kept: Vec<i64> = password_history::table
        .filter(password_history::user_id.eq(user_id))
        .order((password_history::replaced_at.desc(), password_history::id.desc()))
        .limit(i64::try_from(keep).unwrap_or(i64::MAX))
        .select(password_history::id)
        .load(conn)?;
    diesel::delete(
        password_history::table.filter(password_history::user_id.eq(user_id)).filter(password_history::id.ne_all(kept)),
    )
    .execute(conn)?;
    Ok(())
}
