//! Trends: `GET /api/v1/aggregates/series` answers several periods at once, each exactly as
//! `/aggregates` answers that period, with the viewers' protection.

use onetable_core::Role;
use onetable_tests::{each_backend, TestApp};
use serde_json::Value;

/// 兴义市's two villages in 2023 and 2024 (a sensitive count of 3 in 2024), 兴仁市's in 2024.
fn seed(app: &TestApp) {
    app.load_catalogue();
    let approved = |village: &str, period: &str, registered: &str, aged: &str, disabled: &str| {
        app.seed_entry(
            village,
            period,
            "approved",
            &[("POP.REGISTERED", registered), ("POP.AGED_60", aged), ("POP.DISABLED", disabled)],
        );
    };
    approved("522301100200", "2023", "900", "90", "20");
    approved("522301100201", "2023", "2900", "800", "0");
    approved("522301100200", "2024", "1000", "100", "3");
    approved("522301100201", "2024", "3000", "900", "0");
    approved("522302101200", "2024", "12000", "1500", "12");
}

const INDICATORS: &str = "POP.REGISTERED,DER.AGEING_RATE,POP.DISABLED";

#[tokio::test]
async fn a_range_of_periods_answers_each_period_as_the_aggregates_of_that_period() {
    each_backend(|app| async move {
        seed(&app);
        let viewer = app.user_token("zhou_viewer", Role::Viewer, Some("5223"), None).await;
        let (status, body) = app
            .get_as(
                &viewer,
                &format!("/api/v1/aggregates/series?indicators={INDICATORS}&within=5223&periods=2023..2024"),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["periods"], serde_json::json!(["2023", "2024"]));
        assert_eq!(body["level"], "county");
        assert!(body["as_of"].is_string());
        for (i, period) in ["2023", "2024"].into_iter().enumerate() {
            let one = format!("/api/v1/aggregates?indicators={INDICATORS}&within=5223&period={period}");
            let (_, expected) = app.get_as(&viewer, &one).await;
            let got = &body["series"][i];
            assert_eq!(got["period"], period);
            assert_eq!(got["rows"], expected["rows"], "{period}: the same rows as /aggregates");
            let (_, whole) = app.get_as(&viewer, &format!("{one}&level=prefecture")).await;
            assert_eq!(got["total"], whole["rows"][0], "{period}: the prefecture's own row");
        }
        let xingyi = |i: usize| -> Value {
            body["series"][i]["rows"].as_array().unwrap().iter().find(|r| r["code"] == "522301000000").unwrap()
                ["values"]
                .clone()
        };
        assert_eq!(xingyi(0)["POP.DISABLED"], 20);
        assert_eq!(xingyi(1)["POP.DISABLED"], "<5", "suppressed for a viewer, period by period");
        assert_eq!(xingyi(1)["DER.AGEING_RATE"], 25);
        assert_eq!(body["series"][1]["total"]["values"]["POP.REGISTERED"], 16000);

        // Below county level the sensitive indicator is withheld, and said to be.
        let (_, towns) = app
            .get_as(
                &viewer,
                &format!("/api/v1/aggregates/series?indicators={INDICATORS}&within=522301&periods=2023,2024"),
            )
            .await;
        assert_eq!(towns["withheld"], serde_json::json!(["POP.DISABLED"]));
        assert!(towns["series"][0]["rows"][0]["values"].get("POP.DISABLED").is_none());
    })
    .await;
}

#[tokio::test]
async fn bad_period_lists_are_400_naming_periods_and_scope_still_holds() {
    each_backend(|app| async move {
        seed(&app);
        let viewer = app.user_token("zhou_viewer", Role::Viewer, Some("5223"), None).await;
        let path = |periods: &str| {
            format!("/api/v1/aggregates/series?indicators=POP.REGISTERED&within=5223&periods={periods}")
        };
        for bad in ["2024..2023", "2024,2024Q1", "", "2024..soon", "2099"] {
            let (status, body) = app.get_as(&viewer, &path(bad)).await;
            assert_eq!(status, 400, "{bad}: {body}");
            assert_eq!(body["error"], "invalid_period", "{bad}: {body}");
            assert!(body["message"].as_str().unwrap().contains("期别"), "{bad}: {body}");
        }
        let (status, body) = app.get_as(&viewer, &path("2024").replace("POP.REGISTERED", "POP.NOPE")).await;
        assert_eq!((status.as_u16(), body["error"].as_str()), (400, Some("unknown_indicator")));
        let outsider = app.user_token("xingren_viewer", Role::Viewer, Some("522302"), None).await;
        assert_eq!(app.get_as(&outsider, &path("2023..2024")).await.0, 404);
        let clerk = app.user_token("li_clerk", Role::Clerk, Some("522301100200"), None).await;
        assert_eq!(app.get_as(&clerk, &path("2023..2024")).await.0, 403);
    })
    .await;
}
