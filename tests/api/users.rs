//! User management.

use onetable_core::Role;
use onetable_tests::each_backend;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn refused_accounts_say_why_in_chinese_one_detail_per_problem() {
    each_backend(|app| async move {
        let admin = app.user_token("t_admin", Role::Admin, Some("5223"), None).await;
        let (status, body) = app
            .send_json(
                Method::POST,
                &admin,
                "/api/v1/users",
                &json!({"username": "zhang", "password": "zhang123", "role": "clerk", "region": "522301100"}),
            )
            .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["error"], "validation_failed");
        let codes: Vec<&str> =
            body["details"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
        assert_eq!(
            codes,
            ["region_level_not_allowed", "password_too_short", "password_too_simple", "password_contains_username"]
        );
        assert!(body["details"][1]["message"].as_str().unwrap().contains("至少需要 10 个字符"));

        let (status, body) = app
            .send_json(
                Method::POST,
                &admin,
                "/api/v1/users",
                &json!({"username": "mz_user", "password": "Good-pass-2025", "role": "department", "region": "5223"}),
            )
            .await;
        assert_eq!((status.as_u16(), body["details"][0]["field"].as_str()), (422, Some("department")));
        let (status, body) = app
            .send_json(
                Method::POST,
                &admin,
                "/api/v1/users",
                &json!({"username": "r1", "password": "Good-pass-2025", "role": "boss", "region": "5223"}),
            )
            .await;
        assert_eq!((status.as_u16(), body["details"][0]["code"].as_str()), (422, Some("unknown_role")));

        let ok = json!({"username": "zhang", "password": "Good-pass-2025", "role": "clerk", "region": "522301100200"});
        assert_eq!(app.send_json(Method::POST, &admin, "/api/v1/users", &ok).await.0, 201);
        let (status, body) = app.send_json(Method::POST, &admin, "/api/v1/users", &ok).await;
        assert_eq!((status.as_u16(), body["error"].as_str()), (409, Some("username_taken")));
    })
    .await;
}

#[tokio::test]
async fn admins_list_get_and_update_users_in_scope() {
    each_backend(|app| async move {
        let admin = app.user_token("t_admin", Role::Admin, Some("522301"), None).await;
        app.add_user("in_a", Role::Clerk, Some("522301100200"), None);
        app.add_user("out_b", Role::Clerk, Some("522302001001"), None);
        let (status, page) = app.get_as(&admin, "/api/v1/users?role=clerk").await;
        assert_eq!(status, 200);
        let names: Vec<&str> =
            page["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
        assert_eq!(names, ["in_a"]);
        assert_eq!(app.get_as(&admin, "/api/v1/users/in_a").await.0, 200);
        assert_eq!(app.get_as(&admin, "/api/v1/users/out_b").await.0, 404, "outside the scope: invisible");
        assert_eq!(
            app.send_json(Method::PATCH, &admin, "/api/v1/users/out_b", &json!({"disabled": true})).await.0,
            404
        );

        // Lock in_a out, then an admin's new password lifts the lock.
        for _ in 0..5 {
            let _ = app
                .client
                .post(app.url("/api/v1/auth/login"))
                .json(&json!({"username": "in_a", "password": "Wrong-pass-2025"}))
                .send()
                .await;
        }
        let (_, user) = app.get_as(&admin, "/api/v1/users/in_a").await;
        assert_eq!(user["locked"], true);
        let (status, user) = app
            .send_json(
                Method::PATCH,
                &admin,
                "/api/v1/users/in_a",
                &json!({"password": "Fresh-pass-2026", "display_name": "李四"}),
            )
            .await;
        assert_eq!(status, 200, "{user}");
        assert_eq!((user["locked"].as_bool(), user["display_name"].as_str()), (Some(false), Some("李四")));
        app.login("in_a", "Fresh-pass-2026").await;

        // Moving a user outside the scope is refused and changes nothing.
        let (status, _) =
            app.send_json(Method::PATCH, &admin, "/api/v1/users/in_a", &json!({"region": "522302001001"})).await;
        assert_eq!(status, 403);
        let (_, user) = app.get_as(&admin, "/api/v1/users/in_a").await;
        assert_eq!(user["region"], "522301100200");
    })
    .await;
}
