//! Who may do what. A principal is a signed-in account or a machine token; its role and
//! the units it is bound to decide what it can read and write. These rules are the one
//! place the scoping lives: the store and the server ask them, for every read of a draft
//! and every write.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::key::UnitKey;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages accounts and tokens; everything an evaluator can do.
    Admin,
    /// The standing agency: reads every submission, approves or returns them, reads
    /// the audit log.
    Evaluator,
    /// Reports for the units it is bound to: drafts, submits, corrects.
    Reporter,
    /// Reads what is published, like the public, after signing in.
    Viewer,
    /// A unit's system with an API token: sends figures for its units.
    Machine,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Admin, Role::Evaluator, Role::Reporter, Role::Viewer, Role::Machine];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Evaluator => "evaluator",
            Role::Reporter => "reporter",
            Role::Viewer => "viewer",
            Role::Machine => "machine",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Role::Admin => "Quản trị hệ thống",
            Role::Evaluator => "Cơ quan thường trực (thẩm định)",
            Role::Reporter => "Cán bộ báo cáo của đơn vị",
            Role::Viewer => "Người xem",
            Role::Machine => "Hệ thống của đơn vị",
        }
    }

    /// Roles bound to units: without a unit they can do nothing.
    pub fn needs_units(self) -> bool {
        matches!(self, Role::Reporter | Role::Machine)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role '{0}'; expected admin, evaluator, reporter, viewer or machine")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, UnknownRole> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim()).ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// Who is asking: an account or a token, with its role and units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    /// "user:lan" or "token:7"; what the audit log records.
    pub id: String,
    pub name: String,
    pub role: Role,
    pub units: Vec<UnitKey>,
}

impl Principal {
    pub fn is_reviewer(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Evaluator)
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether it may read a unit's unpublished submissions.
    pub fn can_read_drafts_of(&self, unit: &UnitKey) -> bool {
        self.is_reviewer() || (self.role.needs_units() && self.units.contains(unit))
    }

    /// Whether it may enter, change and submit a unit's figures.
    pub fn can_report_for(&self, unit: &UnitKey) -> bool {
        self.role.needs_units() && self.units.contains(unit)
    }

    /// Whether it may approve or return submissions.
    pub fn can_review(&self) -> bool {
        self.is_reviewer()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(role: Role, units: &[&str]) -> Principal {
        Principal {
            id: "user:t".into(),
            name: "t".into(),
            role,
            units: units.iter().map(|u| UnitKey::parse(u).unwrap()).collect(),
        }
    }

    #[test]
    fn scoping() {
        let hn = UnitKey::parse("ha-noi").unwrap();
        let dn = UnitKey::parse("da-nang").unwrap();
        let reporter = p(Role::Reporter, &["ha-noi"]);
        assert!(reporter.can_report_for(&hn) && reporter.can_read_drafts_of(&hn));
        assert!(!reporter.can_report_for(&dn) && !reporter.can_read_drafts_of(&dn) && !reporter.can_review());
        let evaluator = p(Role::Evaluator, &[]);
        assert!(evaluator.can_read_drafts_of(&dn) && evaluator.can_review() && !evaluator.can_report_for(&dn));
        let viewer = p(Role::Viewer, &["ha-noi"]);
        assert!(!viewer.can_read_drafts_of(&hn) && !viewer.can_report_for(&hn));
        let machine = p(Role::Machine, &["da-nang"]);
        assert!(machine.can_report_for(&dn) && !machine.can_report_for(&hn) && !machine.can_review());
        assert_eq!("evaluator".parse::<Role>(), Ok(Role::Evaluator));
        assert!("boss".parse::<Role>().is_err());
    }
}
