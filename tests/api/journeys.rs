//! What a walk through the pages found (issue 27), each in the browser as the person meets it:
//! the reviewer's return comment where the clerk makes the fix, what changed since the return
//! shown to the reviewer, a word after every submit, return and approval, a question before a
//! form with blank fields is submitted, and tables a phone can scroll.

use onetable_core::Role;
use onetable_store::Backend;
use onetable_tests::browser::{Browser, Window};
use onetable_tests::TestApp;
use serde_json::json;

use super::pages::{last_year, signed_in};

const VILLAGE: &str = "522301100200";

/// A clerk with last year's form complete but for one optional field, and the township's reviewer.
async fn seeded() -> (TestApp, Vec<(String, String)>) {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_catalogue();
    app.add_user("li_clerk", Role::Clerk, Some(VILLAGE), None);
    app.add_user("wang_rev", Role::Reviewer, Some("522301100"), None);
    let code = onetable_core::RegionCode::parse(VILLAGE).unwrap();
    let mut values: Vec<(String, String)> = onetable_app::demo::village_values(code, false).into_iter().collect();
    // Left blank: not required, and the village may well have none.
    values.retain(|(c, _)| c != "ECO.HOMESTAYS");
    let pairs: Vec<(&str, &str)> = values.iter().map(|(c, v)| (c.as_str(), v.as_str())).collect();
    app.seed_entry(VILLAGE, &last_year().to_string(), "draft", &pairs);
    (app, values)
}

async fn open_form(app: &TestApp, browser: &Browser, region: Option<&str>) {
    let query = region.map_or_else(String::new, |r| format!("&region={r}"));
    browser.client.goto(&app.url(&format!("/form?period={}{query}", last_year()))).await.unwrap();
    browser.wait_for_text("#entry-status", "").await;
    browser.wait_for_text("h1", "报表").await;
}

#[tokio::test]
async fn the_return_comment_is_on_the_form_blanks_are_asked_about_and_every_step_says_what_happened() {
    let (app, _) = seeded().await;
    let Some(clerk) = signed_in(&app, Window::Phone, "li_clerk").await else { return };
    clerk.wait_for_text("#worklist", "报表").await;
    open_form(&app, &clerk, None).await;
    clerk.wait_for_text("label[for=\"f-ECO.HOMESTAYS\"]", "民宿").await;
    // Blank fields are listed before the submit; the clerk decides.
    clerk.click("#submit").await;
    let asked = clerk.wait_for_text("#blank-check", "没有填写").await;
    let blanks =
        clerk.client.execute("return document.querySelectorAll('#blank-check li').length", vec![]).await.unwrap();
    assert_eq!(blanks, json!(1), "{asked}");
    assert!(asked.contains("民宿"), "{asked}");
    clerk.screenshot("blank-check-phone").await;
    clerk.click("#blank-submit").await;
    clerk.wait_for_text("#outcome", "已提交，等待乡镇审核").await;
    clerk.wait_for_text("#entry-status", "已提交").await;
    clerk.screenshot("submitted-phone").await;

    // The reviewer returns it with a comment, and is told so.
    let Some(reviewer) = signed_in(&app, Window::Desktop, "wang_rev").await else { return };
    reviewer.wait_for_text("#review-queue", "吴家坪村").await;
    open_form(&app, &reviewer, Some(VILLAGE)).await;
    reviewer.fill("#review-comment", "户数与上年相差较大，请核对").await;
    reviewer.click("#return").await;
    reviewer.wait_for_text("#outcome", "已退回").await;

    // The clerk finds the comment on the form itself, where the fix is made.
    open_form(&app, &clerk, None).await;
    let note = clerk.wait_for_text("#return-note", "户数与上年相差较大，请核对").await;
    assert!(note.contains("wang_rev"), "{note}");
    clerk.screenshot("returned-form-phone").await;
    clerk.fill("#f-POP\\.HOUSEHOLDS", "333").await;
    clerk.client.execute("document.getElementById('f-POP.HOUSEHOLDS').blur()", vec![]).await.unwrap();
    clerk.wait_for_text("[data-code=\"POP.HOUSEHOLDS\"] .save-state", "已保存").await;
    clerk.click("#submit").await;
    clerk.click("#blank-submit").await;
    clerk.wait_for_text("#outcome", "已提交").await;

    // The reviewer sees the earlier comment and what changed since the return, then approves.
    open_form(&app, &reviewer, Some(VILLAGE)).await;
    reviewer.wait_for_text("#return-note", "户数与上年相差较大").await;
    reviewer.wait_for_text("#changed-count", "自上次退回后改动了 1 项（已在表中标出）：户籍户数").await;
    let marked = reviewer.wait_for_text("[data-code=\"POP.HOUSEHOLDS\"] .changed-note", "→ 333").await;
    assert!(marked.contains("自上次退回"), "{marked}");
    reviewer.screenshot("resubmitted-review-desktop").await;
    reviewer.click("#approve").await;
    reviewer.wait_for_text("#outcome", "已通过").await;
    reviewer.wait_for_text("#entry-status", "已通过").await;
    clerk.close().await;
    reviewer.close().await;
}

/// On a phone the dashboard's table showed only 地区/应报/已提交/已审核 and the reviewer's
/// progress table was cut off (issue 27): each table scrolls inside its card with its first
/// column fixed, and the scroll region takes the keyboard (axe: scrollable-region-focusable).
#[tokio::test]
async fn wide_tables_scroll_inside_their_card_on_a_phone_and_take_the_keyboard() {
    let (app, _) = seeded().await;
    let year = last_year();
    let Some(reviewer) = signed_in(&app, Window::Phone, "wang_rev").await else { return };
    reviewer.wait_for_text("#progress", "填报进度").await;
    let dashboard = format!(
        "/dashboard?within=522301100&period={year}&indicators=POP.REGISTERED,POP.HOUSEHOLDS,POP.AGED_60,DER.AGEING_RATE,LAND.CULTIVATED_MU"
    );
    for (path, table) in [("/".to_owned(), "table.progress"), (dashboard, "#aggregate-table")] {
        reviewer.client.goto(&app.url(&path)).await.unwrap();
        reviewer.wait_for_text(table, "").await;
        let script = format!(
            "const t = document.querySelector('{table}'); const box = t.closest('.table-scroll');
             const first = t.querySelector('tbody th, tbody td');
             return [box.scrollWidth > box.clientWidth, box.tabIndex, getComputedStyle(first).position,
                     document.documentElement.scrollWidth <= document.documentElement.clientWidth,
                     box.getAttribute('role'), box.getAttribute('aria-label')];"
        );
        let found = reviewer.client.execute(&script, vec![]).await.unwrap();
        assert_eq!(found[0], json!(true), "{path}: the table is wider than a phone and scrolls in its box");
        assert_eq!(found[1], json!(0), "{path}: the scroll region takes the keyboard");
        assert_eq!(found[2], json!("sticky"), "{path}: its first column stays");
        assert_eq!(found[3], json!(true), "{path}: the page itself does not scroll sideways");
        assert_eq!(found[4], json!("region"), "{path}");
        assert!(found[5].as_str().is_some_and(|l| !l.is_empty()), "{path}: named");
        let violations = reviewer.axe_violations(&["critical", "serious"]).await;
        let scroll: Vec<&String> = violations.iter().filter(|v| v.starts_with("scrollable-region-focusable")).collect();
        assert!(scroll.is_empty(), "{path}: {scroll:?}");
        let critical: Vec<&String> = violations.iter().filter(|v| v.contains("(critical)")).collect();
        assert!(critical.is_empty(), "{path}: {critical:?}");
    }
    reviewer.screenshot("dashboard-table-phone").await;
    reviewer.close().await;
}
