//! Checks on stated changes: "67.658, up 28.999, +71,9%", "more than 4,8 times".

use model::{Qualifier, StatedChange};
use rust_decimal::Decimal;

use super::tolerance::{
    Approx, Checked, TooLarge, Verdict, add, div, finer, like, mul, ratio_verdict, sub, sum_agrees,
};
use super::{Context, Finding, FindingKind, Severity, Text, num, unverifiable};

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for c in cx.input.changes {
        let subject = cx.value_subject(c.indicator.as_str(), c.unit.as_str(), c.to);
        let mut found = Vec::new();
        match change(cx, c, &mut found) {
            Ok(()) => out.extend(found.into_iter().map(|message| Finding {
                severity: Severity::Error,
                kind: FindingKind::ChangeMismatch,
                subject: subject.clone(),
                message,
                sources: c.source.iter().cloned().collect(),
            })),
            Err(_) => out.push(unverifiable(subject, c.source.iter().cloned().collect())),
        }
    }
}

/// What is wrong with one stated change, into `found`.
fn change(cx: &Context<'_>, c: &StatedChange, found: &mut Vec<Text>) -> Checked<()> {
    let value = |p| cx.current.get(&(c.indicator.as_str(), c.unit.as_str(), p)).and_then(|v| v.value.as_number());
    let Some(later) = value(c.to) else { return Ok(()) };
    let stored_earlier = value(c.from);
    let earlier = match (stored_earlier, c.absolute) {
        (Some(e), _) => e,
        (None, Some(a)) => sub(later, a)?,
        (None, None) => return Ok(()),
    };
    let later_a = Approx::stated(later);
    // When the earlier value is not stored it follows from the stated increase, and
    // the increase is then exact by construction.
    let (earlier_a, increase) = match (stored_earlier, c.absolute) {
        (Some(e), _) => (Approx::stated(e), later_a.minus(Approx::stated(e))?),
        (None, Some(a)) => (later_a.minus(Approx::stated(a))?, Approx::stated(a)),
        (None, None) => return Ok(()),
    };
    let ((l_vi, l_en), (e_vi, e_en)) = (num(later), num(earlier));
    // A qualified figure ("more than 4,8") is shown against one more digit.
    let shown = |x: Decimal, stated: Decimal| {
        if c.qualifier == Qualifier::Exact { like(x, stated) } else { finer(x, stated) }
    };
    let difference = sub(later, earlier)?;
    if let (Some(stated), Some(_)) = (c.absolute, stored_earlier)
        && !sum_agrees(difference, &[stated])?
    {
        let ((s_vi, s_en), (d_vi, d_en)) = (num(stated), num(difference));
        found.push(Text {
            vi: format!("nêu tăng {s_vi}, nhưng {l_vi} − {e_vi} = {d_vi}"),
            en: format!("states an increase of {s_en}, but {l_en} − {e_en} = {d_en}"),
        });
    }
    if let Some(stated) = c.percent
        && !holds(c.qualifier, stated, increase, earlier_a, Decimal::ONE_HUNDRED)?
    {
        let actual = shown(mul(quotient(difference, earlier)?, Decimal::ONE_HUNDRED)?, stated);
        let ((s_vi, s_en), (a_vi, a_en)) = (num(stated), num(actual));
        let (q_vi, q_en) = qualifier_words(c.qualifier);
        found.push(Text {
            vi: format!("nêu tăng {q_vi}{s_vi}% so với {}, nhưng từ {e_vi} lên {l_vi} là {a_vi}%", c.from),
            en: format!("states a rise of {q_en}{s_en}% since {}, but {e_en} to {l_en} is {a_en}%", c.from),
        });
    }
    if let Some(stated) = c.multiple
        && !holds(c.qualifier, stated, later_a, earlier_a, Decimal::ONE)?
    {
        let actual = shown(quotient(later, earlier)?, stated);
        let ((s_vi, s_en), (a_vi, a_en)) = (num(stated), num(actual));
        let (q_vi, q_en) = qualifier_words(c.qualifier);
        found.push(Text {
            vi: format!("nêu gấp {q_vi}{s_vi} lần, nhưng {l_vi}/{e_vi} = {a_vi} lần"),
            en: format!("states {q_en}{s_en} times, but {l_en}/{e_en} = {a_en} times"),
        });
    }
    Ok(())
}

/// `a / b`, where a zero `b` leaves nothing to compare with.
fn quotient(a: Decimal, b: Decimal) -> Checked<Decimal> {
    if b.is_zero() { Err(TooLarge) } else { div(a, b) }
}

/// Whether a stated ratio (percent rise or multiple) holds, given its qualifier.
fn holds(q: Qualifier, stated: Decimal, numerator: Approx, denominator: Approx, multiplier: Decimal) -> Checked<bool> {
    Ok(match q {
        Qualifier::Exact => ratio_verdict(stated, numerator, denominator, multiplier)? != Verdict::Contradiction,
        // "More than 4,8 times": the largest value the figures allow must exceed it.
        Qualifier::MoreThan => {
            let hi = add(numerator.value, numerator.half)?;
            let lo = sub(denominator.value, denominator.half)?;
            if lo <= Decimal::ZERO {
                return Ok(true);
            }
            mul(div(hi, lo)?, multiplier)? > stated
        }
        // "About": within a twentieth of the stated figure.
        Qualifier::About => {
            let actual = mul(quotient(numerator.value, denominator.value)?, multiplier)?;
            sub(actual, stated)?.abs() <= stated.abs() / Decimal::from(20)
        }
    })
}

fn qualifier_words(q: Qualifier) -> (&'static str, &'static str) {
    match q {
        Qualifier::Exact => ("", ""),
        Qualifier::MoreThan => ("hơn ", "more than "),
        Qualifier::About => ("khoảng ", "about "),
    }
}
