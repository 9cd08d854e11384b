//! Command line: `serve` (default) and `migrate`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::configuration::Settings;
use crate::db::offices::{self, NewOffice};
use crate::db::{self, Manager};
use crate::seed;
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
    /// the error report; re-importing a file changes nothing.
    Import {
        /// The CSV file.
        file: PathBuf,
        /// Where rejected rows go (row,reason); default FILE.errors.csv.
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
        } => statistics(settings, from, to, group_by, csv),
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

fn office(settings: Settings, cmd: OfficeCommand) -> anyhow::Result<()> {
    let manager = Manager::new(&settings.database);
    let mut conn = manager.open()?;
    seed::prepare(&mut conn, &settings).map_err(|e| anyhow::anyhow!(e))?;
    match cmd {
        OfficeCommand::Add {
            id,
            name,
            division_code,
            address,
            phone,
        } => {
            let new = NewOffice {
                id,
                name,
                division_code,
                address,
                phone,
                created_at: crate::clock::now(),
            };
            seed::validate_office(&new, &settings.instance.region_prefix)
                .map_err(|e| anyhow::anyhow!(e))?;
            let scheduling = crate::scheduling::Scheduling::from_settings(&settings.booking)
                .map_err(|e| anyhow::anyhow!(e))?;
            db::write_tx(&mut conn, |c| -> anyhow::Result<()> {
                if offices::find(c, &new.id)?.is_some() {
                    anyhow::bail!("office {} already exists", new.id);
                }
                offices::insert(c, &new)?;
                db::slots::set_rule(c, &new.id, &scheduling.default_rule)?;
                Ok(())
            })?;
            println!("created office {}", new.id);
        }
        OfficeCommand::List => {
            for o in offices::list(&mut conn, None)? {
                println!("{}\t{}\t{}", o.id, o.division_code, o.name);
            }
        }
    }
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password (again): ")?;
        anyhow::ensure!(first == again, "the passwords differ");
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

fn staff(settings: Settings, cmd: StaffCommand) -> anyhow::Result<()> {
    let StaffCommand::Add {
        office,
        role,
        username,
        name,
    } = cmd;
    let role = crate::auth::Role::parse(&role)
        .ok_or_else(|| anyhow::anyhow!("role must be registrar, supervisor or auditor"))?;
    let username_ok = (3..=64).contains(&username.len())
        && username
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    anyhow::ensure!(
        username_ok,
        "username: 3-64 characters of a-z, 0-9, ., _ and -"
    );
    anyhow::ensure!(!name.trim().is_empty(), "name must not be empty");
    let password = read_password()?;
    anyhow::ensure!(
        password.chars().count() >= crate::auth::MIN_PASSWORD_CHARS,
        "the password needs at least {} characters",
        crate::auth::MIN_PASSWORD_CHARS
    );
    let hash = crate::auth::hash_password(&password).map_err(|e| anyhow::anyhow!(e))?;
    let manager = Manager::new(&settings.database);
    let mut conn = manager.open()?;
    seed::prepare(&mut conn, &settings).map_err(|e| anyhow::anyhow!(e))?;
    anyhow::ensure!(
        offices::find(&mut conn, &office)?.is_some(),
        "no office {office} (see `hunyin office list`)"
    );
    let created = db::staff::insert(
        &mut conn,
        &db::staff::NewStaff {
            office_id: &office,
            username: &username,
            display_name: name.trim(),
            role: role.as_str(),
            password_hash: &hash,
            disabled: false,
            created_at: crate::clock::now(),
        },
    )?;
    anyhow::ensure!(created, "username {username} is taken");
    println!("created {} {username} at {office}", role.as_str());
    Ok(())
}

fn household(settings: Settings, cmd: HouseholdCommand) -> anyhow::Result<()> {
    let HouseholdCommand::Import {
        file,
        errors,
        batch,
    } = cmd;
    anyhow::ensure!(batch > 0, "--batch must be at least 1");
    let input = std::fs::File::open(&file)
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", file.display()))?;
    let size = input.metadata().map(|m| m.len()).unwrap_or(0);
    let errors_path = errors.unwrap_or_else(|| {
        let mut p = file.clone().into_os_string();
        p.push(".errors.csv");
        PathBuf::from(p)
    });
    let mut report = std::fs::File::create(&errors_path)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", errors_path.display()))?;
    let manager = Manager::new(&settings.database);
    let mut conn = manager.open()?;
    seed::prepare(&mut conn, &settings).map_err(|e| anyhow::anyhow!(e))?;
    // A progress bar on a terminal (hidden when stderr is not one).
    let bar = indicatif::ProgressBar::new(size);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({eta})",
        )
        .map_err(|e| anyhow::anyhow!(e))?,
    );
    let summary = crate::household_import::import(
        &mut conn,
        bar.wrap_read(input),
        &settings.instance.region_prefix,
        &mut report,
        batch,
    )?;
    bar.finish_and_clear();
    println!("{summary}");
    if summary.rejected > 0 {
        println!("rejected rows: {}", errors_path.display());
    }
    Ok(())
}

fn partner(settings: Settings, cmd: PartnerCommand) -> anyhow::Result<()> {
    use crate::partner::keys;
    match cmd {
        PartnerCommand::Keygen { out } => {
            let key = keys::generate().map_err(anyhow::Error::msg)?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(&out)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", out.display()))?;
            std::io::Write::write_all(&mut file, keys::private_to_pem(&key).as_bytes())?;
            println!("private key written to {}", out.display());
            println!("public key (send it to the partner regions):");
            println!("{}", keys::public_to_text(&key.verifying_key()));
        }
        PartnerCommand::PublicKey => {
            let file = settings.partner.private_key_file.trim();
            if file.is_empty() {
                anyhow::bail!("`partner.private_key_file` is not set");
            }
            let pem = std::fs::read_to_string(file)
                .map_err(|e| anyhow::anyhow!("cannot read {file}: {e}"))?;
            let key = keys::private_from_pem(&pem).map_err(anyhow::Error::msg)?;
            println!("{}", keys::public_to_text(&key.verifying_key()));
        }
    }
    Ok(())
}

fn statistics(
    settings: Settings,
    from: Option<String>,
    to: Option<String>,
    group_by: String,
    csv: bool,
) -> anyhow::Result<()> {
    let r = crate::statistics::Request::parse(from.as_deref(), to.as_deref(), Some(&group_by))
        .map_err(|e| {
            let why: Vec<String> = e
                .invalid_params
                .iter()
                .map(|p| format!("--{}: {}", p.name.replace('_', "-"), p.reason))
                .collect();
            anyhow::anyhow!(why.join("; "))
        })?;
    let names = crate::partner::Directory::from_settings(&settings.partner, &settings.instance)
        .map_err(anyhow::Error::msg)?
        .regions();
    let mut conn = Manager::new(&settings.database).open()?;
    let report =
        crate::statistics::compute(&mut conn, None, &settings.instance.region_prefix, &names, r)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    if csv {
        use std::io::Write;
        std::io::stdout().write_all(&report.to_csv().map_err(|e| anyhow::anyhow!("{e}"))?)?;
        return Ok(());
    }
    let (header, rows) = report.table();
    println!(
        "pilot statistics 试点统计 {} – {} (region {})",
        r.from, r.to, settings.instance.region_prefix
    );
    // One line per figure, one column per group (groups fit a terminal's width better than
    // figures do); Chinese characters take two columns.
    let cols = |s: &str| {
        s.chars()
            .map(|c| if c > '\u{2e80}' { 2 } else { 1 })
            .sum::<usize>()
    };
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(cols(s))));
    let left = header.iter().map(|h| cols(h)).max().unwrap_or(10);
    let right = rows
        .iter()
        .flat_map(|r| r.iter().map(|c| cols(c)))
        .max()
        .unwrap_or(8)
        .max(8);
    for (i, h) in header.iter().enumerate() {
        let mut line = pad(h, left);
        for row in &rows {
            line.push(' ');
            line.push_str(&" ".repeat(right.saturating_sub(cols(&row[i]))));
            line.push_str(&row[i]);
        }
        println!("{}", line.trim_end());
    }
    Ok(())
}
