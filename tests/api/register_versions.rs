//! A register type changes (台账类型修订): compatible changes write a new version — a column made
//! sensitive has its kept values sealed at once — while a breaking change over kept records, or
//! one that would break an indicator's aggregate, is refused and changes nothing.

use onetable_core::Role;
use onetable_tests::{each_backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::registers::{id, link_dibao};

const VILLAGE: &str = "522301100200";
const DIBAO: &str = "/api/v1/registers/REG.DIBAO";

/// The register as an admin would send it back: what GET answers, without what the server keeps.
async fn definition(app: &TestApp, admin: &str) -> Value {
    let (status, mut body) = app.get_as(admin, DIBAO).await;
    assert_eq!(status, 200, "{body}");
    for field in ["version", "status", "created_by", "created_at", "feeds", "change_note"] {
        body.as_object_mut().unwrap().remove(field);
    }
    body
}

fn column<'a>(def: &'a mut Value, code: &str) -> &'a mut Value {
    def["columns"].as_array_mut().unwrap().iter_mut().find(|c| c["code"] == code).unwrap()
}

async fn put(app: &TestApp, token: &str, body: &Value) -> (StatusCode, Value) {
    app.send_json(Method::PUT, token, DIBAO, body).await
}

/// The raw stored text of every record of the village: what someone with the database file reads.
fn stored_text(app: &TestApp) -> String {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Text {
        #[diesel(sql_type = diesel::sql_types::Text)]
        t: String,
    }
    let rows: Vec<Text> = diesel::sql_query("SELECT plain || '|' || sealed AS t FROM register_records")
        .load(&mut *app.db.conn().unwrap())
        .unwrap();
    rows.into_iter().map(|r| r.t).collect::<Vec<_>>().join("\n")
}

#[tokio::test]
async fn a_register_type_changes_compatibly_and_a_breaking_change_over_kept_records_is_refused() {
    each_backend(|app| async move {
        app.load_catalogue();
        let admin = app.user_token("t_admin", Role::Admin, None, None).await;
        let clerk = app.user_token("t_clerk", Role::Clerk, Some(VILLAGE), None).await;
        link_dibao(&app, &admin).await;
        let original = definition(&app, &admin).await;

        // The same definition again writes nothing.
        let (status, same) = put(&app, &admin, &original).await;
        assert_eq!((status.as_u16(), same["register"]["version"].as_i64()), (200, Some(1)), "{same}");
        assert_eq!(same["changes"], json!([]));

        // Only admins; the code in the body is the path's; an unknown register is 404.
        assert_eq!(put(&app, &clerk, &original).await.0, 403);
        let mut renamed = original.clone();
        renamed["code"] = json!("REG.OTHER");
        let (status, body) = put(&app, &admin, &renamed).await;
        assert_eq!((status.as_u16(), body["details"][0]["field"].as_str()), (422, Some("code")), "{body}");
        renamed["code"] = json!("REG.NONE");
        let (status, _) = app.send_json(Method::PUT, &admin, "/api/v1/registers/REG.NONE", &renamed).await;
        assert_eq!(status, 404);

        // 低保人数 sums `members`: a version without it would leave the indicator uncomputable,
        // even while no village keeps a record.
        let mut without_members = original.clone();
        without_members["columns"].as_array_mut().unwrap().retain(|c| c["code"] != "members");
        let (status, body) = put(&app, &admin, &without_members).await;
        assert_eq!((status.as_u16(), body["error"].as_str()), (409, Some("register_in_use")), "{body}");
        assert!(body["message"].as_str().unwrap().contains("SOC.DIBAO_PERSONS"), "{body}");

        let phone = "13812345678";
        let (status, record) = app
            .send_json(
                Method::POST,
                &clerk,
                &format!("{DIBAO}/records?village={VILLAGE}"),
                &json!({"values": {"head_name": "杨光荣", "id_number": id("19580302", 7), "members": 2, "phone": phone}}),
            )
            .await;
        assert_eq!(status, 201, "{record}");
        assert!(stored_text(&app).contains(phone), "a personal (not sensitive) phone is kept plain");

        // Compatible: a clearer name, one more option, a new optional column, the phone made
        // sensitive — the phone already kept is sealed in the same change.
        let mut wider = original.clone();
        wider["name"] = json!("农村最低生活保障户台账");
        column(&mut wider, "kind")["options"].as_array_mut().unwrap().push(json!("D类"));
        column(&mut wider, "phone")["personal"] = json!("sensitive");
        wider["columns"].as_array_mut().unwrap().push(json!({"code": "remark", "name": "备注", "type": "text"}));
        wider["change_note"] = json!("按 2026 年民政部表式调整");
        let (status, saved) = put(&app, &admin, &wider).await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!(saved["register"]["version"], 2);
        assert_eq!(saved["resealed"], 1, "{saved}");
        let changes = saved["changes"].as_array().unwrap();
        assert_eq!(changes.len(), 4, "{saved}");
        assert!(changes.iter().all(|c| c["breaking"] == false), "{saved}");
        assert!(!stored_text(&app).contains(phone), "the phone is sealed now: {}", stored_text(&app));

        // The record reads as before; the clerk sees the phone in full with a reason; the new
        // option is accepted.
        let path = format!("{DIBAO}/records/{}", record["id"]);
        let (_, read) = app.get_as(&clerk, &path).await;
        assert_eq!(read["values"]["phone"], "138****5678", "{read}");
        let (status, full) =
            app.send_json(Method::POST, &clerk, &format!("{path}/reveal"), &json!({"reason": "核对联系电话"})).await;
        assert_eq!((status.as_u16(), full["values"]["phone"].as_str()), (200, Some(phone)), "{full}");
        let (status, body) = app
            .send_json(
                Method::POST,
                &clerk,
                &format!("{DIBAO}/records?village={VILLAGE}"),
                &json!({"values": {"head_name": "吴小兰", "id_number": id("19700101", 8), "members": 1, "kind": "D类"}}),
            )
            .await;
        assert_eq!(status, 201, "{body}");

        // Breaking, now that the village keeps records: each change named, nothing written.
        let mut narrower = definition(&app, &admin).await;
        column(&mut narrower, "members")["min"] = json!(2);
        column(&mut narrower, "kind")["options"] = json!(["A类", "B类"]);
        column(&mut narrower, "bank_account")["personal"] = json!(true);
        let (status, body) = put(&app, &admin, &narrower).await;
        assert_eq!((status.as_u16(), body["error"].as_str()), (409, Some("breaking_change")), "{body}");
        let fields: Vec<&str> = body["details"].as_array().unwrap().iter().filter_map(|d| d["field"].as_str()).collect();
        assert_eq!(fields, ["columns.members.min", "columns.kind.options", "columns.bank_account.personal"], "{body}");

        let (status, versions) = app.get_as(&clerk, &format!("{DIBAO}/versions")).await;
        assert_eq!(status, 200);
        let listed: Vec<(i64, Option<&str>)> = versions
            .as_array()
            .unwrap()
            .iter()
            .map(|v| (v["version"].as_i64().unwrap(), v["change_note"].as_str()))
            .collect();
        assert_eq!(listed, [(1, Some("参考台账")), (2, Some("按 2026 年民政部表式调整"))]);
        let (_, current) = app.get_as(&clerk, DIBAO).await;
        assert_eq!((current["version"].as_i64(), current["feeds"].as_array().map(Vec::len)), (Some(2), Some(2)));
    })
    .await;
}
