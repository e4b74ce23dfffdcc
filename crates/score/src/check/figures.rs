//! Checks on stored values: ratios against their parts, different figures for the same
//! thing, and indicators that are the sum of others.

use std::collections::BTreeMap;

use model::ValueRecord;
use rust_decimal::Decimal;

use super::tolerance::{Approx, Checked, Verdict, div, like, mul, ratio_verdict, sum, sum_agrees};
use super::{Context, Finding, FindingKind, Severity, Text, num, unverifiable};

/// Every stated value that comes with its numerator and denominator.
pub(super) fn ratios(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for v in cx.input.values {
        let (Some(stated), Some(n), Some(d)) = (v.value.as_number(), v.numerator, v.denominator) else {
            continue;
        };
        let Some(indicator) = cx.indicators.get(v.indicator.as_str()) else {
            continue;
        };
        let subject = || cx.value_subject(v.indicator.as_str(), v.unit.as_str(), v.period);
        let sources = || v.source.iter().cloned().collect();
        match ratio_message(stated, n, d, indicator.ratio_multiplier()) {
            Ok(None) => {}
            Ok(Some((severity, message))) => out.push(Finding {
                severity,
                kind: FindingKind::RatioMismatch,
                subject: subject(),
                message,
                sources: sources(),
            }),
            Err(_) => out.push(unverifiable(subject(), sources())),
        }
    }
}

/// What is wrong with a stated ratio, if anything.
fn ratio_message(stated: Decimal, n: Decimal, d: Decimal, multiplier: Decimal) -> Checked<Option<(Severity, Text)>> {
    let verdict = ratio_verdict(stated, Approx::stated(n), Approx::stated(d), multiplier)?;
    let severity = match verdict {
        Verdict::Consistent => return Ok(None),
        Verdict::Truncated => Severity::Warning,
        Verdict::Contradiction => Severity::Error,
    };
    // The verdict was reached with d's bounds above zero, but d itself may be zero.
    let exact = if d.is_zero() { Decimal::ZERO } else { mul(div(n, d)?, multiplier)? };
    let pct = if multiplier == Decimal::ONE_HUNDRED { "%" } else { "" };
    let (s_vi, s_en) = num(stated);
    let (n_vi, n_en) = num(n);
    let (d_vi, d_en) = num(d);
    let (c_vi, c_en) = num(like(exact, stated));
    let message = match verdict {
        Verdict::Truncated => Text {
            vi: format!(
                "nêu {s_vi}{pct}, nhưng {n_vi}/{d_vi} = {c_vi}{pct} khi làm tròn (chữ số cuối bị cắt thay vì làm tròn)"
            ),
            en: format!("stated {s_en}{pct}, but {n_en}/{d_en} rounds to {c_en}{pct} (last digit cut, not rounded)"),
        },
        _ => Text {
            vi: format!("nêu {s_vi}{pct}, nhưng {n_vi}/{d_vi} = {c_vi}{pct}"),
            en: format!("stated {s_en}{pct}, but {n_en}/{d_en} = {c_en}{pct}"),
        },
    };
    Ok(Some((severity, message)))
}

fn same_figures(a: &ValueRecord, b: &ValueRecord) -> bool {
    a.value == b.value && a.numerator == b.numerator && a.denominator == b.denominator
}

fn figure_text(v: &ValueRecord) -> (String, String) {
    let (mut vi, mut en) = match v.value.as_number() {
        Some(x) => num(x),
        None => (v.value.to_text(), v.value.to_text()),
    };
    if let (Some(n), Some(d)) = (v.numerator, v.denominator) {
        let ((n_vi, n_en), (d_vi, d_en)) = (num(n), num(d));
        vi.push_str(&format!(" ({n_vi}/{d_vi})"));
        en.push_str(&format!(" ({n_en}/{d_en})"));
    }
    let src = v.source.as_deref().unwrap_or("?");
    (format!("{vi} [{src}]"), format!("{en} [{src}]"))
}

/// Revisions of one value that disagree: within one document (an error), between
/// documents of the same date (a warning), or as a later correction (information).
pub(super) fn conflicts(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut groups: BTreeMap<(&str, &str, model::Period), Vec<&ValueRecord>> = BTreeMap::new();
    for v in cx.input.values {
        groups.entry((v.indicator.as_str(), v.unit.as_str(), v.period)).or_default().push(v);
    }
    for ((indicator, unit, period), mut revisions) in groups {
        revisions.sort_by_key(|v| v.revision);
        for (i, a) in revisions.iter().enumerate() {
            for (j, b) in revisions.iter().enumerate().skip(i + 1) {
                if same_figures(a, b) {
                    continue;
                }
                let (doc_a, doc_b) = (a.source_document(), b.source_document());
                let concurrent = match (doc_a.and_then(|d| cx.sources.get(d)), doc_b.and_then(|d| cx.sources.get(d))) {
                    (Some(x), Some(y)) => x.concurrent_with(y),
                    _ => false,
                };
                let ((a_vi, a_en), (b_vi, b_en)) = (figure_text(a), figure_text(b));
                let (severity, kind, message) = if doc_a.is_some() && doc_a == doc_b {
                    (
                        Severity::Error,
                        FindingKind::ConflictingFigures,
                        Text {
                            vi: format!("cùng một tài liệu nêu hai số liệu khác nhau: {a_vi} và {b_vi}"),
                            en: format!("one document states two different figures: {a_en} and {b_en}"),
                        },
                    )
                } else if concurrent {
                    (
                        Severity::Warning,
                        FindingKind::ConflictingFigures,
                        Text {
                            vi: format!("hai tài liệu cùng thời điểm nêu khác nhau: {a_vi} và {b_vi}"),
                            en: format!("documents of the same date disagree: {a_en} and {b_en}"),
                        },
                    )
                } else if j == i + 1 {
                    (
                        Severity::Info,
                        FindingKind::Revised,
                        Text {
                            vi: format!("số liệu được điều chỉnh từ {a_vi} thành {b_vi}"),
                            en: format!("revised from {a_en} to {b_en}"),
                        },
                    )
                } else {
                    continue;
                };
                out.push(Finding {
                    severity,
                    kind,
                    subject: cx.value_subject(indicator, unit, period),
                    message,
                    sources: a.source.iter().chain(&b.source).cloned().collect(),
                });
            }
        }
    }
}

/// Indicators declared as the sum of others, for every unit and period where all the
/// parts have values.
pub(super) fn indicator_parts(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for indicator in cx.input.indicators.iter().filter(|i| !i.parts.is_empty()) {
        let mut totals: Vec<&&ValueRecord> =
            cx.current.iter().filter(|((code, _, _), _)| *code == indicator.code.as_str()).map(|(_, v)| v).collect();
        totals.sort_by_key(|v| (v.unit.as_str(), v.period));
        for total in totals {
            let Some(total_value) = total.value.as_number() else { continue };
            let parts: Option<Vec<(&str, Decimal)>> = indicator
                .parts
                .iter()
                .map(|p| {
                    let v = cx.current.get(&(p.as_str(), total.unit.as_str(), total.period))?;
                    Some((p.as_str(), v.value.as_number()?))
                })
                .collect();
            let Some(parts) = parts else { continue };
            let numbers: Vec<Decimal> = parts.iter().map(|(_, v)| *v).collect();
            let subject = || cx.value_subject(indicator.code.as_str(), total.unit.as_str(), total.period);
            let checked = sum_agrees(total_value, &numbers).and_then(|agrees| Ok((agrees, sum(&numbers)?)));
            let sum = match checked {
                Ok((true, _)) => continue,
                Ok((false, sum)) => sum,
                Err(_) => {
                    out.push(unverifiable(subject(), total.source.iter().cloned().collect()));
                    continue;
                }
            };
            let ((s_vi, s_en), (t_vi, t_en)) = (num(sum), num(total_value));
            out.push(Finding {
                severity: Severity::Error,
                kind: FindingKind::PartsDoNotAddUp,
                subject: cx.value_subject(indicator.code.as_str(), total.unit.as_str(), total.period),
                message: Text {
                    vi: format!("các thành phần cộng lại được {s_vi}, khác tổng đã nêu {t_vi}"),
                    en: format!("the parts add up to {s_en}, not the stated total {t_en}"),
                },
                sources: total.source.iter().cloned().collect(),
            });
        }
    }
}
