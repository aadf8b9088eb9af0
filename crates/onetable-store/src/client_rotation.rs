//! Department systems (clients) as their department and admins see them, and the rotation of a
//! secret: asked, approved, collected.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreResult;
use crate::identity::ClientRow;
use crate::schema::clients;

/// Clients whose region is between `low` and `high` (a scope), by id.
///
/// # Errors
/// On a database error.
pub fn in_regions(conn: &mut DbConn, low: &str, high: &str) -> StoreResult<Vec<ClientRow>> {
    Ok(clients::table
        .filter(clients::region_code.between(low, high))
        .order(clients::client_id)
        .select(ClientRow::as_select())
        .load(conn)?)
}

/// Records that `by` asks for a new secret (any earlier approval is void).
///
/// # Errors
/// On a database error.
pub fn request(conn: &mut DbConn, client_id: &str, by: &str, at: NaiveDateTime) -> StoreResult<usize> {
    Ok(diesel::update(clients::table.filter(clients::client_id.eq(client_id)))
        .set((
            clients::rotation_requested_by.eq(Some(by)),
            clients::rotation_requested_at.eq(Some(at)),
            clients::rotation_approved_by.eq(None::<String>),
            clients::rotation_approved_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?)
}

/// Approves the asked rotation; 0 rows when none is asked.
///
/// # Errors
/// On a database error.
pub fn approve(conn: &mut DbConn, client_id: &str, by: &str, at: NaiveDateTime) -> StoreResult<usize> {
    Ok(diesel::update(
        clients::table.filter(clients::client_id.eq(client_id)).filter(clients::rotation_requested_by.is_not_null()),
    )
    .set((clients::rotation_approved_by.eq(Some(by)), clients::rotation_approved_at.eq(Some(at))))
    .execute(conn)?)
}

/// Stores the new secret's hash of an approved rotation and ends the old tokens (the session
/// generation moves on); 0 rows when no approved rotation waits.
///
/// # Errors
/// On a database error.
pub fn complete(conn: &mut DbConn, client_id: &str, secret_hash: &str, at: NaiveDateTime) -> StoreResult<usize> {
    Ok(diesel::update(
        clients::table.filter(clients::client_id.eq(client_id)).filter(clients::rotation_approved_by.is_not_null()),
    )
    .set((
        clients::secret_hash.eq(secret_hash),
        clients::session_generation.eq(clients::session_generation + 1),
        clients::secret_rotated_at.eq(Some(at)),
        clients::rotation_requested_by.eq(None::<String>),
        clients::rotation_requested_at.eq(None::<NaiveDateTime>),
        clients::rotation_approved_by.eq(None::<String>),
        clients::rotation_approved_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?)
}
