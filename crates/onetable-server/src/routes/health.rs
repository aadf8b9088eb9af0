//! Liveness and readiness probes (public).

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(tag = "health", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// A period's cube held in memory.
#[derive(Serialize, ToSchema)]
pub struct WarmCube {
    /// `2025`
    pub period: String,
    /// `snapshot` (loaded from disk at start or on first use) or `store` (built from the store).
    pub source: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct Ready {
    /// `ok`
    pub status: &'static str,
    /// The cubes in memory: an aggregate of one of these periods does not wait for a build.
    pub cubes: Vec<WarmCube>,
}

/// How long the readiness probe waits for the database.
const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// The database answers (within two seconds, on a connection of the probe's own, so that
/// requests holding every pooled connection do not fail it; 503 with `Retry-After` otherwise),
/// and which periods' cubes are warm.
#[utoipa::path(
    tag = "health",
    responses((status = 200, body = Ready), (status = 503, description = "database unreachable", body = ErrorBody))
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let db = state.db.clone();
    // The probe has its own connection (a full pool does not fail it); a database that does not
    // answer fails it within two seconds.
    let ping = tokio::time::timeout(PROBE_TIMEOUT, web::block(move || db.ping()))
        .await
        .map_err(|_| ApiError::database_unavailable("readiness check timed out"))??;
    match ping {
        Ok(()) => {
            let cubes = state.cubes.warm().into_iter().map(|(period, source)| WarmCube { period, source }).collect();
            Ok(HttpResponse::Ok().json(Ready { status: "ok", cubes }))
        }
        Err(e) => Err(ApiError::database_unavailable(format!("readiness check failed: {e}"))),
    }
}
