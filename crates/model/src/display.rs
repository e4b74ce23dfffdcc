//! Numbers, dates and periods as a reader of each language writes them: 1.234,5 and
//! 25/02/2023 and "6 tháng đầu năm 2023" in Vietnamese; 1,234.5, 2023-02-25 and "H1 2023"
//! in English.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::Lang;
use crate::number::{format_en, format_vi};
use crate::period::Period;

/// A stated figure, with the precision it was stated with.
pub fn decimal(value: Decimal, lang: Lang) -> String {
    match lang {
        Lang::Vi => format_vi(value),
        Lang::En => format_en(value),
    }
}

/// A computed number, to `decimals` places.
pub fn number(value: f64, decimals: u32, lang: Lang) -> String {
    let rounded = Decimal::from_f64_retain(value)
        .map(|d| d.round_dp_with_strategy(decimals, rust_decimal::RoundingStrategy::MidpointAwayFromZero));
    match rounded {
        Some(mut d) => {
            d.rescale(decimals);
            decimal(d, lang)
        }
        None => value.to_string(),
    }
}

pub fn date(day: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Vi => day.format("%d/%m/%Y").to_string(),
        Lang::En => day.format("%Y-%m-%d").to_string(),
    }
}

const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A period as a report's heading names it: "năm 2022", "6 tháng đầu năm 2023",
/// "quý II/2024", "tháng 6/2024"; "2022", "H1 2023", "Q2 2024", "June 2024".
pub fn period(p: Period, lang: Lang) -> String {
    match (p, lang) {
        (Period::Year(y), Lang::Vi) => format!("năm {y}"),
        (Period::Half(y, 1), Lang::Vi) => format!("6 tháng đầu năm {y}"),
        (Period::Half(y, _), Lang::Vi) => format!("6 tháng cuối năm {y}"),
        (Period::Quarter(y, q), Lang::Vi) => format!("quý {}/{y}", ROMAN[usize::from(q.clamp(1, 4)) - 1]),
        (Period::Month(y, m), Lang::Vi) => format!("tháng {m}/{y}"),
        (Period::Year(y), Lang::En) => y.to_string(),
        (Period::Half(y, h), Lang::En) => format!("H{h} {y}"),
        (Period::Quarter(y, q), Lang::En) => format!("Q{q} {y}"),
        (Period::Month(y, m), Lang::En) => format!("{} {y}", MONTHS[usize::from(m.clamp(1, 12)) - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_each_language() {
        assert_eq!(number(1234.5, 1, Lang::Vi), "1.234,5");
        assert_eq!(number(1234.5, 1, Lang::En), "1,234.5");
        assert_eq!(number(0.71, 4, Lang::Vi), "0,7100");
        assert_eq!(number(2.0 / 3.0, 2, Lang::Vi), "0,67");
        assert_eq!(number(69.23076, 1, Lang::Vi), "69,2");
        assert_eq!(decimal("52.80".parse().unwrap(), Lang::Vi), "52,80");
        let d = NaiveDate::from_ymd_opt(2023, 2, 25).unwrap();
        assert_eq!((date(d, Lang::Vi), date(d, Lang::En)), ("25/02/2023".into(), "2023-02-25".into()));
        assert_eq!(period("2023-H1".parse().unwrap(), Lang::Vi), "6 tháng đầu năm 2023");
        assert_eq!(period("2024-Q2".parse().unwrap(), Lang::Vi), "quý II/2024");
        assert_eq!(period("2024-06".parse().unwrap(), Lang::En), "June 2024");
        assert_eq!(period("2022".parse().unwrap(), Lang::Vi), "năm 2022");
    }
}
