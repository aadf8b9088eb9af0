//! `onetable users import FILE`: the operator brings a staff sheet (the same use case as
//! `POST /api/v1/users/import`, as the operator). The initial passwords go to a sheet only the
//! operator may read, never to the terminal.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use onetable_app::accounts::bulk::{self, template, AccountImport, RowOutcome};
use onetable_app::imports::FileFormat;
use onetable_app::{Actor, App};
use onetable_store::Db;

pub struct ImportUsers {
    pub file: PathBuf,
    pub dry_run: bool,
    /// Where the initial passwords go (default: `initial-passwords-<time>.xlsx` here).
    pub passwords: Option<PathBuf>,
}

fn format_of(path: &Path) -> anyhow::Result<FileFormat> {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("xlsx") => Ok(FileFormat::Xlsx),
        Some("csv") => Ok(FileFormat::Csv),
        _ => bail!("{}: a staff sheet is .xlsx or .csv", path.display()),
    }
}

fn print_report(report: &AccountImport) {
    let verb = if report.dry_run { "would create" } else { "created" };
    println!(
        "{} rows: {verb} {}, unchanged {}, refused {}",
        report.total, report.created, report.unchanged, report.refused
    );
    for row in report.rows.iter().filter(|r| r.outcome == RowOutcome::Refused) {
        for p in &row.problems {
            println!("  第 {} 行 {}：{}", row.row, p.column, p.message);
        }
    }
}

/// Writes `bytes` readable by the operator alone.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(bytes)?;
    Ok(())
}

pub async fn import_users(db: &Db, args: ImportUsers) -> anyhow::Result<()> {
    let format = format_of(&args.file)?;
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let app = App::for_command_line(db.clone()).map_err(|e| anyhow!(e.describe()))?;
    let out = args.passwords.unwrap_or_else(|| {
        PathBuf::from(format!("initial-passwords-{}.xlsx", chrono::Utc::now().format("%Y%m%d-%H%M%S")))
    });
    if !args.dry_run && out.exists() {
        bail!("{} exists already: name another file with --passwords", out.display());
    }
    let report = match bulk::import(&app, &Actor::operator(), format, bytes, args.dry_run).await {
        Ok(report) => report,
        Err(problem) => {
            for detail in problem.details() {
                eprintln!("  {}", detail.message);
            }
            bail!("{}", problem.describe());
        }
    };
    print_report(&report);
    if !report.initial_passwords.is_empty() {
        let sheet = template::password_sheet(&report.initial_passwords).map_err(|e| anyhow!(e.describe()))?;
        write_private(&out, &sheet)?;
        println!(
            "the {} initial passwords are in {} (readable by you only; hand them out, then delete it)",
            report.initial_passwords.len(),
            out.display()
        );
    }
    Ok(())
}
