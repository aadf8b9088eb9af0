//! The error answers every operation can give, added to the spec in one place rather than in
//! each handler's annotation: a generated client (or schemathesis) must find every status the
//! server may send documented.

use utoipa::openapi::path::Operation;
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::Modify;

/// Adds 400, 401, 403, 404, 413, 415, 422 and 503 where they can occur and the handler did not say.
pub struct CommonResponses;

fn error(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build())
        .build()
        .into()
}

fn has_json_body(body: Option<&RequestBody>) -> bool {
    body.is_some_and(|b| b.content.contains_key("application/json"))
}

fn add(operation: &mut Operation, status: &str, description: &str) {
    operation.responses.responses.entry(status.to_owned()).or_insert_with(|| error(description));
}

/// Paths served without touching the database.
const NO_DATABASE: [&str; 2] = ["/healthz", "/.well-known/jwks.json"];

fn complete(path: &str, operation: &mut Operation) {
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_body = operation.request_body.is_some();
    let has_parameters = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
    if has_body || has_parameters {
        add(
            operation,
            "400",
            "Malformed request: a parameter or the body cannot be read (`invalid_query`, `invalid_json` …)",
        );
    }
    if secured {
        add(operation, "401", "`unauthorized`: no valid token (or it was ended by an account change)");
        add(operation, "403", "`forbidden` or `out_of_scope`: the caller's role or region scope does not allow it");
    }
    if path.contains('{') {
        add(operation, "404", "Unknown, or outside the caller's scope (existence is not revealed)");
    }
    if has_body {
        add(operation, "413", "`payload_too_large`: the body is over the limit");
        add(operation, "415", "`unsupported_media_type`: the body is not of a type this operation reads");
    }
    if has_json_body(operation.request_body.as_ref()) || has_parameters || path.contains('{') {
        add(
            operation,
            "422",
            "Refused input, one detail per field: `invalid_field`, `invalid_text` (a control character or \
             direction override in the path, a parameter or a text field) …",
        );
    }
    if !NO_DATABASE.contains(&path) {
        add(
            operation,
            "503",
            "`database_unavailable`: the database cannot be reached; retry after `Retry-After` seconds",
        );
    }
}

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in &mut openapi.paths.paths {
            for operation in
                [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete].into_iter().flatten()
            {
                complete(path, operation);
            }
        }
    }
}
