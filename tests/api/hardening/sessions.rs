//! A changed account takes effect on the next request (issue 13, item 2): tokens used to keep
//! the role and scope they were issued with for their whole 30 minutes.

use onetable_core::Role;
use onetable_tests::{each_backend, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// A village of 敬南镇 (522301100) and one of 泥凼镇 (522301101).
const JINGNAN_VILLAGE: &str = "/api/v1/regions/522301100200";
const NIDANG_VILLAGE: &str = "/api/v1/regions/522301101200";

#[tokio::test]
async fn moving_demoting_or_re_enabling_an_account_ends_its_tokens() {
    each_backend(|app| async move {
        let admin = app.user_token("s_admin", Role::Admin, Some("5223"), None).await;
        let first = app.user_token("s_rev", Role::Reviewer, Some("522301100"), None).await;
        assert_eq!(app.get_as(&first, JINGNAN_VILLAGE).await.0, 200);
        let change = |body| {
            let (app, admin) = (&app, &admin);
            async move {
                let (status, user) = app.send_json(Method::PATCH, admin, "/api/v1/users/s_rev", &body).await;
                assert_eq!(status, StatusCode::OK, "{user}");
            }
        };

        // Moved to another township: the old token stops at once, a new one reads the new scope.
        change(json!({"region": "522301101"})).await;
        assert_eq!(app.get_as(&first, JINGNAN_VILLAGE).await.0, 401, "the old token still read the old villages");
        let moved = app.login("s_rev", PASSWORD).await;
        assert_eq!(app.get_as(&moved, JINGNAN_VILLAGE).await.0, 404);
        assert_eq!(app.get_as(&moved, NIDANG_VILLAGE).await.0, 200);

        // Made a viewer.
        change(json!({"role": "viewer"})).await;
        assert_eq!(app.get_as(&moved, NIDANG_VILLAGE).await.0, 401);
        let viewer = app.login("s_rev", PASSWORD).await;
        assert_eq!(app.get_as(&viewer, "/api/v1/me").await.1["role"], "viewer");

        // A new password ends the sessions opened with the old one.
        change(json!({"password": "Another-pass-2026"})).await;
        assert_eq!(app.get_as(&viewer, "/api/v1/me").await.0, 401);
        let renewed = app.login("s_rev", "Another-pass-2026").await;

        // Disabled and enabled again: the tokens from before do not come back.
        change(json!({"disabled": true})).await;
        change(json!({"disabled": false})).await;
        assert_eq!(app.get_as(&renewed, "/api/v1/me").await.0, 401, "re-enabling revived an old token");
        let again = app.login("s_rev", "Another-pass-2026").await;
        assert_eq!(app.get_as(&again, "/api/v1/me").await.0, 200);

        // A change of the display name alone ends nothing.
        change(json!({"display_name": "王审核"})).await;
        assert_eq!(app.get_as(&again, "/api/v1/me").await.0, 200);
    })
    .await;
}

/// The operator disables and re-enables a department system with the CLI (the store, in another
/// process): its earlier token stops within the one second a check is trusted.
#[tokio::test]
async fn a_client_disabled_and_enabled_again_needs_a_new_token() {
    each_backend(|app| async move {
        app.add_client("mz-sys", "client-secret-1", false);
        let token = app.client_token("mz-sys", "client-secret-1").await;
        assert_eq!(app.get_as(&token, "/api/v1/data-requests").await.0, 200);
        let mut conn = app.db.conn().unwrap();
        onetable_store::identity::set_client_disabled(&mut conn, "mz-sys", true).unwrap();
        onetable_store::identity::set_client_disabled(&mut conn, "mz-sys", false).unwrap();
        drop(conn);
        tokio::time::sleep(onetable_server::auth::checks::TOKEN_CHECK_TTL + std::time::Duration::from_millis(200))
            .await;
        assert_eq!(app.get_as(&token, "/api/v1/data-requests").await.0, 401);
        let fresh = app.client_token("mz-sys", "client-secret-1").await;
        assert_eq!(app.get_as(&fresh, "/api/v1/data-requests").await.0, 200);
    })
    .await;
}
