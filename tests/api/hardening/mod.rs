//! What an outside security and fault test found (issues 13 and 26), each kept found: uploads
//! that cost without bound, sessions that outlived an account change, text no field may hold,
//! answers that were 500s, an outage that hung, exports a spreadsheet would run, forms read while
//! holding what others need, an open redirect, scrapes that could guess a token.

mod exports;
mod forms_uploads;
mod input;
mod outage;
mod redirect;
mod scrape;
mod sessions;
mod uploads;

use onetable_tests::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::Value;

const VILLAGE: &str = "522301100200";
const ENTRY: &str = "/api/v1/entries/522301100200/2025";

/// PATCHes an entry with `If-Match`.
async fn patch(app: &TestApp, token: &str, path: &str, if_match: i64, body: &Value) -> (StatusCode, Value) {
    let response = app
        .client
        .request(Method::PATCH, app.url(path))
        .bearer_auth(token)
        .header("if-match", format!("\"{if_match}\""))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// POSTs a file to the import endpoint.
async fn import(app: &TestApp, token: &str, query: &str, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let response = app
        .client
        .post(app.url(&format!("/api/v1/imports{query}")))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The server still answers (it did not abort).
async fn still_up(app: &TestApp) {
    let response = app.client.get(app.url("/healthz")).send().await.expect("the server is still up");
    assert_eq!(response.status(), 200);
}

/// The first detail's field and code.
fn first_detail(body: &Value) -> (String, String) {
    let detail = &body["details"][0];
    (detail["field"].as_str().unwrap_or("").to_owned(), detail["code"].as_str().unwrap_or("").to_owned())
}
