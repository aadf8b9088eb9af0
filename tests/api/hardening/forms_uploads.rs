//! The second hardening round (issue 26): forms read without holding what others need, templates
//! a spreadsheet can hold, parts of a multipart body that are not the file. (The uploads that
//! took the process down are tested against a server under a memory limit:
//! `crates/onetable-cli/tests/hostile_uploads.rs`.)

use std::time::Duration;

use onetable_core::Role;
use onetable_store::Backend;
use onetable_tests::hostile::{raw_xlsx, xls, xls_declaring, XlsCell};
use onetable_tests::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

use super::{still_up, XLSX};

async fn department(app: &TestApp) -> String {
    app.load_catalogue();
    app.user_token("up_dept", Role::Department, Some("5223"), Some("民政局")).await
}

/// A form whose header is merged as Excel merges it still reads: the parent over its two
/// sub-columns, the label merged down the two header rows; a one-cell "merge" (which other
/// writers leave in files) is not passed on.
#[tokio::test]
async fn a_merged_header_reads_through_its_ranges_and_a_one_cell_merge_is_dropped() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = department(&app).await;
    let form = raw_xlsx(
        &[
            ("A1", "村名"),
            ("B1", "户籍人口"),
            ("B2", "合计"),
            ("C2", "男"),
            ("A3", "纳晓村"),
            ("B3", "900"),
            ("C3", "460"),
        ],
        &["A1:A2", "B1:C1", "C2:C2"],
    );
    let (status, analysis) = app.post_file(&token, "/api/v1/forms/analyze", XLSX, form).await;
    assert_eq!(status, 200, "{analysis}");
    let headers: Vec<&str> =
        analysis["columns"].as_array().unwrap().iter().map(|c| c["header"].as_str().unwrap()).collect();
    assert_eq!(headers, vec!["户籍人口 / 合计", "户籍人口 / 男"]);
    assert_eq!(analysis["columns"][0]["matched"]["code"], "POP.REGISTERED", "{analysis}");
    assert_eq!(analysis["row_labels"], json!(["纳晓村"]));
    assert_eq!(analysis["data_rows"], 1);
    let merges = analysis["header_merges"].as_array().unwrap();
    assert_eq!(merges.len(), 2, "the one-cell merge is not passed on: {merges:?}");
}

/// An old-style XLS form is read as an XLSX is; one whose DIMENSIONS record starts after it ends
/// (calamine subtracts without checking) is refused as damaged, not a panic.
#[tokio::test]
async fn an_xls_form_is_analyzed_and_a_damaged_one_is_refused_in_chinese() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = department(&app).await;
    let form = xls(&[
        (0, 0, XlsCell::Text("村名")),
        (0, 1, XlsCell::Text("户籍人口（人）")),
        (1, 0, XlsCell::Text("纳晓村")),
        (1, 1, XlsCell::Number(900.0)),
    ]);
    let (status, analysis) = app.post_file(&token, "/api/v1/forms/analyze", "application/vnd.ms-excel", form).await;
    assert_eq!(status, 200, "{analysis}");
    assert_eq!(analysis["columns"][0]["matched"]["code"], "POP.REGISTERED", "{analysis}");
    assert_eq!(analysis["row_labels"], json!(["纳晓村"]));

    let damaged = xls_declaring(&[(0, 0, XlsCell::Text("村名"))], [100, 1, 0, 1]);
    let (status, error) = app.post_file(&token, "/api/v1/forms/analyze", "application/vnd.ms-excel", damaged).await;
    assert_eq!((status.as_u16(), error["error"].as_str()), (422, Some("not_a_table")), "{error}");
    assert!(error["message"].as_str().unwrap().contains("已损坏"), "{error}");
    still_up(&app).await;
}

/// The analyzer passed a `C2:C2` merge through, the template saved, and every XLSX fill then
/// answered 500 ("A merge range cannot be a single cell"). Now a one-cell merge is dropped when
/// the template is saved (and when an older template is filled), and overlapping merges are
/// refused with the field named.
#[tokio::test]
async fn a_template_with_a_one_cell_merge_fills_and_overlapping_merges_are_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = department(&app).await;
    let admin = app.user_token("up_admin", Role::Admin, Some("5223"), None).await;
    let template = |merges: Value| {
        json!({"name": "人口表", "header_cells": [["村名", "户籍人口", ""], ["", "合计", "男"]],
            "header_merges": merges, "label_columns": [{"column": "A", "kind": "village"}],
            "columns": [{"column": "B", "header": "户籍人口 / 合计", "code": "POP.REGISTERED", "unit": "人"},
                        {"column": "C", "header": "户籍人口 / 男", "code": null, "unit": null}]})
    };
    let overlapping =
        json!([{"top": 0, "left": 1, "bottom": 0, "right": 2}, {"top": 0, "left": 2, "bottom": 1, "right": 2}]);
    let (status, refused) =
        app.send_json(Method::POST, &token, "/api/v1/report-templates", &template(overlapping)).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["details"][0]["field"], "header_merges", "{refused}");
    assert!(refused["details"][0]["message"].as_str().unwrap().contains("重叠"), "{refused}");

    let one_cell = json!([{"top": 0, "left": 0, "bottom": 1, "right": 0}, {"top": 0, "left": 1, "bottom": 0, "right": 2},
        {"top": 1, "left": 2, "bottom": 1, "right": 2}]);
    let (status, saved) = app.send_json(Method::POST, &token, "/api/v1/report-templates", &template(one_cell)).await;
    assert_eq!(status, 201, "{saved}");
    let body = json!({"title": "人口", "purpose": "年度统计", "indicators": ["POP.REGISTERED"], "region": "522301100000",
        "periods": ["2025"], "expires_at": "2099-12-31"});
    let (_, filed) = app.send_json(Method::POST, &token, "/api/v1/data-requests", &body).await;
    let request = filed["id"].as_i64().unwrap();
    let (status, _) =
        app.send_json(Method::POST, &admin, &format!("/api/v1/data-requests/{request}/approve"), &json!({})).await;
    assert_eq!(status, 200);
    let id = saved["id"].as_i64().unwrap();
    for format in ["xlsx", "csv"] {
        let path = format!("/api/v1/report-templates/{id}/filled?request={request}&period=2025&format={format}");
        let response = app.client.get(app.url(&path)).bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status(), 200, "{format}: {}", response.text().await.unwrap_or_default());
    }
}

/// A workbook of about 5 MB: a header and 60,000 villages' rows.
fn big_form() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, name) in ["村名", "户籍人口", "常住人口", "总户数", "耕地面积", "劳动力人数"].iter().enumerate()
    {
        sheet.write_string(0, u16::try_from(c).unwrap(), *name).unwrap();
    }
    for r in 1..60_000u32 {
        sheet.write_string(r, 0, format!("村{r}")).unwrap();
        for c in 1..6u16 {
            sheet.write_number(r, c, f64::from(r) * f64::from(c)).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

/// Ten parallel analyses of a 5 MB workbook made other users wait 5 s for a connection and get
/// 503, and `/readyz` answered 503. Now a file is read without a connection, only as many
/// uploads are read at once as there are turns (the rest are told to come back, 429 with
/// `Retry-After`), and the readiness probe has a connection of its own: with one pooled
/// connection, sign-ins and probes are answered while forms are read.
#[tokio::test]
async fn forms_are_read_without_a_connection_and_uploads_beyond_their_turns_are_told_to_come_back() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.db_max_connections = 1;
        s.upload_turns = 2;
    })
    .await;
    let token = department(&app).await;
    let form = big_form();
    assert!(form.len() > 2_000_000, "{} bytes", form.len());
    let uploads: Vec<_> = (0..6)
        .map(|_| {
            let (client, url, token, form) =
                (app.client.clone(), app.url("/api/v1/forms/analyze"), token.clone(), form.clone());
            tokio::spawn(async move {
                let response =
                    client.post(url).bearer_auth(token).header("content-type", XLSX).body(form).send().await.unwrap();
                let retry = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
                (response.status().as_u16(), retry, response.json::<Value>().await.unwrap_or(Value::Null))
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    for _ in 0..5 {
        let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
        assert_eq!(ready.status(), 200, "the probe does not wait for the pool");
        let (status, me) = app.get_as(&token, "/api/v1/me").await;
        assert_eq!(status, 200, "{me}");
        let (status, _) = app.get_as(&token, "/api/v1/indicators?limit=5").await;
        assert_eq!(status, 200, "a reader gets the connection while forms are read");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut answered = Vec::new();
    for upload in uploads {
        answered.push(upload.await.unwrap());
    }
    let read = answered.iter().filter(|(status, _, _)| *status == 200).count();
    let refused: Vec<_> = answered.iter().filter(|(status, _, _)| *status == 429).collect();
    assert!(read >= 2, "each turn read its form: {answered:?}");
    assert_eq!(read + refused.len(), 6, "{answered:?}");
    assert!(!refused.is_empty(), "six at once with two turns: some are told to come back");
    for (_, retry, body) in refused {
        assert_eq!(body["error"], "too_many_uploads");
        assert_eq!(retry.as_deref(), Some("5"));
    }
    assert_eq!(answered.iter().find(|a| a.0 == 200).unwrap().2["data_rows"], 59_999);
}

/// Sends `body` to `path` chunked (no `Content-Length`, as a client streaming a body does) and
/// answers the status and the body of the answer.
async fn post_chunked(app: &TestApp, token: &str, path: &str, content_type: &str, body: &[u8]) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.url("").trim_start_matches("http://").trim_end_matches('/').to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {address}\r\nauthorization: Bearer {token}\r\ncontent-type: {content_type}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
    );
    let _ = stream.write_all(head.as_bytes()).await;
    for chunk in body.chunks(64 * 1024) {
        // The server may answer and close before the whole body is sent.
        if stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).await.is_err()
            || stream.write_all(chunk).await.is_err()
            || stream.write_all(b"\r\n").await.is_err()
        {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let json = text.find("\r\n\r\n").map(|at| &text[at + 4..]).unwrap_or_default();
    let json = json.find('{').map(|at| &json[at..json.rfind('}').map_or(json.len(), |end| end + 1)]).unwrap_or("null");
    (status, serde_json::from_str(json).unwrap_or(Value::Null))
}

/// A multipart field without a file name was read and thrown away with no size limit (1 GiB
/// before the file was accepted); now every part counts against the upload's limit.
#[tokio::test]
async fn a_large_part_that_is_not_the_file_counts_against_the_limit() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.import_max_mib = 1).await;
    let token = department(&app).await;
    let boundary = "----onetable-test";
    let mut body = format!("--{boundary}\r\ncontent-disposition: form-data; name=\"note\"\r\n\r\n").into_bytes();
    body.extend(vec![b'x'; 3 * 1024 * 1024]);
    body.extend(format!("\r\n--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\ncontent-type: text/csv\r\n\r\n村名,户籍人口\r\n纳晓村,1\r\n--{boundary}--\r\n").into_bytes());
    let content_type = format!("multipart/form-data; boundary={boundary}");
    for path in ["/api/v1/forms/analyze", "/api/v1/forms/cleanup"] {
        let (status, error) = post_chunked(&app, &token, path, &content_type, &body).await;
        assert_eq!((status, error["error"].as_str()), (413, Some("payload_too_large")), "{path}: {error}");
    }
    // The same file with a small note is read.
    let small = String::from_utf8(body).unwrap().replace(&"x".repeat(3 * 1024 * 1024), "备注");
    let (status, analysis) = post_chunked(&app, &token, "/api/v1/forms/analyze", &content_type, small.as_bytes()).await;
    assert_eq!(status, 200, "{analysis}");
    still_up(&app).await;
}

/// A clean-up in which no file could be read was still recorded as a run ("8 张报表、0 列"), and
/// the burden page showed it. It is answered (each file with why) and not recorded.
#[tokio::test]
async fn a_clean_up_that_read_no_form_is_answered_but_not_recorded() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = department(&app).await;
    let admin = app.user_token("up_admin", Role::Admin, Some("5223"), None).await;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..3 {
        zip.start_file(format!("坏{i}.xlsx"), zip::write::SimpleFileOptions::default()).unwrap();
        std::io::Write::write_all(&mut zip, b"not a workbook").unwrap();
    }
    let archive = zip.finish().unwrap().into_inner();
    let (status, report) = app.post_file(&token, "/api/v1/forms/cleanup", "application/zip", archive).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!((report["forms"].as_u64(), report["unreadable"].as_u64()), (Some(3), Some(3)));
    let (_, burden) = app.get_as(&admin, "/api/v1/burden?within=5223").await;
    assert_eq!(burden["forms_cleanup"], Value::Null, "no run recorded: {burden}");
}
