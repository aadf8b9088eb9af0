//! The registry page in headless Chromium: the duplicate guard answers as the name is typed, a
//! duplicate is refused naming the existing code, and a new indicator's versions show what changed.

use onetable_core::Role;
use onetable_store::Backend;
use onetable_tests::browser::Window;
use onetable_tests::{TestApp, PASSWORD};

use super::pages::signed_in;

#[tokio::test]
async fn an_admin_is_told_of_a_duplicate_as_it_types_and_refused_naming_the_existing_code() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_catalogue();
    app.add_user("zhou_admin", Role::Admin, Some("5223"), None);
    let Some(browser) = signed_in(&app, Window::Desktop, "zhou_admin").await else { return };
    browser.wait_for_text("#registry-link", "指标库").await;
    browser.click("#registry-link").await;
    browser.wait_for_text("#indicator-list", "户籍人口").await;
    browser.click("#new-indicator").await;
    browser.fill("#ind-code", "T.DUP").await;
    browser.fill("#ind-name", "户籍人口数").await;
    let guard = browser.wait_for_text("#duplicate-guard [data-guard=\"duplicate\"]", "已有同名指标").await;
    assert!(guard.contains("POP.REGISTERED"), "{guard}");
    browser.fill("#ind-unit", "人").await;
    browser.fill("#ind-category", "人口").await;
    browser.fill("#ind-owner_department", "公安局").await;
    browser.screenshot("registry-duplicate-desktop").await;
    browser.click("#ind-save").await;
    let refusal = browser.wait_for_text("#ind-message", "POP.REGISTERED").await;
    assert!(!refusal.is_empty());
    let admin = app.login("zhou_admin", PASSWORD).await;
    assert_eq!(app.get_as(&admin, "/api/v1/indicators/T.DUP").await.0, 404, "nothing was created");

    // A new one: created, then deprecated with a reason; its versions say what changed.
    browser
        .client
        .execute(
            "document.getElementById('ind-code').value = ''; document.getElementById('ind-name').value = ''",
            vec![],
        )
        .await
        .unwrap();
    browser.fill("#ind-code", "SOC.CARE_BEDS").await;
    browser.fill("#ind-name", "村级养老服务床位数").await;
    browser.click("#ind-save").await;
    browser.wait_for_text("#indicator-detail", "第 1 版").await;
    browser.fill("#deprecate-reason", "并入县级统计").await;
    browser.click("#deprecate-indicator").await;
    let versions = browser.wait_for_text("#versions", "第 2 版").await;
    assert!(versions.contains("状态：active → deprecated") && versions.contains("并入县级统计"), "{versions}");
    let (_, stored) = app.get_as(&admin, "/api/v1/indicators/SOC.CARE_BEDS").await;
    assert_eq!(stored["status"], "deprecated", "{stored}");
    browser.close().await;
}
