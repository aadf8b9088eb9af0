//! The auditor's page in headless Chromium: the audit trail with filters, and nothing else — the
//! admin pages show the API's refusal, and the API refuses them too.

use onetable_core::Role;
use onetable_store::Backend;
use onetable_tests::browser::Window;
use onetable_tests::TestApp;

use super::pages::signed_in;

#[tokio::test]
async fn an_auditor_reads_the_trail_with_filters_and_cannot_open_the_admin_pages() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_catalogue();
    app.add_user("shen_auditor", Role::Auditor, None, None);
    app.add_user("zhou_admin", Role::Admin, Some("5223"), None);
    // Something to find: an admin signs in (audited) and an unknown user fails to.
    app.login("zhou_admin", onetable_tests::PASSWORD).await;
    let refused = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "nobody", "password": "wrong-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);

    let Some(browser) = signed_in(&app, Window::Desktop, "shen_auditor").await else { return };
    browser.wait_for_text("#audit-table", "登录").await;
    assert_eq!(browser.client.current_url().await.unwrap().path(), "/audit", "an auditor's page is the trail");
    browser.fill("#f-actor", "zhou_admin").await;
    browser.click("#f-run").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let actors = browser
            .client
            .execute("return [...document.querySelectorAll('#audit-table tbody tr td:nth-child(2)')].map((td) => td.textContent)", vec![])
            .await
            .unwrap();
        let actors: Vec<String> = serde_json::from_value(actors).unwrap();
        if !actors.is_empty() && actors.iter().all(|a| a == "zhou_admin") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "not filtered: {actors:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let auditor = app.login("shen_auditor", onetable_tests::PASSWORD).await;
    let (_, api) = app.get_as(&auditor, "/api/v1/audit/events?actor=zhou_admin&limit=50").await;
    let count = browser.wait_for_text("#audit-count", "共").await;
    assert!(count.contains(&format!("共 {} 条", api["total"])), "{count} vs {api}");
    browser.screenshot("audit-desktop").await;

    // The admin pages: the page says what the API answers, and shows no data.
    for (page, refusal) in [("/requests", "无权"), ("/dashboard", "无权")] {
        browser.client.goto(&app.url(page)).await.unwrap();
        browser.wait_for_text("#main .error", refusal).await;
    }
    for path in [
        "/api/v1/data-requests",
        "/api/v1/users",
        "/api/v1/aggregates?indicators=POP.REGISTERED&within=5223&period=2025",
        "/api/v1/dashboards",
    ] {
        assert_eq!(app.get_as(&auditor, path).await.0, 403, "{path}");
    }
    browser.close().await;
}

/// On a phone the trail's short cells keep one line (the table scrolls sideways) rather than
/// standing one character to a line.
#[tokio::test]
async fn on_a_phone_the_trail_keeps_one_line_a_cell() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.add_user("shen_auditor", Role::Auditor, None, None);
    let Some(browser) = signed_in(&app, Window::Phone, "shen_auditor").await else { return };
    browser.wait_for_text("#audit-table", "登录").await;
    let height = browser
        .client
        .execute("return document.querySelector('#audit-table tbody tr').getBoundingClientRect().height", vec![])
        .await
        .unwrap();
    let height = height.as_f64().unwrap();
    assert!(height < 60.0, "a row of the trail is {height} px high on a phone");
    browser.close().await;
}
