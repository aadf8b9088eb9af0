//! Follow-ups (跟进, DHIS2's "follow-up"): a reviewer marks a village's value to be checked, with a
//! note; it stays in the queue until the value changes (resolved by the write that changed it, in
//! its transaction) or the reviewer closes it with a reason. The clerk sees its village's on the
//! home page and beside the field.

use chrono::NaiveDateTime;
use onetable_core::{RegionCode, RegionLevel, Role};
use onetable_store::follow_ups::{self as store, FollowUpRow, NewFollowUp as NewRow};
use onetable_store::DbConn;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::actor::Actor;
use crate::entries::form::parse_period;
use crate::input::region_code;
use crate::problem::{AppResult, Problem};
use crate::text::Reason;
use crate::App;

const MARKERS: [Role; 2] = [Role::Reviewer, Role::Admin];
const READERS: [Role; 3] = [Role::Clerk, Role::Reviewer, Role::Admin];
/// Most follow-ups one listing answers.
const MAX_LISTED: i64 = 1000;

/// What a reviewer marks.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFollowUp {
    /// The village (12 digits).
    #[schema(example = "522301100200")]
    pub region: String,
    #[schema(example = "2025")]
    pub period: String,
    #[schema(example = "POP.REGISTERED")]
    pub indicator: String,
    /// What to check (the clerk reads it).
    #[schema(value_type = String, example = "户籍人口比上年增长 9 倍，请核实是否多输了一位")]
    pub note: Reason,
}

/// Why a follow-up is closed without a change.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseFollowUp {
    #[schema(value_type = String, example = "已电话核实：新建移民安置点迁入")]
    pub reason: Reason,
}

/// A follow-up as the queue shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowUp {
    pub id: i64,
    pub village: String,
    pub period: String,
    pub indicator: String,
    /// The indicator's name in the registry.
    pub indicator_name: String,
    /// The value when it was marked.
    pub value: Option<String>,
    pub note: String,
    /// `open`, `resolved` (the value changed) or `closed` (with a reason).
    pub status: String,
    pub created_by: String,
    #[serde(serialize_with = "crate::time::utc")]
    #[schema(value_type = String)]
    pub created_at: NaiveDateTime,
    pub resolved_by: Option<String>,
    #[serde(serialize_with = "crate::time::utc_opt")]
    #[schema(value_type = Option<String>)]
    pub resolved_at: Option<NaiveDateTime>,
    /// 数值由 24500 改为 2450, or the reviewer's reason.
    pub resolution: Option<String>,
}

impl From<FollowUpRow> for FollowUp {
    fn from(row: FollowUpRow) -> Self {
        Self {
            id: row.id,
            village: row.region_code,
            period: row.period,
            indicator_name: String::new(),
            indicator: row.indicator_code,
            value: row.value,
            note: row.note,
            status: row.status,
            created_by: row.created_by,
            created_at: row.created_at,
            resolved_by: row.resolved_by,
            resolved_at: row.resolved_at,
            resolution: row.resolution,
        }
    }
}

/// Which follow-ups to list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FollowUpQuery {
    /// The region (default: the caller's scope).
    pub within: Option<String>,
    pub period: Option<String>,
    /// `open` (default) or `all`.
    pub status: Option<String>,
}

/// The follow-ups with their indicators' names.
fn named(conn: &mut DbConn, rows: Vec<FollowUpRow>) -> AppResult<Vec<FollowUp>> {
    let registry = onetable_store::registry::current(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut shown = FollowUp::from(row);
            shown.indicator_name = registry.get(&shown.indicator).map(|r| r.name.clone()).unwrap_or_default();
            shown
        })
        .collect())
}

fn not_found(id: i64) -> Problem {
    Problem::not_found("follow_up_not_found", format!("跟进 {id} 不存在"))
}

/// A reviewer marks a value for follow-up. Audited.
///
/// # Errors
/// 403 other roles or outside the scope; 422 not a village, an unknown indicator, no note; 409
/// the value is already followed up.
pub async fn mark(app: &App, actor: &Actor, body: NewFollowUp) -> AppResult<FollowUp> {
    let action = "quality.follow_up";
    app.authorize(actor, action, None, actor.require_role(&MARKERS)).await?;
    let village = region_code(body.region.trim(), "region")?;
    app.authorize(actor, action, Some(village.to_string()), actor.require_write(village)).await?;
    let invalid = |field: &str, message: String| {
        Problem::unprocessable("validation_failed", "跟进有误，请按提示修改").with_detail(
            Some(field),
            "invalid_value",
            message,
        )
    };
    if village.level() != RegionLevel::Village {
        return Err(invalid("region", format!("{village} 不是村级区划")));
    }
    let period = parse_period(body.period.trim())?;
    let note = body.note.as_str().to_owned();
    if note.is_empty() {
        return Err(invalid("note", "请写明要村里核实什么".to_owned()));
    }
    let indicator = body.indicator.trim().to_owned();
    let by = actor.subject.clone();
    let mut event = actor.event(action, Some(format!("{village}/{period}/{indicator}")), "success");
    event.detail = Some(note.clone());
    app.write(move |conn| {
        if !onetable_store::registry::current(conn)?.contains_key(&indicator) {
            return Err(invalid("indicator", format!("未知指标「{indicator}」")));
        }
        let (region, period) = (village.to_string(), period.to_string());
        if let Some(open) = store::open_of_cell(conn, &region, &period, &indicator)? {
            return Err(Problem::conflict("follow_up_open", format!("该数值已在跟进中（跟进 {}）", open.id)));
        }
        let value = onetable_store::entries::cell_values(conn, &region, &period)?
            .into_iter()
            .find_map(|(code, value)| (code == indicator).then_some(value));
        let row = store::insert(
            conn,
            &NewRow {
                region_code: &region,
                period: &period,
                indicator_code: &indicator,
                value: value.as_deref(),
                note: &note,
                status: "open",
                created_by: &by,
                created_at: chrono::Utc::now().naive_utc(),
            },
        )?;
        onetable_store::audit::record(conn, &event)?;
        Ok(named(conn, vec![row])?.remove(0))
    })
    .await
}

/// The follow-ups inside a region: a clerk its village's, a reviewer or admin those of its scope.
///
/// # Errors
/// 403 other roles; 404 outside the scope; 400 a bad status or period.
pub async fn list(app: &App, actor: &Actor, query: FollowUpQuery) -> AppResult<Vec<FollowUp>> {
    let action = "quality.follow_ups";
    app.authorize(actor, action, None, actor.require_role(&READERS)).await?;
    let within: Option<RegionCode> = match query.within.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        Some(text) => Some(region_code(text, "within")?),
        None => actor.scope.region(),
    };
    if let Some(within) = within {
        app.authorize(actor, action, Some(within.to_string()), actor.require_read(within)).await?;
    }
    let open_only = match query.status.as_deref().map(str::trim) {
        None | Some("" | "open") => true,
        Some("all") => false,
        Some(other) => {
            return Err(Problem::bad_request("invalid_query", format!("status 应为 open 或 all，收到“{other}”"))
                .with_detail(Some("status"), "invalid_value", other.to_owned()))
        }
    };
    let period = query.period.as_deref().map(|p| parse_period(p.trim())).transpose()?.map(|p| p.to_string());
    let (low, high) = within.map_or_else(
        || ("000000000000".to_owned(), "999999999999".to_owned()),
        |w| (w.to_string(), w.descendant_upper_bound()),
    );
    app.run(move |conn| {
        let rows = store::list(conn, (&low, &high), period.as_deref(), open_only, MAX_LISTED)?;
        named(conn, rows)
    })
    .await
}

/// The reviewer closes a follow-up without a change, saying why. Audited.
///
/// # Errors
/// 403 other roles or outside the scope; 404 unknown; 409 no longer open; 422 no reason.
pub async fn close(app: &App, actor: &Actor, id: i64, body: CloseFollowUp) -> AppResult<FollowUp> {
    let action = "quality.follow_up_close";
    app.authorize(actor, action, Some(id.to_string()), actor.require_role(&MARKERS)).await?;
    let reason = body.reason.as_str().to_owned();
    if reason.is_empty() {
        return Err(Problem::unprocessable("validation_failed", "请说明为何无需修改").with_detail(
            Some("reason"),
            "required",
            "关闭跟进须说明原因",
        ));
    }
    let row = app.run(move |conn| Ok(store::find(conn, id)?)).await?.ok_or_else(|| not_found(id))?;
    let village = RegionCode::parse(&row.region_code).map_err(Problem::internal)?;
    if actor.require_read(village).is_err() {
        return Err(not_found(id));
    }
    app.authorize(actor, action, Some(id.to_string()), actor.require_write(village)).await?;
    let by = actor.subject.clone();
    let mut event = actor.event(action, Some(id.to_string()), "success");
    event.detail = Some(reason.clone());
    app.write(move |conn| {
        if !store::end(conn, id, "closed", &by, chrono::Utc::now().naive_utc(), &reason)? {
            return Err(Problem::conflict("follow_up_ended", format!("跟进 {id} 已结束")));
        }
        onetable_store::audit::record(conn, &event)?;
        let row = store::find(conn, id)?.ok_or_else(|| not_found(id))?;
        Ok(named(conn, vec![row])?.remove(0))
    })
    .await
}

/// In a write's transaction: the open follow-ups of the cells it changed are resolved, naming the
/// change.
///
/// # Errors
/// On a database error.
pub fn note_changes(
    conn: &mut DbConn,
    region: &str,
    period: &str,
    changes: &[(String, Option<String>, Option<String>)],
    actor: &str,
    now: NaiveDateTime,
) -> Result<(), Problem> {
    if changes.is_empty() {
        return Ok(());
    }
    let codes: Vec<String> = changes.iter().map(|(code, _, _)| code.clone()).collect();
    for open in store::open_of_cells(conn, region, period, &codes)? {
        let Some((_, old, new)) = changes.iter().find(|(code, _, _)| *code == open.indicator_code) else { continue };
        let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "空".to_owned());
        let resolution = format!("数值由 {} 改为 {}", shown(old), shown(new));
        store::end(conn, open.id, "resolved", actor, now, &resolution)?;
    }
    Ok(())
}
