//! Composing dashboards: admins, for a region in their scope; audited.

use onetable_core::Role;
use onetable_store::dashboards::{self as store, DashboardContent};
use onetable_store::registry;
use serde::Deserialize;
use utoipa::ToSchema;

use super::items::{self, DashboardItem};
use super::{dashboard, not_found, region_of, Dashboard};
use crate::actor::Actor;
use crate::input::region_code;
use crate::problem::{AppResult, Problem};
use crate::text::Text;
use crate::time::china_today;
use crate::App;

/// A dashboard as an admin writes it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DashboardInput {
    #[schema(example = "黔西南州基础数据看板")]
    pub name: Text<60>,
    /// The region it shows (its parts are the rows), inside the admin's scope.
    #[schema(example = "5223")]
    pub region: String,
    pub items: Vec<DashboardItem>,
    /// Seen by the viewers and reviewers in scope (default: yes).
    #[serde(default = "shared_by_default")]
    pub shared: bool,
}

const fn shared_by_default() -> bool {
    true
}

/// Checks the input and makes it a row's content.
async fn content(app: &App, actor: &Actor, input: DashboardInput) -> AppResult<DashboardContent> {
    if input.name.trim().is_empty() {
        return Err(Problem::unprocessable("invalid_dashboard", "请填写看板名称").with_detail(
            Some("name"),
            "required",
            "看板名称不能为空",
        ));
    }
    let region = region_code(input.region.trim(), "region")?;
    app.authorize(actor, "dashboards.write", Some(region.to_string()), actor.require_read(region)).await?;
    let stored = input.items.clone();
    app.run(move |conn| {
        items::check(&stored, region, &registry::current(conn)?, china_today())?;
        Ok(())
    })
    .await?;
    Ok(DashboardContent {
        name: input.name.into_inner(),
        region_code: region.to_string(),
        items: serde_json::to_string(&input.items).map_err(|e| Problem::internal(format!("items: {e}")))?,
        shared: input.shared,
        updated_by: actor.subject.clone(),
        updated_at: chrono::Utc::now().naive_utc(),
    })
}

async fn audited(app: &App, actor: &Actor, action: &str, id: i64) -> AppResult<()> {
    app.audit(actor.event(action, Some(format!("dashboard/{id}")), "success")).await
}

/// A new dashboard.
///
/// # Errors
/// 403 but for admins, 404 a region outside the scope, 422 invalid items.
pub async fn create(app: &App, actor: &Actor, input: DashboardInput) -> AppResult<Dashboard> {
    app.authorize(actor, "dashboards.write", None, actor.require_role(&[Role::Admin])).await?;
    let content = content(app, actor, input).await?;
    let saved = app
        .run(move |conn| {
            let row = store::insert(conn, &content)?;
            dashboard(conn, row)
        })
        .await?;
    audited(app, actor, "dashboards.create", saved.id).await?;
    Ok(saved)
}

/// Replaces a dashboard the admin reaches (also its region, inside the scope).
///
/// # Errors
/// 403 but for admins, 404 unknown or outside the scope, 422 invalid items.
pub async fn update(app: &App, actor: &Actor, id: i64, input: DashboardInput) -> AppResult<Dashboard> {
    app.authorize(actor, "dashboards.write", None, actor.require_role(&[Role::Admin])).await?;
    reachable(app, actor, id).await?;
    let content = content(app, actor, input).await?;
    let saved = app
        .run(move |conn| {
            if !store::update(conn, id, &content)? {
                return Err(not_found(id));
            }
            let row = store::find(conn, id)?.ok_or_else(|| not_found(id))?;
            dashboard(conn, row)
        })
        .await?;
    audited(app, actor, "dashboards.update", id).await?;
    Ok(saved)
}

/// Deletes a dashboard the admin reaches.
///
/// # Errors
/// 403 but for admins, 404 unknown or outside the scope.
pub async fn delete(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    app.authorize(actor, "dashboards.write", None, actor.require_role(&[Role::Admin])).await?;
    reachable(app, actor, id).await?;
    app.run(move |conn| if store::delete(conn, id)? { Ok(()) } else { Err(not_found(id)) }).await?;
    audited(app, actor, "dashboards.delete", id).await
}

/// 404 unless the dashboard exists and its region is in the actor's scope.
async fn reachable(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    let actor = actor.clone();
    app.run(move |conn| {
        let row = store::find(conn, id)?.ok_or_else(|| not_found(id))?;
        if region_of(&row).is_ok_and(|r| actor.reaches(r)) {
            Ok(())
        } else {
            Err(not_found(id))
        }
    })
    .await
}
