//! `GET /metrics`: the Prometheus scrape (运行指标). Not part of the API: it answers only when
//! `metrics_token` is configured, and only to a bearer of that token.

use actix_web::http::{header, StatusCode};
use actix_web::{get, web, HttpRequest, HttpResponse};

use crate::auth::client_addr;
use crate::error::ApiError;
use crate::state::AppState;

/// Equal in time whatever the first differing byte, so that the token cannot be guessed byte by
/// byte from response times.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The credentials of `Authorization: Bearer …`; the scheme's case does not matter (RFC 9110).
fn bearer(req: &HttpRequest) -> &str {
    let value = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    match value.split_once(' ') {
        Some((scheme, credentials)) if scheme.eq_ignore_ascii_case("bearer") => credentials.trim(),
        _ => "",
    }
}

fn too_many(wait: u64) -> ApiError {
    ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", format!("错误的令牌过多，请 {wait} 秒后再试"))
        .with_retry_after(wait)
}

#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let Some(token) = state.metrics_token.clone() else {
        return Err(ApiError::not_found("not_found", format!("接口不存在：{} {}", req.method(), req.path())));
    };
    // Wrong tokens are counted per address: after a few a minute, the address waits (429), so
    // the token cannot be guessed at the network's speed.
    let address = client_addr(&req, &state.trusted_proxies);
    if let Some(wait) = address.and_then(|a| state.metrics_limiter.peek(a).err()) {
        return Err(too_many(wait));
    }
    if !same(bearer(&req).as_bytes(), token.as_bytes()) {
        if let Some(wait) = address.and_then(|a| state.metrics_limiter.check(a).err()) {
            return Err(too_many(wait));
        }
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "抓取指标须携带配置的 metrics_token（Authorization: Bearer）",
        ));
    }
    let body = state.render_metrics()?;
    Ok(HttpResponse::Ok().content_type("application/openmetrics-text; version=1.0.0; charset=utf-8").body(body))
}
