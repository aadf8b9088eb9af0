//! Uploads whose cost is bounded before they are read (issue 13, item 1), and imported cells
//! that may not hold hidden characters (item 3).

use std::io::Write;

use onetable_analytics::render::{to_xlsx, Cell, Table};
use onetable_core::Role;
use onetable_store::Backend;
use onetable_tests::TestApp;
use serde_json::Value;

use super::{first_detail, import, still_up, VILLAGE, XLSX};

/// A workbook with a header at A1 and one more cell at (`row`, `column`), zero-based.
fn sparse_workbook(row: u32, column: u16) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "region_code").unwrap();
    sheet.write_string(0, 1, "POP.REGISTERED").unwrap();
    sheet.write_string(row, column, "x").unwrap();
    book.save_to_buffer().unwrap()
}

async fn reviewer(app: &TestApp) -> String {
    app.load_catalogue();
    app.user_token("up_rev", Role::Reviewer, Some("522301100"), None).await
}

/// A cell in the far corner of the sheet used to make calamine allocate ~50 GB and abort the
/// process; a cell a few thousand rows down in column XFD, 2 GB. Refused before any row is built.
#[tokio::test]
async fn a_workbook_whose_cells_span_a_huge_rectangle_is_refused_without_reading_it() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = reviewer(&app).await;
    let corner = sparse_workbook(1_048_575, 16_383);
    assert!(corner.len() < 10_000, "a small file: {} bytes", corner.len());
    for query in ["", "?dry_run=true"] {
        let (status, body) = import(&app, &token, query, XLSX, corner.clone()).await;
        assert_eq!(status, 413, "{body}");
        assert_eq!(body["error"], "file_too_large");
        assert!(body["message"].as_str().unwrap().contains("XFD1048576"), "names the far cell: {body}");
    }
    let (status, body) = import(&app, &token, "", XLSX, sparse_workbook(4_000, 16_383)).await;
    assert_eq!(status, 413, "{body}");
    still_up(&app).await;
}

/// A workbook whose parts inflate beyond the limit (a deflate bomb) is refused while it is
/// being measured; the limit here is 1 MiB so the bomb can be small.
#[tokio::test]
async fn a_workbook_that_inflates_beyond_the_limit_is_refused() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.import_max_inflated_mib = 1).await;
    let token = reviewer(&app).await;
    let table = Table {
        headers: vec!["region_code".into(), "POP.REGISTERED".into()],
        rows: vec![vec![VILLAGE.into(), Cell::Number(5.0)]],
    };
    let honest = to_xlsx(&[("data", &table)]).unwrap();
    let (status, body) = import(&app, &token, "?period=2025&dry_run=true", XLSX, honest.clone()).await;
    assert_eq!(status, 200, "a small workbook passes: {body}");

    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(honest)).unwrap();
    let mut bomb = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        bomb.raw_copy_file(archive.by_index(index).unwrap()).unwrap();
    }
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    bomb.start_file("xl/padding.xml", options).unwrap();
    bomb.write_all(&vec![b' '; 3 * 1024 * 1024]).unwrap();
    let bomb = bomb.finish().unwrap().into_inner();
    assert!(bomb.len() < 100_000, "it compresses well: {} bytes", bomb.len());
    let (status, body) = import(&app, &token, "?period=2025", XLSX, bomb).await;
    assert_eq!(status, 413, "{body}");
    assert!(body["message"].as_str().unwrap().contains("解压后超过 1 MiB"), "{body}");
    still_up(&app).await;
}

#[tokio::test]
async fn a_table_with_more_cells_than_allowed_is_refused_in_either_format() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.import_max_cells = 10).await;
    let token = reviewer(&app).await;
    let mut csv = String::from("region_code,POP.REGISTERED\n");
    for _ in 0..6 {
        csv.push_str(&format!("{VILLAGE},1\n"));
    }
    let (status, body) = import(&app, &token, "?period=2025", "text/csv", csv.into_bytes()).await;
    assert_eq!((status.as_u16(), body["error"].as_str()), (413, Some("file_too_large")), "{body}");
    let rows = (0..6).map(|_| vec![Cell::from(VILLAGE), Cell::Number(1.0)]).collect();
    let table = Table { headers: vec!["region_code".into(), "POP.REGISTERED".into()], rows };
    let (status, body) = import(&app, &token, "?period=2025", XLSX, to_xlsx(&[("data", &table)]).unwrap()).await;
    assert_eq!((status.as_u16(), body["error"].as_str()), (413, Some("file_too_large")), "{body}");
}

/// A NUL gave 500 on PostgreSQL and was stored on SQLite; now the file is refused with the cell
/// named, and nothing is written.
#[tokio::test]
async fn an_imported_cell_with_a_control_character_rejects_the_file() {
    onetable_tests::each_backend(|app| async move {
        let token = reviewer(&app).await;
        let csv = format!("region_code,period,AGR.LEADING_INDUSTRY,POP.REGISTERED\n{VILLAGE},2025,食用\u{0}菌,100\n");
        let (status, body) = import(&app, &token, "", "text/csv", csv.into_bytes()).await;
        assert_eq!((status.as_u16(), body["error"].as_str()), (422, Some("import_rejected")), "{body}");
        assert_eq!(first_detail(&body).0, "AGR.LEADING_INDUSTRY");
        assert!(body["details"][0]["message"].as_str().unwrap().contains("控制字符"), "{body}");
        let (_, entry) = app.get_as(&token, &format!("/api/v1/entries/{VILLAGE}/2025")).await;
        assert_eq!(entry["values"], Value::Array(vec![]), "nothing imported");
        let bidi = format!("region_code,period,AGR.LEADING_INDUSTRY\n{VILLAGE},2025,食用菌\u{202E}abc\n");
        let (status, _) = import(&app, &token, "", "text/csv", bidi.into_bytes()).await;
        assert_eq!(status, 422);
    })
    .await;
}
