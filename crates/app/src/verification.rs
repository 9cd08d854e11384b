//! The household check of a party whose hukou lies in another region goes through this seam;
//! the partner-protocol work implements it with signed requests to the partner's instance.
//! With no partner configured every remote check answers `no_partner_instance` and the
//! registrar verifies the paper 户口簿 by hand.

use std::sync::Arc;

use hunyin_partner::client;
use hunyin_partner::guard::{BreakerState, GuardConfig, Guards, SystemClock};
use hunyin_partner::wire::{CaseRef, RegistrationStatus, VerificationAnswer, VerificationRequest};
use hunyin_partner::Partners;

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
    /// `marriage_registration` or `divorce_registration`.
    pub purpose: &'static str,
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
    /// The partner answered that it has no such record.
    #[error("the partner has no such record")]
    NotFound,
}

impl VerifyError {
    /// Stable reason code stored with the check.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::NoPartnerInstance => "no_partner_instance",
            VerifyError::Unavailable(_) => "partner_unavailable",
            VerifyError::NotFound => "not_found",
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

    /// The status of a registration made by the instance serving `office_code` (the
    /// registering office's division), by certificate number.
    fn registration_status(
        &self,
        _number: &str,
        _office_code: &str,
    ) -> Result<RegistrationStatus, VerifyError> {
        Err(VerifyError::NoPartnerInstance)
    }

    /// Each partner's circuit breaker, by name (for /metrics).
    fn breakers(&self) -> Vec<(String, BreakerState)> {
        Vec::new()
    }
}

/// No partner is configured: every remote check needs a manual verification.
pub struct NoPartners;

impl HouseholdVerifier for NoPartners {
    fn verify(&self, _: &Subject, _: &Case) -> Result<Answer, VerifyError> {
        Err(VerifyError::NoPartnerInstance)
    }
}

/// The household check through the partner instance of the party's hukou region: a signed
/// request, retried on transport failures, whose signed answer is checked. Each partner has
/// its limit of calls in flight and its circuit breaker ([`Guards`]): a call beyond the limit
/// or to an open breaker is `partner_unavailable` at once.
pub struct PartnerVerifier {
    pub partners: Arc<Partners>,
    pub agent: ureq::Agent,
    pub guards: Guards,
}

impl PartnerVerifier {
    /// A verifier with an HTTP agent of the configured timeouts and `guard` for each partner.
    pub fn new(partners: Arc<Partners>, guard: GuardConfig) -> PartnerVerifier {
        let agent = client::agent(partners.connect_timeout, partners.timeout);
        let guards = Guards::new(&partners.directory, guard, Arc::new(SystemClock));
        PartnerVerifier {
            partners,
            agent,
            guards,
        }
    }
}

impl HouseholdVerifier for PartnerVerifier {
    fn breakers(&self) -> Vec<(String, BreakerState)> {
        self.guards.states()
    }

    fn partner_of(&self, hukou: &str) -> Option<String> {
        self.partners
            .directory
            .for_division(hukou)
            .map(|p| p.name.clone())
    }

    fn verify(&self, subject: &Subject, case: &Case) -> Result<Answer, VerifyError> {
        let peer = self
            .partners
            .directory
            .for_division(&subject.hukou_division_code)
            .ok_or(VerifyError::NoPartnerInstance)?;
        let request = VerificationRequest {
            id_number: subject.id_number.clone(),
            name: subject.name.clone(),
            purpose: case.purpose.to_owned(),
            case: CaseRef {
                office_id: case.office_id.clone(),
                application_reference: case.application_reference.clone(),
                registrar_id: case.registrar_id,
            },
        };
        let body = serde_json::to_vec(&request)
            .map_err(|e| VerifyError::Unavailable(format!("{}: {e}", peer.name)))?;
        let guard = self
            .guards
            .of(&peer.name)
            .ok_or(VerifyError::NoPartnerInstance)?;
        let (_, bytes) = client::call_guarded(
            &self.partners,
            &self.agent,
            guard,
            peer,
            "POST",
            "/v1/partner/household-verifications",
            Some(&body),
        )
        .map_err(|e| VerifyError::Unavailable(format!("{}: {e}", peer.name)))?;
        let a: VerificationAnswer = serde_json::from_slice(&bytes).map_err(|e| {
            VerifyError::Unavailable(format!("{}: unreadable answer: {e}", peer.name))
        })?;
        Ok(Answer {
            found: a.found,
            name_matches: a.name_matches,
            hukou_division_code: a.hukou_division_code,
            marital_status: a.marital_status,
            pending_application: a.pending_application,
        })
    }

    fn registration_status(
        &self,
        number: &str,
        office_code: &str,
    ) -> Result<RegistrationStatus, VerifyError> {
        let peer = self
            .partners
            .directory
            .for_division(office_code)
            .ok_or(VerifyError::NoPartnerInstance)?;
        let guard = self
            .guards
            .of(&peer.name)
            .ok_or(VerifyError::NoPartnerInstance)?;
        let path = format!("/v1/partner/registrations/{number}");
        let unavailable = |e: String| VerifyError::Unavailable(format!("{}: {e}", peer.name));
        match client::call_guarded(&self.partners, &self.agent, guard, peer, "GET", &path, None) {
            Ok((200, bytes)) => serde_json::from_slice(&bytes)
                .map_err(|e| unavailable(format!("unreadable answer: {e}"))),
            Ok((status, _)) => Err(unavailable(format!("answered {status}"))),
            Err(client::GuardedError::Call(client::CallError::Refused(404, _))) => {
                Err(VerifyError::NotFound)
            }
            Err(e) => Err(unavailable(e.to_string())),
        }
    }
}
