//! `/metrics` for Prometheus: absent unless a scrape token is configured, refused without it,
//! and counting what an operator watches — requests by route template, latency, cube builds,
//! the SQLite writer's batches, imports, login failures and lockouts.

use onetable_core::Role;
use onetable_tests::TestApp;

const TOKEN: &str = "scrape-token-for-tests-0123456789";

async fn scrape(app: &TestApp, token: Option<&str>) -> (u16, String) {
    let mut ask = app.client.get(format!("{}/metrics", app.address));
    if let Some(token) = token {
        ask = ask.bearer_auth(token);
    }
    let answer = ask.send().await.unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

/// The value of the sample whose line starts with `series` (name and labels as rendered).
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.trim().split(' ').next()?.parse().ok()))
        .unwrap_or_else(|| panic!("no {series} in\n{text}"))
}

#[tokio::test]
async fn metrics_are_not_served_unless_a_scrape_token_is_configured() {
    for backend in onetable_tests::backends() {
        let app = TestApp::spawn(backend).await;
        let (status, body) = scrape(&app, Some("anything")).await;
        assert_eq!(status, 404, "{body}");
        assert!(!body.contains("onetable_"), "{body}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scrape_with_the_token_sees_requests_cubes_writes_and_failed_logins() {
    for backend in onetable_tests::backends() {
        let app = TestApp::spawn_with(backend, |s| {
            s.metrics_token = Some(TOKEN.to_owned());
            s.lockout_attempts = 2;
        })
        .await;
        assert_eq!(scrape(&app, None).await.0, 401);
        assert_eq!(scrape(&app, Some("scrape-token-for-tests-0123456788")).await.0, 401, "one byte off");

        app.load_catalogue();
        app.seed_entry("522301100200", "2025", "approved", &[("POP.REGISTERED", "1000")]);
        app.add_user("li_clerk", Role::Clerk, Some("522301100200"), None);
        for _ in 0..2 {
            let refused = app
                .client
                .post(format!("{}/api/v1/auth/login", app.address))
                .json(&serde_json::json!({"username": "li_clerk", "password": "Wrong-pass-2025"}))
                .send()
                .await
                .unwrap();
            assert_eq!(refused.status().as_u16(), 401);
        }
        let admin = app.user_token("zhou_admin", Role::Admin, Some("5223"), None).await;
        let path = "/api/v1/aggregates?indicators=POP.REGISTERED&within=5223&level=county&period=2025";
        for _ in 0..3 {
            assert_eq!(app.get_as(&admin, path).await.0, 200);
        }
        let (status, _) = app.get_as(&admin, "/api/v1/entries/522301100201/2025").await;
        assert_eq!(status, 200);
        let clerk = app.user_token("wang_clerk", Role::Clerk, Some("522301100201"), None).await;
        let saved = app
            .client
            .patch(app.url("/api/v1/entries/522301100201/2025"))
            .bearer_auth(&clerk)
            .header("if-match", "\"0\"")
            .json(&serde_json::json!({"values": {"POP.REGISTERED": 321}}))
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status().as_u16(), 200);

        let (status, text) = scrape(&app, Some(TOKEN)).await;
        assert_eq!(status, 200);
        assert!(text.ends_with("# EOF\n"), "OpenMetrics text ends with # EOF");
        // Route templates, not paths: no village code in a label.
        assert_eq!(
            sample(&text, r#"onetable_http_requests_total{method="GET",route="/api/v1/aggregates",status="200"}"#),
            3.0
        );
        assert!(text.contains(r#"route="/api/v1/entries/{region}/{period}""#), "{text}");
        assert!(!text.contains("522301100201"), "a path leaked into a label");
        assert_eq!(
            sample(&text, r#"onetable_http_request_duration_seconds_count{method="GET",route="/api/v1/aggregates"}"#),
            3.0
        );
        assert!(sample(&text, r#"onetable_http_response_bytes_total{method="GET",route="/api/v1/aggregates"}"#) > 0.0);
        // One build for three reads; the demo prefecture's villages × the annual form's stored indicators.
        assert_eq!(sample(&text, r#"onetable_cube_build_seconds_count{source="store"}"#), 1.0);
        assert!(sample(&text, r#"onetable_cube_cells{period="2025"}"#) > 1_000.0);
        assert!(sample(&text, "onetable_cube_catch_up_seconds_count") >= 2.0);
        assert_eq!(sample(&text, "onetable_login_failures_total"), 2.0);
        assert_eq!(sample(&text, "onetable_lockouts_total"), 1.0);
        assert!(sample(&text, "onetable_db_pool_idle") >= 0.0);
        assert_eq!(sample(&text, "onetable_db_pool_waiting"), 0.0);
        if backend == onetable_store::Backend::Sqlite {
            // The PATCH went through the group-commit writer.
            assert!(sample(&text, "onetable_sqlite_write_batch_jobs_count") >= 1.0, "{text}");
        }
    }
}
