//! Sharing: data requests, pulls in every format, aggregates, data return to villages.

use calamine::{Data, Reader, Xlsx};
use onetable_core::Role;
use onetable_tests::{each_backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Two villages of 敬南镇 and one of 泥凼镇, all in 兴义市 (522301).
const V1: &str = "522301100200";
const V2: &str = "522301100201";
const V3: &str = "522301101200";

fn expires_in_days(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days)).to_rfc3339()
}

/// V1 and V2 approved, V3 only submitted.
fn seed(app: &TestApp) {
    app.load_catalogue();
    app.seed_entry(
        V1,
        "2025",
        "approved",
        &[
            ("POP.REGISTERED", "1000"),
            ("POP.AGED_60", "100"),
            ("INFRA.BROADBAND", "true"),
            ("ECO.PER_CAPITA_INCOME", "12000"),
            ("POP.DISABLED", "3"),
        ],
    );
    app.seed_entry(
        V2,
        "2025",
        "approved",
        &[
            ("POP.REGISTERED", "3000"),
            ("POP.AGED_60", "900"),
            ("INFRA.BROADBAND", "false"),
            ("ECO.PER_CAPITA_INCOME", "16000"),
            ("POP.DISABLED", "0"),
        ],
    );
    app.seed_entry(
        V3,
        "2025",
        "submitted",
        &[
            ("POP.REGISTERED", "500"),
            ("POP.AGED_60", "250"),
            ("INFRA.BROADBAND", "true"),
            ("ECO.PER_CAPITA_INCOME", "20000"),
            ("POP.DISABLED", "7"),
        ],
    );
}

async fn department(app: &TestApp) -> String {
    app.user_token("minzheng", Role::Department, Some("5223"), Some("民政局")).await
}

async fn admin(app: &TestApp) -> String {
    app.user_token("zhou_admin", Role::Admin, Some("5223"), None).await
}

async fn file(app: &TestApp, token: &str, indicators: &[&str]) -> Value {
    let body = json!({
        "title": "2025 年老龄工作统计",
        "purpose": "养老服务设施规划",
        "legal_basis": "《老年人权益保障法》",
        "indicators": indicators,
        "region": "522301",
        "periods": ["2025"],
        "expires_at": expires_in_days(30),
    });
    let (status, request) = app.send_json(Method::POST, token, "/api/v1/data-requests", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{request}");
    request
}

async fn get_bytes(app: &TestApp, token: &str, path: &str) -> (StatusCode, Vec<u8>) {
    let response = app.client.get(app.url(path)).bearer_auth(token).send().await.unwrap();
    (response.status(), response.bytes().await.unwrap().to_vec())
}

fn values(row: &Value) -> &Value {
    &row["values"]
}

/// A refusal says which rule was broken and carries no data.
fn refused(status: StatusCode, body: &Value, code: &str) {
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], code, "{body}");
    assert!(body.get("rows").is_none() && !body.to_string().contains("1000"), "{body}");
}

#[tokio::test]
async fn a_department_pulls_exactly_what_it_was_granted_and_only_while_granted() {
    each_backend(|app| async move {
        seed(&app);
        let dept = department(&app).await;
        let admin = admin(&app).await;
        let request = file(&app, &dept, &["POP.REGISTERED", "POP.AGED_60", "DER.AGEING_RATE"]).await;
        assert_eq!(request["status"], "pending");
        let id = request["id"].as_i64().unwrap();
        let data = format!("/api/v1/data-requests/{id}/data?period=2025");

        let (status, body) = app.get_as(&dept, &data).await;
        refused(status, &body, "request_not_active");

        let (status, approved) =
            app.send_json(Method::POST, &admin, &format!("/api/v1/data-requests/{id}/approve"), &json!({})).await;
        assert_eq!((status, approved["active"].as_bool()), (StatusCode::OK, Some(true)), "{approved}");

        // Village rows: approved entries only, per-village derived values.
        let (status, pulled) = app.get_as(&dept, &data).await;
        assert_eq!(status, 200, "{pulled}");
        let rows = pulled["rows"].as_array().unwrap();
        assert_eq!(rows.iter().map(|r| r["code"].as_str().unwrap()).collect::<Vec<_>>(), [V1, V2]);
        assert_eq!(rows[0]["name"], "吴家坪村村民委员会");
        assert_eq!((rows[0]["township"].as_str(), rows[0]["county"].as_str()), (Some("敬南镇"), Some("兴义市")));
        assert_eq!(values(&rows[0]), &json!({"POP.REGISTERED": 1000, "POP.AGED_60": 100, "DER.AGEING_RATE": 10}));
        assert_eq!(values(&rows[1])["DER.AGEING_RATE"], 30);

        // Rolled up to the county: ratio of sums, (100 + 900) / (1000 + 3000) = 25 %, not the 20 %
        // an average of the villages' rates would give.
        let (_, county) = app.get_as(&dept, &format!("{data}&level=county")).await;
        let row = &county["rows"][0];
        assert_eq!(values(row), &json!({"POP.REGISTERED": 4000, "POP.AGED_60": 1000, "DER.AGEING_RATE": 25}));
        assert_eq!(row["completeness"]["approved"], 2);
        assert_eq!(row["completeness"]["submitted"], 1);

        // Outside the grant: 403 each, nothing in the body.
        let (status, body) = app.get_as(&dept, &format!("{data}&indicators=POP.REGISTERED,POP.DISABLED")).await;
        refused(status, &body, "indicator_not_granted");
        let (status, body) = app.get_as(&dept, &format!("{data}&within=522302")).await;
        refused(status, &body, "out_of_scope");
        let (status, body) = app.get_as(&dept, &format!("/api/v1/data-requests/{id}/data?period=2024")).await;
        refused(status, &body, "period_not_granted");
        let (status, body) = app.get_as(&dept, &format!("{data}&include=submitted")).await;
        refused(status, &body, "forbidden");
        // An admin may count submitted entries.
        let (_, all) = app.get_as(&admin, &format!("{data}&include=submitted&level=county")).await;
        assert_eq!(values(&all["rows"][0])["POP.REGISTERED"], 4500);
        // The department's system pulls with a client-credentials token, and CSV is what it gets.
        app.add_client("mz-system", "s3cret-value", false);
        let system = app.client_token("mz-system", "s3cret-value").await;
        let (status, csv) = get_bytes(&app, &system, &format!("{data}&format=csv&headers=code")).await;
        assert_eq!(status, 200);
        assert!(String::from_utf8_lossy(&csv).contains("522301100201,必亮村村民委员会,敬南镇,兴义市,3000,900,30"));
        // Another department does not even see the request.
        let other = app.user_token("jiaoyu", Role::Department, Some("5223"), Some("教育局")).await;
        assert_eq!(app.get_as(&other, &data).await.0, StatusCode::NOT_FOUND);

        // Revoked: pulls stop.
        let (status, _) =
            app.send_json(Method::POST, &admin, &format!("/api/v1/data-requests/{id}/revoke"), &json!({})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a revocation needs a reason");
        let (status, revoked) = app
            .send_json(
                Method::POST,
                &admin,
                &format!("/api/v1/data-requests/{id}/revoke"),
                &json!({"reason": "用途已完成"}),
            )
            .await;
        assert_eq!((status, revoked["status"].as_str()), (StatusCode::OK, Some("revoked")));
        let (status, body) = app.get_as(&dept, &data).await;
        refused(status, &body, "request_not_active");

        // Expired: approved, but past its date.
        let second = file(&app, &dept, &["POP.REGISTERED"]).await["id"].as_i64().unwrap();
        app.send_json(Method::POST, &admin, &format!("/api/v1/data-requests/{second}/approve"), &json!({})).await;
        assert_eq!(app.get_as(&dept, &format!("/api/v1/data-requests/{second}/data?period=2025")).await.0, 200);
        let mut conn = app.db.conn().unwrap();
        diesel::RunQueryDsl::execute(
            diesel::sql_query(format!(
                "UPDATE data_requests SET expires_at = '2020-01-01 00:00:00' WHERE id = {second}"
            )),
            &mut *conn,
        )
        .unwrap();
        let (status, body) = app.get_as(&dept, &format!("/api/v1/data-requests/{second}/data?period=2025")).await;
        refused(status, &body, "request_not_active");

        // Both sides list it.
        let (_, mine) = app.get_as(&dept, "/api/v1/data-requests").await;
        assert_eq!(mine["total"], 2);
        let (_, theirs) = app.get_as(&admin, "/api/v1/data-requests?status=revoked").await;
        assert_eq!(theirs["items"][0]["decision_reason"], "用途已完成");
    })
    .await;
}

#[tokio::test]
async fn every_export_format_carries_the_same_numbers_as_json() {
    each_backend(|app| async move {
        seed(&app);
        let dept = department(&app).await;
        let admin = admin(&app).await;
        let id =
            file(&app, &dept, &["POP.REGISTERED", "DER.AGEING_RATE", "INFRA.BROADBAND"]).await["id"].as_i64().unwrap();
        app.send_json(Method::POST, &admin, &format!("/api/v1/data-requests/{id}/approve"), &json!({})).await;
        let base = format!("/api/v1/data-requests/{id}/data?period=2025");
        let (_, json) = app.get_as(&dept, &base).await;
        assert_eq!(
            values(&json["rows"][1]),
            &json!({"POP.REGISTERED": 3000, "DER.AGEING_RATE": 30, "INFRA.BROADBAND": false})
        );

        let (status, csv) = get_bytes(&app, &dept, &format!("{base}&format=csv")).await;
        assert_eq!(status, 200);
        assert!(csv.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with BOM");
        let text = String::from_utf8(csv[3..].to_vec()).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("区划代码,村名称,乡镇,县区,户籍人口（人）,老龄化率（%）,通宽带"));
        assert_eq!(lines.next(), Some("522301100200,吴家坪村村民委员会,敬南镇,兴义市,1000,10,是"));
        let (_, coded) = get_bytes(&app, &dept, &format!("{base}&format=csv&headers=code")).await;
        assert!(String::from_utf8_lossy(&coded).contains("code,name,township,county,POP.REGISTERED,DER.AGEING_RATE"));

        let (status, xlsx) = get_bytes(&app, &dept, &format!("{base}&format=xlsx")).await;
        assert_eq!(status, 200);
        let mut book = Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
        let sheet = book.worksheet_range("2025").unwrap();
        assert_eq!(sheet.get((2, 0)), Some(&Data::String(V2.into())));
        assert_eq!(sheet.get((2, 4)), Some(&Data::Float(3000.0)));
        assert_eq!(sheet.get((2, 5)), Some(&Data::Float(30.0)));

        let (status, parquet) = get_bytes(&app, &dept, &format!("{base}&format=parquet")).await;
        assert_eq!(status, 200);
        let frame = onetable_analytics::report::read_parquet(&parquet).unwrap();
        assert_eq!(frame.height(), 2);
        let registered = frame.column("POP.REGISTERED").unwrap().f64().unwrap();
        assert_eq!((registered.get(0), registered.get(1)), (Some(1000.0), Some(3000.0)));
        assert_eq!(frame.column("DER.AGEING_RATE").unwrap().f64().unwrap().get(1), Some(30.0));
        assert_eq!(frame.column("INFRA.BROADBAND").unwrap().bool().unwrap().get(1), Some(false));
        assert_eq!(frame.column("code").unwrap().str().unwrap().get(0), Some(V1));
    })
    .await;
}

#[tokio::test]
async fn incremental_pulls_and_the_usage_a_village_sees() {
    each_backend(|app| async move {
        seed(&app);
        let dept = department(&app).await;
        let admin = admin(&app).await;
        let id = file(&app, &dept, &["POP.REGISTERED", "POP.AGED_60"]).await["id"].as_i64().unwrap();
        app.send_json(Method::POST, &admin, &format!("/api/v1/data-requests/{id}/approve"), &json!({})).await;
        let base = format!("/api/v1/data-requests/{id}/data?period=2025");
        assert_eq!(app.get_as(&dept, &base).await.1["rows"].as_array().unwrap().len(), 2);

        let mark = chrono::Utc::now();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        app.seed_entry(V2, "2025", "approved", &[("POP.REGISTERED", "3100"), ("POP.AGED_60", "900")]);
        let since = mark.to_rfc3339_opts(chrono::SecondsFormat::Millis, true).replace('+', "%2B");
        let (status, changed) = app.get_as(&dept, &format!("{base}&changed_since={since}")).await;
        assert_eq!(status, 200, "{changed}");
        let rows = changed["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 1, "{changed}");
        assert_eq!((rows[0]["code"].as_str(), values(&rows[0])["POP.REGISTERED"].as_i64()), (Some(V2), Some(3100)));

        // Three pulls so far, all logged, and the village's clerk sees them.
        let clerk = app.user_token("li_clerk", Role::Clerk, Some(V1), None).await;
        let (status, usage) = app.get_as(&clerk, &format!("/api/v1/regions/{V1}/usage")).await;
        assert_eq!(status, 200, "{usage}");
        assert_eq!(usage["total_pulls"], 2);
        let first = &usage["uses"][0];
        assert_eq!((first["department"].as_str(), first["request_id"].as_i64()), (Some("民政局"), Some(id)));
        assert_eq!(first["purpose"], "养老服务设施规划");
        assert_eq!(first["pulls"], 2);
        assert_eq!(first["indicators"], json!(["POP.REGISTERED", "POP.AGED_60"]));
        // A neighbouring village's clerk cannot read it.
        let other = app.user_token("zhang_clerk", Role::Clerk, Some(V3), None).await;
        assert_eq!(app.get_as(&other, &format!("/api/v1/regions/{V1}/usage")).await.0, StatusCode::NOT_FOUND);

        let (status, burden) = app.get_as(&admin, "/api/v1/burden?within=5223").await;
        assert_eq!(status, 200, "{burden}");
        assert_eq!((burden["active_requests"].as_i64(), burden["pulls_this_month"].as_i64()), (Some(1), Some(2)));
        assert_eq!(burden["departments_served"], json!(["民政局"]));
        assert_eq!(burden["indicators_entered_by_villages"], 86, "98 in the catalogue, 12 derived");
        assert_eq!(burden["by_department"][0]["department"], "民政局");
        assert_eq!(
            (
                burden["by_department"][0]["active_requests"].as_i64(),
                burden["by_department"][0]["pulls_this_month"].as_i64()
            ),
            (Some(1), Some(2))
        );
        assert_eq!(burden["by_department"][0]["indicators_shared"], 0, "no other department asks for them");
    })
    .await;
}

#[tokio::test]
async fn filing_checks_codes_legal_basis_and_jurisdiction() {
    each_backend(|app| async move {
        app.load_catalogue();
        let dept = department(&app).await;
        let mut body = json!({
            "title": "低保核查", "purpose": "低保对象动态管理", "legal_basis": "",
            "indicators": ["低保户数", "POP.DISABLED"], "region": "522301", "periods": ["2025"],
            "expires_at": expires_in_days(10),
        });
        let (status, error) = app.send_json(Method::POST, &dept, "/api/v1/data-requests", &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
        let details = error["details"].as_array().unwrap();
        let unknown = details.iter().find(|d| d["code"] == "unknown_indicator").unwrap();
        assert_eq!(unknown["field"], "indicators[0]");
        assert_eq!(unknown["suggestions"][0], "SOC.DIBAO_HOUSEHOLDS", "{unknown}");
        assert!(details.iter().any(|d| d["code"] == "legal_basis_required"), "POP.DISABLED is sensitive");

        body["indicators"] = json!(["SOC.DIBAO_HOUSEHOLDS"]);
        body["legal_basis"] = json!("《社会救助暂行办法》");
        // 低保户数 is reported monthly: a request for the year 2025 could never be downloaded
        // (issue 27), so it is refused at the period, naming what would fit.
        let (status, error) = app.send_json(Method::POST, &dept, "/api/v1/data-requests", &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
        let detail = error["details"].as_array().unwrap().iter().find(|d| d["field"] == "periods[0]").unwrap();
        assert_eq!(detail["code"], "no_indicators_for_period");
        assert!(detail["message"].as_str().unwrap().contains("月报"), "{detail}");
        body["periods"] = json!(["2025-11"]);
        body["region"] = json!("522401");
        let (status, error) = app.send_json(Method::POST, &dept, "/api/v1/data-requests", &body).await;
        assert_eq!((status, error["error"].as_str()), (StatusCode::FORBIDDEN, Some("out_of_scope")), "{error}");
        let viewer = app.token.clone();
        assert_eq!(app.send_json(Method::POST, &viewer, "/api/v1/data-requests", &body).await.0, StatusCode::FORBIDDEN);
        body["region"] = json!("522301");
        body["periods"] = json!([]);
        body["frequency"] = json!("monthly");
        body["start_period"] = json!("2025-01");
        body["region"] = json!("5223");
        let (status, filed) = app.send_json(Method::POST, &dept, "/api/v1/data-requests", &body).await;
        assert_eq!(status, StatusCode::CREATED, "{filed}");
        assert_eq!(filed["frequency"], "monthly");

        // Only an admin whose scope covers the whole region may decide; a county's admin sees the
        // prefecture-wide request but may not approve it.
        let approve = format!("/api/v1/data-requests/{}/approve", filed["id"]);
        let county_admin = app.user_token("xingyi_admin", Role::Admin, Some("522301"), None).await;
        let (status, error) = app.send_json(Method::POST, &county_admin, &approve, &json!({})).await;
        assert_eq!((status, error["error"].as_str()), (StatusCode::FORBIDDEN, Some("out_of_scope")), "{error}");
        let prefecture_admin = admin(&app).await;
        assert_eq!(app.send_json(Method::POST, &prefecture_admin, &approve, &json!({})).await.0, StatusCode::OK);
        let (status, error) = app.send_json(Method::POST, &prefecture_admin, &approve, &json!({})).await;
        assert_eq!(
            (status, error["error"].as_str()),
            (StatusCode::CONFLICT, Some("invalid_state")),
            "approved once only"
        );
    })
    .await;
}

#[tokio::test]
async fn aggregates_roll_up_by_rule_with_completeness_and_protect_small_sensitive_counts() {
    each_backend(|app| async move {
        seed(&app);
        let admin = admin(&app).await;
        let path = "/api/v1/aggregates?indicators=POP.REGISTERED,DER.AGEING_RATE,INFRA.BROADBAND,ECO.PER_CAPITA_INCOME,POP.DISABLED&within=5223&level=county&period=2025";
        let (status, body) = app.get_as(&admin, path).await;
        assert_eq!(status, 200, "{body}");
        let rows = body["rows"].as_array().unwrap();
        let xingyi = rows.iter().find(|r| r["code"] == "522301000000").unwrap();
        assert_eq!(
            values(xingyi),
            &json!({"POP.REGISTERED": 4000, "DER.AGEING_RATE": 25, "INFRA.BROADBAND": 1, "ECO.PER_CAPITA_INCOME": 14000, "POP.DISABLED": 3})
        );
        assert_eq!(xingyi["name"], "兴义市");
        assert_eq!((xingyi["completeness"]["submitted"].as_i64(), xingyi["completeness"]["approved"].as_i64()), (Some(1), Some(2)));
        assert!(xingyi["completeness"]["expected"].as_i64().unwrap() > 100);
        assert_eq!(rows.len(), 8, "every county of 黔西南州, with or without data");

        // The viewer sees small sensitive counts as "<5", and no sensitive indicator below county.
        let (_, seen) = app.get_json(path).await;
        let xingyi = seen["rows"].as_array().unwrap().iter().find(|r| r["code"] == "522301000000").unwrap().clone();
        assert_eq!(values(&xingyi)["POP.DISABLED"], "<5");
        assert_eq!(values(&xingyi)["POP.REGISTERED"], 4000);
        let township = path.replace("within=5223&level=county", "within=522301&level=township");
        let (_, towns) = app.get_json(&township).await;
        assert_eq!(towns["withheld"], json!(["POP.DISABLED"]));
        assert!(towns["rows"][0]["values"].get("POP.DISABLED").is_none());
        let (_, with_submitted) = app.get_as(&admin, &format!("{path}&include=submitted")).await;
        let xingyi = with_submitted["rows"].as_array().unwrap().iter().find(|r| r["code"] == "522301000000").unwrap().clone();
        assert_eq!(values(&xingyi)["POP.DISABLED"], 10);
        assert_eq!(app.get_json(&format!("{path}&include=submitted")).await.0, StatusCode::FORBIDDEN);
        let (status, error) = app.get_as(&admin, &path.replace("POP.REGISTERED", "POP.NOPE")).await;
        assert_eq!((status, error["error"].as_str()), (StatusCode::BAD_REQUEST, Some("unknown_indicator")));
        let outsider = app.user_token("xingren_viewer", Role::Viewer, Some("522302"), None).await;
        assert_eq!(app.get_as(&outsider, path).await.0, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn an_approval_shows_in_aggregates_at_once_without_a_restart() {
    each_backend(|app| async move {
        seed(&app);
        let reviewer = app.user_token("wang_rev", Role::Reviewer, Some("522301101"), None).await;
        let path = "/api/v1/aggregates?indicators=POP.REGISTERED&within=522301101&level=township&period=2025";
        let (_, before) = app.get_json(path).await;
        assert_eq!(before["rows"][0]["values"]["POP.REGISTERED"], Value::Null, "{before}");
        let entry = format!("/api/v1/entries/{V3}/2025");
        let revision = app.get_as(&reviewer, &entry).await.1["revision"].as_i64().unwrap();
        let response = app
            .client
            .post(app.url(&format!("{entry}/approve")))
            .bearer_auth(&reviewer)
            .header("if-match", format!("\"{revision}\""))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
        let (_, after) = app.get_json(path).await;
        assert_eq!(after["rows"][0]["values"]["POP.REGISTERED"], 500, "{after}");
        assert_eq!(after["rows"][0]["completeness"]["approved"], 1);
    })
    .await;
}

/// 谁用了我的数据 counted 6 pulls by 民政局 of a village whose form was never approved — pulls
/// that held none of its rows — and listed indicator codes (issue 27). Only pulls made while the
/// village's form of that period stood approved count, and the indicators are named.
#[tokio::test]
async fn a_village_sees_only_the_pulls_that_held_its_rows_with_the_indicators_named() {
    each_backend(|app| async move {
        seed(&app);
        let draft = "522301100202";
        app.seed_entry(draft, "2025", "draft", &[("POP.REGISTERED", "800")]);
        let dept = department(&app).await;
        let admin = admin(&app).await;
        let id = file(&app, &dept, &["POP.REGISTERED", "POP.AGED_60"]).await["id"].as_i64().unwrap();
        app.send_json(Method::POST, &admin, &format!("/api/v1/data-requests/{id}/approve"), &json!({})).await;
        for level in ["village", "township", "county"] {
            let (status, _) =
                app.get_as(&dept, &format!("/api/v1/data-requests/{id}/data?period=2025&level={level}")).await;
            assert_eq!(status, 200);
        }
        let clerk = app.user_token("draft_clerk", Role::Clerk, Some(draft), None).await;
        let (_, usage) = app.get_as(&clerk, &format!("/api/v1/regions/{draft}/usage")).await;
        assert_eq!(usage["total_pulls"], 0, "its form was never approved: no pull held it: {usage}");
        let approved = app.user_token("li_clerk", Role::Clerk, Some(V1), None).await;
        let (_, usage) = app.get_as(&approved, &format!("/api/v1/regions/{V1}/usage")).await;
        assert_eq!(usage["total_pulls"], 3, "{usage}");
        assert_eq!(usage["uses"][0]["indicator_names"], json!(["户籍人口", "60岁及以上人口"]), "{usage}");

        // Approved now: the next pull holds it, the earlier ones still do not count.
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        app.seed_entry(draft, "2025", "approved", &[("POP.REGISTERED", "800")]);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        app.get_as(&dept, &format!("/api/v1/data-requests/{id}/data?period=2025")).await;
        let (_, usage) = app.get_as(&clerk, &format!("/api/v1/regions/{draft}/usage")).await;
        assert_eq!(usage["total_pulls"], 1, "{usage}");
    })
    .await;
}
