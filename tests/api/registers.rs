//! Registers (台账): the village keeps the list once; the form's counts follow it live; a person
//! listed in two villages is flagged; personal data is masked, sealed, and revealed only with a
//! reason; an approved form is never rewritten behind the reviewer's back.

use onetable_core::indicator::Frequency;
use onetable_core::register::id_number::check_character;
use onetable_core::Role;
use onetable_tests::{each_backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const VILLAGE: &str = "522301100200";
const NEIGHBOUR: &str = "522301100201";
const RECORDS: &str = "/api/v1/registers/REG.DIBAO/records";

/// The monthly form being filled now.
fn due_month() -> String {
    onetable_app::registers::derived::open_periods(Frequency::Monthly, onetable_app::time::china_today())[0].to_string()
}

async fn send(
    app: &TestApp,
    method: Method,
    token: &str,
    path: &str,
    if_match: Option<i64>,
    body: Value,
) -> (StatusCode, Value) {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token).json(&body);
    if let Some(revision) = if_match {
        request = request.header("if-match", format!("\"{revision}\""));
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// 低保户数 and 低保人数 derived from REG.DIBAO, as an admin links them.
pub(super) async fn link_dibao(app: &TestApp, admin: &str) {
    for (code, formula) in
        [("SOC.DIBAO_HOUSEHOLDS", "count(REG.DIBAO)"), ("SOC.DIBAO_PERSONS", "sum(REG.DIBAO.members)")]
    {
        let (_, current) = app.get_as(admin, &format!("/api/v1/indicators/{code}")).await;
        let mut body = current.clone();
        for field in ["code", "version", "created_by", "created_at", "status"] {
            body.as_object_mut().unwrap().remove(field);
        }
        body["formula"] = json!(formula);
        body["change_note"] = json!("由低保户台账自动统计");
        let (status, saved) = app.send_json(Method::PUT, admin, &format!("/api/v1/indicators/{code}"), &body).await;
        assert_eq!(status, 200, "{saved}");
    }
}

/// The catalogue, the two counts linked, and a clerk, a reviewer and an admin.
async fn setup(app: &TestApp) -> (String, String, String) {
    app.load_catalogue();
    let admin = app.user_token("t_admin", Role::Admin, None, None).await;
    link_dibao(app, &admin).await;
    let clerk = app.user_token("t_clerk", Role::Clerk, Some(VILLAGE), None).await;
    let reviewer = app.user_token("t_reviewer", Role::Reviewer, Some("522301100"), None).await;
    (admin, clerk, reviewer)
}

/// A valid ID number born on `birth` (YYYYMMDD) with serial `n`.
pub(super) fn id(birth: &str, n: u32) -> String {
    let first17 = format!("522301{birth}{n:03}");
    format!("{first17}{}", check_character(&first17).unwrap())
}

/// The clerk's POST of a record to `village`'s 低保 list.
async fn add(app: &TestApp, token: &str, village: &str, body: Value) -> (StatusCode, Value) {
    send(app, Method::POST, token, &format!("{RECORDS}?village={village}"), None, body).await
}

fn household(name: &str, id_number: &str, members: u32, kind: &str) -> Value {
    json!({"values": {"head_name": name, "id_number": id_number, "members": members, "kind": kind}, "group": "第一村民小组"})
}

pub(super) async fn entry_value(app: &TestApp, token: &str, village: &str, code: &str) -> (Value, Value) {
    let (status, entry) = app.get_as(token, &format!("/api/v1/entries/{village}/{}", due_month())).await;
    assert_eq!(status, 200, "{entry}");
    let cell = entry["values"].as_array().unwrap().iter().find(|c| c["code"] == code).cloned().unwrap_or(Value::Null);
    (cell["value"].clone(), cell["source"].clone())
}

#[tokio::test]
async fn register_types_are_defined_once_and_share_the_indicators_code_space() {
    each_backend(|app| async move {
        let (admin, clerk, _) = setup(&app).await;
        let (_, listed) = app.get_as(&clerk, "/api/v1/registers").await;
        let dibao = listed.as_array().unwrap().iter().find(|r| r["code"] == "REG.DIBAO").unwrap();
        assert_eq!(dibao["name"], "农村低保户台账");
        let feeds: Vec<&str> = dibao["feeds"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
        assert_eq!(feeds, ["SOC.DIBAO_HOUSEHOLDS", "SOC.DIBAO_PERSONS"]);
        assert!(listed.as_array().unwrap().len() >= 9, "the reference registers ship");

        let wells = json!({"code": "REG.WELLS", "name": "饮水井台账", "unit": "household",
            "columns": [{"code": "owner", "name": "户主", "type": "text", "personal": true, "required": true},
                        {"code": "depth", "name": "井深", "type": "decimal", "min": 0}],
            "key": ["owner"]});
        let (status, body) = app.send_json(Method::POST, &clerk, "/api/v1/registers", &wells).await;
        assert_eq!(status, 403, "{body}");
        let (status, body) = app.send_json(Method::POST, &admin, "/api/v1/registers", &wells).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["version"], 1);
        let again = json!({"code": "REG.WELLS2", "name": " 饮水井台账", "unit": "household",
            "columns": wells["columns"], "key": ["owner"]});
        let (status, body) = app.send_json(Method::POST, &admin, "/api/v1/registers", &again).await;
        assert_eq!((status.as_u16(), body["error"].as_str()), (409, Some("duplicate_register")), "{body}");

        let indicator = json!({"code": "REG.DIBAO", "name": "低保测试", "unit": "户", "value_type": "integer",
            "category": "社会保障", "frequency": "annual", "aggregation": "sum", "sensitivity": "internal",
            "owner_department": "民政局"});
        let (status, body) = app.send_json(Method::POST, &admin, "/api/v1/indicators", &indicator).await;
        assert_eq!((status.as_u16(), body["error"].as_str()), (409, Some("code_taken")), "{body}");

        let bad = json!({"code": "REG.BAD", "name": "坏台账", "unit": "person",
            "columns": [{"code": "id_number", "name": "身份证号", "type": "id_number", "personal": true},
                        {"code": "kind", "name": "类别", "type": "enum"}],
            "key": ["missing"]});
        let (status, body) = app.send_json(Method::POST, &admin, "/api/v1/registers", &bad).await;
        assert_eq!(status, 422, "{body}");
        let fields: Vec<&str> =
            body["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
        assert!(
            fields.contains(&"columns[0].personal")
                && fields.contains(&"columns[1].options")
                && fields.contains(&"key"),
            "{body}"
        );

        let (status, body) = app
            .send_json(
                Method::PUT,
                &admin,
                "/api/v1/indicators/SOC.TEKUN_PERSONS",
                &json!({
                "name": "特困供养人数", "unit": "人", "value_type": "integer", "category": "社会保障",
                "frequency": "monthly", "aggregation": "sum", "sensitivity": "sensitive", "owner_department": "民政局",
                "formula": "count(REG.TEKUN, self_care == \"完全自理\")"}),
            )
            .await;
        assert_eq!(status, 422, "a condition on a sensitive column is refused: {body}");
        assert!(body["details"][0]["message"].as_str().unwrap().contains("敏感"), "{body}");
    })
    .await;
}

#[tokio::test]
async fn the_clerk_keeps_the_list_and_the_form_counts_follow_every_change() {
    each_backend(|app| async move {
        let (_, clerk, _) = setup(&app).await;
        let (status, first) = add(&app, &clerk, VILLAGE, household("王德明", &id("19580312", 1), 3, "A类")).await;
        assert_eq!(status, 201, "{first}");
        let (status, second) = add(&app, &clerk, VILLAGE, household("杨秀英", &id("19490817", 2), 1, "B类")).await;
        assert_eq!(status, 201, "{second}");
        assert_eq!(entry_value(&app, &clerk, VILLAGE, "SOC.DIBAO_HOUSEHOLDS").await, (json!(2), json!("register")));
        assert_eq!(entry_value(&app, &clerk, VILLAGE, "SOC.DIBAO_PERSONS").await.0, json!(4));

        let path = format!("{RECORDS}/{}", first["id"]);
        let (status, edited) =
            send(&app, Method::PATCH, &clerk, &path, Some(1), json!({"values": {"members": 5}, "reason": "新生儿"}))
                .await;
        assert_eq!(status, 200, "{edited}");
        assert_eq!(entry_value(&app, &clerk, VILLAGE, "SOC.DIBAO_PERSONS").await.0, json!(6));
        let (status, body) = send(&app, Method::PATCH, &clerk, &path, Some(1), json!({"values": {"members": 4}})).await;
        assert_eq!((status.as_u16(), body["error"].as_str()), (412, Some("stale_revision")), "{body}");

        let today = onetable_app::time::china_today().to_string();
        let (status, closed) = send(
            &app,
            Method::POST,
            &clerk,
            &format!("{path}/close"),
            Some(2),
            json!({"reason": "迁出", "date": today}),
        )
        .await;
        assert_eq!((status.as_u16(), closed["status"].as_str()), (200, Some("closed")), "{closed}");
        // Closed today: still on the list at the end of last month, off it at the end of this one.
        let (_, entry) = app
            .get_as(
                &clerk,
                &format!(
                    "/api/v1/entries/{VILLAGE}/{}",
                    onetable_app::registers::derived::open_periods(
                        Frequency::Monthly,
                        onetable_app::time::china_today()
                    )[1]
                ),
            )
            .await;
        let under_way = entry["register_values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["indicator"] == "SOC.DIBAO_HOUSEHOLDS")
            .unwrap()
            .clone();
        assert_eq!(under_way["value"], "1", "{entry}");
        assert_eq!(entry_value(&app, &clerk, VILLAGE, "SOC.DIBAO_HOUSEHOLDS").await.0, json!(2));

        let (status, body) = send(
            &app,
            Method::PATCH,
            &clerk,
            &format!("/api/v1/entries/{VILLAGE}/{}", due_month()),
            Some(99),
            json!({"values": {"SOC.DIBAO_HOUSEHOLDS": 7}}),
        )
        .await;
        assert!(status == 412 || status == 422, "{body}");
        let (_, entry) = app.get_as(&clerk, &format!("/api/v1/entries/{VILLAGE}/{}", due_month())).await;
        let revision = entry["revision"].as_i64().unwrap();
        let (status, body) = send(
            &app,
            Method::PATCH,
            &clerk,
            &format!("/api/v1/entries/{VILLAGE}/{}", due_month()),
            Some(revision),
            json!({"values": {"SOC.DIBAO_HOUSEHOLDS": 7}}),
        )
        .await;
        assert_eq!(status, 422, "a register count is not typed: {body}");
        assert!(body["details"][0]["message"].as_str().unwrap().contains("台账"), "{body}");

        let (_, history) = app.get_as(&clerk, &format!("{path}/history")).await;
        let actions: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["create", "edit", "close"], "{history}");
        assert_eq!(history[1]["reason"], "新生儿");
        assert_eq!(history[1]["changes"][0], json!({"column": "members", "old": "3", "new": "5"}));
        let (_, list) = app.get_as(&clerk, &format!("{RECORDS}?village={VILLAGE}&status=all")).await;
        assert_eq!(list["total"], 2, "closed records stay: {list}");
        let (_, open) = app.get_as(&clerk, &format!("{RECORDS}?village={VILLAGE}")).await;
        assert_eq!(open["total"], 1);
        assert_eq!(open["groups"], json!([{"group": "第一村民小组", "open": 1}]));
    })
    .await;
}

#[tokio::test]
async fn bad_values_are_refused_by_column_and_nothing_is_stored() {
    each_backend(|app| async move {
        let (_, clerk, _) = setup(&app).await;
        let url = format!("{RECORDS}?village={VILLAGE}");
        let good = id("19580312", 1);
        let mut wrong_check = good.clone();
        wrong_check.pop();
        wrong_check.push(if good.ends_with('0') { '1' } else { '0' });
        let cases = [
            (json!({"head_name": "王", "id_number": wrong_check, "members": 1}), "id_number"),
            (json!({"head_name": "王", "id_number": id("20990101", 3), "members": 1}), "id_number"),
            (json!({"head_name": "王", "id_number": good, "members": 0}), "members"),
            (json!({"head_name": "王", "id_number": good, "members": 1, "kind": "D类"}), "kind"),
            (json!({"head_name": "王\u{7}", "id_number": good, "members": 1}), "head_name"),
            (json!({"head_name": "王", "id_number": good, "members": 1, "start_date": "2999-01-01"}), "start_date"),
        ];
        for (values, field) in cases {
            let (status, body) = send(&app, Method::POST, &clerk, &url, None, json!({"values": values})).await;
            assert_eq!(status, 422, "{values}: {body}");
            // The JSON layer refuses a control character before the register sees it, naming the path.
            assert!(body["details"][0]["field"].as_str().unwrap().ends_with(field), "{body}");
            assert!(!body["message"].as_str().unwrap().is_empty());
        }
        let (_, list) = app.get_as(&clerk, &format!("{url}&status=all")).await;
        assert_eq!(list["total"], 0, "nothing stored");

        let (status, first) = send(&app, Method::POST, &clerk, &url, None, household("王德明", &good, 3, "A类")).await;
        assert_eq!(status, 201, "{first}");
        let (status, body) =
            send(&app, Method::POST, &clerk, &url, None, household("王德明", &good.to_lowercase(), 2, "B类")).await;
        assert_eq!((status.as_u16(), body["error"].as_str()), (409, Some("record_exists")), "{body}");
        assert_eq!(body["details"][0]["message"], first["id"].to_string(), "the 409 names the record");
    })
    .await;
}

#[tokio::test]
async fn a_person_listed_in_two_villages_is_flagged_to_both_villages_reviewer() {
    each_backend(|app| async move {
        let (_, clerk, reviewer) = setup(&app).await;
        let other = app.user_token("t_clerk2", Role::Clerk, Some(NEIGHBOUR), None).await;
        let person = id("19720105", 4);
        let (status, _) = add(&app, &clerk, VILLAGE, household("韦国强", &person, 4, "B类")).await;
        assert_eq!(status, 201);
        let (status, second) = add(&app, &other, NEIGHBOUR, household("韦国强", &person, 4, "B类")).await;
        assert_eq!(status, 201, "accepted in another village: {second}");
        assert_eq!(second["listed_elsewhere"][0]["village"], VILLAGE, "{second}");
        assert_eq!(second["listed_elsewhere"][0]["village_name"], "吴家坪村村民委员会");

        let (status, flagged) = app.get_as(&reviewer, "/api/v1/registers/REG.DIBAO/duplicates").await;
        assert_eq!(status, 200, "{flagged}");
        assert_eq!(flagged.as_array().unwrap().len(), 1, "{flagged}");
        let villages: Vec<&str> =
            flagged[0]["listings"].as_array().unwrap().iter().map(|l| l["village"].as_str().unwrap()).collect();
        assert_eq!(villages, [VILLAGE, NEIGHBOUR]);
        assert_eq!(flagged[0]["person"], format!("5223**********{}", &person[14..]));
        let far = app.user_token("t_far", Role::Reviewer, Some("522301101"), None).await;
        let (_, none) = app.get_as(&far, "/api/v1/registers/REG.DIBAO/duplicates").await;
        assert_eq!(none, json!([]), "a reviewer of neither village sees nothing");
    })
    .await;
}

#[tokio::test]
async fn personal_data_is_masked_sealed_at_rest_and_revealed_only_with_a_reason() {
    each_backend(|app| async move {
        let (admin, clerk, reviewer) = setup(&app).await;
        let person = id("19630921", 5);
        let (_, created) = add(&app, &clerk, VILLAGE, household("罗桂芬", &person, 2, "B类")).await;
        assert_eq!(created["values"]["id_number"], format!("5223**********{}", &person[14..]), "{created}");
        assert_eq!(created["values"]["head_name"], "罗**");
        assert_eq!(created["masked"], true);

        // Neither the records nor their history hold the ID number in the clear.
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Text {
            #[diesel(sql_type = diesel::sql_types::Text)]
            t: String,
        }
        let stored: Vec<Text> = diesel::sql_query(
            "SELECT plain || sealed || key_hash || coalesce(person_hash, '') AS t FROM register_records \
             UNION ALL SELECT changes AS t FROM register_record_events",
        )
        .load(&mut *app.db.conn().unwrap())
        .unwrap();
        assert!(!stored.is_empty());
        assert!(
            stored.iter().all(|s| !s.t.contains(&person) && !s.t.contains(&person[6..14])),
            "no ID number in the database"
        );

        let (_, by_id) = app.get_as(&clerk, &format!("{RECORDS}?village={VILLAGE}&q={person}")).await;
        assert_eq!(by_id["total"], 1, "found by its ID number through the keyed hash");

        let path = format!("{RECORDS}/{}", created["id"]);
        let (status, body) =
            send(&app, Method::POST, &reviewer, &format!("{path}/reveal"), None, json!({"reason": " "})).await;
        assert_eq!((status.as_u16(), body["details"][0]["field"].as_str()), (422, Some("reason")), "{body}");
        let (status, full) =
            send(&app, Method::POST, &reviewer, &format!("{path}/reveal"), None, json!({"reason": "核对低保金发放"}))
                .await;
        assert_eq!(status, 200, "{full}");
        assert_eq!(
            (full["values"]["id_number"].as_str(), full["masked"].as_bool()),
            (Some(person.as_str()), Some(false))
        );
        let (_, history) = app.get_as(&clerk, &format!("{path}/history")).await;
        let last = history.as_array().unwrap().last().unwrap().clone();
        assert_eq!(
            (last["action"].as_str(), last["actor"].as_str(), last["reason"].as_str()),
            (Some("reveal"), Some("t_reviewer"), Some("核对低保金发放"))
        );

        let department = app.user_token("t_dept", Role::Department, Some("5223"), Some("民政局")).await;
        for token in [&admin, &department] {
            let (status, body) = app.get_as(token, &format!("{RECORDS}?village={VILLAGE}")).await;
            assert_eq!(status, 403, "{body}");
            let (status, _) =
                send(&app, Method::POST, token, &format!("{path}/reveal"), None, json!({"reason": "看看"})).await;
            assert_eq!(status, 403);
        }
        let far = app.user_token("t_far_clerk", Role::Clerk, Some(NEIGHBOUR), None).await;
        let (status, _) = app.get_as(&far, &path).await;
        assert_eq!(status, 404, "another village's clerk learns nothing");
    })
    .await;
}

#[tokio::test]
async fn a_submitted_form_is_never_rewritten_its_reviewer_confirms_the_change() {
    each_backend(|app| async move {
        let (_, clerk, reviewer) = setup(&app).await;
        let month = due_month();
        app.seed_entry(VILLAGE, &month, "submitted", &[("SOC.DIBAO_HOUSEHOLDS", "5")]);
        let (status, _) = add(&app, &clerk, VILLAGE, household("黄正文", &id("19800614", 6), 5, "B类")).await;
        assert_eq!(status, 201);
        assert_eq!(entry_value(&app, &clerk, VILLAGE, "SOC.DIBAO_HOUSEHOLDS").await.0, json!(5), "not rewritten");
        let (_, entry) = app.get_as(&reviewer, &format!("/api/v1/entries/{VILLAGE}/{month}")).await;
        let change = entry["register_values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["indicator"] == "SOC.DIBAO_HOUSEHOLDS")
            .unwrap()
            .clone();
        assert_eq!(
            (change["value"].as_str(), change["stored"].as_str(), change["to_confirm"].as_bool()),
            (Some("1"), Some("5"), Some(true))
        );
        let revision = entry["revision"].as_i64().unwrap();
        let url = format!("/api/v1/entries/{VILLAGE}/{month}/register-confirm");
        let (status, _) = send(&app, Method::POST, &clerk, &url, Some(revision), json!({})).await;
        assert_eq!(status, 403, "the clerk cannot confirm its own change");
        let (status, confirmed) = send(&app, Method::POST, &reviewer, &url, Some(revision), json!({})).await;
        assert_eq!(status, 200, "{confirmed}");
        assert_eq!(confirmed["status"], "submitted");
        assert_eq!(entry_value(&app, &clerk, VILLAGE, "SOC.DIBAO_HOUSEHOLDS").await, (json!(1), json!("register")));
        let (status, body) = send(&app, Method::POST, &reviewer, &url, Some(revision + 1), json!({})).await;
        assert_eq!((status.as_u16(), body["error"].as_str()), (409, Some("nothing_to_confirm")), "{body}");
    })
    .await;
}

#[tokio::test]
async fn the_village_exports_a_persons_own_data_on_request() {
    each_backend(|app| async move {
        let (_, clerk, reviewer) = setup(&app).await;
        let person = id("19720105", 7);
        let (_, created) = add(&app, &clerk, VILLAGE, household("韦国强", &person, 4, "B类")).await;
        let path = format!("{RECORDS}/{}/export", created["id"]);
        let (status, _) = send(&app, Method::POST, &reviewer, &path, None, json!({"reason": "本人申请查阅"})).await;
        assert_eq!(status, 403, "the village keeps the list; its clerk exports");
        let (status, body) = send(&app, Method::POST, &clerk, &path, None, json!({"reason": ""})).await;
        assert_eq!((status.as_u16(), body["details"][0]["field"].as_str()), (422, Some("reason")), "{body}");
        let (status, exported) = send(&app, Method::POST, &clerk, &path, None, json!({"reason": "本人申请查阅"})).await;
        assert_eq!(status, 200, "{exported}");
        let id_value =
            exported["values"].as_array().unwrap().iter().find(|v| v["column"] == "id_number").unwrap().clone();
        assert_eq!(
            (id_value["name"].as_str(), id_value["value"].as_str()),
            (Some("户主身份证号"), Some(person.as_str())),
            "in full"
        );
        assert_eq!(exported["history"][0]["action"], "create");
        let (_, history) = app.get_as(&clerk, &format!("{RECORDS}/{}/history", created["id"])).await;
        assert_eq!(history.as_array().unwrap().last().unwrap()["action"], "export", "{history}");
    })
    .await;
}

#[tokio::test]
async fn a_township_sees_its_villages_counts_per_group() {
    each_backend(|app| async move {
        let (_, clerk, reviewer) = setup(&app).await;
        let other = app.user_token("t_clerk2", Role::Clerk, Some(NEIGHBOUR), None).await;
        for (token, village, n, group) in [
            (&clerk, VILLAGE, 1, "第一组"),
            (&clerk, VILLAGE, 2, "第一组"),
            (&clerk, VILLAGE, 3, "第二组"),
            (&other, NEIGHBOUR, 4, ""),
        ] {
            let body =
                json!({"values": {"head_name": "户主", "id_number": id("19600101", n), "members": 1}, "group": group});
            let (status, saved) = add(&app, token, village, body).await;
            assert_eq!(status, 201, "{saved}");
        }
        let (status, groups) = app.get_as(&reviewer, "/api/v1/registers/REG.DIBAO/groups").await;
        assert_eq!(status, 200, "{groups}");
        let rows: Vec<(String, Option<String>, i64)> = groups
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["village"].as_str().unwrap().to_owned(),
                    g["group"].as_str().map(str::to_owned),
                    g["open"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (VILLAGE.to_owned(), Some("第一组".to_owned()), 2),
                (VILLAGE.to_owned(), Some("第二组".to_owned()), 1),
                (NEIGHBOUR.to_owned(), None, 1),
            ]
        );
        let (status, _) = app.get_as(&clerk, "/api/v1/registers/REG.DIBAO/groups?within=522301100").await;
        assert_eq!(status, 404, "a clerk's scope is its village");
    })
    .await;
}
