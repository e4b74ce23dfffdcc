//! How far a stated figure may be from the arithmetic of the figures it is stated with,
//! given how precisely each was written. "62,9%" allows 62,85 to 62,95; "75,7 triệu"
//! allows 75,65 to 75,75; whole numbers are exact counts.
//!
//! Every step is checked: figures too large for a decimal (or a division by zero) give
//! `TooLarge`, which the check reports as a finding rather than a crash.

use model::number::{half_unit, unit_of_last_digit};
use rust_decimal::{Decimal, RoundingStrategy};

/// A step of arithmetic whose result a decimal cannot hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge;

pub type Checked<T> = Result<T, TooLarge>;

pub fn add(a: Decimal, b: Decimal) -> Checked<Decimal> {
    a.checked_add(b).ok_or(TooLarge)
}

pub fn sub(a: Decimal, b: Decimal) -> Checked<Decimal> {
    a.checked_sub(b).ok_or(TooLarge)
}

pub fn mul(a: Decimal, b: Decimal) -> Checked<Decimal> {
    a.checked_mul(b).ok_or(TooLarge)
}

/// `a / b`; the callers have made sure `b` is not zero, so a failure is a size.
pub fn div(a: Decimal, b: Decimal) -> Checked<Decimal> {
    a.checked_div(b).ok_or(TooLarge)
}

pub fn sum<'a>(values: impl IntoIterator<Item = &'a Decimal>) -> Checked<Decimal> {
    values.into_iter().try_fold(Decimal::ZERO, |acc, v| add(acc, *v))
}

/// A quantity known to lie within `value ± half`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Approx {
    pub value: Decimal,
    pub half: Decimal,
}

impl Approx {
    /// A figure as stated: exact if whole, otherwise to half its last digit.
    pub fn stated(value: Decimal) -> Self {
        Approx { value, half: half_unit(value) }
    }

    pub fn minus(self, other: Approx) -> Checked<Approx> {
        Ok(Approx { value: sub(self.value, other.value)?, half: add(self.half, other.half)? })
    }

    fn bounds(self) -> Checked<(Decimal, Decimal)> {
        Ok((sub(self.value, self.half)?, add(self.value, self.half)?))
    }
}

/// What a stated figure is, compared with what its parts give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Consistent,
    /// Matches only if the last digit was cut off instead of rounded.
    Truncated,
    Contradiction,
}

/// A stated ratio, percentage or multiple compared with numerator / denominator ×
/// multiplier. A stated percentage of "57" means 56,5 to 57,5 whatever its scale.
pub fn ratio_verdict(stated: Decimal, numerator: Approx, denominator: Approx, multiplier: Decimal) -> Checked<Verdict> {
    let (n_lo, n_hi) = numerator.bounds()?;
    let (d_lo, d_hi) = denominator.bounds()?;
    if d_lo <= Decimal::ZERO || d_hi <= Decimal::ZERO {
        return Ok(Verdict::Contradiction);
    }
    let lo = mul(div(n_lo, d_hi)?, multiplier)?;
    let hi = mul(div(n_hi, d_lo)?, multiplier)?;
    let half = Decimal::try_new(5, stated.scale() + 1).unwrap_or(Decimal::ZERO);
    if lo <= add(stated, half)? && hi >= sub(stated, half)? {
        return Ok(Verdict::Consistent);
    }
    let unit = unit_of_last_digit(stated);
    if stated >= Decimal::ZERO && lo < add(stated, unit)? && hi >= stated {
        return Ok(Verdict::Truncated);
    }
    Ok(Verdict::Contradiction)
}

/// Whether a stated total and the sum of its parts agree within their precision.
pub fn sum_agrees(total: Decimal, parts: &[Decimal]) -> Checked<bool> {
    let halves: Vec<Decimal> = parts.iter().map(|p| half_unit(*p)).collect();
    let tolerance = add(sum(&halves)?, half_unit(total))?;
    Ok(sub(sum(parts)?, total)?.abs() <= tolerance)
}

/// `value` rounded the way the stated figure was written, for display: 62,99 -> 63,0.
pub fn like(value: Decimal, stated: Decimal) -> Decimal {
    let scale = stated.scale();
    let mut rounded = value.round_dp_with_strategy(scale, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(scale);
    rounded
}

/// `value` with one more digit than the stated figure, to show why "more than 4,8"
/// does not hold for 4,78.
pub fn finer(value: Decimal, stated: Decimal) -> Decimal {
    let mut rounded = value.round_dp_with_strategy(stated.scale() + 1, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(stated.scale() + 1);
    rounded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn ratio(stated: &str, num: &str, den: &str) -> Verdict {
        ratio_verdict(n(stated), Approx::stated(n(num)), Approx::stated(n(den)), Decimal::ONE_HUNDRED).unwrap()
    }

    #[test]
    fn verdicts_on_seed_figures() {
        // Seed 003: 132.626 / 253.837 is 52,25%, stated 50,25%.
        assert_eq!(ratio("50.25", "132626", "253837"), Verdict::Contradiction);
        // Seed 000: 1.949 / 3.094 is 62,99%, which rounds to 63,0, stated 62,9.
        assert_eq!(ratio("62.9", "1949", "3094"), Verdict::Truncated);
        // Seed 002: 14.727 / 15.981 = 92,15% stated 92,2%.
        assert_eq!(ratio("92.2", "14727", "15981"), Verdict::Consistent);
        // Seed 002: "trên 55,25 triệu" of "trên 75,7 triệu" stated 72,98%: within the
        // rounding of the millions.
        assert_eq!(ratio("72.98", "55.25", "75.7"), Verdict::Consistent);
        // Seed 002: 12/34 is 35,3%, stated 32,3% and 31,3%.
        assert_eq!(ratio("32.3", "12", "34"), Verdict::Contradiction);
        assert_eq!(ratio("57", "16", "28"), Verdict::Consistent);
    }

    #[test]
    fn sums() {
        assert!(!sum_agrees(n("2087114"), &[n("132626"), n("1974488")]).unwrap());
        assert!(sum_agrees(n("100"), &[n("3"), n("5"), n("36"), n("10"), n("7"), n("25"), n("14")]).unwrap());
        assert!(sum_agrees(n("1.0"), &[n("0.5"), n("0.6")]).unwrap());
        assert!(!sum_agrees(n("63"), &[n("39"), n("24"), n("9")]).unwrap());
    }

    #[test]
    fn figures_beyond_a_decimal_are_too_large_not_a_crash() {
        let max = Decimal::MAX;
        assert_eq!(sum_agrees(max, &[max, max]), Err(TooLarge));
        let tiny = Decimal::new(1, 28);
        assert_eq!(half_unit(tiny), Decimal::ZERO);
        assert!(ratio_verdict(tiny, Approx::stated(max), Approx::stated(tiny), Decimal::ONE_HUNDRED).is_err());
        let big = |s: &str| Approx::stated(n(s));
        let half = ratio_verdict(
            n("50"),
            big("1000000000000000000000000000"),
            big("2000000000000000000000000000"),
            Decimal::ONE_HUNDRED,
        );
        assert_eq!(half, Ok(Verdict::Consistent));
    }

    #[test]
    fn displays_like_the_stated_figure() {
        assert_eq!(like(n("62.99290"), n("62.9")).to_string(), "63.0");
        assert_eq!(like(n("52.2485"), n("50.25")).to_string(), "52.25");
        assert_eq!(like(n("75"), n("71.9")).to_string(), "75.0");
        assert_eq!(finer(n("4.7777"), n("4.8")).to_string(), "4.78");
    }
}
