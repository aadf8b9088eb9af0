//! The statements of the data-entry write path, written out so that diesel keeps them prepared.
//!
//! diesel never caches an `UPDATE`, an upsert or a multi-row `INSERT`: each PATCH parsed and planned
//! three statements with up to 360 bind parameters, and building, parsing and freeing them was
//! about half of the SQLite writer thread's time (perf, 16 clients). Here each statement has a fixed
//! text and a static query id, so it is prepared once per connection; the cells of one edit travel
//! as JSON arguments (`json_each` on SQLite, `jsonb_each_text`/`jsonb_array_elements_text` on
//! PostgreSQL), and the edit's timestamp is formatted once, not once per row.
//!
//! The cells go as one JSON object (code → value, read as `key` and `value` of `json_each`, so SQLite
//! parses each value once), and an edit's audit is one row holding its changes as JSON.

use chrono::NaiveDateTime;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use diesel::sqlite::Sqlite;
use diesel::{QueryResult, RunQueryDsl};

/// `UPDATE entries … RETURNING`: moves an entry from revision `expected` to the next one.
pub struct BumpRevision<'a> {
    pub region: &'a str,
    pub period: &'a str,
    pub expected: i64,
    pub actor: &'a str,
    pub at: NaiveDateTime,
}

impl QueryId for BumpRevision<'_> {
    type QueryId = BumpRevision<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl Query for BumpRevision<'_> {
    /// The columns of [`crate::entries::EntryRow`], in its order.
    type SqlType = (Text, Text, Text, BigInt, Text, Timestamp);
}

impl<C> RunQueryDsl<C> for BumpRevision<'_> {}

/// Both backends spell this statement the same way; only the bind markers differ, and diesel
/// writes those.
fn walk_bump<'b, DB>(bump: &'b BumpRevision<'_>, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()>
where
    DB: WriteBackend,
    str: diesel::serialize::ToSql<Text, DB>,
    i64: diesel::serialize::ToSql<BigInt, DB>,
    NaiveDateTime: diesel::serialize::ToSql<Timestamp, DB>,
{
    out.push_sql("UPDATE entries SET revision = ");
    out.push_bind_param::<BigInt, _>(&bump.expected)?;
    out.push_sql(" + 1, updated_by = ");
    out.push_bind_param::<Text, _>(bump.actor)?;
    out.push_sql(", updated_at = ");
    out.push_bind_param::<Timestamp, _>(&bump.at)?;
    out.push_sql(" WHERE region_code = ");
    out.push_bind_param::<Text, _>(bump.region)?;
    out.push_sql(" AND period = ");
    out.push_bind_param::<Text, _>(bump.period)?;
    out.push_sql(" AND revision = ");
    out.push_bind_param::<BigInt, _>(&bump.expected)?;
    out.push_sql(" RETURNING region_code, period, status, revision, updated_by, updated_at");
    Ok(())
}

impl QueryFragment<Sqlite> for BumpRevision<'_> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        walk_bump(self, out)
    }
}

impl QueryFragment<Pg> for BumpRevision<'_> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        walk_bump(self, out)
    }
}

/// What every row of one edit of an entry shares: the entry, where the values came from, who, why,
/// the revision the edit made, and when.
#[derive(Debug, Clone, Copy)]
pub struct EditStamp<'a> {
    pub region: &'a str,
    pub period: &'a str,
    /// `entry`, `import`, `carried_forward` or `api`.
    pub source: &'a str,
    pub actor: &'a str,
    pub reason: Option<&'a str>,
    pub revision: i64,
    pub at: NaiveDateTime,
}

/// The bind-parameter types the write statements use, on either backend.
pub trait WriteBackend:
    diesel::backend::Backend
    + diesel::sql_types::HasSqlType<Text>
    + diesel::sql_types::HasSqlType<Nullable<Text>>
    + diesel::sql_types::HasSqlType<BigInt>
    + diesel::sql_types::HasSqlType<Timestamp>
{
}

impl WriteBackend for Sqlite {}
impl WriteBackend for Pg {}

/// `SELECT <region>, <period>, `: both statements select the entry's key first.
fn push_entry<'b, DB>(stamp: &'b EditStamp<'b>, out: &mut AstPass<'_, 'b, DB>) -> QueryResult<()>
where
    DB: WriteBackend,
    str: diesel::serialize::ToSql<Text, DB>,
{
    out.push_sql(" SELECT ");
    out.push_bind_param::<Text, _>(stamp.region)?;
    out.push_sql(", ");
    out.push_bind_param::<Text, _>(stamp.period)?;
    out.push_sql(", ");
    Ok(())
}

/// Inserts or updates an entry's cells: `cells` is a JSON object of indicator code → value (text).
pub struct UpsertCells<'a> {
    pub stamp: &'a EditStamp<'a>,
    pub cells: &'a str,
}

impl QueryId for UpsertCells<'_> {
    type QueryId = UpsertCells<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<C> RunQueryDsl<C> for UpsertCells<'_> {}

const UPSERT_INTO: &str = "INSERT INTO data_values \
     (region_code, period, indicator_code, value, source, revision, entered_by, entered_at)";

const UPSERT_CONFLICT: &str = " ON CONFLICT (region_code, indicator_code, period) DO UPDATE SET \
     value = excluded.value, source = excluded.source, revision = excluded.revision, \
     entered_by = excluded.entered_by, entered_at = excluded.entered_at";

/// `key, value, <source>, <revision>, <actor>, <at>` of every upserted row.
fn push_cell_columns<'b, DB>(stamp: &'b EditStamp<'b>, out: &mut AstPass<'_, 'b, DB>) -> QueryResult<()>
where
    DB: WriteBackend,
    str: diesel::serialize::ToSql<Text, DB>,
    i64: diesel::serialize::ToSql<BigInt, DB>,
    NaiveDateTime: diesel::serialize::ToSql<Timestamp, DB>,
{
    out.push_sql("key, value, ");
    out.push_bind_param::<Text, _>(stamp.source)?;
    out.push_sql(", ");
    out.push_bind_param::<BigInt, _>(&stamp.revision)?;
    out.push_sql(", ");
    out.push_bind_param::<Text, _>(stamp.actor)?;
    out.push_sql(", ");
    out.push_bind_param::<Timestamp, _>(&stamp.at)?;
    Ok(())
}

impl QueryFragment<Sqlite> for UpsertCells<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        out.push_sql(UPSERT_INTO);
        push_entry(self.stamp, &mut out)?;
        push_cell_columns(self.stamp, &mut out)?;
        // `WHERE true`: SQLite's parser needs a WHERE before ON CONFLICT after a SELECT.
        out.push_sql(" FROM json_each(");
        out.push_bind_param::<Text, _>(self.cells)?;
        out.push_sql(") WHERE true");
        out.push_sql(UPSERT_CONFLICT);
        Ok(())
    }
}

impl QueryFragment<Pg> for UpsertCells<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(UPSERT_INTO);
        push_entry(self.stamp, &mut out)?;
        push_cell_columns(self.stamp, &mut out)?;
        out.push_sql(" FROM jsonb_each_text(CAST(");
        out.push_bind_param::<Text, _>(self.cells)?;
        out.push_sql(" AS jsonb))");
        out.push_sql(UPSERT_CONFLICT);
        Ok(())
    }
}

/// Appends an edit's audit row; `changes` is the JSON of [`crate::entries::NewValueAudit::changes`].
pub struct AppendAudit<'a> {
    pub stamp: &'a EditStamp<'a>,
    pub changes: &'a str,
}

impl QueryId for AppendAudit<'_> {
    type QueryId = AppendAudit<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<C> RunQueryDsl<C> for AppendAudit<'_> {}

/// The same text on both backends.
fn walk_audit<'b, DB>(audit: &'b AppendAudit<'b>, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()>
where
    DB: WriteBackend,
    str: diesel::serialize::ToSql<Text, DB>,
    i64: diesel::serialize::ToSql<BigInt, DB>,
    NaiveDateTime: diesel::serialize::ToSql<Timestamp, DB>,
    Option<&'b str>: diesel::serialize::ToSql<Nullable<Text>, DB>,
{
    let stamp = audit.stamp;
    out.push_sql(
        "INSERT INTO value_audit (region_code, period, revision, source, actor, reason, changed_at, changes) VALUES (",
    );
    out.push_bind_param::<Text, _>(stamp.region)?;
    out.push_sql(", ");
    out.push_bind_param::<Text, _>(stamp.period)?;
    out.push_sql(", ");
    out.push_bind_param::<BigInt, _>(&stamp.revision)?;
    out.push_sql(", ");
    out.push_bind_param::<Text, _>(stamp.source)?;
    out.push_sql(", ");
    out.push_bind_param::<Text, _>(stamp.actor)?;
    out.push_sql(", ");
    out.push_bind_param::<Nullable<Text>, _>(&stamp.reason)?;
    out.push_sql(", ");
    out.push_bind_param::<Timestamp, _>(&stamp.at)?;
    out.push_sql(", ");
    out.push_bind_param::<Text, _>(audit.changes)?;
    out.push_sql(")");
    Ok(())
}

impl QueryFragment<Sqlite> for AppendAudit<'_> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        walk_audit(self, out)
    }
}

impl QueryFragment<Pg> for AppendAudit<'_> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        walk_audit(self, out)
    }
}
