//! `GET /api/v1/aggregates` in CSV and XLSX carries exactly the JSON answer, at every level, with
//! suppressed (`<5`) and withheld cells (issue 27): at village level the CSV answered 500 (a row
//! of seven fields under a header of six) and the XLSX put 乡镇/县区 over the completeness, so
//! that 老龄化率 read 1970.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use onetable_core::Role;
use onetable_tests::{each_backend, TestApp};
use serde_json::Value;

const INDICATORS: &str = "POP.REGISTERED,DER.AGEING_RATE,INFRA.BROADBAND,POP.DISABLED";

fn seed(app: &TestApp) {
    app.load_catalogue();
    let rows = [
        ("522301100200", "approved", "1000", "100", "true", "3"),
        ("522301100201", "approved", "3000", "900", "false", "0"),
        ("522301101200", "submitted", "2000", "300", "true", "7"),
    ];
    for (village, status, registered, aged, broadband, disabled) in rows {
        app.seed_entry(
            village,
            "2025",
            status,
            &[
                ("POP.REGISTERED", registered),
                ("POP.AGED_60", aged),
                ("INFRA.BROADBAND", broadband),
                ("POP.DISABLED", disabled),
            ],
        );
    }
}

/// A cell of an export as the JSON would write it: a number, `<5`, `是`/`否`, or empty for null.
fn as_json_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(true) => "是".to_owned(),
        Value::Bool(false) => "否".to_owned(),
        Value::Number(n) => format!("{}", n.as_f64().unwrap()),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A CSV or XLSX cell as text, numbers as the JSON's `f64` writes them.
fn cell_text(cell: &str) -> String {
    cell.parse::<f64>().map_or_else(|_| cell.to_owned(), |n| format!("{n}"))
}

/// The rows of a CSV or XLSX export, header first, as text.
async fn export(app: &TestApp, token: &str, path: &str, format: &str) -> Vec<Vec<String>> {
    let response = app.client.get(app.url(&format!("{path}&format={format}"))).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 200, "{format} {path}: {}", response.text().await.unwrap_or_default());
    let bytes = response.bytes().await.unwrap().to_vec();
    if format == "csv" {
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
        return reader.records().map(|r| r.unwrap().iter().map(cell_text).collect()).collect();
    }
    let mut book = Xlsx::new(Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("2025").unwrap();
    sheet
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Float(f) => format!("{f}"),
                    Data::Int(i) => format!("{}", *i as f64),
                    Data::Empty => String::new(),
                    other => cell_text(&other.to_string()),
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn every_level_and_format_carries_the_json_answer() {
    each_backend(|app| async move {
        seed(&app);
        let admin = app.user_token("exp_admin", Role::Admin, Some("5223"), None).await;
        let viewer = app.user_token("exp_viewer", Role::Viewer, Some("5223"), None).await;
        for (who, token) in [("admin", &admin), ("viewer", &viewer)] {
            for (within, level) in [("5223", "county"), ("522301", "township"), ("522301100", "village")] {
                let path =
                    format!("/api/v1/aggregates?indicators={INDICATORS}&within={within}&level={level}&period=2025");
                let (status, json) = app.get_as(token, &path).await;
                assert_eq!(status, 200, "{json}");
                let shown: Vec<&Value> = json["indicators"].as_array().unwrap().iter().collect();
                if who == "viewer" && level != "county" {
                    assert_eq!(json["withheld"], serde_json::json!(["POP.DISABLED"]), "{level}");
                }
                for format in ["csv", "xlsx"] {
                    let table = export(&app, token, &path, format).await;
                    let (header, rows) = table.split_first().unwrap();
                    assert_eq!(header.len(), 5 + shown.len(), "{who} {level} {format}: {header:?}");
                    assert_eq!(
                        &header[..5],
                        &[
                            "区划代码",
                            if level == "village" { "村名称" } else { "名称" },
                            "应报村数",
                            "待审核",
                            "已审核"
                        ]
                    );
                    for (i, indicator) in shown.iter().enumerate() {
                        let name = indicator["name"].as_str().unwrap();
                        assert!(header[5 + i].starts_with(name), "{level} {format}: {header:?}");
                    }
                    let expected = json["rows"].as_array().unwrap();
                    assert_eq!(rows.len(), expected.len(), "{who} {level} {format}");
                    for (row, want) in rows.iter().zip(expected) {
                        assert_eq!(row.len(), header.len(), "{level} {format}: {row:?}");
                        assert_eq!(row[0], cell_text(want["code"].as_str().unwrap()));
                        assert_eq!(row[1], want["name"].as_str().unwrap());
                        let c = &want["completeness"];
                        let counts = [&c["expected"], &c["submitted"], &c["approved"]].map(as_json_text);
                        assert_eq!(&row[2..5], &counts, "{level} {format} {}", want["code"]);
                        for (i, indicator) in shown.iter().enumerate() {
                            let code = indicator["code"].as_str().unwrap();
                            assert_eq!(
                                row[5 + i],
                                as_json_text(&want["values"][code]),
                                "{who} {level} {format} {code} {}",
                                want["code"]
                            );
                        }
                    }
                }
            }
        }
        // The village the admin sees with data: its ageing rate is a rate, not a year.
        let path = format!("/api/v1/aggregates?indicators={INDICATORS}&within=522301100&level=village&period=2025");
        let (_, json) = app.get_as(&admin, &path).await;
        let village = json["rows"].as_array().unwrap().iter().find(|r| r["code"] == "522301100200").unwrap();
        assert_eq!(village["values"]["DER.AGEING_RATE"], 10);
        let (_, viewed) = app.get_as(&viewer, &path).await;
        assert!(viewed["rows"][0]["values"].get("POP.DISABLED").is_none(), "withheld below county: {viewed}");
    })
    .await;
}
