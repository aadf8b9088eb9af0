//! 台账 in the browser: the clerk keeps the village's 低保 list on a phone — imports its Excel
//! list, adds and closes a record, sees the form's counts follow; the reviewer sees the person
//! listed in two villages and confirms a change to a submitted form.

use onetable_core::Role;
use onetable_store::Backend;
use onetable_tests::browser::Window;
use onetable_tests::TestApp;
use serde_json::json;

use super::pages::signed_in;
use super::register_imports::village_list;
use super::registers::{id, link_dibao};

const VILLAGE: &str = "522301100200";

fn due_month() -> String {
    onetable_app::registers::derived::open_periods(
        onetable_core::indicator::Frequency::Monthly,
        onetable_app::time::china_today(),
    )[0]
    .to_string()
}

#[tokio::test]
async fn a_clerk_imports_the_village_list_on_a_phone_and_the_form_counts_follow() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_catalogue();
    let admin = app.user_token("t_admin", Role::Admin, None, None).await;
    link_dibao(&app, &admin).await;
    app.add_user("wjp_clerk", Role::Clerk, Some(VILLAGE), None);
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("低保户花名册.xlsx");
    let rows = [("王德明", id("19580312", 1), 3, "A类"), ("杨秀英", id("19490817", 2), 1, "A类")];
    std::fs::write(&list, village_list(&rows)).unwrap();

    let Some(phone) = signed_in(&app, Window::Phone, "wjp_clerk").await else { return };
    phone.wait_for_text("#registers-link", "本村台账").await;
    phone.click("#registers-link").await;
    phone.wait_for_text("#records", "台账中还没有记录").await;
    phone.click("#register-import summary").await;
    let input = phone.client.find(fantoccini::Locator::Css("#register-file")).await.unwrap();
    input.send_keys(&list.display().to_string()).await.unwrap();
    phone.click("#register-check").await;
    let summary = phone.wait_for_text("#register-import-summary", "将新增 2 条").await;
    assert!(summary.contains("身份证号码 → 户主身份证号") && summary.contains("未使用：序号、备注"), "{summary}");
    phone.click("#register-run").await;
    phone.wait_for_text("#register-import-summary", "已新增 2 条").await;
    phone.wait_for_text("#register-counts", "农村低保户数：2 户").await;
    phone.wait_for_text("#register-counts", "农村低保人数：4 人").await;
    let listed = phone.wait_for_text("#records", "王**").await;
    assert!(listed.contains("5223**********") && !listed.contains(&id("19580312", 1)), "masked: {listed}");

    // A new household, refused once for its ID number, then added.
    phone.click("#add-record").await;
    phone.fill("#col-head_name", "韦国强").await;
    let right = id("19720105", 3);
    let wrong = format!("{}{}", &right[..17], if right.ends_with('0') { '1' } else { '0' });
    phone.fill("#col-id_number", &wrong).await;
    phone.fill("#col-members", "4").await;
    phone.click("#record-form button[type=submit]").await;
    phone.wait_for_text("[data-field=\"id_number\"] .error", "校验位").await;
    phone.screenshot("register-refused-phone").await;
    phone.fill("#col-id_number", &id("19720105", 3)).await;
    phone.click("#record-form button[type=submit]").await;
    phone.wait_for_text("#register-counts", "农村低保户数：3 户").await;
    phone.wait_for_text("#register-counts", "农村低保人数：8 人").await;
    phone.screenshot("registers-phone").await;
    assert_eq!(phone.phone_layout_problems().await, Vec::<String>::new());

    // The form shows the counts as the register gives them, read-only, with the way to the list.
    phone.client.goto(&app.url(&format!("/form?period={}", due_month()))).await.unwrap();
    let field = phone.wait_for_text("[data-code=\"SOC.DIBAO_HOUSEHOLDS\"]", "来自农村低保户台账：3 户").await;
    assert!(field.contains("农村低保户数"), "{field}");
    let tag: String = phone
        .client
        .execute("return document.getElementById('f-SOC.DIBAO_HOUSEHOLDS').tagName", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(tag, "OUTPUT", "not an input");
    phone.close().await;

    let clerk = app.login("wjp_clerk", onetable_tests::PASSWORD).await;
    let (_, entry) = app.get_as(&clerk, &format!("/api/v1/entries/{VILLAGE}/{}", due_month())).await;
    let stored = entry["values"].as_array().unwrap().iter().find(|c| c["code"] == "SOC.DIBAO_PERSONS").unwrap().clone();
    assert_eq!((stored["value"].clone(), stored["source"].clone()), (json!(8), json!("register")), "{entry}");
}

#[tokio::test]
async fn a_reviewer_sees_a_person_listed_twice_and_confirms_a_change_to_a_submitted_form() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_catalogue();
    let admin = app.user_token("t_admin", Role::Admin, None, None).await;
    link_dibao(&app, &admin).await;
    app.add_user("jn_reviewer", Role::Reviewer, Some("522301100"), None);
    let clerk = app.user_token("t_clerk", Role::Clerk, Some(VILLAGE), None).await;
    let other = app.user_token("t_clerk2", Role::Clerk, Some("522301100201"), None).await;
    let person = id("19630921", 5);
    let record = json!({"values": {"head_name": "罗桂芬", "id_number": person, "members": 2}});
    for (token, village) in [(&clerk, VILLAGE), (&other, "522301100201")] {
        let (status, body) = app
            .send_json(
                reqwest::Method::POST,
                token,
                &format!("/api/v1/registers/REG.DIBAO/records?village={village}"),
                &record,
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let month = due_month();
    onetable_store::entries::set_status(&mut app.db.conn().unwrap(), VILLAGE, &month, "submitted").unwrap();
    let (status, _) = app
        .send_json(
            reqwest::Method::POST,
            &clerk,
            &format!("/api/v1/registers/REG.DIBAO/records?village={VILLAGE}"),
            &json!({"values": {"head_name": "黄正文", "id_number": id("19800614", 6), "members": 5}}),
        )
        .await;
    assert_eq!(status, 201);

    let Some(browser) = signed_in(&app, Window::Desktop, "jn_reviewer").await else { return };
    browser.wait_for_text("#registers-link", "台账重复核查").await;
    browser.click("#registers-link").await;
    let found = browser.wait_for_text("#duplicates", "同时在册于").await;
    assert!(found.contains("吴家坪村") && found.contains("必亮村") && found.contains(&person[14..]), "{found}");
    assert!(!found.contains(&person), "masked: {found}");
    let groups = browser.wait_for_text("#register-groups", "各村、各村民小组在册数").await;
    assert!(groups.contains("吴家坪村") && groups.contains("（未分组）"), "{groups}");
    browser.screenshot("register-duplicates-desktop").await;

    browser.client.goto(&app.url(&format!("/form?period={month}&region={VILLAGE}"))).await.unwrap();
    let card = browser.wait_for_text("#register-confirm", "台账变化待确认").await;
    assert!(card.contains("农村低保户数：1 → 2"), "{card}");
    let field = browser.wait_for_text("[data-code=\"SOC.DIBAO_HOUSEHOLDS\"]", "现为 2 户，待审核员确认").await;
    assert!(field.contains('1'), "the form shows what was submitted until confirmed: {field}");
    browser.screenshot("register-confirm-desktop").await;
    browser.click("#register-confirm-button").await;
    browser.wait_for_text("#outcome", "已按台账更新").await;
    browser.wait_for_text("[data-code=\"SOC.DIBAO_HOUSEHOLDS\"]", "来自农村低保户台账：2 户").await;
    browser.wait_for_text("#entry-status", "待审核").await;
    browser.close().await;
}

#[tokio::test]
async fn a_department_asks_for_the_list_gets_it_masked_and_the_village_sees_who_read_it() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_catalogue();
    let admin = app.user_token("t_admin", Role::Admin, None, None).await;
    link_dibao(&app, &admin).await;
    app.add_user("mz_dept", Role::Department, Some("5223"), Some("民政局"));
    app.add_user("zhou_admin", Role::Admin, Some("5223"), None);
    app.add_user("wjp_clerk", Role::Clerk, Some(VILLAGE), None);
    let clerk = app.login("wjp_clerk", onetable_tests::PASSWORD).await;
    let person = id("19580312", 1);
    let (status, _) = app
        .send_json(
            reqwest::Method::POST,
            &clerk,
            &format!("/api/v1/registers/REG.DIBAO/records?village={VILLAGE}"),
            &json!({"values": {"head_name": "王德明", "id_number": person, "members": 3, "kind": "A类"}}),
        )
        .await;
    assert_eq!(status, 201);

    let Some(dept) = signed_in(&app, Window::Desktop, "mz_dept").await else { return };
    dept.wait_for_text("#request-form h2", "新建数据需求").await;
    dept.fill("#req-title", "低保对象资金核对").await;
    dept.fill("#req-purpose", "核对低保金发放对象").await;
    dept.fill("#req-legal", "《社会救助暂行办法》第十一条").await;
    dept.client
        .execute("const s = document.getElementById('req-register'); s.value = 'REG.DIBAO'; s.dispatchEvent(new Event('change'));", vec![])
        .await
        .unwrap();
    dept.wait_for_text("#req-registers", "农村低保户台账").await;
    for column in ["head_name", "id_number", "members"] {
        dept.click(&format!("#req-col-REG\\.DIBAO-{column}")).await;
    }
    dept.screenshot("request-register-desktop").await;
    dept.click("#req-submit").await;
    let filed = dept.wait_for_text("#my-requests li.request", "待审核").await;
    assert!(filed.contains("台账：农村低保户台账（户主姓名、户主身份证号、保障人数）"), "{filed}");
    let id: i64 = dept
        .client
        .execute("return Number(document.querySelector('#my-requests li.request').dataset.id)", vec![])
        .await
        .unwrap()
        .as_i64()
        .unwrap();

    let Some(admin) = signed_in(&app, Window::Desktop, "zhou_admin").await else { return };
    admin.wait_for_text("#requests-link", "数据需求审核").await;
    admin.click("#requests-link").await;
    admin.wait_for_text(&format!("#review-requests li[data-id=\"{id}\"]"), "农村低保户台账").await;
    admin.click(&format!("#review-requests li[data-id=\"{id}\"] button[data-action=\"approve\"]")).await;
    admin.wait_for_text(&format!("#decided-requests li[data-id=\"{id}\"]"), "已批准").await;
    admin.close().await;

    dept.client.refresh().await.unwrap();
    dept.wait_for_text(&format!("#my-requests li[data-id=\"{id}\"]"), "已批准").await;
    dept.click(&format!("#dl-records-{id}-REG\\.DIBAO")).await;
    let (_, csv) = dept.downloaded(".csv").await;
    let csv = String::from_utf8_lossy(&csv).into_owned();
    assert!(
        csv.contains("户主身份证号")
            && csv.contains("王**")
            && csv.contains(&format!("5223**********{}", &person[14..])),
        "{csv}"
    );
    assert!(
        !csv.contains(&person) && !csv.contains("王德明") && !csv.contains("保障类别"),
        "masked, granted columns only: {csv}"
    );
    dept.close().await;

    let Some(phone) = signed_in(&app, Window::Phone, "wjp_clerk").await else { return };
    let used = phone.wait_for_text("#usage", "民政局").await;
    assert!(used.contains("农村低保户台账（户主姓名、户主身份证号、保障人数）"), "{used}");
    phone.close().await;
}

#[tokio::test]
async fn an_admin_defines_a_register_type_in_the_registry_page() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_catalogue();
    app.add_user("zhou_admin", Role::Admin, Some("5223"), None);
    let Some(admin) = signed_in(&app, Window::Desktop, "zhou_admin").await else { return };
    admin.wait_for_text("#registry-link", "指标库").await;
    admin.click("#registry-link").await;
    let listed = admin.wait_for_text("#register-types", "农村低保户台账（REG.DIBAO）").await;
    assert!(listed.contains("户主身份证号［敏感］"), "{listed}");
    admin.click("#new-register").await;
    admin.fill("#rt-code", "REG.WELLS").await;
    admin.fill("#rt-name", "饮水井台账").await;
    admin.fill("#rt-col-0-code", "Owner").await;
    admin.fill("#rt-col-0-name", "户主").await;
    admin.fill("#rt-col-1-code", "depth").await;
    admin.fill("#rt-col-1-name", "井深（米）").await;
    admin.client.execute("document.getElementById('rt-col-1-type').value = 'decimal'", vec![]).await.unwrap();
    admin.fill("#rt-key", "owner").await;
    admin.click("#rt-save").await;
    admin.wait_for_text("[data-field=\"columns[0].code\"] .error", "列代码“Owner”无效").await;
    admin.client.execute("document.getElementById('rt-col-0-code').value = ''", vec![]).await.unwrap();
    admin.fill("#rt-col-0-code", "owner").await;
    admin.click("#rt-col-0-required").await;
    admin.screenshot("register-type-form-desktop").await;
    admin.click("#rt-save").await;
    admin.wait_for_text("#register-types", "饮水井台账（REG.WELLS）").await;

    // A village keeps a record of 低保; the admin changes the type: one more option and the phone
    // made sensitive pass (version 2), retyping a column is refused at that column.
    app.add_user("zhou_clerk", Role::Clerk, Some("522301100200"), None);
    let clerk = app.login("zhou_clerk", onetable_tests::PASSWORD).await;
    let person = id("19610415", 3);
    let (status, body) = app
        .send_json(
            reqwest::Method::POST,
            &clerk,
            "/api/v1/registers/REG.DIBAO/records?village=522301100200",
            &json!({"values": {"head_name": "周学明", "id_number": person, "members": 3, "phone": "13912345678"}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    admin.click("[data-register=\"REG.DIBAO\"] .edit-register").await;
    admin.wait_for_text("#register-type-form h2", "第 1 版").await;
    admin.fill("#rt-col-3-options", "A类,B类,C类,D类").await;
    admin.client.execute("document.getElementById('rt-col-7-personal').value = 'sensitive'", vec![]).await.unwrap();
    admin.fill("#rt-note", "增加 D 类").await;
    admin.click("#rt-save").await;
    let note = admin.wait_for_text("#register-saved", "第 2 版").await;
    admin.client.execute("document.getElementById('register-types').scrollIntoView()", vec![]).await.unwrap();
    admin.screenshot("register-type-version-desktop").await;
    assert!(note.contains("1 条已有记录") && note.contains("新增选项：D类"), "{note}");
    admin.click("[data-register=\"REG.DIBAO\"] .edit-register").await;
    admin.client.execute("document.getElementById('rt-col-2-type').value = 'decimal'", vec![]).await.unwrap();
    admin.click("#rt-save").await;
    admin.wait_for_text("[data-field=\"columns[2].type\"] .error", "类型").await;
    admin.close().await;
    let token = app.login("zhou_admin", onetable_tests::PASSWORD).await;
    let (_, dibao) = app.get_as(&token, "/api/v1/registers/REG.DIBAO").await;
    assert_eq!(dibao["version"], 2, "{dibao}");
    let members = dibao["columns"].as_array().unwrap().iter().find(|c| c["code"] == "members").unwrap();
    assert_eq!(
        (members["min"].as_f64(), members["aliases"][0].as_str()),
        (Some(1.0), Some("享受人数")),
        "kept: {dibao}"
    );
    let (status, saved) = app.get_as(&token, "/api/v1/registers/REG.WELLS").await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["columns"][1]["type"], "decimal");
    assert_eq!(saved["key"], json!(["owner"]));
}
