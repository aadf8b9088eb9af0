//! The web pages in headless Chromium: signing in on a phone-sized window, the session cookie as
//! the browser holds it, names rendered as text. Skipped without a Chromium, unless
//! `ONETABLE_REQUIRE_BROWSER` is set.

use chrono::Datelike;
use diesel::RunQueryDsl;
use fantoccini::Locator;
use onetable_core::Role;
use onetable_store::Backend;
use onetable_tests::browser::{Browser, Window};
use onetable_tests::{TestApp, PASSWORD};

/// The last closed year in China: the annual form that is due.
pub(super) fn last_year() -> i32 {
    (chrono::Utc::now() + chrono::TimeDelta::hours(8)).year() - 1
}

/// A server with the catalogue and the village's clerk.
async fn with_clerk() -> TestApp {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_catalogue();
    app.add_user("li_clerk", Role::Clerk, Some("522301100200"), None);
    app
}

pub(super) async fn signed_in(app: &TestApp, window: Window, username: &str) -> Option<Browser> {
    let browser = Browser::start(window).await?;
    browser.client.goto(&app.url("/")).await.unwrap();
    // Not signed in: the home page sends the browser to the login page.
    browser.wait_for_text("h1", "一张表").await;
    assert!(browser.client.current_url().await.unwrap().path() == "/login");
    browser.fill("#username", username).await;
    browser.fill("#password", PASSWORD).await;
    if matches!(window, Window::Phone) {
        browser.screenshot("login-phone").await;
    }
    browser.click("#login-submit").await;
    Some(browser)
}

#[tokio::test]
async fn a_clerk_signs_in_on_a_phone_sees_the_forms_due_and_the_session_is_an_httponly_cookie() {
    let app = with_clerk().await;
    let last_year = last_year();
    let Some(browser) = signed_in(&app, Window::Phone, "li_clerk").await else { return };
    browser.wait_for_text("#who", "吴家坪村村民委员会").await;
    browser.wait_for_text("#main h1", "吴家坪村村民委员会").await;
    let first = browser.wait_for_text("#worklist li", "报表").await;
    assert!(first.contains(&format!("{last_year}年报表")) && first.contains("未开始"), "{first}");
    browser.wait_for_text("#usage", "还没有部门调取过本村的数据").await;
    let cookie = browser.client.get_named_cookie("onetable_session").await.unwrap();
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(format!("{:?}", cookie.same_site()), "Some(Strict)");
    let script_sees: String =
        serde_json::from_value(browser.client.execute("return document.cookie", vec![]).await.unwrap()).unwrap();
    assert!(!script_sees.contains("onetable_session"), "the page's scripts must not read the token");
    let width = browser.client.execute("return document.documentElement.scrollWidth", vec![]).await.unwrap();
    assert!(width.as_u64().unwrap() <= 360, "no horizontal scroll at 360 px: {width}");
    browser.screenshot("home-phone").await;

    browser.click("#logout").await;
    browser.wait_for_text("#login-submit", "登录").await;
    browser.client.goto(&app.url("/")).await.unwrap();
    browser.wait_for_text("#login-submit", "登录").await;
    browser.close().await;
}

#[tokio::test]
async fn a_wrong_password_is_answered_in_chinese_on_the_page() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.add_user("li_clerk", Role::Clerk, Some("522301100200"), None);
    let Some(browser) = Browser::start(Window::Desktop).await else { return };
    browser.client.goto(&app.url("/login")).await.unwrap();
    browser.fill("#username", "li_clerk").await;
    browser.fill("#password", "Wrong-pass-2025").await;
    browser.click("#login-submit").await;
    browser.wait_for_text("#login-error", "用户名或密码错误").await;
    browser.close().await;
}

#[tokio::test]
async fn a_village_or_indicator_name_with_markup_renders_as_text() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_catalogue();
    let name = "<img src=x onerror=alert(1)>村";
    diesel::sql_query(format!("UPDATE regions SET name = '{name}' WHERE code = '522301100200'"))
        .execute(&mut app.db.conn().unwrap())
        .unwrap();
    app.add_user("li_clerk", Role::Clerk, Some("522301100200"), None);
    let Some(browser) = signed_in(&app, Window::Desktop, "li_clerk").await else { return };
    assert_eq!(browser.wait_for_text("#main h1", "onerror").await, name);
    assert!(browser.client.find(Locator::Css("#main img")).await.is_err(), "no element was made of the name");

    // An indicator's name too, on the form.
    let indicator = "<img src=x onerror=alert(2)>户数";
    diesel::sql_query(format!("UPDATE indicators SET name = '{indicator}' WHERE code = 'POP.HOUSEHOLDS'"))
        .execute(&mut app.db.conn().unwrap())
        .unwrap();
    browser.client.goto(&app.url(&format!("/form?period={}", last_year()))).await.unwrap();
    let label = browser.wait_for_text("label[for=\"f-POP.HOUSEHOLDS\"]", "onerror").await;
    assert_eq!(label, format!("{indicator}（户）"));
    assert!(browser.client.find(Locator::Css("#main img")).await.is_err(), "no element was made of the name");
    browser.close().await;
}

#[tokio::test]
async fn a_clerk_opens_the_form_from_home_saves_a_field_and_sees_an_out_of_range_value_refused_at_it() {
    let app = with_clerk().await;
    let last_year = last_year();
    let Some(browser) = signed_in(&app, Window::Phone, "li_clerk").await else { return };
    browser.wait_for_text("#worklist li", "报表").await;
    browser.click(&format!("#worklist li[data-period=\"{last_year}\"] a")).await;
    browser.wait_for_text("#main h1", &format!("{last_year}年报表")).await;
    let label = browser.wait_for_text("label[for=\"f-POP.HOUSEHOLDS\"]", "户籍户数").await;
    assert_eq!(label, "户籍户数（户）");

    // A valid value is saved when the field is left.
    browser.fill("#f-POP\\.HOUSEHOLDS", "120").await;
    browser.click("#f-POP\\.REGISTERED").await; // leaving the first field fires its change
    browser.wait_for_text("[data-code=\"POP.HOUSEHOLDS\"] .save-state", "已保存").await;
    // Out of range: refused at the field in Chinese, before any request.
    browser.fill("#f-POP\\.REGISTERED", "-5").await;
    browser.click("#f-POP\\.MALE").await;
    let error = browser.wait_for_text("[data-code=\"POP.REGISTERED\"] .error", "不能小于").await;
    assert_eq!(error, "不能小于 0");
    browser.screenshot("form-phone").await;
    browser.click("[data-code=\"POP.HOUSEHOLDS\"] .history-button").await;
    let history = browser.wait_for_text("[data-code=\"POP.HOUSEHOLDS\"] .history", "→").await;
    assert!(history.contains("li_clerk：空 → 120（录入）"), "{history}");

    let clerk = app.login("li_clerk", PASSWORD).await;
    let (_, entry) = app.get_as(&clerk, &format!("/api/v1/entries/522301100200/{last_year}")).await;
    let values = entry["values"].as_array().unwrap();
    assert_eq!(values.len(), 1, "only the valid value was stored: {entry}");
    assert_eq!((values[0]["code"].as_str(), values[0]["value"].as_i64()), (Some("POP.HOUSEHOLDS"), Some(120)));
    assert_eq!(entry["revision"], 1);
    browser.close().await;
}

#[tokio::test]
async fn on_a_desktop_enter_moves_to_the_next_field_and_saves_the_one_left() {
    let app = with_clerk().await;
    let year = last_year();
    let Some(browser) = open_form(&app, Window::Desktop, year).await else { return };
    let next = browser
        .client
        .execute(
            "const all = [...document.querySelectorAll('.field input, .field select')];
             return all[all.indexOf(document.getElementById('f-POP.HOUSEHOLDS')) + 1].id",
            vec![],
        )
        .await
        .unwrap();
    let input = browser.client.find(Locator::Css("#f-POP\\.HOUSEHOLDS")).await.unwrap();
    input.send_keys("120\u{E007}").await.unwrap();
    let focused = browser.client.execute("return document.activeElement.id", vec![]).await.unwrap();
    assert_eq!(focused, next, "Enter went on to the next field");
    browser.wait_for_text("[data-code=\"POP.HOUSEHOLDS\"] .save-state", "已保存").await;
    browser.close().await;
}

fn seed_values(app: &TestApp, village: &str, period: &str, warning: bool) -> Vec<(String, String)> {
    let code = onetable_core::RegionCode::parse(village).unwrap();
    let values: Vec<(String, String)> = onetable_app::demo::village_values(code, warning).into_iter().collect();
    let pairs: Vec<(&str, &str)> = values.iter().map(|(c, v)| (c.as_str(), v.as_str())).collect();
    app.seed_entry(village, period, "draft", &pairs);
    values
}

#[tokio::test]
async fn a_section_is_confirmed_in_one_tap_after_showing_what_will_be_copied() {
    let app = with_clerk().await;
    let last_year = last_year();
    let before: std::collections::BTreeMap<String, String> =
        seed_values(&app, "522301100200", &(last_year - 1).to_string(), false).into_iter().collect();
    let Some(browser) = signed_in(&app, Window::Phone, "li_clerk").await else { return };
    browser.wait_for_text("#who", "吴家坪村").await;
    browser.client.goto(&app.url(&format!("/form?period={last_year}"))).await.unwrap();
    let previous = browser.wait_for_text("[data-code=\"POP.HOUSEHOLDS\"] .field-foot", "上期").await;
    assert!(previous.contains(&format!("上期：{}", before["POP.HOUSEHOLDS"])), "{previous}");

    browser.click("section[data-category=\"人口\"] .confirm-section").await;
    let panel = browser.wait_for_text(".confirm-panel", "将把以下").await;
    assert!(panel.contains(&format!("户籍户数：{} 户", before["POP.HOUSEHOLDS"])), "{panel}");
    browser.screenshot("confirm-phone").await;
    browser.click(".confirm-panel .confirm-copy").await;
    browser.wait_for_text("[data-code=\"POP.HOUSEHOLDS\"] .save-state", "已保存").await;
    let shown = browser.client.find(Locator::Css("#f-POP\\.HOUSEHOLDS")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(shown.as_deref(), Some(before["POP.HOUSEHOLDS"].as_str()));

    let clerk = app.login("li_clerk", PASSWORD).await;
    let (_, entry) = app.get_as(&clerk, &format!("/api/v1/entries/522301100200/{last_year}")).await;
    let stored: Vec<&str> = entry["values"].as_array().unwrap().iter().map(|v| v["code"].as_str().unwrap()).collect();
    assert!(
        stored.contains(&"POP.HOUSEHOLDS") && stored.iter().all(|c| c.starts_with("POP.")),
        "only 人口: {stored:?}"
    );
    assert!(entry["values"].as_array().unwrap().iter().all(|v| v["source"] == "carried_forward"));
    browser.close().await;
}

#[tokio::test]
async fn submit_is_refused_until_the_warning_is_explained_then_the_form_is_read_only() {
    let app = with_clerk().await;
    let last_year = last_year();
    seed_values(&app, "522301100200", &last_year.to_string(), true);
    let Some(browser) = signed_in(&app, Window::Desktop, "li_clerk").await else { return };
    browser.wait_for_text("#who", "吴家坪村").await;
    browser.client.goto(&app.url(&format!("/form?period={last_year}"))).await.unwrap();
    browser.wait_for_text("#submit", "提交").await;
    browser.click("#submit").await;
    let refusal = browser.wait_for_text("#submit-problems", "不能提交").await;
    assert!(refusal.contains("请核实"), "{refusal}");
    browser.screenshot("submit-refused-desktop").await;
    let why = browser.client.find(Locator::Css("[data-problem=\"explanation_required\"] textarea")).await.unwrap();
    why.send_keys("今年新修水渠，已现场核实").await.unwrap();
    browser.click("#submit").await;
    browser.wait_for_text("#entry-status", "已提交").await;
    let disabled =
        browser.client.execute("return document.getElementById('f-POP.HOUSEHOLDS').disabled", vec![]).await.unwrap();
    assert_eq!(disabled, serde_json::Value::Bool(true), "read-only after submit");

    let clerk = app.login("li_clerk", PASSWORD).await;
    let (_, entry) = app.get_as(&clerk, &format!("/api/v1/entries/522301100200/{last_year}")).await;
    assert_eq!(entry["status"], "submitted");
    browser.close().await;
}

#[tokio::test]
async fn a_reviewer_reads_the_explanation_returns_the_form_the_clerk_fixes_and_resubmits_and_it_is_approved() {
    let app = with_clerk().await;
    app.add_user("wang_reviewer", Role::Reviewer, Some("522301100"), None);
    let last_year = last_year();
    let seeded: std::collections::BTreeMap<String, String> =
        seed_values(&app, "522301100200", &last_year.to_string(), true).into_iter().collect();

    // The clerk explains the failing warning and submits.
    let Some(clerk) = signed_in(&app, Window::Phone, "li_clerk").await else { return };
    clerk.wait_for_text("#who", "吴家坪村").await;
    clerk.client.goto(&app.url(&format!("/form?period={last_year}"))).await.unwrap();
    clerk.wait_for_text("#submit", "提交").await;
    clerk.click("#submit").await;
    clerk.wait_for_text("#submit-problems", "不能提交").await;
    assert_eq!(clerk.phone_layout_problems().await, Vec::<String>::new(), "the refused form on a phone");
    clerk.fill("[data-problem=\"explanation_required\"] textarea", "含邻村共建的高标准农田").await;
    clerk.click("#submit").await;
    clerk.wait_for_text("#entry-status", "已提交").await;

    // The reviewer finds it in the queue, reads the explanation beside its rule, and returns it.
    let Some(reviewer) = signed_in(&app, Window::Desktop, "wang_reviewer").await else { return };
    let waiting = reviewer.wait_for_text("#review-queue li", "吴家坪村村民委员会").await;
    assert!(waiting.contains(&format!("{last_year}年报表")) && waiting.contains("敬南镇"), "{waiting}");
    let row = reviewer.wait_for_text("#progress tr[data-region=\"522301100200\"]", "吴家坪村").await;
    assert_eq!(
        row.split_whitespace().collect::<Vec<_>>(),
        ["吴家坪村村民委员会", "1", "0", "0", "1", "0", "0"],
        "{row}"
    );
    reviewer.screenshot("review-queue-desktop").await;
    reviewer.click("#review-queue li a").await;
    reviewer.wait_for_text("#entry-status", "待审核").await;
    let explained = reviewer.wait_for_text("[data-code=\"LAND.HIGH_STANDARD_MU\"] .explanation", "填报说明").await;
    assert!(explained.contains("含邻村共建的高标准农田"), "{explained}");
    reviewer.wait_for_text("h1", "吴家坪村村民委员会").await;
    reviewer
        .client
        .execute("document.querySelector('.explanation').scrollIntoView({block: 'center'})", vec![])
        .await
        .unwrap();
    reviewer.screenshot("review-form-desktop").await;
    let disabled = reviewer.client.execute("return document.getElementById('f-POP.HOUSEHOLDS').disabled", vec![]).await;
    assert_eq!(disabled.unwrap(), serde_json::Value::Bool(true), "the reviewer reads, does not edit");
    reviewer.click("#return").await;
    reviewer.wait_for_text("#review .error", "请填写退回意见").await;
    reviewer.fill("#review-comment", "高标准农田不应超过耕地，请核实").await;
    reviewer.click("#return").await;
    reviewer.wait_for_text("#entry-status", "已退回").await;

    // The clerk sees it first on the home page, fixes the value and submits again.
    clerk.client.goto(&app.url("/")).await.unwrap();
    let first = clerk.wait_for_text("#worklist li", "报表").await;
    assert!(first.contains("已退回") && first.contains("高标准农田不应超过耕地，请核实"), "returned first: {first}");
    assert_eq!(clerk.phone_layout_problems().await, Vec::<String>::new(), "the home page on a phone");
    clerk.click("#worklist li a").await;
    clerk.wait_for_text("#submit", "提交").await;
    assert_eq!(clerk.phone_layout_problems().await, Vec::<String>::new(), "the form on a phone");
    let fixed = (seeded["LAND.CULTIVATED_MU"].parse::<f64>().unwrap() / 2.0).round().to_string();
    enter(&clerk, "LAND.HIGH_STANDARD_MU", &fixed).await;
    clerk.wait_for_text("[data-code=\"LAND.HIGH_STANDARD_MU\"] .save-state", "已保存").await;
    let rules = clerk
        .client
        .execute("return document.querySelectorAll('[data-rule=\"R.HIGH_STANDARD_LE_CULTIVATED\"]').length", vec![])
        .await;
    assert_eq!(rules.unwrap(), 0, "the warning went with the fix");
    clerk.click("#submit").await;
    clerk.wait_for_text("#entry-status", "已提交").await;
    clerk.close().await;

    reviewer.client.goto(&app.url("/")).await.unwrap();
    reviewer.wait_for_text("#review-queue li", "吴家坪村").await;
    reviewer.click("#review-queue li a").await;
    reviewer.wait_for_text("#entry-status", "待审核").await;
    reviewer.click("#approve").await;
    reviewer.wait_for_text("#entry-status", "已通过").await;
    reviewer.close().await;

    let token = app.login("li_clerk", PASSWORD).await;
    let (_, entry) = app.get_as(&token, &format!("/api/v1/entries/522301100200/{last_year}")).await;
    assert_eq!(entry["status"], "approved");
    let stored = entry["values"].as_array().unwrap().iter().find(|v| v["code"] == "LAND.HIGH_STANDARD_MU").unwrap();
    assert_eq!(stored["value"].as_f64(), fixed.parse::<f64>().ok(), "{entry}");
}

#[tokio::test]
async fn the_reviewers_pages_fit_a_phone() {
    let app = with_clerk().await;
    app.add_user("wang_reviewer", Role::Reviewer, Some("522301100"), None);
    let last_year = last_year();
    seed_values(&app, "522301100200", &last_year.to_string(), false);
    onetable_store::entries::set_status(
        &mut app.db.conn().unwrap(),
        "522301100200",
        &last_year.to_string(),
        "submitted",
    )
    .unwrap();
    let Some(reviewer) = signed_in(&app, Window::Phone, "wang_reviewer").await else { return };
    reviewer.wait_for_text("#progress tr[data-region=\"522301100200\"]", "吴家坪村").await;
    assert_eq!(reviewer.phone_layout_problems().await, Vec::<String>::new(), "the queue on a phone");
    reviewer.screenshot("review-queue-phone").await;
    reviewer.click("#review-queue li a").await;
    reviewer.wait_for_text("#entry-status", "待审核").await;
    assert_eq!(reviewer.phone_layout_problems().await, Vec::<String>::new(), "a form under review on a phone");
    reviewer.close().await;
}

async fn open_form(app: &TestApp, window: Window, period: i32) -> Option<Browser> {
    let browser = signed_in(app, window, "li_clerk").await?;
    browser.wait_for_text("#who", "吴家坪村").await;
    browser.client.goto(&app.url(&format!("/form?period={period}"))).await.unwrap();
    browser.wait_for_text("label[for=\"f-POP.HOUSEHOLDS\"]", "户籍户数").await;
    Some(browser)
}

/// Types into a field and leaves it, which saves it.
async fn enter(browser: &Browser, code: &str, text: &str) {
    let css = format!("#f-{}", code.replace('.', "\\."));
    browser.fill(&css, text).await;
    browser.client.execute(&format!("document.getElementById('f-{code}').blur()"), vec![]).await.unwrap();
}

#[tokio::test]
async fn two_windows_on_one_field_nothing_is_overwritten_unseen_and_the_clerk_chooses() {
    let app = with_clerk().await;
    let year = last_year();
    let Some(first) = open_form(&app, Window::Desktop, year).await else { return };
    let Some(second) = open_form(&app, Window::Desktop, year).await else { return };
    enter(&first, "POP.HOUSEHOLDS", "120").await;
    first.wait_for_text("[data-code=\"POP.HOUSEHOLDS\"] .save-state", "已保存").await;
    enter(&first, "POP.MALE", "600").await;
    first.wait_for_text("[data-code=\"POP.MALE\"] .save-state", "已保存").await;

    // The same field, changed meanwhile in the other window: both values shown, nothing saved
    // until the clerk chooses.
    enter(&second, "POP.HOUSEHOLDS", "130").await;
    let conflict = second.wait_for_text("[data-code=\"POP.HOUSEHOLDS\"] .conflict", "请选择").await;
    assert!(conflict.contains("“120”") && conflict.contains("“130”"), "{conflict}");
    second.screenshot("conflict-desktop").await;
    let clerk = app.login("li_clerk", PASSWORD).await;
    let path = format!("/api/v1/entries/522301100200/{year}");
    let value_of = |entry: &serde_json::Value, code: &str| {
        entry["values"].as_array().unwrap().iter().find(|v| v["code"] == code).map(|v| v["value"].clone())
    };
    let (_, entry) = app.get_as(&clerk, &path).await;
    assert_eq!(value_of(&entry, "POP.HOUSEHOLDS"), Some(serde_json::json!(120)), "not overwritten unseen");
    let shown = second.client.execute("return document.getElementById('f-POP.MALE').value", vec![]).await.unwrap();
    assert_eq!(shown, "600", "the other window's change shows in an untouched field");
    second.click("[data-code=\"POP.HOUSEHOLDS\"] .keep-mine").await;
    second.wait_for_text("[data-code=\"POP.HOUSEHOLDS\"] .save-state", "已保存").await;

    // A stale save of a field nobody else changed goes through on the new revision, no question.
    enter(&first, "POP.FEMALE", "610").await;
    first.wait_for_text("[data-code=\"POP.FEMALE\"] .save-state", "已保存").await;
    let shown = first.client.execute("return document.getElementById('f-POP.HOUSEHOLDS').value", vec![]).await.unwrap();
    assert_eq!(shown, "130");
    let (_, entry) = app.get_as(&clerk, &path).await;
    assert_eq!(value_of(&entry, "POP.HOUSEHOLDS"), Some(serde_json::json!(130)));
    assert_eq!(value_of(&entry, "POP.MALE"), Some(serde_json::json!(600)));
    assert_eq!(value_of(&entry, "POP.FEMALE"), Some(serde_json::json!(610)));
    first.close().await;
    second.close().await;
}

#[tokio::test]
async fn a_session_that_ends_mid_form_asks_for_the_password_in_place_and_the_edit_is_then_saved() {
    let app = with_clerk().await;
    let year = last_year();
    let Some(browser) = open_form(&app, Window::Phone, year).await else { return };
    browser.client.delete_cookie("onetable_session").await.unwrap();
    enter(&browser, "POP.HOUSEHOLDS", "120").await;
    browser.wait_for_text(".relogin", "登录已过期").await;
    assert!(browser.client.current_url().await.unwrap().path() == "/form", "the page stays");
    browser.fill("#relogin-password", PASSWORD).await;
    browser.click("#relogin-submit").await;
    browser.wait_for_text("[data-code=\"POP.HOUSEHOLDS\"] .save-state", "已保存").await;
    let clerk = app.login("li_clerk", PASSWORD).await;
    let (_, entry) = app.get_as(&clerk, &format!("/api/v1/entries/522301100200/{year}")).await;
    assert_eq!(entry["values"][0]["value"], 120, "{entry}");
    browser.close().await;
}

#[tokio::test]
async fn the_reviewer_sees_what_changed_since_the_last_approval() {
    let app = with_clerk().await;
    app.add_user("wang_reviewer", Role::Reviewer, Some("522301100"), None);
    let year = last_year();
    let values: std::collections::BTreeMap<String, String> =
        seed_values(&app, "522301100200", &year.to_string(), false).into_iter().collect();
    let clerk = app.login("li_clerk", PASSWORD).await;
    let reviewer_token = app.login("wang_reviewer", PASSWORD).await;
    let entry = format!("/api/v1/entries/522301100200/{year}");
    let step = |token: String, method: reqwest::Method, path: String, revision: i64, body: serde_json::Value| {
        let request =
            app.client.request(method, app.url(&path)).bearer_auth(token).header("if-match", format!("\"{revision}\""));
        async move {
            let response = request.json(&body).send().await.unwrap();
            assert!(response.status().is_success(), "{path}: {}", response.status());
            response.json::<serde_json::Value>().await.unwrap()["revision"].as_i64().unwrap()
        }
    };
    let empty = serde_json::json!({});
    let r = step(clerk.clone(), reqwest::Method::POST, format!("{entry}/submit"), 1, empty.clone()).await;
    let r = step(reviewer_token.clone(), reqwest::Method::POST, format!("{entry}/approve"), r, empty.clone()).await;
    let reopen = serde_json::json!({"comment": "户数有误"});
    let r = step(clerk.clone(), reqwest::Method::POST, format!("{entry}/reopen"), r, reopen).await;
    let before: i64 = values["POP.HOUSEHOLDS"].parse().unwrap();
    let patch = serde_json::json!({"values": {"POP.HOUSEHOLDS": before + 3}});
    let r = step(clerk.clone(), reqwest::Method::PATCH, entry.clone(), r, patch).await;
    step(clerk, reqwest::Method::POST, format!("{entry}/submit"), r, empty).await;

    let Some(browser) = signed_in(&app, Window::Desktop, "wang_reviewer").await else { return };
    browser.wait_for_text("#review-queue li", "吴家坪村").await;
    browser.click("#review-queue li a").await;
    let note = browser.wait_for_text("[data-code=\"POP.HOUSEHOLDS\"] .changed-note", "自上次通过").await;
    assert!(note.ends_with(&format!("{before} → {}", before + 3)), "{note}");
    assert!(
        browser.client.find(Locator::Css("[data-code=\"POP.MALE\"] .changed-note")).await.is_err(),
        "unchanged: no note"
    );
    browser.close().await;
}

#[tokio::test]
async fn edits_made_offline_survive_a_reload_and_a_closed_tab_and_are_stored_once_when_the_network_returns() {
    let app = with_clerk().await;
    let year = last_year();
    let Some(browser) = open_form(&app, Window::Phone, year).await else { return };
    browser.set_offline(true).await;
    let edits = [("POP.HOUSEHOLDS", "120"), ("POP.REGISTERED", "400"), ("POP.MALE", "210")];
    for (code, text) in edits {
        enter(&browser, code, text).await;
    }
    browser.wait_for_text("[data-code=\"POP.MALE\"] .save-state", "待同步").await;
    browser.wait_for_text("#sync-banner", "有 3 项修改等待同步").await;

    // A reload with the network still cut: the three edits come back into their fields, waiting.
    browser.client.refresh().await.unwrap();
    browser.wait_for_text("#sync-banner", "有 3 项修改等待同步").await;
    for (code, text) in edits {
        browser.wait_for_text(&format!("[data-code=\"{code}\"] .save-state"), "待同步").await;
        let shown = browser.client.execute(&format!("return document.getElementById('f-{code}').value"), vec![]).await;
        assert_eq!(shown.unwrap(), text, "{code} after the reload");
    }
    browser.screenshot("offline-phone").await;
    let clerk = app.login("li_clerk", PASSWORD).await;
    let path = format!("/api/v1/entries/522301100200/{year}");
    let (_, entry) = app.get_as(&clerk, &path).await;
    assert_eq!(entry["revision"], 0, "nothing reached the server: {entry}");

    // The tab is closed while offline (a new one is opened first: a session needs a window); the
    // edits wait in the browser's storage, and the form opened again sends them.
    let closed = browser.client.window().await.unwrap();
    let fresh = browser.client.new_window(true).await.unwrap();
    browser.client.close_window().await.unwrap();
    browser.client.switch_to_window(fresh.handle).await.unwrap();
    assert!(!browser.client.windows().await.unwrap().contains(&closed));
    browser.set_offline(false).await;
    browser.client.goto(&app.url(&format!("/form?period={year}"))).await.unwrap();
    for (code, _) in edits {
        browser.wait_for_text(&format!("[data-code=\"{code}\"] .save-state"), "已保存").await;
    }
    let banner_hidden = browser.client.execute("return document.getElementById('sync-banner').hidden", vec![]).await;
    assert_eq!(banner_hidden.unwrap(), serde_json::Value::Bool(true));
    let (_, entry) = app.get_as(&clerk, &path).await;
    assert_eq!(entry["revision"], 3, "three saves, each once: {entry}");
    let values: Vec<(String, i64)> = entry["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["code"].as_str().unwrap().to_owned(), v["value"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        values,
        [("POP.HOUSEHOLDS".to_owned(), 120), ("POP.MALE".to_owned(), 210), ("POP.REGISTERED".to_owned(), 400)]
    );
    browser.close().await;
}

#[tokio::test]
async fn a_save_whose_answer_was_lost_is_not_applied_twice() {
    let app = with_clerk().await;
    let year = last_year();
    let Some(browser) = open_form(&app, Window::Desktop, year).await else { return };
    browser.set_offline(true).await;
    enter(&browser, "POP.HOUSEHOLDS", "120").await;
    browser.wait_for_text("[data-code=\"POP.HOUSEHOLDS\"] .save-state", "待同步").await;
    // As if that send had arrived and only its answer was lost: the server holds the value.
    let clerk = app.login("li_clerk", PASSWORD).await;
    let path = format!("/api/v1/entries/522301100200/{year}");
    let response = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&clerk)
        .header("if-match", "\"0\"")
        .json(&serde_json::json!({"values": {"POP.HOUSEHOLDS": 120}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    browser.set_offline(false).await;
    browser.wait_for_text("[data-code=\"POP.HOUSEHOLDS\"] .save-state", "已保存").await;
    let (_, entry) = app.get_as(&clerk, &path).await;
    assert_eq!(entry["revision"], 1, "the page's retry met a 412, saw its own value, and wrote nothing: {entry}");
    let (_, history) = app.get_as(&clerk, &format!("{path}/history")).await;
    let changes = history["items"].as_array().unwrap().iter().filter(|i| i["kind"] == "value").count();
    assert_eq!(changes, 1, "{history}");
    browser.close().await;
}

#[tokio::test]
async fn after_the_first_visit_the_form_opens_and_takes_edits_with_no_server_at_all() {
    let app = with_clerk().await;
    let year = last_year();
    let Some(browser) = open_form(&app, Window::Phone, year).await else { return };
    let ready = browser.client.execute("return navigator.serviceWorker.ready.then(() => true)", vec![]).await.unwrap();
    assert_eq!(ready, serde_json::Value::Bool(true), "the service worker is installed");
    app.stop_server().await;
    browser.client.refresh().await.unwrap();
    browser.wait_for_text("label[for=\"f-POP.HOUSEHOLDS\"]", "户籍户数").await;
    enter(&browser, "POP.HOUSEHOLDS", "120").await;
    browser.wait_for_text("[data-code=\"POP.HOUSEHOLDS\"] .save-state", "待同步").await;
    // A reload with no server: the form opens again and the edit is still there, waiting.
    browser.client.refresh().await.unwrap();
    browser.wait_for_text("#sync-banner", "有 1 项修改等待同步").await;
    let shown =
        browser.client.execute("return document.getElementById('f-POP.HOUSEHOLDS').value", vec![]).await.unwrap();
    assert_eq!(shown, "120");
    browser.close().await;
}
