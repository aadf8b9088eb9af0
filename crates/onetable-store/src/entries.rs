//! Entries (填报表): one village's form for one period — its workflow state, its cells, and the
//! append-only trail of every change.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use onetable_core::RegionCode;

use crate::cells::DataValueRow;
use crate::connection::DbConn;
use crate::error::StoreResult;
use crate::schema::{data_values, entries, entry_events, regions, value_audit};
pub use crate::write_statements::EditStamp;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = entries)]
pub struct EntryRow {
    pub region_code: String,
    pub period: String,
    /// draft, submitted, returned, approved
    pub status: String,
    pub revision: i64,
    pub updated_by: String,
    pub updated_at: NaiveDateTime,
}

/// One edit's audit row (修改记录): who, when, why, from where, and every cell it changed.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = value_audit, treat_none_as_default_value = false)]
pub struct NewValueAudit {
    pub region_code: String,
    pub period: String,
    pub revision: i64,
    pub source: String,
    pub actor: String,
    pub reason: Option<String>,
    pub changed_at: NaiveDateTime,
    /// The changed cells as a JSON array of `[indicator code, old value, new value]`.
    pub changes: String,
}

impl NewValueAudit {
    /// The audit row of an edit.
    ///
    /// # Errors
    /// Never in practice: the changes are strings.
    pub fn of(stamp: &EditStamp<'_>, changes: &[CellChange]) -> StoreResult<Self> {
        Ok(Self {
            region_code: stamp.region.to_owned(),
            period: stamp.period.to_owned(),
            revision: stamp.revision,
            source: stamp.source.to_owned(),
            actor: stamp.actor.to_owned(),
            reason: stamp.reason.map(str::to_owned),
            changed_at: stamp.at,
            changes: changes_json(changes)?,
        })
    }
}

/// The `changes` column: `[[code, old, new], …]`.
fn changes_json(changes: &[CellChange]) -> StoreResult<String> {
    Ok(serde_json::to_string(changes).map_err(json_error)?)
}

/// JSON this store writes or reads failed: as diesel reports a value it cannot convert.
fn json_error(e: serde_json::Error) -> diesel::result::Error {
    diesel::result::Error::SerializationError(Box::new(e))
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = value_audit)]
pub struct ValueAuditRow {
    pub id: i64,
    pub region_code: String,
    pub period: String,
    pub revision: i64,
    pub source: String,
    pub actor: String,
    pub reason: Option<String>,
    pub changed_at: NaiveDateTime,
    pub changes: String,
}

impl ValueAuditRow {
    /// The cells this edit changed, in the order it wrote them.
    ///
    /// # Errors
    /// When the stored `changes` is not the JSON this store writes.
    pub fn cells(&self) -> StoreResult<Vec<CellChange>> {
        Ok(serde_json::from_str(&self.changes).map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?)
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = entry_events)]
pub struct NewEntryEvent {
    pub region_code: String,
    pub period: String,
    pub action: String,
    pub actor: String,
    pub comment: Option<String>,
    pub revision: i64,
    pub occurred_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = entry_events)]
pub struct EntryEventRow {
    pub id: i64,
    pub region_code: String,
    pub period: String,
    pub action: String,
    pub actor: String,
    pub comment: Option<String>,
    pub revision: i64,
    pub occurred_at: NaiveDateTime,
}

/// # Errors
/// On a database error.
pub fn find(conn: &mut DbConn, region: &str, period: &str) -> StoreResult<Option<EntryRow>> {
    Ok(entries::table.find((region, period)).select(EntryRow::as_select()).get_result(conn).optional()?)
}

/// The stored cells of one entry.
///
/// # Errors
/// On a database error.
pub fn values(conn: &mut DbConn, region: &str, period: &str) -> StoreResult<Vec<DataValueRow>> {
    Ok(data_values::table
        .filter(data_values::region_code.eq(region))
        .filter(data_values::period.eq(period))
        .order(data_values::indicator_code)
        .select(DataValueRow::as_select())
        .load(conn)?)
}

/// An entry's cells as (indicator code, stored text), without the rest of each row: what an edit
/// needs to find the cells it changes and the values rules read.
///
/// # Errors
/// On a database error.
pub fn cell_values(conn: &mut DbConn, region: &str, period: &str) -> StoreResult<Vec<(String, String)>> {
    Ok(data_values::table
        .filter(data_values::region_code.eq(region))
        .filter(data_values::period.eq(period))
        .select((data_values::indicator_code, data_values::value))
        .load(conn)?)
}

/// One changed cell: (indicator code, old value, new value); a `None` new value clears it.
pub type CellChange = (String, Option<String>, Option<String>);

/// One edit of an entry's cells: who, when, why, and each changed cell.
pub struct CellEdit<'a> {
    pub stamp: EditStamp<'a>,
    /// In the order the audit trail lists them.
    pub changes: &'a [CellChange],
}

/// Stores an edit: its new cells inserted or updated in place (an update of non-key columns leaves
/// the table's indexes alone), its cleared cells deleted, and its audit row. Two
/// statements kept prepared whatever the edit's size (see [`crate::write_statements`]).
///
/// # Errors
/// On a database error.
pub fn apply_edit(conn: &mut DbConn, edit: &CellEdit<'_>) -> StoreResult<()> {
    use crate::write_statements::{AppendAudit, UpsertCells};
    if edit.changes.is_empty() {
        return Ok(());
    }
    let cleared: Vec<String> =
        edit.changes.iter().filter(|(_, _, new)| new.is_none()).map(|(code, _, _)| code.clone()).collect();
    crate::cells::delete_cells(conn, edit.stamp.region, edit.stamp.period, &cleared)?;
    let set: Vec<(&str, &str)> =
        edit.changes.iter().filter_map(|(code, _, new)| Some((code.as_str(), new.as_deref()?))).collect();
    let cells = serde_json::to_string(&JsonObject(&set)).map_err(json_error)?;
    let changes = changes_json(edit.changes)?;
    let upsert = UpsertCells { stamp: &edit.stamp, cells: &cells };
    let audit = AppendAudit { stamp: &edit.stamp, changes: &changes };
    match conn {
        DbConn::Sqlite(c) => {
            if !set.is_empty() {
                upsert.execute(c)?;
            }
            audit.execute(c)?;
        }
        DbConn::Postgres(c) => {
            if !set.is_empty() {
                upsert.execute(c)?;
            }
            audit.execute(c)?;
        }
    }
    Ok(())
}

/// Pairs written as one JSON object, in their order.
struct JsonObject<'a>(&'a [(&'a str, &'a str)]);

impl serde::Serialize for JsonObject<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().copied())
    }
}

/// Creates the draft entry at revision 1, or reports that someone else created it first (`None`).
///
/// # Errors
/// On a database error.
pub fn create_draft(
    conn: &mut DbConn,
    region: &str,
    period: &str,
    actor: &str,
    at: NaiveDateTime,
) -> StoreResult<Option<EntryRow>> {
    let row = EntryRow {
        region_code: region.to_owned(),
        period: period.to_owned(),
        status: onetable_core::workflow::EntryStatus::Draft.as_str().to_owned(),
        revision: 1,
        updated_by: actor.to_owned(),
        updated_at: at,
    };
    // ON CONFLICT DO NOTHING rather than catching the violation: on PostgreSQL a failed
    // statement would poison the rest of the transaction.
    let query = diesel::insert_into(entries::table).values(&row).on_conflict_do_nothing();
    let inserted = match conn {
        DbConn::Sqlite(c) => query.execute(c)?,
        DbConn::Postgres(c) => query.execute(c)?,
    };
    Ok((inserted == 1).then_some(row))
}

/// Raises an existing entry's revision from `expected` to `expected + 1` and returns the entry as
/// it now is, in one statement (`UPDATE … RETURNING`); `None` when someone else moved it first.
///
/// # Errors
/// On a database error.
pub fn bump_existing(
    conn: &mut DbConn,
    region: &str,
    period: &str,
    expected: i64,
    actor: &str,
    at: NaiveDateTime,
) -> StoreResult<Option<EntryRow>> {
    let query = crate::write_statements::BumpRevision { region, period, expected, actor, at };
    Ok(match conn {
        DbConn::Sqlite(c) => query.get_result::<EntryRow>(c).optional()?,
        DbConn::Postgres(c) => query.get_result::<EntryRow>(c).optional()?,
    })
}

/// # Errors
/// On a database error.
pub fn set_status(conn: &mut DbConn, region: &str, period: &str, status: &str) -> StoreResult<()> {
    diesel::update(entries::table.find((region, period))).set(entries::status.eq(status)).execute(conn)?;
    Ok(())
}

/// # Errors
/// On a database error.
pub fn record_event(conn: &mut DbConn, event: &NewEntryEvent) -> StoreResult<()> {
    diesel::insert_into(entry_events::table).values(event).execute(conn)?;
    Ok(())
}

/// Records many workflow events at once (a demo's or a migration's history).
///
/// # Errors
/// On a database error.
pub fn record_events(conn: &mut DbConn, events: &[NewEntryEvent]) -> StoreResult<()> {
    // Seven columns an event, under SQLite's 32,766 variables a statement.
    for chunk in events.chunks(4000) {
        crate::connection::insert_batch::<_, NewEntryEvent>(conn, entry_events::table, chunk)?;
    }
    Ok(())
}

/// Cell changes and workflow events of one entry, each oldest first.
///
/// # Errors
/// On a database error.
pub fn history(conn: &mut DbConn, region: &str, period: &str) -> StoreResult<(Vec<ValueAuditRow>, Vec<EntryEventRow>)> {
    let changes = value_audit::table
        .filter(value_audit::region_code.eq(region))
        .filter(value_audit::period.eq(period))
        .order(value_audit::id)
        .select(ValueAuditRow::as_select())
        .load(conn)?;
    let events = entry_events::table
        .filter(entry_events::region_code.eq(region))
        .filter(entry_events::period.eq(period))
        .order(entry_events::id)
        .select(EntryEventRow::as_select())
        .load(conn)?;
    Ok((changes, events))
}

/// Current villages inside `within` and the status of each one's entry for `period`, if any.
///
/// # Errors
/// On a database error.
pub fn village_statuses(
    conn: &mut DbConn,
    within: RegionCode,
    period: &str,
) -> StoreResult<Vec<(String, Option<String>)>> {
    let (low, high) = (within.to_string(), within.descendant_upper_bound());
    let villages: Vec<String> = regions::table
        .filter(regions::level.eq(5))
        .filter(regions::valid_to.is_null())
        .filter(regions::code.ge(&low))
        .filter(regions::code.le(&high))
        .order(regions::code)
        .select(regions::code)
        .load(conn)?;
    let statuses: std::collections::HashMap<String, String> = entries::table
        .filter(entries::period.eq(period))
        .filter(entries::region_code.ge(&low))
        .filter(entries::region_code.le(&high))
        .select((entries::region_code, entries::status))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    Ok(villages.into_iter().map(|v| (statuses.get(&v).cloned(), v)).map(|(s, v)| (v, s)).collect())
}

/// Every entry of one region, whatever its period.
///
/// # Errors
/// On a database error.
pub fn of_region(conn: &mut DbConn, region: &str) -> StoreResult<Vec<EntryRow>> {
    Ok(entries::table.filter(entries::region_code.eq(region)).select(EntryRow::as_select()).load(conn)?)
}

/// Every workflow event of a region's entries, all periods, oldest first.
///
/// # Errors
/// On a database error.
pub fn events_of_region(conn: &mut DbConn, region: &str) -> StoreResult<Vec<EntryEventRow>> {
    Ok(entry_events::table
        .filter(entry_events::region_code.eq(region))
        .order((entry_events::occurred_at.asc(), entry_events::id.asc()))
        .select(EntryEventRow::as_select())
        .load(conn)?)
}

/// The latest workflow event `action` (`return`, `approve` …) of one entry.
///
/// # Errors
/// On a database error.
pub fn latest_event(conn: &mut DbConn, region: &str, period: &str, action: &str) -> StoreResult<Option<EntryEventRow>> {
    Ok(entry_events::table
        .filter(entry_events::region_code.eq(region))
        .filter(entry_events::period.eq(period))
        .filter(entry_events::action.eq(action))
        .order(entry_events::id.desc())
        .select(EntryEventRow::as_select())
        .first(conn)
        .optional()?)
}

/// Entries of `status` for villages inside `within` (`None`: anywhere), the longest waiting first.
///
/// # Errors
/// On a database error.
pub fn with_status_within(conn: &mut DbConn, within: Option<RegionCode>, status: &str) -> StoreResult<Vec<EntryRow>> {
    let mut query = entries::table.filter(entries::status.eq(status)).into_boxed();
    if let Some(within) = within {
        query = query
            .filter(entries::region_code.ge(within.to_string()))
            .filter(entries::region_code.le(within.descendant_upper_bound()));
    }
    Ok(query.order((entries::updated_at.asc(), entries::region_code.asc())).select(EntryRow::as_select()).load(conn)?)
}

/// Entries of `period` for the given villages.
///
/// # Errors
/// On a database error.
pub fn entries_of(conn: &mut DbConn, period: &str, regions: &[String]) -> StoreResult<Vec<EntryRow>> {
    let mut out = Vec::new();
    for chunk in regions.chunks(crate::cells::CHUNK) {
        out.extend(
            entries::table
                .filter(entries::period.eq(period))
                .filter(entries::region_code.eq_any(chunk))
                .select(EntryRow::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// Creates entries in one go; one created meanwhile by someone else is kept as it is (on SQLite
/// nobody can: the import holds the write lock, see [`begin_write`]).
///
/// # Errors
/// On a database error.
pub fn insert_entries(conn: &mut DbConn, rows: &[EntryRow]) -> StoreResult<()> {
    for chunk in rows.chunks(crate::cells::CHUNK / 6) {
        match conn {
            DbConn::Sqlite(c) => diesel::insert_into(entries::table).values(chunk).execute(c)?,
            DbConn::Postgres(c) => {
                diesel::insert_into(entries::table).values(chunk).on_conflict_do_nothing().execute(c)?
            }
        };
    }
    Ok(())
}

/// Raises an existing entry's revision by one.
///
/// # Errors
/// On a database error.
pub fn touch_entry(conn: &mut DbConn, region: &str, period: &str, actor: &str, at: NaiveDateTime) -> StoreResult<()> {
    diesel::update(entries::table.find((region, period)))
        .set((entries::revision.eq(entries::revision + 1), entries::updated_by.eq(actor), entries::updated_at.eq(at)))
        .execute(conn)?;
    Ok(())
}

/// Inserts many edits' audit rows: binary COPY on PostgreSQL, multi-row INSERTs on SQLite.
///
/// # Errors
/// On a database error.
pub fn insert_audit(conn: &mut DbConn, audit: &[NewValueAudit]) -> StoreResult<()> {
    use diesel::ExecuteCopyFromDsl;
    match conn {
        DbConn::Postgres(pg) if audit.len() >= crate::cells::COPY_FROM => {
            diesel::copy_from(value_audit::table).from_insertable(audit).execute(pg)?;
        }
        _ => {
            for chunk in audit.chunks(crate::cells::CHUNK / 10) {
                crate::connection::insert_batch::<_, NewValueAudit>(conn, value_audit::table, chunk)?;
            }
        }
    }
    Ok(())
}
