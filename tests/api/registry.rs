//! The indicator registry, rules, the form and the catalogue.

use calamine::{Data, Reader, Xlsx};
use onetable_core::Role;
use onetable_store::cells::{insert_value, DataValueRow};
use onetable_tests::{each_backend, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

fn new_indicator(code: &str, name: &str) -> Value {
    json!({
        "code": code, "name": name, "unit": "人", "value_type": "integer", "min": 0, "max": 10000,
        "category": "人口", "frequency": "annual", "aggregation": "sum", "owner_department": "民政局"
    })
}

async fn admin(app: &TestApp) -> String {
    app.user_token("t_admin", Role::Admin, Some("5223"), None).await
}

/// A stored value for the "has data" case (the data-entry service will write these).
fn store_value(app: &TestApp, code: &str) {
    let row = DataValueRow {
        region_code: "522301100200".into(),
        indicator_code: code.into(),
        period: "2025".into(),
        value: "12".into(),
        source: "entry".into(),
        revision: 1,
        entered_by: "t".into(),
        entered_at: chrono::Utc::now().naive_utc(),
    };
    insert_value(&mut app.db.conn().unwrap(), &row).unwrap();
}

#[tokio::test]
async fn the_catalogue_loads_cleanly_twice() {
    each_backend(|app| async move {
        let first = app.load_catalogue();
        assert_eq!((first.indicators_created, first.rules_saved), (98, 15));
        let second = app.load_catalogue();
        assert_eq!((second.indicators_created, second.indicators_updated, second.indicators_unchanged), (0, 0, 98));
        assert_eq!((second.rules_saved, second.rules_unchanged), (0, 15));
        let (_, list) = app.get_json("/api/v1/indicators").await;
        assert_eq!(list["total"], 98);
        assert!(list["items"].as_array().unwrap().iter().all(|i| i["version"] == 1), "a reload writes no versions");
    })
    .await;
}

#[tokio::test]
async fn the_form_of_a_period_lists_exactly_the_indicators_of_its_frequency() {
    each_backend(|app| async move {
        app.load_catalogue();
        let csv =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/catalogue/indicators.csv")).unwrap();
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        for (period, frequency) in [("2025", "annual"), ("2025Q3", "quarterly"), ("2025-09", "monthly")] {
            let mut expected: Vec<String> =
                rows.iter().filter(|r| &r[6] == frequency).map(|r| r[0].to_owned()).collect();
            let (status, form) = app.get_json(&format!("/api/v1/form?period={period}")).await;
            assert_eq!(status, 200);
            assert_eq!(form["frequency"], frequency);
            let mut got: Vec<String> = form["sections"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|s| s["fields"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_owned()))
                .collect();
            expected.sort();
            got.sort();
            assert_eq!(got, expected, "{period}");
        }
        let (_, annual) = app.get_json("/api/v1/form?period=2025").await;
        assert_eq!(annual["sections"][0]["category"], "基本概况", "sections keep the catalogue's order");
        let rules: Vec<&str> =
            annual["rules"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
        assert!(rules.contains(&"R.SEX_SUM"));
        let derived = annual["sections"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["fields"].as_array().unwrap())
            .find(|f| f["code"] == "DER.AGEING_RATE")
            .unwrap();
        assert_eq!(
            (derived["derived"].as_bool(), derived["formula"].as_str()),
            (Some(true), Some("POP.AGED_60 / POP.REGISTERED * 100"))
        );
        let (status, body) = app.get_json("/api/v1/form?period=2025Q5").await;
        assert_eq!((status.as_u16(), body["error"].as_str()), (400, Some("invalid_period")));
    })
    .await;
}

#[tokio::test]
async fn the_compatibility_matrix_with_and_without_data() {
    each_backend(|app| async move {
        let token = admin(&app).await;
        // (edit, breaking?)
        let edits: Vec<(&str, Value, bool)> = vec![
            ("rename", json!({"name": "(renamed)"}), false),
            ("describe", json!({"description": "说明"}), false),
            ("recategorise", json!({"category": "人口与户籍"}), false),
            ("widen max", json!({"max": 20000}), false),
            ("widen min", json!({"min": null}), false),
            ("narrow max", json!({"max": 5000}), true),
            ("narrow min", json!({"min": 1}), true),
            ("value type", json!({"value_type": "decimal"}), true),
            ("unit", json!({"unit": "户"}), true),
            ("aggregation", json!({"aggregation": "avg"}), true),
            ("frequency", json!({"frequency": "quarterly"}), true),
        ];
        for (i, (what, edit, breaking)) in edits.iter().enumerate() {
            for with_data in [false, true] {
                let code = format!("T.C{i}{}", if with_data { "D" } else { "N" });
                let base = new_indicator(&code, &format!("测试指标{code}"));
                let (status, _) = app.send_json(Method::POST, &token, "/api/v1/indicators", &base).await;
                assert_eq!(status, 201, "{what}");
                if with_data {
                    store_value(&app, &code);
                }
                let mut changed = base.clone();
                for (k, v) in edit.as_object().unwrap() {
                    changed[k] = v.clone();
                }
                if edit.get("name").is_some() {
                    changed["name"] = json!(format!("{}改", base["name"].as_str().unwrap()));
                }
                let (status, body) = app.send_json(Method::PUT, &token, &format!("/api/v1/indicators/{code}"), &changed).await;
                if *breaking && with_data {
                    assert_eq!(status, 409, "{what} over data must be refused: {body}");
                    assert_eq!(body["error"], "breaking_change");
                    assert!(body["message"].as_str().unwrap().contains("停用"), "it says what to do instead");
                    let (_, versions) = app.get_json(&format!("/api/v1/indicators/{code}/versions")).await;
                    assert_eq!(versions.as_array().unwrap().len(), 1, "{what}: nothing written");
                } else {
                    assert_eq!(status, 200, "{what} (data: {with_data}): {body}");
                    assert_eq!(body["indicator"]["version"], 2);
                    assert_eq!(body["changes"][0]["breaking"], *breaking, "{what}");
                }
            }
        }
        // Removing an enum option is breaking over data; adding one is not.
        let terrain = json!({"code": "T.TERRAIN", "name": "测试地形", "value_type": "enum:平原|山区", "category": "基本概况", "frequency": "annual", "aggregation": "none"});
        app.send_json(Method::POST, &token, "/api/v1/indicators", &terrain).await;
        store_value(&app, "T.TERRAIN");
        let added = json!({"value_type": "enum:平原|山区|丘陵", "name": "测试地形", "category": "基本概况", "frequency": "annual", "aggregation": "none"});
        assert_eq!(app.send_json(Method::PUT, &token, "/api/v1/indicators/T.TERRAIN", &added).await.0, 200);
        let removed = json!({"value_type": "enum:平原", "name": "测试地形", "category": "基本概况", "frequency": "annual", "aggregation": "none"});
        assert_eq!(app.send_json(Method::PUT, &token, "/api/v1/indicators/T.TERRAIN", &removed).await.0, 409);
        let (_, versions) = app.get_json("/api/v1/indicators/T.TERRAIN/versions").await;
        let types: Vec<&str> = versions.as_array().unwrap().iter().map(|v| v["value_type"].as_str().unwrap()).collect();
        assert_eq!(types, ["enum:平原|山区", "enum:平原|山区|丘陵"], "every version kept and readable");
    })
    .await;
}

#[tokio::test]
async fn the_duplicate_guard_refuses_exact_and_normalised_names_and_warns_on_near_ones() {
    each_backend(|app| async move {
        app.load_catalogue();
        let token = admin(&app).await;
        for name in ["户籍人口", "户籍 人口", "户籍人口数", "户籍人口（人）"] {
            let (status, body) =
                app.send_json(Method::POST, &token, "/api/v1/indicators", &new_indicator("T.DUP", name)).await;
            assert_eq!(status, 409, "{name}: {body}");
            assert_eq!(body["error"], "duplicate_indicator");
            assert!(body["message"].as_str().unwrap().contains("POP.REGISTERED"), "{name}: names the existing code");
        }
        // Full-width letters fold to half-width.
        let mut ascii = new_indicator("T.ASCII", "GDP测算");
        app.send_json(Method::POST, &token, "/api/v1/indicators", &ascii).await;
        ascii["code"] = json!("T.WIDE");
        ascii["name"] = json!("ＧＤＰ测算");
        assert_eq!(app.send_json(Method::POST, &token, "/api/v1/indicators", &ascii).await.0, 409);

        let (status, body) = app
            .send_json(Method::POST, &token, "/api/v1/indicators", &new_indicator("T.NEAR", "农村低保对象人数"))
            .await;
        assert_eq!(status, 201, "{body}");
        let warned: Vec<&str> =
            body["warnings"].as_array().unwrap().iter().map(|w| w["code"].as_str().unwrap()).collect();
        assert!(warned.contains(&"SOC.DIBAO_PERSONS"), "{warned:?}");

        let (status, check) = app
            .send_json(Method::POST, &app.token, "/api/v1/indicators/check", &json!({"name": "低保户数", "unit": "户"}))
            .await;
        assert_eq!(status, 200);
        assert!(
            check["near_matches"]
                .as_array()
                .unwrap()
                .iter()
                .chain(check["duplicates"].as_array().unwrap())
                .any(|m| m["code"] == "SOC.DIBAO_HOUSEHOLDS"),
            "{check}"
        );
        let (_, list) = app.get_json("/api/v1/indicators?q=T.").await;
        assert_eq!(list["total"], 2, "check created nothing; only T.ASCII and T.NEAR exist");
    })
    .await;
}

#[tokio::test]
async fn formulas_are_checked_with_positions_and_cycles_are_refused() {
    each_backend(|app| async move {
        app.load_catalogue();
        let token = admin(&app).await;
        let derived = |code: &str, name: &str, formula: &str| {
            json!({"code": code, "name": name, "unit": "%", "value_type": "decimal", "category": "人口",
                   "frequency": "annual", "aggregation": "ratio", "formula": formula})
        };
        let (status, body) = app
            .send_json(
                Method::POST,
                &token,
                "/api/v1/indicators",
                &derived("DER.T1", "测试比率一", "POP.AGED_60 / POP.REGISTRED"),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(body["details"][0]["field"], "formula");
        assert_eq!(body["details"][0]["code"], "unknown_code");
        assert!(body["details"][0]["message"].as_str().unwrap().starts_with("第 15 个字符处"), "{body}");
        let (status, body) = app
            .send_json(
                Method::POST,
                &token,
                "/api/v1/indicators",
                &derived("DER.T1", "测试比率一", "POP.AGED_60 / (POP.REGISTERED"),
            )
            .await;
        assert_eq!((status.as_u16(), body["details"][0]["code"].as_str()), (422, Some("unexpected_end")));

        // A → B → C, then A := C + 1 closes a cycle through three derived indicators.
        for (code, name, formula) in [
            ("DER.TA", "测试甲", "POP.MALE * 1"),
            ("DER.TB", "测试乙", "DER.TA * 2"),
            ("DER.TC", "测试丙", "DER.TB + 1"),
        ] {
            let mut body = derived(code, name, formula);
            body["aggregation"] = json!("sum");
            let (status, saved) = app.send_json(Method::POST, &token, "/api/v1/indicators", &body).await;
            assert_eq!(status, 201, "{code}: {saved}");
        }
        let mut closing = derived("DER.TA", "测试甲", "DER.TC + 1");
        closing["aggregation"] = json!("sum");
        let (status, body) = app.send_json(Method::PUT, &token, "/api/v1/indicators/DER.TA", &closing).await;
        assert_eq!(status, 422, "{body}");
        let cycle = body["details"].as_array().unwrap().iter().find(|d| d["code"] == "cycle").unwrap();
        assert!(cycle["message"].as_str().unwrap().contains("DER.TA → DER.TC → DER.TB → DER.TA"), "{cycle}");
    })
    .await;
}

#[tokio::test]
async fn rules_are_checked_and_only_admins_write_the_registry() {
    each_backend(|app| async move {
        app.load_catalogue();
        let token = admin(&app).await;
        let rule = json!({"code": "R.T1", "name": "测试规则", "expression": "POP.AGED_80 <= POP.REGISTERED", "severity": "warning", "message": "请核实"});
        let (status, created) = app.send_json(Method::POST, &token, "/api/v1/rules", &rule).await;
        assert_eq!(status, 201, "{created}");
        assert_eq!((created["tolerance"].as_f64(), created["missing"].as_str()), (Some(0.01), Some("skip")));
        assert_eq!(app.send_json(Method::POST, &token, "/api/v1/rules", &rule).await.0, 409);
        let (status, body) = app
            .send_json(Method::PUT, &token, "/api/v1/rules/R.T1", &json!({"name": "x", "expression": "POP.AGED_80 + 1", "severity": "fatal", "message": "m"}))
            .await;
        assert_eq!(status, 422);
        let fields: Vec<&str> = body["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["severity", "expression"], "{body}");
        let (_, form) = app.get_json("/api/v1/form?period=2025").await;
        assert!(form["rules"].as_array().unwrap().iter().any(|r| r["code"] == "R.T1"));

        // Reads for everyone but the auditor; writes for admins only.
        let clerk = app.user_token("t_clerk", Role::Clerk, Some("522301100200"), None).await;
        assert_eq!(app.get_as(&clerk, "/api/v1/indicators/POP.REGISTERED").await.0, 200);
        assert_eq!(app.send_json(Method::POST, &clerk, "/api/v1/indicators", &new_indicator("T.X", "测试新")).await.0, 403);
        assert_eq!(app.send_json(Method::POST, &clerk, "/api/v1/rules", &rule).await.0, 403);
        let auditor = app.user_token("t_auditor", Role::Auditor, None, None).await;
        assert_eq!(app.get_as(&auditor, "/api/v1/indicators").await.0, 403);

        // Deprecation: a new version, out of the form, not usable in new formulas.
        let (status, body) = app.send_json(Method::POST, &token, "/api/v1/indicators/PROFILE.GROUPS/deprecate", &json!({"reason": "由新指标替代"})).await;
        assert_eq!((status.as_u16(), body["indicator"]["status"].as_str()), (200, Some("deprecated")), "{body}");
        let (_, form) = app.get_json("/api/v1/form?period=2025").await;
        assert!(!form.to_string().contains("PROFILE.GROUPS"));
        let (status, body) = app
            .send_json(Method::POST, &token, "/api/v1/rules", &json!({"code": "R.T2", "name": "n", "expression": "PROFILE.GROUPS >= 0", "severity": "error", "message": "m"}))
            .await;
        assert_eq!((status.as_u16(), body["details"][0]["code"].as_str()), (422, Some("deprecated_code")));
    })
    .await;
}

#[tokio::test]
async fn the_catalogue_exports_as_csv_and_xlsx_that_read_back() {
    each_backend(|app| async move {
        app.load_catalogue();
        let response = app
            .client
            .get(app.url("/api/v1/catalogue/export?format=csv"))
            .bearer_auth(&app.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let bytes = response.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM for Excel");
        let mut reader = csv::Reader::from_reader(&bytes[3..]);
        assert_eq!(&reader.headers().unwrap()[0], "code");
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 98);
        let registered = rows.iter().find(|r| &r[0] == "POP.REGISTERED").unwrap();
        assert_eq!(&registered[1], "户籍人口");

        // The CSV loads back as it is: nothing changes.
        let now = chrono::Utc::now().naive_utc();
        let again =
            onetable_app::registry::catalogue::load(&mut app.db.conn().unwrap(), &bytes, None, "test", now).unwrap();
        assert_eq!(again.indicators_unchanged, 98);

        let response = app
            .client
            .get(app.url("/api/v1/catalogue/export?format=xlsx"))
            .bearer_auth(&app.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let mut book = Xlsx::new(std::io::Cursor::new(response.bytes().await.unwrap().to_vec())).unwrap();
        let sheet = book.worksheet_range("indicators").unwrap();
        assert_eq!(sheet.height(), 99);
        assert!((1..99).any(|row| sheet.get((row, 0)) == Some(&Data::String("POP.REGISTERED".into()))));
        assert_eq!(book.worksheet_range("rules").unwrap().height(), 16);
        assert_eq!(app.get_json("/api/v1/catalogue/export?format=pdf").await.0, 400);
    })
    .await;
}
