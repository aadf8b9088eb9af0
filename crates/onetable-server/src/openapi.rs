//! The OpenAPI description, generated from the handlers: the paths are collected from the very
//! registration the server runs (`routes::api`), so a route is declared once. `openapi/openapi.json`
//! is this, committed; a test fails when they drift (regenerate with `onetable openapi >
//! openapi/openapi.json`).

use actix_web::{get, HttpResponse};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::openapi_common::CommonResponses;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "onetable API",
        description = "村级基础数据“一张表”: the registry of standard indicators, one-time entry, sharing and aggregates.",
        license(name = "Apache-2.0"),
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail)),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "auth", description = "Login, client credentials, logout, identity, public keys"),
        (name = "users", description = "User management for admins, within their scope"),
        (name = "audit", description = "The audit trail, for auditors only"),
        (name = "regions", description = "The administrative hierarchy (统计用区划代码)"),
        (name = "indicators", description = "The indicator registry (指标库): versioned, duplicate-guarded"),
        (name = "rules", description = "Validation rules (校验规则)"),
        (name = "registers", description = "Registers (台账): the lists behind the counts, kept once by the village, personal data protected"),
        (name = "registry", description = "The one form and the catalogue export"),
        (name = "entries", description = "Data entry (一次录入): values, review workflow, history, progress"),
        (name = "sharing", description = "Data requests (报表准入), pulls, aggregates, data return (数据回流), burden"),
        (name = "forms", description = "Legacy forms (报表清理): a department's Excel form mapped to the registry"),
    )
)]
pub struct ApiDoc;

/// Declares the `bearer` scheme the protected paths name.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT (EdDSA)".to_owned());
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The whole description: [`ApiDoc`]'s info, tags and shared schemas, the paths of every route
/// `routes::api` registers, then the bearer scheme and the common error answers over all of them.
#[must_use]
pub fn spec() -> utoipa::openapi::OpenApi {
    use utoipa_actix_web::AppExt;
    let (_, mut spec) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::api)
        .split_for_parts();
    BearerAuth.modify(&mut spec);
    CommonResponses.modify(&mut spec);
    spec
}

/// The spec as the committed file holds it: pretty JSON with a trailing newline.
#[must_use]
pub fn spec_json() -> String {
    let mut json = spec().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}

/// Served from memory: the spec is fixed at build time, so it is generated once per process.
#[get("/openapi.json")]
pub async fn serve() -> HttpResponse {
    static SPEC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HttpResponse::Ok().content_type("application/json").body(SPEC.get_or_init(spec_json).as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Set `ONETABLE_UPDATE_OPENAPI=1` to rewrite the committed file instead of failing.
    #[test]
    fn committed_spec_matches_the_code() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/openapi.json");
        let generated = spec_json();
        if std::env::var_os("ONETABLE_UPDATE_OPENAPI").is_some() {
            std::fs::write(path, &generated).unwrap();
            return;
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == generated,
            "openapi/openapi.json is out of date: run `cargo run -p onetable-cli -- openapi > openapi/openapi.json` \
             or `ONETABLE_UPDATE_OPENAPI=1 cargo test -p onetable-server openapi`"
        );
    }
}
