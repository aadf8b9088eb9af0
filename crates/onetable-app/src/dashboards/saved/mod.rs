//! Saved dashboards (看板): an admin composes one for a region in its scope — items of indicators,
//! chart, level and a period rule such as "latest annual" — and shares it; the viewers, admins and
//! reviewers whose scope holds that region see it, and a viewer lands on the one of its own region.
//! The numbers are never stored: each item is drawn from `/aggregates` when the dashboard is read,
//! with the reader's own protection rules.

pub mod items;
mod write;

use chrono::{DateTime, Utc};
use onetable_core::{RegionCode, Role, Scope};
use onetable_store::dashboards::{self as store, DashboardRow};
use onetable_store::regions;
use serde::Serialize;
use utoipa::ToSchema;

pub use items::{ChartKind, DashboardItem, ItemView};
pub use write::{create, delete, update, DashboardInput};

use crate::actor::Actor;
use crate::problem::{AppResult, Problem};
use crate::time::china_today;
use crate::App;

/// Who may read dashboards; only admins write them.
const READERS: [Role; 3] = [Role::Viewer, Role::Admin, Role::Reviewer];

/// A dashboard as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardSummary {
    pub id: i64,
    pub name: String,
    pub region_code: String,
    pub region_name: String,
    /// Unshared dashboards are seen by admins only.
    pub shared: bool,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardList {
    /// Newest first.
    pub items: Vec<DashboardSummary>,
    /// The dashboard this caller opens on (a viewer: the newest shared one of its own region, else
    /// of a region inside its scope).
    pub landing: Option<i64>,
}

/// One dashboard, its items' rules resolved today.
#[derive(Debug, Serialize, ToSchema)]
pub struct Dashboard {
    pub id: i64,
    pub name: String,
    pub region_code: String,
    pub region_name: String,
    pub shared: bool,
    pub items: Vec<ItemView>,
    pub created_by: String,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

fn region_of(row: &DashboardRow) -> Result<RegionCode, Problem> {
    RegionCode::parse(&row.region_code).map_err(|e| Problem::internal(format!("dashboard {}: {e}", row.id)))
}

/// Whether the actor sees this dashboard: in its scope, and shared unless the actor is an admin.
fn visible(actor: &Actor, row: &DashboardRow) -> bool {
    region_of(row).is_ok_and(|r| actor.reaches(r)) && (row.shared || actor.role == Role::Admin)
}

fn not_found(id: i64) -> Problem {
    Problem::not_found("dashboard_not_found", format!("看板 {id} 不存在"))
}

fn region_name(conn: &mut onetable_store::DbConn, code: &str) -> Result<String, Problem> {
    let parsed = RegionCode::parse(code).map_err(|e| Problem::internal(format!("region {code}: {e}")))?;
    Ok(regions::find(conn, parsed)?.map_or_else(|| code.to_owned(), |r| r.name))
}

fn dashboard(conn: &mut onetable_store::DbConn, row: DashboardRow) -> Result<Dashboard, Problem> {
    let region = region_of(&row)?;
    let stored: Vec<DashboardItem> =
        serde_json::from_str(&row.items).map_err(|e| Problem::internal(format!("dashboard {} items: {e}", row.id)))?;
    let today = china_today();
    Ok(Dashboard {
        id: row.id,
        region_name: region_name(conn, &row.region_code)?,
        name: row.name,
        region_code: row.region_code,
        shared: row.shared,
        items: stored.into_iter().map(|item| items::view(item, region, today)).collect(),
        created_by: row.created_by,
        updated_by: row.updated_by,
        updated_at: row.updated_at.and_utc(),
    })
}

/// The dashboards the actor sees, and the one it lands on.
///
/// # Errors
/// 403 for clerks, departments and auditors.
pub async fn list(app: &App, actor: &Actor) -> AppResult<DashboardList> {
    app.authorize(actor, "dashboards.read", None, actor.require_role(&READERS)).await?;
    let actor = actor.clone();
    app.run(move |conn| {
        let (low, high) = match actor.scope {
            Scope::Nationwide => ("000000000000".to_owned(), "999999999999".to_owned()),
            Scope::Within(region) => (region.to_string(), region.descendant_upper_bound()),
        };
        let rows: Vec<DashboardRow> =
            store::of_regions(conn, &low, &high)?.into_iter().filter(|r| visible(&actor, r)).collect();
        let own = actor.scope.region().map(|r| r.to_string());
        let landing = rows
            .iter()
            .filter(|r| r.shared)
            .find(|r| Some(&r.region_code) == own.as_ref())
            .or_else(|| rows.iter().find(|r| r.shared))
            .map(|r| r.id);
        let mut items = Vec::with_capacity(rows.len());
        for row in rows {
            items.push(DashboardSummary {
                id: row.id,
                region_name: region_name(conn, &row.region_code)?,
                name: row.name,
                region_code: row.region_code,
                shared: row.shared,
                updated_at: row.updated_at.and_utc(),
            });
        }
        Ok(DashboardList { items, landing })
    })
    .await
}

/// One dashboard, if the actor sees it (else 404: it does not learn that it exists).
///
/// # Errors
/// 403 for other roles, 404.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<Dashboard> {
    app.authorize(actor, "dashboards.read", None, actor.require_role(&READERS)).await?;
    let actor = actor.clone();
    app.run(move |conn| {
        let row = store::find(conn, id)?.filter(|r| visible(&actor, r)).ok_or_else(|| not_found(id))?;
        dashboard(conn, row)
    })
    .await
}
