//! The OpenAPI description, generated from the handlers. `openapi/openapi.json` is this, committed;
//! a test fails when they drift (regenerate with `onetable openapi > openapi/openapi.json`).

use actix_web::{get, HttpResponse};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::openapi_common::CommonResponses;

use crate::routes::{
    aggregate_series, aggregates, audit, auth, burden, catalogue, clients, dashboards, data_requests, entries, form,
    forms, health, imports, indicators, progress, regions, review_queue, rules, users, worklist,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "onetable API",
        description = "村级基础数据“一张表”: the registry of standard indicators, one-time entry, sharing and aggregates.",
        license(name = "Apache-2.0"),
    ),
    modifiers(&BearerAuth, &CommonResponses),
    paths(
        health::healthz,
        health::readyz,
        auth::jwks::jwks,
        auth::login::login,
        auth::token::token,
        auth::logout::logout,
        auth::me::me,
        auth::session::create_session,
        auth::session::get_session,
        auth::session::delete_session,
        users::list::list_users,
        users::create::create_user,
        users::get::get_user,
        users::update::update_user,
        audit::events::list_events,
        indicators::list::list_indicators,
        indicators::check::check_indicator,
        indicators::create::create_indicator,
        indicators::get::get_indicator,
        indicators::get::list_versions,
        indicators::update::update_indicator,
        indicators::deprecate::deprecate_indicator,
        rules::list::list_rules,
        rules::list::get_rule,
        rules::save::create_rule,
        rules::save::update_rule,
        form::get_form,
        catalogue::export_catalogue,
        entries::get::get_entry,
        entries::edit::patch_entry,
        entries::edit::carry_forward,
        entries::workflow::submit,
        entries::workflow::approve,
        entries::workflow::return_entry,
        entries::workflow::reopen,
        entries::history::history,
        progress::progress,
        worklist::worklist,
        review_queue::review_queue,
        imports::create_import,
        regions::search::search_regions,
        regions::get::get_region,
        regions::children::list_children,
        regions::usage::region_usage,
        data_requests::file::file_request,
        data_requests::list::list_requests,
        data_requests::list::get_request,
        data_requests::decide::approve_request,
        data_requests::decide::reject_request,
        data_requests::decide::revoke_request,
        data_requests::data::pull,
        data_requests::extract::extract_request,
        aggregates::aggregates,
        aggregate_series::aggregate_series,
        clients::list::list_clients,
        clients::rotation::request_rotation,
        clients::rotation::approve_rotation,
        clients::rotation::collect_secret,
        dashboards::list::list_dashboards,
        dashboards::get::get_dashboard,
        dashboards::create::create_dashboard,
        dashboards::update::update_dashboard,
        dashboards::delete::delete_dashboard,
        burden::burden,
        forms::analyze::analyze_form,
        forms::cleanup::cleanup_forms,
        forms::confirm::confirm_mappings,
        forms::draft::draft,
        forms::proposals::list_proposals,
        forms::proposals::accept_proposal,
        forms::proposals::reject_proposal,
        forms::templates::save_template,
        forms::templates::list_templates,
        forms::templates::delete_template,
        forms::templates::fill_template,
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

/// The spec as the committed file holds it: pretty JSON with a trailing newline.
#[must_use]
pub fn spec_json() -> String {
    let mut json = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
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
