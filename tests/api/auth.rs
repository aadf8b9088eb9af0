use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use onetable_core::Role;
use onetable_store::identity;
use onetable_tests::{each_backend, TestApp, PASSWORD};
use serde_json::{json, Value};

async fn post_login(app: &TestApp, username: &str, password: &str) -> (u16, Value) {
    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn login_returns_a_bearer_token_that_me_reads_back() {
    each_backend(|app| async move {
        app.add_user("li_clerk", Role::Clerk, Some("522301100200"), None);
        let (status, body) = post_login(&app, "li_clerk", PASSWORD).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 1800, "30 minutes for people");
        let token = body["access_token"].as_str().unwrap();
        let (status, me) = app.get_as(token, "/api/v1/me").await;
        assert_eq!(status, 200);
        assert_eq!(me["subject"], "li_clerk");
        assert_eq!(me["kind"], "user");
        assert_eq!(me["role"], "clerk");
        assert_eq!(me["region"], "522301100200");
        assert_eq!(me["region_name"], "吴家坪村村民委员会");
    })
    .await;
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    each_backend(|app| async move {
        app.add_user("li_clerk", Role::Clerk, Some("522301100200"), None);
        let wrong = post_login(&app, "li_clerk", "Wrong-pass-2025").await;
        let unknown = post_login(&app, "nobody_here", "Wrong-pass-2025").await;
        assert_eq!(wrong.0, 401);
        assert_eq!(wrong, unknown, "the response must not tell whether the username exists");
        assert_eq!(wrong.1["error"], "invalid_credentials");
    })
    .await;
}

#[tokio::test]
async fn five_failures_lock_the_account_until_the_period_ends() {
    for backend in onetable_tests::backends() {
        let app = TestApp::spawn_with(backend, |s| s.lockout_seconds = 2).await;
        app.add_user("li_clerk", Role::Clerk, Some("522301100200"), None);
        for _ in 0..5 {
            assert_eq!(post_login(&app, "li_clerk", "Wrong-pass-2025").await.0, 401);
        }
        // Locked: even the right password is refused, with the same answer as a wrong one.
        let locked = post_login(&app, "li_clerk", PASSWORD).await;
        assert_eq!(locked, post_login(&app, "nobody_here", "Wrong-pass-2025").await);
        tokio::time::sleep(std::time::Duration::from_millis(2_200)).await;
        assert_eq!(post_login(&app, "li_clerk", PASSWORD).await.0, 200, "released after the lock period");

        let auditor = app.user_token("t_auditor", Role::Auditor, None, None).await;
        let (_, events) = app.get_as(&auditor, "/api/v1/audit/events?action=auth.lockout").await;
        assert_eq!(events["total"], 1);
        assert_eq!(events["items"][0]["actor"], "li_clerk");
    }
}

#[tokio::test]
async fn logins_are_rate_limited_per_address() {
    for backend in onetable_tests::backends() {
        let app = TestApp::spawn_with(backend, |s| s.login_rate_per_minute = 3).await;
        // The harness's own login used one of the three.
        assert_eq!(post_login(&app, "x_user", "Wrong-pass-2025").await.0, 401);
        assert_eq!(post_login(&app, "x_user", "Wrong-pass-2025").await.0, 401);
        let response = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"username": "x_user", "password": "Wrong-pass-2025"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 429);
        assert!(response.headers().contains_key("retry-after"));
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "rate_limited");
    }
}

#[tokio::test]
async fn bodies_over_one_mebibyte_are_413() {
    each_backend(|app| async move {
        let big = json!({"username": "a", "password": "x".repeat(1024 * 1024 + 10)});
        let response = app.client.post(app.url("/api/v1/auth/login")).json(&big).send().await.unwrap();
        assert_eq!(response.status(), 413);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "payload_too_large");
        let (status, body) = app
            .send_json(reqwest::Method::POST, &app.token, "/api/v1/users", &json!({"username": "x".repeat(1_100_000)}))
            .await;
        assert_eq!(status, 413, "{body}");
    })
    .await;
}

#[tokio::test]
async fn only_health_jwks_and_docs_are_public() {
    each_backend(|app| async move {
        for path in ["/healthz", "/readyz", "/.well-known/jwks.json", "/openapi.json", "/docs"] {
            let response = app.client.get(app.url(path)).send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
        }
        for path in [
            "/api/v1/regions/52",
            "/api/v1/regions/52/children",
            "/api/v1/regions",
            "/api/v1/me",
            "/api/v1/users",
            "/api/v1/audit/events",
        ] {
            let response = app.client.get(app.url(path)).send().await.unwrap();
            assert_eq!(response.status(), 401, "{path}");
            assert_eq!(response.headers()["www-authenticate"], "Bearer");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"], "unauthorized");
        }
    })
    .await;
}

/// Signs claims with the server's own current key, read from its database, to build tokens that
/// are correctly signed but wrong in one claim.
fn sign_with_server_key(app: &TestApp, claims: &Value) -> String {
    let key = identity::active_keys(&mut app.db.conn().unwrap()).unwrap().pop().unwrap();
    let der = STANDARD.decode(&key.private_key).unwrap();
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(key.kid);
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_ed_der(&der)).unwrap()
}

fn claims(overrides: &Value) -> Value {
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({
        "iss": "onetable", "aud": "onetable-api", "sub": "t_viewer", "iat": now, "exp": now + 600,
        "jti": uuid::Uuid::new_v4().to_string(), "kind": "user", "role": "viewer", "region": "520000000000",
        "department": null
    });
    for (k, v) in overrides.as_object().unwrap() {
        claims[k] = v.clone();
    }
    claims
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

#[tokio::test]
async fn forged_tokens_are_refused() {
    each_backend(|app| async move {
        // The control: a token built this way and valid in every claim is accepted.
        let good = sign_with_server_key(&app, &claims(&json!({})));
        assert_eq!(app.get_as(&good, "/api/v1/me").await.0, 200);
        let kid = identity::active_keys(&mut app.db.conn().unwrap()).unwrap().pop().unwrap().kid;

        let mut forged: Vec<(&str, String)> = Vec::new();
        forged.push((
            "alg none",
            format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT", "kid": kid})), b64(&claims(&json!({})))),
        ));
        let public = identity::active_keys(&mut app.db.conn().unwrap()).unwrap().pop().unwrap().public_key;
        let mut hs = Header::new(Algorithm::HS256);
        hs.kid = Some(kid.clone());
        forged.push((
            "HS256 with the public key",
            jsonwebtoken::encode(&hs, &claims(&json!({})), &EncodingKey::from_secret(public.as_bytes())).unwrap(),
        ));
        let stranger = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
        let mut unknown = Header::new(Algorithm::EdDSA);
        unknown.kid = Some("not-a-key".into());
        let stranger_der = stranger.to_pkcs8_der().unwrap();
        forged.push((
            "unknown kid",
            jsonwebtoken::encode(&unknown, &claims(&json!({})), &EncodingKey::from_ed_der(stranger_der.as_bytes()))
                .unwrap(),
        ));
        let mut wrong_key = Header::new(Algorithm::EdDSA);
        wrong_key.kid = Some(kid.clone());
        forged.push((
            "known kid, other key",
            jsonwebtoken::encode(&wrong_key, &claims(&json!({})), &EncodingKey::from_ed_der(stranger_der.as_bytes()))
                .unwrap(),
        ));
        let past = chrono::Utc::now().timestamp() - 3600;
        forged.push(("expired", sign_with_server_key(&app, &claims(&json!({"exp": past, "iat": past - 600})))));
        forged.push(("wrong aud", sign_with_server_key(&app, &claims(&json!({"aud": "another-api"})))));
        forged.push(("wrong iss", sign_with_server_key(&app, &claims(&json!({"iss": "someone-else"})))));
        let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
        parts[1] = b64(&claims(&json!({"role": "admin", "region": "520000000000"})));
        forged.push(("tampered payload", parts.join(".")));
        forged.push(("garbage", "not.a.token".to_owned()));

        // A revoked token: log out, then use it again.
        let revoked = app.login("t_viewer", PASSWORD).await;
        let response = app.client.post(app.url("/api/v1/auth/logout")).bearer_auth(&revoked).send().await.unwrap();
        assert_eq!(response.status(), 204);
        forged.push(("revoked jti", revoked));

        for (what, token) in forged {
            let (status, body) = app.get_as(&token, "/api/v1/me").await;
            assert_eq!(status, 401, "{what} was accepted");
            assert_eq!(body["error"], "unauthorized", "{what}");
            assert!(body.to_string().len() < 300, "{what}: the body must not explain the check");
        }
        // The harness's own token, not logged out, still works.
        assert_eq!(app.get_as(&app.token, "/api/v1/me").await.0, 200);
    })
    .await;
}

#[tokio::test]
async fn a_disabled_user_s_token_stops_working() {
    each_backend(|app| async move {
        let token = app.user_token("li_clerk", Role::Clerk, Some("522301100200"), None).await;
        let admin = app.user_token("t_admin", Role::Admin, Some("5223"), None).await;
        assert_eq!(app.get_as(&token, "/api/v1/me").await.0, 200, "checked once, so remembered");
        let (status, _) =
            app.send_json(reqwest::Method::PATCH, &admin, "/api/v1/users/li_clerk", &json!({"disabled": true})).await;
        assert_eq!(status, 200);
        assert_eq!(app.get_as(&token, "/api/v1/me").await.0, 401, "at once: this server forgot its checks");
        assert_eq!(post_login(&app, "li_clerk", PASSWORD).await.0, 401);
    })
    .await;
}

/// Another process (the CLI) disabling an account is seen within the token-check lifetime.
#[tokio::test]
async fn an_account_disabled_elsewhere_stops_within_a_second() {
    each_backend(|app| async move {
        let token = app.user_token("li_clerk", Role::Clerk, Some("522301100200"), None).await;
        assert_eq!(app.get_as(&token, "/api/v1/me").await.0, 200);
        {
            let mut conn = app.db.conn().unwrap();
            let user = onetable_store::identity::find_user(&mut conn, "li_clerk").unwrap().unwrap();
            let changes = onetable_store::identity::UserChanges { disabled: Some(true), ..Default::default() };
            onetable_store::identity::update_user(&mut conn, user.id, &changes).unwrap();
        }
        tokio::time::sleep(onetable_server::auth::checks::TOKEN_CHECK_TTL + std::time::Duration::from_millis(100))
            .await;
        assert_eq!(app.get_as(&token, "/api/v1/me").await.0, 401);
    })
    .await;
}

#[tokio::test]
async fn x_forwarded_for_is_believed_only_from_a_trusted_proxy() {
    for (trusted, forwarded, expected) in [
        (false, "203.0.113.9", "127.0.0.1"),
        (true, "203.0.113.9", "203.0.113.9"),
        // The client wrote the left entry itself: the nearest untrusted one is what the proxy saw.
        (true, "198.51.100.1, 203.0.113.9", "203.0.113.9"),
        (true, "not-an-address", "127.0.0.1"),
    ] {
        let app = TestApp::spawn_with(onetable_store::Backend::Sqlite, |s| {
            if trusted {
                s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
            }
        })
        .await;
        let response = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .header("x-forwarded-for", forwarded)
            .json(&json!({"username": "nobody_at_all", "password": "Wrong-pass-2025"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 401);
        let auditor = app.user_token("t_auditor", Role::Auditor, None, None).await;
        let (_, events) = app.get_as(&auditor, "/api/v1/audit/events?actor=nobody_at_all").await;
        assert_eq!(events["items"][0]["client_addr"], expected, "trusted {trusted}, header {forwarded}: {events}");
    }
}
