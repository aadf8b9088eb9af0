//! `/metrics` (issue 26): the scheme of `Authorization` is case-insensitive (RFC 9110), and
//! wrong tokens are counted per address, so the token cannot be guessed at the network's speed.

use onetable_store::Backend;
use onetable_tests::TestApp;

const TOKEN: &str = "scrape-token-for-tests-0123456789";

async fn scrape(app: &TestApp, authorization: &str) -> (u16, Option<String>) {
    let answer = app.client.get(app.url("/metrics")).header("authorization", authorization).send().await.unwrap();
    let retry = answer.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    (answer.status().as_u16(), retry)
}

#[tokio::test]
async fn any_case_of_bearer_is_taken_and_wrong_tokens_are_rate_limited() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.metrics_token = Some(TOKEN.to_owned())).await;
    for scheme in ["Bearer", "bearer", "BEARER"] {
        assert_eq!(scrape(&app, &format!("{scheme} {TOKEN}")).await.0, 200, "{scheme}");
    }
    let mut statuses = Vec::new();
    for i in 0..12 {
        statuses.push(scrape(&app, &format!("Bearer wrong-{i}")).await);
    }
    assert!(statuses[..10].iter().all(|(s, _)| *s == 401), "{statuses:?}");
    let (status, retry) = &statuses[11];
    assert_eq!(*status, 429, "{statuses:?}");
    assert!(retry.as_deref().is_some_and(|r| r.parse::<u64>().is_ok_and(|s| (1..=60).contains(&s))), "{retry:?}");
    // Once limited, the address waits: even the right token is refused until the window ends.
    assert_eq!(scrape(&app, &format!("Bearer {TOKEN}")).await.0, 429);
}
