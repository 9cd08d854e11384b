//! The checks of a divorce, at receipt and again at issue: the marriage (our records, the
//! registering region's instance through the partner status query, or the paper certificate
//! when no instance can answer) and each party's household record (must be `married`). Read on
//! a connection, ask the partners with none held, as `checks::run` does.

use hunyin_domain::certificate::CertificateNumber;
use hunyin_domain::mask::mask;
use hunyin_partner::wire::PURPOSE_DIVORCE_REGISTRATION;
use hunyin_store::{appointments, household, registration, DbConn};

use crate::error::AppError;
use crate::verification::{Case, HouseholdVerifier, Subject, VerifyError};

/// A party as the checks see it.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub id_number: String,
    pub name: String,
    pub hukou_division_code: String,
    /// What the registrar saw in the paper 户口簿, used only when no instance can answer.
    pub household_note: Option<String>,
}

/// How the marriage is known: in our records (with its appointment), or to ask the instance
/// serving the registering office's code.
pub(crate) enum MarriageStep {
    Local { appointment_id: i64 },
    Ask { office_code: String },
}

/// The marriage as confirmed: source and, for ours, its appointment.
pub(crate) struct Marriage {
    pub source: &'static str,
    pub appointment_id: Option<i64>,
    pub note: Option<String>,
}

/// What this region's records say of the marriage `number` between `parties`.
pub(crate) fn read_marriage(
    conn: &mut DbConn,
    region_prefix: &str,
    number: &str,
    parties: &[Person],
) -> Result<MarriageStep, AppError> {
    let parsed = CertificateNumber::parse(number)
        .filter(|n| n.kind.is_marriage())
        .ok_or_else(AppError::unknown_marriage_certificate)?;
    let Some(c) = registration::certificate(conn, number)? else {
        if parsed.office_code.starts_with(region_prefix) {
            // Our own office's number that our records do not hold: forged or mistyped.
            return Err(AppError::unknown_marriage_certificate());
        }
        return Ok(MarriageStep::Ask {
            office_code: parsed.office_code,
        });
    };
    // The parties first: what became of a marriage is told only to its own two people.
    let theirs = appointments::parties(conn, c.appointment_id)?
        .into_iter()
        .map(|p| p.id_number);
    if !same_people(theirs, parties) {
        return Err(AppError::marriage_parties_mismatch());
    }
    if c.status != "valid" {
        return Err(AppError::marriage_not_valid(&c.status));
    }
    Ok(MarriageStep::Local {
        appointment_id: c.appointment_id,
    })
}

/// Whether the ID numbers `theirs` are those of `parties`, in any order.
pub(crate) fn same_people(theirs: impl Iterator<Item = String>, parties: &[Person]) -> bool {
    let mut theirs: Vec<String> = theirs.collect();
    let mut ours: Vec<String> = parties.iter().map(|p| p.id_number.clone()).collect();
    theirs.sort();
    ours.sort();
    theirs == ours
}

/// Asks the registering region's instance (no connection held), or takes the paper
/// certificate when none can answer. `confirmed_before`: the marriage was confirmed at receipt,
/// so an instance that cannot answer now does not stop the issue.
pub(crate) fn ask_marriage(
    verifier: &dyn HouseholdVerifier,
    number: &str,
    office_code: &str,
    parties: &[Person],
    paper_note: Option<&str>,
    confirmed_before: bool,
) -> Result<Marriage, AppError> {
    match verifier.registration_status(number, office_code) {
        Ok(s) => {
            if s.status != "valid" {
                return Err(AppError::marriage_not_valid(&s.status));
            }
            let mut theirs: Vec<(String, String)> = s
                .parties
                .into_iter()
                .map(|p| (p.name, p.id_number_masked))
                .collect();
            let mut ours: Vec<(String, String)> = parties
                .iter()
                .map(|p| (p.name.trim().to_owned(), mask(&p.id_number)))
                .collect();
            theirs.sort();
            ours.sort();
            if theirs != ours {
                return Err(AppError::marriage_parties_mismatch());
            }
            Ok(Marriage {
                source: "partner",
                appointment_id: None,
                note: None,
            })
        }
        Err(VerifyError::NotFound) => Err(AppError::unknown_marriage_certificate()),
        Err(e) => {
            tracing::warn!(certificate = number, reason = e.code(), error = %e, "marriage not confirmed by a partner");
            if confirmed_before {
                return Ok(Marriage {
                    source: "partner",
                    appointment_id: None,
                    note: None,
                });
            }
            match paper_note.map(str::trim).filter(|n| !n.is_empty()) {
                Some(note) => Ok(Marriage {
                    source: "paper",
                    appointment_id: None,
                    note: Some(note.to_owned()),
                }),
                None => Err(AppError::marriage_unconfirmed(e.code())),
            }
        }
    }
}

/// A party's check: settled by our register, or to ask the party's home instance.
pub(crate) enum PartyStep {
    Settled(&'static str),
    Ask,
}

/// Why an answer does not show a married person of that name and hukou, if it does not.
fn failure(
    found: bool,
    name_matches: bool,
    marital: Option<&str>,
    hukou: Option<&str>,
    p: &Person,
) -> Option<&'static str> {
    if !found {
        Some("not_in_register")
    } else if !name_matches {
        Some("name_mismatch")
    } else if marital != Some("married") {
        Some("not_married")
    } else if hukou != Some(p.hukou_division_code.as_str()) {
        Some("hukou_mismatch")
    } else {
        None
    }
}

/// What this region's register says of party `idx`.
pub(crate) fn read_party(
    conn: &mut DbConn,
    region_prefix: &str,
    idx: usize,
    p: &Person,
) -> Result<PartyStep, AppError> {
    let record = household::find(conn, &p.id_number)?;
    if record.is_none() && !p.hukou_division_code.starts_with(region_prefix) {
        return Ok(PartyStep::Ask);
    }
    let r = record.as_ref();
    let why = failure(
        r.is_some(),
        r.is_some_and(|r| r.name == p.name.trim()),
        r.map(|r| r.marital_status.as_str()),
        r.map(|r| r.hukou_division_code.as_str()),
        p,
    );
    match why {
        Some(why) => Err(AppError::party_not_married(idx, why)),
        None => Ok(PartyStep::Settled("local_register")),
    }
}

/// Asks party `idx`'s home instance (no connection held); the paper 户口簿 when none can answer.
pub(crate) fn ask_party(
    verifier: &dyn HouseholdVerifier,
    case: &Case,
    idx: usize,
    p: &Person,
) -> Result<&'static str, AppError> {
    let subject = Subject {
        id_number: p.id_number.clone(),
        name: p.name.trim().to_owned(),
        hukou_division_code: p.hukou_division_code.clone(),
    };
    match verifier.verify(&subject, case) {
        Ok(a) => {
            let why = failure(
                a.found,
                a.name_matches,
                a.marital_status.as_deref(),
                a.hukou_division_code.as_deref(),
                p,
            );
            match why {
                Some(why) => Err(AppError::party_not_married(idx, why)),
                None => Ok("partner"),
            }
        }
        Err(e) => match p.household_note.as_deref().map(str::trim) {
            Some(n) if !n.is_empty() => Ok("manual"),
            _ => Err(AppError::household_check_unavailable(idx, e.code())),
        },
    }
}

/// The case a divorce's household verification states.
pub(crate) fn case(office_id: &str, reference: &str, registrar_id: i64) -> Case {
    Case {
        office_id: office_id.to_owned(),
        application_reference: reference.to_owned(),
        registrar_id,
        purpose: PURPOSE_DIVORCE_REGISTRATION,
    }
}

/// Runs every party's check: the sources, in order.
pub(crate) fn parties(
    verifier: &dyn HouseholdVerifier,
    case: &Case,
    steps: &[PartyStep],
    people: &[Person],
) -> Result<Vec<&'static str>, AppError> {
    let mut sources = Vec::with_capacity(people.len());
    for (idx, (step, p)) in steps.iter().zip(people).enumerate() {
        let source = match step {
            PartyStep::Settled(s) => s,
            PartyStep::Ask => ask_party(verifier, case, idx, p)?,
        };
        sources.push(source);
    }
    Ok(sources)
}
