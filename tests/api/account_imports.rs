//! Accounts in bulk: a county's staff sheet, dry run then real run, all or nothing, idempotent by
//! username; each new account's one-time password shown once and replaced at the first sign-in.

use onetable_core::Role;
use onetable_tests::{each_backend, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const CSV: &str = "text/csv";

const SHEET: &str = "用户名,姓名,角色,所辖地区,部门,电话\n\
wjp_clerk,张三,村级填报员,敬南镇/吴家坪村,,13800000000\n\
jn_reviewer,李四,乡镇审核员,522301100,,\n\
mz_user,王五,部门用户,5223,民政局,0859-3221234\n";

async fn import(app: &TestApp, token: &str, query: &str, sheet: &str) -> (u16, Value) {
    let (status, body) =
        app.post_file(token, &format!("/api/v1/users/import{query}"), CSV, sheet.as_bytes().to_vec()).await;
    (status.as_u16(), body)
}

async fn login(app: &TestApp, username: &str, password: &str) -> Value {
    let (status, answer) = app.sign_in(username, password).await;
    assert_eq!(status, 200, "login of {username}");
    answer
}

#[tokio::test]
async fn a_staff_sheet_is_tried_then_imported_and_each_person_must_choose_a_password() {
    each_backend(|app| async move {
        app.load_catalogue();
        let admin = app.user_token("t_admin", Role::Admin, Some("5223"), None).await;

        let (status, dry) = import(&app, &admin, "?dry_run=true", SHEET).await;
        assert_eq!(status, 200, "{dry}");
        assert_eq!((dry["created"].as_u64(), dry["refused"].as_u64()), (Some(3), Some(0)), "{dry}");
        assert_eq!(dry["rows"][0]["region"], "522301100200", "the name path resolved: {dry}");
        assert_eq!(dry["rows"][0]["row"], 2, "rows counted as the sheet counts them");
        assert!(dry["initial_passwords"].as_array().unwrap().is_empty(), "a dry run makes no password");
        let (status, _) = app.get_as(&admin, "/api/v1/users/wjp_clerk").await;
        assert_eq!(status, 404, "a dry run creates nothing");

        let (status, done) = import(&app, &admin, "", SHEET).await;
        assert_eq!((status, done["created"].as_u64()), (200, Some(3)), "{done}");
        let passwords = done["initial_passwords"].as_array().unwrap();
        assert_eq!(passwords.len(), 3);
        let initial = passwords[0]["password"].as_str().unwrap().to_owned();
        assert_eq!(passwords[0]["username"], "wjp_clerk");
        assert!(initial.len() >= 10);

        // Shown once: not in the account, not in the audit trail, not in the database in clear.
        let (_, user) = app.get_as(&admin, "/api/v1/users/wjp_clerk").await;
        assert_eq!((user["must_change_password"].as_bool(), user["phone"].as_str()), (Some(true), Some("13800000000")));
        assert!(!user.to_string().contains(&initial));
        let auditor = app.user_token("t_auditor", Role::Auditor, None, None).await;
        let (_, events) = app.get_as(&auditor, "/api/v1/audit/events?limit=500").await;
        assert!(events.to_string().contains("users.import"), "{events}");
        for p in passwords {
            assert!(!events.to_string().contains(p["password"].as_str().unwrap()), "a password in the trail");
        }

        // The same sheet again changes nothing.
        let (status, again) = import(&app, &admin, "", SHEET).await;
        assert_eq!(
            (status, again["created"].as_u64(), again["unchanged"].as_u64()),
            (200, Some(0), Some(3)),
            "{again}"
        );
        assert!(again["initial_passwords"].as_array().unwrap().is_empty());

        // The first sign-in opens nothing but the change.
        let signed_in = login(&app, "wjp_clerk", &initial).await;
        assert_eq!(signed_in["password_change_required"], true);
        let token = signed_in["access_token"].as_str().unwrap().to_owned();
        let (status, refused) = app.get_as(&token, "/api/v1/entries/522301100200/2025").await;
        assert_eq!((status.as_u16(), refused["error"].as_str()), (403, Some("password_change_required")), "{refused}");
        let (status, me) = app.get_as(&token, "/api/v1/me").await;
        assert_eq!((status.as_u16(), me["password_change_required"].as_bool()), (200, Some(true)));

        let change = |current: &str, new: &str| json!({"current": current, "new": new});
        let (status, body) = app
            .send_json(Method::POST, &token, "/api/v1/me/password", &change("Wrong-pass-2025", "Own-choice-2025!"))
            .await;
        assert_eq!((status.as_u16(), body["details"][0]["field"].as_str()), (422, Some("current")), "{body}");
        let (status, body) =
            app.send_json(Method::POST, &token, "/api/v1/me/password", &change(&initial, &initial)).await;
        assert_eq!((status.as_u16(), body["details"][0]["code"].as_str()), (422, Some("password_reused")), "{body}");
        let (status, body) =
            app.send_json(Method::POST, &token, "/api/v1/me/password", &change(&initial, "short")).await;
        assert_eq!((status.as_u16(), body["details"][0]["field"].as_str()), (422, Some("new")), "{body}");
        assert!(body["details"][0]["message"].as_str().unwrap().contains("10"), "{body}");

        let (status, changed) =
            app.send_json(Method::POST, &token, "/api/v1/me/password", &change(&initial, "Own-choice-2025!")).await;
        assert_eq!((status.as_u16(), changed["password_change_required"].as_bool()), (200, Some(false)), "{changed}");
        let fresh = changed["access_token"].as_str().unwrap();
        assert_eq!(app.get_as(&token, "/api/v1/me").await.0, 401, "the session of the old password ended");
        let (status, entry) = app.get_as(fresh, "/api/v1/entries/522301100200/2025").await;
        assert_eq!(status, 200, "{entry}");
        assert_eq!(login(&app, "wjp_clerk", "Own-choice-2025!").await["password_change_required"], false);
        let (_, user) = app.get_as(&admin, "/api/v1/users/wjp_clerk").await;
        assert_eq!(user["must_change_password"], false);
    })
    .await;
}

#[tokio::test]
async fn bad_rows_are_refused_at_their_row_and_column_and_nothing_is_created() {
    each_backend(|app| async move {
        let admin = app.user_token("t_admin", Role::Admin, Some("5223"), None).await;
        let sheet = "用户名,姓名,角色,所辖地区,部门\n\
ok_clerk,甲,clerk,敬南镇/吴家坪村,\n\
OK_CLERK,乙,clerk,522301100201,\n\
lost_clerk,丙,clerk,敬南镇/不存在村,\n\
twin_clerk,丁,clerk,团结村,\n\
peer_admin,戊,管理员,5223,\n\
far_viewer,己,看板用户,52,\n\
no_role,庚,村长,522301100200,\n";
        let (status, dry) = import(&app, &admin, "?dry_run=true", sheet).await;
        assert_eq!(status, 200, "{dry}");
        assert_eq!((dry["created"].as_u64(), dry["refused"].as_u64()), (Some(1), Some(6)), "{dry}");
        let refusal = |row: usize| {
            let r = &dry["rows"][row - 2];
            assert_eq!(r["outcome"], "refused", "row {row}: {r}");
            let p = &r["problems"][0];
            (
                p["field"].as_str().unwrap().to_owned(),
                p["code"].as_str().unwrap().to_owned(),
                p["message"].as_str().unwrap().to_owned(),
            )
        };
        let (field, code, message) = refusal(3);
        assert_eq!((field.as_str(), code.as_str()), ("username", "duplicate_username"));
        assert!(message.contains("第 2 行"), "{message}");
        assert_eq!(refusal(4).1, "unknown_region");
        let (field, code, message) = refusal(5);
        assert_eq!((field.as_str(), code.as_str()), ("region", "ambiguous_region"));
        assert!(message.contains("522301010205"), "the candidates are named: {message}");
        assert_eq!(refusal(6).0, "role", "an admin of its own level may not be made");
        assert_eq!(refusal(7).1, "out_of_scope");
        assert_eq!(refusal(8).1, "unknown_role");
        assert!(refusal(8).2.contains("村长"));

        let (status, rejected) = import(&app, &admin, "", sheet).await;
        assert_eq!((status, rejected["error"].as_str()), (422, Some("import_rejected")), "{rejected}");
        assert!(rejected["details"].to_string().contains("第 5 行 所辖地区"), "{rejected}");
        assert_eq!(app.get_as(&admin, "/api/v1/users/ok_clerk").await.0, 404, "a refused row refuses the batch");

        let (status, body) = import(&app, &admin, "?dry_run=true", "姓名,电话\n张三,1\n").await;
        assert_eq!((status, body["error"].as_str()), (422, Some("unreadable_file")), "{body}");
        assert!(body["message"].as_str().unwrap().contains("用户名"), "{body}");

        let clerk = app.user_token("t_clerk", Role::Clerk, Some("522301100200"), None).await;
        assert_eq!(import(&app, &clerk, "?dry_run=true", SHEET).await.0, 403);
    })
    .await;
}

#[tokio::test]
async fn the_template_reads_back_and_the_xlsx_answer_holds_the_passwords() {
    each_backend(|app| async move {
        let admin = app.user_token("t_admin", Role::Admin, Some("5223"), None).await;
        let response =
            app.client.get(app.url("/api/v1/users/import/template")).bearer_auth(&admin).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let template = response.bytes().await.unwrap().to_vec();
        let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        let (status, dry) = app.post_file(&admin, "/api/v1/users/import?dry_run=true", xlsx, template).await;
        assert_eq!(status, 200, "{dry}");
        assert_eq!(dry["total"], 2, "the two example rows: {dry}");
        assert_eq!(dry["rows"][0]["outcome"], "created", "{dry}");
        assert_eq!(dry["rows"][1]["problems"][0]["field"], "region", "the department example has no region: {dry}");

        let response = app
            .client
            .post(app.url("/api/v1/users/import?answer=xlsx"))
            .bearer_auth(&admin)
            .header("content-type", CSV)
            .body(SHEET)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let bytes = response.bytes().await.unwrap().to_vec();
        let table = onetable_app::imports::read_table(
            &bytes,
            onetable_app::imports::FileFormat::Xlsx,
            &onetable_app::imports::Limits::default(),
        )
        .unwrap();
        assert_eq!(table.len(), 4, "a header and three people");
        assert_eq!(table[1][0], "wjp_clerk");
        let password = &table[1][5];
        assert!(login(&app, "wjp_clerk", password).await["password_change_required"].as_bool().unwrap());
    })
    .await;
}
