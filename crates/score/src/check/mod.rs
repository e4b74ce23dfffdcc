//! `dxmon check`: figures that contradict themselves. A stated percentage that does not
//! match its numerator and denominator, parts that do not add up to their total, a
//! unit counted twice in a partition, one document stating two figures for the same
//! thing, a stated change that the figures do not bear out.

mod breakdowns;
mod changes;
mod figures;
#[cfg(test)]
mod tests;
pub mod tolerance;

use std::collections::HashMap;

use model::{Breakdown, Indicator, Lang, SourceDoc, StatedChange, UnitRegistry, ValueRecord};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The figures cannot all be true.
    Error,
    /// Probably a slip: true only if rounded the wrong way, or concurrent sources that
    /// disagree.
    Warning,
    /// Worth knowing, not wrong: a figure revised by a later report.
    Info,
}

impl Severity {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Severity::Error, Lang::Vi) => "mâu thuẫn",
            (Severity::Warning, Lang::Vi) => "cần xem lại",
            (Severity::Info, Lang::Vi) => "thông tin",
            (Severity::Error, Lang::En) => "error",
            (Severity::Warning, Lang::En) => "warning",
            (Severity::Info, Lang::En) => "info",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A stated ratio or percentage against its numerator and denominator.
    RatioMismatch,
    /// A total against the sum of its parts.
    PartsDoNotAddUp,
    /// A part's stated share of the total.
    ShareMismatch,
    /// A part's stated count against the units it lists or that carry its grade.
    CountMismatch,
    /// A unit in more than one part of a partition.
    CountedTwice,
    /// A partition that leaves out units of its population, or lists others.
    PopulationMismatch,
    /// Different figures for the same indicator, unit and period in one document or in
    /// documents of the same date.
    ConflictingFigures,
    /// A later document revised a figure.
    Revised,
    /// A stated change that the values do not bear out.
    ChangeMismatch,
    /// Figures too large (or too precise) for the check's arithmetic: they are not
    /// checked, and say so.
    Unverifiable,
}

/// Text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Text {
    pub vi: String,
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub kind: FindingKind,
    /// What the finding is about: an indicator for a unit and period, or a breakdown.
    pub subject: Text,
    pub message: Text,
    /// Source references of the figures involved.
    pub sources: Vec<String>,
}

/// Everything the check looks at.
pub struct CheckInput<'a> {
    pub registry: &'a UnitRegistry,
    pub indicators: &'a [Indicator],
    /// All revisions of all values.
    pub values: &'a [ValueRecord],
    pub breakdowns: &'a [Breakdown],
    pub changes: &'a [StatedChange],
    pub sources: &'a [SourceDoc],
}

/// Lookups shared by the individual checks.
pub(crate) struct Context<'a> {
    pub input: &'a CheckInput<'a>,
    pub indicators: HashMap<&'a str, &'a Indicator>,
    pub sources: HashMap<&'a str, &'a SourceDoc>,
    /// Current (highest) revision per indicator, unit and period.
    pub current: HashMap<(&'a str, &'a str, model::Period), &'a ValueRecord>,
}

impl<'a> Context<'a> {
    fn new(input: &'a CheckInput<'a>) -> Self {
        let mut current: HashMap<(&str, &str, model::Period), &ValueRecord> = HashMap::new();
        for v in input.values {
            let key = (v.indicator.as_str(), v.unit.as_str(), v.period);
            if current.get(&key).is_none_or(|c| c.revision < v.revision) {
                current.insert(key, v);
            }
        }
        Context {
            input,
            indicators: input.indicators.iter().map(|i| (i.code.as_str(), i)).collect(),
            sources: input.sources.iter().map(|s| (s.key.as_str(), s)).collect(),
            current,
        }
    }

    pub fn unit_name(&self, key: &str) -> String {
        self.input.registry.get(key).map_or_else(|| key.to_owned(), |u| u.name.clone())
    }

    /// "Tỷ lệ hồ sơ ... — Việt Nam — 2022" in both languages.
    pub fn value_subject(&self, indicator: &str, unit: &str, period: model::Period) -> Text {
        let ind = self.indicators.get(indicator);
        let unit_ref = self.input.registry.get(unit);
        let vi_ind = ind.map_or(indicator, |i| i.name.as_str());
        let en_ind = ind.map_or(indicator, |i| i.name_in(Lang::En));
        let vi_unit = unit_ref.map_or(unit, |u| u.name.as_str());
        let en_unit = unit_ref.map_or(unit, |u| u.name_in(Lang::En));
        Text { vi: format!("{vi_ind} — {vi_unit} — {period}"), en: format!("{en_ind} — {en_unit} — {period}") }
    }
}

/// Runs every check; errors first, then warnings, then information.
pub fn run(input: &CheckInput<'_>) -> Vec<Finding> {
    let cx = Context::new(input);
    let mut findings = Vec::new();
    figures::ratios(&cx, &mut findings);
    figures::conflicts(&cx, &mut findings);
    figures::indicator_parts(&cx, &mut findings);
    breakdowns::check(&cx, &mut findings);
    changes::check(&cx, &mut findings);
    findings.sort_by_key(|f| f.severity);
    findings
}

/// The finding for figures the check's arithmetic cannot hold.
pub(crate) fn unverifiable(subject: Text, sources: Vec<String>) -> Finding {
    Finding {
        severity: Severity::Warning,
        kind: FindingKind::Unverifiable,
        subject,
        message: Text {
            vi: "không kiểm tra được: các số liệu vượt quá phạm vi tính toán (quá lớn hoặc quá nhiều chữ số)".into(),
            en: "cannot be checked: the figures are beyond the range of the arithmetic (too large or too precise)"
                .into(),
        },
        sources,
    }
}

/// Vietnamese and English forms of a number.
pub(crate) fn num(value: rust_decimal::Decimal) -> (String, String) {
    (model::number::format_vi(value), model::number::format_en(value))
}
