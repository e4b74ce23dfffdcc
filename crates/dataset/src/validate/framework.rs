//! Programmes, pillars and indicators.

use std::collections::HashMap;

use model::{
    Direction, Indicator, IndicatorCode, IndicatorKind, Pillar, PillarKey, Programme, ProgrammeKey, ProgrammeKind,
};

use super::{Validator, number, yes_no};
use crate::fields::Fields;

fn programme_kind(s: &str) -> Result<ProgrammeKind, String> {
    match s.trim() {
        "programme" => Ok(ProgrammeKind::Programme),
        "plan" => Ok(ProgrammeKind::Plan),
        other => Err(format!("unknown programme kind '{other}'; expected programme or plan")),
    }
}

impl Validator<'_> {
    pub(super) fn programmes(&mut self, records: &[Fields]) {
        let mut seen = HashMap::new();
        for f in records {
            let before = self.error_count();
            let key = self.parse(f, "programme", ProgrammeKey::parse);
            let name = self.required(f, "name").map(str::to_owned);
            let kind = self.parse(f, "kind", programme_kind);
            let period = self.optional(f, "period", str::parse::<model::Period>);
            if let (Some(key), Some(name), Some(kind)) = (key, name, kind)
                && self.unique(&mut seen, f, "programme", key.to_string())
                && before == self.error_count()
            {
                let p = Programme {
                    key,
                    name,
                    name_en: Self::text(f, "name_en"),
                    kind,
                    period,
                    source: Self::text(f, "source"),
                };
                self.catalog.programmes.insert(p.key.to_string(), p.clone());
                self.out.programmes.push(p);
            }
        }
    }

    pub(super) fn pillars(&mut self, records: &[Fields]) {
        let mut seen = HashMap::new();
        for f in records {
            let before = self.error_count();
            let key = self.parse(f, "pillar", PillarKey::parse);
            let programme = self.parse(f, "programme", ProgrammeKey::parse);
            if let Some(p) = &programme
                && !self.catalog.programmes.contains_key(p.as_str())
            {
                self.error(f, "programme", format!("unknown programme '{p}'"));
            }
            let name = self.required(f, "name").map(str::to_owned);
            let ordinal = self.optional(f, "ordinal", str::parse::<i64>).unwrap_or(0);
            if let (Some(key), Some(programme), Some(name)) = (key, programme, name)
                && self.unique(&mut seen, f, "pillar", key.to_string())
                && before == self.error_count()
            {
                let p = Pillar { key, programme, name, name_en: Self::text(f, "name_en"), ordinal };
                self.catalog.pillars.insert(p.key.to_string(), p.clone());
                self.out.pillars.push(p);
            }
        }
    }

    pub(super) fn indicators(&mut self, records: &[Fields]) {
        let mut seen = HashMap::new();
        let mut checked: Vec<(&Fields, Indicator)> = Vec::new();
        for f in records {
            let before = self.error_count();
            let code = self.parse(f, "indicator", IndicatorCode::parse);
            let pillar = self.parse(f, "pillar", PillarKey::parse);
            if let Some(p) = &pillar
                && !self.catalog.pillars.contains_key(p.as_str())
            {
                self.error(f, "pillar", format!("unknown pillar '{p}'"));
            }
            let name = self.required(f, "name").map(str::to_owned);
            let kind = self.parse(f, "kind", str::parse::<IndicatorKind>);
            let direction = self.optional(f, "direction", str::parse::<Direction>).unwrap_or(Direction::HigherIsBetter);
            let min = self.optional(f, "min", number);
            let max = self.optional(f, "max", number);
            if let (Some(lo), Some(hi)) = (min, max)
                && lo > hi
            {
                self.error(f, "max", format!("maximum {hi} is below minimum {lo}"));
            }
            let le = self.optional(f, "numerator_le_denominator", yes_no).unwrap_or(true);
            let categories = f.list("categories");
            match (kind, categories.is_empty()) {
                (Some(IndicatorKind::Category), true) => {
                    self.error(f, "categories", "a category indicator lists its categories")
                }
                (Some(k), false) if k != IndicatorKind::Category => {
                    self.error(f, "categories", "only category indicators have categories")
                }
                _ => {}
            }
            let parts: Vec<IndicatorCode> = f
                .list("parts")
                .iter()
                .filter_map(|p| IndicatorCode::parse(p).map_err(|e| self.error(f, "parts", e)).ok())
                .collect();
            let lead = self.agencies(f, "lead", None);
            let co = self.agencies(f, "co", None);
            if let (Some(code), Some(pillar), Some(name), Some(kind)) = (code, pillar, name, kind)
                && self.unique(&mut seen, f, "indicator", code.to_string())
                && before == self.error_count()
            {
                let indicator = Indicator {
                    code,
                    pillar,
                    name,
                    name_en: Self::text(f, "name_en"),
                    kind,
                    unit_of_measure: Self::text(f, "unit_of_measure").unwrap_or_default(),
                    direction,
                    lead,
                    co,
                    min,
                    max,
                    numerator_le_denominator: le,
                    categories,
                    parts,
                    description: Self::text(f, "description"),
                };
                self.catalog.indicators.insert(indicator.code.to_string(), std::sync::Arc::new(indicator.clone()));
                checked.push((f, indicator));
            }
        }
        // Parts may name indicators defined further down the same file.
        for (f, indicator) in checked {
            for part in &indicator.parts {
                match self.catalog.indicators.get(part.as_str()) {
                    None => self.error(f, "parts", format!("unknown indicator '{part}'")),
                    Some(p) if !p.kind.is_numeric() => self.error(f, "parts", format!("'{part}' is not numeric")),
                    Some(_) if part == &indicator.code => self.error(f, "parts", "an indicator cannot be its own part"),
                    Some(_) => {}
                }
            }
            self.out.indicators.push(indicator);
        }
    }
}
