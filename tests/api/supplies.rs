//! Data flowing down (数据回流): a department supplies what it already holds; an admin approves
//! the grant; its pushes prefill the villages' forms, never over what the clerk typed or confirmed.

use onetable_core::Role;
use onetable_tests::{each_backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const VILLAGE: &str = "522301100200";
const NEIGHBOUR: &str = "522301100201";
const YEAR: &str = "2025";

fn grant(indicators: &[&str], region: &str) -> Value {
    json!({
        "indicators": indicators, "region": region, "purpose": "户籍人口数据回流，村里不再重复填报",
        "source_system": "公安人口信息管理系统", "refresh": "monthly"
    })
}

fn row(region: &str, indicator: &str, value: Value) -> Value {
    json!({"region": region, "period": YEAR, "indicator": indicator, "value": value, "as_of": "2025-12-31"})
}

async fn push(app: &TestApp, token: &str, id: i64, rows: Vec<Value>) -> (StatusCode, Value) {
    app.send_json(Method::POST, token, &format!("/api/v1/supplies/{id}/values"), &json!({"rows": rows})).await
}

/// The clerk's entry: each code's (value, source), and the supplied list.
async fn entry(app: &TestApp, clerk: &str) -> (Value, Vec<(String, Value, String)>) {
    let (status, body) = app.get_as(clerk, &format!("/api/v1/entries/{VILLAGE}/{YEAR}")).await;
    assert_eq!(status, 200, "{body}");
    let cells = body["values"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["code"].as_str().unwrap().starts_with("POP.") && v["code"] != "POP.MALE")
        .map(|v| (v["code"].as_str().unwrap().to_owned(), v["value"].clone(), v["source"].as_str().unwrap().to_owned()))
        .collect();
    (body, cells)
}

#[tokio::test]
async fn a_department_supplies_its_numbers_and_the_village_confirms_or_keeps_its_own() {
    each_backend(|app| async move {
        app.load_catalogue();
        let admin = app.user_token("t_admin", Role::Admin, Some("5223"), None).await;
        let police = app.user_token("ga_system", Role::Department, Some("5223"), Some("公安局")).await;
        let civil = app.user_token("mz_system", Role::Department, Some("5223"), Some("民政局")).await;
        let clerk = app.user_token("t_clerk", Role::Clerk, Some(VILLAGE), None).await;

        let (status, filed) = app
            .send_json(Method::POST, &police, "/api/v1/supplies", &grant(&["POP.REGISTERED", "POP.HOUSEHOLDS"], "5223"))
            .await;
        assert_eq!((status.as_u16(), filed["status"].as_str()), (201, Some("pending")), "{filed}");
        let id = filed["id"].as_i64().unwrap();

        // Refusals: a derived indicator, a bad refresh; another supplier for an indicator held in
        // a region inside this one; pushing before approval.
        let mut bad = grant(&["DER.SEX_RATIO", "POP.REGISTERED"], "522301");
        bad["refresh"] = json!("hourly");
        let (status, body) = app.send_json(Method::POST, &civil, "/api/v1/supplies", &bad).await;
        assert_eq!(status, 422, "{body}");
        let fields: Vec<&str> =
            body["details"].as_array().unwrap().iter().filter_map(|d| d["field"].as_str()).collect();
        assert_eq!(fields, ["indicators[0]", "refresh"], "{body}");
        let (status, body) =
            app.send_json(Method::POST, &civil, "/api/v1/supplies", &grant(&["POP.REGISTERED"], "522301")).await;
        assert_eq!((status.as_u16(), body["error"].as_str()), (409, Some("supply_taken")), "{body}");
        assert!(body["message"].as_str().unwrap().contains("公安局"), "names the first: {body}");
        let (status, body) = push(&app, &police, id, vec![row(VILLAGE, "POP.REGISTERED", json!(1268))]).await;
        assert_eq!((status.as_u16(), body["error"].as_str()), (403, Some("supply_not_approved")), "{body}");
        assert_eq!(
            app.send_json(Method::POST, &civil, &format!("/api/v1/supplies/{id}/approve"), &json!({})).await.0,
            403
        );

        let (status, approved) =
            app.send_json(Method::POST, &admin, &format!("/api/v1/supplies/{id}/approve"), &json!({})).await;
        assert_eq!((status.as_u16(), approved["status"].as_str()), (200, Some("approved")), "{approved}");
        let (_, listed) = app.get_as(&civil, "/api/v1/supplies").await;
        assert_eq!(listed, json!([]), "a department sees its own supplies only");

        // All or nothing: rows outside the grant are 403 naming them; a bad value 422 naming row
        // and column; nothing is stored.
        let outside = vec![
            row(VILLAGE, "POP.REGISTERED", json!(1268)),
            row("520102001001", "POP.REGISTERED", json!(10)),
            row(VILLAGE, "SOC.TEKUN_PERSONS", json!(3)),
        ];
        let (status, body) = push(&app, &police, id, outside).await;
        assert_eq!(status, 403, "{body}");
        let fields: Vec<&str> =
            body["details"].as_array().unwrap().iter().filter_map(|d| d["field"].as_str()).collect();
        assert_eq!(fields, ["rows[1].region", "rows[2].indicator"], "{body}");
        let (status, body) = push(
            &app,
            &police,
            id,
            vec![row(VILLAGE, "POP.REGISTERED", json!(1268)), row(VILLAGE, "POP.HOUSEHOLDS", json!("三百"))],
        )
        .await;
        assert_eq!((status.as_u16(), body["details"][0]["field"].as_str()), (422, Some("rows[1].value")), "{body}");
        let (before, cells) = entry(&app, &clerk).await;
        assert_eq!((before["revision"].as_i64(), cells.len()), (Some(0), 0), "nothing stored: {before}");

        let rows = vec![
            row(VILLAGE, "POP.REGISTERED", json!(1268)),
            row(VILLAGE, "POP.HOUSEHOLDS", json!(352)),
            row(NEIGHBOUR, "POP.REGISTERED", json!(980)),
            row(NEIGHBOUR, "POP.HOUSEHOLDS", json!(301)),
        ];
        let (status, report) = push(&app, &police, id, rows).await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(report, json!({"supply": id, "received": 4, "prefilled": 4, "offered": 0, "locked": 0}));

        // Prefilled in the clerk's form, with where it came from.
        let (body, cells) = entry(&app, &clerk).await;
        assert_eq!(
            cells,
            [
                ("POP.HOUSEHOLDS".to_owned(), json!(352), "supplied".to_owned()),
                ("POP.REGISTERED".to_owned(), json!(1268), "supplied".to_owned())
            ]
        );
        let supplied = &body["supplied"][0];
        assert_eq!(
            (supplied["department"].as_str(), supplied["as_of"].as_str()),
            (Some("公安局"), Some("2025-12-31")),
            "{body}"
        );

        // The clerk confirms one and corrects the other.
        let revision = body["revision"].as_i64().unwrap();
        let confirm = format!("/api/v1/entries/{VILLAGE}/{YEAR}/confirm-supplied");
        let response = app
            .client
            .post(app.url(&confirm))
            .bearer_auth(&clerk)
            .header("if-match", format!("\"{revision}\""))
            .json(&json!({"codes": ["POP.REGISTERED"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let response = app
            .client
            .patch(app.url(&format!("/api/v1/entries/{VILLAGE}/{YEAR}")))
            .bearer_auth(&clerk)
            .header("if-match", format!("\"{revision}\""))
            .json(&json!({"values": {"POP.HOUSEHOLDS": 350}, "reason": "两户已分户，公安尚未登记"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());

        // The correction flows back to 公安局 (no other department sees it); it answers.
        let (status, found) = app.get_as(&police, &format!("/api/v1/supplies/{id}/discrepancies")).await;
        assert_eq!(status, 200, "{found}");
        let open = &found[0];
        assert_eq!(
            (
                open["village"].as_str(),
                open["indicator"].as_str(),
                open["supplied"].as_str(),
                open["corrected"].as_str()
            ),
            (Some(VILLAGE), Some("POP.HOUSEHOLDS"), Some("352"), Some("350")),
            "{found}"
        );
        assert_eq!(
            (open["reason"].as_str(), open["status"].as_str()),
            (Some("两户已分户，公安尚未登记"), Some("open"))
        );
        assert_eq!(found.as_array().unwrap().len(), 1, "the confirmed one is no discrepancy: {found}");
        assert_eq!(app.get_as(&civil, &format!("/api/v1/supplies/{id}/discrepancies")).await.0, 404);
        let answer = format!("/api/v1/supplies/{id}/discrepancies/{}/answer", open["id"]);
        let (status, answered) = app
            .send_json(Method::POST, &police, &answer, &json!({"answer": "分户登记已于 12 月办结，请以户籍系统为准"}))
            .await;
        assert_eq!((status.as_u16(), answered["status"].as_str()), (200, Some("answered")), "{answered}");
        assert_eq!(app.send_json(Method::POST, &police, &answer, &json!({"answer": "再答一次"})).await.0, 409);
        let (body, _) = entry(&app, &clerk).await;
        let households =
            body["supplied"].as_array().unwrap().iter().find(|s| s["indicator"] == "POP.HOUSEHOLDS").unwrap();
        assert_eq!(
            households["correction"]["answer"], "分户登记已于 12 月办结，请以户籍系统为准",
            "the village sees it: {body}"
        );

        // A newer push never overwrites either: it is offered beside them. The neighbour's
        // unconfirmed values follow.
        let newer = vec![
            row(VILLAGE, "POP.REGISTERED", json!(1270)),
            row(VILLAGE, "POP.HOUSEHOLDS", json!(355)),
            row(NEIGHBOUR, "POP.REGISTERED", json!(982)),
        ];
        let request = app
            .client
            .post(app.url(&format!("/api/v1/supplies/{id}/values")))
            .bearer_auth(&police)
            .header("idempotency-key", "push-2025-12")
            .json(&json!({"rows": newer}));
        let first: Value = request.try_clone().unwrap().send().await.unwrap().json().await.unwrap();
        assert_eq!(first, json!({"supply": id, "received": 3, "prefilled": 1, "offered": 2, "locked": 0}));
        let again = request.send().await.unwrap();
        assert!(again.headers().get("idempotent-replayed").is_some(), "a retry replays");
        let (body, cells) = entry(&app, &clerk).await;
        assert_eq!(
            cells,
            [
                ("POP.HOUSEHOLDS".to_owned(), json!(350), "entry".to_owned()),
                ("POP.REGISTERED".to_owned(), json!(1268), "confirmed".to_owned())
            ]
        );
        let offered: Vec<(Value, Value)> =
            body["supplied"].as_array().unwrap().iter().map(|s| (s["value"].clone(), s["newer"].clone())).collect();
        assert_eq!(offered, [(json!(355), json!(true)), (json!(1270), json!(true))], "{body}");

        // Taking the department's numbers: both confirmed at their new values.
        let response = app
            .client
            .post(app.url(&confirm))
            .bearer_auth(&clerk)
            .header("if-match", format!("\"{}\"", body["revision"]))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let (_, cells) = entry(&app, &clerk).await;
        assert_eq!(
            cells,
            [
                ("POP.HOUSEHOLDS".to_owned(), json!(355), "confirmed".to_owned()),
                ("POP.REGISTERED".to_owned(), json!(1270), "confirmed".to_owned())
            ]
        );

        // The burden page counts it: 4 cells supplied, 2 confirmed, 1 correction.
        let (_, burden) = app.get_as(&admin, "/api/v1/burden?within=5223").await;
        assert_eq!(
            burden["supplies"],
            json!([{"department": "公安局", "supplied": 4, "confirmed": 2, "corrected": 1}]),
            "{burden}"
        );

        // Revoked: pushes stop.
        let (status, _) = app
            .send_json(Method::POST, &admin, &format!("/api/v1/supplies/{id}/revoke"), &json!({"reason": "系统切换"}))
            .await;
        assert_eq!(status, 200);
        let (status, _) = push(&app, &police, id, vec![row(VILLAGE, "POP.REGISTERED", json!(1))]).await;
        assert_eq!(status, 403);
    })
    .await;
}

#[tokio::test]
async fn a_department_pushes_its_export_as_a_csv_file_all_or_nothing() {
    each_backend(|app| async move {
        app.load_catalogue();
        let admin = app.user_token("t_admin", Role::Admin, Some("5223"), None).await;
        let police = app.user_token("ga_system", Role::Department, Some("5223"), Some("公安局")).await;
        let clerk = app.user_token("t_clerk", Role::Clerk, Some(VILLAGE), None).await;
        let (_, filed) = app.send_json(Method::POST, &police, "/api/v1/supplies", &grant(&["POP.REGISTERED"], "5223")).await;
        let id = filed["id"].as_i64().unwrap();
        app.send_json(Method::POST, &admin, &format!("/api/v1/supplies/{id}/approve"), &json!({})).await;
        let send = |csv: &'static str, query: &'static str| {
            app.client
                .post(app.url(&format!("/api/v1/supplies/{id}/values{query}")))
                .bearer_auth(&police)
                .header("content-type", "text/csv")
                .body(csv)
                .send()
        };
        // Line 3's value is not a number: 422 naming that line and column, nothing stored.
        let bad = "区划代码,期别,指标代码,数值\n522301100200,2025,POP.REGISTERED,1268\n522301100201,2025,POP.REGISTERED,九百八\n";
        let answer = send(bad, "?as_of=2025-12-31").await.unwrap();
        assert_eq!(answer.status(), 422);
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body["details"][0]["field"], "rows[1].value", "{body}");
        assert!(body["details"][0]["message"].as_str().unwrap().starts_with("第 3 行"), "{body}");
        // Without a date for the file or the line: 422 naming as_of.
        let answer = send("区划代码,期别,指标代码,数值\n522301100200,2025,POP.REGISTERED,1268\n", "").await.unwrap();
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body["details"][0]["field"], "as_of", "{body}");
        let (_, cells) = entry(&app, &clerk).await;
        assert!(cells.is_empty(), "nothing stored: {cells:?}");

        let good = "区划代码,期别,指标代码,数值,截至日期\n522301100200,2025,POP.REGISTERED,1268,2025/12/31\n";
        let answer = send(good, "").await.unwrap();
        assert_eq!(answer.status(), 200);
        let report: Value = answer.json().await.unwrap();
        assert_eq!((report["received"].as_i64(), report["prefilled"].as_i64()), (Some(1), Some(1)), "{report}");
        let (body, cells) = entry(&app, &clerk).await;
        assert_eq!(cells, [("POP.REGISTERED".to_owned(), json!(1268), "supplied".to_owned())]);
        assert_eq!(body["supplied"][0]["as_of"], "2025-12-31");
    })
    .await;
}

/// A supply naming a register (民政局's 低保户 list): its records pushed village by village land in
/// the village's list, the counts derived from it follow; outside the grant nothing is stored.
#[tokio::test]
async fn a_department_supplies_a_registers_records_and_the_villages_count_follows() {
    each_backend(|app| async move {
        app.load_catalogue();
        let admin = app.user_token("t_admin", Role::Admin, None, None).await;
        super::registers::link_dibao(&app, &admin).await;
        let civil = app.user_token("mz_system", Role::Department, Some("5223"), Some("民政局")).await;
        let police = app.user_token("ga_system", Role::Department, Some("5223"), Some("公安局")).await;
        let clerk = app.user_token("t_clerk", Role::Clerk, Some(VILLAGE), None).await;
        let body = |registers: Value| {
            json!({"registers": registers, "region": "522301100", "purpose": "低保对象名单回流，村里不再手工造册",
                   "source_system": "全国低保信息系统", "refresh": "monthly"})
        };
        let (status, refused) =
            app.send_json(Method::POST, &civil, "/api/v1/supplies", &body(json!(["REG.NOPE"]))).await;
        assert_eq!(
            (status.as_u16(), refused["details"][0]["field"].as_str()),
            (422, Some("registers[0]")),
            "{refused}"
        );
        let (status, filed) =
            app.send_json(Method::POST, &civil, "/api/v1/supplies", &body(json!(["REG.DIBAO"]))).await;
        assert_eq!((status.as_u16(), filed["registers"].clone()), (201, json!(["REG.DIBAO"])), "{filed}");
        let id = filed["id"].as_i64().unwrap();
        let (status, taken) =
            app.send_json(Method::POST, &police, "/api/v1/supplies", &body(json!(["REG.DIBAO"]))).await;
        assert_eq!((status.as_u16(), taken["error"].as_str()), (409, Some("supply_taken")), "{taken}");

        let list = super::register_imports::village_list(&[
            ("王德明", super::registers::id("19580312", 1), 3, "A类"),
            ("杨秀英", super::registers::id("19490817", 2), 1, "B类"),
        ]);
        let push = |village: &str, register: &str| {
            let request = app
                .client
                .post(app.url(&format!("/api/v1/supplies/{id}/records/{register}?village={village}")))
                .bearer_auth(&civil)
                .header("content-type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                .body(list.clone());
            async move {
                let response = request.send().await.unwrap();
                (response.status().as_u16(), response.json::<Value>().await.unwrap())
            }
        };
        let (status, body) = push(VILLAGE, "REG.DIBAO").await;
        assert_eq!((status, body["error"].as_str()), (403, Some("supply_not_approved")), "{body}");
        let (status, _) =
            app.send_json(Method::POST, &admin, &format!("/api/v1/supplies/{id}/approve"), &json!({})).await;
        assert_eq!(status, 200);
        for (village, register, field) in [("522301101200", "REG.DIBAO", "village"), (VILLAGE, "REG.TEKUN", "register")]
        {
            let (status, body) = push(village, register).await;
            assert_eq!((status, body["details"][0]["field"].as_str()), (403, Some(field)), "{body}");
        }
        let (_, none) = app.get_as(&clerk, &format!("/api/v1/registers/REG.DIBAO/records?village={VILLAGE}")).await;
        assert_eq!(none["records"].as_array().map(Vec::len), Some(0), "nothing stored by a refusal: {none}");

        let (status, report) = push(VILLAGE, "REG.DIBAO").await;
        assert_eq!((status, report["inserted"].as_i64()), (200, Some(2)), "{report}");
        let (_, kept) = app.get_as(&clerk, &format!("/api/v1/registers/REG.DIBAO/records?village={VILLAGE}")).await;
        assert_eq!(kept["records"].as_array().map(Vec::len), Some(2), "{kept}");
        assert_eq!(
            super::registers::entry_value(&app, &clerk, VILLAGE, "SOC.DIBAO_HOUSEHOLDS").await,
            (json!(2), json!("register"))
        );
        let (status, again) = push(VILLAGE, "REG.DIBAO").await;
        assert_eq!(
            (status, again["unchanged"].as_i64()),
            (200, Some(2)),
            "the same list again changes nothing: {again}"
        );
    })
    .await;
}
