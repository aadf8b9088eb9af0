//! A department subscribes its approved data requests to its own endpoint, lists and cancels its
//! subscriptions; admins over a request see them too.

use chrono::Utc;
use onetable_core::Role;
use onetable_store::sharing::RequestScope;
use onetable_store::subscriptions::{self as store, SubscriptionRow};
use onetable_store::DbConn;

use super::{NewSubscription, Subscription};
use crate::actor::Actor;
use crate::problem::{AppResult, Problem};
use crate::sharing::{can_see, list_scope, DataRequest};
use crate::App;

/// A secret shorter than this is refused: it is all that proves an event came from us.
const MIN_SECRET: usize = 16;
const MAX_SECRET: usize = 200;
/// Active subscriptions one request may have (a department's test and live systems …).
const MAX_PER_REQUEST: usize = 5;

fn not_found(id: i64) -> Problem {
    Problem::not_found("subscription_not_found", format!("推送订阅 {id} 不存在"))
}

fn invalid(field: &str, code: &str, message: impl Into<String>) -> Problem {
    Problem::unprocessable("invalid_subscription", "推送订阅有误，请按提示修改").with_detail(Some(field), code, message)
}

/// The subscription and its request, when `actor` may see them (the request's department, admins
/// over its region); 404 otherwise.
fn visible(conn: &mut DbConn, actor: &Actor, id: i64) -> AppResult<(SubscriptionRow, DataRequest)> {
    let row = store::find(conn, id)?.ok_or_else(|| not_found(id))?;
    let request = onetable_store::sharing::find(conn, row.data_request_id)?
        .map(|r| DataRequest::from_row(r, Utc::now().naive_utc()))
        .ok_or_else(|| not_found(id))?;
    if can_see(actor, &request) {
        Ok((row, request))
    } else {
        Err(not_found(id))
    }
}

fn with_counts(conn: &mut DbConn, row: SubscriptionRow) -> AppResult<Subscription> {
    let counts = store::counts(conn, row.id)?;
    Ok(Subscription::from_row(row, counts))
}

/// The department of an approved, unexpired request subscribes an endpoint to it. Audited.
///
/// # Errors
/// 403 other roles; 404 a request not its own; 409 a request not active, or the address already
/// subscribed to it; 422 an address the operator does not allow (another host, an inside
/// address, plain HTTP) or a short secret.
pub async fn subscribe(app: &App, actor: &Actor, body: NewSubscription) -> AppResult<Subscription> {
    app.authorize(actor, "subscriptions.create", None, actor.require_role(&[Role::Department])).await?;
    let department =
        actor.department.clone().ok_or_else(|| Problem::forbidden("forbidden", "账号未归属任何部门，不能订阅推送"))?;
    let url = reqwest::Url::parse(body.url.trim()).map_err(|_| {
        invalid("url", "invalid_url", "请填写接收推送的完整地址，如 https://hooks.example.gov.cn/onetable")
    })?;
    if let Some(refusal) = app.webhooks.hosts.refusal(&url) {
        return Err(invalid("url", "url_not_allowed", refusal));
    }
    let secret = body.secret.trim().to_owned();
    if !(MIN_SECRET..=MAX_SECRET).contains(&secret.chars().count()) {
        return Err(invalid(
            "secret",
            "invalid_secret",
            format!("签名密钥须为 {MIN_SECRET}–{MAX_SECRET} 个字符（用于校验推送确实来自本平台）"),
        ));
    }
    let request_id = body.data_request_id;
    let caller = actor.clone();
    let created_by = actor.subject.clone();
    let saved = app
        .write(move |conn| {
            let missing = || {
                Problem::not_found("request_not_found", format!("数据需求 {request_id} 不存在")).with_detail(
                    Some("data_request_id"),
                    "not_found",
                    "只能订阅本部门的数据需求",
                )
            };
            let now = Utc::now().naive_utc();
            let request = onetable_store::sharing::find(conn, request_id)?
                .map(|r| DataRequest::from_row(r, now))
                .filter(|r| caller.role == Role::Department && can_see(&caller, r))
                .ok_or_else(missing)?;
            if !request.active {
                return Err(Problem::conflict(
                    "request_not_active",
                    format!("数据需求 {request_id} 未批准或已过期，不能订阅推送"),
                ));
            }
            let active: Vec<SubscriptionRow> =
                store::list(conn, None, &[request_id])?.into_iter().filter(|s| s.status == "active").collect();
            if active.iter().any(|s| s.url == url.as_str()) {
                return Err(Problem::conflict("subscription_exists", "该数据需求已订阅到这个地址"));
            }
            if active.len() >= MAX_PER_REQUEST {
                return Err(Problem::conflict(
                    "too_many_subscriptions",
                    format!("一个数据需求最多订阅 {MAX_PER_REQUEST} 个地址，请先取消不用的"),
                ));
            }
            let row = store::insert(
                conn,
                &store::NewSubscription {
                    data_request_id: request_id,
                    department,
                    url: url.to_string(),
                    secret,
                    status: "active".to_owned(),
                    created_by,
                    created_at: now,
                },
            )?;
            with_counts(conn, row)
        })
        .await?;
    let mut event = actor.event("subscriptions.create", Some(saved.id.to_string()), "success");
    event.detail = Some(format!("数据需求 {}；{}", saved.data_request_id, saved.url));
    app.audit(event).await?;
    Ok(saved)
}

/// The subscriptions the actor sees: a department's own; an admin's, those of the requests in
/// its scope.
///
/// # Errors
/// 403 for roles that have none.
pub async fn list(app: &App, actor: &Actor) -> AppResult<Vec<Subscription>> {
    let scope = list_scope(actor).map_err(|_| Problem::forbidden("forbidden", "无权查看推送订阅"))?;
    app.run(move |conn| {
        let rows = match &scope {
            RequestScope::Department(department) => store::list(conn, Some(department), &[])?,
            RequestScope::Region { .. } => {
                let (requests, _) = onetable_store::sharing::list(conn, &scope, None, 10_000, 0)?;
                let ids: Vec<i64> = requests.iter().map(|r| r.id).collect();
                store::list(conn, None, &ids)?
            }
        };
        rows.into_iter().map(|row| with_counts(conn, row)).collect()
    })
    .await
}

/// One subscription the actor sees.
///
/// # Errors
/// 404 when it does not exist for the actor.
pub async fn find(app: &App, actor: &Actor, id: i64) -> AppResult<Subscription> {
    let caller = actor.clone();
    app.run(move |conn| {
        let (row, _) = visible(conn, &caller, id)?;
        with_counts(conn, row)
    })
    .await
}

/// The department cancels a subscription: nothing more is sent (what was written stays
/// replayable). Audited.
///
/// # Errors
/// 404 unseen; 403 an admin (only the department cancels its own); 409 already cancelled.
pub async fn cancel(app: &App, actor: &Actor, id: i64) -> AppResult<Subscription> {
    app.authorize(actor, "subscriptions.cancel", Some(id.to_string()), actor.require_role(&[Role::Department])).await?;
    let caller = actor.clone();
    let cancelled = app
        .write(move |conn| {
            visible(conn, &caller, id)?;
            if !store::cancel(conn, id, Utc::now().naive_utc())? {
                return Err(Problem::conflict("subscription_cancelled", format!("推送订阅 {id} 已取消")));
            }
            let row = store::find(conn, id)?.ok_or_else(|| not_found(id))?;
            with_counts(conn, row)
        })
        .await?;
    app.audit(actor.event("subscriptions.cancel", Some(id.to_string()), "success")).await?;
    Ok(cancelled)
}

/// The subscription's row, when the actor sees it (for the replay).
///
/// # Errors
/// 404 when it does not exist for the actor.
pub fn visible_row(conn: &mut DbConn, actor: &Actor, id: i64) -> AppResult<SubscriptionRow> {
    visible(conn, actor, id).map(|(row, _)| row)
}
