//! The forms page (报表清理) in headless Chromium: a department drops its old form, fixes a
//! match, leaves with a filed data request and a template it downloads filled once approved; an
//! admin teaches the registry a column name, decides proposals and runs a batch clean-up that the
//! burden page then shows.

use std::path::PathBuf;

use calamine::{Data, Reader, Xlsx};
use fantoccini::Locator;
use onetable_core::Role;
use onetable_store::Backend;
use onetable_tests::browser::{Browser, Window};
use onetable_tests::labelled_forms;
use onetable_tests::TestApp;
use serde_json::json;

use super::pages::{last_year, signed_in};

/// Writes a form where the browser can pick it up.
fn form_file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

async fn upload(browser: &Browser, input: &str, paths: &[PathBuf]) {
    let files: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let element = browser.client.find(Locator::Css(input)).await.unwrap();
    element.send_keys(&files.join("\n")).await.unwrap();
}

async fn attribute(browser: &Browser, css: &str, name: &str) -> String {
    let element = browser.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}"));
    element.attr(name).await.unwrap().unwrap_or_default()
}

#[tokio::test]
async fn a_department_turns_its_old_form_into_a_request_and_gets_it_back_filled() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_catalogue();
    let year = last_year().to_string();
    app.seed_entry(
        "522301100200",
        &year,
        "approved",
        &[("ECO.COLLECTIVE_TOTAL_INCOME", "35.6"), ("ECO.COLLECTIVE_TOTAL_EXPENSE", "21")],
    );
    app.add_user("nn_dept", Role::Department, Some("5223"), Some("农业农村局"));
    let dir = tempfile::tempdir().unwrap();
    let form = labelled_forms::named("02-");
    let path = form_file(&dir, "收益分配表.xlsx", &form.bytes());

    let Some(dept) = signed_in(&app, Window::Desktop, "nn_dept").await else { return };
    dept.wait_for_text("#my-requests h1", "数据需求").await;
    dept.click("#forms-link").await;
    dept.wait_for_text("#upload h1", "报表清理").await;
    upload(&dept, "#form-file", &[path]).await;
    dept.wait_for_text("#analysis h2", "村集体经济组织收益分配统计表").await;
    let income = dept.wait_for_text("li.form-column[data-column=\"B\"]", "村集体经济总收入").await;
    assert!(income.contains("单位：元（单位行）") && income.contains("换算 ×0.0001"), "{income}");
    assert_eq!(attribute(&dept, "li.form-column[data-column=\"I\"]", "data-code").await, "DER.COLLECTIVE_NET_INCOME");
    dept.wait_for_text("#f-share", "100%").await;

    // A match is fixed from the list: the column is new, then the indicator again.
    dept.click("li.form-column[data-column=\"K\"] [data-action=\"fix\"]").await;
    dept.click("li.form-column[data-column=\"K\"] [data-action=\"new\"]").await;
    assert_eq!(attribute(&dept, "li.form-column[data-column=\"K\"]", "data-sure").await, "none");
    dept.wait_for_text("#f-new", "1").await;
    dept.click("li.form-column[data-column=\"K\"] [data-action=\"fix\"]").await;
    dept.fill("#fix-K", "负债").await;
    dept.click("li.form-column[data-column=\"K\"] button[data-code=\"ECO.COLLECTIVE_DEBT\"]").await;
    assert_eq!(attribute(&dept, "li.form-column[data-column=\"K\"]", "data-code").await, "ECO.COLLECTIVE_DEBT");
    dept.wait_for_text("#f-new", "0").await;
    dept.client.execute("document.getElementById('analysis').scrollIntoView()", vec![]).await.unwrap();
    dept.screenshot("forms-analysis-desktop").await;

    // The draft request, completed and filed.
    dept.click("#make-draft").await;
    let picked = dept.wait_for_text("#req-picked", "村集体经济总收入").await;
    assert!(picked.contains("本年收益"), "{picked}");
    assert_eq!(attribute(&dept, "#req-title", "value").await, "");
    let title = dept.client.execute("return document.getElementById('req-title').value", vec![]).await.unwrap();
    assert_eq!(title, json!("村集体经济组织收益分配统计表"));
    dept.fill("#req-purpose", "村集体经济收益分配年报").await;
    dept.click("#req-submit").await;
    dept.wait_for_text("#draft-result", "已提交").await;

    // The template, then — once an admin approved the request — the form comes back filled.
    dept.click("#tpl-save").await;
    dept.wait_for_text("#tpl-result", "已保存").await;
    dept.wait_for_text("#templates li.template", "还没有包含这些指标、已批准的数据需求").await;
    let admin = app.user_token("zhou_admin", Role::Admin, Some("5223"), None).await;
    let (_, requests) = app.get_as(&admin, "/api/v1/data-requests").await;
    let id = requests["items"][0]["id"].as_i64().unwrap();
    app.send_json(reqwest::Method::POST, &admin, &format!("/api/v1/data-requests/{id}/approve"), &json!({})).await;
    dept.client.refresh().await.unwrap();
    dept.wait_for_text("#templates li.template", "下载填好的报表").await;
    dept.client.execute("document.getElementById('templates').scrollIntoView()", vec![]).await.unwrap();
    dept.screenshot("forms-template-desktop").await;
    dept.click("#templates button.download").await;
    let (name, bytes) = dept.downloaded(".xlsx").await;
    assert!(name.contains(year.as_str()), "the file names the period: {name}");
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let first = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&first).unwrap();
    assert!(
        range.rows().any(|r| r.get(1) == Some(&Data::Float(356_000.0))),
        "the filled form has the village's 总收入 in 元"
    );
    dept.close().await;
}

#[tokio::test]
async fn a_drafts_new_columns_are_listed_as_proposals_at_once_and_its_region_is_named() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_catalogue();
    app.add_user("mz_dept", Role::Department, Some("5223"), Some("民政局"));
    let dir = tempfile::tempdir().unwrap();
    let path = form_file(&dir, "救助.xlsx", &labelled_forms::named("04-").bytes());

    let Some(dept) = signed_in(&app, Window::Phone, "mz_dept").await else { return };
    dept.wait_for_text("#forms-link", "报表清理").await;
    dept.click("#forms-link").await;
    dept.wait_for_text("#proposals", "没有新指标建议").await;
    upload(&dept, "#form-file", &[path]).await;
    dept.wait_for_text("li.form-column[data-column=\"G\"]", "新指标").await;
    dept.click("#make-draft").await;
    dept.wait_for_text("#draft-proposals", "临时救助人次").await;
    // The list below says the same as the notice above, without a reload.
    dept.wait_for_text("#proposals li.proposal", "临时救助人次").await;
    let region = dept.client.execute("return document.getElementById('req-region').value", vec![]).await.unwrap();
    assert_eq!(region, json!("黔西南布依族苗族自治州"), "the draft's region is shown by name");
    dept.close().await;
}

#[tokio::test]
async fn an_admin_teaches_the_registry_a_column_name_decides_proposals_and_cleans_up_a_batch() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_catalogue();
    app.add_user("zhou_admin", Role::Admin, Some("5223"), None);
    let department = app.user_token("mz_dept", Role::Department, Some("5223"), Some("民政局")).await;
    let columns = json!([{"header": "临时救助人次", "name": "临时救助人次", "unit": null, "code": null},
        {"header": "救助资金", "name": "救助资金", "unit": "元", "code": null}]);
    app.send_json(
        reqwest::Method::POST,
        &department,
        "/api/v1/forms/draft-request",
        &json!({"form_title": "救助表", "columns": columns}),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let csv = form_file(&dir, "救助.csv", "村名,享受低保的户数,临时救助人次\n纳晓村,23,9\n".as_bytes());

    let Some(admin) = signed_in(&app, Window::Phone, "zhou_admin").await else { return };
    admin.wait_for_text("#forms-link", "报表清理").await;
    admin.click("#forms-link").await;
    admin.wait_for_text("#proposals h2", "待处理的新指标建议（2）").await;
    upload(&admin, "#form-file", std::slice::from_ref(&csv)).await;
    let column = admin.wait_for_text("li.form-column[data-column=\"B\"]", "新指标").await;
    assert!(column.contains("享受低保的户数"), "{column}");
    admin.click("li.form-column[data-column=\"B\"] [data-action=\"fix\"]").await;
    admin.fill("#fix-B", "低保户").await;
    admin.click("li.form-column[data-column=\"B\"] .suggestions button[data-code=\"SOC.DIBAO_HOUSEHOLDS\"]").await;
    assert_eq!(attribute(&admin, "li.form-column[data-column=\"B\"]", "data-code").await, "SOC.DIBAO_HOUSEHOLDS");
    assert_eq!(admin.phone_layout_problems().await, Vec::<String>::new(), "the analysis fits a phone");
    admin.client.execute("document.getElementById('form-columns').scrollIntoView()", vec![]).await.unwrap();
    admin.screenshot("forms-analysis-phone").await;
    admin.click("#confirm-mappings").await;
    admin.wait_for_text("#analysis-notice", "SOC.DIBAO_HOUSEHOLDS：享受低保的户数").await;
    // The page analyzed the form again: the name is now an alias.
    admin.wait_for_text("li.form-column[data-column=\"B\"]", "别名").await;

    // Proposals: a rejection needs a reason; an acceptance goes through the duplicate guard.
    admin.click("#proposals li.proposal:last-child [data-action=\"reject\"]").await;
    admin.wait_for_text("#proposals li.proposal:last-child .error", "驳回原因不能为空").await;
    let reason = admin.client.find(Locator::Css("#proposals li.proposal:last-child input[type=text]")).await.unwrap();
    reason.send_keys("已有同类指标").await.unwrap();
    admin.click("#proposals li.proposal:last-child [data-action=\"reject\"]").await;
    admin.wait_for_text("#proposals h2", "待处理的新指标建议（1）").await;
    admin.click("#proposals li.proposal [data-action=\"accept\"]").await;
    admin.wait_for_text("#indicator-form h2", "采纳建议").await;
    admin.fill("#ind-code", "SOC.TEMP_AID_TIMES").await;
    admin.fill("#ind-category", "社会保障").await;
    admin.click("#ind-save").await;
    admin.wait_for_text("#proposals h2", "待处理的新指标建议（0）").await;
    assert_eq!(app.get_as(&department, "/api/v1/indicators/SOC.TEMP_AID_TIMES").await.0, 200);

    // A batch clean-up, then its figure on the burden page.
    let second = form_file(&dir, "调查.csv", "行政村名称,户籍人口（人）,耕地面积（亩）\n纳晓村,1650,2300\n".as_bytes());
    upload(&admin, "#batch-files", &[csv, second]).await;
    let summary = admin.wait_for_text("#batch-summary", "2 张报表").await;
    assert!(
        summary.contains("4 列 → 4 项需求（指标库已有 3 项"),
        "the accepted proposal is in the registry now: {summary}"
    );
    admin.client.goto(&app.url("/burden?within=5223")).await.unwrap();
    admin.wait_for_text("#cleanup-figure", "2 张报表、4 列").await;
    admin.close().await;
}
