//! Outliers (异常值) over HTTP: a village that typed 24,500 for 2,450 is flagged against its own
//! history and against its county's villages, with the reason; only reviewers and admins read
//! the list; bad parameters name their field.

use onetable_core::Role;
use onetable_tests::{each_backend, TestApp};
use serde_json::Value;

const VILLAGE: &str = "522301100200";

/// Eight villages of one township submitted for 2025 (one with a tenfold 户籍人口); the first with
/// five approved earlier years.
fn seed(app: &TestApp) {
    for (i, year) in (2020..2025).enumerate() {
        let people = (2400 + 10 * i).to_string();
        app.seed_entry(
            VILLAGE,
            &year.to_string(),
            "approved",
            &[("POP.REGISTERED", &people), ("POP.HOUSEHOLDS", "600")],
        );
    }
    for n in 0..8 {
        let village = format!("5223011002{n:02}");
        let people = if n == 0 { "24500".to_owned() } else { (2000 + 80 * n).to_string() };
        let households = (500 + 20 * n).to_string();
        app.seed_entry(&village, "2025", "submitted", &[("POP.REGISTERED", &people), ("POP.HOUSEHOLDS", &households)]);
    }
}

async fn ask(app: &TestApp, token: &str, query: &str) -> (u16, Value) {
    let (status, body) = app.get_as(token, &format!("/api/v1/quality/outliers?period=2025{query}")).await;
    (status.as_u16(), body)
}

#[tokio::test]
async fn a_tenfold_value_is_flagged_against_its_history_and_its_county_with_the_reason() {
    each_backend(|app| async move {
        app.load_catalogue();
        seed(&app);
        let reviewer = app.user_token("t_reviewer", Role::Reviewer, Some("522301100"), None).await;
        let (status, report) = ask(&app, &reviewer, "&indicators=POP.REGISTERED").await;
        assert_eq!(status, 200, "{report}");
        let flags = report["outliers"].as_array().unwrap();
        let of = |against: &str| flags.iter().find(|f| f["village"] == VILLAGE && f["against"] == against).cloned();
        let history = of("history").unwrap_or_else(|| panic!("flagged against its history: {report}"));
        assert!(history["reason"].as_str().unwrap().contains("比上期（2024）增长 904%"), "{history}");
        // Computed by hand: median 2,420 of 2,400…2,440; MAD 10 → spread 14.8, below the floor of
        // 5 % of the median (121): (24,500 − 2,420) / 121.
        assert_eq!(history["baseline"], 2420.0);
        assert!((history["score"].as_f64().unwrap() - 182.48).abs() < 0.01, "{history}");
        assert_eq!(history["history"].as_array().unwrap().len(), 5);
        assert_eq!(history["village_name"], "吴家坪村村民委员会");
        let peers = of("peers").unwrap_or_else(|| panic!("flagged against the county: {report}"));
        assert!(peers["reason"].as_str().unwrap().starts_with("高于全县 100% 的村"), "{peers}");
        assert!(flags.iter().all(|f| f["village"] == VILLAGE), "no ordinary village is flagged: {report}");
        assert_eq!(report["short_history"], 7, "seven villages have no earlier years: {report}");
        assert_eq!(report["checked"], 8);

        // Only its history, by z-score: still flagged.
        let (_, report) = ask(&app, &reviewer, "&indicators=POP.REGISTERED&against=history&method=z").await;
        assert_eq!(report["outliers"].as_array().unwrap().len(), 1, "{report}");

        // Who may not, and what is refused, naming the field.
        let viewer = app.user_token("t_dash", Role::Viewer, Some("522301"), None).await;
        assert_eq!(ask(&app, &viewer, "").await.0, 403);
        for (query, field) in [
            ("&method=iqr", "method"),
            ("&threshold=0", "threshold"),
            ("&threshold=1e9", "threshold"),
            ("&against=all", "against"),
            ("&limit=0", "limit"),
        ] {
            let (status, body) = ask(&app, &reviewer, query).await;
            assert_eq!((status, body["details"][0]["field"].as_str()), (400, Some(field)), "{query}: {body}");
        }
        let many = format!("&indicators={}", (0..500).map(|i| format!("X.{i}")).collect::<Vec<_>>().join(","));
        let (status, body) = ask(&app, &reviewer, &many).await;
        assert_eq!(
            (status, body["details"][0]["field"].as_str()),
            (400, Some("indicators")),
            "more than the form: {body}"
        );
        let (status, body) = ask(&app, &reviewer, "&indicators=POP.NOPE").await;
        assert_eq!((status, body["error"].as_str()), (400, Some("unknown_indicator")), "{body}");
        let (status, _) = ask(&app, &reviewer, "&within=522301101").await;
        assert_eq!(status, 404, "a township outside the reviewer's is not there for it, as elsewhere");
    })
    .await;
}

/// In the browser: the reviewer opening the form sees, beside 户籍人口, that it jumped tenfold and
/// is far above the county, and the review card counts it; the clerk of a draft sees the same
/// before submitting.
#[tokio::test]
async fn the_reviewer_and_the_clerk_see_the_flag_beside_the_field() {
    use onetable_tests::browser::Window;
    let app = TestApp::spawn(onetable_store::Backend::Sqlite).await;
    app.load_catalogue();
    seed(&app);
    app.add_user("wang_reviewer", Role::Reviewer, Some("522301100"), None);
    app.add_user("li_clerk", Role::Clerk, Some(VILLAGE), None);

    let Some(reviewer) = super::pages::signed_in(&app, Window::Desktop, "wang_reviewer").await else { return };
    reviewer.wait_for_text("#who", "敬南镇").await;
    reviewer.client.goto(&app.url(&format!("/form?period=2025&region={VILLAGE}"))).await.unwrap();
    let note = reviewer.wait_for_text("[data-code=\"POP.REGISTERED\"] .outlier-note", "增长 904%").await;
    assert!(note.contains("高于全县 100% 的村"), "{note}");
    let card = reviewer.wait_for_text("#review #outlier-summary", "异常值提示").await;
    assert!(card.contains("户籍人口"), "{card}");
    reviewer
        .client
        .execute("document.querySelector('[data-code=\"POP.REGISTERED\"]').scrollIntoView()", vec![])
        .await
        .unwrap();
    reviewer.screenshot("outlier-review-desktop").await;
    // 跟进: marked from the note, with the reasons offered as the note.
    reviewer.click("[data-code=\"POP.REGISTERED\"] .mark-follow-up").await;
    reviewer.click("[data-code=\"POP.REGISTERED\"] .send-follow-up").await;
    let following = reviewer.wait_for_text("[data-code=\"POP.REGISTERED\"] .follow-up-note", "跟进中").await;
    assert!(following.contains("请核实：比上期（2024）增长 904%"), "{following}");
    reviewer.close().await;

    // Back to the clerk as a draft: the same flag, before submitting.
    app.seed_entry(VILLAGE, "2025", "draft", &[("POP.REGISTERED", "24500")]);
    let Some(clerk) = super::pages::signed_in(&app, Window::Phone, "li_clerk").await else { return };
    clerk.wait_for_text("#who", "吴家坪村").await;
    clerk.wait_for_text("#my-follow-ups", "待核实的数据（1）").await;
    clerk.screenshot("follow-up-home-phone").await;
    clerk.client.goto(&app.url("/form?period=2025")).await.unwrap();
    clerk.wait_for_text("[data-code=\"POP.REGISTERED\"] .follow-up-note", "wang_reviewer：请核实").await;
    clerk.wait_for_text("[data-code=\"POP.REGISTERED\"] .outlier-note", "增长 904%").await;
    clerk.wait_for_text(".submit-card #outlier-summary", "照常提交").await;
    clerk
        .client
        .execute("document.querySelector('[data-code=\"POP.REGISTERED\"]').scrollIntoView()", vec![])
        .await
        .unwrap();
    clerk.fill("[data-code=\"POP.REGISTERED\"] .flag-explanation", "新建移民安置点迁入").await;
    let noted = clerk
        .client
        .execute("return (await import('/assets/js/form_state.js')).state.flagNotes", vec![])
        .await
        .unwrap();
    assert_eq!(noted["outlier:POP.REGISTERED"], "新建移民安置点迁入", "goes with the submission: {noted}");
    clerk.screenshot("outlier-clerk-phone").await;
    clerk.close().await;

    // Submitted with that explanation (the rest of the form filled over HTTP): the reviewer reads
    // it beside the flag.
    let token = app.login("li_clerk", onetable_tests::PASSWORD).await;
    let entry_path = format!("/api/v1/entries/{VILLAGE}/2025");
    let (_, entry) = app.get_as(&token, &entry_path).await;
    let fill: serde_json::Map<String, Value> = entry["missing_required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c.as_str().unwrap().to_owned(), Value::from(1)))
        .collect();
    let send = |method: reqwest::Method, path: String, revision: &Value, body: Value| {
        app.client
            .request(method, app.url(&path))
            .bearer_auth(&token)
            .header("if-match", format!("\"{revision}\""))
            .json(&body)
            .send()
    };
    let saved: Value =
        send(reqwest::Method::PATCH, entry_path.clone(), &entry["revision"], serde_json::json!({"values": fill}))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let explanations: serde_json::Map<String, Value> = saved["rule_results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["outcome"] == "fail")
        .map(|r| (r["code"].as_str().unwrap().to_owned(), Value::from("测试")))
        .chain([("outlier:POP.REGISTERED".to_owned(), Value::from("新建移民安置点迁入"))])
        .collect();
    let submitted = send(
        reqwest::Method::POST,
        format!("{entry_path}/submit"),
        &saved["revision"],
        serde_json::json!({"explanations": explanations}),
    )
    .await
    .unwrap();
    assert!(submitted.status().is_success(), "{}", submitted.text().await.unwrap());
    let Some(reviewer) = super::pages::signed_in(&app, Window::Desktop, "wang_reviewer").await else { return };
    reviewer.wait_for_text("#who", "敬南镇").await;
    reviewer.client.goto(&app.url(&format!("/form?period=2025&region={VILLAGE}"))).await.unwrap();
    reviewer
        .wait_for_text("[data-code=\"POP.REGISTERED\"] .outlier-note .explanation", "填报说明：新建移民安置点迁入")
        .await;
    reviewer.close().await;
}

/// 跟进: the reviewer marks the value; the clerk sees it in its queue and fixes it, which resolves
/// it in the same write; another is closed with a reason.
#[tokio::test]
async fn a_follow_up_stays_open_until_the_value_changes_or_the_reviewer_closes_it() {
    use reqwest::Method;
    use serde_json::json;
    each_backend(|app| async move {
        app.load_catalogue();
        seed(&app);
        let reviewer = app.user_token("t_reviewer", Role::Reviewer, Some("522301100"), None).await;
        let clerk = app.user_token("t_clerk", Role::Clerk, Some(VILLAGE), None).await;
        let mark = |token: String, body: Value| {
            let app = &app;
            async move { app.send_json(Method::POST, &token, "/api/v1/quality/follow-ups", &body).await }
        };
        let body = |indicator: &str, note: &str| json!({"region": VILLAGE, "period": "2025", "indicator": indicator, "note": note});
        let (status, marked) = mark(reviewer.clone(), body("POP.REGISTERED", "户籍人口比上年增长 9 倍，请核实")).await;
        assert_eq!((status.as_u16(), marked["value"].as_str(), marked["status"].as_str()), (201, Some("24500"), Some("open")), "{marked}");
        let (status, again) = mark(reviewer.clone(), body("POP.REGISTERED", "再看看")).await;
        assert_eq!((status.as_u16(), again["error"].as_str()), (409, Some("follow_up_open")), "{again}");
        assert_eq!(mark(clerk.clone(), body("POP.HOUSEHOLDS", "x")).await.0, 403);
        let (status, empty) = mark(reviewer.clone(), body("POP.HOUSEHOLDS", "  ")).await;
        assert_eq!((status.as_u16(), empty["details"][0]["field"].as_str()), (422, Some("note")), "{empty}");
        let mut township = body("POP.HOUSEHOLDS", "x");
        township["region"] = json!("522301100");
        assert_eq!(mark(reviewer.clone(), township).await.0, 422);

        let (_, queue) = app.get_as(&clerk, "/api/v1/quality/follow-ups").await;
        assert_eq!(queue.as_array().map(Vec::len), Some(1), "the clerk sees its village's: {queue}");
        assert_eq!(queue[0]["note"], "户籍人口比上年增长 9 倍，请核实");

        // Returned, the clerk fixes it: the follow-up is resolved by that save.
        app.seed_entry(VILLAGE, "2025", "returned", &[("POP.REGISTERED", "24500")]);
        let (_, entry) = app.get_as(&clerk, &format!("/api/v1/entries/{VILLAGE}/2025")).await;
        let saved = app
            .client
            .patch(app.url(&format!("/api/v1/entries/{VILLAGE}/2025")))
            .bearer_auth(&clerk)
            .header("if-match", format!("\"{}\"", entry["revision"]))
            .json(&json!({"values": {"POP.REGISTERED": 2450}}))
            .send()
            .await
            .unwrap();
        assert!(saved.status().is_success(), "{}", saved.text().await.unwrap());
        let (_, open) = app.get_as(&reviewer, "/api/v1/quality/follow-ups?within=522301100").await;
        assert_eq!(open, json!([]), "nothing open after the fix");
        let (_, all) = app.get_as(&reviewer, "/api/v1/quality/follow-ups?status=all&period=2025").await;
        assert_eq!(all[0]["status"], "resolved");
        assert_eq!(all[0]["resolution"], "数值由 24500 改为 2450");
        assert_eq!(all[0]["resolved_by"], "t_clerk");

        // Closed with a reason instead.
        let (_, second) = mark(reviewer.clone(), body("POP.HOUSEHOLDS", "户数与人口不相称")).await;
        let close = format!("/api/v1/quality/follow-ups/{}/close", second["id"]);
        let (status, refused) = app.send_json(Method::POST, &reviewer, &close, &json!({"reason": ""})).await;
        assert_eq!((status.as_u16(), refused["details"][0]["field"].as_str()), (422, Some("reason")), "{refused}");
        let (status, closed) = app.send_json(Method::POST, &reviewer, &close, &json!({"reason": "已电话核实：新建安置点"})).await;
        assert_eq!((status.as_u16(), closed["status"].as_str()), (200, Some("closed")), "{closed}");
        assert_eq!(app.send_json(Method::POST, &reviewer, &close, &json!({"reason": "again"})).await.0, 409);
        assert_eq!(app.get_as(&clerk, "/api/v1/quality/follow-ups?status=bad").await.0, 400);
    })
    .await;
}
