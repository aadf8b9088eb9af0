use onetable_tests::each_backend;
use serde_json::json;

#[tokio::test]
async fn healthz_and_readyz_answer_ok_with_a_request_id() {
    each_backend(|app| async move {
        for path in ["/healthz", "/readyz"] {
            let response = app.client.get(app.url(path)).send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
            assert!(response.headers().contains_key("x-request-id"), "{path} has no request id");
            let body = response.json::<serde_json::Value>().await.unwrap();
            assert_eq!(body["status"], "ok", "{path}");
            if path == "/readyz" {
                assert_eq!(body["cubes"], json!([]), "no cube is warm before the first aggregate");
            }
        }
    })
    .await;
}

#[tokio::test]
async fn unknown_routes_get_the_json_error_body() {
    each_backend(|app| async move {
        let (status, body) = app.get_json("/api/v1/nothing-here").await;
        assert_eq!(status, 404);
        assert_eq!(body["error"], "not_found");
        assert!(body["message"].as_str().unwrap().contains("/api/v1/nothing-here"));
        assert_eq!(body["details"], json!([]));
    })
    .await;
}

/// Browsers ask every site for /favicon.ico: it was a 404 in every page's console (issue 27).
#[tokio::test]
async fn the_favicon_is_served() {
    let app = onetable_tests::TestApp::spawn(onetable_store::Backend::Sqlite).await;
    let response = app.client.get(app.url("/favicon.ico")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/x-icon");
    assert!(response.bytes().await.unwrap().starts_with(&[0, 0, 1, 0]), "an ICO");
}
