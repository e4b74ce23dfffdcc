//! Values, breakdowns and stated changes.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use model::value::{StatedFigures, check_figures};
use model::{
    Breakdown, BreakdownKey, BreakdownPart, Datum, Indicator, IndicatorKind, NewValue, Period, Provenance, Qualifier,
    StatedChange, Window,
};

use super::{Validator, number};
use crate::fields::Fields;

fn revision(text: &str) -> Result<u32, String> {
    match text.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("'{text}' is not a revision number (1, 2, ...)")),
    }
}

fn timestamp(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("'{text}' is not a timestamp like 2026-01-31T08:00:00Z"))
}

impl Validator<'_> {
    pub(super) fn indicator(&mut self, f: &Fields) -> Option<std::sync::Arc<Indicator>> {
        let code = self.required(f, "indicator")?;
        match self.catalog.indicators.get(code) {
            Some(i) => Some(i.clone()),
            None => {
                self.error(f, "indicator", format!("unknown indicator '{code}'"));
                None
            }
        }
    }

    pub(super) fn values(&mut self, records: &[Fields]) {
        let mut seen = HashMap::new();
        for f in records {
            let before = self.error_count();
            let indicator = self.indicator(f);
            let period = self.parse(f, "period", str::parse::<Period>);
            let unit = match (self.required(f, "unit"), period) {
                (Some(u), Some(p)) => self.unit(f, "unit", u, Some(Window::from(p))),
                _ => None,
            };
            let numerator = self.optional(f, "numerator", number);
            let denominator = self.optional(f, "denominator", number);
            let provenance = self.optional(f, "provenance", str::parse::<Provenance>).unwrap_or(Provenance::Reported);
            let revision = self.optional(f, "revision", revision);
            let recorded_at = self.optional(f, "recorded_at", timestamp);
            let Some(indicator) = indicator else { continue };
            let value = self.optional(f, "value", |t| Datum::parse(&indicator, t));
            if before != self.error_count() {
                continue;
            }
            let figures = match check_figures(&indicator, StatedFigures { value, numerator, denominator }) {
                Ok(figures) => figures,
                Err(e) => {
                    let field = if f.has("value") { "value" } else { "numerator" };
                    self.error(f, field, e);
                    continue;
                }
            };
            let (Some(unit), Some(period), Some(value)) = (unit, period, figures.value) else { continue };
            let source = Self::text(f, "source");
            let key = format!("{}|{}|{}|{:?}|{:?}", indicator.code, unit, period, source, revision);
            if self.unique(&mut seen, f, "indicator", key) {
                self.out.values.push(NewValue {
                    indicator: indicator.code.clone(),
                    unit,
                    period,
                    value,
                    numerator: figures.numerator,
                    denominator: figures.denominator,
                    provenance,
                    source,
                    note: Self::text(f, "note"),
                    revision,
                    recorded_at,
                });
            }
        }
    }

    pub(super) fn breakdowns(&mut self, records: &[Fields]) {
        let mut seen = HashMap::new();
        for f in records {
            let before = self.error_count();
            let key = self.parse(f, "breakdown", BreakdownKey::parse);
            let title = self.required(f, "title").map(str::to_owned);
            let period = self.optional(f, "period", str::parse::<Period>);
            let total = self.optional(f, "total", number);
            let population = f.text("population").and_then(|g| self.group(f, "population", g));
            let indicator = match f.text("indicator") {
                Some(_) => self.indicator(f),
                None => None,
            };
            if let Some(i) = &indicator
                && i.kind != IndicatorKind::Category
            {
                self.error(f, "indicator", format!("'{}' is not a category indicator", i.code));
            }
            let window = period.map(Window::from);
            let mut parts: Vec<BreakdownPart> = Vec::new();
            if f.records("parts").is_empty() {
                self.error(f, "parts", "a breakdown lists its parts: parts = [{ label = \"...\", value = ... }]");
            }
            for p in f.records("parts") {
                let Some(label) = self.required(p, "label").map(str::to_owned) else { continue };
                if parts.iter().any(|q| q.label == label) {
                    self.error(p, "label", format!("part '{label}' is given twice"));
                }
                if let Some(i) = &indicator
                    && !i.categories.contains(&label)
                {
                    self.error(p, "label", format!("'{label}' is not a category of {}", i.code));
                }
                let value = self.optional(p, "value", number);
                let share = self.optional(p, "share", |t| model::number::parse_number(t).map(|n| n.value));
                let members = p.list("members").iter().filter_map(|m| self.unit(p, "members", m, window)).collect();
                parts.push(BreakdownPart { label, value, share, members });
            }
            if let (Some(key), Some(title)) = (key, title)
                && self.unique(&mut seen, f, "breakdown", key.to_string())
                && before == self.error_count()
            {
                self.out.breakdowns.push(Breakdown {
                    key,
                    title,
                    title_en: Self::text(f, "title_en"),
                    period,
                    unit_of_measure: Self::text(f, "unit_of_measure"),
                    total,
                    population,
                    indicator: indicator.map(|i| i.code.clone()),
                    parts,
                    source: Self::text(f, "source"),
                    note: Self::text(f, "note"),
                });
            }
        }
    }

    pub(super) fn changes(&mut self, records: &[Fields]) {
        let mut seen = HashMap::new();
        for f in records {
            let before = self.error_count();
            let indicator = self.indicator(f);
            if let Some(i) = &indicator
                && !i.kind.is_numeric()
            {
                self.error(f, "indicator", format!("'{}' is not numeric", i.code));
            }
            let from = self.parse(f, "from", str::parse::<Period>);
            let to = self.parse(f, "to", str::parse::<Period>);
            if let (Some(a), Some(b)) = (from, to)
                && a >= b
            {
                self.error(f, "to", format!("{b} is not after {a}"));
            }
            let unit = match (self.required(f, "unit"), to) {
                (Some(u), Some(p)) => self.unit(f, "unit", u, Some(Window::from(p))),
                _ => None,
            };
            let absolute = self.optional(f, "absolute", number);
            let percent = self.optional(f, "percent", |t| model::number::parse_number(t).map(|n| n.value));
            let multiple = self.optional(f, "multiple", number);
            if absolute.is_none() && percent.is_none() && multiple.is_none() {
                self.error(f, "absolute", "a change states at least one of absolute, percent or multiple");
            }
            let qualifier = self.optional(f, "qualifier", str::parse::<Qualifier>).unwrap_or(Qualifier::Exact);
            let (Some(indicator), Some(unit), Some(from), Some(to)) = (indicator, unit, from, to) else { continue };
            let source = Self::text(f, "source");
            let key = format!("{}|{}|{from}|{to}|{source:?}", indicator.code, unit);
            if self.unique(&mut seen, f, "indicator", key) && before == self.error_count() {
                self.out.changes.push(StatedChange {
                    indicator: indicator.code.clone(),
                    unit,
                    from,
                    to,
                    absolute,
                    percent,
                    multiple,
                    qualifier,
                    source,
                    note: Self::text(f, "note"),
                });
            }
        }
    }
}
