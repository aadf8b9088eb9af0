//! Rotating a department system's secret: its department asks, an admin in scope approves, the
//! department collects the new secret once; the old secret and its tokens stop. Audited.

use onetable_core::Role;
use onetable_tests::{each_backend, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

async fn post(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let (status, body) = app.send_json(Method::POST, token, path, &json!({})).await;
    (status.as_u16(), body)
}

async fn token_status(app: &TestApp, client_id: &str, secret: &str) -> u16 {
    let form = [("grant_type", "client_credentials"), ("client_id", client_id), ("client_secret", secret)];
    app.client.post(app.url("/api/v1/auth/token")).form(&form).send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn a_department_asks_an_admin_approves_and_only_the_collected_secret_works_after() {
    each_backend(|app| async move {
        app.add_client("mz-system", "old-secret-0123456789", false);
        let department = app.user_token("mz_person", Role::Department, Some("5223"), Some("民政局")).await;
        let other = app.user_token("wj_person", Role::Department, Some("5223"), Some("卫健委")).await;
        let admin = app.user_token("zhou_admin", Role::Admin, Some("5223"), None).await;
        let outside = app.user_token("xingyi_admin", Role::Admin, Some("522301"), None).await;
        let system = app.client_token("mz-system", "old-secret-0123456789").await;

        let (status, seen) = app.get_as(&department, "/api/v1/clients").await;
        assert_eq!(status, 200, "{seen}");
        assert_eq!((seen[0]["client_id"].as_str(), seen[0]["rotation"].as_str()), (Some("mz-system"), Some("none")));
        assert!(seen[0].get("secret_hash").is_none(), "never the secret");
        assert_eq!(
            app.get_as(&other, "/api/v1/clients").await.1,
            json!([]),
            "another department's system is not listed"
        );
        assert_eq!(post(&app, &other, "/api/v1/clients/mz-system/rotation").await.0, 404);

        // Collecting before an approval is refused; so is an admin approving nothing.
        assert_eq!(post(&app, &admin, "/api/v1/clients/mz-system/rotation/approve").await.0, 409);
        let (status, asked) = post(&app, &department, "/api/v1/clients/mz-system/rotation").await;
        assert_eq!((status, asked["rotation"].as_str()), (200, Some("requested")), "{asked}");
        assert_eq!(post(&app, &department, "/api/v1/clients/mz-system/rotation/collect").await.0, 409);
        assert_eq!(
            post(&app, &department, "/api/v1/clients/mz-system/rotation/approve").await.0,
            403,
            "not its own approver"
        );
        assert_eq!(
            post(&app, &outside, "/api/v1/clients/mz-system/rotation/approve").await.0,
            404,
            "outside the admin's scope"
        );
        let (status, approved) = post(&app, &admin, "/api/v1/clients/mz-system/rotation/approve").await;
        assert_eq!((status, approved["rotation"].as_str()), (200, Some("approved")), "{approved}");
        assert_eq!(
            token_status(&app, "mz-system", "old-secret-0123456789").await,
            200,
            "the old secret works until collected"
        );

        let (status, collected) = post(&app, &department, "/api/v1/clients/mz-system/rotation/collect").await;
        assert_eq!(status, 200, "{collected}");
        let secret = collected["client_secret"].as_str().unwrap().to_owned();
        assert!(secret.len() >= 32);
        assert_eq!(token_status(&app, "mz-system", "old-secret-0123456789").await, 401, "the old secret stopped");
        assert_eq!(app.get_as(&system, "/api/v1/me").await.0, 401, "so did its tokens");
        assert_eq!(token_status(&app, "mz-system", &secret).await, 200);
        assert_eq!(
            post(&app, &department, "/api/v1/clients/mz-system/rotation/collect").await.0,
            409,
            "collected once"
        );
        let (_, after) = app.get_as(&department, "/api/v1/clients").await;
        assert!(after[0]["secret_rotated_at"].is_string() && after[0]["rotation"] == "none", "{after}");

        let auditor = app.user_token("t_auditor", Role::Auditor, None, None).await;
        let (_, denied) = app.get_as(&auditor, "/api/v1/audit/events?action=clients.rotation_approve").await;
        assert!(
            denied["items"].as_array().unwrap().iter().any(|e| e["outcome"] == "denied" && e["actor"] == "mz_person"),
            "{denied}"
        );
        for action in ["clients.rotation_request", "clients.rotation_approve", "clients.rotate"] {
            let (_, events) = app.get_as(&auditor, &format!("/api/v1/audit/events?action={action}")).await;
            let done = events["items"].as_array().unwrap().iter().filter(|e| e["outcome"] == "success").count();
            assert_eq!(done, 1, "{action}: {events}");
        }
    })
    .await;
}
