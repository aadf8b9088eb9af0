//! `onetable`: serve the API, migrate, import divisions, run the demo, print the OpenAPI spec.

mod commands;
mod telemetry;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "onetable",
    version,
    about = "村级基础数据“一张表” — enter once, share many times"
)]
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
        Command::Regions {
            command:
                RegionsCommand::Import {
                    from,
                    prefix,
                    effective,
                },
        } => commands::import_regions(&settings, &from, prefix.as_deref(), effective.as_deref()),
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
