//! The household check of a party whose hukou lies in another region goes through this seam;
//! the partner-protocol work implements it with signed requests to the partner's instance.
//! With no partner configured every remote check answers `no_partner_instance` and the
//! registrar verifies the paper 户口簿 by hand.

/// Who is asked about.
#[derive(Debug, Clone)]
pub struct Subject {
    pub id_number: String,
    pub name: String,
    pub hukou_division_code: String,
}

/// Why the question is asked (every request states its purpose and case).
#[derive(Debug, Clone)]
pub struct Case {
    pub office_id: String,
    pub application_reference: String,
    pub registrar_id: i64,
}

/// What a partner may answer (data minimisation: nothing more).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub found: bool,
    pub name_matches: bool,
    pub hukou_division_code: Option<String>,
    pub marital_status: Option<String>,
    pub pending_application: bool,
}

/// Why no answer came.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The party's hukou region runs no instance of this service.
    #[error("no partner instance serves this hukou region")]
    NoPartnerInstance,
    /// The partner did not answer in time or answered wrongly.
    #[error("partner unavailable: {0}")]
    Unavailable(String),
}

impl VerifyError {
    /// Stable reason code stored with the check.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::NoPartnerInstance => "no_partner_instance",
            VerifyError::Unavailable(_) => "partner_unavailable",
        }
    }
}

/// Asks the instance of a party's hukou region.
pub trait HouseholdVerifier: Send + Sync {
    /// The partner that would answer for this hukou code, for the audit trail.
    fn partner_of(&self, _hukou: &str) -> Option<String> {
        None
    }

    fn verify(&self, subject: &Subject, case: &Case) -> Result<Answer, VerifyError>;
}

/// No partner is configured: every remote check needs a manual verification.
pub struct NoPartners;

impl HouseholdVerifier for NoPartners {
    fn verify(&self, _: &Subject, _: &Case) -> Result<Answer, VerifyError> {
        Err(VerifyError::NoPartnerInstance)
    }
}
