//! Input no field may hold, and bad input that must be a clear 4xx rather than a 500 (issue 13,
//! items 3, 4, 5, 8, 11 and 12).

use onetable_core::Role;
use onetable_tests::{each_backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::{first_detail, patch, ENTRY, VILLAGE};

async fn clerk(app: &TestApp) -> String {
    app.load_catalogue();
    app.user_token("in_clerk", Role::Clerk, Some(VILLAGE), None).await
}

async fn revision(app: &TestApp, token: &str) -> i64 {
    app.get_as(token, ENTRY).await.1["revision"].as_i64().unwrap()
}

#[tokio::test]
async fn a_nul_or_a_direction_override_is_refused_with_the_field_named_and_nothing_stored() {
    each_backend(|app| async move {
        let clerk = clerk(&app).await;
        let cases = [
            (json!({"values": {"AGR.LEADING_INDUSTRY": "食用\u{0}菌"}}), "values.AGR.LEADING_INDUSTRY", "control_character"),
            (json!({"values": {"AGR.LEADING_INDUSTRY": "食用菌"}, "reason": "年报\u{0}"}), "reason", "control_character"),
            (json!({"values": {"AGR.LEADING_INDUSTRY": "\u{202E}菌用食"}}), "values.AGR.LEADING_INDUSTRY", "bidi_control"),
            (json!({"values": {"POP.REG\u{0}": 1}}), "values.POP.REG\\u{0000}", "control_character"),
        ];
        for (body, field, code) in cases {
            let (status, answer) = patch(&app, &clerk, ENTRY, 0, &body).await;
            assert_eq!((status.as_u16(), answer["error"].as_str()), (422, Some("invalid_text")), "{answer}");
            assert_eq!(first_detail(&answer), (field.to_owned(), code.to_owned()));
        }
        assert_eq!(revision(&app, &clerk).await, 0, "nothing stored");

        let admin = app.user_token("in_admin", Role::Admin, Some("5223"), None).await;
        let user = json!({"username": "spoof", "password": "Spoof-pass-2025", "role": "viewer", "region": "5223", "display_name": "张三\u{202E}txt.exe"});
        let (status, answer) = app.send_json(Method::POST, &admin, "/api/v1/users", &user).await;
        assert_eq!(status, 422, "{answer}");
        assert_eq!(first_detail(&answer).0, "display_name");
        assert_eq!(app.get_as(&admin, "/api/v1/users/spoof").await.0, 404, "not created");

        // Query parameters: `q=%00` matched every region on SQLite and was a 500 on PostgreSQL.
        let (status, answer) = app.get_as(&admin, "/api/v1/regions?q=%00&within=5223").await;
        assert_eq!((status.as_u16(), first_detail(&answer)), (422, ("q".to_owned(), "control_character".to_owned())));
        let auditor = app.user_token("in_auditor", Role::Auditor, None, None).await;
        let (status, answer) = app.get_as(&auditor, "/api/v1/audit/events?actor=a%00b").await;
        assert_eq!((status.as_u16(), first_detail(&answer).0.as_str()), (422, "actor"));
        assert_eq!(app.get_as(&admin, "/api/v1/indicators/POP%00X").await.0, 422);
        // Client credentials in a form.
        let form = [("grant_type", "client_credentials"), ("client_id", "a\u{0}b"), ("client_secret", "x")];
        let response = app.client.post(app.url("/api/v1/auth/token")).form(&form).send().await.unwrap();
        assert_eq!(response.status(), 400);
    })
    .await;
}

#[tokio::test]
async fn free_text_is_bounded_and_the_limit_named() {
    each_backend(|app| async move {
        let clerk = clerk(&app).await;
        let long = "很".repeat(501);
        let body = json!({"values": {"POP.REGISTERED": 10}, "reason": long});
        let (status, answer) = patch(&app, &clerk, ENTRY, 0, &body).await;
        assert_eq!(status, 422, "{answer}");
        assert_eq!(first_detail(&answer).0, "reason");
        assert!(answer["details"][0]["message"].as_str().unwrap().contains("最多 500 个字"), "{answer}");
        let body = json!({"values": {"POP.REGISTERED": 10}, "reason": "很".repeat(500)});
        assert_eq!(patch(&app, &clerk, ENTRY, 0, &body).await.0, 200, "500 is allowed");
        // Any string of a JSON body is bounded, whatever its field.
        let body = json!({"values": {"AGR.LEADING_INDUSTRY": "x".repeat(20_001)}});
        let (status, answer) = patch(&app, &clerk, ENTRY, 1, &body).await;
        assert_eq!((status.as_u16(), first_detail(&answer).1.as_str()), (422, "too_long"));
    })
    .await;
}

#[tokio::test]
async fn a_json_body_error_names_the_field_in_chinese_and_a_plain_date_is_a_date() {
    each_backend(|app| async move {
        app.load_catalogue();
        let dept = app.user_token("in_dept", Role::Department, Some("5223"), Some("民政局")).await;
        let mut body = json!({
            "title": "村情统计", "purpose": "规划", "indicators": ["POP.REGISTERED"], "region": "522301",
            "periods": ["2025"], "expires_at": "2027-12-31",
        });
        let (status, filed) = app.send_json(Method::POST, &dept, "/api/v1/data-requests", &body).await;
        assert_eq!(status, StatusCode::CREATED, "a plain date, as a person writes it: {filed}");
        assert_eq!(filed["expires_at"], "2027-12-31T15:59:59Z", "the end of that day in China");

        body["expires_at"] = json!("31/12/2027");
        let (status, answer) = app.send_json(Method::POST, &dept, "/api/v1/data-requests", &body).await;
        assert_eq!((status.as_u16(), first_detail(&answer).0.as_str()), (422, "expires_at"), "{answer}");
        assert!(answer["message"].as_str().unwrap().contains("2027-12-31"), "says what is expected: {answer}");
        body["expires_at"] = json!("2027-12-31");
        body["indicators"] = json!("POP.REGISTERED");
        let (status, answer) = app.send_json(Method::POST, &dept, "/api/v1/data-requests", &body).await;
        assert_eq!(
            (status.as_u16(), first_detail(&answer)),
            (422, ("indicators".to_owned(), "invalid_type".to_owned()))
        );
        assert!(answer["details"][0]["message"].as_str().unwrap().contains("应为数组"), "{answer}");
        let (status, answer) =
            app.send_json(Method::POST, &dept, "/api/v1/data-requests", &json!({"title": "x"})).await;
        assert_eq!((status.as_u16(), first_detail(&answer).1.as_str()), (422, "required"), "{answer}");
        let response = app
            .client
            .post(app.url("/api/v1/data-requests"))
            .bearer_auth(&dept)
            .header("content-type", "application/json")
            .body("{\"title\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["error"], "invalid_json");
    })
    .await;
}

#[tokio::test]
async fn numbers_that_mean_nothing_are_refused_and_a_patch_that_changes_nothing_keeps_the_revision() {
    each_backend(|app| async move {
        let clerk = clerk(&app).await;
        // Sent as written: `json!(-0)` would already be 0.
        for raw in [r#"{"values": {"POP.REGISTERED": -0}}"#, r#"{"values": {"PROFILE.AREA_KM2": 1e-400}}"#] {
            let response = app
                .client
                .patch(app.url(ENTRY))
                .bearer_auth(&clerk)
                .header("if-match", "\"0\"")
                .header("content-type", "application/json")
                .body(raw)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 422, "{raw} was stored (1e-400 as 0)");
        }
        assert_eq!(revision(&app, &clerk).await, 0);

        let body = json!({"values": {"POP.REGISTERED": 1200}});
        assert_eq!(patch(&app, &clerk, ENTRY, 0, &body).await.0, 200);
        let (status, same) = patch(&app, &clerk, ENTRY, 1, &body).await;
        assert_eq!((status.as_u16(), same["revision"].as_i64()), (200, Some(1)), "{same}");
        assert_eq!(revision(&app, &clerk).await, 1, "a PATCH that changes nothing does not bump the revision");
        assert_eq!(patch(&app, &clerk, ENTRY, 7, &body).await.0, 412, "the precondition still holds");
        let (_, entry) = app.get_as(&clerk, ENTRY).await;
        let at = entry["values"][0]["entered_at"].as_str().unwrap();
        assert!(at.ends_with('Z'), "times carry their zone: {at}");
    })
    .await;
}

#[tokio::test]
async fn repeated_codes_long_lists_and_odd_limits_are_answered_not_500() {
    each_backend(|app| async move {
        app.load_catalogue();
        app.seed_entry(VILLAGE, "2025", "approved", &[("POP.REGISTERED", "1000")]);
        let admin = app.user_token("in_admin2", Role::Admin, Some("5223"), None).await;
        let (status, answer) = app
            .get_as(&admin, "/api/v1/aggregates?indicators=POP.REGISTERED,POP.REGISTERED&within=522301100&level=village&period=2025")
            .await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["indicators"].as_array().unwrap().len(), 1);

        let dept = app.user_token("in_dept2", Role::Department, Some("5223"), Some("民政局")).await;
        let many: Vec<String> = (0..20_000).map(|i| format!("不存在的指标{i}")).collect();
        let body = json!({"title": "t", "purpose": "p", "indicators": many, "region": "5223", "periods": ["2025"], "expires_at": "2027-12-31"});
        let (status, answer) = app.send_json(Method::POST, &dept, "/api/v1/data-requests", &body).await;
        assert_eq!((status.as_u16(), first_detail(&answer)), (422, ("indicators".to_owned(), "too_many".to_owned())));
        let some: Vec<String> = (0..60).map(|i| format!("低保户数{i}")).collect();
        let body = json!({"title": "t", "purpose": "p", "indicators": some, "region": "5223", "periods": ["2025"], "expires_at": "2027-12-31"});
        let (status, answer) = app.send_json(Method::POST, &dept, "/api/v1/data-requests", &body).await;
        assert_eq!(status, 422);
        let details = answer["details"].as_array().unwrap();
        let suggested = details.iter().filter(|d| d.get("suggestions").is_some()).count();
        assert_eq!((details.len(), suggested), (60, 20), "every name listed, the first 20 with suggestions");

        let body = json!({"title": "t", "purpose": "p", "indicators": ["POP.REGISTERED", "POP.REGISTERED"], "region": "5223", "periods": ["2025"], "expires_at": "2027-12-31"});
        let (status, filed) = app.send_json(Method::POST, &dept, "/api/v1/data-requests", &body).await;
        assert_eq!(status, StatusCode::CREATED, "{filed}");
        let id = filed["id"].as_i64().unwrap();
        app.send_json(Method::POST, &admin, &format!("/api/v1/data-requests/{id}/approve"), &json!({})).await;
        let pull = format!("/api/v1/data-requests/{id}/data?period=2025&indicators=POP.REGISTERED,POP.REGISTERED");
        assert_eq!(app.get_as(&dept, &pull).await.0, 200);

        for list in ["/api/v1/data-requests", "/api/v1/users", "/api/v1/regions/5223/children", "/api/v1/regions?q=村"] {
            for bad in ["limit=0", "limit=-5", "offset=-1"] {
                let sep = if list.contains('?') { '&' } else { '?' };
                let (status, answer) = app.get_as(&admin, &format!("{list}{sep}{bad}")).await;
                assert_eq!(status, 400, "{list} {bad}: {answer}");
            }
        }

        // A query parameter that does not fit is named too.
        let (status, answer) = app.get_as(&admin, "/api/v1/progress?within=5223").await;
        assert_eq!((status.as_u16(), first_detail(&answer)), (400, ("period".to_owned(), "required".to_owned())), "{answer}");
        let (status, answer) = app.get_as(&admin, "/api/v1/users?limit=many").await;
        assert_eq!((status.as_u16(), answer["error"].as_str()), (400, Some("invalid_query")), "{answer}");

        // Usernames are unique whatever their case: `DEMO_ADMIN` beside `demo_admin` would spoof
        // the audit trail.
        let user = json!({"username": "IN_ADMIN2", "password": "Other-pass-2025", "role": "viewer", "region": "5223"});
        let (status, answer) = app.send_json(Method::POST, &admin, "/api/v1/users", &user).await;
        assert_eq!((status.as_u16(), answer["error"].as_str()), (409, Some("username_taken")), "{answer}");
    })
    .await;
}
