//! The clean-up report of many forms: a ZIP of the labelled set (and a file that is no table)
//! counted as the labels say — forms, columns, distinct needs, how many the registry has — and
//! the run's figure on the burden page.

use std::collections::BTreeSet;
use std::io::Write;

use onetable_core::Role;
use onetable_tests::each_backend;
use onetable_tests::labelled_forms::{self, Expected};

fn zip_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in files {
        zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[tokio::test]
async fn a_zip_of_forms_comes_down_to_its_distinct_needs_and_the_burden_page_shows_it() {
    each_backend(|app| async move {
        app.load_catalogue();
        let admin = app.user_token("zhou_admin", Role::Admin, Some("5223"), None).await;
        let forms = labelled_forms::all();
        let mut files: Vec<(String, Vec<u8>)> = forms
            .iter()
            .map(|f| (format!("部门报表/{}.{}", f.file, if f.xlsx { "xlsx" } else { "csv" }), f.bytes()))
            .collect();
        files.push(("部门报表/照片.xlsx".to_owned(), b"\x89PNG\r\n\x1a\n0000".to_vec()));
        files.push(("__MACOSX/._照片.xlsx".to_owned(), b"junk".to_vec()));
        let (status, report) = app.post_file(&admin, "/api/v1/forms/cleanup", "application/zip", zip_of(&files)).await;
        assert_eq!(status, 200, "{report}");
        eprintln!("clean-up of the labelled set: {}", report["summary"]);

        // What the labels say: the codes the known columns need, and the new ones.
        let columns: usize = forms.iter().map(|f| f.expected.len()).sum();
        let codes: BTreeSet<&str> = forms
            .iter()
            .flat_map(|f| f.expected.iter())
            .filter_map(|(_, e)| match e {
                Expected::Code { code, .. } => Some(code.as_str()),
                Expected::New => None,
            })
            .collect();
        assert_eq!(report["forms"], forms.len() + 1, "{}", report["summary"]);
        assert_eq!(report["unreadable"], 1);
        assert_eq!(report["columns"], columns);
        let in_registry = report["in_registry"].as_u64().unwrap() as usize;
        assert!(
            in_registry <= codes.len() && in_registry * 100 >= codes.len() * 90,
            "{in_registry} of {}",
            codes.len()
        );
        let distinct = report["distinct_needs"].as_u64().unwrap() as usize;
        assert!(distinct < columns, "the clean-up finds shared needs: {distinct} of {columns}");
        assert_eq!(distinct, in_registry + report["new_needs"].as_u64().unwrap() as usize);
        let top = &report["needs"][0];
        assert!(top["forms"].as_u64().unwrap() >= 2, "the most asked indicator is asked by several forms: {top}");
        let bad = report["per_form"].as_array().unwrap().iter().find(|f| f["file"] == "部门报表/照片.xlsx").unwrap();
        assert!(bad["error"].as_str().unwrap().contains("无法识别"), "{bad}");

        let (_, burden) = app.get_as(&admin, "/api/v1/burden?within=5223").await;
        assert_eq!(burden["forms_cleanup"]["forms"], report["forms"]);
        assert_eq!(burden["forms_cleanup"]["distinct_needs"], report["distinct_needs"]);

        // Several files as multipart; the report as CSV.
        let form = files.iter().take(2).fold(reqwest::multipart::Form::new(), |form, (name, bytes)| {
            form.part("file", reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.clone()))
        });
        let response = app
            .client
            .post(app.url("/api/v1/forms/cleanup?format=csv"))
            .bearer_auth(&admin)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let csv = response.text().await.unwrap();
        assert!(
            csv.trim_start_matches('\u{feff}').starts_with("指标代码,需求名称,指标库已有,报表数,列数,报表"),
            "{csv}"
        );

        // Nothing to clean up; clerks do not clean up.
        let (status, _) = app.post_file(&admin, "/api/v1/forms/cleanup", "application/zip", zip_of(&[])).await;
        assert_eq!(status, 422);
        let clerk = app.user_token("clerk", Role::Clerk, Some("522301100201"), None).await;
        let (status, _) = app.post_file(&clerk, "/api/v1/forms/cleanup", "application/zip", zip_of(&files)).await;
        assert_eq!(status, 403);
    })
    .await;
}
