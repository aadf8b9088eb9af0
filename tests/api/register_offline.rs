//! Keeping the list with the network cut: record writes go through the form's outbox, survive a
//! reload, and are stored once when the network returns; a write sent again after a lost answer
//! (same `Idempotency-Key`) is applied once.

use onetable_core::Role;
use onetable_store::Backend;
use onetable_tests::browser::Window;
use onetable_tests::{each_backend, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

use super::pages::signed_in;
use super::registers::{id, link_dibao};

const VILLAGE: &str = "522301100200";
const RECORDS: &str = "/api/v1/registers/REG.DIBAO/records";

async fn post_with_key(
    app: &TestApp,
    token: &str,
    path: &str,
    key: &str,
    revision: Option<i64>,
    body: &Value,
) -> (u16, Value, bool) {
    let mut request = app.client.post(app.url(path)).bearer_auth(token).header("idempotency-key", key).json(body);
    if let Some(revision) = revision {
        request = request.header("if-match", format!("\"{revision}\""));
    }
    let response = request.send().await.unwrap();
    let replayed = response.headers().get("idempotent-replayed").is_some();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null), replayed)
}

async fn open_records(app: &TestApp, token: &str, status: &str) -> Value {
    let (code, list) = app.get_as(token, &format!("{RECORDS}?village={VILLAGE}&status={status}")).await;
    assert_eq!(code, 200, "{list}");
    list
}

#[tokio::test]
async fn a_record_write_sent_again_after_a_lost_answer_is_applied_once() {
    each_backend(|app| async move {
        app.load_catalogue();
        let clerk = app.user_token("t_clerk", Role::Clerk, Some(VILLAGE), None).await;
        let add = json!({"values": {"head_name": "龙安平", "id_number": id("19660710", 4), "members": 2}});
        let path = format!("{RECORDS}?village={VILLAGE}");
        let (status, first, replayed) = post_with_key(&app, &clerk, &path, "add-1", None, &add).await;
        assert_eq!((status, replayed), (201, false), "{first}");
        let (status, again, replayed) = post_with_key(&app, &clerk, &path, "add-1", None, &add).await;
        assert_eq!((status, replayed, again["id"].clone()), (201, true, first["id"].clone()), "{again}");
        assert_eq!(open_records(&app, &clerk, "all").await["total"], 1, "added once");

        // The same key with another body is refused, not applied.
        let other = json!({"values": {"head_name": "龙安平", "id_number": id("19660710", 5), "members": 2}});
        let (status, body, _) = post_with_key(&app, &clerk, &path, "add-1", None, &other).await;
        assert_eq!(status, 422, "{body}");

        // Closing sent twice: the second is the first's answer again, not a 412 for a stale revision.
        let close = format!("{RECORDS}/{}/close", first["id"]);
        let reason = json!({"reason": "迁出", "date": "2026-01-15"});
        let read = first["revision"].as_i64();
        let (status, closed, _) = post_with_key(&app, &clerk, &close, "close-1", read, &reason).await;
        assert_eq!(status, 200, "{closed}");
        let (status, again, replayed) = post_with_key(&app, &clerk, &close, "close-1", read, &reason).await;
        assert_eq!((status, replayed, again["revision"].clone()), (200, true, closed["revision"].clone()), "{again}");
        let (_, history) = app.get_as(&clerk, &format!("{RECORDS}/{}/history", first["id"])).await;
        let closes = history.as_array().unwrap().iter().filter(|e| e["action"] == "close").count();
        assert_eq!(closes, 1, "{history}");
    })
    .await;
}

#[tokio::test]
async fn a_clerk_keeps_the_list_offline_on_a_phone_and_each_write_is_stored_once_when_the_network_returns() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_catalogue();
    let admin = app.user_token("t_admin", Role::Admin, None, None).await;
    link_dibao(&app, &admin).await;
    app.add_user("lan_clerk", Role::Clerk, Some(VILLAGE), None);
    let clerk = app.login("lan_clerk", onetable_tests::PASSWORD).await;
    let (status, kept) = app
        .send_json(
            Method::POST,
            &clerk,
            &format!("{RECORDS}?village={VILLAGE}"),
            &json!({"values": {"head_name": "石开富", "id_number": id("19520208", 6), "members": 1}}),
        )
        .await;
    assert_eq!(status, 201, "{kept}");

    let Some(phone) = signed_in(&app, Window::Phone, "lan_clerk").await else { return };
    // The sign-in's own navigation to the home page ends first.
    phone.wait_for_text("#registers-link", "本村台账").await;
    phone.client.goto(&app.url("/registers?code=REG.DIBAO")).await.unwrap();
    phone.wait_for_text("#records", "石**").await;
    // Once the service worker holds the page, a visit keeps its reads for the offline start.
    let ready = phone.client.execute("return navigator.serviceWorker.ready.then(() => true)", vec![]).await.unwrap();
    assert_eq!(ready, Value::Bool(true));
    phone.client.refresh().await.unwrap();
    phone.wait_for_text("#records", "石**").await;

    phone.set_offline(true).await;
    phone.click("#add-record").await;
    phone.fill("#col-head_name", "潘家华").await;
    phone.fill("#col-id_number", &id("19800402", 7)).await;
    phone.fill("#col-members", "3").await;
    phone.click("#record-form button[type=submit]").await;
    phone.wait_for_text("#record-outbox", "有 1 项台账修改等待同步").await;
    // Offline nothing checks the ID number: this one's check digit is wrong.
    let right = id("19751111", 8);
    let wrong = format!("{}{}", &right[..17], if right.ends_with('0') { '1' } else { '0' });
    phone.click("#add-record").await;
    phone.fill("#col-head_name", "韦秀珍").await;
    phone.fill("#col-id_number", &wrong).await;
    phone.fill("#col-members", "2").await;
    phone.click("#record-form button[type=submit]").await;
    phone.wait_for_text("#record-outbox", "有 2 项台账修改等待同步").await;
    phone.click(&format!("[data-record=\"{}\"] .close-record", kept["id"])).await;
    phone.click("#close-form button[type=submit]").await;
    let waiting = phone.wait_for_text("#record-outbox", "有 3 项台账修改等待同步").await;
    assert!(waiting.contains("新增农村低保户记录 潘家华") && waiting.contains("注销记录"), "{waiting}");

    // A reload with the network still cut: the page opens from the cache, the writes still wait.
    phone.client.refresh().await.unwrap();
    phone.wait_for_text("#record-outbox", "有 3 项台账修改等待同步").await;
    phone.screenshot("register-offline-phone").await;
    assert_eq!(open_records(&app, &clerk, "all").await["total"], 1, "nothing reached the server yet");

    // Back online: sent in order; the refused one stays, with the server's reason, and opens again
    // with what was typed.
    phone.set_offline(false).await;
    phone.wait_for_text("#records", "潘**").await;
    let refused = phone.wait_for_text("#record-outbox", "未能保存的修改").await;
    assert!(refused.contains("韦秀珍") && refused.contains("校验位"), "{refused}");
    phone.click("#record-outbox .retry-write").await;
    let typed = phone.client.execute("return document.getElementById('col-head_name').value", vec![]).await;
    assert_eq!(typed.unwrap(), json!("韦秀珍"));
    phone.fill("#col-id_number", &right).await;
    phone.click("#record-form button[type=submit]").await;
    phone.wait_for_text("#records", "韦**").await;
    let hidden = phone.client.execute("return document.getElementById('record-outbox').hidden", vec![]).await;
    assert_eq!(hidden.unwrap(), Value::Bool(true));
    let open = open_records(&app, &clerk, "open").await;
    assert_eq!(open["total"], 2, "the two new households open, the old one closed: {open}");
    assert_eq!(open_records(&app, &clerk, "all").await["total"], 3, "each write stored once");
    phone.close().await;
}
