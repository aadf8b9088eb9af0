//! The operator at the command line (issue 27): accounts and department systems go through the
//! application's use cases as the API's do — the same password rule, the same audit trail (as
//! `cli`, role `operator`) — and a command run on a database not set up says what is missing.

#![allow(clippy::unwrap_used)] // a test: a failure is a panic with its message

mod common;

use std::path::Path;

use common::{onetable, text};

#[test]
fn the_operators_actions_keep_the_apis_rules_and_an_empty_database_is_said_to_be_empty() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("onetable.db").display());

    // Nothing imported yet: the extract says so, and fails.
    let out =
        onetable(&url, &["extract", "--to", &dir.path().join("lake").display().to_string(), "--period", "2025"], None);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("还没有区划") && text(&out).contains("regions import"), "{}", text(&out));
    assert!(!text(&out).contains("x-request-id"), "{}", text(&out));

    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let regions = repo.join("data/regions-5223").display().to_string();
    assert!(onetable(&url, &["regions", "import", "--from", &regions], None).status.success());

    // The API's password rule, word for word.
    let weak = onetable(
        &url,
        &["users", "add", "--username", "op_admin", "--role", "admin", "--region", "5223"],
        Some("short\n"),
    );
    assert!(!weak.status.success());
    assert!(text(&weak).contains("密码"), "{}", text(&weak));
    let made = onetable(
        &url,
        &["users", "add", "--username", "op_admin", "--role", "admin", "--region", "5223"],
        Some("Operator-test-2025\n"),
    );
    assert!(made.status.success(), "{}", text(&made));
    // Only the operator makes an auditor or a nationwide account.
    let auditor =
        onetable(&url, &["users", "add", "--username", "op_auditor", "--role", "auditor"], Some("Auditor-test-2025\n"));
    assert!(auditor.status.success(), "{}", text(&auditor));
    let reset = onetable(&url, &["users", "reset-password", "--username", "op_admin"], Some("op_admin-2025-x\n"));
    assert!(!reset.status.success(), "a password holding the username is refused: {}", text(&reset));
    let reset = onetable(&url, &["users", "reset-password", "--username", "op_admin"], Some("Another-pass-2025\n"));
    assert!(reset.status.success(), "{}", text(&reset));
    let client = onetable(&url, &["clients", "add", "--department", "民政局", "--region", "5223"], None);
    assert!(client.status.success(), "{}", text(&client));
    assert!(text(&client).contains("client_secret:"), "{}", text(&client));
    let unknown = onetable(&url, &["clients", "add", "--department", "民政局", "--region", "110101"], None);
    assert!(!unknown.status.success() && text(&unknown).contains("不存在"), "{}", text(&unknown));

    let db =
        onetable_store::Db::connect(&onetable_store::DatabaseUrl::Sqlite(dir.path().join("onetable.db")), 1).unwrap();
    let filter = onetable_store::audit::AuditFilter { actor: Some("cli".into()), ..Default::default() };
    let (events, _) = onetable_store::audit::list(&mut db.conn().unwrap(), &filter, 50, 0).unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    for action in ["users.create", "users.reset_password", "clients.create"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    assert!(events.iter().all(|e| e.role.as_deref() == Some("operator")), "{events:?}");
}
