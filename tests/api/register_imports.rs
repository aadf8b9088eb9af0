//! Importing the village's own Excel list into its register: the header found below a title and
//! matched by name, every row checked, all or nothing, safe to retry; the counts follow.

use onetable_analytics::render::{to_xlsx, Cell, Table};
use onetable_core::indicator::Frequency;
use onetable_core::Role;
use onetable_tests::{each_backend, TestApp};

use super::registers::id;
use serde_json::{json, Value};

const VILLAGE: &str = "522301100200";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The list as a village keeps it: a title row, 序号, 组别 and 备注 besides the register's columns.
pub(super) fn village_list(rows: &[(&str, String, u32, &str)]) -> Vec<u8> {
    let header = ["序号", "户主姓名", "身份证号码", "保障人数", "保障类别", "组别", "备注"];
    let mut data = vec![header.iter().map(|h| Cell::from(*h)).collect::<Vec<_>>()];
    for (i, (name, id_number, members, kind)) in rows.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        data.push(vec![
            Cell::Number((i + 1) as f64),
            (*name).into(),
            id_number.as_str().into(),
            Cell::Number(f64::from(*members)),
            (*kind).into(),
            "第二组".into(),
            Cell::Empty,
        ]);
    }
    let table = Table { headers: vec!["吴家坪村农村低保户花名册".into()], rows: data };
    to_xlsx(&[("花名册", &table)]).unwrap()
}

async fn import(app: &TestApp, token: &str, query: &str, bytes: Vec<u8>, key: Option<&str>) -> (u16, Value, bool) {
    let mut request = app
        .client
        .post(app.url(&format!("/api/v1/registers/REG.DIBAO/imports?village={VILLAGE}{query}")))
        .bearer_auth(token)
        .header("content-type", XLSX)
        .body(bytes);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.unwrap();
    let replayed = response.headers().contains_key("idempotent-replayed");
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null), replayed)
}

async fn setup(app: &TestApp) -> String {
    app.load_catalogue();
    let admin = app.user_token("t_admin", Role::Admin, None, None).await;
    super::registers::link_dibao(app, &admin).await;
    app.user_token("t_clerk", Role::Clerk, Some(VILLAGE), None).await
}

async fn counts(app: &TestApp, token: &str) -> (Value, Value) {
    let month =
        onetable_app::registers::derived::open_periods(Frequency::Monthly, onetable_app::time::china_today())[0];
    let (_, entry) = app.get_as(token, &format!("/api/v1/entries/{VILLAGE}/{month}")).await;
    let value = |code: &str| {
        entry["values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == code)
            .map_or(Value::Null, |c| c["value"].clone())
    };
    (value("SOC.DIBAO_HOUSEHOLDS"), value("SOC.DIBAO_PERSONS"))
}

#[tokio::test]
async fn the_village_list_is_imported_and_the_form_counts_fill_themselves() {
    each_backend(|app| async move {
        let clerk = setup(&app).await;
        let rows = [
            ("王德明", id("19580312", 1), 3, "A类"),
            ("杨秀英", id("19490817", 2), 1, "A类"),
            ("韦国强", id("19720105", 3), 4, "B类"),
        ];
        let (status, report, _) = import(&app, &clerk, "&dry_run=true", village_list(&rows), None).await;
        assert_eq!(status, 200, "{report}");
        assert_eq!((report["inserted"].as_u64(), report["dry_run"].as_bool()), (Some(3), Some(true)), "{report}");
        let columns: Vec<&str> =
            report["matched"].as_array().unwrap().iter().map(|m| m["column"].as_str().unwrap()).collect();
        assert_eq!(columns, ["head_name", "id_number", "members", "kind", "@group"], "{report}");
        assert_eq!(report["ignored"], json!(["序号", "备注"]));
        assert_eq!(counts(&app, &clerk).await, (Value::Null, Value::Null), "a dry run writes nothing");

        // One file, sent twice: an XLSX written again carries a new creation time, and the same
        // key with other bytes is refused (422), not replayed.
        let file = village_list(&rows);
        let (status, report, _) = import(&app, &clerk, "", file.clone(), Some("list-1")).await;
        assert_eq!((status, report["inserted"].as_u64()), (200, Some(3)), "{report}");
        assert_eq!(counts(&app, &clerk).await, (json!(3), json!(8)));
        let (status, again, replayed) = import(&app, &clerk, "", file, Some("list-1")).await;
        assert_eq!((status, replayed, again["inserted"].as_u64()), (200, true, Some(3)), "the retry replays");

        let mut changed = rows.clone();
        changed[2].2 = 5;
        let (status, report, _) = import(&app, &clerk, "", village_list(&changed), None).await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(
            (report["inserted"].as_u64(), report["updated"].as_u64(), report["unchanged"].as_u64()),
            (Some(0), Some(1), Some(2))
        );
        assert_eq!(counts(&app, &clerk).await, (json!(3), json!(9)));
        let (_, list) =
            app.get_as(&clerk, &format!("/api/v1/registers/REG.DIBAO/records?village={VILLAGE}&group=第二组")).await;
        assert_eq!(list["total"], 3, "{list}");
    })
    .await;
}

#[tokio::test]
async fn a_bad_row_names_its_row_and_column_and_nothing_is_imported() {
    each_backend(|app| async move {
        let clerk = setup(&app).await;
        let mut bad = id("19630921", 4);
        let last = bad.pop().unwrap();
        bad.push(if last == '1' { '2' } else { '1' });
        let rows = [
            ("罗桂芬", id("19630921", 5), 2, "B类"),
            ("黄正文", bad, 0, "D类"),
            ("罗桂芬", id("19630921", 5), 2, "B类"),
        ];
        let (status, body, _) = import(&app, &clerk, "", village_list(&rows), None).await;
        assert_eq!((status, body["error"].as_str()), (422, Some("import_rejected")), "{body}");
        let fields: Vec<&str> =
            body["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
        assert_eq!(
            fields,
            ["第 4 行 户主身份证号", "第 4 行 保障类别", "第 4 行 保障人数", "第 5 行 户主身份证号"],
            "{body}"
        );
        assert!(body["details"][3]["message"].as_str().unwrap().contains("与第 3 行相同"), "{body}");
        let (_, list) =
            app.get_as(&clerk, &format!("/api/v1/registers/REG.DIBAO/records?village={VILLAGE}&status=all")).await;
        assert_eq!(list["total"], 0, "nothing imported");

        let (status, body, _) = import(
            &app,
            &clerk,
            "",
            to_xlsx(&[("x", &Table { headers: vec!["甲".into(), "乙".into()], rows: vec![] })]).unwrap(),
            None,
        )
        .await;
        assert_eq!((status, body["error"].as_str()), (422, Some("header_not_found")), "{body}");
        let reviewer = app.user_token("t_reviewer", Role::Reviewer, Some("522301100"), None).await;
        let (status, _, _) = import(&app, &reviewer, "", village_list(&rows[..1]), None).await;
        assert_eq!(status, 403, "reviewers read the list; the clerk keeps it");
    })
    .await;
}
