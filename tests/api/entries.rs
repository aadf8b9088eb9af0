//! Data entry: values, concurrency, carry-forward, the review workflow, history, progress.

use onetable_core::Role;
use onetable_tests::{each_backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const VILLAGE: &str = "522301100200";
const NEIGHBOUR: &str = "522301100201";
const ENTRY: &str = "/api/v1/entries/522301100200/2025";

async fn send(
    app: &TestApp,
    method: Method,
    token: &str,
    path: &str,
    if_match: Option<i64>,
    body: Value,
) -> (StatusCode, Value) {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token).json(&body);
    if let Some(revision) = if_match {
        request = request.header("if-match", format!("\"{revision}\""));
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn setup(app: &TestApp) -> (String, String) {
    app.load_catalogue();
    let clerk = app.user_token("li_clerk", Role::Clerk, Some(VILLAGE), None).await;
    let reviewer = app.user_token("wang_rev", Role::Reviewer, Some("522301100"), None).await;
    (clerk, reviewer)
}

fn value_of(entry: &Value, code: &str) -> Value {
    entry["values"].as_array().unwrap().iter().find(|c| c["code"] == code).map_or(Value::Null, |c| c["value"].clone())
}

fn rule(entry: &Value, code: &str) -> String {
    entry["rule_results"].as_array().unwrap().iter().find(|r| r["code"] == code).unwrap()["outcome"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_clerk_enters_values_and_sees_rules_at_once() {
    each_backend(|app| async move {
        let (clerk, _) = setup(&app).await;
        let response = app.client.get(app.url(ENTRY)).bearer_auth(&clerk).send().await.unwrap();
        assert_eq!(response.headers()["etag"], "\"0\"");
        let empty: Value = response.json().await.unwrap();
        assert_eq!((empty["status"].as_str(), empty["revision"].as_i64()), (Some("draft"), Some(0)));
        assert_eq!(rule(&empty, "R.SEX_SUM"), "skipped");

        let body = json!({"values": {"POP.REGISTERED": 1234, "POP.MALE": 600, "POP.FEMALE": 600, "POP.AGED_60": 300}, "reason": "年报"});
        let (status, entry) = send(&app, Method::PATCH, &clerk, ENTRY, Some(0), body).await;
        assert_eq!(status, 200, "{entry}");
        assert_eq!(entry["revision"], 1);
        assert_eq!(value_of(&app.get_as(&clerk, ENTRY).await.1, "POP.REGISTERED"), 1234);
        assert_eq!(rule(&entry, "R.SEX_SUM"), "fail", "600 + 600 ≠ 1234");
        let ageing = entry["derived"].as_array().unwrap().iter().find(|d| d["code"] == "DER.AGEING_RATE").unwrap();
        // 300 / 1234 × 100 = 24.311183…, given at the indicator's scale (two decimals).
        assert_eq!(ageing["value"], json!(24.31));

        let (_, fixed) = send(&app, Method::PATCH, &clerk, ENTRY, Some(1), json!({"values": {"POP.FEMALE": 634}})).await;
        assert_eq!((fixed["revision"].as_i64(), rule(&fixed, "R.SEX_SUM").as_str()), (Some(2), "pass"));
        let (_, cleared) = send(&app, Method::PATCH, &clerk, ENTRY, Some(2), json!({"values": {"POP.AGED_60": null}})).await;
        assert_eq!(cleared["revision"], 3);
        assert_eq!(value_of(&app.get_as(&clerk, ENTRY).await.1, "POP.AGED_60"), Value::Null);

        // Every changed cell is in the trail with its old and new value, newest first; an edit's
        // cells in code order, a cleared cell with no new value.
        let (_, history) = app.get_as(&clerk, &format!("{ENTRY}/history")).await;
        assert_eq!(history["total"], 6);
        let rows: Vec<(i64, &str, &str, &str, &str, &str)> = history["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                let text = |key: &str| h[key].as_str().unwrap_or("∅");
                (h["revision"].as_i64().unwrap(), text("indicator_code"), text("old_value"), text("new_value"), text("source"), text("reason"))
            })
            .collect();
        assert_eq!(
            rows,
            [
                (3, "POP.AGED_60", "300", "∅", "entry", "∅"),
                (2, "POP.FEMALE", "600", "634", "entry", "∅"),
                (1, "POP.REGISTERED", "∅", "1234", "entry", "年报"),
                (1, "POP.MALE", "∅", "600", "entry", "年报"),
                (1, "POP.FEMALE", "∅", "600", "entry", "年报"),
                (1, "POP.AGED_60", "∅", "300", "entry", "年报"),
            ],
            "{history}"
        );
        let (_, page) = app.get_as(&clerk, &format!("{ENTRY}/history?limit=2&offset=1")).await;
        assert_eq!((page["total"].as_i64(), page["items"].as_array().map(Vec::len)), (Some(6), Some(2)));
        assert_eq!((page["items"][0]["indicator_code"].as_str(), page["items"][1]["indicator_code"].as_str()), (Some("POP.FEMALE"), Some("POP.REGISTERED")));
        for bad in ["limit=0", "limit=-1", "limit=1001", "offset=-1"] {
            assert_eq!(app.get_as(&clerk, &format!("{ENTRY}/history?{bad}")).await.0, 400, "{bad}");
        }

        // The form follows the registry at once: a deprecated indicator is no longer entered.
        let admin = app.user_token("t_admin", Role::Admin, Some("5223"), None).await;
        let path = "/api/v1/indicators/POP.MINORITY/deprecate";
        assert_eq!(send(&app, Method::POST, &admin, path, None, json!({"reason": "改由民宗局报送"})).await.0, 200);
        let (status, body) = send(&app, Method::PATCH, &clerk, ENTRY, Some(3), json!({"values": {"POP.MINORITY": 5}})).await;
        assert_eq!((status.as_u16(), body["details"][0]["field"].as_str()), (422, Some("POP.MINORITY")), "{body}");
    })
    .await;
}

#[tokio::test]
async fn bad_values_missing_and_stale_revisions_save_nothing() {
    each_backend(|app| async move {
        let (clerk, _) = setup(&app).await;
        let (_, entry) =
            send(&app, Method::PATCH, &clerk, ENTRY, Some(0), json!({"values": {"POP.REGISTERED": 1000}})).await;
        assert_eq!(entry["revision"], 1);

        let bad = json!({"values": {
            "POP.MALE": 500, "POP.FEMALE": 12.5, "POP.REGISTERED": 999999, "PROFILE.TERRAIN": "海岛",
            "DER.AGEING_RATE": 3, "NOT.A_CODE": 1, "PROFILE.AREA_KM2": 1.234
        }});
        let (status, body) = send(&app, Method::PATCH, &clerk, ENTRY, Some(1), bad).await;
        assert_eq!(status, 422, "{body}");
        let fields: Vec<&str> =
            body["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
        assert_eq!(
            fields,
            ["DER.AGEING_RATE", "NOT.A_CODE", "POP.FEMALE", "POP.REGISTERED", "PROFILE.AREA_KM2", "PROFILE.TERRAIN"]
        );
        assert!(body["details"].to_string().contains("应为整数"), "{body}");

        let (status, body) = send(&app, Method::PATCH, &clerk, ENTRY, None, json!({"values": {"POP.MALE": 1}})).await;
        assert_eq!((status.as_u16(), body["error"].as_str()), (428, Some("if_match_required")));
        let (status, body) =
            send(&app, Method::PATCH, &clerk, ENTRY, Some(0), json!({"values": {"POP.MALE": 1}})).await;
        assert_eq!((status.as_u16(), body["error"].as_str()), (412, Some("stale_revision")));

        let (_, after) = app.get_as(&clerk, ENTRY).await;
        assert_eq!(after["revision"], 1, "no rejected write moved the revision");
        assert_eq!(after["values"].as_array().unwrap().len(), 1);
        assert_eq!(value_of(&after, "POP.REGISTERED"), 1000);
        let (_, history) = app.get_as(&clerk, &format!("{ENTRY}/history")).await;
        assert_eq!(history["items"].as_array().unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn two_clerks_racing_one_wins_the_other_gets_412_and_nothing_is_lost() {
    each_backend(|app| async move {
        let (clerk, _) = setup(&app).await;
        let other = app.user_token("zhao_clerk", Role::Clerk, Some(VILLAGE), None).await;
        send(&app, Method::PATCH, &clerk, ENTRY, Some(0), json!({"values": {"POP.REGISTERED": 1000}})).await;
        for round in 1..=5_i64 {
            let revision = round;
            let a =
                send(&app, Method::PATCH, &clerk, ENTRY, Some(revision), json!({"values": {"POP.MALE": 100 + round}}));
            let b =
                send(&app, Method::PATCH, &other, ENTRY, Some(revision), json!({"values": {"POP.MALE": 200 + round}}));
            let ((sa, ea), (sb, eb)) = tokio::join!(a, b);
            let mut statuses = [sa.as_u16(), sb.as_u16()];
            statuses.sort_unstable();
            assert_eq!(statuses, [200, 412], "round {round}: {ea} {eb}");
            let winner = if sa == 200 { 100 + round } else { 200 + round };
            let (_, now) = app.get_as(&clerk, ENTRY).await;
            assert_eq!(now["revision"], revision + 1);
            assert_eq!(value_of(&now, "POP.MALE"), winner, "the winner's value stands");
        }
        let (_, history) = app.get_as(&clerk, &format!("{ENTRY}/history")).await;
        assert_eq!(
            history["items"].as_array().unwrap().len(),
            6,
            "one change per successful write, none from the losers"
        );
    })
    .await;
}

#[tokio::test]
async fn carry_forward_confirms_last_period() {
    each_backend(|app| async move {
        let (clerk, _) = setup(&app).await;
        let last_year = "/api/v1/entries/522301100200/2024";
        send(
            &app,
            Method::PATCH,
            &clerk,
            last_year,
            Some(0),
            json!({"values": {"POP.REGISTERED": 1200, "POP.HOUSEHOLDS": 300, "PROFILE.GROUPS": 8}}),
        )
        .await;
        let (_, fresh) = app.get_as(&clerk, ENTRY).await;
        assert_eq!(fresh["carried_forward"].as_array().unwrap().len(), 3);
        let (status, entry) = send(
            &app,
            Method::POST,
            &clerk,
            &format!("{ENTRY}/carry-forward"),
            Some(0),
            json!({"codes": ["POP.HOUSEHOLDS", "PROFILE.GROUPS"]}),
        )
        .await;
        assert_eq!(status, 200, "{entry}");
        let carried: Vec<(&str, &str)> = entry["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["code"].as_str().unwrap(), c["source"].as_str().unwrap()))
            .collect();
        assert_eq!(carried, [("POP.HOUSEHOLDS", "carried_forward"), ("PROFILE.GROUPS", "carried_forward")]);
        let (status, body) = send(
            &app,
            Method::POST,
            &clerk,
            &format!("{ENTRY}/carry-forward"),
            Some(1),
            json!({"codes": ["POP.AGED_80"]}),
        )
        .await;
        assert_eq!((status.as_u16(), body["details"][0]["code"].as_str()), (422, Some("no_previous_value")));
        let (_, all) = send(&app, Method::POST, &clerk, &format!("{ENTRY}/carry-forward"), Some(1), json!({})).await;
        assert_eq!(value_of(&all, "POP.REGISTERED"), 1200);
    })
    .await;
}

#[tokio::test]
async fn submit_review_return_approve_reopen_with_permissions() {
    each_backend(|app| async move {
        let (clerk, reviewer) = setup(&app).await;
        let other_reviewer = app.user_token("far_rev", Role::Reviewer, Some("522301101"), None).await;
        let values = json!({"values": {"POP.REGISTERED": 1000, "POP.MALE": 500, "POP.FEMALE": 400, "LAND.CULTIVATED_MU": 100, "LAND.HIGH_STANDARD_MU": 150}});
        send(&app, Method::PATCH, &clerk, ENTRY, Some(0), values).await;
        let submit = format!("{ENTRY}/submit");
        let (status, body) = send(&app, Method::POST, &clerk, &submit, Some(1), json!({})).await;
        assert_eq!(status, 422, "{body}");
        let codes: Vec<(&str, &str)> = body["details"].as_array().unwrap().iter().map(|d| (d["field"].as_str().unwrap(), d["code"].as_str().unwrap())).collect();
        assert_eq!(codes, [("R.HIGH_STANDARD_LE_CULTIVATED", "explanation_required"), ("R.SEX_SUM", "rule_failed")]);
        send(&app, Method::PATCH, &clerk, ENTRY, Some(1), json!({"values": {"POP.FEMALE": 500}})).await;
        let explained = json!({"explanations": {"R.HIGH_STANDARD_LE_CULTIVATED": "高标准农田含邻村共建部分"}});
        let (status, entry) = send(&app, Method::POST, &clerk, &submit, Some(2), explained.clone()).await;
        assert_eq!((status.as_u16(), entry["status"].as_str()), (200, Some("submitted")), "{entry}");
        assert_eq!(entry["explanations"], explained["explanations"], "the reviewer reads what the clerk said");
        let (_, read) = app.get_as(&reviewer, ENTRY).await;
        assert_eq!(read["explanations"]["R.HIGH_STANDARD_LE_CULTIVATED"], "高标准农田含邻村共建部分");

        // Only a reviewer whose scope holds the village approves or returns.
        assert_eq!(send(&app, Method::POST, &clerk, &format!("{ENTRY}/approve"), Some(3), json!({})).await.0, 403);
        assert_eq!(send(&app, Method::POST, &other_reviewer, &format!("{ENTRY}/approve"), Some(3), json!({})).await.0, 403);
        assert_eq!(send(&app, Method::PATCH, &clerk, ENTRY, Some(3), json!({"values": {"POP.MALE": 1}})).await.0, 409, "submitted is locked");
        let (status, _) = send(&app, Method::POST, &reviewer, &format!("{ENTRY}/return"), Some(3), json!({})).await;
        assert_eq!(status, 422, "a return needs a comment");
        let (_, returned) = send(&app, Method::POST, &reviewer, &format!("{ENTRY}/return"), Some(3), json!({"comment": "请核实耕地"})).await;
        assert_eq!(returned["status"], "returned");
        send(&app, Method::PATCH, &clerk, ENTRY, Some(4), json!({"values": {"LAND.HIGH_STANDARD_MU": 90}})).await;
        let (_, resubmitted) = send(&app, Method::POST, &clerk, &submit, Some(5), json!({})).await;
        assert_eq!(resubmitted["status"], "submitted");
        let (status, approved) = send(&app, Method::POST, &reviewer, &format!("{ENTRY}/approve"), Some(6), json!({})).await;
        assert_eq!((status.as_u16(), approved["status"].as_str()), (200, Some("approved")));
        let (status, body) = send(&app, Method::PATCH, &clerk, ENTRY, Some(7), json!({"values": {"POP.MALE": 1}})).await;
        assert_eq!((status.as_u16(), body["error"].as_str()), (409, Some("entry_locked")));
        assert_eq!(send(&app, Method::POST, &reviewer, &format!("{ENTRY}/approve"), Some(7), json!({})).await.0, 409);

        let (status, reopened) = send(&app, Method::POST, &clerk, &format!("{ENTRY}/reopen"), Some(7), json!({"reason": "户籍人口有误"})).await;
        assert_eq!((status.as_u16(), reopened["status"].as_str()), (200, Some("draft")));
        let auditor = app.user_token("t_auditor", Role::Auditor, None, None).await;
        let (_, audit) = app.get_as(&auditor, "/api/v1/audit/events?action=entries.reopen").await;
        assert_eq!(audit["items"][0]["actor"], "li_clerk");

        let (_, history) = app.get_as(&reviewer, &format!("{ENTRY}/history")).await;
        let history = &history["items"];
        let actions: Vec<String> = history
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["action"].as_str().map_or_else(|| format!("value:{}", h["indicator_code"].as_str().unwrap()), str::to_owned))
            .collect();
        assert_eq!(
            actions,
            [
                "reopen", "approve", "submit", "value:LAND.HIGH_STANDARD_MU", "return", "submit", "value:POP.FEMALE",
                "value:POP.REGISTERED", "value:POP.MALE", "value:POP.FEMALE", "value:LAND.HIGH_STANDARD_MU",
                "value:LAND.CULTIVATED_MU"
            ][..],
            "newest first"
        );
        assert!(history[2]["comment"].as_str().unwrap_or_default().is_empty() || history[2]["comment"].is_null());
    })
    .await;
}

#[tokio::test]
async fn scope_periods_and_progress() {
    each_backend(|app| async move {
        let (clerk, reviewer) = setup(&app).await;
        assert_eq!(app.get_as(&clerk, &format!("/api/v1/entries/{NEIGHBOUR}/2025")).await.0, 404);
        let (status, _) = send(
            &app,
            Method::PATCH,
            &clerk,
            &format!("/api/v1/entries/{NEIGHBOUR}/2025"),
            Some(0),
            json!({"values": {"POP.MALE": 1}}),
        )
        .await;
        assert_eq!(status, 403, "writing a neighbouring village");
        for bad in ["2025Q5", "2099", "20250"] {
            let (status, body) = app.get_as(&clerk, &format!("/api/v1/entries/{VILLAGE}/{bad}")).await;
            assert_eq!((status.as_u16(), body["error"].as_str()), (400, Some("invalid_period")), "{bad}");
        }
        assert_eq!(app.get_as(&clerk, &format!("/api/v1/entries/{VILLAGE}/2025-09")).await.0, 200);
        assert_eq!(app.get_as(&reviewer, "/api/v1/entries/522301100/2025").await.0, 400, "a township has no form");

        send(&app, Method::PATCH, &clerk, ENTRY, Some(0), json!({"values": {"POP.REGISTERED": 10}})).await;
        send(&app, Method::POST, &clerk, &format!("{ENTRY}/submit"), Some(1), json!({})).await;
        let admin = app.user_token("t_admin", Role::Admin, Some("5223"), None).await;
        let (status, rows) = app.get_as(&admin, "/api/v1/progress?within=522301&period=2025").await;
        assert_eq!(status, 200);
        let town = rows.as_array().unwrap().iter().find(|r| r["code"] == "522301100000").unwrap();
        assert_eq!((town["submitted"].as_u64(), town["draft"].as_u64()), (Some(1), Some(0)));
        assert_eq!(town["expected"].as_u64(), Some(town["not_started"].as_u64().unwrap() + 1));
        let (_, county) = app.get_as(&admin, "/api/v1/progress?within=5223&period=2025").await;
        let total: u64 = county.as_array().unwrap().iter().map(|r| r["expected"].as_u64().unwrap()).sum();
        assert_eq!(total, 1294, "every village of 黔西南州 is expected");
        assert_eq!(app.get_as(&clerk, "/api/v1/progress?within=522301&period=2025").await.0, 403);
    })
    .await;
}

/// 外出务工占劳动力比重 is quarterly and reads 劳动力人数, an annual count: on the quarterly form
/// it showed "—" with no reason (issue 27). It reads the count from the quarter's year, as the
/// cubes do, and says what it waits for while the year has none.
#[tokio::test]
async fn a_derived_value_reads_an_annual_input_from_the_quarters_year_and_says_when_it_cannot() {
    each_backend(|app| async move {
        app.load_catalogue();
        let clerk = app.user_token("li_clerk", Role::Clerk, Some("522301100200"), None).await;
        let quarter = "/api/v1/entries/522301100200/2025Q3";
        let share = |entry: &Value| {
            entry["derived"].as_array().unwrap().iter().find(|d| d["code"] == "DER.MIGRANT_SHARE").cloned().unwrap()
        };
        let (status, entry) =
            send(&app, Method::PATCH, &clerk, quarter, Some(0), json!({"values": {"LAB.MIGRANT_WORKERS": 410}})).await;
        assert_eq!(status, 200, "{entry}");
        let waiting = share(&entry);
        assert_eq!(waiting["value"], Value::Null);
        assert!(waiting["note"].as_str().unwrap().contains("2025 期劳动力人数"), "{waiting}");
        app.seed_entry("522301100200", "2025", "draft", &[("LAB.LABOUR_FORCE", "820")]);
        let (_, entry) = app.get_as(&clerk, quarter).await;
        assert_eq!(share(&entry)["value"], json!(50.0), "410 / 820");
        assert!(share(&entry).get("note").is_none());
    })
    .await;
}
