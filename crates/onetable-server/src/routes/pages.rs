//! The web pages (`/`, `/login`, `/assets/…`): embedded files of `onetable-web`, each with a strict
//! Content-Security-Policy, revalidated by ETag so a new binary's pages are seen at once.

use actix_web::http::header;
use actix_web::middleware::Compress;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::ApiError;

/// Registers the pages; after the API, so no API path can be shadowed. They are sent compressed
/// when the browser accepts it (the charting library is 0.7 MB as it is, a quarter of it gzipped).
pub fn configure(cfg: &mut web::ServiceConfig) {
    for path in [
        "/",
        "/login",
        "/form",
        "/dashboard",
        "/requests",
        "/audit",
        "/registry",
        "/users",
        "/burden",
        "/forms",
        "/password",
        "/print",
        "/imports",
        "/registers",
        "/sw.js",
        "/favicon.ico",
        "/assets/{path:.*}",
    ] {
        cfg.service(web::resource(path).wrap(Compress::default()).route(web::get().to(serve)));
    }
}

async fn serve(req: HttpRequest) -> HttpResponse {
    let Some(asset) = onetable_web::find(req.path()) else {
        return actix_web::ResponseError::error_response(&ApiError::not_found(
            "not_found",
            format!("页面不存在：{}", req.path()),
        ));
    };
    let etag = format!("\"{:016x}\"", asset.etag());
    let fresh = req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| v == etag);
    let mut response = if fresh { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("content-security-policy", onetable_web::CONTENT_SECURITY_POLICY))
        .insert_header(("x-frame-options", "DENY"))
        .insert_header(("referrer-policy", "no-referrer"));
    if fresh {
        response.finish()
    } else {
        response.content_type(asset.content_type).body(asset.bytes)
    }
}
