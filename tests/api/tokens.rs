//! JWKS and client credentials.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use onetable_tests::{each_backend, TestApp};
use serde_json::Value;

/// Verifies a token's signature with ed25519-dalek alone, from the JWKS document: not the
/// server's code path.
fn verify_independently(token: &str, jwks: &Value) -> bool {
    let parts: Vec<&str> = token.split('.').collect();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "EdDSA");
    let jwk = jwks["keys"].as_array().unwrap().iter().find(|k| k["kid"] == header["kid"]).expect("kid listed in JWKS");
    assert_eq!((jwk["kty"].as_str(), jwk["crv"].as_str()), (Some("OKP"), Some("Ed25519")));
    let x: [u8; 32] = URL_SAFE_NO_PAD.decode(jwk["x"].as_str().unwrap()).unwrap().try_into().unwrap();
    let key = VerifyingKey::from_bytes(&x).unwrap();
    let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap()).unwrap();
    key.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature).is_ok()
}

#[tokio::test]
async fn the_jwks_key_verifies_issued_tokens_and_survives_rotation() {
    each_backend(|app| async move {
        let (status, jwks) = app.get_json("/.well-known/jwks.json").await;
        assert_eq!(status, 200);
        assert!(verify_independently(&app.token, &jwks));
        // A tampered signature does not verify, so the check above can fail.
        let mut bad = app.token.clone();
        bad.replace_range(bad.len() - 4.., "AAAA");
        assert!(!verify_independently(&bad, &jwks));

        // Rotation: a new key signs, the old token stays valid and its key stays listed.
        onetable_server::auth::keys::add_key(&mut app.db.conn().unwrap()).unwrap();
        let fresh = app.login("t_viewer", onetable_tests::PASSWORD).await;
        let (_, jwks) = app.get_json("/.well-known/jwks.json").await;
        assert_eq!(jwks["keys"].as_array().unwrap().len(), 2, "{jwks}");
        assert!(verify_independently(&fresh, &jwks));
        assert!(verify_independently(&app.token, &jwks));
        assert_eq!(app.get_as(&app.token, "/api/v1/me").await.0, 200, "old tokens stay valid");
        assert_ne!(fresh.split('.').next(), app.token.split('.').next(), "the new key signs");
    })
    .await;
}

async fn token_request(app: &TestApp, form: &[(&str, &str)]) -> (u16, Value) {
    let response = app.client.post(app.url("/api/v1/auth/token")).form(form).send().await.unwrap();
    let status = response.status().as_u16();
    if status == 200 {
        assert_eq!(response.headers()["cache-control"], "no-store");
    }
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn client_credentials_issue_department_tokens() {
    each_backend(|app| async move {
        app.add_client("mz-system", "s3cret-value", false);
        app.add_client("old-system", "s3cret-value", true);
        let ok = [("grant_type", "client_credentials"), ("client_id", "mz-system"), ("client_secret", "s3cret-value")];
        let (status, body) = token_request(&app, &ok).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["expires_in"], 3600, "60 minutes for clients");
        let (_, me) = app.get_as(body["access_token"].as_str().unwrap(), "/api/v1/me").await;
        assert_eq!((me["kind"].as_str(), me["role"].as_str()), (Some("client"), Some("department")));
        assert_eq!(me["department"], "民政局");
        assert_eq!(me["region"], "522300000000");

        let wrong = [("grant_type", "client_credentials"), ("client_id", "mz-system"), ("client_secret", "nope")];
        assert_eq!(token_request(&app, &wrong).await, (401, token_request(&app, &wrong).await.1));
        assert_eq!(token_request(&app, &wrong).await.1["error"], "invalid_client");
        let disabled =
            [("grant_type", "client_credentials"), ("client_id", "old-system"), ("client_secret", "s3cret-value")];
        assert_eq!(token_request(&app, &disabled).await.0, 401);
        let unknown = [("grant_type", "client_credentials"), ("client_id", "ghost"), ("client_secret", "x")];
        assert_eq!(token_request(&app, &unknown).await.0, 401);
        let (status, body) = token_request(&app, &[("grant_type", "password"), ("client_id", "mz-system")]).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("unsupported_grant_type")));

        // HTTP Basic client authentication (RFC 6749 §2.3.1).
        let response = app
            .client
            .post(app.url("/api/v1/auth/token"))
            .basic_auth("mz-system", Some("s3cret-value"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    })
    .await;
}
