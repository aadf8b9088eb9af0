//! Due dates, timeliness and reminders (催报): the clerk sees when the form is due; the reviewer
//! sees who is late and chases them; a township's chat robot gets the reminder too.

use std::io::{BufRead, BufReader, Read, Write};

use diesel::prelude::*;
use onetable_core::Role;
use onetable_tests::{each_backend, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const VILLAGE: &str = "522301100200";
const NEIGHBOUR: &str = "522301100201";

fn submitted_at(app: &TestApp, village: &str, period: &str, at: &str) {
    use onetable_store::schema::entry_events;
    let at = chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M").unwrap();
    diesel::insert_into(entry_events::table)
        .values((
            entry_events::region_code.eq(village),
            entry_events::period.eq(period),
            entry_events::action.eq("submit"),
            entry_events::actor.eq("test"),
            entry_events::revision.eq(2_i64),
            entry_events::occurred_at.eq(at),
        ))
        .execute(&mut *app.db.conn().unwrap())
        .unwrap();
}

fn annual<'a>(worklist: &'a Value, period: &str) -> &'a Value {
    worklist["items"].as_array().unwrap().iter().find(|i| i["period"] == period).unwrap()
}

#[tokio::test]
async fn the_clerk_sees_the_due_date_and_a_county_may_set_its_own() {
    each_backend(|app| async move {
        app.load_catalogue();
        let clerk = app.user_token("t_clerk", Role::Clerk, Some(VILLAGE), None).await;
        let admin = app.user_token("t_admin", Role::Admin, Some("522301"), None).await;
        let (_, worklist) = app.get_as(&clerk, "/api/v1/worklist").await;
        let last_year = chrono::Utc::now().format("%Y").to_string().parse::<i32>().unwrap() - 1;
        let period = last_year.to_string();
        let item = annual(&worklist, &period);
        assert_eq!(item["due"], format!("{}-01-31", last_year + 1), "{item}");
        assert_eq!(item["overdue"], item["days_left"].as_i64().unwrap() < 0);

        let put = |body: Value| {
            let (app, admin) = (&app, admin.clone());
            async move { app.send_json(Method::PUT, &admin, "/api/v1/deadlines", &body).await }
        };
        let (status, body) =
            put(json!({"region": "522301", "period": period, "due": format!("{last_year}-12-30")})).await;
        assert_eq!((status.as_u16(), body["details"][0]["field"].as_str()), (422, Some("due")), "{body}");
        assert!(body["details"][0]["message"].as_str().unwrap().contains("12月31日"), "{body}");
        let (status, body) = put(json!({"region": "522301", "frequency": "annual", "days_after": 400})).await;
        assert_eq!((status.as_u16(), body["details"][0]["field"].as_str()), (422, Some("days_after")), "{body}");
        let (status, body) = put(json!({"region": "522301100", "frequency": "annual", "days_after": 20})).await;
        assert_eq!((status.as_u16(), body["details"][0]["field"].as_str()), (422, Some("region")), "{body}");
        let (status, _) = put(json!({"region": "5223", "frequency": "annual", "days_after": 20})).await;
        assert_eq!(status, 403, "above the admin's scope");

        let later = format!("{}-01-31", last_year + 2);
        let (status, body) = put(json!({"region": "522301", "period": period, "due": later})).await;
        assert_eq!(status, 200, "{body}");
        let (_, worklist) = app.get_as(&clerk, "/api/v1/worklist").await;
        let item = annual(&worklist, &period);
        assert_eq!((item["due"].as_str(), item["overdue"].as_bool()), (Some(later.as_str()), Some(false)), "{item}");
        let (_, listed) = app.get_as(&admin, "/api/v1/deadlines").await;
        assert_eq!(listed[0]["applies_to"], period, "{listed}");
    })
    .await;
}

#[tokio::test]
async fn timeliness_counts_on_time_late_and_overdue_villages() {
    each_backend(|app| async move {
        app.load_catalogue();
        let reviewer = app.user_token("t_reviewer", Role::Reviewer, Some("522301"), None).await;
        app.seed_entry(VILLAGE, "2024", "submitted", &[]);
        submitted_at(&app, VILLAGE, "2024", "2025-01-20 09:00");
        app.seed_entry(NEIGHBOUR, "2024", "approved", &[]);
        submitted_at(&app, NEIGHBOUR, "2024", "2025-03-01 09:00");
        // The last day counts by China's date: 23:30 there is 15:30 UTC.
        app.seed_entry("522301100202", "2024", "submitted", &[]);
        submitted_at(&app, "522301100202", "2024", "2025-01-31 15:30");
        app.seed_entry("522301100203", "2024", "draft", &[]);

        let (status, t) = app.get_as(&reviewer, "/api/v1/timeliness?within=522301&period=2024").await;
        assert_eq!(status, 200, "{t}");
        assert_eq!(t["due"], "2025-01-31");
        let township = t["rows"].as_array().unwrap().iter().find(|r| r["code"] == "522301100000").unwrap();
        let expected = township["expected"].as_u64().unwrap();
        assert_eq!(
            [township["on_time"].as_u64(), township["late"].as_u64(), township["approved"].as_u64()],
            [Some(2), Some(1), Some(1)],
            "{township}"
        );
        assert_eq!(township["not_submitted"].as_u64(), Some(expected - 3));
        assert_eq!(township["overdue"], township["not_submitted"], "2024's forms are long overdue");
        let overdue: Vec<&str> =
            t["overdue_villages"].as_array().unwrap().iter().map(|v| v["code"].as_str().unwrap()).collect();
        assert!(overdue.contains(&"522301100203") && !overdue.contains(&VILLAGE), "{overdue:?}");

        let elsewhere = app.user_token("t_other", Role::Reviewer, Some("522301101"), None).await;
        assert_eq!(app.get_as(&elsewhere, "/api/v1/timeliness?within=522301100&period=2024").await.0, 404);
        let clerk = app.user_token("t_clerk", Role::Clerk, Some(VILLAGE), None).await;
        assert_eq!(app.get_as(&clerk, "/api/v1/timeliness?within=522301100&period=2024").await.0, 403);
    })
    .await;
}

/// A stand-in for a DingTalk robot: answers `{"errcode":0}` to each POST and hands the bodies on.
pub(super) fn robot() -> (String, std::sync::mpsc::Receiver<Value>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/robot/send?access_token=t", listener.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap();
                }
                if line == "\r\n" || line.is_empty() {
                    break;
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let mut posted: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            // Where it was posted, for the signature of a signed (加签) robot.
            let target = request_line.split_whitespace().nth(1).unwrap_or_default().to_owned();
            if let Some(object) = posted.as_object_mut() {
                object.insert("_target".to_owned(), Value::from(target));
            }
            let _ = tx.send(posted);
            let answer = "{\"errcode\":0}";
            write!(stream, "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}", answer.len()).unwrap();
        }
    });
    (url, rx)
}

#[tokio::test]
async fn a_reviewer_chases_late_villages_the_clerk_reads_it_and_the_townships_robot_gets_it() {
    for backend in onetable_tests::backends() {
        // The operator lets the stand-in robot's address in, as a 政务 chat server would be.
        let app = TestApp::spawn_with(backend, |s| s.reminder_robot_hosts.push("127.0.0.1".to_owned())).await;
        app.load_catalogue();
        let reviewer = app.user_token("t_reviewer", Role::Reviewer, Some("522301100"), None).await;
        let clerk = app.user_token("t_clerk", Role::Clerk, Some(VILLAGE), None).await;
        let send = |villages: Value, message: Option<&str>| {
            let (app, reviewer) = (&app, reviewer.clone());
            let body = json!({"period": "2025", "villages": villages, "message": message});
            async move { app.send_json(Method::POST, &reviewer, "/api/v1/reminders", &body).await }
        };
        let (status, sent) = send(json!([VILLAGE]), None).await;
        assert_eq!(status, 201, "{sent}");
        assert!(sent[0]["message"].as_str().unwrap().contains("截止日期"), "{sent}");
        let (status, _) = send(json!([NEIGHBOUR, "522301101200"]), None).await;
        assert_eq!(status, 403, "a village outside the scope refuses the whole reminder");
        let (_, none) = app.get_as(&reviewer, &format!("/api/v1/reminders?within={NEIGHBOUR}")).await;
        assert_eq!(none.as_array().unwrap().len(), 0, "nothing was sent: {none}");

        let (status, mine) = app.get_as(&clerk, "/api/v1/reminders/mine").await;
        assert_eq!((status.as_u16(), mine.as_array().unwrap().len()), (200, 1), "{mine}");
        assert!(mine[0]["read_at"].is_null());
        let id = mine[0]["id"].as_i64().unwrap();
        let (status, _) =
            app.send_json(Method::POST, &clerk, &format!("/api/v1/reminders/{id}/read"), &json!({})).await;
        assert_eq!(status, 204);
        let (_, seen) = app.get_as(&reviewer, "/api/v1/reminders?period=2025").await;
        assert_eq!(seen[0]["read_by"], "t_clerk", "{seen}");

        assert_eq!(send(json!([VILLAGE]), Some("第二次")).await.0, 201);
        assert_eq!(send(json!([VILLAGE]), Some("第三次")).await.0, 201);
        let (status, limited) = send(json!([VILLAGE]), Some("第四次")).await;
        assert_eq!((status.as_u16(), limited["error"].as_str()), (429, Some("reminder_limit")), "{limited}");

        // The township's DingTalk group gets the next reminder.
        let admin = app.user_token("t_admin", Role::Admin, Some("522301"), None).await;
        let (url, received) = robot();
        let hook = |body: Value| {
            let (app, admin) = (&app, admin.clone());
            async move { app.send_json(Method::PUT, &admin, "/api/v1/regions/522301100/reminder-hook", &body).await }
        };
        let (status, body) = hook(json!({"kind": "dingtalk", "url": "ftp://example"})).await;
        assert_eq!((status.as_u16(), body["details"][0]["field"].as_str()), (422, Some("url")), "{body}");
        let (status, body) = hook(json!({"kind": "dingtalk", "url": "http://10.0.0.5:5432/"})).await;
        assert_eq!((status.as_u16(), body["details"][0]["code"].as_str()), (422, Some("host_not_allowed")), "{body}");
        let (status, body) = hook(json!({"kind": "dingtalk", "url": url})).await;
        assert_eq!(status, 200, "{body}");
        let (status, sent) = send(json!([NEIGHBOUR]), Some("请今天提交")).await;
        assert_eq!(status, 201, "{sent}");
        assert_eq!(sent[0]["delivery"], "dingtalk: 已推送", "{sent}");
        let posted = received.recv_timeout(std::time::Duration::from_secs(5)).unwrap();
        assert_eq!(posted["msgtype"], "text");
        let content = posted["text"]["content"].as_str().unwrap();
        assert!(content.contains("请今天提交") && content.contains("必亮村"), "{content}");

        // A DingTalk robot with 加签: each post carries the time and its signature.
        let (status, body) = hook(json!({"kind": "dingtalk", "url": url, "secret": "SEC-test-secret"})).await;
        assert_eq!((status.as_u16(), body["signed"].as_bool()), (200, Some(true)), "{body}");
        assert!(!body.to_string().contains("SEC-test-secret"), "the secret is never answered: {body}");
        assert_eq!(send(json!([NEIGHBOUR]), Some("再次提醒")).await.0, 201);
        let signed = received.recv_timeout(std::time::Duration::from_secs(5)).unwrap();
        let target = signed["_target"].as_str().unwrap();
        let timestamp: i64 = target.split("timestamp=").nth(1).unwrap().split('&').next().unwrap().parse().unwrap();
        let expected = onetable_app::reminders::hooks::dingtalk_signature("SEC-test-secret", timestamp);
        assert!(target.ends_with(&expected), "{target} signed as {expected}");
        let (status, body) = hook(json!({"kind": "wecom", "url": url, "secret": "SEC-x"})).await;
        assert_eq!((status.as_u16(), body["details"][0]["field"].as_str()), (422, Some("secret")), "{body}");

        // Once the form is submitted, its reminders leave the clerk's home page.
        app.seed_entry(VILLAGE, "2025", "submitted", &[]);
        let (_, mine) = app.get_as(&clerk, "/api/v1/reminders/mine").await;
        assert!(mine.as_array().unwrap().is_empty(), "{mine}");
    }
}

#[tokio::test]
async fn the_form_prints_as_a_pdf_with_its_chinese_font_embedded() {
    each_backend(|app| async move {
        app.load_catalogue();
        app.seed_entry(VILLAGE, "2024", "approved", &[("POP.REGISTERED", "1234")]);
        submitted_at(&app, VILLAGE, "2024", "2025-01-20 09:00");
        let clerk = app.user_token("t_clerk", Role::Clerk, Some(VILLAGE), None).await;
        let response = app
            .client
            .get(app.url(&format!("/api/v1/entries/{VILLAGE}/2024/print.pdf")))
            .bearer_auth(&clerk)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/pdf");
        let pdf = response.bytes().await.unwrap().to_vec();
        assert!(pdf.starts_with(b"%PDF-"), "a PDF");
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("NotoSansCJK"), "the font is embedded");
        assert!(text.contains("/ToUnicode"), "its text can be copied and searched");
        assert!(pdf.len() < 400 * 1024, "only the glyphs used: {} bytes", pdf.len());

        let other = app.user_token("t_other", Role::Clerk, Some(NEIGHBOUR), None).await;
        let refused = app
            .client
            .get(app.url(&format!("/api/v1/entries/{VILLAGE}/2024/print.pdf")))
            .bearer_auth(&other)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 404, "another village's form is not printed");
    })
    .await;
}
