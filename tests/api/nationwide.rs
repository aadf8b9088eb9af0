//! The whole country as a scope: a ministry's viewer, a nationwide admin — given by the operator
//! only, with the same protection rules.

use onetable_core::Role;
use onetable_tests::{each_backend, TestApp};
use serde_json::{json, Value};

fn seed(app: &TestApp) {
    app.load_catalogue();
    for (village, registered, disabled) in [("522301100200", "1000", "3"), ("522302101200", "12000", "12")] {
        app.seed_entry(village, "2025", "approved", &[("POP.REGISTERED", registered), ("POP.DISABLED", disabled)]);
    }
}

fn row<'a>(body: &'a Value, code: &str) -> &'a Value {
    body["rows"].as_array().unwrap().iter().find(|r| r["code"] == code).unwrap_or_else(|| panic!("no {code} in {body}"))
}

#[tokio::test]
async fn a_nationwide_viewer_sees_the_provinces_under_the_same_protection() {
    each_backend(|app| async move {
        seed(&app);
        let viewer = app.user_token("guo_viewer", Role::Viewer, None, None).await;
        let (status, body) =
            app.get_as(&viewer, "/api/v1/aggregates?indicators=POP.REGISTERED,POP.DISABLED&period=2025").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!((body["within"].as_str(), body["level"].as_str()), (Some("national"), Some("province")));
        let guizhou = row(&body, "520000000000");
        assert_eq!(guizhou["name"], "贵州省");
        assert_eq!(guizhou["values"], json!({"POP.REGISTERED": 13000, "POP.DISABLED": 15}));
        // Down to a county: a small sensitive count is still "<5"; below it, withheld.
        let (_, counties) = app
            .get_as(&viewer, "/api/v1/aggregates?indicators=POP.REGISTERED,POP.DISABLED&within=5223&period=2025")
            .await;
        assert_eq!(row(&counties, "522301000000")["values"]["POP.DISABLED"], "<5");
        let (_, towns) =
            app.get_as(&viewer, "/api/v1/aggregates?indicators=POP.DISABLED&within=522301&period=2025").await;
        assert_eq!(towns["withheld"], json!(["POP.DISABLED"]));
        let (status, trend) =
            app.get_as(&viewer, "/api/v1/aggregates/series?indicators=POP.REGISTERED&periods=2024..2025").await;
        assert_eq!(status, 200, "{trend}");
        assert_eq!(trend["series"][1]["total"], Value::Null, "the country has no row of its own");
        assert_eq!(
            trend["series"][1]["rows"].as_array().unwrap().iter().find(|r| r["code"] == "520000000000").unwrap()
                ["values"]["POP.REGISTERED"],
            13000
        );
        let (_, me) = app.get_as(&viewer, "/api/v1/me").await;
        assert_eq!(me["region"], Value::Null);
    })
    .await;
}

#[tokio::test]
async fn only_the_operator_gives_the_whole_country_and_a_nationwide_admin_reaches_everything() {
    each_backend(|app| async move {
        seed(&app);
        let province_admin = app.user_token("gz_admin", Role::Admin, Some("52"), None).await;
        let body = json!({"username": "guo_viewer", "password": "Viewer-guo-2025!", "role": "viewer"});
        let (status, refused) = app.send_json(reqwest::Method::POST, &province_admin, "/api/v1/users", &body).await;
        assert_eq!((status.as_u16(), refused["error"].as_str()), (403, Some("forbidden")), "{refused}");
        assert!(refused["message"].as_str().unwrap().contains("命令行"), "{refused}");
        // A clerk or reviewer is never nationwide, whoever asks.
        let spec = onetable_app::accounts::AccountSpec {
            username: "guo_clerk".to_owned(),
            role: Role::Clerk,
            region: None,
            department: None,
            phone: None,
            password_issued: true,
        };
        let problem = onetable_app::accounts::validate(&spec, None).unwrap_err();
        assert_eq!(problem.details()[0].field.as_deref(), Some("region"));
        let viewer =
            onetable_app::accounts::AccountSpec { role: Role::Viewer, username: "guo_viewer".to_owned(), ..spec };
        assert!(onetable_app::accounts::validate(&viewer, None).is_ok(), "the operator may make a nationwide viewer");

        let national_admin = app.user_token("guo_admin", Role::Admin, None, None).await;
        let (status, users) = app.get_as(&national_admin, "/api/v1/users").await;
        assert_eq!(status, 200, "{users}");
        assert!(users["items"].as_array().unwrap().iter().any(|u| u["username"] == "gz_admin"));
        let (status, _) = app.get_as(&national_admin, "/api/v1/data-requests").await;
        assert_eq!(status, 200);
        let (status, made) = app
            .send_json(
                reqwest::Method::POST,
                &national_admin,
                "/api/v1/users",
                &json!({"username": "gz_viewer", "password": "Viewer-gz-2025!", "role": "viewer", "region": "52"}),
            )
            .await;
        assert_eq!(status, 201, "{made}");
    })
    .await;
}
