//! A village's register records (台账记录) and their history.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreResult;
use crate::schema::{register_record_events, register_records};

/// One record. `plain` holds the values of the columns that are not sealed (JSON object);
/// `sealed` each sealed value as `key-id:base64(nonce‖ciphertext)` (JSON object).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = register_records)]
pub struct RecordRow {
    pub id: i64,
    pub register_code: String,
    pub region_code: String,
    pub group_name: Option<String>,
    pub key_hash: String,
    pub person_hash: Option<String>,
    pub plain: String,
    pub sealed: String,
    pub opened_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub close_reason: Option<String>,
    pub revision: i64,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_by: String,
    pub updated_at: NaiveDateTime,
}

/// A record to insert (no id yet).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = register_records)]
pub struct NewRecord {
    pub register_code: String,
    pub region_code: String,
    pub group_name: Option<String>,
    pub key_hash: String,
    pub person_hash: Option<String>,
    pub plain: String,
    pub sealed: String,
    pub opened_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub close_reason: Option<String>,
    pub revision: i64,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_by: String,
    pub updated_at: NaiveDateTime,
}

/// A change to a record's values (the whole new state of what changes).
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = register_records, treat_none_as_null = true)]
pub struct RecordChange {
    pub group_name: Option<String>,
    pub key_hash: String,
    pub person_hash: Option<String>,
    pub plain: String,
    pub sealed: String,
    pub opened_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub close_reason: Option<String>,
    pub revision: i64,
    pub updated_by: String,
    pub updated_at: NaiveDateTime,
}

/// One entry of a record's history.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = register_record_events)]
pub struct RecordEventRow {
    pub id: i64,
    pub record_id: i64,
    pub revision: i64,
    pub action: String,
    pub actor: String,
    pub reason: Option<String>,
    pub changes: String,
    pub occurred_at: NaiveDateTime,
}

/// # Errors
/// On a database error.
pub fn insert(conn: &mut DbConn, record: &NewRecord) -> StoreResult<RecordRow> {
    let query = diesel::insert_into(register_records::table).values(record);
    Ok(match conn {
        DbConn::Sqlite(c) => query.returning(RecordRow::as_returning()).get_result(c)?,
        DbConn::Postgres(c) => query.returning(RecordRow::as_returning()).get_result(c)?,
    })
}

/// Inserts many records at once (an import), a few statements for thousands of rows. The rows
/// come back in no particular order: callers match them by `key_hash`.
///
/// # Errors
/// On a database error.
pub fn insert_many(conn: &mut DbConn, records: &[NewRecord]) -> StoreResult<Vec<RecordRow>> {
    let mut out = Vec::with_capacity(records.len());
    // Fifteen columns a row, under SQLite's 32,766 variables a statement.
    for chunk in records.chunks(1000) {
        let query = diesel::insert_into(register_records::table).values(chunk);
        out.extend(match conn {
            DbConn::Sqlite(c) => query.returning(RecordRow::as_returning()).get_results(c)?,
            DbConn::Postgres(c) => query.returning(RecordRow::as_returning()).get_results(c)?,
        });
    }
    Ok(out)
}

/// One history entry to insert in a batch.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = register_record_events)]
pub struct RecordEventInsert {
    pub record_id: i64,
    pub revision: i64,
    pub action: String,
    pub actor: String,
    pub reason: Option<String>,
    pub changes: String,
    pub occurred_at: NaiveDateTime,
}

/// Records many history entries at once.
///
/// # Errors
/// On a database error.
pub fn record_events(conn: &mut DbConn, events: &[RecordEventInsert]) -> StoreResult<()> {
    // Seven columns an event.
    for chunk in events.chunks(4000) {
        crate::connection::insert_batch::<_, RecordEventInsert>(conn, register_record_events::table, chunk)?;
    }
    Ok(())
}

/// Writes `change` if the record is still at `revision`; `None` when it is not (stale).
///
/// # Errors
/// On a database error.
pub fn update(conn: &mut DbConn, id: i64, revision: i64, change: &RecordChange) -> StoreResult<Option<RecordRow>> {
    let updated = diesel::update(
        register_records::table.filter(register_records::id.eq(id)).filter(register_records::revision.eq(revision)),
    )
    .set(change)
    .execute(conn)?;
    if updated == 0 {
        return Ok(None);
    }
    find(conn, id)
}

/// # Errors
/// On a database error.
pub fn find(conn: &mut DbConn, id: i64) -> StoreResult<Option<RecordRow>> {
    Ok(register_records::table.find(id).select(RecordRow::as_select()).get_result(conn).optional()?)
}

/// The records of one register in one village (closed ones too), oldest first.
///
/// # Errors
/// On a database error.
pub fn of_village(conn: &mut DbConn, register: &str, region: &str) -> StoreResult<Vec<RecordRow>> {
    Ok(register_records::table
        .filter(register_records::register_code.eq(register))
        .filter(register_records::region_code.eq(region))
        .order(register_records::id)
        .select(RecordRow::as_select())
        .load(conn)?)
}

/// The records of a register in a village with `key_hash`.
///
/// # Errors
/// On a database error.
pub fn with_key(conn: &mut DbConn, register: &str, region: &str, key_hash: &str) -> StoreResult<Vec<RecordRow>> {
    Ok(register_records::table
        .filter(register_records::register_code.eq(register))
        .filter(register_records::region_code.eq(region))
        .filter(register_records::key_hash.eq(key_hash))
        .select(RecordRow::as_select())
        .load(conn)?)
}

/// The open records of a register in other villages naming any of `persons` (keyed hashes of
/// ID numbers): a person counted twice.
///
/// # Errors
/// On a database error.
pub fn same_persons_elsewhere(
    conn: &mut DbConn,
    register: &str,
    region: &str,
    persons: &[String],
) -> StoreResult<Vec<RecordRow>> {
    let mut out = Vec::new();
    for chunk in persons.chunks(500) {
        out.extend(
            register_records::table
                .filter(register_records::register_code.eq(register))
                .filter(register_records::region_code.ne(region))
                .filter(register_records::closed_on.is_null())
                .filter(register_records::person_hash.eq_any(chunk))
                .select(RecordRow::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// The open records of a register whose person is listed, open, in more than one village (each
/// side of every such pair; the caller keeps the ones its reviewer may see).
///
/// # Errors
/// On a database error.
pub fn listed_twice(conn: &mut DbConn, register: &str) -> StoreResult<Vec<RecordRow>> {
    let open = || {
        register_records::table
            .filter(register_records::register_code.eq(register))
            .filter(register_records::closed_on.is_null())
            .filter(register_records::person_hash.is_not_null())
    };
    let persons: Vec<Option<String>> = open()
        .group_by(register_records::person_hash)
        .having(diesel::dsl::count(register_records::region_code).aggregate_distinct().gt(1))
        .select(register_records::person_hash)
        .load(conn)?;
    let persons: Vec<String> = persons.into_iter().flatten().collect();
    let mut out = Vec::new();
    for chunk in persons.chunks(500) {
        out.extend(
            open()
                .filter(register_records::person_hash.eq_any(chunk))
                .order((register_records::person_hash, register_records::region_code))
                .select(RecordRow::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// Open records of `register` elsewhere naming `person`: the other side of a flagged duplicate.
///
/// # Errors
/// On a database error.
pub fn with_person(conn: &mut DbConn, register: &str, person: &str) -> StoreResult<Vec<RecordRow>> {
    Ok(register_records::table
        .filter(register_records::register_code.eq(register))
        .filter(register_records::person_hash.eq(person))
        .filter(register_records::closed_on.is_null())
        .select(RecordRow::as_select())
        .load(conn)?)
}

/// One change to a record, for its history.
pub struct NewRecordEvent<'a> {
    pub record_id: i64,
    pub revision: i64,
    pub action: &'a str,
    pub actor: &'a str,
    pub reason: Option<&'a str>,
    /// `[{column, old, new}]` as JSON, sensitive values masked.
    pub changes: &'a str,
    pub at: NaiveDateTime,
}

/// Records one change.
///
/// # Errors
/// On a database error.
pub fn record_event(conn: &mut DbConn, event: &NewRecordEvent<'_>) -> StoreResult<()> {
    diesel::insert_into(register_record_events::table)
        .values((
            register_record_events::record_id.eq(event.record_id),
            register_record_events::revision.eq(event.revision),
            register_record_events::action.eq(event.action),
            register_record_events::actor.eq(event.actor),
            register_record_events::reason.eq(event.reason),
            register_record_events::changes.eq(event.changes),
            register_record_events::occurred_at.eq(event.at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A record's history, oldest first.
///
/// # Errors
/// On a database error.
pub fn events(conn: &mut DbConn, record_id: i64) -> StoreResult<Vec<RecordEventRow>> {
    Ok(register_record_events::table
        .filter(register_record_events::record_id.eq(record_id))
        .order(register_record_events::id)
        .select(RecordEventRow::as_select())
        .load(conn)?)
}

/// The records of a register (open and closed) in the villages of the code range `[low, high]`,
/// by village.
///
/// # Errors
/// On a database error.
pub fn within(conn: &mut DbConn, register: &str, low: &str, high: &str) -> StoreResult<Vec<RecordRow>> {
    Ok(register_records::table
        .filter(register_records::register_code.eq(register))
        .filter(register_records::region_code.between(low, high))
        .order((register_records::region_code, register_records::id))
        .select(RecordRow::as_select())
        .load(conn)?)
}

/// PostgreSQL: refreshes the planner's statistics of the records after a bulk import. A table
/// that grew from empty inside a connection's life keeps the generic plans chosen when it was
/// empty (sequential scans) until statistics change; where autovacuum is off or behind, every
/// later lookup would scan the whole table. Nothing on SQLite.
///
/// # Errors
/// On a database error.
pub fn analyze(conn: &mut DbConn) -> StoreResult<()> {
    if let DbConn::Postgres(pg) = conn {
        diesel::sql_query("ANALYZE register_records").execute(pg)?;
    }
    Ok(())
}

#[derive(QueryableByName)]
struct OpenCount {
    #[diesel(sql_type = diesel::sql_types::Text)]
    region_code: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    open: i64,
}

/// The records of `register` open at the end of `day`, counted by village, in the code range
/// `[low, high]` (a county's villages): one index range scan.
///
/// # Errors
/// On a database error.
pub fn open_counts(
    conn: &mut DbConn,
    register: &str,
    low: &str,
    high: &str,
    day: chrono::NaiveDate,
) -> StoreResult<Vec<(String, i64)>> {
    let sql = "SELECT region_code, count(*) AS open FROM register_records \
               WHERE register_code = $1 AND region_code BETWEEN $2 AND $3 \
               AND (opened_on IS NULL OR opened_on <= $4) AND (closed_on IS NULL OR closed_on > $4) \
               GROUP BY region_code ORDER BY region_code";
    let sql = match conn {
        DbConn::Sqlite(_) => sql.replace('$', "?"),
        DbConn::Postgres(_) => sql.to_owned(),
    };
    let query = diesel::sql_query(sql)
        .bind::<diesel::sql_types::Text, _>(register)
        .bind::<diesel::sql_types::Text, _>(low)
        .bind::<diesel::sql_types::Text, _>(high)
        .bind::<diesel::sql_types::Date, _>(day);
    let rows: Vec<OpenCount> = match conn {
        DbConn::Sqlite(c) => query.load(c)?,
        DbConn::Postgres(c) => query.load(c)?,
    };
    Ok(rows.into_iter().map(|r| (r.region_code, r.open)).collect())
}

/// Open records of `register` in the code range `[low, high]`, counted by village and 村民小组
/// (no group: `None`).
///
/// # Errors
/// On a database error.
pub fn group_counts(
    conn: &mut DbConn,
    register: &str,
    low: &str,
    high: &str,
) -> StoreResult<Vec<(String, Option<String>, i64)>> {
    Ok(register_records::table
        .filter(register_records::register_code.eq(register))
        .filter(register_records::region_code.between(low, high))
        .filter(register_records::closed_on.is_null())
        .group_by((register_records::region_code, register_records::group_name))
        .select((register_records::region_code, register_records::group_name, diesel::dsl::count_star()))
        .order((register_records::region_code, register_records::group_name))
        .load(conn)?)
}
