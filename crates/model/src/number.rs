//! Numbers as they arrive and as Vietnamese readers expect them. Values are decimals
//! that keep the precision they were stated with: "52,80%" stays 52.80, so a report
//! can print it back the same way and a check knows how much rounding it allows.

use rust_decimal::Decimal;
use std::str::FromStr;

/// The most decimal places a figure may be stated with.
pub const MAX_DECIMALS: u32 = 10;
/// Figures are smaller than this in magnitude (10^18, a billion billion): room for sums
/// of many of them, and for every step of the check, scoring and reports.
pub const MAX_DIGITS: u32 = 18;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("'{0}' is not a number")]
    NotANumber(String),
    #[error("'{0}' has more than {MAX_DECIMALS} decimal places")]
    TooPrecise(String),
    #[error("'{0}' has more than {MAX_DIGITS} digits before the decimal point")]
    TooLarge(String),
    #[error("the result is too large to compute")]
    Overflow,
    #[error("'{0}' mixes separators the English way; write 1234.5 (dot as decimal point) or 1.234,5 (Vietnamese)")]
    EnglishGrouping(String),
    #[error("'{0}' has misplaced thousands separators; groups after the first must have 3 digits")]
    BadGrouping(String),
}

/// A parsed number and whether it carried a trailing percent sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parsed {
    pub value: Decimal,
    pub percent: bool,
}

/// Parses "1234.5", "-3", "54,34", "1.234,5", "2.087.114" and "54,34%".
///
/// A single dot is a decimal point (the machine form dxmon itself writes). A comma is a
/// Vietnamese decimal comma, and then dots group thousands; several dots without a
/// comma are thousands groups ("2.087.114").
pub fn parse_number(input: &str) -> Result<Parsed, NumberError> {
    let s = input.trim();
    let (s, percent) = match s.strip_suffix('%') {
        Some(rest) => (rest.trim_end(), true),
        None => (s, false),
    };
    let not_a_number = || NumberError::NotANumber(clipped(input));
    let (sign, digits) = match s.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", s.strip_prefix('+').unwrap_or(s)),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return Err(not_a_number());
    }
    let machine = if let Some((int, frac)) = digits.split_once(',') {
        if frac.contains(',') || frac.contains('.') {
            return Err(NumberError::EnglishGrouping(input.trim().to_owned()));
        }
        if frac.is_empty() {
            return Err(not_a_number());
        }
        format!("{sign}{}.{frac}", ungroup(int, input)?)
    } else if digits.matches('.').count() > 1 {
        format!("{sign}{}", ungroup(digits, input)?)
    } else {
        format!("{sign}{digits}")
    };
    let (whole, fraction) = machine.trim_start_matches('-').split_once('.').unwrap_or((&machine, ""));
    if fraction.len() > MAX_DECIMALS as usize {
        return Err(NumberError::TooPrecise(clipped(input)));
    }
    if whole.trim_start_matches(['-', '0']).len() > MAX_DIGITS as usize {
        return Err(NumberError::TooLarge(clipped(input)));
    }
    let value = Decimal::from_str(&machine).map_err(|_| not_a_number())?;
    Ok(Parsed { value, percent })
}

/// Input echoed in a message: at most 40 characters.
fn clipped(input: &str) -> String {
    let text = input.trim();
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// `numerator / denominator × multiplier`, checked: `None` for a zero denominator,
/// `Overflow` when the result does not fit a decimal.
pub fn ratio(numerator: Decimal, denominator: Decimal, multiplier: Decimal) -> Result<Option<Decimal>, NumberError> {
    if denominator.is_zero() {
        return Ok(None);
    }
    numerator.checked_div(denominator).and_then(|q| q.checked_mul(multiplier)).map(Some).ok_or(NumberError::Overflow)
}

/// "2.087.114" -> "2087114", checking that every group after the first has 3 digits.
fn ungroup(int: &str, input: &str) -> Result<String, NumberError> {
    let mut groups = int.split('.');
    let first = groups.next().unwrap_or("");
    if first.is_empty() || first.len() > 3 && int.contains('.') {
        return Err(NumberError::BadGrouping(input.trim().to_owned()));
    }
    let mut out = first.to_owned();
    for g in groups {
        if g.len() != 3 {
            return Err(NumberError::BadGrouping(input.trim().to_owned()));
        }
        out.push_str(g);
    }
    Ok(out)
}

/// Vietnamese display form, keeping the stated precision: 1234.50 -> "1.234,50".
pub fn format_vi(value: Decimal) -> String {
    format_grouped(value, '.', ',')
}

/// English display form: 1234.50 -> "1,234.50".
pub fn format_en(value: Decimal) -> String {
    format_grouped(value, ',', '.')
}

fn format_grouped(value: Decimal, group: char, point: char) -> String {
    let text = value.abs().to_string();
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    if value.is_sign_negative() && !value.is_zero() {
        out.push('-');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    out
}

/// Half a unit of the last stated digit: the rounding a stated figure may carry.
/// Whole numbers are taken as exact counts. (A figure with all 28 decimals a decimal
/// holds is taken as exact too: half its last digit is beyond them.)
pub fn half_unit(value: Decimal) -> Decimal {
    match value.scale() {
        0 => Decimal::ZERO,
        scale => Decimal::try_new(5, scale + 1).unwrap_or(Decimal::ZERO),
    }
}

/// One unit of the last stated digit (0.01 for 52.80; 1 for 57).
pub fn unit_of_last_digit(value: Decimal) -> Decimal {
    Decimal::new(1, value.scale())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn reads_machine_and_vietnamese_forms() {
        let cases = [
            ("1234.5", "1234.5", false),
            ("54,34", "54.34", false),
            ("54,34%", "54.34", true),
            ("52,80 %", "52.80", true),
            ("1.234,5", "1234.5", false),
            ("2.087.114", "2087114", false),
            ("-3", "-3", false),
            ("+7,5", "7.5", false),
            ("0.7100", "0.7100", false),
        ];
        for (input, want, percent) in cases {
            let got = parse_number(input).unwrap();
            assert_eq!(got.value.to_string(), want, "{input}");
            assert_eq!(got.percent, percent, "{input}");
        }
    }

    #[test]
    fn rejects_what_it_cannot_read_unambiguously() {
        assert!(matches!(parse_number("1,234.5"), Err(NumberError::EnglishGrouping(_))));
        assert!(matches!(parse_number("12.34.567"), Err(NumberError::BadGrouping(_))));
        assert!(matches!(parse_number("1234.567.890"), Err(NumberError::BadGrouping(_))));
        for bad in ["", "abc", "1e5", "12a", ",5", "5,", "--1", "%"] {
            assert!(parse_number(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn precision_and_magnitude_are_bounded() {
        assert!(parse_number("0,1234567890").is_ok());
        assert!(matches!(parse_number("0,12345678901"), Err(NumberError::TooPrecise(_))));
        assert!(matches!(parse_number("0.1234567890123456789012345678"), Err(NumberError::TooPrecise(_))));
        assert!(parse_number("-999999999999999999").is_ok());
        assert!(parse_number("000000000000000000001").is_ok(), "leading zeros are not digits");
        assert!(matches!(parse_number("1000000000000000000"), Err(NumberError::TooLarge(_))));
        assert!(matches!(parse_number("1.000.000.000.000.000.000"), Err(NumberError::TooLarge(_))));
        assert!(matches!(parse_number("79228162514264337593543950335"), Err(NumberError::TooLarge(_))));
        let long = "9".repeat(100_000);
        let Err(NumberError::TooLarge(echo)) = parse_number(&long) else { panic!("a long number is too large") };
        assert!(echo.chars().count() <= 41, "the message echoes a little of it");
        assert_eq!(ratio(n("3"), n("0"), n("100")), Ok(None));
        assert_eq!(ratio(n("1"), n("4"), n("100")), Ok(Some(n("25"))));
        assert_eq!(ratio(Decimal::MAX, n("0.0000001"), n("100")), Err(NumberError::Overflow));
    }

    #[test]
    fn formats_the_vietnamese_way() {
        assert_eq!(format_vi(n("1234.50")), "1.234,50");
        assert_eq!(format_vi(n("54.34")), "54,34");
        assert_eq!(format_vi(n("2087114")), "2.087.114");
        assert_eq!(format_vi(n("-1234567.8")), "-1.234.567,8");
        assert_eq!(format_en(n("1234.50")), "1,234.50");
    }

    #[test]
    fn rounding_allowance_follows_stated_precision() {
        assert_eq!(half_unit(n("62.9")), n("0.05"));
        assert_eq!(half_unit(n("1949")), Decimal::ZERO);
        assert_eq!(unit_of_last_digit(n("52.80")), n("0.01"));
    }

    proptest! {
        #[test]
        fn vietnamese_form_reads_back(units in -10_000_000_000i64..10_000_000_000, scale in 0u32..5) {
            let d = Decimal::new(units, scale);
            prop_assert_eq!(parse_number(&d.to_string()).unwrap().value, d);
            // "1.234" alone reads as one point two three four: a single dot is a decimal
            // point, so only Vietnamese forms with a comma or several dots read back.
            let vi = format_vi(d);
            if vi.contains(',') || vi.matches('.').count() != 1 {
                prop_assert_eq!(parse_number(&vi).unwrap().value, d);
            }
        }
    }
}
