//! Route registration and the extractor error handlers that keep every error in one JSON shape.

pub mod aggregate_series;
pub mod aggregates;
pub mod audit;
pub mod auth;
pub mod burden;
pub mod catalogue;
pub mod clients;
pub mod dashboards;
pub mod data_requests;
pub mod deadlines;
pub mod entries;
pub mod form;
pub mod forms;
pub mod health;
pub mod imports;
pub mod indicators;
pub mod input_guard;
pub mod json;
pub mod metrics;
pub mod middleware;
pub mod pages;
pub mod params;
pub mod progress;
pub mod quality;
pub mod regions;
pub mod registers;
pub mod reminders;
pub mod review_queue;
pub mod rules;
pub mod subscriptions;
pub mod supplies;
pub mod users;
pub mod worklist;

use actix_web::{error, web, HttpRequest, HttpResponse};

use crate::docs;
use crate::error::ApiError;

/// Largest JSON body accepted anywhere (imports get their own limit).
pub const JSON_LIMIT: usize = 1024 * 1024;
/// Largest form body (the token endpoint's three fields).
pub const FORM_LIMIT: usize = 16 * 1024;

/// Everything the server answers but the spec itself (`openapi::serve`, registered beside this by
/// the server, since the spec is made from [`api`]): the extractors' error bodies, the documented
/// API, then what is not part of it (`/metrics`, the spec's viewer, the pages).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::JsonConfig::default().limit(JSON_LIMIT).error_handler(json_error))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(web::FormConfig::default().limit(FORM_LIMIT).error_handler(form_error))
        .app_data(web::PayloadConfig::default().limit(JSON_LIMIT));
    // The paths it collects are for the spec (`openapi::spec`): the server needs only the routes.
    api(&mut utoipa_actix_web::service_config::ServiceConfig::new(cfg));
    cfg.service(metrics::metrics).service(docs::index).service(docs::asset).configure(pages::configure);
}

/// The documented API, each route declared once: registered here for the server, and its
/// `#[utoipa::path]` collected from the same call for the OpenAPI description.
pub fn api(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    // The router tries routes in this order, running a regular expression for every pattern
    // with a parameter: the clerks' busiest calls come first. No other route has the shape
    // `/api/v1/entries/{region}/{period}`, so the order changes no match.
    cfg.service(entries::edit::patch_entry)
        .service(entries::get::get_entry)
        .service(health::healthz)
        .service(health::readyz)
        .service(auth::jwks::jwks)
        .service(auth::login::login)
        .service(auth::token::token)
        .service(auth::logout::logout)
        .service(auth::me::me)
        .service(auth::password::change_password)
        .service(auth::session::create_session)
        .service(auth::session::get_session)
        .service(auth::session::delete_session)
        .service(users::list::list_users)
        .service(users::import::import_users)
        .service(users::import::import_template)
        .service(users::create::create_user)
        .service(users::get::get_user)
        .service(users::update::update_user)
        .service(audit::events::list_events)
        .service(indicators::list::list_indicators)
        .service(indicators::check::check_indicator)
        .service(indicators::create::create_indicator)
        .service(indicators::get::get_indicator)
        .service(indicators::get::list_versions)
        .service(indicators::update::update_indicator)
        .service(indicators::deprecate::deprecate_indicator)
        .service(registers::types::list_registers)
        .service(registers::types::create_register)
        .service(registers::types::get_register)
        .service(registers::types::update_register)
        .service(registers::types::register_versions)
        .service(supplies::file::file_supply)
        .service(supplies::file::list_supplies)
        .service(supplies::file::get_supply)
        .service(supplies::decide::approve_supply)
        .service(supplies::decide::reject_supply)
        .service(supplies::decide::revoke_supply)
        .service(supplies::values::push_values)
        .service(supplies::records::push_records)
        .service(supplies::discrepancies::list_discrepancies)
        .service(supplies::discrepancies::answer_discrepancy)
        .service(quality::outliers::list_outliers)
        .service(quality::outliers::entry_outliers)
        .service(quality::follow_ups::mark_follow_up)
        .service(quality::follow_ups::list_follow_ups)
        .service(quality::follow_ups::close_follow_up)
        .service(subscriptions::manage::create_subscription)
        .service(subscriptions::manage::list_subscriptions)
        .service(subscriptions::manage::get_subscription)
        .service(subscriptions::manage::cancel_subscription)
        .service(subscriptions::events::subscription_events)
        .service(registers::records::list_records)
        .service(registers::records::create_record)
        .service(registers::records::get_record)
        .service(registers::records::record_history)
        .service(registers::record_writes::edit_record)
        .service(registers::record_writes::close_record)
        .service(registers::record_writes::reveal_record)
        .service(registers::record_writes::export_record)
        .service(registers::duplicates::list_duplicates)
        .service(registers::duplicates::list_groups)
        .service(registers::import::import_records)
        .service(registers::confirm::confirm_register_values)
        .service(rules::list::list_rules)
        .service(rules::list::get_rule)
        .service(rules::save::create_rule)
        .service(rules::save::update_rule)
        .service(form::get_form)
        .service(catalogue::export_catalogue)
        .service(forms::analyze::analyze_form)
        .service(forms::cleanup::cleanup_forms)
        .service(forms::confirm::confirm_mappings)
        .service(forms::draft::draft)
        .service(forms::proposals::list_proposals)
        .service(forms::proposals::accept_proposal)
        .service(forms::proposals::reject_proposal)
        .service(forms::templates::save_template)
        .service(forms::templates::list_templates)
        .service(forms::templates::delete_template)
        .service(forms::templates::fill_template)
        .service(entries::history::history)
        .service(entries::edit::carry_forward)
        .service(entries::edit::confirm_supplied)
        .service(entries::workflow::submit)
        .service(entries::workflow::approve)
        .service(entries::workflow::return_entry)
        .service(entries::workflow::reopen)
        .service(progress::progress)
        .service(entries::printed::print_pdf)
        .service(deadlines::set::set_deadline)
        .service(deadlines::list::list_deadlines)
        .service(deadlines::timeliness::get_timeliness)
        .service(reminders::mine::my_reminders)
        .service(reminders::send::send_reminder)
        .service(reminders::list::list_reminders)
        .service(reminders::read::read_reminder)
        .service(reminders::hook::set_hook)
        .service(worklist::worklist)
        .service(review_queue::review_queue)
        .service(imports::create_import)
        .service(data_requests::file::file_request)
        .service(data_requests::list::list_requests)
        .service(data_requests::list::get_request)
        .service(data_requests::decide::approve_request)
        .service(data_requests::decide::reject_request)
        .service(data_requests::decide::revoke_request)
        .service(data_requests::data::pull)
        .service(data_requests::records::pull_records)
        .service(data_requests::extract::extract_request)
        .service(aggregate_series::aggregate_series)
        .service(aggregates::aggregates)
        .service(clients::list::list_clients)
        .service(clients::rotation::request_rotation)
        .service(clients::rotation::approve_rotation)
        .service(clients::rotation::collect_secret)
        .service(dashboards::list::list_dashboards)
        .service(dashboards::get::get_dashboard)
        .service(dashboards::create::create_dashboard)
        .service(dashboards::update::update_dashboard)
        .service(dashboards::delete::delete_dashboard)
        .service(burden::burden)
        .service(regions::usage::region_usage)
        .service(regions::search::search_regions)
        .service(regions::get::get_region)
        .service(regions::children::list_children);
}

fn json_error(err: error::JsonPayloadError, _req: &HttpRequest) -> error::Error {
    let api = match &err {
        error::JsonPayloadError::OverflowKnownLength { .. } | error::JsonPayloadError::Overflow { .. } => {
            ApiError::new(
                actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("请求体过大，JSON 请求体不能超过 {} KiB", JSON_LIMIT / 1024),
            )
        }
        error::JsonPayloadError::ContentType => ApiError::new(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "请求体必须是 JSON（Content-Type: application/json）",
        ),
        _ => ApiError::bad_request("invalid_json", "请求体不是有效的 JSON 或字段不符合要求").with_detail(
            None,
            "invalid_json",
            err.to_string(),
        ),
    };
    api.into()
}

fn form_error(err: error::UrlencodedError, _req: &HttpRequest) -> error::Error {
    let api = match &err {
        error::UrlencodedError::Overflow { .. } => ApiError::new(
            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("请求体过大，表单不能超过 {} KiB", FORM_LIMIT / 1024),
        ),
        _ => ApiError::bad_request("invalid_request", "表单无效（应为 application/x-www-form-urlencoded）")
            .with_detail(None, "invalid_form", err.to_string()),
    };
    api.into()
}

fn query_error(err: error::QueryPayloadError, _req: &HttpRequest) -> error::Error {
    let text = err.to_string();
    let serde_message = text.strip_prefix("Query deserialize error: ").unwrap_or(&text);
    let (field, code, message) = json::describe_problem("", serde_message);
    let message = message.replace("字段", "参数").replace("请求体", "查询参数");
    let field = (!field.is_empty()).then_some(field);
    ApiError::bad_request("invalid_query", format!("查询参数无效：{message}"))
        .with_detail(field.as_deref(), code, message)
        .into()
}

fn path_error(err: error::PathError, _req: &HttpRequest) -> error::Error {
    ApiError::bad_request("invalid_path", "路径参数无效").with_detail(None, "invalid_path", err.to_string()).into()
}

/// Unknown routes get the same error body as everything else.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    actix_web::ResponseError::error_response(&ApiError::not_found(
        "not_found",
        format!("接口不存在：{} {}", req.method(), req.path()),
    ))
}
