//! `onetable forms analyze DIR`: the clean-up report of a folder of department forms, as the API
//! gives it, without a server.

use std::path::{Path, PathBuf};

use anyhow::Context;
use onetable_app::imports::Limits;
use onetable_app::legacy::cleanup::{cleanup_batch, render, MAX_FORMS};
use onetable_store::Db;

/// The form files (and ZIPs of them) in `dir` and its folders, in name order.
fn form_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).with_context(|| format!("cannot read {}", folder.display()))? {
            let path = entry?.path();
            let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
            if path.is_dir() {
                folders.push(path);
            } else if !name.starts_with("~$") && [".xlsx", ".xls", ".csv", ".zip"].iter().any(|e| name.ends_with(e)) {
                out.push(path);
            }
        }
        if out.len() > MAX_FORMS {
            break;
        }
    }
    out.sort();
    Ok(out)
}

pub fn analyze_dir(db: &Db, dir: &Path, out: Option<&Path>) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let mut files = Vec::new();
    for path in form_files(dir)? {
        let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let name = path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().into_owned();
        files.push((name, bytes));
    }
    let report = cleanup_batch(&mut *db.conn()?, files, &Limits::default(), "cli".to_owned(), None)
        .map_err(|e| anyhow::anyhow!(e.describe()))?;
    println!("{}", report.summary);
    for need in report.needs.iter().take(20) {
        println!("{:>4} 张  {:<28} {}", need.forms, need.code.as_deref().unwrap_or("（新）"), need.name);
    }
    for form in report.per_form.iter().filter(|f| f.error.is_some()) {
        println!("未能读取：{}：{}", form.file, form.error.as_deref().unwrap_or_default());
    }
    if let Some(out) = out {
        let xlsx = out.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
        let bytes = render(&report, xlsx).map_err(|e| anyhow::anyhow!(e.describe()))?;
        std::fs::write(out, bytes).with_context(|| format!("cannot write {}", out.display()))?;
        println!("清理报告已写入 {}", out.display());
    }
    eprintln!("{} forms in {:.2}s", report.forms, started.elapsed().as_secs_f64());
    Ok(())
}
