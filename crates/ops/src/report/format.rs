//! Values and targets as a report prints them.

use model::{Comparator, Datum, Indicator, Lang, Target, ValueRecord, display};
use report::{Cell, Figure};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// One text or the other, by language.
pub fn t(lang: Lang, vi: &str, en: &str) -> String {
    lang.pick(vi, Some(en)).to_owned()
}

fn percent(indicator: Option<&Indicator>) -> bool {
    indicator.is_some_and(|i| i.unit_of_measure == "%")
}

/// A stated figure with its unit: "54,34%", "75,7 triệu", "2.087.114".
pub fn figure(d: Decimal, indicator: Option<&Indicator>, lang: Lang) -> Cell {
    let pct = percent(indicator);
    let mut text = display::decimal(d, lang);
    match indicator.map(|i| i.unit_of_measure.as_str()) {
        Some("%") => text.push('%'),
        Some(u) if !u.is_empty() && u != "hạng" => {
            text.push(' ');
            text.push_str(u);
        }
        _ => {}
    }
    let value = d.to_f64().unwrap_or(0.0);
    Cell::figure(text, Figure { value, decimals: d.scale(), percent: pct })
}

pub fn datum(value: &Datum, indicator: Option<&Indicator>, lang: Lang) -> Cell {
    match value {
        Datum::Number(d) => figure(*d, indicator, lang),
        Datum::YesNo(b) => Cell::text(if *b { t(lang, "Có", "Yes") } else { t(lang, "Không", "No") }),
        Datum::Date(d) => Cell::text(display::date(*d, lang)),
        Datum::Category(c) => Cell::text(c.clone()),
    }
}

pub fn value(v: &ValueRecord, indicator: Option<&Indicator>, lang: Lang) -> Cell {
    datum(&v.value, indicator, lang)
}

/// A missing value is shown as missing, never as zero.
pub fn missing(lang: Lang) -> Cell {
    Cell::text(t(lang, "Chưa có số liệu", "No data"))
}

/// The target as its plan words it, or as its comparator and figure.
pub fn target(target: &Target, indicator: Option<&Indicator>, lang: Lang) -> String {
    if let (Some(label), Lang::Vi) = (&target.label, lang) {
        return label.clone();
    }
    let goal = datum(&target.value, indicator, lang).text;
    match target.comparator {
        Comparator::Ge => format!("≥ {goal}"),
        Comparator::Gt => format!("> {goal}"),
        Comparator::Le => format!("≤ {goal}"),
        Comparator::Lt => format!("< {goal}"),
        Comparator::Eq => goal,
        Comparator::ByDate => format!("{} {goal}", t(lang, "Trước", "By")),
    }
}

/// A rank change: "▲3", "▼2", "=".
pub fn change(places: i64) -> String {
    match places {
        0 => "=".to_owned(),
        p if p > 0 => format!("▲{p}"),
        p => format!("▼{}", -p),
    }
}

pub fn roman(n: usize) -> &'static str {
    ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"].get(n).copied().unwrap_or("")
}
