//! Department systems (部门系统凭据): a department sees its systems' credentials and asks for a new
//! secret; an admin whose scope holds the system's region approves; the department then collects
//! the new secret, once. The secret is stored only as a hash and the admin never sees it; the old
//! secret and every token issued with it stop when the new one is collected. Each step is audited.

use chrono::{DateTime, Utc};
use onetable_core::{RegionCode, Role};
use onetable_store::client_rotation as store;
use onetable_store::identity::{self, ClientRow};
use serde::Serialize;
use utoipa::ToSchema;

use super::hashing;
use crate::actor::Actor;
use crate::problem::{AppResult, Problem};
use crate::App;

/// A department system as its department and admins see it (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct Client {
    pub client_id: String,
    pub department: String,
    pub region_code: String,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    /// When the secret was last replaced through the API.
    pub secret_rotated_at: Option<DateTime<Utc>>,
    /// `none`, `requested` (waits for an admin) or `approved` (waits for the department to collect).
    pub rotation: String,
    pub rotation_requested_by: Option<String>,
    pub rotation_approved_by: Option<String>,
}

impl From<ClientRow> for Client {
    fn from(row: ClientRow) -> Self {
        let rotation = match (&row.rotation_requested_by, &row.rotation_approved_by) {
            (Some(_), Some(_)) => "approved",
            (Some(_), None) => "requested",
            _ => "none",
        };
        Self {
            rotation: rotation.to_owned(),
            client_id: row.client_id,
            department: row.department,
            region_code: row.region_code,
            disabled: row.disabled,
            created_at: row.created_at.and_utc(),
            secret_rotated_at: row.secret_rotated_at.map(|t| t.and_utc()),
            rotation_requested_by: row.rotation_requested_by,
            rotation_approved_by: row.rotation_approved_by,
        }
    }
}

/// The new secret, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewSecret {
    pub client_id: String,
    pub client_secret: String,
}

/// Whether the actor may see this system: its department's people in scope, or an admin in scope.
fn sees(actor: &Actor, row: &ClientRow) -> bool {
    let in_scope = RegionCode::parse(&row.region_code).is_ok_and(|r| actor.reaches(r));
    in_scope
        && match actor.role {
            Role::Admin => true,
            Role::Department => actor.department.as_deref() == Some(row.department.as_str()),
            _ => false,
        }
}

fn not_found(client_id: &str) -> Problem {
    Problem::not_found("client_not_found", format!("系统凭据 {client_id} 不存在"))
}

async fn visible(app: &App, actor: &Actor, client_id: &str) -> AppResult<ClientRow> {
    let (id, reader) = (client_id.to_owned(), actor.clone());
    app.run(move |conn| {
        identity::find_client(conn, &id)?.filter(|row| sees(&reader, row)).ok_or_else(|| not_found(&id))
    })
    .await
}

async fn audited(app: &App, actor: &Actor, action: &str, client_id: &str) -> AppResult<()> {
    app.audit(actor.event(action, Some(format!("client/{client_id}")), "success")).await
}

/// The systems the actor sees.
///
/// # Errors
/// 403 but for departments and admins.
pub async fn list(app: &App, actor: &Actor) -> AppResult<Vec<Client>> {
    app.authorize(actor, "clients.read", None, actor.require_role(&[Role::Department, Role::Admin])).await?;
    let reader = actor.clone();
    app.run(move |conn| {
        let (low, high) = reader.scope.region().map_or_else(
            || ("000000000000".to_owned(), "999999999999".to_owned()),
            |r| (r.to_string(), r.descendant_upper_bound()),
        );
        Ok(store::in_regions(conn, &low, &high)?
            .into_iter()
            .filter(|row| sees(&reader, row))
            .map(Client::from)
            .collect())
    })
    .await
}

/// Its department asks for a new secret.
///
/// # Errors
/// 403 but for the department's people, 404 a system it does not see.
pub async fn request_rotation(app: &App, actor: &Actor, client_id: &str) -> AppResult<Client> {
    app.authorize(actor, "clients.rotation_request", None, actor.require_role(&[Role::Department])).await?;
    visible(app, actor, client_id).await?;
    let (id, by) = (client_id.to_owned(), actor.subject.clone());
    let row = app
        .run(move |conn| {
            store::request(conn, &id, &by, Utc::now().naive_utc())?;
            identity::find_client(conn, &id)?.ok_or_else(|| not_found(&id))
        })
        .await?;
    audited(app, actor, "clients.rotation_request", client_id).await?;
    Ok(row.into())
}

/// An admin in scope approves the asked rotation.
///
/// # Errors
/// 403 but for admins, 404 unseen, 409 when no rotation is asked.
pub async fn approve_rotation(app: &App, actor: &Actor, client_id: &str) -> AppResult<Client> {
    app.authorize(actor, "clients.rotation_approve", None, actor.require_role(&[Role::Admin])).await?;
    visible(app, actor, client_id).await?;
    let (id, by) = (client_id.to_owned(), actor.subject.clone());
    let row = app
        .run(move |conn| {
            if store::approve(conn, &id, &by, Utc::now().naive_utc())? == 0 {
                return Err(Problem::conflict("no_rotation_requested", "该系统没有待批准的密钥更换申请"));
            }
            identity::find_client(conn, &id)?.ok_or_else(|| not_found(&id))
        })
        .await?;
    audited(app, actor, "clients.rotation_approve", client_id).await?;
    Ok(row.into())
}

/// The department collects the new secret of an approved rotation: shown once; the old secret and
/// its tokens stop.
///
/// # Errors
/// 403 but for the department's people, 404 unseen, 409 when no approved rotation waits.
pub async fn collect_secret(app: &App, actor: &Actor, client_id: &str) -> AppResult<NewSecret> {
    app.authorize(actor, "clients.rotate", None, actor.require_role(&[Role::Department])).await?;
    visible(app, actor, client_id).await?;
    let secret = hashing::random_secret();
    let (id, plain) = (client_id.to_owned(), secret.clone());
    app.run(move |conn| {
        // Hashing takes a while on purpose: done here, off the async workers.
        let hash = hashing::hash(&plain).map_err(|e| Problem::internal(format!("hashing: {e}")))?;
        if store::complete(conn, &id, &hash, Utc::now().naive_utc())? == 0 {
            return Err(Problem::conflict("rotation_not_approved", "密钥更换尚未经管理员批准"));
        }
        Ok(())
    })
    .await?;
    audited(app, actor, "clients.rotate", client_id).await?;
    Ok(NewSecret { client_id: client_id.to_owned(), client_secret: secret })
}
