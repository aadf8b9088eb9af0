//! Due dates and 催报 in the browser: the reviewer picks the overdue villages and reminds them;
//! the clerk sees the reminder first, and the form's due date, on a phone.

use onetable_core::Role;
use onetable_store::Backend;
use onetable_tests::browser::Window;
use onetable_tests::TestApp;
use serde_json::Value;

use super::pages::{last_year, signed_in};

#[tokio::test]
async fn a_reviewer_reminds_an_overdue_village_and_its_clerk_reads_it_first() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_catalogue();
    app.add_user("jn_reviewer", Role::Reviewer, Some("522301100"), None);
    app.add_user("wjp_clerk", Role::Clerk, Some("522301100200"), None);
    // Two years back is overdue whatever today is; the clerk has a draft of it.
    let period = (last_year() - 1).to_string();
    app.seed_entry("522301100200", &period, "draft", &[]);

    let Some(browser) = signed_in(&app, Window::Desktop, "jn_reviewer").await else { return };
    browser.wait_for_text("#timeliness h2", "及时率与催报").await;
    browser.wait_for_text("#timeliness-table", "应报").await;
    let script = format!(
        "const s = document.getElementById('timeliness-period'); s.value = '{period}'; s.dispatchEvent(new Event('change'));"
    );
    browser.client.execute(&script, vec![]).await.unwrap();
    browser.wait_for_text("#timeliness-due", &format!("{}年1月31日", last_year())).await;
    let overdue = browser.wait_for_text("#overdue h3", "逾期未报").await;
    assert!(overdue.contains("个村"), "{overdue}");
    browser.click("#select-all").await;
    browser.click("#late-522301100200").await;
    browser.fill("#reminder-message", "请本周内提交，有困难找乡镇").await;
    browser.click("#send-reminder").await;
    browser.wait_for_text("#overdue .form-message", "已向 1 个村发送催报").await;
    browser.wait_for_text("#reminders-sent", "未读").await;
    browser.screenshot("timeliness-desktop").await;
    browser.close().await;

    let Some(phone) = signed_in(&app, Window::Phone, "wjp_clerk").await else { return };
    let first = phone.wait_for_text("#my-reminders", "请本周内提交").await;
    assert!(first.contains("jn_reviewer"), "{first}");
    let due = phone.wait_for_text(&format!("#worklist li[data-period=\"{period}\"] .due"), "已逾期").await;
    assert!(due.contains(&format!("截止 {}年1月31日", last_year())), "{due}");
    phone.screenshot("reminder-phone").await;
    assert!(phone.phone_layout_problems().await.is_empty());
    phone.click("#my-reminders button[data-action=\"read\"]").await;
    phone.wait_for_text("#my-reminders li", "已读").await;
    phone.close().await;

    let reviewer = app.login("jn_reviewer", onetable_tests::PASSWORD).await;
    let (_, sent) = app.get_as(&reviewer, &format!("/api/v1/reminders?period={period}")).await;
    assert_eq!(sent[0]["read_by"], Value::from("wjp_clerk"), "{sent}");
}

#[tokio::test]
async fn a_village_prints_its_approved_form_for_the_seal() {
    use diesel::prelude::*;
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_catalogue();
    app.add_user("wjp_clerk", Role::Clerk, Some("522301100200"), None);
    let period = last_year().to_string();
    app.seed_entry("522301100200", &period, "approved", &[("POP.REGISTERED", "1234"), ("POP.HOUSEHOLDS", "321")]);
    {
        use onetable_store::schema::entry_events;
        let at = chrono::Utc::now().naive_utc();
        for (action, actor) in [("submit", "wjp_clerk"), ("approve", "jn_reviewer")] {
            diesel::insert_into(entry_events::table)
                .values((
                    entry_events::region_code.eq("522301100200"),
                    entry_events::period.eq(&period),
                    entry_events::action.eq(action),
                    entry_events::actor.eq(actor),
                    entry_events::revision.eq(1_i64),
                    entry_events::occurred_at.eq(at),
                ))
                .execute(&mut *app.db.conn().unwrap())
                .unwrap();
        }
    }
    let Some(browser) = signed_in(&app, Window::Desktop, "wjp_clerk").await else { return };
    let link = browser.wait_for_text(&format!("#worklist li[data-period=\"{period}\"] .print-link"), "打印").await;
    assert!(link.contains("盖章"), "{link}");
    browser.click(&format!("#worklist li[data-period=\"{period}\"] .print-link")).await;
    browser.wait_for_text("#print-status", "已通过").await;
    let sheet = browser.page_text().await;
    for expected in ["1234 人", "321 户", "提交：wjp_clerk", "审核通过：jn_reviewer", "盖章", "乡镇审核人（签字）"]
    {
        assert!(sheet.contains(expected), "{expected} on the sheet: {sheet}");
    }
    browser.screenshot("print-desktop").await;
    browser.close().await;
}

#[tokio::test]
async fn a_county_admin_sets_its_due_dates_and_a_townships_robot_and_finds_an_account() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.reminder_robot_hosts.push("127.0.0.1".to_owned())).await;
    app.load_catalogue();
    app.add_user("xy_admin", Role::Admin, Some("522301"), None);
    app.add_user("jn_reviewer", Role::Reviewer, Some("522301100"), None);
    let (url, received) = super::deadlines::robot();
    let Some(browser) = signed_in(&app, Window::Desktop, "xy_admin").await else { return };
    browser.wait_for_text("#deadline-form h3", "截止日期").await;
    let script = "const s = document.getElementById('deadline-period'); s.value = 'annual'; s.dispatchEvent(new Event('change'));";
    browser.client.execute(script, vec![]).await.unwrap();
    browser.fill("#deadline-days", "45").await;
    browser.click("#deadline-save").await;
    browser.wait_for_text("#deadline-form .form-message", "期末后 45 天").await;

    browser.fill("#hook-region", "522301100").await;
    browser.fill("#hook-url", &url).await;
    browser.click("#hook-save").await;
    browser.wait_for_text("#hook-form .form-message", "已保存").await;
    browser.screenshot("deadlines-and-robot-desktop").await;
    browser.click("#users-link").await;
    browser.wait_for_text("#users h1", "用户管理").await;
    browser.fill("#user-search", "jn_").await;
    browser.click("#user-search-go").await;
    browser.wait_for_text("#users h1", "用户管理（1）").await;
    browser.wait_for_text("li.user[data-username=\"jn_reviewer\"]", "jn_reviewer").await;
    browser.close().await;

    let admin = app.login("xy_admin", onetable_tests::PASSWORD).await;
    let (_, deadlines) = app.get_as(&admin, "/api/v1/deadlines").await;
    assert_eq!(
        (deadlines[0]["applies_to"].as_str(), deadlines[0]["days_after"].as_i64()),
        (Some("annual"), Some(45)),
        "{deadlines}"
    );
    let reviewer = app.login("jn_reviewer", onetable_tests::PASSWORD).await;
    let body = serde_json::json!({"period": (last_year() - 1).to_string(), "villages": ["522301100200"]});
    let (status, _) = app.send_json(reqwest::Method::POST, &reviewer, "/api/v1/reminders", &body).await;
    assert_eq!(status, 201);
    let posted = received.recv_timeout(std::time::Duration::from_secs(5)).unwrap();
    assert!(posted["text"]["content"].as_str().unwrap().contains("催报"), "{posted}");
}
