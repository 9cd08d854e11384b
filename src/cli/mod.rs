//! Command line: `serve` (default) and `migrate`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use hunyin_store::{self as db, Manager};

use crate::configuration::Settings;
use crate::startup::Application;
use crate::telemetry;

mod admin;
mod keys;
mod report;

use admin::{household, office, staff};
use keys::partner;
use report::statistics;

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
    /// Manage the registration offices of this instance.
    #[command(subcommand)]
    Office(OfficeCommand),
    /// Manage staff accounts.
    #[command(subcommand)]
    Staff(StaffCommand),
    /// This region's household register.
    #[command(subcommand)]
    Household(HouseholdCommand),
    /// Print the pilot statistics of the whole region as a table (the figures of
    /// GET /v1/registrar/statistics).
    Statistics {
        /// First day, YYYY-MM-DD (Asia/Shanghai); default 29 days before --to.
        #[arg(long)]
        from: Option<String>,
        /// Last day, inclusive; default today.
        #[arg(long)]
        to: Option<String>,
        /// office, day, partner_region or basis.
        #[arg(long, default_value = "office")]
        group_by: String,
        /// Comma-separated values (UTF-8 with a BOM) instead of a table.
        #[arg(long)]
        csv: bool,
        /// Build the daily rollup of every day again from the facts first (after facts were
        /// corrected by hand).
        #[arg(long)]
        rebuild: bool,
    },
    /// The partner protocol: this instance's signing key.
    #[command(subcommand)]
    Partner(PartnerCommand),
}

/// `partner …`
#[derive(Debug, Subcommand)]
pub enum PartnerCommand {
    /// Generate an Ed25519 key pair: writes the private key (PKCS#8 PEM, mode 0600) to FILE and
    /// prints the public key to send to the partner regions for their directories.
    Keygen {
        /// Where the private key goes; an existing file is never overwritten.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Print the public key of the configured private key (`partner.private_key_file`).
    PublicKey,
}

/// `household …`
#[derive(Debug, Subcommand)]
pub enum HouseholdCommand {
    /// Import the public-security export: a CSV with the header
    /// id_number,name,sex,birth_date,hukou_division_code,marital_status. Bad rows are written to
    /// the error report; re-importing a file changes nothing. A marital status a registration,
    /// revocation or partner notification set on or after the export's date is kept.
    Import {
        /// The CSV file.
        file: PathBuf,
        /// The export's date (YYYY-MM-DD, Asia/Shanghai): the register as the file shows it.
        #[arg(long, value_name = "DATE")]
        as_of: chrono::NaiveDate,
        /// Where rejected and kept rows go (row,reason); default FILE.errors.csv.
        #[arg(long)]
        errors: Option<PathBuf>,
        /// Rows written per transaction.
        #[arg(long, default_value_t = 1000)]
        batch: usize,
    },
}

/// `staff …`
#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Create an account. The password is read from a prompt on a terminal, otherwise from the
    /// first line of standard input; never from an argument.
    Add {
        /// The office the account belongs to (its id, e.g. sz-gusu).
        #[arg(long)]
        office: String,
        /// registrar, supervisor or auditor.
        #[arg(long)]
        role: String,
        /// Sign-in name: 3-64 characters of a-z, 0-9, ., _ and -.
        #[arg(long)]
        username: String,
        /// The person's name as shown in the audit trail.
        #[arg(long)]
        name: String,
    },
}

/// `office …`
#[derive(Debug, Subcommand)]
pub enum OfficeCommand {
    /// Create an office (its division code must lie in `instance.region_prefix`).
    Add {
        /// Stable id: 2-40 characters of a-z, 0-9 and -, e.g. sz-gusu.
        #[arg(long)]
        id: String,
        /// Full name, e.g. 苏州市姑苏区民政局婚姻登记处.
        #[arg(long)]
        name: String,
        /// Six-digit GB/T 2260 code of the office's county.
        #[arg(long)]
        division_code: String,
        #[arg(long)]
        address: String,
        #[arg(long)]
        phone: String,
    },
    /// List the offices, one per line: id, division code, name.
    List,
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
        Command::Office(cmd) => office(settings, cmd),
        Command::Staff(cmd) => staff(settings, cmd),
        Command::Household(cmd) => household(settings, cmd),
        Command::Partner(cmd) => partner(settings, cmd),
        Command::Statistics {
            from,
            to,
            group_by,
            csv,
            rebuild,
        } => statistics(settings, from, to, group_by, csv, rebuild),
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
    let manager = Manager::new(&crate::wiring::db_config(&settings));
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
