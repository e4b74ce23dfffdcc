//! Values of indicators, with where they came from and every earlier revision.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::indicator::{Indicator, IndicatorKind};
use crate::key::{IndicatorCode, UnitKey};
use crate::number::{NumberError, parse_number};
use crate::period::{Period, PeriodError, parse_date};

/// One stated figure: a number, yes/no, a date or a label, depending on the indicator.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Datum {
    Number(Decimal),
    YesNo(bool),
    Date(NaiveDate),
    Category(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error(transparent)]
    Number(#[from] NumberError),
    #[error(transparent)]
    Date(#[from] PeriodError),
    #[error("'{0}' is not yes or no (write yes, no, có or không)")]
    YesNo(String),
    #[error("'{value}' is not one of the indicator's categories: {allowed}")]
    Category { value: String, allowed: String },
    #[error("a percent sign is only allowed when the unit of measure is %")]
    PercentSign,
    #[error("{value} is below the indicator's minimum {min}")]
    BelowMin { value: Decimal, min: Decimal },
    #[error("{value} is above the indicator's maximum {max}")]
    AboveMax { value: Decimal, max: Decimal },
    #[error("a count cannot be negative")]
    NegativeCount,
    #[error(
        "'{0}' is not a whole number, but counts of this indicator are (a single dot is a decimal point: write 2416, not 2.416)"
    )]
    NotWhole(String),
    #[error("a rank is a whole number from 1")]
    BadRank,
    #[error("numerator and denominator go together; give both or neither")]
    HalfRatio,
    #[error("the denominator must be greater than zero")]
    ZeroDenominator,
    #[error("numerator and denominator cannot be negative")]
    NegativeParts,
    #[error("numerator {numerator} is greater than denominator {denominator}, which this indicator forbids")]
    NumeratorOverDenominator { numerator: Decimal, denominator: Decimal },
    #[error("numerator and denominator are only for ratios and percentages")]
    PartsNotAllowed,
    #[error("a value is required (a ratio may give numerator and denominator instead)")]
    Missing,
}

impl ValueError {
    /// The message in Vietnamese, for the reporter who typed the figure.
    pub fn vi(&self) -> String {
        use crate::number::NumberError;
        match self {
            ValueError::Number(NumberError::NotANumber(t)) => format!("«{t}» không phải là số"),
            ValueError::Number(NumberError::EnglishGrouping(t)) => {
                format!("«{t}» dùng dấu phân cách kiểu tiếng Anh; hãy viết 1.234,5 hoặc 1234.5")
            }
            ValueError::Number(NumberError::BadGrouping(t)) => {
                format!("«{t}» đặt dấu phân cách hàng nghìn không đúng (mỗi nhóm sau phải có 3 chữ số)")
            }
            ValueError::Number(NumberError::TooPrecise(t)) => {
                format!("«{t}» có quá {} chữ số thập phân", crate::number::MAX_DECIMALS)
            }
            ValueError::Number(NumberError::TooLarge(t)) => {
                format!("«{t}» có quá {} chữ số ở phần nguyên", crate::number::MAX_DIGITS)
            }
            ValueError::Number(NumberError::Overflow) => "kết quả tính toán quá lớn".to_owned(),
            ValueError::Date(_) => "ngày không hợp lệ; hãy viết 30/6/2024 hoặc 2024-06-30".to_owned(),
            ValueError::YesNo(t) => format!("«{t}» không phải Có hoặc Không"),
            ValueError::Category { value, allowed } => format!("«{value}» không thuộc các mức: {allowed}"),
            ValueError::PercentSign => "chỉ tiêu này không tính bằng %, không dùng dấu %".to_owned(),
            ValueError::BelowMin { value, min } => {
                format!(
                    "{} nhỏ hơn giá trị tối thiểu {}",
                    crate::number::format_vi(*value),
                    crate::number::format_vi(*min)
                )
            }
            ValueError::AboveMax { value, max } => {
                format!(
                    "{} lớn hơn giá trị tối đa {}",
                    crate::number::format_vi(*value),
                    crate::number::format_vi(*max)
                )
            }
            ValueError::NegativeCount => "số lượng không thể âm".to_owned(),
            ValueError::NotWhole(t) => {
                format!("«{t}» phải là số nguyên (dấu chấm đơn là dấu thập phân: viết 2416, không viết 2.416)")
            }
            ValueError::BadRank => "thứ hạng là số nguyên từ 1".to_owned(),
            ValueError::HalfRatio => "cần nhập cả tử số và mẫu số, hoặc bỏ trống cả hai".to_owned(),
            ValueError::ZeroDenominator => "mẫu số phải lớn hơn 0".to_owned(),
            ValueError::NegativeParts => "tử số và mẫu số không thể âm".to_owned(),
            ValueError::NumeratorOverDenominator { numerator, denominator } => format!(
                "tử số {} lớn hơn mẫu số {}",
                crate::number::format_vi(*numerator),
                crate::number::format_vi(*denominator)
            ),
            ValueError::PartsNotAllowed => "tử số và mẫu số chỉ dùng cho chỉ tiêu tỷ lệ".to_owned(),
            ValueError::Missing => "chưa nhập giá trị".to_owned(),
        }
    }
}

impl Datum {
    /// Reads a stated figure in the form the indicator's kind calls for.
    pub fn parse(indicator: &Indicator, text: &str) -> Result<Datum, ValueError> {
        let text = text.trim();
        match indicator.kind {
            IndicatorKind::YesNo => match crate::text::fold(text).as_str() {
                "yes" | "true" | "1" | "co" | "x" | "dat" => Ok(Datum::YesNo(true)),
                "no" | "false" | "0" | "khong" | "chua" => Ok(Datum::YesNo(false)),
                _ => Err(ValueError::YesNo(text.to_owned())),
            },
            IndicatorKind::Date => Ok(Datum::Date(parse_date(text)?)),
            IndicatorKind::Category => indicator
                .categories
                .iter()
                .find(|c| c.eq_ignore_ascii_case(text))
                .map(|c| Datum::Category(c.clone()))
                .ok_or_else(|| ValueError::Category {
                    value: text.to_owned(),
                    allowed: indicator.categories.join(", "),
                }),
            _ => {
                let parsed = parse_number(text)?;
                if parsed.percent && indicator.unit_of_measure.trim() != "%" {
                    return Err(ValueError::PercentSign);
                }
                Ok(Datum::Number(parsed.value))
            }
        }
    }

    pub fn as_number(&self) -> Option<Decimal> {
        match self {
            Datum::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// Canonical text, as stored and exported; `Datum::parse` reads it back.
    pub fn to_text(&self) -> String {
        match self {
            Datum::Number(n) => n.to_string(),
            Datum::YesNo(true) => "yes".to_owned(),
            Datum::YesNo(false) => "no".to_owned(),
            Datum::Date(d) => d.to_string(),
            Datum::Category(c) => c.clone(),
        }
    }
}

impl fmt::Display for Datum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// A value as stated, before it is checked against its indicator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatedFigures {
    pub value: Option<Datum>,
    pub numerator: Option<Decimal>,
    pub denominator: Option<Decimal>,
}

/// Checks a value against its indicator and completes it: a ratio given only as
/// numerator and denominator gets its value computed (two decimals).
pub fn check_figures(indicator: &Indicator, stated: StatedFigures) -> Result<StatedFigures, ValueError> {
    let StatedFigures { value, numerator, denominator } = stated;
    let has_parts = matches!(indicator.kind, IndicatorKind::Ratio | IndicatorKind::Percentage);
    let parts = match (numerator, denominator) {
        (None, None) => None,
        (Some(n), Some(d)) if has_parts => Some((n, d)),
        (Some(_), Some(_)) => return Err(ValueError::PartsNotAllowed),
        _ if !has_parts => return Err(ValueError::PartsNotAllowed),
        _ => return Err(ValueError::HalfRatio),
    };
    if let Some((n, d)) = parts {
        if n.is_sign_negative() && !n.is_zero() || d.is_sign_negative() {
            return Err(ValueError::NegativeParts);
        }
        if d.is_zero() {
            return Err(ValueError::ZeroDenominator);
        }
        if indicator.numerator_le_denominator && n > d {
            return Err(ValueError::NumeratorOverDenominator { numerator: n, denominator: d });
        }
    }
    let value = match (value, parts) {
        (Some(v), _) => v,
        (None, Some((n, d))) if indicator.kind == IndicatorKind::Ratio => {
            match crate::number::ratio(n, d, indicator.ratio_multiplier())? {
                Some(x) => Datum::Number(x.round_dp(2)),
                None => return Err(ValueError::ZeroDenominator),
            }
        }
        (None, _) => return Err(ValueError::Missing),
    };
    if let Datum::Number(x) = value {
        check_number(indicator, x)?;
    }
    Ok(StatedFigures { value: Some(value), numerator, denominator })
}

fn check_number(indicator: &Indicator, x: Decimal) -> Result<(), ValueError> {
    if let Some(min) = indicator.min
        && x < min
    {
        return Err(ValueError::BelowMin { value: x, min });
    }
    if let Some(max) = indicator.max
        && x > max
    {
        return Err(ValueError::AboveMax { value: x, max });
    }
    match indicator.kind {
        IndicatorKind::Count if x.is_sign_negative() && !x.is_zero() => Err(ValueError::NegativeCount),
        // Stated with decimals at all: "1.000" is one thousand to a Vietnamese reader,
        // and one to the machine form, so a whole count is written without them.
        IndicatorKind::Count if indicator.whole_counts() && x.scale() > 0 => Err(ValueError::NotWhole(x.to_string())),
        IndicatorKind::Rank if x < Decimal::ONE || !x.fract().is_zero() => Err(ValueError::BadRank),
        _ => Ok(()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    /// Stated by the unit or in a report.
    Reported,
    /// Checked and approved by the standing agency.
    Verified,
    /// Computed from events that the unit's systems sent.
    Measured,
    /// An estimate or forecast.
    Estimated,
}

impl Provenance {
    pub const ALL: [Provenance; 4] =
        [Provenance::Reported, Provenance::Verified, Provenance::Measured, Provenance::Estimated];

    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Reported => "reported",
            Provenance::Verified => "verified",
            Provenance::Measured => "measured",
            Provenance::Estimated => "estimated",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Provenance::Reported => "tự báo cáo",
            Provenance::Verified => "đã thẩm định",
            Provenance::Measured => "đo tự động",
            Provenance::Estimated => "ước tính",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown provenance '{0}'; expected reported, verified, measured or estimated")]
pub struct UnknownProvenance(pub String);

impl FromStr for Provenance {
    type Err = UnknownProvenance;
    fn from_str(s: &str) -> Result<Self, UnknownProvenance> {
        let s = s.trim();
        Provenance::ALL.into_iter().find(|p| p.as_str() == s).ok_or_else(|| UnknownProvenance(s.to_owned()))
    }
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One revision of the value of an indicator for a unit and period. Revisions are
/// numbered from 1; a new one never erases an earlier one, and the highest is current.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueRecord {
    pub indicator: IndicatorCode,
    pub unit: UnitKey,
    pub period: Period,
    pub revision: u32,
    pub value: Datum,
    pub numerator: Option<Decimal>,
    pub denominator: Option<Decimal>,
    pub provenance: Provenance,
    /// Where the figure is stated: a source key, then a locator ("seed-001 §I.5").
    pub source: Option<String>,
    pub note: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

impl ValueRecord {
    /// The document a source reference names: its first word ("seed-001").
    pub fn source_document(&self) -> Option<&str> {
        crate::source::document_of(self.source.as_deref()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicator::Direction;
    use crate::key::PillarKey;

    pub(crate) fn indicator(kind: IndicatorKind, unit_of_measure: &str) -> Indicator {
        Indicator {
            code: IndicatorCode::parse("x").unwrap(),
            pillar: PillarKey::parse("p").unwrap(),
            name: "X".to_owned(),
            name_en: None,
            kind,
            unit_of_measure: unit_of_measure.to_owned(),
            direction: Direction::HigherIsBetter,
            lead: vec![],
            co: vec![],
            min: None,
            max: None,
            numerator_le_denominator: true,
            categories: vec!["A".into(), "B".into()],
            parts: vec![],
            description: None,
        }
    }

    fn num(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn figures(
        value: Option<&str>,
        n: Option<&str>,
        d: Option<&str>,
        ind: &Indicator,
    ) -> Result<StatedFigures, ValueError> {
        let value = value.map(|v| Datum::parse(ind, v)).transpose()?;
        check_figures(ind, StatedFigures { value, numerator: n.map(num), denominator: d.map(num) })
    }

    #[test]
    fn parses_by_kind() {
        assert_eq!(Datum::parse(&indicator(IndicatorKind::YesNo, ""), "Có"), Ok(Datum::YesNo(true)));
        assert_eq!(Datum::parse(&indicator(IndicatorKind::Category, ""), "b"), Ok(Datum::Category("B".into())));
        assert!(Datum::parse(&indicator(IndicatorKind::Category, ""), "F").is_err());
        assert!(Datum::parse(&indicator(IndicatorKind::Date, ""), "31/12/2023").is_ok());
        assert_eq!(Datum::parse(&indicator(IndicatorKind::Percentage, "%"), "54,34%"), Ok(Datum::Number(num("54.34"))));
        assert_eq!(Datum::parse(&indicator(IndicatorKind::Count, "hồ sơ"), "5%"), Err(ValueError::PercentSign));
        assert!(Datum::parse(&indicator(IndicatorKind::Count, "hồ sơ"), "yes").is_err());
    }

    #[test]
    fn checks_ratios() {
        let r = indicator(IndicatorKind::Ratio, "%");
        let got = figures(None, Some("19"), Some("21"), &r).unwrap();
        assert_eq!(got.value, Some(Datum::Number(num("90.48"))));
        assert!(matches!(
            figures(Some("5"), Some("22"), Some("21"), &r),
            Err(ValueError::NumeratorOverDenominator { .. })
        ));
        assert_eq!(figures(Some("5"), Some("1"), None, &r), Err(ValueError::HalfRatio));
        assert_eq!(figures(Some("5"), Some("1"), Some("0"), &r), Err(ValueError::ZeroDenominator));
        assert_eq!(figures(None, None, None, &r), Err(ValueError::Missing));
        let mut over = r.clone();
        over.numerator_le_denominator = false;
        assert!(figures(Some("104.9"), Some("50350"), Some("48000"), &over).is_ok());
        let count = indicator(IndicatorKind::Count, "doanh nghiệp");
        assert_eq!(figures(Some("5"), Some("1"), Some("2"), &count), Err(ValueError::PartsNotAllowed));
    }

    #[test]
    fn checks_ranges_and_whole_counts() {
        let count = indicator(IndicatorKind::Count, "thôn");
        assert!(matches!(figures(Some("2.416"), None, None, &count), Err(ValueError::NotWhole(_))));
        assert!(matches!(figures(Some("1.000"), None, None, &count), Err(ValueError::NotWhole(_))));
        assert!(figures(Some("1.000.000"), None, None, &count).is_ok(), "grouped thousands are whole");
        assert!(figures(Some("2416"), None, None, &count).is_ok());
        assert_eq!(figures(Some("-1"), None, None, &count), Err(ValueError::NegativeCount));
        let millions = indicator(IndicatorKind::Count, "triệu hồ sơ");
        assert!(figures(Some("75.7"), None, None, &millions).is_ok());
        let mut index = indicator(IndicatorKind::Index, "");
        index.min = Some(Decimal::ZERO);
        index.max = Some(Decimal::ONE);
        assert!(matches!(figures(Some("1.2"), None, None, &index), Err(ValueError::AboveMax { .. })));
        assert_eq!(figures(Some("0"), None, None, &indicator(IndicatorKind::Rank, "")), Err(ValueError::BadRank));
    }
}
