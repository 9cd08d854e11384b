//! Start-up data: the policy timeline and the demo offices, from files or the compiled-in
//! defaults, validated before anything is served.

use serde::Deserialize;

use crate::configuration::Settings;
use hunyin_domain::schedule::WeeklyRule;
use hunyin_domain::{DivisionCode, Policy};
use hunyin_store::offices::{self, NewOffice};
use hunyin_store::{self as db, DbConn};

const DEFAULT_POLICY: &str = include_str!("../config/policy.toml");
const DEFAULT_OFFICES: &str = include_str!("../config/offices.toml");

fn read(path: &str, default: &'static str) -> Result<String, String> {
    if path.trim().is_empty() {
        return Ok(default.to_owned());
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
}

/// The configured timeline, validated.
pub fn load_policy(settings: &Settings) -> Result<Policy, String> {
    let text = read(&settings.rules.policy_file, DEFAULT_POLICY)?;
    Policy::from_toml(&text).map_err(|e| format!("policy: {e}"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OfficeFile {
    office: Vec<NewOffice>,
}

/// Checks an office before it is stored: id shape, a listed county-level code inside the
/// instance's region, non-empty name.
pub fn validate_office(office: &NewOffice, region_prefix: &str) -> Result<(), String> {
    let id_ok = (2..=40).contains(&office.id.len())
        && office
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !id_ok {
        return Err(format!(
            "office id {:?}: 2-40 characters of a-z, 0-9 and -",
            office.id
        ));
    }
    let code = DivisionCode::parse(&office.division_code)
        .map_err(|e| format!("office {}: division code: {e}", office.id))?;
    if !code.has_prefix(region_prefix) {
        return Err(format!(
            "office {}: {} is outside this instance's region {region_prefix}",
            office.id, code
        ));
    }
    if office.name.trim().is_empty() {
        return Err(format!("office {}: name is empty", office.id));
    }
    Ok(())
}

/// The offices of the seed file that lie in the instance's region.
pub fn load_offices(settings: &Settings) -> Result<Vec<NewOffice>, String> {
    let text = read(&settings.rules.offices_file, DEFAULT_OFFICES)?;
    let file: OfficeFile = toml::from_str(&text).map_err(|e| format!("offices: {e}"))?;
    let region = &settings.instance.region_prefix;
    let mine: Vec<NewOffice> = file
        .office
        .into_iter()
        .filter(|o| o.division_code.starts_with(region.as_str()))
        .collect();
    for o in &mine {
        validate_office(o, region)?;
    }
    Ok(mine)
}

/// Stores the seed offices if the instance has none yet (first start); returns how many.
pub fn seed_offices(
    conn: &mut DbConn,
    seed: &[NewOffice],
    rule: &WeeklyRule,
) -> Result<usize, db::DbError> {
    db::write_tx(conn, |c| {
        if offices::count(c)? > 0 {
            return Ok(0);
        }
        let now = hunyin_app::clock::now();
        for o in seed {
            let office = NewOffice {
                created_at: now,
                ..o.clone()
            };
            offices::insert(c, &office)?;
            db::slots::set_rule(c, &o.id, rule, now)?;
        }
        Ok(seed.len())
    })
}

/// Brings a database to this build's schema and seeds the region's offices on first use, for
/// the CLI commands that run without the server.
pub fn prepare(conn: &mut DbConn, settings: &Settings) -> Result<(), String> {
    db::migrations::run_pending(conn).map_err(|e| e.to_string())?;
    let seed = load_offices(settings)?;
    let rule = crate::wiring::scheduling(&settings.booking)?.default_rule;
    seed_offices(conn, &seed, &rule).map_err(|e| e.to_string())?;
    Ok(())
}
