//! `GET /metrics`: the Prometheus scrape (运行指标). Not part of the API: it answers only when
//! `metrics_token` is configured, and only to a bearer of that token.

use actix_web::http::{header, StatusCode};
use actix_web::{get, web, HttpRequest, HttpResponse};

use crate::error::ApiError;
use crate::state::AppState;

/// Equal in time whatever the first differing byte, so that the token cannot be guessed byte by
/// byte from response times.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let Some(token) = state.metrics_token.clone() else {
        return Err(ApiError::not_found("not_found", format!("接口不存在：{} {}", req.method(), req.path())));
    };
    let offered = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !same(offered.as_bytes(), token.as_bytes()) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "抓取指标须携带配置的 metrics_token（Authorization: Bearer）",
        ));
    }
    let body = state.render_metrics()?;
    Ok(HttpResponse::Ok().content_type("application/openmetrics-text; version=1.0.0; charset=utf-8").body(body))
}
