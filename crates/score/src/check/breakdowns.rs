//! Checks on stated breakdowns: the parts add up to the total, each part's stated share
//! and count hold, and no unit is counted twice or left out.

use std::collections::{BTreeMap, BTreeSet};

use model::{Breakdown, Datum, Window};
use rust_decimal::Decimal;

use super::tolerance::{Approx, Checked, TooLarge, Verdict, div, like, mul, ratio_verdict, sum, sum_agrees};
use super::{Context, Finding, FindingKind, Severity, Text, num, unverifiable};

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for b in cx.input.breakdowns {
        let subject = Text { vi: b.title.clone(), en: b.title_en.clone().unwrap_or_else(|| b.title.clone()) };
        let mut push = |severity, kind, message: Text| {
            out.push(Finding {
                severity,
                kind,
                subject: subject.clone(),
                message,
                sources: b.source.iter().cloned().collect(),
            })
        };
        let checked = sums(b, &mut push).and_then(|()| shares(b, &mut push));
        members(cx, b, &mut push);
        graded(cx, b, &mut push);
        if checked.is_err() {
            out.push(unverifiable(subject.clone(), b.source.iter().cloned().collect()));
        }
    }
}

type Push<'p> = dyn FnMut(Severity, FindingKind, Text) + 'p;

fn sums(b: &Breakdown, push: &mut Push<'_>) -> Checked<()> {
    let Some(total) = b.total else { return Ok(()) };
    let Some(values): Option<Vec<Decimal>> = b.parts.iter().map(|p| p.value).collect() else { return Ok(()) };
    if values.is_empty() || sum_agrees(total, &values)? {
        return Ok(());
    }
    let sum = sum(&values)?;
    let terms = |f: fn(Decimal) -> String| values.iter().map(|v| f(*v)).collect::<Vec<_>>().join(" + ");
    let ((s_vi, s_en), (t_vi, t_en)) = (num(sum), num(total));
    push(
        Severity::Error,
        FindingKind::PartsDoNotAddUp,
        Text {
            vi: format!("{} = {s_vi}, khác tổng đã nêu {t_vi}", terms(model::number::format_vi)),
            en: format!("{} = {s_en}, not the stated total {t_en}", terms(model::number::format_en)),
        },
    );
    Ok(())
}

fn shares(b: &Breakdown, push: &mut Push<'_>) -> Checked<()> {
    let values: Option<Vec<Decimal>> = b.parts.iter().map(|p| p.value).collect();
    let part_sum = values.map(|v| sum(&v)).transpose()?;
    let Some(total) = b.total.or(part_sum) else { return Ok(()) };
    for part in &b.parts {
        let (Some(share), Some(value)) = (part.share, part.value) else { continue };
        let verdict = ratio_verdict(share, Approx::stated(value), Approx::stated(total), Decimal::ONE_HUNDRED)?;
        let severity = match verdict {
            Verdict::Consistent => continue,
            Verdict::Truncated => Severity::Warning,
            Verdict::Contradiction => Severity::Error,
        };
        let exact = if total.is_zero() { Err(TooLarge) } else { mul(div(value, total)?, Decimal::ONE_HUNDRED) };
        let ((sh_vi, sh_en), (v_vi, v_en), (t_vi, t_en)) = (num(share), num(value), num(total));
        let (c_vi, c_en) = num(like(exact?, share));
        push(
            severity,
            FindingKind::ShareMismatch,
            Text {
                vi: format!("“{}”: nêu {sh_vi}%, nhưng {v_vi}/{t_vi} = {c_vi}%", part.label),
                en: format!("“{}”: stated {sh_en}%, but {v_en}/{t_en} = {c_en}%", part.label),
            },
        );
    }
    Ok(())
}

fn names(cx: &Context<'_>, keys: &BTreeSet<&str>) -> String {
    keys.iter().map(|k| cx.unit_name(k)).collect::<Vec<_>>().join(", ")
}

fn count_mismatch(part: &str, stated: Decimal, found: usize, push: &mut Push<'_>) {
    let (s_vi, s_en) = num(stated);
    push(
        Severity::Error,
        FindingKind::CountMismatch,
        Text {
            vi: format!("“{part}”: nêu {s_vi} đơn vị nhưng liệt kê {found}"),
            en: format!("“{part}”: states {s_en} units but lists {found}"),
        },
    );
}

/// Parts that list their units.
fn members(cx: &Context<'_>, b: &Breakdown, push: &mut Push<'_>) {
    if b.parts.iter().all(|p| p.members.is_empty()) {
        return;
    }
    let mut seen: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for part in &b.parts {
        if let Some(stated) = part.value
            && !part.members.is_empty()
            && stated != Decimal::from(part.members.len())
        {
            count_mismatch(&part.label, stated, part.members.len(), push);
        }
        for m in &part.members {
            seen.entry(m.as_str()).or_default().push(part.label.as_str());
        }
    }
    for (unit, parts) in seen.iter().filter(|(_, parts)| parts.len() > 1) {
        let listed = parts.join(", ");
        let name = cx.unit_name(unit);
        push(
            Severity::Error,
            FindingKind::CountedTwice,
            Text {
                vi: format!("{name} được tính {} lần (ở: {listed})", parts.len()),
                en: format!("{name} is counted {} times (in: {listed})", parts.len()),
            },
        );
    }
    let listed: BTreeSet<&str> = seen.keys().copied().collect();
    // Coverage can be judged only when every part names its units; units outside the
    // population are wrong whatever the other parts do.
    let complete = b.parts.iter().all(|p| !p.members.is_empty() || p.value.is_some_and(|v| v.is_zero()));
    population(cx, b, &listed, complete, Severity::Error, push);
}

/// Units of the population that a partition leaves out, and units it lists that are
/// not in the population.
fn population(
    cx: &Context<'_>,
    b: &Breakdown,
    listed: &BTreeSet<&str>,
    complete: bool,
    severity: Severity,
    push: &mut Push<'_>,
) {
    let Some(group) = &b.population else { return };
    let window = b.period.map(Window::from);
    let expected: BTreeSet<&str> = cx
        .input
        .registry
        .members(group)
        .into_iter()
        .filter(|u| window.is_none_or(|w| u.existed_during(w.start, w.end)))
        .map(|u| u.key.as_str())
        .collect();
    let missing: BTreeSet<&str> = expected.difference(listed).copied().collect();
    let extra: BTreeSet<&str> = listed.difference(&expected).copied().collect();
    if complete && !missing.is_empty() {
        push(
            severity,
            FindingKind::PopulationMismatch,
            Text {
                vi: format!("thiếu {} đơn vị của nhóm: {}", missing.len(), names(cx, &missing)),
                en: format!("leaves out {} units of the group: {}", missing.len(), names(cx, &missing)),
            },
        );
    }
    if !extra.is_empty() {
        push(
            Severity::Error,
            FindingKind::PopulationMismatch,
            Text {
                vi: format!("liệt kê {} đơn vị ngoài nhóm: {}", extra.len(), names(cx, &extra)),
                en: format!("lists {} units outside the group: {}", extra.len(), names(cx, &extra)),
            },
        );
    }
}

/// Parts that are the grades of a category indicator: the stated count of each grade
/// against the units that carry it.
fn graded(cx: &Context<'_>, b: &Breakdown, push: &mut Push<'_>) {
    let (Some(indicator), Some(period)) = (&b.indicator, b.period) else { return };
    let in_population = |unit: &str| {
        b.population.as_ref().is_none_or(|g| cx.input.registry.get(unit).is_some_and(|u| u.groups.contains(g)))
    };
    let mut by_grade: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for ((code, unit, p), v) in &cx.current {
        if *code == indicator.as_str()
            && *p == period
            && in_population(unit)
            && let Datum::Category(grade) = &v.value
        {
            by_grade.entry(grade.as_str()).or_default().insert(unit);
        }
    }
    for part in &b.parts {
        let carriers = by_grade.get(part.label.as_str()).cloned().unwrap_or_default();
        if let Some(stated) = part.value
            && stated != Decimal::from(carriers.len())
        {
            count_mismatch(&part.label, stated, carriers.len(), push);
        }
    }
    let graded: BTreeSet<&str> = by_grade.values().flatten().copied().collect();
    population(cx, b, &graded, true, Severity::Warning, push);
}
