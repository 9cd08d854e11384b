//! What partner instances send each other, as both sides read and write it. Data minimisation:
//! nothing beyond these fields crosses a region's border.

use serde::{Deserialize, Serialize};

/// The purpose of a household verification for a marriage registration.
pub const PURPOSE_MARRIAGE_REGISTRATION: &str = "marriage_registration";
/// The purpose of a household verification for a divorce registration (协议离婚).
pub const PURPOSE_DIVORCE_REGISTRATION: &str = "divorce_registration";

/// A notification's `type`: a marriage of one of the receiver's residents was registered.
pub const MARRIAGE_REGISTERED: &str = "marriage_registered";
/// A notification's `type`: a certificate was reissued (the marriage stands).
pub const CERTIFICATE_REISSUED: &str = "certificate_reissued";
/// A notification's `type`: a registration was revoked.
pub const REGISTRATION_REVOKED: &str = "registration_revoked";
/// A notification's `type`: a divorce of one of the receiver's residents was registered (the
/// certificate number is the `L` number of the divorce).
pub const DIVORCE_REGISTERED: &str = "divorce_registered";

/// `POST /v1/partner/household-verifications` body.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VerificationRequest {
    pub id_number: String,
    pub name: String,
    pub purpose: String,
    pub case: CaseRef,
}

/// Why a partner asks: the requesting office, the application and the registrar.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CaseRef {
    pub office_id: String,
    pub application_reference: String,
    pub registrar_id: i64,
}

/// The answer to a household verification: found, name matches, hukou, marital status, and
/// whether the person holds an open application there; nothing more.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct VerificationAnswer {
    pub found: bool,
    pub name_matches: bool,
    pub hukou_division_code: Option<String>,
    pub marital_status: Option<String>,
    pub pending_application: bool,
}

/// The registering office as partners see it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OfficeRef {
    pub id: String,
    pub name: String,
    pub division_code: String,
}

/// A party named in a notification.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PartyRef {
    pub id_number: String,
    pub name: String,
}

/// The body of `POST /v1/partner/notifications`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Notification {
    pub event_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub certificate_number: String,
    /// RFC 3339, UTC.
    pub registered_at: String,
    pub office: OfficeRef,
    pub parties: Vec<PartyRef>,
    /// With `divorce_registered` to the region that registered the marriage: that marriage's
    /// certificate number, for the receiver to mark it `dissolved`. Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dissolves: Option<String>,
}

/// The receiver's acknowledgement of a notification (a signed 202).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NotificationAck {
    pub event_id: String,
    /// `accepted`, or `duplicate` for an event id seen before.
    pub status: String,
    /// How many of the receiver's residents it changed.
    pub applied: i32,
}

/// A party of a registration as a status query shows it: masked.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MaskedParty {
    pub name: String,
    pub id_number_masked: String,
}

/// The answer of `GET /v1/partner/registrations/{certificate_number}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RegistrationStatus {
    pub certificate_number: String,
    /// `valid`, `superseded`, `revoked` or (a marriage ended by divorce) `dissolved`.
    pub status: String,
    pub issued_at: String,
    pub supersedes: Option<String>,
    pub superseded_by: Option<String>,
    pub revoked_at: Option<String>,
    pub office: OfficeRef,
    pub parties: Vec<MaskedParty>,
}
