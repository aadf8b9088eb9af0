//! Corrections flow back (差异反馈): every correction of a supplied value is a discrepancy the
//! supplying department sees — village, period, indicator, its number, the village's, the clerk's
//! reason — and closes by supplying the corrected number or by answering why its own stands (the
//! village sees the answer beside the field).

use chrono::NaiveDateTime;
use onetable_core::Role;
use onetable_store::supply_discrepancies::{self as store, DiscrepancyRow, NewDiscrepancy};
use onetable_store::DbConn;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::grants::visible;
use crate::actor::Actor;
use crate::entries::Change;
use crate::problem::{AppResult, Problem};
use crate::text::Paragraph;
use crate::App;

/// Sources of a write by the village (typed, imported, sent by its system, carried forward): a
/// different number there over a supplied one is a correction.
const VILLAGE_SOURCES: [&str; 4] = ["entry", "import", "api", "carried_forward"];

/// Notes the corrections among a write's changes (`(code, old, new)`), in the write's transaction.
///
/// # Errors
/// On a database error.
pub fn note(
    conn: &mut DbConn,
    region: &str,
    period: &str,
    changes: &[(String, Option<String>, Option<String>)],
    change: &Change<'_>,
) -> Result<(), Problem> {
    // Confirming takes the department's number: an open correction of the cell is closed below.
    let confirming = change.source == "confirmed";
    if !(VILLAGE_SOURCES.contains(&change.source) || confirming) || changes.is_empty() {
        return Ok(());
    }
    let codes: Vec<String> = changes.iter().map(|(code, _, _)| code.clone()).collect();
    for supplied in store::supplied_cells(conn, region, period, &codes)? {
        let Some((_, _, Some(new))) = changes.iter().find(|(code, _, _)| *code == supplied.indicator_code) else {
            continue;
        };
        if *new == supplied.value {
            store::resolve(conn, region, period, &supplied.indicator_code, new, false)?;
            continue;
        }
        store::record(
            conn,
            &NewDiscrepancy {
                supply_id: supplied.supply_id,
                region_code: region,
                indicator_code: &supplied.indicator_code,
                period,
                supplied: &supplied.value,
                corrected: new,
                reason: change.reason.as_deref(),
                corrected_by: change.actor,
                corrected_at: change.now,
                status: "open",
            },
        )?;
    }
    Ok(())
}

/// A correction as the department (and the village) sees it.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct Discrepancy {
    pub id: i64,
    pub supply: i64,
    pub village: String,
    pub period: String,
    pub indicator: String,
    /// The department's number.
    pub supplied: String,
    /// The village's.
    pub corrected: String,
    /// The clerk's reason.
    pub reason: Option<String>,
    pub corrected_by: String,
    #[serde(serialize_with = "crate::time::utc")]
    #[schema(value_type = String)]
    pub corrected_at: NaiveDateTime,
    /// `open`, `resolved` (the department now supplies the village's number, or the village went
    /// back to the department's) or `answered`.
    pub status: String,
    /// Why the department's number stands.
    pub answer: Option<String>,
    pub answered_by: Option<String>,
}

impl From<DiscrepancyRow> for Discrepancy {
    fn from(row: DiscrepancyRow) -> Self {
        Self {
            id: row.id,
            supply: row.supply_id,
            village: row.region_code,
            period: row.period,
            indicator: row.indicator_code,
            supplied: row.supplied,
            corrected: row.corrected,
            reason: row.reason,
            corrected_by: row.corrected_by,
            corrected_at: row.corrected_at,
            status: row.status,
            answer: row.answer,
            answered_by: row.answered_by,
        }
    }
}

/// A supply's discrepancies, for its department and the admins over it.
///
/// # Errors
/// 404 a supply the actor does not see.
pub async fn list(app: &App, actor: &Actor, supply: i64) -> AppResult<Vec<Discrepancy>> {
    visible(app, actor, supply).await?;
    let rows = app.run(move |conn| Ok(store::of_supply(conn, supply)?)).await?;
    Ok(rows.into_iter().map(Discrepancy::from).collect())
}

/// Why the department's number stands.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscrepancyAnswer {
    #[schema(value_type = String, example = "该户 2025 年 12 月已迁入，以户籍系统为准")]
    pub answer: Paragraph,
}

/// The supplying department answers a village's correction. Audited.
///
/// # Errors
/// 403 not the supplier, 404 unseen, 422 an empty answer, 409 a discrepancy no longer open.
pub async fn answer(app: &App, actor: &Actor, supply: i64, id: i64, body: DiscrepancyAnswer) -> AppResult<Discrepancy> {
    app.authorize(actor, "supply.answer", Some(id.to_string()), actor.require_role(&[Role::Department])).await?;
    visible(app, actor, supply).await?;
    let text = body.answer.trim().to_owned();
    if text.is_empty() {
        return Err(Problem::unprocessable("validation_failed", "请填写答复").with_detail(
            Some("answer"),
            "required",
            "答复不能为空",
        ));
    }
    let by = actor.subject.clone();
    let now = chrono::Utc::now().naive_utc();
    let row = app
        .write(move |conn| {
            if !store::answer(conn, supply, id, &text, &by, now)? {
                return Err(Problem::conflict("discrepancy_closed", format!("差异 {id} 不存在或已处理")));
            }
            store::of_supply(conn, supply)?
                .into_iter()
                .find(|d| d.id == id)
                .ok_or_else(|| Problem::internal("answered discrepancy vanished"))
        })
        .await?;
    app.audit(actor.event("supply.answer", Some(id.to_string()), "success")).await?;
    Ok(row.into())
}
