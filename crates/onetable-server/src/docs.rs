//! `/docs`: Swagger UI over `/openapi.json`, from vendored assets so it works with no internet.

use actix_web::{get, web, HttpResponse};

const INDEX: &str = r##"<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <title>onetable API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-init.js"></script>
</body>
</html>
"##;

/// No inline script (the CSP forbids it), and the bearer token is not kept in `localStorage`:
/// after a reload, *Authorize* asks for it again.
const INIT_JS: &str = r##"window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
  persistAuthorization: false });
"##;

/// Swagger UI sets `style` attributes and loads its icons as `data:` URLs; nothing else is allowed.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const BUNDLE_JS: &[u8] = include_bytes!("../assets/swagger-ui/swagger-ui-bundle.js");
const CSS: &[u8] = include_bytes!("../assets/swagger-ui/swagger-ui.css");

#[get("/docs")]
pub async fn index() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("content-security-policy", CSP))
        .insert_header(("x-frame-options", "DENY"))
        .insert_header(("referrer-policy", "no-referrer"))
        .body(INDEX)
}

#[get("/docs/{asset}")]
pub async fn asset(name: web::Path<String>) -> HttpResponse {
    let (body, content_type) = match name.as_str() {
        "swagger-ui-bundle.js" => (BUNDLE_JS, "application/javascript; charset=utf-8"),
        "swagger-ui.css" => (CSS, "text/css; charset=utf-8"),
        "swagger-init.js" => (INIT_JS.as_bytes(), "application/javascript; charset=utf-8"),
        _ => return not_found(),
    };
    HttpResponse::Ok().content_type(content_type).insert_header(("cache-control", "public, max-age=86400")).body(body)
}

fn not_found() -> HttpResponse {
    actix_web::ResponseError::error_response(&crate::error::ApiError::not_found("not_found", "文档资源不存在"))
}
