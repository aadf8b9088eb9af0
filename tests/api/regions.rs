use onetable_tests::each_backend;
use serde_json::json;

#[tokio::test]
async fn a_village_shows_its_level_kind_parent_and_named_path() {
    each_backend(|app| async move {
        let (status, body) = app.get_json("/api/v1/regions/522301001001").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["code"], "522301001001");
        assert_eq!(body["name"], "街心社区居民委员会");
        assert_eq!(body["level"], "village");
        assert_eq!(body["level_number"], 5);
        assert_eq!(body["kind"], "community");
        assert_eq!(body["kind_label"], "社区");
        assert_eq!(body["parent_code"], "522301001000");
        let path: Vec<(&str, &str)> = body["path"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["code"].as_str().unwrap(), p["name"].as_str().unwrap()))
            .collect();
        assert_eq!(
            path,
            [
                ("520000000000", "贵州省"),
                ("522300000000", "黔西南布依族苗族自治州"),
                ("522301000000", "兴义市"),
                ("522301001000", "黄草街道"),
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn short_codes_are_padded_and_kinds_follow_the_segment() {
    each_backend(|app| async move {
        let (status, county) = app.get_json("/api/v1/regions/522301").await;
        assert_eq!(status, 200);
        assert_eq!(county["code"], "522301000000");
        assert_eq!(county["level"], "county");
        assert_eq!(county["kind"], json!(null));
        let (_, township) = app.get_json("/api/v1/regions/522301001").await;
        assert_eq!(township["kind"], "subdistrict");
        assert_eq!(township["kind_label"], "街道");
    })
    .await;
}

#[tokio::test]
async fn children_are_paged_in_code_order() {
    each_backend(|app| async move {
        let (status, first) = app.get_json("/api/v1/regions/522301/children?limit=10").await;
        assert_eq!(status, 200);
        assert_eq!(first["total"], 32);
        assert_eq!(first["limit"], 10);
        assert_eq!(first["items"].as_array().unwrap().len(), 10);
        assert_eq!(first["items"][0]["code"], "522301001000");
        let (_, last) = app.get_json("/api/v1/regions/522301/children?limit=10&offset=30").await;
        assert_eq!(last["items"].as_array().unwrap().len(), 2);
        let codes = |page: &serde_json::Value| -> Vec<String> {
            page["items"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap().to_owned()).collect()
        };
        let mut all = Vec::new();
        for offset in [0, 10, 20, 30] {
            let (_, page) = app.get_json(&format!("/api/v1/regions/522301/children?limit=10&offset={offset}")).await;
            all.extend(codes(&page));
        }
        let mut sorted = all.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(all, sorted, "pages overlap or are out of order");
        assert_eq!(all.len(), 32);

        // Default page size 100; a village has no children.
        let (_, villages) = app.get_json("/api/v1/regions/5223/children").await;
        assert_eq!(villages["limit"], 100);
        assert_eq!(villages["total"], 8);
        let (status, none) = app.get_json("/api/v1/regions/522301001001/children").await;
        assert_eq!(status, 200);
        assert_eq!(none["total"], 0);
    })
    .await;
}

#[tokio::test]
async fn paging_outside_its_bounds_is_a_400() {
    each_backend(|app| async move {
        for query in ["limit=1001", "limit=0", "offset=-1"] {
            let (status, body) = app.get_json(&format!("/api/v1/regions/5223/children?{query}")).await;
            assert_eq!(status, 400, "{query}");
            assert_eq!(body["error"], "invalid_query", "{query}");
        }
        let (status, body) = app.get_json("/api/v1/regions/5223/children?limit=ten").await;
        assert_eq!(status, 400);
        assert_eq!(body["error"], "invalid_query");
        let (status, _) = app.get_json("/api/v1/regions/5223/children?limit=1000").await;
        assert_eq!(status, 200);
    })
    .await;
}

#[tokio::test]
async fn search_by_name_within_a_region_and_by_level() {
    each_backend(|app| async move {
        let (status, body) = app.get_json("/api/v1/regions?q=%E5%85%B4%E4%B9%89").await; // 兴义
        assert_eq!(status, 200);
        assert_eq!(body["items"][0]["code"], "522301000000", "the county comes first (level order)");
        assert!(body["items"].as_array().unwrap().iter().all(|r| r["name"].as_str().unwrap().contains("兴义")));

        let (_, within) = app.get_json("/api/v1/regions?q=%E7%A4%BE%E5%8C%BA&within=522301001").await; // 社区
        assert_eq!(within["total"], 10, "黄草街道 has 10 communities");
        assert!(within["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["code"].as_str().unwrap().starts_with("522301001")));

        let (_, counties) = app.get_json("/api/v1/regions?level=county&within=5223").await;
        assert_eq!(counties["total"], 8);
        let (_, provinces) = app.get_json("/api/v1/regions?level=province").await;
        assert_eq!(provinces["total"], 1);
        assert_eq!(provinces["items"][0]["name"], "贵州省");

        // LIKE wildcards in the fragment are literal.
        let (_, wildcard) = app.get_json("/api/v1/regions?q=%25").await;
        assert_eq!(wildcard["total"], 0);
    })
    .await;
}

#[tokio::test]
async fn bad_codes_are_400_with_the_error_body() {
    each_backend(|app| async move {
        for bad in ["52230100100a", "52230100100", "5223010010011", "522301000001"] {
            let (status, body) = app.get_json(&format!("/api/v1/regions/{bad}")).await;
            assert_eq!(status, 400, "{bad}");
            assert_eq!(body["error"], "invalid_region_code", "{bad}");
            assert_eq!(body["details"][0]["field"], "code");
        }
        let (_, body) = app.get_json("/api/v1/regions/52230100100").await;
        insta::assert_json_snapshot!("invalid_region_code_body", body);
        let (status, body) = app.get_json("/api/v1/regions?within=xyz").await;
        assert_eq!(status, 400);
        assert_eq!(body["details"][0]["field"], "within");
    })
    .await;
}

#[tokio::test]
async fn unknown_codes_are_404() {
    each_backend(|app| async move {
        let (status, body) = app.get_json("/api/v1/regions/110101001001").await;
        assert_eq!(status, 404);
        insta::assert_json_snapshot!("region_not_found_body", body);
        let (status, _) = app.get_json("/api/v1/regions/110101/children").await;
        assert_eq!(status, 404);
        let (status, _) = app.get_json("/api/v1/regions?within=110101").await;
        assert_eq!(status, 404);
    })
    .await;
}
