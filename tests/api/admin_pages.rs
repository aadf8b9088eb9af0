//! An admin's user management and burden pages in headless Chromium.

use onetable_core::Role;
use onetable_store::Backend;
use onetable_tests::browser::Window;
use onetable_tests::{TestApp, PASSWORD};
use serde_json::{json, Value};

use super::pages::{last_year, signed_in};

async fn login_status(app: &TestApp, username: &str, password: &str) -> u16 {
    app.sign_in(username, password).await.0.as_u16()
}

/// Chooses `path` in the file input `css`, as a person picking a file would.
async fn choose_file(browser: &onetable_tests::browser::Browser, css: &str, path: &std::path::Path) {
    let input = browser.client.find(fantoccini::Locator::Css(css)).await.unwrap();
    input.send_keys(&path.display().to_string()).await.unwrap();
}

#[tokio::test]
async fn an_admin_creates_an_account_resets_its_password_and_disables_it() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.add_user("zhou_admin", Role::Admin, Some("5223"), None);
    let Some(browser) = signed_in(&app, Window::Desktop, "zhou_admin").await else { return };
    browser.wait_for_text("#users-link", "用户管理").await;
    browser.click("#users-link").await;
    browser.wait_for_text("#users h1", "用户管理").await;
    browser.fill("#u-username", "wu_clerk").await;
    browser.fill("#u-display_name", "吴文").await;
    browser.fill("#u-region", "522301100201").await;
    browser.fill("#u-password", "short").await;
    browser.click("#u-save").await;
    let refused = browser.wait_for_text("#user-form [data-field=\"password\"] .error", "密码").await;
    assert!(refused.contains("10"), "a short password is refused at its field, saying why: {refused}");
    browser.client.execute("document.getElementById('u-password').value = ''", vec![]).await.unwrap();
    browser.fill("#u-password", "Wu-clerk-2025!x").await;
    browser.click("#u-save").await;
    browser.wait_for_text("li.user[data-username=\"wu_clerk\"]", "吴文").await;
    // The list names the account's region, as the form it was picked in did.
    let reader = app.user_token("reader_admin", Role::Admin, Some("5223"), None).await;
    let (_, village) = app.get_as(&reader, "/api/v1/regions/522301100201").await;
    let listed = browser.wait_for_text("li.user[data-username=\"wu_clerk\"]", village["name"].as_str().unwrap()).await;
    assert!(!listed.contains("522301100201"), "a name, not a code: {listed}");
    browser.screenshot("users-desktop").await;
    assert_eq!(login_status(&app, "wu_clerk", "Wu-clerk-2025!x").await, 200);

    browser.fill("#pw-wu_clerk", "Wu-clerk-2026!y").await;
    browser.click("li.user[data-username=\"wu_clerk\"] button[data-action=\"reset\"]").await;
    browser.wait_for_text("li.user[data-username=\"wu_clerk\"] .user-actions", "密码已重置").await;
    assert_eq!(login_status(&app, "wu_clerk", "Wu-clerk-2025!x").await, 401, "the old password no longer works");
    assert_eq!(login_status(&app, "wu_clerk", "Wu-clerk-2026!y").await, 200);

    browser.click("li.user[data-username=\"wu_clerk\"] button[data-action=\"disable\"]").await;
    browser.wait_for_text("li.user[data-username=\"wu_clerk\"] .status", "已停用").await;
    assert_ne!(login_status(&app, "wu_clerk", "Wu-clerk-2026!y").await, 200, "a disabled account cannot sign in");
    browser.close().await;
}

#[tokio::test]
async fn an_admin_imports_the_staff_sheet_and_a_new_clerk_chooses_a_password_at_first_sign_in() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_catalogue();
    app.add_user("qian_admin", Role::Admin, Some("5223"), None);
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "用户名,姓名,角色,所辖地区\nzz_clerk,赵,村级填报员,团结村\n").unwrap();
    let good = dir.path().join("staff.csv");
    std::fs::write(&good, "用户名,姓名,角色,所辖地区,电话\nwjp_li,李明,村级填报员,敬南镇/吴家坪村,13800000000\nbl_wang,王芳,村级填报员,敬南镇/必亮村,\n")
        .unwrap();
    let Some(browser) = signed_in(&app, Window::Desktop, "qian_admin").await else { return };
    browser.wait_for_text("#users-link", "用户管理").await;
    browser.click("#users-link").await;
    browser.wait_for_text("#user-import h2", "批量导入账户").await;

    choose_file(&browser, "#import-file", &bad).await;
    browser.click("#import-check").await;
    let said = browser.wait_for_text("#import-result", "对应多个地区").await;
    assert!(said.contains("不能导入 1"), "{said}");
    let disabled =
        browser.client.execute("return document.getElementById('import-run').disabled", vec![]).await.unwrap();
    assert_eq!(disabled, Value::Bool(true), "a refused row leaves nothing to import");

    browser.client.execute("document.getElementById('import-file').value = ''", vec![]).await.unwrap();
    choose_file(&browser, "#import-file", &good).await;
    browser.click("#import-check").await;
    browser.wait_for_text("#import-summary", "将创建 2").await;
    browser.screenshot("users-import-checked").await;
    browser.click("#import-run").await;
    browser.wait_for_text("#initial-passwords", "已创建 2 个账户").await;
    browser.wait_for_text("#users", "wjp_li").await;
    let password: String = serde_json::from_value(
        browser
            .client
            .execute("return document.querySelector('#initial-passwords td.password').textContent", vec![])
            .await
            .unwrap(),
    )
    .unwrap();
    browser.screenshot("users-import-passwords").await;
    browser.click("#save-passwords").await;
    let (name, bytes) = browser.downloaded(".csv").await;
    let sheet = String::from_utf8(bytes).unwrap();
    assert!(sheet.starts_with('\u{feff}') && sheet.contains(&password), "{name}: {sheet}");
    browser.close().await;

    // The new clerk's first sign-in, on a phone: straight to choosing a password, then the form.
    let Some(phone) = onetable_tests::browser::Browser::start(Window::Phone).await else { return };
    phone.client.goto(&app.url("/login")).await.unwrap();
    phone.fill("#username", "wjp_li").await;
    phone.fill("#password", &password).await;
    phone.click("#login-submit").await;
    phone.wait_for_text("#password-title", "请先设置您自己的密码").await;
    phone.fill("#current", &password).await;
    phone.fill("#new", "Li-ming-own-2025").await;
    phone.fill("#confirm", "Li-ming-own-2026").await;
    phone.click("#password-submit").await;
    phone.wait_for_text("[data-field=\"confirm\"] .error", "不一致").await;
    phone.client.execute("document.getElementById('confirm').value = ''", vec![]).await.unwrap();
    phone.fill("#confirm", "Li-ming-own-2025").await;
    phone.screenshot("password-first-sign-in-phone").await;
    assert!(phone.phone_layout_problems().await.is_empty());
    phone.click("#password-submit").await;
    phone.wait_for_text("#worklist li", "报表").await;
    assert_eq!(login_status(&app, "wjp_li", "Li-ming-own-2025").await, 200);
    phone.close().await;
}

#[tokio::test]
async fn the_burden_page_charts_each_department_as_the_api_counts_it() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_catalogue();
    let year = last_year().to_string();
    app.seed_entry("522301100200", &year, "approved", &[("POP.REGISTERED", "1000")]);
    app.add_user("zhou_admin", Role::Admin, Some("5223"), None);
    let admin = app.login("zhou_admin", PASSWORD).await;
    for (department, indicators) in
        [("民政局", vec!["POP.REGISTERED", "POP.AGED_60"]), ("卫健委", vec!["POP.REGISTERED"])]
    {
        let person = format!("dept_{}", indicators.len());
        app.add_user(&person, Role::Department, Some("5223"), Some(department));
        let token = app.login(&person, PASSWORD).await;
        let body = json!({"title": "统计", "purpose": "规划", "indicators": indicators, "region": "5223", "periods": [year], "expires_at": "2099-12-31"});
        let (status, filed) = app.send_json(reqwest::Method::POST, &token, "/api/v1/data-requests", &body).await;
        assert_eq!(status, 201, "{filed}");
        let id = filed["id"].as_i64().unwrap();
        let (status, _) = app
            .send_json(reqwest::Method::POST, &admin, &format!("/api/v1/data-requests/{id}/approve"), &json!({}))
            .await;
        assert_eq!(status, 200);
        assert_eq!(
            app.get_as(&token, &format!("/api/v1/data-requests/{id}/data?period={year}&level=county")).await.0,
            200
        );
    }
    let (_, burden) = app.get_as(&admin, "/api/v1/burden").await;

    let Some(browser) = signed_in(&app, Window::Desktop, "zhou_admin").await else { return };
    browser.wait_for_text("#burden-link", "减负成效").await;
    browser.click("#burden-link").await;
    browser.wait_for_text("#f-requests", "2").await;
    let drawn = browser
        .client
        .execute(
            "const o = echarts.getInstanceByDom(document.getElementById('burden-chart')).getOption();
             return [o.yAxis[0].data, o.series.map((s) => s.data)]",
            vec![],
        )
        .await
        .unwrap();
    let departments: Vec<Value> =
        burden["by_department"].as_array().unwrap().iter().map(|d| d["department"].clone()).collect();
    let counts = |field: &str| -> Vec<Value> {
        burden["by_department"].as_array().unwrap().iter().map(|d| d[field].clone()).collect()
    };
    assert_eq!(drawn[0], Value::Array(departments));
    assert_eq!(
        drawn[1],
        json!([counts("indicators_requested"), counts("indicators_shared"), counts("pulls_this_month")])
    );
    assert_eq!(counts("indicators_shared"), [json!(1), json!(1)], "POP.REGISTERED is asked by both: {burden}");
    browser.screenshot("burden-desktop").await;
    browser.close().await;
}

#[tokio::test]
async fn an_admin_brings_earlier_years_in_through_the_page_refused_cells_first() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_catalogue();
    app.add_user("sun_admin", Role::Admin, Some("522301"), None);
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("2021-bad.csv");
    std::fs::write(&bad, "区划代码,户籍人口,户籍户数\n522301100200,1200,300\n522301100201,很多,280\n").unwrap();
    let good = dir.path().join("2021.csv");
    std::fs::write(&good, "区划代码,户籍人口,户籍户数\n522301100200,1200,300\n522301100201,1100,280\n").unwrap();
    let Some(browser) = signed_in(&app, Window::Desktop, "sun_admin").await else { return };
    browser.wait_for_text("#imports-link", "历年数据导入").await;
    browser.click("#imports-link").await;
    browser.wait_for_text("#history-import h1", "历年数据导入").await;
    browser.fill("#import-period", "2021").await;
    choose_file(&browser, "#import-file", &bad).await;
    browser.click("#import-check").await;
    let refused = browser.wait_for_text("#import-problems", "整个文件不会导入").await;
    assert!(refused.contains("户籍人口") && refused.contains('3'), "the cell at its row and column: {refused}");
    browser.client.execute("document.getElementById('import-file').value = ''", vec![]).await.unwrap();
    choose_file(&browser, "#import-file", &good).await;
    browser.click("#import-check").await;
    browser.wait_for_text("#import-summary", "将新增 4 个").await;
    browser.screenshot("history-import-checked").await;
    browser.click("#import-run").await;
    browser.wait_for_text("#import-summary", "已新增 4 个").await;
    browser.close().await;
    let admin = app.login("sun_admin", PASSWORD).await;
    let (_, entry) = app.get_as(&admin, "/api/v1/entries/522301100201/2021").await;
    let stored = entry["values"].as_array().unwrap().iter().find(|c| c["code"] == "POP.REGISTERED").unwrap().clone();
    assert_eq!(stored["value"], json!(1100), "{entry}");
}
