//! Proposed indicators (新指标建议): rows of `indicator_proposals`; the rules of who proposes and
//! who decides are the application's.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreResult;
use crate::schema::indicator_proposals as p;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = p)]
pub struct ProposalRow {
    pub id: i64,
    pub name: String,
    pub unit: String,
    pub header: String,
    pub form_title: String,
    pub department: String,
    pub proposed_by: String,
    pub proposed_at: NaiveDateTime,
    pub status: String,
    pub indicator_code: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub reason: Option<String>,
}

/// A new proposal, pending.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = p)]
pub struct NewProposal {
    pub name: String,
    pub unit: String,
    pub header: String,
    pub form_title: String,
    pub department: String,
    pub proposed_by: String,
    pub proposed_at: NaiveDateTime,
    pub status: String,
}

/// An admin's decision on a pending proposal.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = p)]
pub struct Decision {
    pub status: String,
    pub indicator_code: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub reason: Option<String>,
}

/// # Errors
/// On a database error.
pub fn insert(conn: &mut DbConn, new: &NewProposal) -> StoreResult<ProposalRow> {
    let query = diesel::insert_into(p::table).values(new);
    Ok(match conn {
        DbConn::Sqlite(c) => query.returning(ProposalRow::as_returning()).get_result(c)?,
        DbConn::Postgres(c) => query.returning(ProposalRow::as_returning()).get_result(c)?,
    })
}

/// # Errors
/// On a database error.
pub fn find(conn: &mut DbConn, id: i64) -> StoreResult<Option<ProposalRow>> {
    Ok(p::table.find(id).select(ProposalRow::as_select()).get_result(conn).optional()?)
}

/// Proposals of one status (or all), of one department (or all), newest first.
///
/// # Errors
/// On a database error.
pub fn list(conn: &mut DbConn, status: Option<&str>, department: Option<&str>) -> StoreResult<Vec<ProposalRow>> {
    let mut query = p::table.into_boxed();
    if let Some(status) = status {
        query = query.filter(p::status.eq(status.to_owned()));
    }
    if let Some(department) = department {
        query = query.filter(p::department.eq(department.to_owned()));
    }
    Ok(query.order(p::id.desc()).select(ProposalRow::as_select()).load(conn)?)
}

/// Decides a proposal that is still pending; `false` when it is not (decided meanwhile, or gone).
///
/// # Errors
/// On a database error.
pub fn decide(conn: &mut DbConn, id: i64, decision: &Decision) -> StoreResult<bool> {
    let query = diesel::update(p::table.find(id).filter(p::status.eq("pending"))).set(decision);
    Ok(query.execute(conn)? == 1)
}
