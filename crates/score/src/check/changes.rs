//! Checks on stated changes: "67.658, up 28.999, +71,9%", "more than 4,8 times".

use model::Qualifier;
use rust_decimal::Decimal;

use super::tolerance::{Approx, Verdict, finer, like, ratio_verdict, sum_agrees};
use super::{Context, Finding, FindingKind, Severity, Text, num};

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for c in cx.input.changes {
        let value = |p| cx.current.get(&(c.indicator.as_str(), c.unit.as_str(), p)).and_then(|v| v.value.as_number());
        let Some(later) = value(c.to) else { continue };
        let stored_earlier = value(c.from);
        let Some(earlier) = stored_earlier.or_else(|| c.absolute.map(|a| later - a)) else { continue };
        let later_a = Approx::stated(later);
        // When the earlier value is not stored it follows from the stated increase, and
        // the increase is then exact by construction.
        let (earlier_a, increase) = match (stored_earlier, c.absolute) {
            (Some(e), _) => (Approx::stated(e), later_a.minus(Approx::stated(e))),
            (None, Some(a)) => (later_a.minus(Approx::stated(a)), Approx::stated(a)),
            (None, None) => continue,
        };
        let mut push = |message: Text| {
            out.push(Finding {
                severity: Severity::Error,
                kind: FindingKind::ChangeMismatch,
                subject: cx.value_subject(c.indicator.as_str(), c.unit.as_str(), c.to),
                message,
                sources: c.source.iter().cloned().collect(),
            })
        };
        let ((l_vi, l_en), (e_vi, e_en)) = (num(later), num(earlier));
        // A qualified figure ("more than 4,8") is shown against one more digit.
        let shown = |x: Decimal, stated: Decimal| {
            if c.qualifier == Qualifier::Exact { like(x, stated) } else { finer(x, stated) }
        };
        if let (Some(stated), Some(_)) = (c.absolute, stored_earlier)
            && !sum_agrees(later - earlier, &[stated])
        {
            let ((s_vi, s_en), (d_vi, d_en)) = (num(stated), num(later - earlier));
            push(Text {
                vi: format!("nêu tăng {s_vi}, nhưng {l_vi} − {e_vi} = {d_vi}"),
                en: format!("states an increase of {s_en}, but {l_en} − {e_en} = {d_en}"),
            });
        }
        if let Some(stated) = c.percent
            && !holds(c.qualifier, stated, increase, earlier_a, Decimal::ONE_HUNDRED)
        {
            let actual = shown((later - earlier) / earlier * Decimal::ONE_HUNDRED, stated);
            let ((s_vi, s_en), (a_vi, a_en)) = (num(stated), num(actual));
            let (q_vi, q_en) = qualifier_words(c.qualifier);
            push(Text {
                vi: format!("nêu tăng {q_vi}{s_vi}% so với {}, nhưng từ {e_vi} lên {l_vi} là {a_vi}%", c.from),
                en: format!("states a rise of {q_en}{s_en}% since {}, but {e_en} to {l_en} is {a_en}%", c.from),
            });
        }
        if let Some(stated) = c.multiple
            && !holds(c.qualifier, stated, later_a, earlier_a, Decimal::ONE)
        {
            let actual = shown(later / earlier, stated);
            let ((s_vi, s_en), (a_vi, a_en)) = (num(stated), num(actual));
            let (q_vi, q_en) = qualifier_words(c.qualifier);
            push(Text {
                vi: format!("nêu gấp {q_vi}{s_vi} lần, nhưng {l_vi}/{e_vi} = {a_vi} lần"),
                en: format!("states {q_en}{s_en} times, but {l_en}/{e_en} = {a_en} times"),
            });
        }
    }
}

/// Whether a stated ratio (percent rise or multiple) holds, given its qualifier.
fn holds(q: Qualifier, stated: Decimal, numerator: Approx, denominator: Approx, multiplier: Decimal) -> bool {
    match q {
        Qualifier::Exact => ratio_verdict(stated, numerator, denominator, multiplier) != Verdict::Contradiction,
        // "More than 4,8 times": the largest value the figures allow must exceed it.
        Qualifier::MoreThan => {
            let hi = (numerator.value + numerator.half) / (denominator.value - denominator.half) * multiplier;
            hi > stated
        }
        // "About": within a twentieth of the stated figure.
        Qualifier::About => {
            let actual = numerator.value / denominator.value * multiplier;
            (actual - stated).abs() <= stated.abs() / Decimal::from(20)
        }
    }
}

fn qualifier_words(q: Qualifier) -> (&'static str, &'static str) {
    match q {
        Qualifier::Exact => ("", ""),
        Qualifier::MoreThan => ("hơn ", "more than "),
        Qualifier::About => ("khoảng ", "about "),
    }
}
