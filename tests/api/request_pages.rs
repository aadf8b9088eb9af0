//! Data requests in headless Chromium: a department files one from the page, an admin approves it
//! on the review page, and what the department downloads is the API's pull.

use onetable_core::Role;
use onetable_store::Backend;
use onetable_tests::browser::{Browser, Window};
use onetable_tests::{TestApp, PASSWORD};
use reqwest::Method;

use super::pages::{last_year, signed_in};

async fn seeded() -> TestApp {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_catalogue();
    let year = last_year().to_string();
    for (village, registered) in [("522301100200", "1000"), ("522301100201", "3000"), ("522302101200", "12000")] {
        app.seed_entry(village, &year, "approved", &[("POP.REGISTERED", registered), ("POP.HOUSEHOLDS", "300")]);
    }
    app.add_user("mz_dept", Role::Department, Some("5223"), Some("民政局"));
    app.add_user("zhou_admin", Role::Admin, Some("5223"), None);
    app
}

/// The id of the newest request in the department's list.
async fn first_request_id(dept: &Browser) -> i64 {
    dept.client
        .execute("return Number(document.querySelector('#my-requests li.request').dataset.id)", vec![])
        .await
        .unwrap()
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_department_files_a_request_an_admin_approves_it_and_the_download_is_the_pull() {
    let app = seeded().await;
    let year = last_year();
    let Some(dept) = signed_in(&app, Window::Desktop, "mz_dept").await else { return };
    dept.wait_for_text("#request-form h2", "新建数据需求").await;
    assert_eq!(dept.client.current_url().await.unwrap().path(), "/requests", "a department's page is its requests");

    // The registry is searched as one types; a sensitive indicator says so.
    dept.fill("#req-search", "低保户数").await;
    let found = dept.wait_for_text("#req-suggestions button[data-code=\"SOC.DIBAO_HOUSEHOLDS\"]", "农村低保户数").await;
    assert!(found.contains("敏感"), "{found}");
    dept.client.execute("document.getElementById('req-search').value = ''", vec![]).await.unwrap();
    dept.fill("#req-search", "户籍人口").await;
    dept.wait_for_text("#req-suggestions button[data-code=\"POP.REGISTERED\"]", "户籍人口").await;
    dept.click("#req-suggestions button[data-code=\"POP.REGISTERED\"]").await;
    dept.wait_for_text("#req-picked", "户籍人口").await;
    // Without a title: refused at the field, in Chinese; nothing filed.
    dept.click("#req-submit").await;
    dept.wait_for_text("[data-field=\"req-title\"] .error", "请填写申请标题").await;
    dept.fill("#req-title", "养老服务设施规划用人口数").await;
    dept.fill("#req-purpose", "规划乡镇养老服务中心").await;
    let hidden =
        dept.client.execute("return document.querySelector('[data-field=\"req-title\"] .error').hidden", vec![]).await;
    assert_eq!(hidden.unwrap(), serde_json::Value::Bool(true), "the refusal went once the title was typed");
    dept.client.execute("document.getElementById('request-form').scrollIntoView()", vec![]).await.unwrap();
    dept.screenshot("request-form-desktop").await;
    dept.click("#req-submit").await;
    let filed = dept.wait_for_text("#my-requests li.request", "待审核").await;
    assert!(filed.contains("养老服务设施规划用人口数") && filed.contains("户籍人口（POP.REGISTERED）"), "{filed}");
    let id = first_request_id(&dept).await;

    // The admin finds it in the review queue and approves it.
    let Some(admin) = signed_in(&app, Window::Desktop, "zhou_admin").await else { return };
    admin.wait_for_text("#requests-link", "数据需求审核").await;
    admin.click("#requests-link").await;
    let pending = admin.wait_for_text(&format!("#review-requests li[data-id=\"{id}\"]"), "待审核").await;
    assert!(pending.contains("民政局") && pending.contains("规划乡镇养老服务中心"), "{pending}");
    admin.screenshot("request-review-desktop").await;
    admin.click(&format!("#review-requests li[data-id=\"{id}\"] button[data-action=\"approve\"]")).await;
    admin.wait_for_text(&format!("#decided-requests li[data-id=\"{id}\"]"), "已批准").await;
    admin.close().await;

    // The department downloads the CSV; it is what its system pulls with a bearer token.
    dept.client.refresh().await.unwrap();
    dept.wait_for_text(&format!("#my-requests li[data-id=\"{id}\"]"), "已批准").await;
    let href = format!("/api/v1/data-requests/{id}/data?period={year}&level=county&format=csv");
    dept.click(&format!("#dl-link-{id}")).await;
    let (name, downloaded) = dept.downloaded(".csv").await;
    assert!(name.contains(&id.to_string()) || name.ends_with(".csv"), "{name}");
    let token = app.login("mz_dept", PASSWORD).await;
    let pulled = app.client.get(app.url(&href)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(pulled.status(), 200);
    let pulled = pulled.bytes().await.unwrap().to_vec();
    assert_eq!(downloaded, pulled, "the page's download is the API's pull, byte for byte");
    assert!(String::from_utf8_lossy(&pulled).contains("兴仁市,167,0,1,12000"));
    // A refused download says why on the page: the request revoked meanwhile.
    let admin_token = app.login("zhou_admin", PASSWORD).await;
    let (status, _) = app
        .send_json(
            Method::POST,
            &admin_token,
            &format!("/api/v1/data-requests/{id}/revoke"),
            &serde_json::json!({"reason": "测试撤销"}),
        )
        .await;
    assert_eq!(status, 200);
    dept.click(&format!("#dl-link-{id}")).await;
    dept.wait_for_text(&format!("#dl-error-{id}"), "已被撤销").await;
    let curl = dept.wait_for_text(&format!("#dl-curl-{id}"), "curl").await;
    assert!(curl.contains(&format!("{}{href}", app.url(""))) && curl.contains("Authorization: Bearer"), "{curl}");
    dept.close().await;
}

#[tokio::test]
async fn a_department_rotates_its_systems_secret_once_an_admin_approves() {
    let app = seeded().await;
    app.add_client("mz-system", "old-secret-0123456789", false);
    let Some(dept) = signed_in(&app, Window::Desktop, "mz_dept").await else { return };
    dept.wait_for_text("#clients li[data-client=\"mz-system\"]", "mz-system").await;
    dept.click("#clients button[data-action=\"request-rotation\"]").await;
    dept.wait_for_text("#clients .rotation-state", "等待管理员批准").await;

    let Some(admin) = signed_in(&app, Window::Desktop, "zhou_admin").await else { return };
    admin.wait_for_text("#requests-link", "数据需求审核").await;
    admin.click("#requests-link").await;
    admin.wait_for_text("#clients li[data-client=\"mz-system\"]", "等待管理员批准").await;
    admin.click("#clients button[data-action=\"approve-rotation\"]").await;
    admin.wait_for_text("#clients .rotation-state", "可领取新密钥").await;
    let secret_shown =
        admin.client.execute("return document.querySelector('[id^=\"secret-\"]') === null", vec![]).await.unwrap();
    assert_eq!(secret_shown, serde_json::Value::Bool(true), "the admin never sees the secret");
    admin.close().await;

    dept.client.refresh().await.unwrap();
    dept.wait_for_text("#clients .rotation-state", "可领取新密钥").await;
    dept.click("#clients button[data-action=\"collect-secret\"]").await;
    let secret = dept.wait_for_text("#secret-mz-system", "").await;
    let form = [("grant_type", "client_credentials"), ("client_id", "mz-system"), ("client_secret", secret.as_str())];
    let status = app.client.post(app.url("/api/v1/auth/token")).form(&form).send().await.unwrap().status();
    assert_eq!(status, 200, "the secret shown is the one that works now");
    let old =
        [("grant_type", "client_credentials"), ("client_id", "mz-system"), ("client_secret", "old-secret-0123456789")];
    assert_eq!(app.client.post(app.url("/api/v1/auth/token")).form(&old).send().await.unwrap().status(), 401);
    dept.close().await;
}

/// The last closed month in China, as the page offers it (2026-11 in December 2026).
fn last_month() -> String {
    use chrono::Datelike;
    let now = chrono::Utc::now() + chrono::TimeDelta::hours(8);
    if now.month() == 1 {
        format!("{}-12", now.year() - 1)
    } else {
        format!("{}-{:02}", now.year(), now.month() - 1)
    }
}

/// 低保户数 is reported monthly. The page used to ask for a year only, and the approved request
/// could never be downloaded, with nothing said (issue 27). Now the page asks for a period of each
/// frequency the indicators have, offers each download with the indicators it holds, and the
/// monthly and the annual files both come down.
#[tokio::test]
async fn a_request_for_monthly_and_annual_indicators_asks_for_both_and_each_downloads() {
    let app = seeded().await;
    let year = last_year();
    let month = last_month();
    app.seed_entry("522301100200", &month, "approved", &[("SOC.DIBAO_HOUSEHOLDS", "23")]);
    let Some(dept) = signed_in(&app, Window::Desktop, "mz_dept").await else { return };
    dept.wait_for_text("#request-form h2", "新建数据需求").await;
    for (query, code) in [("低保户数", "SOC.DIBAO_HOUSEHOLDS"), ("户籍人口", "POP.REGISTERED")] {
        dept.client.execute("document.getElementById('req-search').value = ''", vec![]).await.unwrap();
        dept.fill("#req-search", query).await;
        dept.wait_for_text(&format!("#req-suggestions button[data-code=\"{code}\"]"), query).await;
        dept.click(&format!("#req-suggestions button[data-code=\"{code}\"]")).await;
    }
    dept.wait_for_text("#req-periods", "月报期别").await;
    dept.wait_for_text("#req-periods", "年报期别").await;
    let value = |id: &str| format!("return document.getElementById('{id}').value");
    let annual = dept.client.execute(&value("req-periods-annual"), vec![]).await.unwrap();
    let monthly = dept.client.execute(&value("req-periods-monthly"), vec![]).await.unwrap();
    assert_eq!((annual.as_str(), monthly.as_str()), (Some(year.to_string().as_str()), Some(month.as_str())));
    dept.fill("#req-title", "低保与人口").await;
    dept.fill("#req-purpose", "低保对象动态管理").await;
    dept.fill("#req-legal", "《社会救助暂行办法》").await;
    dept.click("#req-submit").await;
    let filed = dept.wait_for_text("#my-requests li.request", "待审核").await;
    assert!(filed.contains("低保与人口"), "{filed}");
    let id = first_request_id(&dept).await;
    let admin = app.login("zhou_admin", PASSWORD).await;
    let (status, _) = app
        .send_json(Method::POST, &admin, &format!("/api/v1/data-requests/{id}/approve"), &serde_json::json!({}))
        .await;
    assert_eq!(status, 200);

    dept.client.refresh().await.unwrap();
    let options = dept.wait_for_text(&format!("#dl-period-{id}"), "月报").await;
    assert!(options.contains("年报：户籍人口") && options.contains("月报：农村低保户数"), "{options}");
    dept.screenshot("request-periods-desktop").await;
    for (period, suffix, holds) in [(month.clone(), ".csv", "23"), (year.to_string(), ".csv", "1000")] {
        dept.clear_downloads();
        let pick = format!(
            "const s = document.getElementById('dl-period-{id}'); s.value = '{period}'; s.dispatchEvent(new Event('change'));
             const l = document.getElementById('dl-level-{id}'); l.value = 'village'; l.dispatchEvent(new Event('change'));"
        );
        dept.client.execute(&pick, vec![]).await.unwrap();
        dept.click(&format!("#dl-link-{id}")).await;
        let (_, bytes) = dept.downloaded(suffix).await;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        assert!(text.contains(holds), "{period}: {text}");
    }
    dept.close().await;
}
