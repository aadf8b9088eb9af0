//! Many periods at once: a monthly rate over the annual population reads the year's cube; cubes
//! beyond the memory budget are dropped least recently read first and come back when read; a
//! trend of 1,000 periods is refused with 422.

use onetable_app::cubes::CubeCache;
use onetable_core::{Period, Role};
use onetable_tests::{each_backend, TestApp};

async fn admin(app: &TestApp) -> String {
    app.user_token("zhou_admin", Role::Admin, Some("5223"), None).await
}

#[tokio::test]
async fn a_monthly_rate_over_the_annual_population_is_a_number_not_null() {
    each_backend(|app| async move {
        app.load_catalogue();
        app.seed_entry("522301100200", "2025", "approved", &[("POP.REGISTERED", "1000")]);
        app.seed_entry("522301100201", "2025", "approved", &[("POP.REGISTERED", "3000")]);
        app.seed_entry("522301100200", "2025-03", "approved", &[("SOC.DIBAO_PERSONS", "50")]);
        app.seed_entry("522301100201", "2025-03", "approved", &[("SOC.DIBAO_PERSONS", "150")]);
        let token = admin(&app).await;
        let (status, body) = app
            .get_as(
                &token,
                "/api/v1/aggregates?indicators=SOC.DIBAO_PERSONS,DER.DIBAO_RATE&within=522301&level=county&period=2025-03",
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let values = &body["rows"][0]["values"];
        assert_eq!(values["SOC.DIBAO_PERSONS"], 200);
        // 200 / 4000 × 100, the population read from the 2025 cube.
        assert_eq!(values["DER.DIBAO_RATE"], 5.0, "{body}");

        // The annual figure changes: the monthly rate follows on the next read.
        app.seed_entry("522301100201", "2025", "approved", &[("POP.REGISTERED", "1000")]);
        let (_, body) = app
            .get_as(&token, "/api/v1/aggregates?indicators=DER.DIBAO_RATE&within=522301&level=county&period=2025-03")
            .await;
        assert_eq!(body["rows"][0]["values"]["DER.DIBAO_RATE"], 10.0, "{body}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn cubes_beyond_the_budget_are_dropped_least_recently_read_first_and_come_back() {
    each_backend(|app| async move {
        app.load_catalogue();
        app.seed_entry("522301100200", "2024", "approved", &[("POP.REGISTERED", "900")]);
        app.seed_entry("522301100200", "2025", "approved", &[("POP.REGISTERED", "1000")]);
        let mut conn = app.db.conn().unwrap();
        let sum = |cube: &onetable_analytics::Cube| {
            let selection = onetable_analytics::Selection {
                within: None,
                indicators: vec!["POP.REGISTERED".into()],
                min_state: onetable_analytics::EntryState::Approved,
            };
            let report =
                cube.rollup(&selection, onetable_core::RegionLevel::Province).map_err(onetable_app::cubes::internal)?;
            Ok(report.rows[0].values[0].clone())
        };
        // Room for one cube.
        let one = CubeCache::default();
        one.read(&mut conn, Period::Year(2024), |_| Ok(())).unwrap();
        let budget = one.held_bytes();
        assert!(budget > 0);
        let cubes = CubeCache::default().with_budget(budget + budget / 2);
        let periods = |c: &CubeCache| c.warm().into_iter().map(|(p, _)| p).collect::<Vec<_>>();
        cubes.read(&mut conn, Period::Year(2024), |_| Ok(())).unwrap();
        cubes.read(&mut conn, Period::Year(2025), |_| Ok(())).unwrap();
        assert_eq!(periods(&cubes), ["2025"], "2024 was read least recently");
        assert!(cubes.held_bytes() <= budget + budget / 2);
        let again = cubes.read(&mut conn, Period::Year(2024), sum).unwrap();
        assert_eq!(again, onetable_analytics::Datum::Number(900.0), "rebuilt when read again");
        assert_eq!(periods(&cubes), ["2024"]);
        // Without a budget both stay.
        let all = CubeCache::default();
        all.read(&mut conn, Period::Year(2024), |_| Ok(())).unwrap();
        all.read(&mut conn, Period::Year(2025), |_| Ok(())).unwrap();
        assert_eq!(periods(&all), ["2024", "2025"]);
    })
    .await;
}

#[tokio::test]
async fn a_trend_of_a_thousand_periods_is_refused_with_422() {
    each_backend(|app| async move {
        app.load_catalogue();
        let token = admin(&app).await;
        let (status, body) = app
            .get_as(
                &token,
                "/api/v1/aggregates/series?indicators=POP.REGISTERED&within=522301&periods=2000-01..2083-04",
            )
            .await;
        assert_eq!(status, 422, "1,000 months: {body}");
        assert_eq!(body["error"], "too_many_periods");
        assert_eq!(body["details"][0]["field"], "periods");
        let (status, body) = app
            .get_as(&token, "/api/v1/aggregates/series?indicators=POP.REGISTERED&within=522301&periods=2025..2023")
            .await;
        assert_eq!(status, 400, "a range backwards is malformed: {body}");
    })
    .await;
}

#[tokio::test]
async fn aggregates_over_a_range_of_years_answer_one_series_per_region() {
    each_backend(|app| async move {
        app.load_catalogue();
        app.seed_entry("522301100200", "2023", "approved", &[("POP.REGISTERED", "800")]);
        app.seed_entry("522301100200", "2024", "approved", &[("POP.REGISTERED", "900")]);
        app.seed_entry("522301100201", "2024", "approved", &[("POP.REGISTERED", "100")]);
        app.seed_entry("522301100200", "2025", "approved", &[("POP.REGISTERED", "1000")]);
        let token = admin(&app).await;
        let (status, body) = app
            .get_as(&token, "/api/v1/aggregates?indicators=POP.REGISTERED&within=5223&level=county&period=2023..2025")
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["periods"], serde_json::json!(["2023", "2024", "2025"]));
        let county = body["regions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == "522301000000")
            .unwrap_or_else(|| panic!("{body}"));
        let points = county["series"].as_array().unwrap();
        let sums: Vec<_> =
            points.iter().map(|p| (p["period"].clone(), p["values"]["POP.REGISTERED"].clone())).collect();
        assert_eq!(
            sums,
            [("2023".into(), 800.into()), ("2024".into(), 1000.into()), ("2025".into(), 1000.into())],
            "{county}"
        );
        assert_eq!(points[1]["completeness"]["approved"], 2);
        // The prefecture's own series is the sum of its counties'.
        assert_eq!(body["total"]["code"], "522300000000");
        assert_eq!(body["total"]["series"][1]["values"]["POP.REGISTERED"], 1000);

        // A list works as a range does; one period keeps the one-period answer.
        let (_, body) = app
            .get_as(&token, "/api/v1/aggregates?indicators=POP.REGISTERED&within=5223&level=county&period=2025,2023")
            .await;
        assert_eq!(body["periods"], serde_json::json!(["2023", "2025"]));
        let (_, body) = app
            .get_as(&token, "/api/v1/aggregates?indicators=POP.REGISTERED&within=5223&level=county&period=2025")
            .await;
        assert_eq!(body["period"], "2025");

        let (status, body) = app
            .get_as(&token, "/api/v1/aggregates?indicators=POP.REGISTERED&within=5223&period=2000-01..2083-04")
            .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["details"][0]["field"], "period");
        let (status, body) = app
            .get_as(&token, "/api/v1/aggregates?indicators=POP.REGISTERED&within=5223&period=2023..2025&format=csv")
            .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["details"][0]["field"], "format");
    })
    .await;
}
