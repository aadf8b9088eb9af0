//! Departments and registers: counts only, unless an approved request names the register and its
//! columns with a legal basis; then the list comes masked unless full values were granted, and
//! the village sees who read it.

use onetable_core::Role;
use onetable_tests::{each_backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::registers::{id, link_dibao};

const VILLAGE: &str = "522301100200";

fn expires() -> String {
    (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339()
}

fn request(registers: Value, full_values: bool, legal_basis: &str) -> Value {
    json!({"title": "低保对象核查", "purpose": "低保资金发放核对", "legal_basis": legal_basis,
        "indicators": [], "region": "522301", "periods": ["2025"], "expires_at": expires(),
        "registers": registers, "full_values": full_values})
}

async fn filed(app: &TestApp, dept: &str, admin: &str, body: &Value, full: bool) -> i64 {
    let (status, filed) = app.send_json(Method::POST, dept, "/api/v1/data-requests", body).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    let id = filed["id"].as_i64().unwrap();
    let (status, approved) = app
        .send_json(Method::POST, admin, &format!("/api/v1/data-requests/{id}/approve?full_values={full}"), &json!({}))
        .await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(approved["full_values"], full);
    id
}

#[tokio::test]
async fn a_granted_department_reads_a_masked_list_and_the_village_sees_it() {
    each_backend(|app| async move {
        app.load_catalogue();
        let admin = app.user_token("t_admin", Role::Admin, Some("5223"), None).await;
        link_dibao(&app, &admin).await;
        let clerk = app.user_token("t_clerk", Role::Clerk, Some(VILLAGE), None).await;
        let person = id("19580312", 1);
        for (name, id_number, members) in [("王德明", person.clone(), 3), ("杨秀英", id("19490817", 2), 1)] {
            let body = json!({"values": {"head_name": name, "id_number": id_number, "members": members, "kind": "A类"}});
            let (status, _) = app.send_json(Method::POST, &clerk, &format!("/api/v1/registers/REG.DIBAO/records?village={VILLAGE}"), &body).await;
            assert_eq!(status, 201);
        }
        let dept = app.user_token("minzheng", Role::Department, Some("5223"), Some("民政局")).await;

        // Counts only: a request for indicators does not reach the list.
        let counts = json!({"title": "低保户数", "purpose": "统计", "legal_basis": "《社会救助暂行办法》",
            "indicators": ["SOC.DIBAO_HOUSEHOLDS"], "region": "522301", "periods": ["2025-11"], "expires_at": expires()});
        let only_counts = filed(&app, &dept, &admin, &counts, false).await;
        let (status, body) = app.get_as(&dept, &format!("/api/v1/data-requests/{only_counts}/records?register=REG.DIBAO")).await;
        assert_eq!((status.as_u16(), body["error"].as_str()), (403, Some("register_not_granted")), "{body}");

        let columns = json!([{"code": "REG.DIBAO", "columns": ["head_name", "id_number", "members"]}]);
        let (status, body) = app.send_json(Method::POST, &dept, "/api/v1/data-requests", &request(columns.clone(), false, "")).await;
        assert_eq!((status.as_u16(), body["details"][0]["field"].as_str()), (422, Some("legal_basis")), "{body}");
        let unknown = json!([{"code": "REG.DIBAO", "columns": ["salary"]}]);
        let (status, body) = app.send_json(Method::POST, &dept, "/api/v1/data-requests", &request(unknown, false, "《社会救助暂行办法》")).await;
        assert_eq!((status.as_u16(), body["details"][0]["code"].as_str()), (422, Some("unknown_column")), "{body}");

        let (status, pending) = app.send_json(Method::POST, &dept, "/api/v1/data-requests", &request(columns.clone(), true, "《社会救助暂行办法》第十一条")).await;
        assert_eq!(status, StatusCode::CREATED, "{pending}");
        let pending_id = pending["id"].as_i64().unwrap();
        let (status, _) = app.get_as(&dept, &format!("/api/v1/data-requests/{pending_id}/records?register=REG.DIBAO")).await;
        assert_eq!(status, 403, "not approved yet");
        let (status, masked) =
            app.send_json(Method::POST, &admin, &format!("/api/v1/data-requests/{pending_id}/approve"), &json!({})).await;
        assert_eq!((status.as_u16(), masked["full_values"].as_bool()), (200, Some(false)), "approved, masked");

        let (status, pulled) = app.get_as(&dept, &format!("/api/v1/data-requests/{pending_id}/records?register=REG.DIBAO")).await;
        assert_eq!(status, 200, "{pulled}");
        assert_eq!(pulled["masked"], true);
        let first = pulled["records"].as_array().unwrap().iter().find(|r| r["values"]["members"] == "3").unwrap().clone();
        assert_eq!(first["values"], json!({"head_name": "王**", "id_number": format!("5223**********{}", &person[14..]), "members": "3"}), "granted columns only, masked");

        let (_, used) = app.get_as(&clerk, &format!("/api/v1/regions/{VILLAGE}/usage")).await;
        let names: Vec<String> = used["uses"].as_array().unwrap().iter().flat_map(|u| u["indicator_names"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_owned())).collect();
        assert!(names.contains(&"农村低保户台账（户主姓名、户主身份证号、保障人数）".to_owned()), "{used}");

        let full = filed(&app, &dept, &admin, &request(columns, true, "《社会救助暂行办法》第十一条"), true).await;
        let response = app.client.get(app.url(&format!("/api/v1/data-requests/{full}/records?register=REG.DIBAO&format=csv"))).bearer_auth(&dept).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let text = response.text().await.unwrap();
        assert!(text.contains("户主身份证号") && text.contains(&person) && text.contains("王德明"), "{text}");
        let (status, body) = app.send_json(Method::POST, &admin, &format!("/api/v1/data-requests/{only_counts}/approve?full_values=true"), &json!({})).await;
        assert_eq!((status.as_u16(), body["details"][0]["code"].as_str()), (422, Some("not_asked")), "full values only when asked: {body}");
    })
    .await;
}
