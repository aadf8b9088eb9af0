//! Saved dashboards (看板): admins compose them for a region in scope; viewers and reviewers in
//! scope see the shared ones and land on their own region's; bad items are 422 naming the field.

use onetable_core::Role;
use onetable_tests::{each_backend, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

async fn send(app: &TestApp, method: Method, token: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn board(name: &str, region: &str, shared: bool) -> Value {
    json!({
        "name": name, "region": region, "shared": shared,
        "items": [
            {"chart": "completeness", "period": "latest_annual"},
            {"chart": "bar", "indicators": ["POP.REGISTERED", "DER.AGEING_RATE"], "period": "latest_annual"},
            {"chart": "line", "indicators": ["DER.AGEING_RATE"], "period": "2025", "span": 3, "title": "老龄化率"},
        ]
    })
}

#[tokio::test]
async fn an_admin_saves_a_dashboard_the_viewers_in_scope_see_and_land_on() {
    each_backend(|app| async move {
        app.load_catalogue();
        let admin = app.user_token("zhou_admin", Role::Admin, Some("5223"), None).await;
        let viewer = app.user_token("zhou_viewer", Role::Viewer, Some("5223"), None).await;
        let county_viewer = app.user_token("xingyi_viewer", Role::Viewer, Some("522301"), None).await;
        let (status, saved) =
            send(&app, Method::POST, &admin, "/api/v1/dashboards", Some(board("州看板", "5223", true))).await;
        assert_eq!(status, 201, "{saved}");
        let id = saved["id"].as_i64().unwrap();
        assert_eq!(saved["region_code"], "522300000000");
        assert_eq!(saved["region_name"], "黔西南布依族苗族自治州");
        assert_eq!(saved["items"][0]["resolved_level"], "county");
        assert_eq!(saved["items"][2]["resolved_periods"], "2023..2025");
        assert_eq!(saved["items"][2]["title"], "老龄化率");
        let (_, draft) =
            send(&app, Method::POST, &admin, "/api/v1/dashboards", Some(board("草稿", "5223", false))).await;

        let (status, list) = send(&app, Method::GET, &viewer, "/api/v1/dashboards", None).await;
        assert_eq!(status, 200, "{list}");
        let ids: Vec<i64> = list["items"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, [id], "the unshared draft is the admin's only");
        assert_eq!(list["landing"], id);
        assert_eq!(send(&app, Method::GET, &viewer, &format!("/api/v1/dashboards/{}", draft["id"]), None).await.0, 404);
        let (_, mine) = send(&app, Method::GET, &admin, "/api/v1/dashboards", None).await;
        assert_eq!(mine["items"].as_array().unwrap().len(), 2);
        // A county's viewer cannot read the prefecture, so does not see its dashboard.
        let (_, theirs) = send(&app, Method::GET, &county_viewer, "/api/v1/dashboards", None).await;
        assert_eq!((theirs["items"].as_array().unwrap().len(), &theirs["landing"]), (0, &Value::Null));
        assert_eq!(send(&app, Method::GET, &county_viewer, &format!("/api/v1/dashboards/{id}"), None).await.0, 404);

        let (status, changed) =
            send(&app, Method::PUT, &admin, &format!("/api/v1/dashboards/{id}"), Some(board("州看板二", "5223", true)))
                .await;
        assert_eq!((status, changed["name"].as_str()), (200, Some("州看板二")));
        assert_eq!(send(&app, Method::DELETE, &viewer, &format!("/api/v1/dashboards/{id}"), None).await.0, 403);
        assert_eq!(send(&app, Method::DELETE, &admin, &format!("/api/v1/dashboards/{id}"), None).await.0, 204);
        assert_eq!(send(&app, Method::GET, &viewer, &format!("/api/v1/dashboards/{id}"), None).await.0, 404);
        let auditor = app.user_token("t_auditor", Role::Auditor, None, None).await;
        let (_, audit) = app.get_as(&auditor, "/api/v1/audit/events?action=dashboards.create").await;
        assert_eq!(audit["items"].as_array().unwrap().len(), 2, "{audit}");
        assert_eq!(send(&app, Method::GET, &auditor, "/api/v1/dashboards", None).await.0, 403);
    })
    .await;
}

#[tokio::test]
async fn bad_items_are_422_naming_the_field_and_nothing_is_saved() {
    each_backend(|app| async move {
        app.load_catalogue();
        let admin = app.user_token("xingyi_admin", Role::Admin, Some("522301"), None).await;
        let bad = json!({
            "name": "坏看板", "region": "522301",
            "items": [
                {"chart": "bar", "indicators": ["POP.NOPE"], "period": "latest_annual"},
                {"chart": "bar", "indicators": [], "period": "someday"},
                {"chart": "line", "indicators": ["DER.AGEING_RATE"], "period": "latest_annual", "span": 40},
                {"chart": "table", "indicators": ["POP.REGISTERED"], "period": "latest_annual", "level": "county"},
            ]
        });
        let (status, body) = send(&app, Method::POST, &admin, "/api/v1/dashboards", Some(bad)).await;
        assert_eq!((status, body["error"].as_str()), (422, Some("invalid_dashboard")), "{body}");
        let fields: Vec<(&str, &str)> = body["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["field"].as_str().unwrap(), d["code"].as_str().unwrap()))
            .collect();
        assert_eq!(
            fields,
            [
                ("items[0].indicators", "unknown_indicator"),
                ("items[1].period", "invalid_period"),
                ("items[1].indicators", "invalid_length"),
                ("items[2].span", "out_of_range"),
                ("items[3].level", "invalid_level"),
            ]
        );
        assert!(body["details"][0]["message"].as_str().unwrap().contains("POP.NOPE"));
        // Outside the admin's scope: as if the region did not exist.
        let (status, _) =
            send(&app, Method::POST, &admin, "/api/v1/dashboards", Some(board("别处", "5223", true))).await;
        assert_eq!(status, 404);
        let viewer = app.user_token("xingyi_viewer", Role::Viewer, Some("522301"), None).await;
        assert_eq!(
            send(&app, Method::POST, &viewer, "/api/v1/dashboards", Some(board("看板", "522301", true))).await.0,
            403
        );
        let (_, list) = send(&app, Method::GET, &admin, "/api/v1/dashboards", None).await;
        assert_eq!(list["items"], json!([]), "nothing was saved");
    })
    .await;
}
