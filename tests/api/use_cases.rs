//! The rules where they live: use cases of the application layer driven directly on a real
//! database (SQLite always, PostgreSQL when configured), with no HTTP in between.

use std::collections::BTreeMap;

use onetable_analytics::Datum;
use onetable_app::dashboards::aggregates::{aggregates, AggregateAsk};
use onetable_app::entries::access::EntryRef;
use onetable_app::entries::{edit, workflow};
use onetable_app::sharing::pull::{grant, PullAsk};
use onetable_app::sharing::DataRequest;
use onetable_app::Kind;
use onetable_core::value::RawCell;
use onetable_core::workflow::APPROVE;
use onetable_core::{Period, RegionCode, RegionLevel, Role};
use onetable_tests::{actor, backends, TestStore};

const VILLAGE: &str = "522301100200";

fn at(village: &str) -> EntryRef {
    EntryRef { region: RegionCode::parse(village).unwrap(), period: Period::Year(2025) }
}

fn number(code: &str, value: i64) -> (String, Option<RawCell>) {
    (code.to_owned(), Some(RawCell::Number(value.to_string())))
}

#[tokio::test]
async fn a_clerk_may_submit_only_a_form_whose_error_rules_pass_and_warnings_are_explained() {
    for backend in backends() {
        let store = TestStore::create(backend);
        let app = &store.app;
        let clerk = actor("uc_clerk", Role::Clerk, Some(VILLAGE), None);
        let cells = vec![number("POP.REGISTERED", 1000), number("POP.MALE", 500), number("POP.FEMALE", 400)];
        let written = edit::edit(app, &clerk, at(VILLAGE), Some("0"), cells, None).await.unwrap();
        assert_eq!(written.revision, 1);

        let refused = workflow::submit(app, &clerk, at(VILLAGE), Some("1"), BTreeMap::new()).await.unwrap_err();
        assert_eq!((refused.kind(), refused.code()), (Kind::Invalid, "submission_refused"));
        let rule = refused.details().iter().find(|d| d.field.as_deref() == Some("R.SEX_SUM")).unwrap();
        assert_eq!(rule.code, "rule_failed", "the error rule blocks it");

        edit::edit(app, &clerk, at(VILLAGE), Some("1"), vec![number("POP.FEMALE", 500)], None).await.unwrap();
        let submitted = workflow::submit(app, &clerk, at(VILLAGE), Some("2"), BTreeMap::new()).await.unwrap();
        assert_eq!((submitted.status.as_str(), submitted.revision), ("submitted", 3));

        // Only a reviewer over the village approves: the clerk cannot, and the denial is refused
        // before the revision is even read.
        let denied = workflow::review(app, &clerk, at(VILLAGE), None, APPROVE, None).await.unwrap_err();
        assert_eq!((denied.kind(), denied.code()), (Kind::Forbidden, "forbidden"));
        let elsewhere = actor("uc_rev_far", Role::Reviewer, Some("522301101"), None);
        let denied = workflow::review(app, &elsewhere, at(VILLAGE), Some("3"), APPROVE, None).await.unwrap_err();
        assert_eq!(denied.code(), "out_of_scope");
        let reviewer = actor("uc_rev", Role::Reviewer, Some("522301100"), None);
        let approved = workflow::review(app, &reviewer, at(VILLAGE), Some("3"), APPROVE, None).await.unwrap();
        assert_eq!(approved.status, "approved");
        let locked =
            edit::edit(app, &clerk, at(VILLAGE), Some("4"), vec![number("POP.MALE", 1)], None).await.unwrap_err();
        assert_eq!((locked.kind(), locked.code()), (Kind::Conflict, "entry_locked"));
    }
}

fn request(status: &str, active: bool) -> DataRequest {
    let now = chrono::Utc::now().naive_utc();
    DataRequest {
        id: 7,
        title: "t".into(),
        purpose: "p".into(),
        legal_basis: String::new(),
        department: "民政局".into(),
        requested_by: "mz".into(),
        region: "522301000000".into(),
        indicators: vec!["POP.REGISTERED".into(), "POP.AGED_60".into()],
        periods: vec!["2025".into()],
        frequency: None,
        start_period: None,
        expires_at: now,
        status: status.into(),
        active,
        decided_by: None,
        decided_at: None,
        decision_reason: None,
        created_at: now,
        registers: Vec::new(),
        full_values_asked: false,
        full_values: false,
    }
}

#[test]
fn a_pull_is_granted_only_inside_its_request() {
    let department = actor("mz", Role::Department, Some("5223"), Some("民政局"));
    let admin = actor("adm", Role::Admin, Some("5223"), None);
    let ask = |f: fn(&mut PullAsk)| {
        let mut ask = PullAsk { period: "2025".into(), ..PullAsk::default() };
        f(&mut ask);
        ask
    };
    let refusal = |actor: &onetable_app::Actor, request: &DataRequest, ask: PullAsk| {
        grant(actor, request, &ask).map(|_| ()).unwrap_err().code()
    };
    let approved = request("approved", true);
    assert_eq!(refusal(&department, &request("pending", false), ask(|_| {})), "request_not_active");
    assert_eq!(refusal(&department, &approved, ask(|a| a.period = "2024".into())), "period_not_granted");
    assert_eq!(refusal(&department, &approved, ask(|a| a.within = Some("522302".into()))), "out_of_scope");
    assert_eq!(
        refusal(&department, &approved, ask(|a| a.indicators = Some("POP.REGISTERED,POP.DISABLED".into()))),
        "indicator_not_granted"
    );
    assert_eq!(refusal(&department, &approved, ask(|a| a.include = Some("submitted".into()))), "forbidden");
    let granted = grant(&admin, &approved, &ask(|a| a.include = Some("submitted".into()))).unwrap();
    assert_eq!(granted.min_state, onetable_analytics::EntryState::Submitted, "admins may count submitted entries");
    let granted = grant(&department, &approved, &ask(|a| a.within = Some("522301100".into()))).unwrap();
    assert_eq!((granted.within.to_string().as_str(), granted.level), ("522301100000", RegionLevel::Village));
}

#[tokio::test]
async fn a_viewer_sees_small_sensitive_counts_as_below_five_and_no_sensitive_village_rows() {
    for backend in backends() {
        let store = TestStore::create(backend);
        let app = &store.app;
        let clerk = actor("uc_clerk", Role::Clerk, Some(VILLAGE), None);
        let cells = vec![number("POP.REGISTERED", 1000), number("POP.DISABLED", 3)];
        edit::edit(app, &clerk, at(VILLAGE), Some("0"), cells, None).await.unwrap();
        let mut conn = app.db.conn().unwrap();
        onetable_store::entries::set_status(&mut conn, VILLAGE, "2025", "approved").unwrap();
        drop(conn);

        let ask = |level: RegionLevel| AggregateAsk {
            indicators: "POP.REGISTERED,POP.DISABLED".into(),
            within: Some("522301".into()),
            level: Some(level),
            period: "2025".into(),
            ..AggregateAsk::default()
        };
        let viewer = actor("uc_viewer", Role::Viewer, Some("5223"), None);
        let township = aggregates(app, &viewer, ask(RegionLevel::Township)).await.unwrap();
        assert_eq!(township.withheld, ["POP.DISABLED"], "sensitive indicators are withheld below county level");
        let county = aggregates(app, &viewer, ask(RegionLevel::County)).await.unwrap();
        let disabled = county.report.measures.iter().position(|m| m.code == "POP.DISABLED").unwrap();
        assert_eq!(county.report.rows[0].values[disabled], Datum::Suppressed, "3 shows as <5");
        let admin = actor("uc_admin", Role::Admin, Some("5223"), None);
        let county = aggregates(app, &admin, ask(RegionLevel::County)).await.unwrap();
        assert_eq!(county.report.rows[0].values[disabled], Datum::Number(3.0), "admins see the number");
        let refused = aggregates(app, &clerk, ask(RegionLevel::County)).await.unwrap_err();
        assert_eq!(refused.kind(), Kind::Forbidden);
    }
}
