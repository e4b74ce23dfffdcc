//! Identifier newtypes. Keys are stable, ASCII, lowercase identifiers chosen by the
//! dataset; names are for people and may change.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} '{value}': use 1-80 characters a-z, 0-9, '-', '_' or '.', starting with a letter or digit")]
pub struct KeyError {
    pub what: &'static str,
    pub value: String,
}

fn valid_key(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    s.len() <= 80
        && (first.is_ascii_lowercase() || first.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

macro_rules! key_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(s: &str) -> Result<Self, KeyError> {
                let s = s.trim();
                if valid_key(s) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(KeyError { what: $what, value: s.to_owned() })
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = KeyError;
            fn from_str(s: &str) -> Result<Self, KeyError> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = KeyError;
            fn try_from(s: String) -> Result<Self, KeyError> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(k: $name) -> String {
                k.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

key_type!(
    /// Identity of a reporting unit. Official codes are reused over time, so they are
    /// not identities; the key is.
    UnitKey,
    "unit key"
);
key_type!(GroupKey, "group key");
key_type!(ProgrammeKey, "programme key");
key_type!(PillarKey, "pillar key");
key_type!(IndicatorCode, "indicator code");
key_type!(SourceKey, "source key");
key_type!(TaskListKey, "task list key");
key_type!(TaskKey, "task key");
key_type!(EventKey, "lineage event key");
key_type!(BreakdownKey, "breakdown key");
key_type!(
    /// A reporting regime: which indicators which units report, how often.
    RegimeKey,
    "regime key"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_slugs_and_rejects_the_rest() {
        assert!(UnitKey::parse("bac-ninh-2025").is_ok());
        assert!(IndicatorCode::parse("dti.national").is_ok());
        assert_eq!(UnitKey::parse(" ha-noi ").map(|k| k.to_string()), Ok("ha-noi".to_owned()));
        for bad in ["", "Ha-Noi", "đà-nẵng", "-x", "a b", &"x".repeat(81)] {
            assert!(UnitKey::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
