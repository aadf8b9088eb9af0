//! The audit trail.

use diesel::RunQueryDsl;
use onetable_core::Role;
use onetable_tests::each_backend;
use serde_json::json;

#[tokio::test]
async fn logins_denials_and_user_changes_are_recorded_and_filterable() {
    each_backend(|app| async move {
        let auditor = app.user_token("t_auditor", Role::Auditor, None, None).await;
        let admin = app.user_token("t_admin", Role::Admin, Some("5223"), None).await;
        let _ = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"username": "t_admin", "password": "Wrong-pass-2025"}))
            .send()
            .await;
        let body =
            json!({"username": "new_clerk", "password": "Good-pass-2025", "role": "clerk", "region": "522301100200"});
        assert_eq!(app.send_json(reqwest::Method::POST, &admin, "/api/v1/users", &body).await.0, 201);
        assert_eq!(app.get_as(&admin, "/api/v1/regions/110101").await.0, 404);

        let (_, logins) = app.get_as(&auditor, "/api/v1/audit/events?actor=t_admin&action=auth.login").await;
        let outcomes: Vec<&str> =
            logins["items"].as_array().unwrap().iter().map(|e| e["outcome"].as_str().unwrap()).collect();
        assert_eq!(outcomes, ["failure", "success"], "newest first");
        let event = &logins["items"][0];
        assert_eq!(event["client_addr"], "127.0.0.1");
        assert!(event["request_id"].as_str().is_some_and(|id| id.len() > 10));

        let (_, created) = app.get_as(&auditor, "/api/v1/audit/events?action=users.create").await;
        assert_eq!(created["items"][0]["target"], "new_clerk");
        assert_eq!(created["items"][0]["actor"], "t_admin");
        let (_, denied) = app.get_as(&auditor, "/api/v1/audit/events?action=regions.read").await;
        assert_eq!(denied["items"][0]["outcome"], "denied");
        assert_eq!(denied["items"][0]["target"], "110101000000");

        let (_, future) = app.get_as(&auditor, "/api/v1/audit/events?since=2999-01-01").await;
        assert_eq!(future["total"], 0);
        let (_, past) = app.get_as(&auditor, "/api/v1/audit/events?until=2000-01-01T00:00:00Z").await;
        assert_eq!(past["total"], 0);
        let (status, body) = app.get_as(&auditor, "/api/v1/audit/events?since=yesterday").await;
        assert_eq!((status.as_u16(), body["details"][0]["field"].as_str()), (400, Some("since")));
    })
    .await;
}

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_audit_events() {
    each_backend(|app| async move {
        let mut conn = app.db.conn().unwrap();
        let count = || {
            let filter = onetable_store::audit::AuditFilter::default();
            onetable_store::audit::list(&mut app.db.conn().unwrap(), &filter, 1, 0).unwrap().1
        };
        let before = count();
        assert!(before > 0);
        assert!(diesel::sql_query("UPDATE audit_events SET outcome = 'x'").execute(&mut conn).is_err());
        assert!(diesel::sql_query("DELETE FROM audit_events").execute(&mut conn).is_err());
        assert_eq!(count(), before);
    })
    .await;
}

#[tokio::test]
async fn only_the_events_of_an_archived_month_may_be_deleted_and_none_changed() {
    each_backend(|app| async move {
        use onetable_store::audit::{self, AuditArchiveRow, NewAuditEvent};
        let at = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(9, 0, 0).unwrap();
        let mut conn = app.db.conn().unwrap();
        for occurred_at in [at(2026, 3, 5), at(2026, 3, 30), at(2026, 4, 2)] {
            let event = NewAuditEvent {
                occurred_at,
                actor: Some("old_clerk".into()),
                role: None,
                action: "entries.update".into(),
                target: None,
                outcome: "success".into(),
                request_id: None,
                client_addr: None,
                detail: None,
            };
            audit::record(&mut conn, &event).unwrap();
        }
        let (march, april, may) = (at(2026, 3, 1), at(2026, 4, 1), at(2026, 5, 1));
        assert!(audit::delete_between(&mut conn, march, april).is_err(), "March is not archived");
        let row = AuditArchiveRow {
            month: "2026-03".into(),
            events: 2,
            first_id: None,
            last_id: None,
            file_sha256: "x".into(),
            head: "y".into(),
            archived_at: at(2026, 4, 2),
        };
        audit::record_archive(&mut conn, &row).unwrap();
        assert_eq!(audit::delete_between(&mut conn, march, april).unwrap(), 2);
        assert!(audit::delete_between(&mut conn, april, may).is_err(), "April still is not");
        assert_eq!(audit::between(&mut conn, march, may).unwrap().len(), 1);
        assert!(diesel::sql_query("UPDATE audit_events SET outcome = 'x'").execute(&mut conn).is_err());
    })
    .await;
}

/// An auditor following a clerk found only logins (issue 27): now every edit (one event per
/// PATCH, naming the cells it changed), every carry-forward, the submit, and the reviewer's
/// return and approval are in the trail, written with the change itself; a PATCH that changes
/// nothing leaves none.
#[tokio::test]
async fn data_entry_is_in_the_audit_trail_one_event_per_request() {
    each_backend(|app| async move {
        app.load_catalogue();
        let village = "522301100200";
        let auditor = app.user_token("t_auditor", Role::Auditor, None, None).await;
        let clerk = app.user_token("t_clerk", Role::Clerk, Some(village), None).await;
        let reviewer = app.user_token("t_reviewer", Role::Reviewer, Some("522301100"), None).await;
        let entry = format!("/api/v1/entries/{village}/2025");
        let send = |token: &str, method: reqwest::Method, path: String, revision: i64, body: serde_json::Value| {
            let request = app
                .client
                .request(method, app.url(&path))
                .bearer_auth(token)
                .header("if-match", format!("\"{revision}\""));
            async move {
                let response = request.json(&body).send().await.unwrap();
                let status = response.status().as_u16();
                let body: serde_json::Value = response.json().await.unwrap();
                assert!(status < 300, "{status} {body}");
                body["revision"].as_i64().unwrap()
            }
        };
        let r = send(
            &clerk,
            reqwest::Method::PATCH,
            entry.clone(),
            0,
            json!({"values": {"POP.REGISTERED": 1200, "POP.MALE": 600, "POP.FEMALE": 600}}),
        )
        .await;
        let r =
            send(&clerk, reqwest::Method::PATCH, entry.clone(), r, json!({"values": {"POP.REGISTERED": 1200}})).await;
        let r =
            send(&clerk, reqwest::Method::PATCH, entry.clone(), r, json!({"values": {"POP.HOUSEHOLDS": 300}})).await;
        let (_, form) = app.get_as(&clerk, &entry).await;
        let missing: Vec<String> =
            form["missing_required"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
        let fill: serde_json::Map<String, serde_json::Value> = missing.iter().map(|c| (c.clone(), json!(1))).collect();
        let r = if fill.is_empty() {
            r
        } else {
            send(&clerk, reqwest::Method::PATCH, entry.clone(), r, json!({"values": fill})).await
        };
        let r = send(&clerk, reqwest::Method::POST, format!("{entry}/submit"), r, json!({"explanations": {}})).await;
        let r = send(&reviewer, reqwest::Method::POST, format!("{entry}/return"), r, json!({"comment": "户数请核对"}))
            .await;
        let r =
            send(&clerk, reqwest::Method::PATCH, entry.clone(), r, json!({"values": {"POP.HOUSEHOLDS": 310}})).await;
        let r = send(&clerk, reqwest::Method::POST, format!("{entry}/submit"), r, json!({"explanations": {}})).await;
        send(&reviewer, reqwest::Method::POST, format!("{entry}/approve"), r, json!({})).await;

        let (_, trail) = app.get_as(&auditor, "/api/v1/audit/events?actor=t_clerk&limit=100").await;
        let actions: Vec<&str> =
            trail["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        let edits = actions.iter().filter(|a| **a == "entries.edit").count();
        assert_eq!(edits, 3 + usize::from(!fill.is_empty()), "one per PATCH that changed something: {actions:?}");
        assert_eq!(actions.iter().filter(|a| **a == "entries.submit").count(), 2, "{actions:?}");
        let (_, first) = app.get_as(&auditor, "/api/v1/audit/events?actor=t_clerk&action=entries.edit&limit=100").await;
        let oldest = first["items"].as_array().unwrap().last().unwrap();
        assert_eq!(oldest["target"], format!("{village}/2025"));
        let detail = oldest["detail"].as_str().unwrap();
        assert!(
            detail.contains("3 项") && detail.contains("POP.REGISTERED") && detail.contains("POP.FEMALE"),
            "{detail}"
        );
        let (_, reviewed) = app.get_as(&auditor, "/api/v1/audit/events?actor=t_reviewer&limit=100").await;
        let steps: Vec<&str> =
            reviewed["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert!(steps.contains(&"entries.return") && steps.contains(&"entries.approve"), "{steps:?}");
        let returned = reviewed["items"].as_array().unwrap().iter().find(|e| e["action"] == "entries.return").unwrap();
        assert!(returned["detail"].as_str().unwrap().contains("户数请核对"), "{returned}");
    })
    .await;
}
