//! What every answer gets, whatever route made it: the request id, `nosniff`, `no-store` on
//! authenticated answers, and the input guard before any route runs.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::HttpMessage;
use tracing_actix_web::RequestId;

use crate::error::ApiError;
use crate::routes::input_guard;
use crate::state::AppState;

/// Request heads above this many bytes are answered 431 with the JSON error body. (actix itself
/// answers heads over 128 KiB with an empty 431 before any of our code runs.)
pub const MAX_HEAD_BYTES: usize = 32 * 1024;

fn head_bytes(req: &ServiceRequest) -> usize {
    req.uri().to_string().len() + req.headers().iter().map(|(n, v)| n.as_str().len() + v.len() + 4).sum::<usize>()
}

/// # Errors
/// Whatever the inner service fails with.
pub async fn common(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let request_id = req.extensions().get::<RequestId>().copied();
    let started = std::time::Instant::now();
    // The route template, never the path: a village code must not become a label value.
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".to_owned());
    let method = req.method().as_str().to_owned();
    let state = req.app_data::<actix_web::web::Data<AppState>>().cloned();
    let authenticated = req.headers().contains_key(header::AUTHORIZATION) || req.headers().contains_key(header::COOKIE);
    let refused = if head_bytes(&req) > MAX_HEAD_BYTES {
        Some(ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            format!("请求头过大（超过 {} KiB）", MAX_HEAD_BYTES / 1024),
        ))
    } else {
        input_guard::check(&req).err()
    };
    let mut response = match refused {
        Some(error) => req.error_response(error),
        None => next.call(req).await?.map_into_boxed_body(),
    };
    if let Some(state) = state {
        let bytes = match response.response().body().size() {
            actix_web::body::BodySize::Sized(n) => n,
            _ => 0,
        };
        state.metrics.request(&method, &route, response.status().as_u16(), started.elapsed(), bytes);
    }
    let headers = response.headers_mut();
    if let Some(id) = request_id {
        if let Ok(value) = HeaderValue::from_str(&id.to_string()) {
            headers.insert(HeaderName::from_static("x-request-id"), value);
        }
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if authenticated && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}
