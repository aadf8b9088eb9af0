//! Region scope and roles.

use onetable_core::Role;
use onetable_tests::each_backend;
use serde_json::json;

#[tokio::test]
async fn a_clerk_reaches_only_its_own_village() {
    each_backend(|app| async move {
        let clerk = app.user_token("li_clerk", Role::Clerk, Some("522301100200"), None).await;
        assert_eq!(app.get_as(&clerk, "/api/v1/regions/522301100200").await.0, 200);
        let (status, body) = app.get_as(&clerk, "/api/v1/regions/522301100201").await;
        assert_eq!(status, 404, "a neighbouring village is invisible");
        assert_eq!(body["error"], "region_not_found");
        // The township is outside a village clerk's scope too.
        assert_eq!(app.get_as(&clerk, "/api/v1/regions/522301100/children").await.0, 404);
        // Searching the county finds only the clerk's village.
        let (_, found) = app.get_as(&clerk, "/api/v1/regions?within=522301").await;
        assert_eq!(found["total"], 1);
        assert_eq!(found["items"][0]["code"], "522301100200");
        // Writing a neighbouring village's entry is a 403: see entries::scope_periods_and_progress.
    })
    .await;
}

#[tokio::test]
async fn a_township_reviewer_cannot_see_another_township() {
    each_backend(|app| async move {
        let reviewer = app.user_token("wang_rev", Role::Reviewer, Some("522301100"), None).await;
        let (status, own) = app.get_as(&reviewer, "/api/v1/regions/522301100/children?limit=1000").await;
        assert_eq!(status, 200);
        assert!(own["total"].as_i64().unwrap() > 0);
        assert_eq!(app.get_as(&reviewer, "/api/v1/regions/522301101").await.0, 404);
        assert_eq!(app.get_as(&reviewer, "/api/v1/regions/522301101/children").await.0, 404);
        assert_eq!(app.get_as(&reviewer, "/api/v1/regions/522301101200").await.0, 404);
        let (_, found) = app.get_as(&reviewer, "/api/v1/regions?within=5223&limit=1000").await;
        assert!(found["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["code"].as_str().unwrap().starts_with("522301100")));
    })
    .await;
}

#[tokio::test]
async fn an_admin_creates_users_only_inside_and_below_its_scope() {
    each_backend(|app| async move {
        let admin = app.user_token("zhou_admin", Role::Admin, Some("5223"), None).await;
        let create = |username: &str, role: &str, region: &str| {
            json!({"username": username, "password": "Good-pass-2025", "role": role, "region": region, "display_name": "测试"})
        };
        let post = |body: serde_json::Value| {
            let (app, admin) = (&app, &admin);
            async move { app.send_json(reqwest::Method::POST, admin, "/api/v1/users", &body).await }
        };
        let (status, body) = post(create("in_scope", "clerk", "522301100200")).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["region"], "522301100200");
        assert!(body.get("password_hash").is_none());
        // Outside its prefecture (another prefecture of 贵州) or above it.
        assert_eq!(post(create("outside", "clerk", "520102001001")).await.0, 403);
        assert_eq!(post(create("above", "viewer", "52")).await.0, 403);
        // Another admin at its own level: no; below it: yes.
        assert_eq!(post(create("peer_admin", "admin", "5223")).await.0, 403);
        assert_eq!(post(create("county_admin", "admin", "522301")).await.0, 201);
        // Auditors are the operator's to create.
        assert_eq!(post(json!({"username": "aud", "password": "Good-pass-2025", "role": "auditor"})).await.0, 403);

        // A province-level admin may appoint another at its level.
        app.add_user("prov_admin", Role::Admin, Some("52"), None);
        let prov = app.login("prov_admin", onetable_tests::PASSWORD).await;
        let (status, _) = app.send_json(reqwest::Method::POST, &prov, "/api/v1/users", &create("prov_admin2", "admin", "52")).await;
        assert_eq!(status, 201);

        // Non-admins cannot manage users at all.
        assert_eq!(app.send_json(reqwest::Method::POST, &app.token, "/api/v1/users", &create("v2", "viewer", "5223")).await.0, 403);
    })
    .await;
}

#[tokio::test]
async fn only_auditors_read_audit_events_and_auditors_read_nothing_else() {
    each_backend(|app| async move {
        let auditor = app.user_token("t_auditor", Role::Auditor, None, None).await;
        let admin = app.user_token("t_admin", Role::Admin, Some("5223"), None).await;
        let clerk = app.user_token("t_clerk", Role::Clerk, Some("522301100200"), None).await;
        let (status, events) = app.get_as(&auditor, "/api/v1/audit/events").await;
        assert_eq!(status, 200);
        assert!(events["total"].as_i64().unwrap() >= 4, "the logins so far are recorded");
        for token in [&admin, &clerk, &app.token] {
            let (status, body) = app.get_as(token, "/api/v1/audit/events").await;
            assert_eq!(status, 403);
            assert_eq!(body["error"], "forbidden");
        }
        assert_eq!(app.get_as(&auditor, "/api/v1/regions/52").await.0, 403);
        assert_eq!(app.get_as(&auditor, "/api/v1/regions?q=x").await.0, 403);
        assert_eq!(app.get_as(&auditor, "/api/v1/users").await.0, 403);
        let body = json!({"username": "x1", "password": "Good-pass-2025", "role": "viewer", "region": "5223"});
        assert_eq!(app.send_json(reqwest::Method::POST, &auditor, "/api/v1/users", &body).await.0, 403);
    })
    .await;
}
