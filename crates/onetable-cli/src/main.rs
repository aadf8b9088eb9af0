//! `onetable`: serve the API, migrate, import divisions, run the demo, print the OpenAPI spec.

mod commands;
mod telemetry;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc instead of the system allocator: a PATCH allocates and frees many small strings and
/// maps, and glibc's free lists cost the single SQLite writer thread ~10 % of its time (measured in
/// docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "onetable", version, about = "村级基础数据“一张表” — enter once, share many times")]
struct Cli {
    /// Configuration file (default: ./onetable.toml when present).
    #[arg(long, global = true, env = "ONETABLE_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL: sqlite://PATH, a plain path, or postgres://… (overrides the configuration).
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Migrate the database and serve the HTTP API.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<String>,
    },
    /// Run the pending database migrations and exit.
    Migrate,
    /// Load the demo prefecture (黔西南州) and serve it.
    Demo {
        #[arg(long)]
        bind: Option<String>,
    },
    /// The administrative divisions.
    Regions {
        #[command(subcommand)]
        command: RegionsCommand,
    },
    /// Print the OpenAPI description (JSON) to stdout.
    Openapi,
    /// User accounts (the first admin of a new installation is created here).
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Department systems (OAuth2 client credentials).
    Clients {
        #[command(subcommand)]
        command: ClientsCommand,
    },
    /// The indicator catalogue (指标库).
    Catalogue {
        #[command(subcommand)]
        command: CatalogueCommand,
    },
    /// Import values from a CSV or XLSX file (long or wide layout), as the operator (no scope limit).
    Import {
        file: PathBuf,
        /// The period, when the file has no `period` column.
        #[arg(long)]
        period: Option<String>,
        /// Check and report without writing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Benchmarks of the speed targets (use a fresh database; see docs/benchmarks.md).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// A period's villages as Hive-style Parquet partitions (period=…/province=…/part-00000.parquet)
    /// with a _manifest.json, for Spark, Trino or DuckDB.
    Extract {
        #[arg(long)]
        to: PathBuf,
        #[arg(long)]
        period: String,
        /// Comma-separated indicator codes (default: every indicator of the period).
        #[arg(long)]
        indicators: Option<String>,
        /// Rewrite only the provinces where an entry changed after this (RFC 3339).
        #[arg(long)]
        changed_since: Option<String>,
    },
    /// Department forms (报表清理).
    Forms {
        #[command(subcommand)]
        command: FormsCommand,
    },
    /// Token signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// The audit trail's monthly archives and retention (审计归档).
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// A consistent copy of the SQLite database, taken while the server runs (`VACUUM INTO`).
    Backup {
        /// The backup file to write (must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// Replace the SQLite database with a backup (stop the server first).
    Restore {
        #[arg(long)]
        from: PathBuf,
        /// Replace an existing database.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Write a month that has ended to `DIR/audit-MONTH.jsonl.gz` (hash-chained) with a signed
    /// manifest beside it.
    Archive {
        #[arg(long)]
        month: String,
        #[arg(long)]
        to: PathBuf,
    },
    /// Check an archive: the manifest's signature, the file's checksum and every line's hash.
    Verify {
        file: PathBuf,
        /// Trust the keys of this JWKS document (the server's `/.well-known/jwks.json`) instead of
        /// the database's.
        #[arg(long)]
        jwks: Option<PathBuf>,
    },
    /// Delete the events of archived months older than `audit_retention_days`.
    Prune,
}

#[derive(Debug, Subcommand)]
enum UsersCommand {
    /// Create an account; the password is asked on a terminal, or read from stdin's first line.
    Add {
        #[arg(long)]
        username: String,
        /// clerk, reviewer, admin, viewer, department or auditor.
        #[arg(long)]
        role: String,
        /// The region scope; viewers, admins, departments and auditors may have none: the whole
        /// country (with the same protection rules).
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        department: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
        /// The password is the person's own (typed by that person at this terminal, or a
        /// service account's): it need not be changed at the first sign-in. Without it, the
        /// person must choose its own password then (首次登录修改初始口令).
        #[arg(long)]
        own_password: bool,
    },
    /// Set a new password (asked, or read from stdin) and lift any lockout; the person must
    /// replace it at the next sign-in.
    ResetPassword {
        #[arg(long)]
        username: String,
    },
    /// Create the accounts of a staff sheet (XLSX or CSV: 用户名, 姓名, 角色, 所辖地区, 部门,
    /// 电话), all or none; their one-time passwords go to a sheet only you may read.
    Import {
        /// The staff sheet.
        file: std::path::PathBuf,
        /// Check every row and say what would happen; create nothing.
        #[arg(long)]
        dry_run: bool,
        /// Where to write the initial passwords (default: initial-passwords-<time>.xlsx here).
        #[arg(long)]
        passwords: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum ClientsCommand {
    /// Register a department system; prints its secret once.
    Add {
        /// e.g. 民政局
        #[arg(long)]
        department: String,
        /// The department's jurisdiction, e.g. 5223.
        #[arg(long)]
        region: String,
        /// Default: a generated id.
        #[arg(long)]
        client_id: Option<String>,
    },
    /// Stop a client from getting tokens.
    Disable {
        #[arg(long)]
        client_id: String,
    },
    /// Let a disabled client get tokens again.
    Enable {
        #[arg(long)]
        client_id: String,
    },
}

#[derive(Debug, Subcommand)]
enum CatalogueCommand {
    /// Load or update indicators (and rules) from CSV in the reference catalogue's format; the
    /// same compatibility rules as the API apply, and any problem refuses the whole load.
    Load {
        #[arg(long)]
        indicators: PathBuf,
        #[arg(long)]
        rules: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Import the demo prefecture's whole annual form from one CSV (and, on PostgreSQL, COPY it).
    Import,
    /// The national analytics targets: generate 60 annual indicators for every village in the
    /// database (import the national division list first), then time the cube.
    Cube,
    /// Ten annual national periods in one process under a memory budget (after `bench cube`:
    /// nine years restated from 2025 as cube snapshots), and the ten-year trend of every province.
    Trend {
        /// The cubes' memory budget, as `cube_memory_mib` (0: none).
        #[arg(long, default_value_t = 4096)]
        budget_mib: usize,
    },
    /// Analyze a 60-column department form (XLSX, merged two-row header) against the catalogue.
    Forms,
    /// A county's staff sheet imported over HTTP (argon2id included) while another client keeps
    /// reading: how long it takes and how long the others wait.
    Accounts {
        #[arg(long, default_value_t = 1500)]
        total: usize,
    },
    /// A county's registers (台账): 300 villages' 低保 and 特困 lists seeded, a 5,000-row village
    /// list imported, a record change timed to the village's count and the county aggregate.
    Registers {
        #[arg(long, default_value_t = 300)]
        villages: usize,
    },
    /// 数据回流: an approved supply of 10 annual indicators pushed for every village of the demo
    /// prefecture (1,294 × 10 rows) — into empty forms, over its earlier numbers, unchanged — then
    /// the forms approved and the prefecture's dashboard read.
    Supply,
    /// 异常值: outliers of the demo prefecture's annual form (filled when missing) for a county and
    /// the prefecture against five earlier years and the county's villages, first and warm; and one
    /// village's flags for its form.
    Outliers,
    /// 订阅推送: a department system subscribed to the demo prefecture; `--events` forms approved
    /// and the events timed to a local receiver; with `--down-seconds`, the receiver down that long
    /// while every form is reopened and approved again, then up: all delivered, none twice.
    Webhooks {
        #[arg(long, default_value_t = 1000)]
        events: usize,
        #[arg(long, default_value_t = 0)]
        down_seconds: u64,
    },
    /// PostgreSQL: a province's registers (10 million records by default) written in SQL, then
    /// the count of open records by village for one county.
    RegisterCounts {
        #[arg(long, default_value_t = 10_000_000)]
        records: i64,
    },
    /// PATCH 20 values with rules from concurrent clerks against a server started in-process.
    Patch {
        #[arg(long, default_value_t = 16)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
}

#[derive(Debug, Subcommand)]
enum FormsCommand {
    /// The clean-up report of a folder of forms (XLSX, XLS, CSV, ZIPs of them): forms, columns,
    /// distinct needs, how many the registry has, which indicator how many forms ask for.
    Analyze {
        dir: PathBuf,
        /// Also write the report: `.csv` (the needs) or `.xlsx` (summary, needs, forms).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Add a new signing key; tokens signed by older keys stay valid until they expire.
    Rotate,
}

#[derive(Debug, Subcommand)]
enum RegionsCommand {
    /// Import the division CSVs (provinces, cities, areas, streets, villages; .csv or .csv.gz).
    Import {
        /// Folder with the five files.
        #[arg(long = "from")]
        from: PathBuf,
        /// Only this region (2, 4, 6, 9 or 12 digits) and its ancestors, e.g. 5223.
        #[arg(long)]
        prefix: Option<String>,
        /// Date the changes take effect (YYYY-MM-DD; default today).
        #[arg(long)]
        effective: Option<String>,
    },
}

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match commands::settings(cli.config.as_deref(), cli.database_url.as_deref()) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    telemetry::init(&settings.log_format);
    let result = match cli.command {
        Command::Serve { bind } => commands::serve(settings, bind).await,
        Command::Migrate => commands::migrate(&settings),
        Command::Demo { bind } => commands::demo(settings, bind).await,
        Command::Regions { command: RegionsCommand::Import { from, prefix, effective } } => {
            commands::import_regions(&settings, &from, prefix.as_deref(), effective.as_deref())
        }
        Command::Users { command } => match commands::open(&settings) {
            Ok(db) => match command {
                UsersCommand::Add { username, role, region, department, display_name, own_password } => {
                    let args =
                        commands::identity::AddUser { username, role, region, department, display_name, own_password };
                    commands::identity::add_user(&db, args).await
                }
                UsersCommand::ResetPassword { username } => commands::identity::reset_password(&db, &username).await,
                UsersCommand::Import { file, dry_run, passwords } => {
                    let args = commands::user_import::ImportUsers { file, dry_run, passwords };
                    commands::user_import::import_users(&db, args).await
                }
            },
            Err(e) => Err(e),
        },
        Command::Clients { command } => match commands::open(&settings) {
            Ok(db) => match command {
                ClientsCommand::Add { department, region, client_id } => {
                    commands::identity::add_client(&db, &department, &region, client_id).await
                }
                ClientsCommand::Disable { client_id } => {
                    commands::identity::set_client_disabled(&db, &client_id, true).await
                }
                ClientsCommand::Enable { client_id } => {
                    commands::identity::set_client_disabled(&db, &client_id, false).await
                }
            },
            Err(e) => Err(e),
        },
        Command::Catalogue { command: CatalogueCommand::Load { indicators, rules } } => {
            commands::with_db(&settings, |db| commands::load_catalogue(db, &indicators, rules.as_deref()))
        }
        Command::Import { file, period, dry_run } => {
            commands::with_db(&settings, |db| commands::import_values(db, &file, period.as_deref(), dry_run))
        }
        Command::Bench { command: BenchCommand::Forms } => {
            commands::with_db(&settings, commands::bench_forms::forms_bench)
        }
        Command::Bench { command: BenchCommand::Import } => commands::with_db(&settings, commands::bench::import_bench),
        // Polars blocks on its own runtime, which tokio refuses on this thread (it runs the CLI's
        // current-thread runtime); a plain thread is fine. The server's reads run on its blocking pool.
        Command::Bench { command: BenchCommand::Cube } => std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    commands::with_db(&settings, |db| {
                        commands::bench_cube::cube_bench(db)?;
                        actix_web::rt::System::new()
                            .block_on(commands::bench_cube::http_freshness(db.clone(), &settings))
                    })
                })
                .join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("the benchmark panicked")))
        }),
        Command::Bench { command: BenchCommand::Trend { budget_mib } } => std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    commands::with_db(&settings, |db| {
                        actix_web::rt::System::new()
                            .block_on(commands::bench_trend::trend_bench(db.clone(), budget_mib))
                    })
                })
                .join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("the benchmark panicked")))
        }),
        Command::Bench { command: BenchCommand::Supply } => commands::bench_supply(&settings).await,
        Command::Bench { command: BenchCommand::Outliers } => commands::bench_outliers(&settings).await,
        Command::Bench { command: BenchCommand::Webhooks { events, down_seconds } } => {
            commands::bench_webhooks(&settings, events, down_seconds).await
        }
        Command::Bench { command: BenchCommand::RegisterCounts { records } } => {
            commands::with_db(&settings, |db| commands::bench_registers::register_counts_bench(db, records))
        }
        Command::Bench { command: BenchCommand::Registers { villages } } => {
            commands::bench_registers(&settings, villages).await
        }
        Command::Bench { command: BenchCommand::Accounts { total } } => {
            commands::bench_accounts(&settings, total).await
        }
        Command::Bench { command: BenchCommand::Patch { clients, seconds } } => {
            commands::bench_patch(&settings, clients, seconds).await
        }
        // Polars blocks on its own runtime, which tokio refuses on this thread (see Bench Cube).
        Command::Extract { to, period, indicators, changed_since } => std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    commands::with_db(&settings, |db| {
                        commands::extract::extract(db, &to, &period, indicators.as_deref(), changed_since.as_deref())
                    })
                })
                .join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("the extract panicked")))
        }),
        Command::Forms { command: FormsCommand::Analyze { dir, out } } => {
            commands::with_db(&settings, |db| commands::forms::analyze_dir(db, &dir, out.as_deref()))
        }
        Command::Audit { command: AuditCommand::Archive { month, to } } => {
            commands::audit::archive(&settings, &month, &to)
        }
        Command::Audit { command: AuditCommand::Verify { file, jwks } } => {
            commands::audit::verify(&settings, &file, jwks.as_deref())
        }
        Command::Audit { command: AuditCommand::Prune } => commands::audit::prune(&settings),
        Command::Backup { to } => commands::backup::backup(&settings, &to),
        Command::Restore { from, force } => commands::backup::restore(&settings, &from, force),
        Command::Keys { command: KeysCommand::Rotate } => commands::with_db(&settings, commands::identity::rotate_keys),
        Command::Openapi => {
            print!("{}", onetable_server::openapi::spec_json());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
