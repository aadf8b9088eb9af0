use onetable_tests::{backends, TestApp};

#[tokio::test]
async fn docs_ui_and_spec_are_served_without_internet() {
    let app = TestApp::spawn(backends()[0]).await;
    let page = app.client.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    // Every asset the page loads is ours: no CDN.
    assert!(html.contains("/docs/swagger-ui-bundle.js") && html.contains("/docs/swagger-ui.css"));
    assert!(!html.contains("https://"), "the docs page must not load anything from the internet");
    for asset in ["/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css"] {
        let response = app.client.get(app.url(asset)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{asset}");
        assert!(response.bytes().await.unwrap().len() > 10_000, "{asset} looks empty");
    }
    let (status, spec) = app.get_json("/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(spec["openapi"].as_str().map(|v| v.starts_with("3.")), Some(true));
    assert!(spec["paths"]["/api/v1/regions/{code}"]["get"].is_object());
}
