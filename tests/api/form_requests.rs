//! From an analyzed form to a data request: the matched columns become a draft the department
//! files, the new ones proposals an admin accepts (through the duplicate guard) or rejects with a
//! reason; a refused draft stores no proposal.

use onetable_core::Role;
use onetable_tests::each_backend;
use onetable_tests::labelled_forms;
use reqwest::Method;
use serde_json::{json, Value};

/// The draft's body as the page sends it: every column with its settled indicator (or none).
fn columns_of(analysis: &Value) -> Value {
    Value::Array(
        analysis["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| json!({"header": c["header"], "name": c["name"], "unit": c["unit"], "code": c["matched"]["code"]}))
            .collect(),
    )
}

#[tokio::test]
async fn a_form_becomes_a_draft_request_and_proposals_an_admin_decides() {
    each_backend(|app| async move {
        app.load_catalogue();
        let department = app.user_token("mz_dept", Role::Department, Some("5223"), Some("民政局")).await;
        let admin = app.user_token("zhou_admin", Role::Admin, Some("5223"), None).await;
        let analysis = labelled_forms::analyzed(&app, &department, "04-").await;
        let body = json!({"form_title": analysis["title"], "columns": columns_of(&analysis)});
        let (status, draft) = app.send_json(Method::POST, &department, "/api/v1/forms/draft-request", &body).await;
        assert_eq!(status, 200, "{draft}");
        assert_eq!(draft["title"], "农村社会救助对象情况统计表");
        assert_eq!(draft["indicators"], analysis["indicators"]);
        assert_eq!(draft["region"], "522300000000");
        let sensitive = draft["sensitive"].as_array().unwrap();
        assert!(sensitive.contains(&json!("SOC.DIBAO_HOUSEHOLDS")) && sensitive.contains(&json!("SOC.ORPHANS")));
        let proposals = draft["proposals"].as_array().unwrap();
        assert_eq!(proposals.len(), 1, "{draft}");
        assert_eq!((proposals[0]["name"].as_str(), proposals[0]["status"].as_str()), (Some("临时救助人次"), Some("pending")));

        // The same form again proposes nothing twice.
        let (_, again) = app.send_json(Method::POST, &department, "/api/v1/forms/draft-request", &body).await;
        assert_eq!(again["proposals"][0]["id"], proposals[0]["id"]);

        // The draft, completed, is filed as any request.
        let request = json!({"title": draft["title"], "purpose": "社会救助对象动态管理", "legal_basis": "《社会救助暂行办法》",
            "indicators": draft["indicators"], "region": draft["region"], "periods": ["2025Q4", "2025-12"], "expires_at": "2099-12-31"});
        let (status, filed) = app.send_json(Method::POST, &department, "/api/v1/data-requests", &request).await;
        assert_eq!(status, 201, "{filed}");

        // A second proposal, from another form, to reject.
        let (_, other) = app
            .send_json(
                Method::POST,
                &department,
                "/api/v1/forms/draft-request",
                &json!({"form_title": "救助补充表", "columns": [{"header": "救助资金（元）", "name": "救助资金", "unit": "元", "code": null}]}),
            )
            .await;
        let (first, second) = (proposals[0]["id"].as_i64().unwrap(), other["proposals"][0]["id"].as_i64().unwrap());

        let (status, pending) = app.get_as(&admin, "/api/v1/indicator-proposals?status=pending").await;
        assert_eq!((status.as_u16(), pending.as_array().unwrap().len()), (200, 2), "{pending}");

        // Accepting goes through the duplicate guard: a definition that is 户籍人口 again is refused,
        // and the proposal stays pending with no indicator written.
        let (_, before) = app.get_as(&admin, "/api/v1/indicators?limit=500").await;
        let duplicate = json!({"code": "SOC.TEMP_AID", "name": "户籍人口", "unit": "人", "value_type": "integer",
            "category": "社会保障", "frequency": "monthly", "aggregation": "sum", "owner_department": "民政局"});
        let (status, refused) =
            app.send_json(Method::POST, &admin, &format!("/api/v1/indicator-proposals/{first}/accept"), &duplicate).await;
        assert_eq!(status, 409, "{refused}");
        let (_, after) = app.get_as(&admin, "/api/v1/indicators?limit=500").await;
        assert_eq!(before, after, "a refused acceptance writes no indicator");

        let definition = json!({"code": "SOC.TEMP_AID_TIMES", "name": "临时救助人次", "unit": "人次", "value_type": "integer",
            "min": 0, "max": 10000, "category": "社会保障", "frequency": "monthly", "aggregation": "sum", "owner_department": "民政局"});
        let (status, accepted) =
            app.send_json(Method::POST, &admin, &format!("/api/v1/indicator-proposals/{first}/accept"), &definition).await;
        assert_eq!(status, 200, "{accepted}");
        assert_eq!(accepted["proposal"]["status"], "accepted");
        assert_eq!(accepted["proposal"]["indicator_code"], "SOC.TEMP_AID_TIMES");
        assert_eq!(app.get_as(&admin, "/api/v1/indicators/SOC.TEMP_AID_TIMES").await.0, 200);
        let (status, _) =
            app.send_json(Method::POST, &admin, &format!("/api/v1/indicator-proposals/{first}/accept"), &definition).await;
        assert_eq!(status, 409, "a decided proposal is not decided again");

        // Rejecting needs a reason, which the department then reads.
        let url = format!("/api/v1/indicator-proposals/{second}/reject");
        let (status, refused) = app.send_json(Method::POST, &admin, &url, &json!({"reason": "  "})).await;
        assert_eq!((status.as_u16(), refused["details"][0]["field"].as_str()), (422, Some("reason")), "{refused}");
        let (status, rejected) = app.send_json(Method::POST, &admin, &url, &json!({"reason": "资金数据由财政局提供"})).await;
        assert_eq!((status.as_u16(), rejected["status"].as_str()), (200, Some("rejected")), "{rejected}");
        let (_, mine) = app.get_as(&department, "/api/v1/indicator-proposals").await;
        let reasons: Vec<&str> = mine.as_array().unwrap().iter().filter_map(|p| p["reason"].as_str()).collect();
        assert_eq!(reasons, vec!["资金数据由财政局提供"]);

        // Another department sees none of them; departments do not decide; clerks see nothing.
        let other_dept = app.user_token("ws_dept", Role::Department, Some("5223"), Some("卫健委")).await;
        assert_eq!(app.get_as(&other_dept, "/api/v1/indicator-proposals").await.1, json!([]));
        let (status, _) = app.send_json(Method::POST, &department, &url, &json!({"reason": "x"})).await;
        assert_eq!(status, 403);
        let clerk = app.user_token("clerk", Role::Clerk, Some("522301100201"), None).await;
        assert_eq!(app.get_as(&clerk, "/api/v1/indicator-proposals").await.0, 403);
    })
    .await;
}

#[tokio::test]
async fn a_refused_draft_stores_no_proposal() {
    each_backend(|app| async move {
        app.load_catalogue();
        let department = app.user_token("mz_dept", Role::Department, Some("5223"), Some("民政局")).await;
        let body = json!({"form_title": "表", "columns": [
            {"header": "新的一列", "name": "新的一列", "code": null},
            {"header": "无此指标", "name": "无此指标", "code": "NO.SUCH"},
            {"header": "", "name": " ", "code": null}]});
        let (status, refused) = app.send_json(Method::POST, &department, "/api/v1/forms/draft-request", &body).await;
        assert_eq!(status, 422, "{refused}");
        let fields: Vec<&str> =
            refused["details"].as_array().unwrap().iter().filter_map(|d| d["field"].as_str()).collect();
        assert_eq!(fields, vec!["columns[1].code", "columns[2].name"]);
        assert!(refused["message"].as_str().unwrap().contains("映射"));
        assert_eq!(app.get_as(&department, "/api/v1/indicator-proposals").await.1, json!([]));
        let (status, _) =
            app.send_json(Method::POST, &department, "/api/v1/forms/draft-request", &json!({"columns": []})).await;
        assert_eq!(status, 422);
        // Admins confirm mappings; drafting a request is a department's.
        let admin = app.user_token("zhou_admin", Role::Admin, Some("5223"), None).await;
        assert_eq!(app.send_json(Method::POST, &admin, "/api/v1/forms/draft-request", &body).await.0, 403);
    })
    .await;
}
