//! The dashboard (看板) in headless Chromium: what it draws and lists is what `/aggregates` answers
//! for the same query, a click on a bar goes one level down, and the viewers' protection shows.

use fantoccini::Locator;
use onetable_core::Role;
use onetable_store::Backend;
use onetable_tests::browser::{Browser, Window};
use onetable_tests::TestApp;
use serde_json::Value;

use super::pages::{last_year, signed_in};

/// Two villages of 兴义市 (a sensitive count of 3 in all: `<5` for a viewer) and one of 兴仁市.
async fn seeded() -> TestApp {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_catalogue();
    let approved = |village: &str, year: i32, registered: &str, aged: &str, disabled: &str| {
        app.seed_entry(
            village,
            &year.to_string(),
            "approved",
            &[("POP.REGISTERED", registered), ("POP.AGED_60", aged), ("POP.DISABLED", disabled)],
        );
    };
    let year = last_year();
    approved("522301100200", year, "1000", "100", "3");
    approved("522301100201", year, "3000", "900", "0");
    approved("522302101200", year, "12000", "1500", "12");
    // Two earlier years, for the trend.
    approved("522301100200", year - 2, "900", "80", "3");
    approved("522301100201", year - 2, "2800", "700", "0");
    approved("522302101200", year - 2, "11000", "1200", "11");
    approved("522301100200", year - 1, "950", "90", "3");
    approved("522301100201", year - 1, "2900", "800", "0");
    approved("522302101200", year - 1, "11600", "1400", "12");
    app.add_user("zhou_viewer", Role::Viewer, Some("5223"), None);
    app
}

/// The page's table: region code → indicator code → the cell's text.
async fn table(browser: &Browser) -> Vec<(String, String, String)> {
    let cells = browser
        .client
        .execute(
            "return [...document.querySelectorAll('#aggregate-table tbody td[data-code]')].map((td) =>
               [td.closest('tr').dataset.region, td.dataset.code, td.textContent])",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(cells).unwrap()
}

/// What the chart with this id drew first: one value per bar or point, `null` where none is drawn.
async fn bars(browser: &Browser, id: &str) -> Vec<Value> {
    let script = format!("return echarts.getInstanceByDom(document.getElementById('{id}')).getOption().series[0].data");
    serde_json::from_value(browser.client.execute(&script, vec![]).await.unwrap()).unwrap()
}

/// The API's value as the table writes it: digits with separators, `<5` and `—` as they are.
fn as_written(value: &Value) -> String {
    match value {
        Value::Null => "—".to_owned(),
        Value::String(s) => s.clone(),
        Value::Number(n) => {
            let n = n.as_f64().unwrap();
            let whole = n.trunc() as i64;
            let digits = whole.abs().to_string();
            let mut grouped = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    grouped.push(',');
                }
                grouped.push(c);
            }
            let sign = if whole < 0 { "-" } else { "" };
            let fraction = ((n - n.trunc()).abs() * 100.0).round() as i64;
            match fraction {
                0 => format!("{sign}{grouped}"),
                f if f % 10 == 0 => format!("{sign}{grouped}.{}", f / 10),
                f => format!("{sign}{grouped}.{f:02}"),
            }
        }
        other => other.to_string(),
    }
}

/// Waits until the element's `data-drawn` says `what`.
async fn wait_for_data(browser: &Browser, css: &str, what: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let script = format!("const e = document.querySelector('{css}'); return e ? e.dataset.drawn || '' : ''");
    loop {
        let drawn = browser.client.execute(&script, vec![]).await.unwrap();
        if drawn == what {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{css} not drawn: {what} (is {drawn}) on {}",
            browser.page_text().await
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn wait_drawn(browser: &Browser, what: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let drawn = browser.client.execute("return document.body.dataset.drawn || ''", vec![]).await.unwrap();
        if drawn == what {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not drawn: {what} (is {drawn}) on {}",
            browser.page_text().await
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_viewer_lands_on_the_dashboard_whose_charts_and_table_are_the_apis_aggregates_and_drills_down() {
    let app = seeded().await;
    let year = last_year();
    let Some(browser) = signed_in(&app, Window::Desktop, "zhou_viewer").await else { return };
    wait_drawn(&browser, &format!("522300000000/{year}")).await;
    assert_eq!(browser.client.current_url().await.unwrap().path(), "/dashboard", "a viewer's page is the dashboard");
    browser.client.execute(
        "window.violations = []; document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.violatedDirective));",
        vec![],
    ).await.unwrap();

    // A third indicator, found in the registry by its Chinese name.
    browser.fill("#indicator-search", "残疾").await;
    browser.wait_for_text("#suggestions button[data-code=\"POP.DISABLED\"]", "持证残疾人").await;
    browser.click("#suggestions button[data-code=\"POP.DISABLED\"]").await;
    browser.wait_for_text("#picked", "持证残疾人").await;
    wait_drawn(&browser, &format!("522300000000/{year}")).await;
    browser.wait_for_text("[id=\"chart-POP.DISABLED\"]", "").await;

    let viewer = app.login("zhou_viewer", onetable_tests::PASSWORD).await;
    let query = format!(
        "/api/v1/aggregates?indicators=POP.REGISTERED,DER.AGEING_RATE,POP.DISABLED&within=522300000000&period={year}"
    );
    let (status, answer) = app.get_as(&viewer, &query).await;
    assert_eq!(status, 200, "{answer}");
    let rows = answer["rows"].as_array().unwrap();
    let expected: Vec<(String, String, String)> = rows
        .iter()
        .flat_map(|row| {
            ["POP.REGISTERED", "DER.AGEING_RATE", "POP.DISABLED"].map(|code| {
                (row["code"].as_str().unwrap().to_owned(), code.to_owned(), as_written(&row["values"][code]))
            })
        })
        .collect();
    assert_eq!(table(&browser).await, expected, "the table is the API's answer");
    for code in ["POP.REGISTERED", "DER.AGEING_RATE", "POP.DISABLED"] {
        let drawn = bars(&browser, &format!("chart-{code}")).await;
        let answered: Vec<Value> = rows
            .iter()
            .map(|r| if r["values"][code].is_number() { r["values"][code].clone() } else { Value::Null })
            .collect();
        assert_eq!(drawn, answered, "{code}: one bar per county, none where the API gives no number");
    }
    let xingyi = rows.iter().position(|r| r["code"] == "522301000000").unwrap();
    assert_eq!(rows[xingyi]["values"]["POP.DISABLED"], "<5");
    let cell = browser
        .wait_for_text("#aggregate-table tr[data-region=\"522301000000\"] td[data-code=\"POP.DISABLED\"]", "<5")
        .await;
    assert_eq!(cell, "<5", "suppressed, not drawn as zero");
    browser.wait_for_text("[id=\"chart-POP.DISABLED\"]", "").await;
    let axis = browser
        .client
        .execute(
            "return echarts.getInstanceByDom(document.getElementById('chart-POP.DISABLED')).getOption().yAxis[0].data",
            vec![],
        )
        .await
        .unwrap();
    assert!(axis.as_array().unwrap().contains(&Value::from("兴义市（<5）")), "{axis}");
    browser.wait_for_text("#as-of", "数据截至").await;
    browser.screenshot("dashboard-desktop").await;

    // 趋势: the last three years of the first indicator in one request, drawn as the API gives them.
    let periods = format!("{}..{year}", year - 2);
    wait_for_data(&browser, "#trend", &format!("POP.REGISTERED/{periods}")).await;
    let (_, trend) = app
        .get_as(
            &viewer,
            &format!("/api/v1/aggregates/series?indicators=POP.REGISTERED&within=522300000000&periods={periods}"),
        )
        .await;
    let totals: Vec<Value> =
        trend["series"].as_array().unwrap().iter().map(|p| p["total"]["values"]["POP.REGISTERED"].clone()).collect();
    assert_eq!(totals, [14700, 15450, 16000], "{trend}");
    assert_eq!(bars(&browser, "trend-total").await, totals, "the region's line is the API's series");
    browser.client.execute("document.getElementById('trend').scrollIntoView()", vec![]).await.unwrap();
    browser.screenshot("dashboard-trend-desktop").await;

    // A click on 兴义市's bar: its townships; then 敬南镇's: its villages, where the sensitive
    // indicator is withheld and named as such.
    let point = browser
        .client
        .execute(
            &format!(
                "const c = echarts.getInstanceByDom(document.getElementById('chart-POP.REGISTERED'));
                 return c.convertToPixel({{seriesIndex: 0}}, [{} / 2, {xingyi}]);",
                rows[xingyi]["values"]["POP.REGISTERED"]
            ),
            vec![],
        )
        .await
        .unwrap();
    let (x, y) = (point[0].as_f64().unwrap(), point[1].as_f64().unwrap());
    browser.click_at("[id=\"chart-POP.REGISTERED\"]", x, y).await;
    wait_drawn(&browser, &format!("522301000000/{year}")).await;
    browser.wait_for_text("#breadcrumb", "兴义市").await;
    browser.wait_for_text("h1", "按乡镇（街道）").await;
    browser.click("#aggregate-table a[data-region=\"522301100000\"]").await;
    wait_drawn(&browser, &format!("522301100000/{year}")).await;
    let withheld = browser.wait_for_text("#withheld", "已隐去").await;
    assert!(withheld.contains("持证残疾人"), "{withheld}");
    assert!(browser.client.find(Locator::Css("[id=\"chart-POP.DISABLED\"]")).await.is_err(), "withheld is not drawn");
    let cell = browser
        .wait_for_text("#aggregate-table tr[data-region=\"522301100200\"] td[data-code=\"POP.REGISTERED\"]", "1")
        .await;
    assert_eq!(cell, "1,000");

    // The breadcrumb goes back up to the prefecture.
    browser.click("#breadcrumb a[data-region=\"522300000000\"]").await;
    wait_drawn(&browser, &format!("522300000000/{year}")).await;
    let violations = browser.client.execute("return window.violations", vec![]).await.unwrap();
    assert_eq!(violations, Value::Array(vec![]), "the charts live with the strict CSP");
    browser.close().await;
}

#[tokio::test]
async fn the_dashboard_is_one_column_on_a_phone_and_fills_a_wall_screen() {
    let app = seeded().await;
    let year = last_year();
    let Some(phone) = signed_in(&app, Window::Phone, "zhou_viewer").await else { return };
    wait_drawn(&phone, &format!("522300000000/{year}")).await;
    assert_eq!(phone.phone_layout_problems().await, Vec::<String>::new());
    let columns = phone
        .client
        .execute(
            "return getComputedStyle(document.querySelector('.chart-grid')).gridTemplateColumns.split(' ').length",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(columns, 1, "one column on a phone");
    phone.screenshot("dashboard-phone").await;
    phone.close().await;

    let Some(wall) = signed_in(&app, Window::Wall, "zhou_viewer").await else { return };
    wait_drawn(&wall, &format!("522300000000/{year}")).await;
    let columns = wall
        .client
        .execute(
            "return getComputedStyle(document.querySelector('.chart-grid')).gridTemplateColumns.split(' ').length",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(columns, 3, "three columns on a wall screen");
    wall.screenshot("dashboard-wall").await;
    wall.close().await;
}

#[tokio::test]
async fn an_admin_saves_the_view_as_a_dashboard_and_the_viewer_lands_on_it() {
    let app = seeded().await;
    app.add_user("zhou_admin", Role::Admin, Some("5223"), None);
    let year = last_year();
    let Some(admin) = signed_in(&app, Window::Desktop, "zhou_admin").await else { return };
    admin.wait_for_text("#dashboard-link", "看板").await;
    admin.click("#dashboard-link").await;
    wait_drawn(&admin, &format!("522300000000/{year}")).await;
    admin.click("#compose summary").await;
    admin.fill("#compose-name", "黔西南州基础数据看板").await;
    admin.click("#compose-save").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let id = loop {
        let url = admin.client.current_url().await.unwrap();
        if let Some((_, id)) = url.query_pairs().find(|(k, _)| k == "id") {
            break id.into_owned();
        }
        assert!(std::time::Instant::now() < deadline, "not saved: {}", admin.page_text().await);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    wait_drawn(&admin, &format!("dashboard/{id}")).await;
    admin.close().await;

    let Some(viewer) = signed_in(&app, Window::Desktop, "zhou_viewer").await else { return };
    wait_drawn(&viewer, &format!("dashboard/{id}")).await;
    let url = viewer.client.current_url().await.unwrap();
    assert_eq!((url.path(), url.query()), ("/dashboard", Some(format!("id={id}").as_str())), "landed on the saved one");
    viewer.wait_for_text("#board-name", "黔西南州基础数据看板").await;
    let token = app.login("zhou_viewer", onetable_tests::PASSWORD).await;
    let (_, answer) = app
        .get_as(
            &token,
            &format!("/api/v1/aggregates?indicators=POP.REGISTERED,DER.AGEING_RATE&within=522300000000&level=county&period={year}"),
        )
        .await;
    for code in ["POP.REGISTERED", "DER.AGEING_RATE"] {
        let answered: Vec<Value> = answer["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| if r["values"][code].is_number() { r["values"][code].clone() } else { Value::Null })
            .collect();
        assert_eq!(bars(&viewer, &format!("item-1-{code}")).await, answered, "{code} in the saved dashboard");
    }
    let cell = viewer
        .wait_for_text("#item-3-table tr[data-region=\"522302000000\"] td[data-code=\"POP.REGISTERED\"]", "1")
        .await;
    assert_eq!(cell, "12,000");
    viewer.screenshot("saved-dashboard-desktop").await;
    viewer.close().await;
}

#[tokio::test]
async fn a_nationwide_viewer_starts_at_the_provinces_and_goes_down() {
    let app = seeded().await;
    app.add_user("guo_viewer", Role::Viewer, None, None);
    let year = last_year();
    let Some(browser) = signed_in(&app, Window::Desktop, "guo_viewer").await else { return };
    wait_drawn(&browser, &format!("/{year}")).await;
    browser.wait_for_text("#breadcrumb", "全国").await;
    browser.wait_for_text("h1", "按省").await;
    let cell = browser
        .wait_for_text("#aggregate-table tr[data-region=\"520000000000\"] td[data-code=\"POP.REGISTERED\"]", "1")
        .await;
    assert_eq!(cell, "16,000");
    browser.click("#aggregate-table a[data-region=\"520000000000\"]").await;
    wait_drawn(&browser, &format!("520000000000/{year}")).await;
    browser.click("#breadcrumb a[data-region=\"\"]").await;
    wait_drawn(&browser, &format!("/{year}")).await;
    browser.close().await;
}

#[tokio::test]
async fn the_dashboard_moves_live_as_a_reviewer_approves() {
    let app = seeded().await;
    app.add_user("jn_reviewer", Role::Reviewer, Some("522301100"), None);
    let year = last_year();
    // A submitted form, not yet counted.
    app.seed_entry("522301100202", &year.to_string(), "submitted", &[("POP.REGISTERED", "500"), ("POP.AGED_60", "50")]);
    let Some(browser) = signed_in(&app, Window::Desktop, "zhou_viewer").await else { return };
    wait_drawn(&browser, &format!("522300000000/{year}")).await;
    browser.client.goto(&app.url(&format!("/dashboard?within=522300000000&period={year}&refresh=1"))).await.unwrap();
    let cell = "#aggregate-table tr[data-region=\"522301000000\"] td[data-code=\"POP.REGISTERED\"]";
    assert_eq!(browser.wait_for_text(cell, "4").await, "4,000");

    let reviewer = app.login("jn_reviewer", onetable_tests::PASSWORD).await;
    let entry = format!("/api/v1/entries/522301100202/{year}");
    let revision = app.get_as(&reviewer, &entry).await.1["revision"].as_i64().unwrap();
    let approved = app
        .client
        .post(app.url(&format!("{entry}/approve")))
        .bearer_auth(&reviewer)
        .header("if-match", format!("\"{revision}\""))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), 200);
    // No reload: the page reads the numbers again by itself.
    assert_eq!(browser.wait_for_text(cell, "4,5").await, "4,500");
    browser.close().await;
}
