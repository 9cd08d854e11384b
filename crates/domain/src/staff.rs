//! Staff roles.

use serde::Serialize;

/// A staff role; each is scoped to one office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Runs the counter: check-in, checks, declarations, registration, refusal, certificates.
    Registrar,
    /// A registrar who also manages the office's schedule and staff.
    Supervisor,
    /// Reads the audit trail and statistics; changes nothing.
    Auditor,
}

impl Role {
    /// Parses `registrar`, `supervisor` or `auditor`.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "registrar" => Some(Role::Registrar),
            "supervisor" => Some(Role::Supervisor),
            "auditor" => Some(Role::Auditor),
            _ => None,
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Registrar => "registrar",
            Role::Supervisor => "supervisor",
            Role::Auditor => "auditor",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse() {
        for r in [Role::Registrar, Role::Supervisor, Role::Auditor] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}
