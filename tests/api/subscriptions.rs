//! Pushes to department systems (订阅推送): a department subscribes its approved request to its
//! endpoint; each approval within the grant reaches it as a signed event, from the outbox — in
//! order per village, retried past a broken receiver, never followed elsewhere, kept across a
//! restart — and what it missed can be replayed.

use std::collections::BTreeSet;
use std::time::Duration;

use onetable_core::Role;
use onetable_tests::receiver::{Arrival, Misbehaviour, Receiver};
use onetable_tests::TestApp;
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const VILLAGE: &str = "522301100200";
const NEIGHBOUR: &str = "522301100201";
const THIRD: &str = "522301100202";
/// In the county, outside the request's township.
const OUTSIDE: &str = "522301101200";
const SECRET: &str = "whsec-民政-0123456789";

/// HMAC-SHA256 written out from RFC 2104, so that the test does not check the server's signature
/// with the server's own code.
fn hmac_sha256(key: &[u8], message: &[u8]) -> String {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
    let outer = Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize();
    outer.iter().map(|b| format!("{b:02x}")).collect()
}

/// The event in an arrival, after its signature is checked as a receiver would.
fn verified(arrival: &Arrival) -> Value {
    let header = arrival.signature.as_deref().expect("signed");
    let (t, v1) = header.split_once(",v1=").expect("t=…,v1=…");
    let t = t.strip_prefix("t=").expect("t=");
    let mut signed = format!("{t}.").into_bytes();
    signed.extend_from_slice(&arrival.body);
    assert_eq!(v1, hmac_sha256(SECRET.as_bytes(), &signed), "HMAC-SHA256(secret, t.body)");
    let age = chrono::Utc::now().timestamp() - t.parse::<i64>().unwrap();
    assert!((0..300).contains(&age), "a fresh timestamp: {age}");
    assert!(onetable_app::subscriptions::signing::verify(
        SECRET,
        header,
        &arrival.body,
        chrono::Utc::now().timestamp()
    ));
    let event: Value = serde_json::from_slice(&arrival.body).unwrap();
    assert_eq!(arrival.event_id.as_deref(), event["id"].as_str(), "the id in a header too");
    event
}

async fn revision(app: &TestApp, token: &str, village: &str) -> i64 {
    let (status, entry) = app.get_as(token, &format!("/api/v1/entries/{village}/2025")).await;
    assert_eq!(status, 200, "{entry}");
    entry["revision"].as_i64().unwrap()
}

/// A reviewer (or the clerk) takes a workflow step on a village's 2025 form.
async fn step(app: &TestApp, token: &str, village: &str, action: &str, body: Value) {
    let revision = revision(app, token, village).await;
    let response = app
        .client
        .post(app.url(&format!("/api/v1/entries/{village}/2025/{action}")))
        .bearer_auth(token)
        .header("if-match", format!("\"{revision}\""))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    assert!(status.is_success(), "{action} {village}: {status} {}", response.text().await.unwrap());
}

fn submitted(app: &TestApp, village: &str, registered: &str) {
    app.seed_entry(village, "2025", "submitted", &[("POP.REGISTERED", registered), ("POP.HOUSEHOLDS", "300")]);
}

async fn spawn(backend: onetable_store::Backend) -> TestApp {
    TestApp::spawn_with(backend, |s| {
        // The operator names the department system's host itself: an inside address is allowed
        // only so. Short waits, so that the retries happen within the test.
        s.webhook_allowed_hosts = vec!["127.0.0.1".to_owned(), "*.mzj.example.cn".to_owned()];
        s.webhook_timeout_seconds = 1;
        s.webhook_retry_max_seconds = 1;
    })
    .await
}

/// The log once no event is pending (a delivery is recorded just after the receiver answers).
async fn settled(app: &TestApp, token: &str, id: i64) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let page = log(app, token, id, "").await;
        let pending = page["items"].as_array().unwrap().iter().any(|e| e["status"] == "pending");
        if !pending || tokio::time::Instant::now() >= deadline {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn log(app: &TestApp, token: &str, id: i64, after: &str) -> Value {
    let (status, page) = app.get_as(token, &format!("/api/v1/subscriptions/{id}/events?after={after}")).await;
    assert_eq!(status, 200, "{page}");
    page
}

#[tokio::test]
async fn a_department_system_learns_of_each_approval_by_a_signed_push_and_replays_what_it_missed() {
    for backend in onetable_tests::backends() {
        eprintln!("--- on {}", backend.as_str());
        let app = spawn(backend).await;
        app.load_catalogue();
        let admin = app.user_token("t_admin", Role::Admin, Some("5223"), None).await;
        let civil = app.user_token("mz_system", Role::Department, Some("5223"), Some("民政局")).await;
        let other = app.user_token("ga_system", Role::Department, Some("5223"), Some("公安局")).await;
        let reviewer = app.user_token("t_reviewer", Role::Reviewer, Some("522301"), None).await;
        let clerk = app.user_token("t_clerk", Role::Clerk, Some(VILLAGE), None).await;
        let file = |region: &str| {
            json!({
                "title": "低保与人口核对", "purpose": "社会救助对象核对", "legal_basis": "《社会救助暂行办法》",
                "indicators": ["POP.REGISTERED", "POP.HOUSEHOLDS", "POP.AGED_60"],
                "region": region, "periods": ["2025"], "expires_at": "2027-12-31",
            })
        };
        let (status, request) = app.send_json(Method::POST, &civil, "/api/v1/data-requests", &file("522301100")).await;
        assert_eq!(status, 201, "{request}");
        let request_id = request["id"].as_i64().unwrap();
        let receiver = Receiver::start();
        let subscribe = |token: String, url: String, secret: &'static str, request: i64| {
            let app = &app;
            async move {
                let body = json!({"data_request_id": request, "url": url, "secret": secret});
                app.send_json(Method::POST, &token, "/api/v1/subscriptions", &body).await
            }
        };

        // Refusals, each naming what is wrong; nothing is subscribed.
        let (status, body) = subscribe(civil.clone(), receiver.url.clone(), SECRET, request_id).await;
        assert_eq!((status.as_u16(), body["error"].as_str()), (409, Some("request_not_active")), "{body}");
        app.send_json(Method::POST, &admin, &format!("/api/v1/data-requests/{request_id}/approve"), &json!({})).await;
        for (url, why) in [
            ("http://10.0.0.5/hooks", "主机 10.0.0.5 不在允许"),
            ("https://evil.example.com/hooks", "不在允许"),
            ("http://hooks.mzj.example.cn/hooks", "https://"),
            ("ftp://127.0.0.1/hooks", "https://"),
        ] {
            let (status, body) = subscribe(civil.clone(), url.to_owned(), SECRET, request_id).await;
            assert_eq!((status.as_u16(), body["details"][0]["field"].as_str()), (422, Some("url")), "{url}: {body}");
            assert!(body["details"][0]["message"].as_str().unwrap().contains(why), "{url}: {body}");
        }
        let (status, body) = subscribe(civil.clone(), receiver.url.clone(), "short", request_id).await;
        assert_eq!((status.as_u16(), body["details"][0]["field"].as_str()), (422, Some("secret")), "{body}");
        let (status, body) = subscribe(other.clone(), receiver.url.clone(), SECRET, request_id).await;
        assert_eq!(status, 404, "another department's request: {body}");
        let (_, none) = app.get_as(&civil, "/api/v1/subscriptions").await;
        assert_eq!(none, json!([]));

        let (status, subscription) = subscribe(civil.clone(), receiver.url.clone(), SECRET, request_id).await;
        assert_eq!((status.as_u16(), subscription["status"].as_str()), (201, Some("active")), "{subscription}");
        assert!(subscription.get("secret").is_none(), "the secret is never answered: {subscription}");
        let id = subscription["id"].as_i64().unwrap();

        // Two approvals in the township, one outside it: two events, signed, naming the entry.
        for (village, registered) in [(VILLAGE, "1268"), (NEIGHBOUR, "980"), (OUTSIDE, "700")] {
            submitted(&app, village, registered);
            step(&app, &reviewer, village, "approve", json!({})).await;
        }
        let arrived = receiver.wait_for(2, Duration::from_secs(10)).await;
        assert_eq!(arrived.len(), 2, "{arrived:?}");
        let events: Vec<Value> = arrived.iter().map(verified).collect();
        let villages: BTreeSet<&str> = events.iter().map(|e| e["region"].as_str().unwrap()).collect();
        assert_eq!(villages, BTreeSet::from([VILLAGE, NEIGHBOUR]), "only the grant's villages: {events:?}");
        let first = events.iter().find(|e| e["region"] == VILLAGE).unwrap();
        assert_eq!(first["type"], "entry.approved");
        assert_eq!(first["period"], "2025");
        assert_eq!(first["data_request"], request_id);
        assert_eq!(first["indicators"], json!(["POP.REGISTERED", "POP.HOUSEHOLDS"]), "the request's that it holds");
        assert_eq!(first["revision"].as_i64(), Some(revision(&app, &reviewer, VILLAGE).await));

        // Reopened, changed, approved again: in that order for the village.
        step(&app, &clerk, VILLAGE, "reopen", json!({"comment": "户籍人口核对后更正"})).await;
        submitted(&app, VILLAGE, "1270");
        step(&app, &reviewer, VILLAGE, "approve", json!({})).await;
        let arrived = receiver.wait_for(4, Duration::from_secs(10)).await;
        let kinds: Vec<String> = arrived
            .iter()
            .map(verified)
            .filter(|e| e["region"] == VILLAGE)
            .map(|e| e["type"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(kinds, ["entry.approved", "entry.reopened", "entry.changed"]);

        // The delivery log and the replay from a cursor.
        let page = settled(&app, &civil, id).await;
        let items = page["items"].as_array().unwrap();
        assert_eq!(items.len(), 4, "{page}");
        assert!(items.iter().all(|e| e["status"] == "delivered" && e["attempts"] == 1), "{page}");
        assert_eq!(items[0]["last_outcome"], "HTTP 204");
        let sent: BTreeSet<&str> = arrived.iter().filter_map(|a| a.event_id.as_deref()).collect();
        let logged: BTreeSet<&str> = items.iter().map(|e| e["event"]["id"].as_str().unwrap()).collect();
        assert_eq!(sent, logged, "the log holds what was sent, and nothing was sent twice");
        let after_second = items[1]["cursor"].as_str().unwrap();
        let rest = log(&app, &civil, id, after_second).await;
        assert_eq!(rest["items"].as_array().unwrap().len(), 2, "{rest}");
        assert_eq!(rest["items"][1]["event"], items[3]["event"], "replayed exactly as pushed");
        assert_eq!(rest["next_cursor"], items[3]["cursor"]);
        let (status, body) = app.get_as(&civil, &format!("/api/v1/subscriptions/{id}/events?after=abc")).await;
        assert_eq!((status.as_u16(), body["details"][0]["field"].as_str()), (400, Some("after")), "{body}");
        assert_eq!(app.get_as(&other, &format!("/api/v1/subscriptions/{id}/events")).await.0, 404);
        let (_, listed) = app.get_as(&admin, "/api/v1/subscriptions").await;
        assert_eq!(listed[0]["delivered"], 4, "the admin over the request sees it: {listed}");

        // Cancelled: nothing more is sent.
        let (status, cancelled) =
            app.send_json(Method::DELETE, &civil, &format!("/api/v1/subscriptions/{id}"), &json!({})).await;
        assert_eq!((status.as_u16(), cancelled["status"].as_str()), (200, Some("cancelled")), "{cancelled}");
        submitted(&app, THIRD, "1500");
        step(&app, &reviewer, THIRD, "approve", json!({})).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(receiver.accepted().len(), 4, "a cancelled subscription gets nothing");
    }
}

#[tokio::test]
async fn a_broken_receiver_is_retried_never_followed_never_blocks_a_save_and_a_restart_loses_nothing() {
    for backend in onetable_tests::backends() {
        eprintln!("--- on {}", backend.as_str());
        let mut app = spawn(backend).await;
        app.load_catalogue();
        let admin = app.user_token("t_admin", Role::Admin, Some("5223"), None).await;
        let civil = app.user_token("mz_system", Role::Department, Some("5223"), Some("民政局")).await;
        let reviewer = app.user_token("t_reviewer", Role::Reviewer, Some("522301"), None).await;
        let body = json!({
            "title": "人口核对", "purpose": "社会救助对象核对", "indicators": ["POP.REGISTERED"],
            "region": "522301", "periods": ["2025"], "expires_at": "2027-12-31",
        });
        let (_, request) = app.send_json(Method::POST, &civil, "/api/v1/data-requests", &body).await;
        let request_id = request["id"].as_i64().unwrap();
        app.send_json(Method::POST, &admin, &format!("/api/v1/data-requests/{request_id}/approve"), &json!({})).await;
        let receiver = Receiver::start();
        let body = json!({"data_request_id": request_id, "url": receiver.url, "secret": SECRET});
        let (status, subscription) = app.send_json(Method::POST, &civil, "/api/v1/subscriptions", &body).await;
        assert_eq!(status, 201, "{subscription}");
        let id = subscription["id"].as_i64().unwrap();

        // 500 twice, then a redirect: retried, the redirect never followed.
        receiver.misbehave(Misbehaviour::Fail, 2);
        submitted(&app, VILLAGE, "1268");
        step(&app, &reviewer, VILLAGE, "approve", json!({})).await;
        let arrived = receiver.wait_for(1, Duration::from_secs(15)).await;
        assert_eq!(arrived.len(), 1, "delivered after the receiver recovered");
        receiver.misbehave(Misbehaviour::Redirect, 1);
        submitted(&app, NEIGHBOUR, "980");
        step(&app, &reviewer, NEIGHBOUR, "approve", json!({})).await;
        let arrived = receiver.wait_for(2, Duration::from_secs(15)).await;
        assert_eq!(arrived.len(), 2);
        assert_eq!(receiver.followed(), 0, "a redirect is not followed");
        assert_eq!(receiver.refused(), 3);
        let page = settled(&app, &civil, id).await;
        assert_eq!(page["items"][0]["attempts"], 3, "{page}");
        assert_eq!(page["items"][1]["attempts"], 2, "{page}");

        // A receiver that hangs: the clerk's save goes through while it hangs.
        receiver.misbehave(Misbehaviour::Hang(Duration::from_secs(4)), 1);
        submitted(&app, THIRD, "1500");
        step(&app, &reviewer, THIRD, "approve", json!({})).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while receiver.in_flight() == 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(receiver.in_flight(), 1, "the receiver is holding a send");
        let clerk = app.user_token("t_clerk", Role::Clerk, Some(OUTSIDE), None).await;
        let saved = app
            .client
            .patch(app.url(&format!("/api/v1/entries/{OUTSIDE}/2025")))
            .bearer_auth(&clerk)
            .header("if-match", "\"0\"")
            .json(&json!({"values": {"POP.REGISTERED": 700}}))
            .send()
            .await
            .unwrap();
        assert!(saved.status().is_success(), "{}", saved.text().await.unwrap());
        assert_eq!(receiver.in_flight(), 1, "saved while the receiver still hangs");
        let arrived = receiver.wait_for(3, Duration::from_secs(15)).await;
        assert_eq!(arrived.len(), 3, "retried after the timeout");
        let page = settled(&app, &civil, id).await;
        assert!(page["items"][2]["attempts"].as_i64().unwrap() >= 2, "{page}");

        // The receiver down across a restart: the approval's event is in the database, and the
        // next server sends it.
        receiver.misbehave(Misbehaviour::Fail, 1_000);
        let fourth = "522301100203";
        submitted(&app, fourth, "640");
        step(&app, &reviewer, fourth, "approve", json!({})).await;
        app.restart().await;
        // The stopped server's worker ends its round and stops; only then does the receiver come
        // back, so that what arrives is the new server's sending.
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert!(receiver.refused() > 4, "the event was tried while the receiver was down");
        receiver.misbehave(Misbehaviour::Fail, 0);
        // At least once: the old server's worker may still be finishing a send when the new one
        // starts (one process here; a real restart has no old worker), so the receiver dedups.
        let ids = receiver.wait_for_unique(4, Duration::from_secs(15)).await;
        assert_eq!(ids.len(), 4, "sent after the restart: {ids:?}");
        let page = settled(&app, &civil, id).await;
        assert!(page["items"].as_array().unwrap().iter().all(|e| e["status"] == "delivered"), "{page}");
    }
}
