//! Commands that run the office without the server: offices, staff accounts, the household
//! register's import.

use std::path::PathBuf;

use hunyin_store::offices::{self, NewOffice};
use hunyin_store::{self as db, Manager};

use super::{HouseholdCommand, OfficeCommand, StaffCommand};
use crate::configuration::Settings;
use crate::seed;

pub(super) fn office(settings: Settings, cmd: OfficeCommand) -> anyhow::Result<()> {
    let manager = Manager::new(&crate::wiring::db_config(&settings));
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
                created_at: hunyin_app::clock::now(),
            };
            seed::validate_office(&new, &settings.instance.region_prefix)
                .map_err(|e| anyhow::anyhow!(e))?;
            let scheduling =
                crate::wiring::scheduling(&settings.booking).map_err(|e| anyhow::anyhow!(e))?;
            db::write_tx(&mut conn, |c| -> anyhow::Result<()> {
                if offices::find(c, &new.id)?.is_some() {
                    anyhow::bail!("office {} already exists", new.id);
                }
                offices::insert(c, &new)?;
                db::slots::set_rule(
                    c,
                    &new.id,
                    &scheduling.default_rule,
                    hunyin_app::clock::now(),
                )?;
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

pub(super) fn staff(settings: Settings, cmd: StaffCommand) -> anyhow::Result<()> {
    let StaffCommand::Add {
        office,
        role,
        username,
        name,
    } = cmd;
    let role = hunyin_domain::staff::Role::parse(&role)
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
        password.chars().count() >= hunyin_app::auth::MIN_PASSWORD_CHARS,
        "the password needs at least {} characters",
        hunyin_app::auth::MIN_PASSWORD_CHARS
    );
    let hash = hunyin_app::auth::hash_password(&password).map_err(|e| anyhow::anyhow!(e))?;
    let manager = Manager::new(&crate::wiring::db_config(&settings));
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
            created_at: hunyin_app::clock::now(),
        },
    )?;
    anyhow::ensure!(created, "username {username} is taken");
    println!("created {} {username} at {office}", role.as_str());
    Ok(())
}

pub(super) fn household(settings: Settings, cmd: HouseholdCommand) -> anyhow::Result<()> {
    let HouseholdCommand::Import {
        file,
        as_of,
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
    let manager = Manager::new(&crate::wiring::db_config(&settings));
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
    let summary = hunyin_app::household_import::import(
        &mut conn,
        bar.wrap_read(input),
        &settings.instance.region_prefix,
        as_of,
        &mut report,
        batch,
    )?;
    bar.finish_and_clear();
    println!("household export as of {as_of}");
    println!("{summary}");
    if summary.rejected > 0 || summary.kept > 0 {
        println!("rejected and kept rows: {}", errors_path.display());
    }
    Ok(())
}
