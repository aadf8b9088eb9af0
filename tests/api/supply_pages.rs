//! 数据回流 in the browser: a department offers its numbers on the requests page, an admin
//! approves there, the department's system pushes, and the clerk finds them prefilled on a phone,
//! confirms a section with one tap and corrects one value.

use onetable_core::Role;
use onetable_store::Backend;
use onetable_tests::browser::Window;
use onetable_tests::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

use super::pages::{last_year, signed_in};

const VILLAGE: &str = "522301100200";

#[tokio::test]
async fn a_departments_numbers_arrive_prefilled_and_the_clerk_confirms_or_corrects_them() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_catalogue();
    app.add_user("ga_person", Role::Department, Some("5223"), Some("公安局"));
    app.add_user("zhou_admin", Role::Admin, Some("5223"), None);
    app.add_user("li_clerk", Role::Clerk, Some(VILLAGE), None);
    let year = last_year().to_string();

    let Some(dept) = signed_in(&app, Window::Desktop, "ga_person").await else { return };
    dept.wait_for_text("#who", "ga_person").await;
    dept.client.goto(&app.url("/requests")).await.unwrap();
    dept.wait_for_text("#supplies", "还没有数据供给").await;
    dept.fill("#supply-search", "户籍").await;
    dept.click("#supply-indicators input[value=\"POP.REGISTERED\"]").await;
    dept.click("#supply-indicators input[value=\"POP.HOUSEHOLDS\"]").await;
    dept.fill("#supply-purpose", "户籍人口数据回流，村里不再重复填报").await;
    dept.click("#supply-save").await;
    dept.wait_for_text("[data-field=\"source_system\"] .error", "部门系统").await;
    dept.fill("#supply-system", "公安人口信息管理系统").await;
    dept.screenshot("supply-form-desktop").await;
    dept.click("#supply-save").await;
    dept.wait_for_text("#supplies li[data-supply]", "待审核").await;
    dept.close().await;

    let Some(admin) = signed_in(&app, Window::Desktop, "zhou_admin").await else { return };
    admin.wait_for_text("#who", "zhou_admin").await;
    admin.client.goto(&app.url("/requests")).await.unwrap();
    admin.wait_for_text("#supplies", "数据供给（待审核 1）").await;
    admin.click("#supplies [data-supply-action=\"approve\"]").await;
    admin.wait_for_text("#supplies li[data-supply]", "已批准").await;
    admin.close().await;

    // The department's system pushes.
    let system = app.login("ga_person", onetable_tests::PASSWORD).await;
    let (_, supplies) = app.get_as(&system, "/api/v1/supplies").await;
    let id = supplies[0]["id"].as_i64().unwrap();
    let rows: Vec<Value> = [("POP.REGISTERED", 1268), ("POP.HOUSEHOLDS", 352)]
        .iter()
        .map(|(code, value)| json!({"region": VILLAGE, "period": year, "indicator": code, "value": value, "as_of": format!("{year}-12-31")}))
        .collect();
    let (status, report) =
        app.send_json(Method::POST, &system, &format!("/api/v1/supplies/{id}/values"), &json!({"rows": rows})).await;
    assert_eq!((status.as_u16(), report["prefilled"].as_i64()), (200, Some(2)), "{report}");

    let Some(phone) = signed_in(&app, Window::Phone, "li_clerk").await else { return };
    phone.wait_for_text("#who", "吴家坪村").await;
    phone.client.goto(&app.url(&format!("/form?period={year}"))).await.unwrap();
    let note = phone.wait_for_text("[data-code=\"POP.REGISTERED\"] .supplied-note", "预填").await;
    assert!(note.contains(&format!("来自公安局，截至 {year}-12-31")), "{note}");
    let shown = phone.client.execute("return document.getElementById('f-POP.REGISTERED').value", vec![]).await.unwrap();
    assert_eq!(shown, json!("1268"));
    phone
        .client
        .execute("document.querySelector('[data-code=\"POP.HOUSEHOLDS\"]').scrollIntoView()", vec![])
        .await
        .unwrap();
    phone.screenshot("form-supplied-phone").await;
    phone.click("[data-category=\"人口\"] .confirm-supplied-section").await;
    phone.wait_for_text("[data-code=\"POP.REGISTERED\"] .supplied-note", "已确认").await;
    phone.wait_for_text("[data-code=\"POP.HOUSEHOLDS\"] .supplied-note", "已确认").await;
    phone.fill("#f-POP\\.HOUSEHOLDS", "350").await;
    phone
        .client
        .execute("document.getElementById('f-POP.HOUSEHOLDS').dispatchEvent(new Event('change'))", vec![])
        .await
        .unwrap();
    // Another number than 公安局's: why, first; the reason goes back with the correction.
    phone.wait_for_text("[data-code=\"POP.HOUSEHOLDS\"] .correction", "请说明原因").await;
    phone.fill("#reason-POP\\.HOUSEHOLDS", "两户已分户，公安尚未登记").await;
    phone.screenshot("form-correction-phone").await;
    phone.click("[data-code=\"POP.HOUSEHOLDS\"] .save-correction").await;
    phone.wait_for_text("[data-code=\"POP.HOUSEHOLDS\"] .supplied-note", "已改正").await;
    assert_eq!(phone.phone_layout_problems().await, Vec::<String>::new());
    phone.close().await;

    // The correction reaches 公安局's page; it answers, and the village reads the answer.
    let Some(dept) = signed_in(&app, Window::Desktop, "ga_person").await else { return };
    dept.wait_for_text("#who", "ga_person").await;
    let found = dept.wait_for_text("#supplies [data-discrepancy]", "本部门：352 → 村里：350").await;
    assert!(found.contains("待处理") && found.contains("原因：两户已分户，公安尚未登记"), "{found}");
    dept.fill("#supplies [data-discrepancy] input", "分户登记已于 12 月办结，请以户籍系统为准").await;
    dept.click("#supplies .answer-discrepancy").await;
    dept.wait_for_text("#supplies [data-discrepancy]", "已答复").await;
    dept.screenshot("supply-discrepancy-desktop").await;
    dept.close().await;
    let Some(phone) = signed_in(&app, Window::Phone, "li_clerk").await else { return };
    phone.wait_for_text("#who", "吴家坪村").await;
    phone.client.goto(&app.url(&format!("/form?period={year}"))).await.unwrap();
    phone.wait_for_text("[data-code=\"POP.HOUSEHOLDS\"] .supplied-note", "公安局答复：分户登记已于 12 月办结").await;
    phone.close().await;

    let clerk = app.login("li_clerk", onetable_tests::PASSWORD).await;
    let (_, entry) = app.get_as(&clerk, &format!("/api/v1/entries/{VILLAGE}/{year}")).await;
    let sources: Vec<(String, String)> = entry["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["code"].as_str().unwrap().to_owned(), format!("{}/{}", v["value"], v["source"].as_str().unwrap())))
        .collect();
    assert_eq!(
        sources,
        [
            ("POP.HOUSEHOLDS".to_owned(), "350/entry".to_owned()),
            ("POP.REGISTERED".to_owned(), "1268/confirmed".to_owned())
        ]
    );
}
