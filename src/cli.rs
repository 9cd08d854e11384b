//! Command line: `serve` (default) and `migrate`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::configuration::Settings;
use crate::db::{self, Manager};
use crate::startup::Application;
use crate::telemetry;

/// Cross-province marriage registration service (婚姻登记跨省通办).
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    /// A TOML file overriding config/default.toml (same keys, any subset). Environment
    /// variables APP__SECTION__KEY override both.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do; `serve` when none is given.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service (applies pending migrations first unless configured not to).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
}

/// Runs the command line; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let settings = match Settings::from_process(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("hunyin: {e}");
            return 2;
        }
    };
    telemetry::init(&settings.log);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings),
        Command::Migrate => migrate(settings),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            tracing::error!(error = %e, "stopped");
            eprintln!("hunyin: {e}");
            1
        }
    }
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings)?;
        app.run_until_stopped().await?;
        Ok(())
    })
}

fn migrate(settings: Settings) -> anyhow::Result<()> {
    let manager = Manager::new(&settings.database);
    let mut conn = manager.open()?;
    let applied = db::migrations::run_pending(&mut conn).map_err(|e| anyhow::anyhow!(e))?;
    if applied.is_empty() {
        println!("database is up to date");
    }
    for version in applied {
        println!("applied {version}");
    }
    Ok(())
}
