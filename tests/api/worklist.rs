//! The clerk's to-do list: what is due, what was returned (first, with the comment), what waits.

use chrono::Datelike;
use onetable_core::Role;
use onetable_tests::{each_backend, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};

const VILLAGE: &str = "522301100200";

#[tokio::test]
async fn the_worklist_puts_a_returned_form_first_with_the_reviewers_comment() {
    each_backend(|app| async move {
        app.load_catalogue();
        app.add_user("li_clerk", Role::Clerk, Some(VILLAGE), None);
        app.add_user("wang_reviewer", Role::Reviewer, Some("522301100"), None);
        let clerk = app.login("li_clerk", PASSWORD).await;
        let reviewer = app.login("wang_reviewer", PASSWORD).await;
        let last_year = (chrono::Utc::now() + chrono::TimeDelta::hours(8)).year() - 1;

        let (status, list) = app.get_as(&clerk, "/api/v1/worklist").await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(list["region"], VILLAGE);
        assert_eq!(list["region_name"], "吴家坪村村民委员会");
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 3, "one due period per frequency: {list}");
        assert_eq!(items[0]["period"], last_year.to_string(), "annual first");
        assert_eq!(items[0]["status"], "not_started");
        assert_eq!(items[0]["filled"], 0);
        assert!(items[0]["fields"].as_u64().unwrap() > 50, "the annual form: {}", items[0]);
        assert_eq!(items[1]["frequency"], "quarterly");
        assert_eq!(items[2]["frequency"], "monthly");

        // A form submitted and returned; an old draft; an old approved form.
        let annual = last_year.to_string();
        app.seed_entry(VILLAGE, &annual, "submitted", &[("POP.HOUSEHOLDS", "120")]);
        app.seed_entry(VILLAGE, &(last_year - 2).to_string(), "draft", &[("POP.HOUSEHOLDS", "110")]);
        app.seed_entry(VILLAGE, &(last_year - 3).to_string(), "approved", &[("POP.HOUSEHOLDS", "100")]);
        let path = format!("/api/v1/entries/{VILLAGE}/{annual}/return");
        let response = app
            .client
            .request(Method::POST, app.url(&path))
            .bearer_auth(&reviewer)
            .header("if-match", "\"1\"")
            .json(&json!({"comment": "户数与上年相差过大，请核实"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());

        let (_, list) = app.get_as(&clerk, "/api/v1/worklist").await;
        let items = list["items"].as_array().unwrap();
        let periods: Vec<&str> = items.iter().map(|i| i["period"].as_str().unwrap()).collect();
        assert_eq!(periods[0], annual, "returned first: {list}");
        assert_eq!(items[0]["status"], "returned");
        assert_eq!(items[0]["return_comment"], "户数与上年相差过大，请核实");
        assert_eq!(items[0]["returned_by"], "wang_reviewer");
        assert_eq!(items[0]["filled"], 1);
        assert!(periods.contains(&(last_year - 2).to_string().as_str()), "an old draft is still to do");
        assert!(!periods.contains(&(last_year - 3).to_string().as_str()), "an old approved form is done");

        let (status, body): (_, Value) = app.get_as(&reviewer, "/api/v1/worklist").await;
        assert_eq!(status, 403, "the list is the clerk's: {body}");
    })
    .await;
}

#[tokio::test]
async fn the_review_queue_holds_the_submitted_forms_in_scope_the_longest_waiting_first() {
    each_backend(|app| async move {
        app.load_catalogue();
        app.add_user("wang_reviewer", Role::Reviewer, Some("522301100"), None);
        app.add_user("li_clerk", Role::Clerk, Some(VILLAGE), None);
        let reviewer = app.login("wang_reviewer", PASSWORD).await;
        app.seed_entry(VILLAGE, "2025", "submitted", &[("POP.HOUSEHOLDS", "120")]);
        app.seed_entry("522301100201", "2025", "draft", &[("POP.HOUSEHOLDS", "90")]);
        app.seed_entry("522301001001", "2025", "submitted", &[("POP.HOUSEHOLDS", "80")]); // another township
        let (status, queue) = app.get_as(&reviewer, "/api/v1/review-queue").await;
        assert_eq!(status, 200, "{queue}");
        let items = queue["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "only submitted, only in scope: {queue}");
        assert_eq!(items[0]["region_code"], VILLAGE);
        assert_eq!(items[0]["village"], "吴家坪村村民委员会");
        assert_eq!(items[0]["township"], "敬南镇");
        assert_eq!(items[0]["period"], "2025");

        let (status, _) = app.get_as(&reviewer, "/api/v1/review-queue?within=522301001").await;
        assert_eq!(status, 404, "outside the scope is unknown");
        let clerk = app.login("li_clerk", PASSWORD).await;
        let (status, _) = app.get_as(&clerk, "/api/v1/review-queue").await;
        assert_eq!(status, 403);
    })
    .await;
}
