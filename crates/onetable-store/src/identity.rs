//! Users, department clients, signing keys, revoked tokens: the rows behind authentication.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreResult;
use crate::schema::{clients, revoked_tokens, signing_keys, users};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub region_code: Option<String>,
    pub department: Option<String>,
    pub password_hash: String,
    pub disabled: bool,
    pub failed_logins: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub password_changed_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Advanced by every change that must end the account's sessions; tokens carry it.
    pub session_generation: i32,
    /// Someone else chose the password (an admin, the operator, a bulk import): the person must
    /// choose its own at the next sign-in (首次登录修改初始口令).
    pub must_change_password: bool,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub region_code: Option<String>,
    pub department: Option<String>,
    pub password_hash: String,
    pub disabled: bool,
    pub failed_logins: i32,
    pub password_changed_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub must_change_password: bool,
    pub phone: Option<String>,
}

/// The fields an update may change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub region_code: Option<Option<String>>,
    pub department: Option<Option<String>>,
    pub password_hash: Option<String>,
    pub disabled: Option<bool>,
    pub failed_logins: Option<i32>,
    pub locked_until: Option<Option<NaiveDateTime>>,
    pub password_changed_at: Option<NaiveDateTime>,
    pub updated_at: Option<NaiveDateTime>,
    pub must_change_password: Option<bool>,
    pub phone: Option<Option<String>>,
}

/// # Errors
/// On a database error.
pub fn find_user(conn: &mut DbConn, username: &str) -> StoreResult<Option<UserRow>> {
    Ok(users::table.filter(users::username.eq(username)).select(UserRow::as_select()).get_result(conn).optional()?)
}

/// # Errors
/// On a database error (a duplicate username is a unique violation).
pub fn insert_user(conn: &mut DbConn, user: &NewUser) -> Result<UserRow, diesel::result::Error> {
    diesel::insert_into(users::table).values(user).execute(conn)?;
    users::table.filter(users::username.eq(&user.username)).select(UserRow::as_select()).get_result(conn)
}

diesel::define_sql_function! {
    /// SQL `lower`: ASCII case folding on SQLite, which is all a username holds.
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// The account whose username equals `username` ignoring ASCII case.
///
/// # Errors
/// On a database error.
pub fn find_user_any_case(conn: &mut DbConn, username: &str) -> StoreResult<Option<UserRow>> {
    Ok(users::table
        .filter(lower(users::username).eq(username.to_ascii_lowercase()))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

impl UserChanges {
    /// Whether the change alters what the account's tokens stand for — who it is (password,
    /// enabled), what it may do (role) or where (scope, department) — so they must stop.
    #[must_use]
    pub fn ends_sessions(&self) -> bool {
        self.role.is_some()
            || self.region_code.is_some()
            || self.department.is_some()
            || self.password_hash.is_some()
            || self.disabled.is_some()
    }
}

/// Applies `changes`; one that [ends sessions](UserChanges::ends_sessions) also advances the
/// account's session generation, in the same statement.
///
/// # Errors
/// On a database error.
pub fn update_user(conn: &mut DbConn, id: i64, changes: &UserChanges) -> StoreResult<()> {
    if changes.ends_sessions() {
        diesel::update(users::table.find(id))
            .set((changes, users::session_generation.eq(users::session_generation + 1)))
            .execute(conn)?;
    } else {
        diesel::update(users::table.find(id)).set(changes).execute(conn)?;
    }
    Ok(())
}

/// Users whose scope lies inside the code range `[low, high]` (and whose username or name
/// contains `text`), by username.
///
/// # Errors
/// On a database error.
pub fn list_users(
    conn: &mut DbConn,
    range: Option<(String, String)>,
    role: Option<&str>,
    text: Option<&str>,
    (limit, offset): (i64, i64),
) -> StoreResult<(Vec<UserRow>, i64)> {
    let pattern = text.map(|t| format!("%{}%", t.replace(['%', '_', '\\'], "")));
    let filtered = || {
        let mut q = users::table.into_boxed();
        if let Some(pattern) = &pattern {
            q = q.filter(users::username.like(pattern.clone()).or(users::display_name.like(pattern.clone())));
        }
        if let Some((low, high)) = &range {
            q = q.filter(users::region_code.ge(low.clone())).filter(users::region_code.le(high.clone()));
        }
        if let Some(role) = role {
            q = q.filter(users::role.eq(role.to_owned()));
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered().order(users::username).limit(limit).offset(offset).select(UserRow::as_select()).load(conn)?;
    Ok((rows, total))
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = clients)]
pub struct ClientRow {
    pub id: i64,
    pub client_id: String,
    pub secret_hash: String,
    pub department: String,
    pub region_code: String,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub session_generation: i32,
    /// A rotation of the secret its department asked for, and an admin's approval of it.
    pub rotation_requested_by: Option<String>,
    pub rotation_requested_at: Option<NaiveDateTime>,
    pub rotation_approved_by: Option<String>,
    pub rotation_approved_at: Option<NaiveDateTime>,
    pub secret_rotated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = clients)]
pub struct NewClient {
    pub client_id: String,
    pub secret_hash: String,
    pub department: String,
    pub region_code: String,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
}

/// # Errors
/// On a database error.
pub fn find_client(conn: &mut DbConn, client_id: &str) -> StoreResult<Option<ClientRow>> {
    Ok(clients::table
        .filter(clients::client_id.eq(client_id))
        .select(ClientRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// # Errors
/// On a database error.
pub fn insert_client(conn: &mut DbConn, client: &NewClient) -> Result<usize, diesel::result::Error> {
    diesel::insert_into(clients::table).values(client).execute(conn)
}

/// Disables or enables a client; either way its earlier tokens stop (re-enabling does not revive
/// them).
///
/// # Errors
/// On a database error.
pub fn set_client_disabled(conn: &mut DbConn, client_id: &str, disabled: bool) -> StoreResult<usize> {
    Ok(diesel::update(clients::table.filter(clients::client_id.eq(client_id)))
        .set((clients::disabled.eq(disabled), clients::session_generation.eq(clients::session_generation + 1)))
        .execute(conn)?)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = signing_keys)]
pub struct SigningKeyRow {
    pub kid: String,
    /// PKCS#8 DER, base64.
    pub private_key: String,
    /// The raw 32-byte Ed25519 public key, base64url.
    pub public_key: String,
    pub created_at: NaiveDateTime,
    pub retired_at: Option<NaiveDateTime>,
}

/// Keys not retired, oldest first (the last one signs).
///
/// # Errors
/// On a database error.
pub fn active_keys(conn: &mut DbConn) -> StoreResult<Vec<SigningKeyRow>> {
    Ok(signing_keys::table
        .filter(signing_keys::retired_at.is_null())
        .order((signing_keys::created_at, signing_keys::kid))
        .select(SigningKeyRow::as_select())
        .load(conn)?)
}

/// # Errors
/// On a database error.
pub fn insert_key(conn: &mut DbConn, key: &SigningKeyRow) -> StoreResult<()> {
    diesel::insert_into(signing_keys::table).values(key).execute(conn)?;
    Ok(())
}

/// # Errors
/// On a database error.
pub fn revoke_token(conn: &mut DbConn, jti: &str, expires_at: NaiveDateTime, now: NaiveDateTime) -> StoreResult<()> {
    // Forget revocations whose tokens have expired anyway.
    diesel::delete(revoked_tokens::table.filter(revoked_tokens::expires_at.lt(now))).execute(conn)?;
    let exists = revoked_tokens::table.find(jti).count().get_result::<i64>(conn)? > 0;
    if !exists {
        diesel::insert_into(revoked_tokens::table)
            .values((revoked_tokens::jti.eq(jti), revoked_tokens::expires_at.eq(expires_at)))
            .execute(conn)?;
    }
    Ok(())
}

/// # Errors
/// On a database error.
pub fn is_revoked(conn: &mut DbConn, jti: &str) -> StoreResult<bool> {
    Ok(revoked_tokens::table.find(jti).count().get_result::<i64>(conn)? > 0)
}
