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
    // The operator chose op_admin's password: op_admin must choose its own at the first sign-in.
    let op_admin = onetable_store::identity::find_user(&mut db.conn().unwrap(), "op_admin").unwrap().unwrap();
    assert!(op_admin.must_change_password);
}

#[test]
fn the_operator_imports_a_staff_sheet_and_only_a_private_file_holds_the_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("onetable.db").display());
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let regions = repo.join("data/regions-5223").display().to_string();
    assert!(onetable(&url, &["regions", "import", "--from", &regions], None).status.success());
    let sheet = dir.path().join("staff.csv");
    std::fs::write(
        &sheet,
        "用户名,姓名,角色,所辖地区\nop_wjp,张三,村级填报员,敬南镇/吴家坪村\nop_jn,李四,审核员,兴义市/敬南镇\n",
    )
    .unwrap();
    let sheet = sheet.display().to_string();
    let out_file = dir.path().join("passwords.xlsx");
    let out = out_file.display().to_string();

    let dry = onetable(&url, &["users", "import", &sheet, "--dry-run"], None);
    assert!(dry.status.success(), "{}", text(&dry));
    assert!(text(&dry).contains("would create 2"), "{}", text(&dry));
    assert!(!out_file.exists(), "a dry run writes no passwords");

    let real = onetable(&url, &["users", "import", &sheet, "--passwords", &out], None);
    assert!(real.status.success(), "{}", text(&real));
    assert!(text(&real).contains("created 2"), "{}", text(&real));
    let bytes = std::fs::read(&out_file).unwrap();
    let table = onetable_app::imports::read_table(
        &bytes,
        onetable_app::imports::FileFormat::Xlsx,
        &onetable_app::imports::Limits::default(),
    )
    .unwrap();
    let password = &table[1][5];
    assert!(!text(&real).contains(password.as_str()), "never on the terminal");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&out_file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let db =
        onetable_store::Db::connect(&onetable_store::DatabaseUrl::Sqlite(dir.path().join("onetable.db")), 1).unwrap();
    let clerk = onetable_store::identity::find_user(&mut db.conn().unwrap(), "op_wjp").unwrap().unwrap();
    assert_eq!(clerk.region_code.as_deref(), Some("522301100200"));
    assert!(clerk.must_change_password);
    assert!(onetable_app::accounts::hashing::verify(&clerk.password_hash, password));

    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "用户名,角色,所辖地区\nop_x,村级填报员,不存在村\n").unwrap();
    let refused =
        onetable(&url, &["users", "import", &bad.display().to_string(), "--passwords", &format!("{out}.2")], None);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("第 2 行 所辖地区"), "{}", text(&refused));
}
