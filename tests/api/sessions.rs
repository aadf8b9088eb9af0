//! Browser sessions and the pages: the cookie's flags, the CSRF token on unsafe requests, the
//! pages' Content-Security-Policy, and that bearer tokens keep working beside them.

use onetable_core::Role;
use onetable_tests::{each_backend, TestApp, PASSWORD};
use reqwest::header::{HeaderMap, CONTENT_SECURITY_POLICY, SET_COOKIE};
use serde_json::{json, Value};

/// A client without a cookie store: the test handles the cookie itself, as a browser would.
fn bare() -> reqwest::Client {
    reqwest::Client::builder().build().unwrap()
}

async fn sign_in(app: &TestApp, username: &str) -> (String, String, HeaderMap) {
    let response = bare()
        .post(app.url("/api/v1/auth/session"))
        .json(&json!({"username": username, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    let set_cookie = headers.get(SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    (cookie, body["csrf_token"].as_str().unwrap().to_owned(), headers)
}

#[tokio::test]
async fn a_browser_session_is_an_httponly_strict_cookie_and_never_a_token_in_the_body() {
    each_backend(|app| async move {
        app.add_user("li_clerk", Role::Clerk, Some("522301100200"), None);
        let (cookie, csrf, headers) = sign_in(&app, "li_clerk").await;
        let set_cookie = headers.get(SET_COOKIE).unwrap().to_str().unwrap();
        assert!(cookie.starts_with("onetable_session="), "{set_cookie}");
        for flag in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=1800"] {
            assert!(set_cookie.contains(flag), "{flag} missing in {set_cookie}");
        }
        assert!(!set_cookie.contains("Secure"), "plain HTTP on loopback: not Secure");
        assert_eq!(headers.get("cache-control").unwrap(), "no-store");
        assert!(csrf.len() >= 32);

        // The cookie authenticates reads, and the session answers its CSRF token again.
        let me: Value =
            bare().get(app.url("/api/v1/me")).header("cookie", &cookie).send().await.unwrap().json().await.unwrap();
        assert_eq!(me["subject"], "li_clerk");
        let session = bare().get(app.url("/api/v1/auth/session")).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(session.status(), 200);
        assert_eq!(session.json::<Value>().await.unwrap()["csrf_token"], csrf.as_str());
    })
    .await;
}

#[tokio::test]
async fn an_unsafe_request_by_cookie_needs_the_csrf_token_and_a_refused_one_changes_nothing() {
    each_backend(|app| async move {
        app.load_catalogue();
        app.add_user("li_clerk", Role::Clerk, Some("522301100200"), None);
        let (cookie, csrf, _) = sign_in(&app, "li_clerk").await;
        let entry = "/api/v1/entries/522301100200/2025";
        let body = json!({"values": {"POP.HOUSEHOLDS": 120}});
        for header in [None, Some("not-the-token")] {
            let mut request = bare().patch(app.url(entry)).header("cookie", &cookie).header("if-match", "\"0\"");
            if let Some(value) = header {
                request = request.header("x-csrf-token", value);
            }
            let response = request.json(&body).send().await.unwrap();
            assert_eq!(response.status(), 403);
            assert_eq!(response.json::<Value>().await.unwrap()["error"], "csrf_token_invalid");
        }
        let bearer = app.login("li_clerk", PASSWORD).await;
        let (_, stored) = app.get_as(&bearer, entry).await;
        assert_eq!(stored["revision"], 0, "nothing was written: {stored}");
        assert_eq!(stored["values"], serde_json::json!([]));

        let response = bare()
            .patch(app.url(entry))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .header("if-match", "\"0\"")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn a_bearer_token_in_a_cookie_is_refused_and_bearer_clients_need_no_csrf_token() {
    each_backend(|app| async move {
        app.add_user("li_clerk", Role::Clerk, Some("522301100200"), None);
        let token = app.login("li_clerk", PASSWORD).await;
        // A token from /auth/login has no CSRF value: it is not a browser session.
        let me = bare()
            .get(app.url("/api/v1/me"))
            .header("cookie", format!("onetable_session={token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 401);
        let logout = bare().post(app.url("/api/v1/auth/logout")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(logout.status(), 204, "bearer: no CSRF token needed");
    })
    .await;
}

#[tokio::test]
async fn signing_out_ends_the_session_and_clears_the_cookie() {
    each_backend(|app| async move {
        app.add_user("li_clerk", Role::Clerk, Some("522301100200"), None);
        let (cookie, csrf, _) = sign_in(&app, "li_clerk").await;
        let without = bare().delete(app.url("/api/v1/auth/session")).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(without.status(), 403, "signing out is an unsafe request too");
        let out = bare()
            .delete(app.url("/api/v1/auth/session"))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .send()
            .await
            .unwrap();
        assert_eq!(out.status(), 204);
        let cleared = out.headers().get(SET_COOKIE).unwrap().to_str().unwrap();
        assert!(cleared.starts_with("onetable_session=;") && cleared.contains("Max-Age=0"), "{cleared}");
        let me = bare().get(app.url("/api/v1/me")).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(me.status(), 401, "the old cookie no longer works");
    })
    .await;
}

#[tokio::test]
async fn the_pages_are_served_with_a_strict_csp_and_revalidate_by_etag() {
    let app = TestApp::spawn(onetable_store::Backend::Sqlite).await;
    for path in ["/", "/login", "/assets/js/api.js", "/assets/app.css"] {
        let response = bare().get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let csp = response.headers().get(CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap().to_owned();
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(response.headers().get("x-content-type-options").unwrap(), "nosniff");
        let etag = response.headers().get("etag").unwrap().clone();
        let again = bare().get(app.url(path)).header("if-none-match", etag).send().await.unwrap();
        assert_eq!(again.status(), 304, "{path}");
    }
    let login = bare().get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    assert!(login.contains("<label for=\"username\">用户名</label>"));
    let missing = bare().get(app.url("/assets/nope.js")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.json::<Value>().await.unwrap()["error"], "not_found");
}
