//! Report templates: a department's own form saved from its analysis and, under an approved data
//! request, filled in for every village in scope — values back in the form's units, derived
//! columns computed, blank where nothing is approved yet, 小计 rows per township.

use calamine::{Data, Reader, Xlsx};
use onetable_core::Role;
use onetable_tests::labelled_forms;
use onetable_tests::{each_backend, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const TOWNSHIP: &str = "522301100000";

/// The template body the page sends: the analysis as it came.
fn template_of(analysis: &Value, rows: &str) -> Value {
    let labels: Vec<Value> = analysis["label_columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| json!({"column": l["column"], "kind": l["kind"]}))
        .collect();
    let columns: Vec<Value> = analysis["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| json!({"column": c["column"], "header": c["header"], "code": c["matched"]["code"], "unit": c["unit"]}))
        .collect();
    json!({"name": analysis["title"], "rows": rows, "title_rows": analysis["title_rows"], "note_rows": analysis["note_rows"],
        "header_cells": analysis["header_cells"], "header_merges": analysis["header_merges"],
        "label_columns": labels, "columns": columns})
}

async fn approved_request(app: &TestApp, department: &str, admin: &str, indicators: &Value) -> i64 {
    let body = json!({"title": "原表自动填报", "purpose": "年度统计", "indicators": indicators, "region": TOWNSHIP,
        "periods": ["2025"], "expires_at": "2099-12-31"});
    let (status, filed) = app.send_json(Method::POST, department, "/api/v1/data-requests", &body).await;
    assert_eq!(status, 201, "{filed}");
    let id = filed["id"].as_i64().unwrap();
    let (status, _) =
        app.send_json(Method::POST, admin, &format!("/api/v1/data-requests/{id}/approve"), &json!({})).await;
    assert_eq!(status, 200);
    id
}

async fn download(app: &TestApp, token: &str, path: &str) -> (u16, Vec<u8>) {
    let response = app.client.get(app.url(path)).bearer_auth(token).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.bytes().await.unwrap().to_vec())
}

fn sheet(bytes: Vec<u8>) -> calamine::Range<Data> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let first = book.sheet_names()[0].clone();
    book.worksheet_range(&first).unwrap()
}

fn text(range: &calamine::Range<Data>, row: usize, col: usize) -> String {
    range.get((row, col)).map(ToString::to_string).unwrap_or_default()
}

async fn villages(app: &TestApp, token: &str) -> Vec<(String, String)> {
    let (_, page) = app.get_as(token, &format!("/api/v1/regions?within={TOWNSHIP}&level=village&limit=500")).await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["code"].as_str().unwrap().to_owned(), r["name"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test]
async fn a_saved_template_comes_back_filled_for_every_village_in_the_forms_units() {
    each_backend(|app| async move {
        app.load_catalogue();
        let department = app.user_token("nn_dept", Role::Department, Some("5223"), Some("农业农村局")).await;
        let admin = app.user_token("zhou_admin", Role::Admin, Some("5223"), None).await;
        let analysis = labelled_forms::analyzed(&app, &department, "02-").await;
        let (status, template) = app
            .send_json(Method::POST, &department, "/api/v1/report-templates", &template_of(&analysis, "village"))
            .await;
        assert_eq!(status, 201, "{template}");
        assert_eq!(template["indicators"], analysis["indicators"]);
        assert_eq!(template["columns"][0]["factor"], 0.0001, "元 in the form, 万元 in the registry");
        let id = template["id"].as_i64().unwrap();
        let (_, listed) = app.get_as(&department, "/api/v1/report-templates").await;
        assert_eq!(listed.as_array().unwrap().len(), 1);

        let all = villages(&app, &department).await;
        let (first, second) = (&all[0], &all[1]);
        app.seed_entry(
            &first.0,
            "2025",
            "approved",
            &[("ECO.COLLECTIVE_TOTAL_INCOME", "35.6"), ("ECO.COLLECTIVE_TOTAL_EXPENSE", "21")],
        );
        app.seed_entry(&second.0, "2025", "submitted", &[("ECO.COLLECTIVE_TOTAL_INCOME", "10")]);

        // Without a request granting every indicator of the template, nothing is filled.
        let partial = approved_request(&app, &department, &admin, &json!(["ECO.COLLECTIVE_TOTAL_INCOME"])).await;
        let (status, body) =
            download(&app, &department, &format!("/api/v1/report-templates/{id}/filled?request={partial}&period=2025"))
                .await;
        assert_eq!(status, 403, "{}", String::from_utf8_lossy(&body));
        assert!(String::from_utf8_lossy(&body).contains("indicator_not_granted"));

        let request = approved_request(&app, &department, &admin, &template["indicators"]).await;
        let path = format!("/api/v1/report-templates/{id}/filled?request={request}&period=2025");
        let (status, bytes) = download(&app, &department, &path).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
        let range = sheet(bytes);
        assert_eq!(text(&range, 0, 0), "村集体经济组织收益分配统计表");
        // Title rows, the 单位 note, then the two header rows as written.
        let header = (0..range.height()).find(|&r| text(&range, r, 0) == "村名").unwrap();
        assert_eq!(
            (text(&range, header, 1), text(&range, header + 1, 1), text(&range, header + 1, 2)),
            ("总收入".into(), "合计".into(), "经营收入".into())
        );
        let rows: Vec<usize> =
            (header + 2..range.height()).filter(|&r| all.iter().any(|(_, n)| *n == text(&range, r, 0))).collect();
        assert_eq!(rows.len(), all.len(), "a row for every village in the request's region");
        let row_of = |name: &str| rows.iter().copied().find(|&r| text(&range, r, 0) == name).unwrap();
        let r = row_of(&first.1);
        assert_eq!(range.get((r, 1)), Some(&Data::Float(356_000.0)), "万元 back to the form's 元");
        assert_eq!(range.get((r, 7)), Some(&Data::Float(210_000.0)));
        assert_eq!(range.get((r, 8)), Some(&Data::Float(146_000.0)), "本年收益, derived, computed");
        assert_eq!(text(&range, r, 2), "", "blank where the registry has no value");
        let r = row_of(&second.1);
        assert!((1..11).all(|c| text(&range, r, c).is_empty()), "a submitted, unapproved entry is not shown");
        let footer = text(&range, range.height() - 1, 0);
        assert!(footer.contains(&format!("数据需求 #{request}")), "{footer}");

        let (status, csv) = download(&app, &department, &format!("{path}&format=csv")).await;
        assert_eq!(status, 200);
        assert!(String::from_utf8(csv).unwrap().contains(&format!("{},356000,", first.1)));

        // The village sees who used its data.
        let clerk = app.user_token("clerk", Role::Clerk, Some(&first.0), None).await;
        let (_, usage) = app.get_as(&clerk, &format!("/api/v1/regions/{}/usage", first.0)).await;
        assert!(usage.to_string().contains("农业农村局"), "{usage}");

        // Another department does not see the template.
        let other = app.user_token("ws_dept", Role::Department, Some("5223"), Some("卫健委")).await;
        assert_eq!(download(&app, &other, &path).await.0, 404);
        assert_eq!(app.get_as(&other, "/api/v1/report-templates").await.1, json!([]));
        assert_eq!(
            app.send_json(Method::DELETE, &other, &format!("/api/v1/report-templates/{id}"), &json!({})).await.0,
            404
        );
    })
    .await;
}

#[tokio::test]
async fn township_columns_get_a_subtotal_row_and_bad_templates_are_refused() {
    each_backend(|app| async move {
        app.load_catalogue();
        let department = app.user_token("tj_dept", Role::Department, Some("5223"), Some("统计局")).await;
        let admin = app.user_token("zhou_admin", Role::Admin, Some("5223"), None).await;
        let analysis = labelled_forms::analyzed(&app, &department, "01-").await;
        let mut body = template_of(&analysis, "village");

        // Refused with a detail each, nothing stored.
        body["columns"][0]["code"] = json!("NO.SUCH");
        body["columns"][2]["unit"] = json!("亩");
        let (status, refused) = app.send_json(Method::POST, &department, "/api/v1/report-templates", &body).await;
        assert_eq!(status, 422, "{refused}");
        let fields: Vec<&str> =
            refused["details"].as_array().unwrap().iter().filter_map(|d| d["field"].as_str()).collect();
        assert_eq!(fields, vec!["columns[0].code", "columns[2].unit"], "{refused}");
        assert_eq!(app.get_as(&department, "/api/v1/report-templates").await.1, json!([]));
        assert_eq!(app.send_json(Method::POST, &admin, "/api/v1/report-templates", &body).await.0, 403);

        let (status, template) = app
            .send_json(Method::POST, &department, "/api/v1/report-templates", &template_of(&analysis, "village"))
            .await;
        assert_eq!(status, 201, "{template}");
        let all = villages(&app, &department).await;
        app.seed_entry(&all[0].0, "2025", "approved", &[("POP.HOUSEHOLDS", "420")]);
        app.seed_entry(&all[1].0, "2025", "approved", &[("POP.HOUSEHOLDS", "310")]);
        let request = approved_request(&app, &department, &admin, &template["indicators"]).await;
        let id = template["id"].as_i64().unwrap();
        let (status, bytes) =
            download(&app, &department, &format!("/api/v1/report-templates/{id}/filled?request={request}&period=2025"))
                .await;
        assert_eq!(status, 200);
        let range = sheet(bytes);
        let households =
            analysis["columns"].as_array().unwrap().iter().position(|c| c["header"] == "总户数（户）").unwrap();
        let col = 3 + households;
        let subtotal = (0..range.height()).find(|&r| text(&range, r, 2) == "小计").unwrap();
        assert!(text(&range, subtotal, 1).ends_with("小计"));
        assert_eq!(range.get((subtotal, col)), Some(&Data::Float(730.0)), "the township's rollup");
        let first = (0..range.height()).find(|&r| text(&range, r, 2) == all[0].1).unwrap();
        assert_eq!((text(&range, first, 0), range.get((first, col))), ("1".to_owned(), Some(&Data::Float(420.0))));
    })
    .await;
}

/// A quarterly form with a merged two-row header (外出务工人数 over 合计 / 省外 / 省内县外) came
/// back with its sub-columns blank (issue 27): they are quarterly indicators and the fill read one
/// period. Now each column is read in its own frequency — the quarter's values, and the annual
/// ones (劳动力人数) of the quarter's year — numbers are written with the form's own
/// decimals (or the indicator's), and a village name that repeats in scope names its township.
#[tokio::test]
async fn a_quarterly_form_is_filled_in_every_column_rounded_as_the_form_writes_it() {
    each_backend(|app| async move {
        app.load_catalogue();
        let department = app.user_token("rs_dept", Role::Department, Some("5223"), Some("人社局")).await;
        let admin = app.user_token("zhou_admin", Role::Admin, Some("5223"), None).await;
        let analysis = labelled_forms::analyzed(&app, &department, "07-").await;
        let codes = [
            ("劳动力人数", "LAB.LABOUR_FORCE"),
            ("外出务工人数 / 合计", "LAB.MIGRANT_WORKERS"),
            ("外出务工人数 / 省外", "LAB.MIGRANT_OUT_OF_PROVINCE"),
            ("外出务工人数 / 省内县外", "LAB.MIGRANT_IN_PROVINCE"),
            ("县内就业人数", "LAB.LOCAL_EMPLOYED"),
            ("接受技能培训人数", "LAB.SKILL_TRAINED"),
        ];
        let mut body = template_of(&analysis, "village");
        for column in body["columns"].as_array_mut().unwrap() {
            let header = column["header"].as_str().unwrap().to_owned();
            column["code"] = json!(codes.iter().find(|(h, _)| *h == header).map(|(_, c)| *c));
        }
        assert!(body["columns"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["decimals"] == json!(0) || c["decimals"].is_null()));
        let (status, template) = app.send_json(Method::POST, &department, "/api/v1/report-templates", &body).await;
        assert_eq!(status, 201, "{template}");
        let request = json!({"title": "三季度劳动力转移", "purpose": "就业统计", "indicators": template["indicators"],
            "region": "522301", "periods": ["2025Q3"], "expires_at": "2099-12-31"});
        let (status, filed) = app.send_json(Method::POST, &department, "/api/v1/data-requests", &request).await;
        assert_eq!(status, 201, "{filed}");
        let request = filed["id"].as_i64().unwrap();
        app.send_json(Method::POST, &admin, &format!("/api/v1/data-requests/{request}/approve"), &json!({})).await;
        let village = "522301100200";
        app.seed_entry(
            village,
            "2025Q3",
            "approved",
            &[
                ("LAB.MIGRANT_WORKERS", "410"),
                ("LAB.MIGRANT_OUT_OF_PROVINCE", "260"),
                ("LAB.MIGRANT_IN_PROVINCE", "150"),
                ("LAB.LOCAL_EMPLOYED", "190"),
            ],
        );
        app.seed_entry(village, "2025", "approved", &[("LAB.LABOUR_FORCE", "820"), ("LAB.SKILL_TRAINED", "35")]);
        let id = template["id"].as_i64().unwrap();
        let (status, bytes) = download(
            &app,
            &department,
            &format!("/api/v1/report-templates/{id}/filled?request={request}&period=2025Q3"),
        )
        .await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
        let range = sheet(bytes);
        let row = (0..range.height()).find(|&r| text(&range, r, 1) == "吴家坪村村民委员会").expect("the village's row");
        let values: Vec<String> = (2..8).map(|c| text(&range, row, c)).collect();
        assert_eq!(
            values,
            ["820", "410", "260", "150", "190", "35"],
            "every column, the merged header's sub-columns too"
        );
        let repeated = (0..range.height()).filter(|&r| text(&range, r, 1).starts_with("平寨村村民委员会（")).count();
        assert_eq!(repeated, 3, "a name that repeats in 兴义市 names its township");
        let footer = (0..range.height()).map(|r| text(&range, r, 0)).collect::<Vec<_>>().join("\n");
        assert!(footer.contains("所在的 2025 期"), "the footer says the annual columns are 2025's: {footer}");

        // Written as the indicator is: 人 in 万人 with two decimals, a rate with its scale.
        let rounded = json!({"name": "人口（万人）", "header_cells": [["村名", "户籍人口（万人）", "老龄化率（%）"]],
            "label_columns": [{"column": "A", "kind": "village"}],
            "columns": [{"column": "B", "header": "户籍人口（万人）", "code": "POP.REGISTERED", "unit": "万人"},
                        {"column": "C", "header": "老龄化率（%）", "code": "DER.AGEING_RATE", "unit": "%"}]});
        let (status, saved) = app.send_json(Method::POST, &department, "/api/v1/report-templates", &rounded).await;
        assert_eq!(status, 201, "{saved}");
        app.seed_entry(
            village,
            "2025",
            "approved",
            &[("LAB.LABOUR_FORCE", "820"), ("POP.REGISTERED", "1234"), ("POP.AGED_60", "331")],
        );
        let annual = json!({"title": "人口", "purpose": "统计", "indicators": ["POP.REGISTERED", "DER.AGEING_RATE"],
            "region": "522301", "periods": ["2025"], "expires_at": "2099-12-31"});
        let (_, filed) = app.send_json(Method::POST, &department, "/api/v1/data-requests", &annual).await;
        let annual = filed["id"].as_i64().unwrap();
        app.send_json(Method::POST, &admin, &format!("/api/v1/data-requests/{annual}/approve"), &json!({})).await;
        let (status, bytes) = download(
            &app,
            &department,
            &format!("/api/v1/report-templates/{}/filled?request={annual}&period=2025", saved["id"]),
        )
        .await;
        assert_eq!(status, 200);
        let range = sheet(bytes);
        let row = (0..range.height()).find(|&r| text(&range, r, 0) == "吴家坪村村民委员会").unwrap();
        assert_eq!(range.get((row, 1)), Some(&Data::Float(0.12)), "1234 人 = 0.12 万人");
        assert_eq!(range.get((row, 2)), Some(&Data::Float(26.82)), "331 / 1234 = 26.82 %, not 26.823339");
    })
    .await;
}

/// A form with a 县区 column (as provincial ledgers carry) gets each village's county there.
#[tokio::test]
async fn a_county_column_is_filled_with_each_villages_county() {
    let app = TestApp::spawn(onetable_store::Backend::Sqlite).await;
    app.load_catalogue();
    let department = app.user_token("gd_dept", Role::Department, Some("5223"), Some("民政局")).await;
    let admin = app.user_token("zhou_admin", Role::Admin, Some("5223"), None).await;
    let csv = "户籍人口统计表,,\n县区,村名,户籍人口\n兴义市,纳晓村,1200\n".as_bytes().to_vec();
    let (status, analysis) = app.post_file(&department, "/api/v1/forms/analyze", "text/csv", csv).await;
    assert_eq!(status, 200, "{analysis}");
    assert_eq!(analysis["label_columns"][0]["kind"], "county");
    let (status, template) =
        app.send_json(Method::POST, &department, "/api/v1/report-templates", &template_of(&analysis, "village")).await;
    assert_eq!(status, 201, "{template}");
    let request = approved_request(&app, &department, &admin, &json!(["POP.REGISTERED"])).await;
    let id = template["id"].as_i64().unwrap();
    let path = format!("/api/v1/report-templates/{id}/filled?request={request}&period=2025");
    let (status, bytes) = download(&app, &department, &path).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    let range = sheet(bytes);
    let all = villages(&app, &department).await;
    let row = (0..range.height()).find(|&r| text(&range, r, 1) == all[0].1).expect("the first village's row");
    let (_, county) = app.get_as(&department, "/api/v1/regions/522301000000").await;
    assert_eq!(text(&range, row, 0), county["name"].as_str().unwrap(), "the county's name, not blank");
}
