//! Reporting periods: year, half-year, quarter and month, written `2023`, `2023-H1`,
//! `2023-Q2` and `2023-06`, and calendar dates (`2023-06-30` or `30/6/2023`).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("'{0}' is not a period; write 2023, 2023-H1, 2023-Q2 or 2023-06")]
    Syntax(String),
    #[error("'{0}': year out of range 1900-2200")]
    Year(String),
    #[error("'{0}' is not a date; write 2023-06-30 or 30/6/2023")]
    Date(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Period {
    Year(i32),
    /// Half 1 or 2.
    Half(i32, u8),
    /// Quarter 1 to 4.
    Quarter(i32, u8),
    /// Month 1 to 12.
    Month(i32, u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Month,
    Quarter,
    Half,
    Year,
}

impl std::str::FromStr for PeriodKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "month" => Ok(PeriodKind::Month),
            "quarter" => Ok(PeriodKind::Quarter),
            "half" => Ok(PeriodKind::Half),
            "year" => Ok(PeriodKind::Year),
            other => Err(format!("unknown period kind '{other}'; expected month, quarter, half or year")),
        }
    }
}

impl PeriodKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Half => "half",
            PeriodKind::Year => "year",
        }
    }
}

impl Period {
    pub fn year(&self) -> i32 {
        match *self {
            Period::Year(y) | Period::Half(y, _) | Period::Quarter(y, _) | Period::Month(y, _) => y,
        }
    }

    pub fn kind(&self) -> PeriodKind {
        match self {
            Period::Year(_) => PeriodKind::Year,
            Period::Half(..) => PeriodKind::Half,
            Period::Quarter(..) => PeriodKind::Quarter,
            Period::Month(..) => PeriodKind::Month,
        }
    }

    /// First and last month (1-12) covered.
    fn months(&self) -> (u32, u32) {
        match *self {
            Period::Year(_) => (1, 12),
            Period::Half(_, h) => (u32::from(h) * 6 - 5, u32::from(h) * 6),
            Period::Quarter(_, q) => (u32::from(q) * 3 - 2, u32::from(q) * 3),
            Period::Month(_, m) => (u32::from(m), u32::from(m)),
        }
    }

    /// First day of the period.
    pub fn start(&self) -> NaiveDate {
        let (first, _) = self.months();
        first_of_month(self.year(), first)
    }

    /// Last day of the period.
    pub fn end(&self) -> NaiveDate {
        let (_, last) = self.months();
        let next = if last == 12 { first_of_month(self.year() + 1, 1) } else { first_of_month(self.year(), last + 1) };
        next.pred_opt().unwrap_or(next)
    }

    /// Whether `other` lies wholly within this period (a period contains itself).
    pub fn contains(&self, other: &Period) -> bool {
        self.start() <= other.start() && other.end() <= self.end()
    }

    pub fn contains_date(&self, date: NaiveDate) -> bool {
        self.start() <= date && date <= self.end()
    }

    /// The period of the same kind just before this one.
    pub fn previous(&self) -> Period {
        self.shift(-1)
    }

    /// The period of the same kind just after this one.
    pub fn next(&self) -> Period {
        self.shift(1)
    }

    fn shift(&self, by: i32) -> Period {
        let step = |y: i32, n: u8, per_year: i32| {
            let index = y * per_year + i32::from(n) - 1 + by;
            (index.div_euclid(per_year), (index.rem_euclid(per_year) + 1) as u8)
        };
        match *self {
            Period::Year(y) => Period::Year(y + by),
            Period::Half(y, h) => {
                let (y, h) = step(y, h, 2);
                Period::Half(y, h)
            }
            Period::Quarter(y, q) => {
                let (y, q) = step(y, q, 4);
                Period::Quarter(y, q)
            }
            Period::Month(y, m) => {
                let (y, m) = step(y, m, 12);
                Period::Month(y, m)
            }
        }
    }

    /// The smallest period of the given kind that contains `date`.
    pub fn of_kind_containing(kind: PeriodKind, date: NaiveDate) -> Period {
        let (y, m) = (date.year(), date.month() as u8);
        match kind {
            PeriodKind::Year => Period::Year(y),
            PeriodKind::Half => Period::Half(y, if m <= 6 { 1 } else { 2 }),
            PeriodKind::Quarter => Period::Quarter(y, (m - 1) / 3 + 1),
            PeriodKind::Month => Period::Month(y, m),
        }
    }
}

fn first_of_month(year: i32, month: u32) -> NaiveDate {
    // Periods are validated on construction (years 1900-2200, months 1-12), for which
    // every first of month exists.
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN)
}

/// Periods order by start, then by end: `2023-01` < `2023-Q1` < `2023-H1` < `2023`.
impl Ord for Period {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.start(), self.end()).cmp(&(other.start(), other.end()))
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Half(y, h) => write!(f, "{y}-H{h}"),
            Period::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            Period::Month(y, m) => write!(f, "{y}-{m:02}"),
        }
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(input: &str) -> Result<Self, PeriodError> {
        let s = input.trim();
        let syntax = || PeriodError::Syntax(input.trim().to_owned());
        let (year, rest) = match s.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (s, None),
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(syntax());
        }
        let y: i32 = year.parse().map_err(|_| syntax())?;
        if !(1900..=2200).contains(&y) {
            return Err(PeriodError::Year(s.to_owned()));
        }
        let Some(rest) = rest else {
            return Ok(Period::Year(y));
        };
        let number = |digits: &str, max: u8| -> Result<u8, PeriodError> {
            match digits.parse::<u8>() {
                Ok(n) if (1..=max).contains(&n) && digits.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
                _ => Err(syntax()),
            }
        };
        let upper = rest.to_ascii_uppercase();
        if let Some(h) = upper.strip_prefix('H') {
            Ok(Period::Half(y, number(h, 2)?))
        } else if let Some(q) = upper.strip_prefix('Q') {
            Ok(Period::Quarter(y, number(q, 4)?))
        } else if rest.len() == 2 {
            Ok(Period::Month(y, number(rest, 12)?))
        } else {
            Err(syntax())
        }
    }
}

impl TryFrom<String> for Period {
    type Error = PeriodError;
    fn try_from(s: String) -> Result<Self, PeriodError> {
        s.parse()
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

/// Reads `2023-06-30` or the Vietnamese `30/6/2023`.
pub fn parse_date(input: &str) -> Result<NaiveDate, PeriodError> {
    let s = input.trim();
    let parsed = NaiveDate::parse_from_str(s, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"));
    match parsed {
        Ok(d) if (1900..=2200).contains(&d.year()) => Ok(d),
        _ => Err(PeriodError::Date(s.to_owned())),
    }
}

/// Vietnamese display form of a date: 25/02/2023.
pub fn format_date_vi(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> Period {
        s.parse().unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn parses_and_prints_the_same_way() {
        for s in ["2023", "2023-H1", "2023-H2", "2023-Q2", "2023-06", "2023-12"] {
            assert_eq!(p(s).to_string(), s);
        }
        assert_eq!(p("2023-h1"), Period::Half(2023, 1));
        assert_eq!(p(" 2024-q4 "), Period::Quarter(2024, 4));
    }

    #[test]
    fn rejects_malformed_periods() {
        for bad in [
            "", "23", "2023-H3", "2023-Q0", "2023-Q5", "2023-13", "2023-6", "2023-00", "1899", "2023-", "2023-H1x",
            "202a",
        ] {
            assert!(bad.parse::<Period>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn knows_its_bounds() {
        assert_eq!(p("2023-H1").start(), d("2023-01-01"));
        assert_eq!(p("2023-H1").end(), d("2023-06-30"));
        assert_eq!(p("2024-Q1").end(), d("2024-03-31"));
        assert_eq!(p("2024-02").end(), d("2024-02-29"));
        assert_eq!(p("2023").end(), d("2023-12-31"));
    }

    #[test]
    fn containment() {
        assert!(p("2023").contains(&p("2023-H1")));
        assert!(p("2023-H1").contains(&p("2023-Q2")));
        assert!(p("2023-Q2").contains(&p("2023-06")));
        assert!(!p("2023-H1").contains(&p("2023-Q3")));
        assert!(!p("2023-Q2").contains(&p("2023-H1")));
        assert!(p("2023-Q2").contains(&p("2023-Q2")));
        assert!(p("2023-H2").contains_date(d("2023-12-31")));
    }

    #[test]
    fn ordering_and_neighbours() {
        let mut v = [p("2023"), p("2023-H1"), p("2022"), p("2023-Q1"), p("2023-01"), p("2023-H2")];
        v.sort();
        let got: Vec<String> = v.iter().map(|x| x.to_string()).collect();
        assert_eq!(got, ["2022", "2023-01", "2023-Q1", "2023-H1", "2023", "2023-H2"]);
        assert_eq!(p("2023-H1").previous(), p("2022-H2"));
        assert_eq!(p("2023-Q4").next(), p("2024-Q1"));
        assert_eq!(p("2023-01").previous(), p("2022-12"));
        assert_eq!(Period::of_kind_containing(PeriodKind::Quarter, d("2024-06-14")), p("2024-Q2"));
    }

    #[test]
    fn dates_in_both_forms() {
        assert_eq!(d("30/6/2023"), d("2023-06-30"));
        assert_eq!(format_date_vi(d("2023-02-25")), "25/02/2023");
        for bad in ["4/30/2024", "2023-02-30", "yesterday", ""] {
            assert!(parse_date(bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn round_trips_and_neighbours_invert(y in 1901i32..2199, kind in 0u8..4, n in 1u8..13) {
            let period = match kind {
                0 => Period::Year(y),
                1 => Period::Half(y, (n - 1) % 2 + 1),
                2 => Period::Quarter(y, (n - 1) % 4 + 1),
                _ => Period::Month(y, n),
            };
            prop_assert_eq!(period.to_string().parse::<Period>().unwrap(), period);
            prop_assert_eq!(period.next().previous(), period);
            prop_assert!(period.previous() < period);
            prop_assert_eq!(period.next().start(), period.end().succ_opt().unwrap());
        }
    }
}
