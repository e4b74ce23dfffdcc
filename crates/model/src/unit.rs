//! Reporting units (the nation, ministries and agencies, provinces and the levels below
//! them) and the groups in which they are ranked.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::key::{GroupKey, UnitKey};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Nation,
    Ministry,
    MinisterialAgency,
    GovernmentAgency,
    Province,
    Department,
    District,
    Commune,
    /// A body that is named as responsible but is not part of the government's
    /// structure: courts, state corporations, federations, working groups.
    Organisation,
}

impl UnitKind {
    pub const ALL: [UnitKind; 9] = [
        UnitKind::Nation,
        UnitKind::Ministry,
        UnitKind::MinisterialAgency,
        UnitKind::GovernmentAgency,
        UnitKind::Province,
        UnitKind::Department,
        UnitKind::District,
        UnitKind::Commune,
        UnitKind::Organisation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Nation => "nation",
            UnitKind::Ministry => "ministry",
            UnitKind::MinisterialAgency => "ministerial_agency",
            UnitKind::GovernmentAgency => "government_agency",
            UnitKind::Province => "province",
            UnitKind::Department => "department",
            UnitKind::District => "district",
            UnitKind::Commune => "commune",
            UnitKind::Organisation => "organisation",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            UnitKind::Nation => "Quốc gia",
            UnitKind::Ministry => "Bộ",
            UnitKind::MinisterialAgency => "Cơ quan ngang bộ",
            UnitKind::GovernmentAgency => "Cơ quan thuộc Chính phủ",
            UnitKind::Province => "Tỉnh, thành phố trực thuộc Trung ương",
            UnitKind::Department => "Đơn vị trực thuộc",
            UnitKind::District => "Cấp huyện",
            UnitKind::Commune => "Cấp xã",
            UnitKind::Organisation => "Tổ chức khác",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            UnitKind::Nation => "Nation",
            UnitKind::Ministry => "Ministry",
            UnitKind::MinisterialAgency => "Ministerial-level agency",
            UnitKind::GovernmentAgency => "Government agency",
            UnitKind::Province => "Province",
            UnitKind::Department => "Department",
            UnitKind::District => "District",
            UnitKind::Commune => "Commune",
            UnitKind::Organisation => "Other organisation",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown unit kind '{0}'; expected one of: nation, ministry, ministerial_agency, government_agency, province, department, district, commune, organisation"
)]
pub struct UnknownUnitKind(pub String);

impl FromStr for UnitKind {
    type Err = UnknownUnitKind;
    fn from_str(s: &str) -> Result<Self, UnknownUnitKind> {
        let s = s.trim();
        UnitKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| UnknownUnitKind(s.to_owned()))
    }
}

impl fmt::Display for UnitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A reporting unit as it existed between `valid_from` and `valid_to` (both inclusive;
/// open where unknown). A merger or a rename ends one unit and starts another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub key: UnitKey,
    /// Official code; codes are reused over time, so only key identifies a unit.
    pub code: Option<String>,
    pub name: String,
    pub name_en: Option<String>,
    pub kind: UnitKind,
    pub parent: Option<UnitKey>,
    pub groups: Vec<GroupKey>,
    /// Other spellings and abbreviations under which the unit is found ("Bộ TT&TT").
    pub aliases: Vec<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

impl Unit {
    pub fn valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= date) && self.valid_to.is_none_or(|t| date <= t)
    }

    /// Whether the unit existed on at least one day of `[start, end]`.
    pub fn existed_during(&self, start: NaiveDate, end: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= end) && self.valid_to.is_none_or(|t| start <= t)
    }

    /// Name in the requested language, falling back to the Vietnamese name.
    pub fn name_in(&self, lang: crate::Lang) -> &str {
        match lang {
            crate::Lang::Vi => &self.name,
            crate::Lang::En => self.name_en.as_deref().unwrap_or(&self.name),
        }
    }
}

/// A set of units that are compared with each other, such as "ministries that provide
/// public services".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub key: GroupKey,
    pub name: String,
    pub name_en: Option<String>,
}
