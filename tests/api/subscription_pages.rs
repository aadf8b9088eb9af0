//! 订阅推送 in the browser: a department subscribes its approved request on the requests page (a
//! refused address shown at its field), a reviewer's approval reaches its system, and the
//! department reads the delivery log on a phone.

use std::time::Duration;

use onetable_core::Role;
use onetable_store::Backend;
use onetable_tests::browser::Window;
use onetable_tests::receiver::Receiver;
use onetable_tests::TestApp;
use reqwest::Method;
use serde_json::json;

use super::pages::signed_in;

const VILLAGE: &str = "522301100200";

#[tokio::test]
async fn a_department_subscribes_on_the_page_and_reads_where_each_event_stands() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.webhook_allowed_hosts = vec!["127.0.0.1".to_owned()]).await;
    app.load_catalogue();
    app.add_user("mz_person", Role::Department, Some("5223"), Some("民政局"));
    let civil = app.login("mz_person", onetable_tests::PASSWORD).await;
    let admin = app.user_token("t_admin", Role::Admin, Some("5223"), None).await;
    let body = json!({
        "title": "人口核对", "purpose": "社会救助对象核对", "indicators": ["POP.REGISTERED", "POP.HOUSEHOLDS"],
        "region": "522301", "periods": ["2025"], "expires_at": "2027-12-31",
    });
    let (status, request) = app.send_json(Method::POST, &civil, "/api/v1/data-requests", &body).await;
    assert_eq!(status, 201, "{request}");
    let id = request["id"].as_i64().unwrap();
    app.send_json(Method::POST, &admin, &format!("/api/v1/data-requests/{id}/approve"), &json!({})).await;
    let receiver = Receiver::start();

    let Some(dept) = signed_in(&app, Window::Desktop, "mz_person").await else { return };
    dept.wait_for_text("#who", "mz_person").await;
    dept.client.goto(&app.url("/requests")).await.unwrap();
    dept.wait_for_text(&format!("#push-{id} > summary"), "推送到本部门系统（0 个地址）").await;
    dept.click(&format!("#push-{id} > summary")).await;
    dept.fill(&format!("#hook-url-{id}"), "http://10.0.0.5/hooks").await;
    dept.click(&format!("#push-{id} .subscribe")).await;
    let refused = dept.wait_for_text(&format!("#push-{id} [data-field=\"url\"] .error"), "不在允许").await;
    assert!(refused.contains("10.0.0.5"), "{refused}");
    dept.fill(&format!("#hook-url-{id}"), &receiver.url).await;
    dept.screenshot("subscription-desktop").await;
    dept.click(&format!("#push-{id} .subscribe")).await;
    dept.wait_for_text(&format!("#push-{id} li[data-subscription]"), "推送中").await;
    dept.close().await;

    // A reviewer approves a form of the grant: the department's system gets it at once.
    let reviewer = app.user_token("t_reviewer", Role::Reviewer, Some("522301"), None).await;
    app.seed_entry(VILLAGE, "2025", "submitted", &[("POP.REGISTERED", "1268"), ("POP.HOUSEHOLDS", "352")]);
    let response = app
        .client
        .post(app.url(&format!("/api/v1/entries/{VILLAGE}/2025/approve")))
        .bearer_auth(&reviewer)
        .header("if-match", "\"1\"")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.text().await.unwrap());
    assert_eq!(receiver.wait_for(1, Duration::from_secs(10)).await.len(), 1);

    let Some(phone) = signed_in(&app, Window::Phone, "mz_person").await else { return };
    phone.wait_for_text("#who", "mz_person").await;
    phone.client.goto(&app.url("/requests")).await.unwrap();
    phone.wait_for_text(&format!("#push-{id} > summary"), "1 个地址").await;
    phone.click(&format!("#push-{id} .deliveries > summary")).await;
    let line = phone.wait_for_text(&format!("#push-{id} .delivery-log li"), "已送达").await;
    assert!(line.contains("吴家坪村") && line.contains("审核通过") && line.contains("HTTP 204"), "{line}");
    phone.client.execute(&format!("document.getElementById('push-{id}').scrollIntoView()"), vec![]).await.unwrap();
    phone.screenshot("subscription-log-phone").await;
    phone.close().await;
}
