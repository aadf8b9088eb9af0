//! Signing in goes back to the page that asked for it, and only to a page of this site (issue
//! 26): `next` values a browser reads as another site (`/\evil.example`, `/<tab>/evil.example`)
//! landed there after sign-in, and at once for someone already signed in.

use onetable_core::Role;
use onetable_store::Backend;
use onetable_tests::browser::{Browser, Window};
use onetable_tests::{TestApp, PASSWORD};

/// Where the browser is after signing in through `/login?next={next}` (the query as written).
async fn lands(browser: &Browser, app: &TestApp, next: &str, sign_in: bool) -> String {
    browser.client.goto(&app.url(&format!("/login?next={next}"))).await.unwrap();
    if sign_in {
        browser.wait_for_text("#login-submit", "登录").await;
        browser.fill("#username", "li_clerk").await;
        browser.fill("#password", PASSWORD).await;
        browser.click("#login-submit").await;
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let url = browser.client.current_url().await.unwrap();
        if url.path() != "/login" {
            return url.to_string();
        }
        assert!(std::time::Instant::now() < deadline, "still on the login page: {url}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn after_sign_in_only_a_page_of_this_site_is_opened() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_catalogue();
    app.add_user("li_clerk", Role::Clerk, Some("522301100200"), None);
    let Some(browser) = Browser::start(Window::Desktop).await else { return };
    let here = app.url("/");
    let hostile = [
        "/%5Cevil.example/phish",
        "/%09/evil.example/phish",
        "//evil.example",
        "/%2F%2Fevil.example",
        "https://evil.example/",
    ];
    let first = lands(&browser, &app, hostile[0], true).await;
    assert_eq!(first, here, "signed in, the clerk is home");
    // Already signed in: the login page sends the browser on at once, still only here.
    for next in &hostile[1..] {
        let url = lands(&browser, &app, next, false).await;
        assert_eq!(url, here, "{next} went to {url}");
    }
    // A page of this site is where it goes.
    let url = lands(&browser, &app, "%2Fform%3Fperiod%3D2025", false).await;
    assert_eq!(url, app.url("/form?period=2025"));
    browser.close().await;
}
