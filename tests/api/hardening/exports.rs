//! What leaves the server: CSV cells a spreadsheet would run (issue 13, item 7), and the headers
//! on every answer (item 10).

use onetable_core::Role;
use onetable_store::Backend;
use onetable_tests::{each_backend, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

use super::{still_up, VILLAGE};

const FORMULA: &str = r#"=HYPERLINK("http://example.invalid","食用菌")"#;

#[tokio::test]
async fn a_clerks_formula_reaches_the_departments_csv_as_text() {
    each_backend(|app| async move {
        app.load_catalogue();
        app.seed_entry(VILLAGE, "2025", "approved", &[("AGR.LEADING_INDUSTRY", FORMULA), ("POP.REGISTERED", "100")]);
        let dept = app.user_token("ex_dept", Role::Department, Some("5223"), Some("民政局")).await;
        let admin = app.user_token("ex_admin", Role::Admin, Some("5223"), None).await;
        let body = json!({"title": "产业", "purpose": "规划", "indicators": ["AGR.LEADING_INDUSTRY", "POP.REGISTERED"], "region": "5223", "periods": ["2025"], "expires_at": "2027-12-31"});
        let (_, filed) = app.send_json(Method::POST, &dept, "/api/v1/data-requests", &body).await;
        let id = filed["id"].as_i64().unwrap();
        app.send_json(Method::POST, &admin, &format!("/api/v1/data-requests/{id}/approve"), &json!({})).await;
        let response = app
            .client
            .get(app.url(&format!("/api/v1/data-requests/{id}/data?period=2025&format=csv")))
            .bearer_auth(&dept)
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["cache-control"], "no-store", "exports are not cached");
        let csv = response.text().await.unwrap();
        let line = csv.lines().find(|l| l.starts_with(VILLAGE)).unwrap();
        assert!(line.contains(r#""'=HYPERLINK(""http://example.invalid"",""食用菌"")""#), "{line}");
        // The JSON pull carries the value as it is.
        let (_, json) = app.get_as(&dept, &format!("/api/v1/data-requests/{id}/data?period=2025")).await;
        assert_eq!(json["rows"][0]["values"]["AGR.LEADING_INDUSTRY"], FORMULA);
    })
    .await;
}

#[tokio::test]
async fn catalogue_names_starting_with_a_formula_character_are_neutralised_and_load_back() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_catalogue();
    let admin = app.user_token("ex_admin", Role::Admin, Some("5223"), None).await;
    let (_, indicator) = app.get_as(&admin, "/api/v1/indicators/PROFILE.GROUPS").await;
    let mut changed = indicator.clone();
    changed["name"] = json!("=1+1 村民小组数");
    changed["description"] = json!("@SUM(A1)");
    let (status, answer) = app.send_json(Method::PUT, &admin, "/api/v1/indicators/PROFILE.GROUPS", &changed).await;
    assert_eq!(status, 200, "{answer}");
    let response =
        app.client.get(app.url("/api/v1/catalogue/export?format=csv")).bearer_auth(&admin).send().await.unwrap();
    let bytes = response.bytes().await.unwrap().to_vec();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let line = text.lines().find(|l| l.starts_with("PROFILE.GROUPS")).unwrap();
    assert!(line.contains(",'=1+1 村民小组数,") && line.contains(",'@SUM(A1)"), "{line}");
    // The export loads back unchanged: the quote is taken off again.
    let now = chrono::Utc::now().naive_utc();
    let summary =
        onetable_app::registry::catalogue::load(&mut app.db.conn().unwrap(), &bytes, None, "test", now).unwrap();
    let (_, after) = app.get_as(&admin, "/api/v1/indicators/PROFILE.GROUPS").await;
    assert_eq!(
        (after["name"].as_str(), after["version"].as_i64()),
        (Some("=1+1 村民小组数"), indicator["version"].as_i64().map(|v| v + 1)),
        "{summary:?}"
    );
}

#[tokio::test]
async fn every_answer_says_nosniff_authenticated_ones_are_not_cached_and_the_docs_are_locked_down() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for path in ["/healthz", "/nowhere", "/openapi.json"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.headers()["x-content-type-options"], "nosniff", "{path}");
    }
    let response = app.client.get(app.url("/api/v1/me")).bearer_auth(&app.token).send().await.unwrap();
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let response = app.client.get(app.url("/api/v1/me")).bearer_auth("not-a-token").send().await.unwrap();
    assert_eq!((response.status().as_u16(), response.headers()["cache-control"].to_str().unwrap()), (401, "no-store"));

    let docs = app.client.get(app.url("/docs")).send().await.unwrap();
    let csp = docs.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("script-src 'self' 'unsafe-inline'"));
    let page = docs.text().await.unwrap();
    assert!(!page.contains("<script>"), "no inline script: {page}");
    let init = app.client.get(app.url("/docs/swagger-init.js")).send().await.unwrap().text().await.unwrap();
    assert!(init.contains("persistAuthorization: false"), "the token is not kept in localStorage");

    let response = app.client.get(app.url("/healthz")).header("x-padding", "x".repeat(40 * 1024)).send().await.unwrap();
    assert_eq!(response.status(), 431);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "headers_too_large");
}

/// What actix-http answers by itself, before any route runs, gets the JSON error body too (issue
/// 26): a 70 KB URL was a bare 400 with an empty body, a 140 KB head a bare 431; a 33 KB one
/// already had the JSON 431.
#[tokio::test]
async fn requests_the_http_parser_refuses_get_the_json_error_body() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn(Backend::Sqlite).await;
    let address = app.url("").trim_start_matches("http://").to_owned();
    let long = |n: usize| {
        format!("GET /api/v1/regions?q={} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n", "a".repeat(n)).into_bytes()
    };
    let cases = [
        (long(33 * 1024), 431, "headers_too_large"),
        (long(70 * 1024), 431, "headers_too_large"),
        (long(140 * 1024), 431, "headers_too_large"),
        (b"NOT HTTP AT ALL\r\n\r\n".to_vec(), 400, "bad_request"),
    ];
    for (request, status, code) in cases {
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        // The server may answer and close before it has read everything.
        let _ = stream.write_all(&request).await;
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
        let text = String::from_utf8_lossy(&answer).into_owned();
        assert!(text.starts_with(&format!("HTTP/1.1 {status} ")), "{} bytes: {text}", request.len());
        assert!(text.to_lowercase().contains("content-type: application/json"), "{text}");
        let body: Value = serde_json::from_str(text.split("\r\n\r\n").nth(1).unwrap_or_default()).unwrap_or_default();
        assert_eq!(body["error"], code, "{text}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{text}");
    }
    still_up(&app).await;
}
