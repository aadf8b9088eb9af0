//! Passwords people own (等保): a password an admin chose is replaced at the next sign-in, the last
//! few may not come back, an old one expires when the deployment says so, and a change ends the
//! person's other sessions.

use diesel::prelude::*;
use onetable_core::Role;
use onetable_tests::{each_backend, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};

async fn change(app: &TestApp, token: &str, current: &str, new: &str) -> (u16, Value) {
    let (status, body) =
        app.send_json(Method::POST, token, "/api/v1/me/password", &json!({"current": current, "new": new})).await;
    (status.as_u16(), body)
}

async fn sign_in(app: &TestApp, username: &str, password: &str) -> Value {
    let (status, answer) = app.sign_in(username, password).await;
    assert_eq!(status, 200, "login of {username}");
    answer
}

#[tokio::test]
async fn a_reset_by_an_admin_must_be_replaced_and_the_last_passwords_do_not_come_back() {
    each_backend(|app| async move {
        let admin = app.user_token("t_admin", Role::Admin, Some("5223"), None).await;
        app.add_user("wang", Role::Clerk, Some("522301100200"), None);
        let first = sign_in(&app, "wang", PASSWORD).await;
        assert_eq!(first["password_change_required"], false, "a password the person chose stands");
        let other_session = first["access_token"].as_str().unwrap().to_owned();
        let token = app.login("wang", PASSWORD).await;

        // A change by the person ends its other sessions, and answers a token for this one.
        let (status, changed) = change(&app, &token, PASSWORD, "Second-pass-2025").await;
        assert_eq!(status, 200, "{changed}");
        assert_eq!(app.get_as(&other_session, "/api/v1/me").await.0, 401);
        let token = changed["access_token"].as_str().unwrap().to_owned();
        let (status, body) = change(&app, &token, "Second-pass-2025", PASSWORD).await;
        assert_eq!((status, body["details"][0]["code"].as_str()), (422, Some("password_reused")), "{body}");
        assert!(body["details"][0]["message"].as_str().unwrap().contains("最近 5 次"), "{body}");

        // An admin's reset: the person must choose again at the next sign-in.
        let (status, _) =
            app.send_json(Method::PATCH, &admin, "/api/v1/users/wang", &json!({"password": "Admin-chose-2025"})).await;
        assert_eq!(status, 200);
        let after_reset = sign_in(&app, "wang", "Admin-chose-2025").await;
        assert_eq!(after_reset["password_change_required"], true);
        let restricted = after_reset["access_token"].as_str().unwrap();
        let (status, body) = app.get_as(restricted, "/api/v1/worklist").await;
        assert_eq!((status.as_u16(), body["error"].as_str()), (403, Some("password_change_required")), "{body}");
        assert!(body["message"].as_str().unwrap().contains("修改"), "{body}");
        let (status, body) = change(&app, restricted, "Admin-chose-2025", "Third-pass-2025").await;
        assert_eq!(status, 200, "{body}");

        // A department system has no password to change.
        app.add_client("mz-system", "Secret-system-2025", false);
        let system = app.client_token("mz-system", "Secret-system-2025").await;
        assert_eq!(change(&app, &system, "x", "Fourth-pass-2025").await.0, 403);
    })
    .await;
}

#[tokio::test]
async fn an_old_password_expires_when_the_deployment_says_so() {
    for backend in onetable_tests::backends() {
        let app = TestApp::spawn_with(backend, |s| s.password_max_age_days = 90).await;
        app.add_user("li", Role::Clerk, Some("522301100200"), None);
        let fresh = sign_in(&app, "li", PASSWORD).await;
        assert_eq!(fresh["password_change_required"], false);
        assert!(fresh["password_expires_at"].is_string(), "{fresh}");

        let long_ago = chrono::Utc::now().naive_utc() - chrono::Duration::days(91);
        {
            use onetable_store::schema::users;
            let mut conn = app.db.conn().unwrap();
            diesel::update(users::table.filter(users::username.eq("li")))
                .set(users::password_changed_at.eq(long_ago))
                .execute(&mut *conn)
                .unwrap();
        }
        let expired = sign_in(&app, "li", PASSWORD).await;
        assert_eq!(expired["password_change_required"], true, "{expired}");
        let token = expired["access_token"].as_str().unwrap();
        assert_eq!(app.get_as(token, "/api/v1/worklist").await.0, 403);
        let (_, me) = app.get_as(token, "/api/v1/me").await;
        assert_eq!(
            (me["password_change_required"].as_bool(), me["password_warning_days"].as_u64()),
            (Some(true), Some(14))
        );
        assert_eq!(change(&app, token, PASSWORD, "Renewed-pass-2025").await.0, 200);
        assert_eq!(sign_in(&app, "li", "Renewed-pass-2025").await["password_change_required"], false);
    }
}
