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
