//! Everything a report or a progress list reads, loaded once and indexed: the registry,
//! the framework, every revision of every value, targets and tasks.

use std::collections::HashMap;

use model::{AgencyRef, Dataset, Indicator, Lang, Period, Target, Task, UnitKey, UnitRegistry, ValueRecord};
use rust_decimal::prelude::ToPrimitive;
use store::{Page, Store, StoreError, TargetFilter, TaskFilter, ValueFilter};

pub struct Facts {
    pub reference: Dataset,
    pub registry: UnitRegistry,
    /// Every revision of every value.
    pub values: Vec<ValueRecord>,
    pub targets: Vec<Target>,
    pub tasks: Vec<Task>,
    indicators: HashMap<String, usize>,
    /// Positions in `values` by (indicator, unit), in order of period then revision.
    by_series: HashMap<(String, String), Vec<usize>>,
}

impl Facts {
    pub async fn load(store: &Store) -> Result<Facts, StoreError> {
        let mut reference = store.reference().await?;
        reference.methodologies = store.methodologies().await?;
        let registry = UnitRegistry::new(reference.units.clone(), reference.groups.clone(), reference.lineage.clone())
            .map_err(|e| crate::inconsistent(&e))?;
        let values = store.values(&ValueFilter { revisions: true, ..Default::default() }, Page::ALL).await?.items;
        let targets = store.targets(&TargetFilter::default(), Page::ALL).await?.items;
        let tasks = store.tasks(&TaskFilter::default(), Page::ALL).await?.items;
        Ok(Facts::new(reference, registry, values, targets, tasks))
    }

    pub fn new(
        reference: Dataset,
        registry: UnitRegistry,
        values: Vec<ValueRecord>,
        targets: Vec<Target>,
        tasks: Vec<Task>,
    ) -> Facts {
        let indicators = reference.indicators.iter().enumerate().map(|(i, x)| (x.code.to_string(), i)).collect();
        let mut by_series: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (i, v) in values.iter().enumerate() {
            by_series.entry((v.indicator.to_string(), v.unit.to_string())).or_default().push(i);
        }
        for list in by_series.values_mut() {
            list.sort_by_key(|&i| (values[i].period.end(), values[i].period.start(), values[i].revision));
        }
        Facts { reference, registry, values, targets, tasks, indicators, by_series }
    }

    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.indicators.get(code).map(|&i| &self.reference.indicators[i])
    }

    /// Every revision of one indicator for one unit, by period then revision.
    pub fn revisions(&self, indicator: &str, unit: &str) -> impl Iterator<Item = &ValueRecord> {
        self.by_series.get(&(indicator.to_owned(), unit.to_owned())).into_iter().flatten().map(|&i| &self.values[i])
    }

    /// The current revision of each period's value, by period.
    pub fn series(&self, indicator: &str, unit: &str) -> Vec<&ValueRecord> {
        let mut out: Vec<&ValueRecord> = Vec::new();
        for v in self.revisions(indicator, unit) {
            match out.last_mut() {
                Some(last) if last.period == v.period => *last = v,
                _ => out.push(v),
            }
        }
        out
    }

    /// The current value of one period.
    pub fn current(&self, indicator: &str, unit: &str, period: Period) -> Option<&ValueRecord> {
        self.revisions(indicator, unit).filter(|v| v.period == period).last()
    }

    /// Current values of an indicator for a period, every unit.
    pub fn of_period(&self, indicator: &str, period: Period) -> Vec<&ValueRecord> {
        let mut out: Vec<&ValueRecord> = self
            .by_series
            .iter()
            .filter(|((code, _), _)| code == indicator)
            .filter_map(|((_, unit), _)| self.current(indicator, unit, period))
            .collect();
        out.sort_by(|a, b| a.unit.cmp(&b.unit));
        out
    }

    /// The periods an indicator has values for, in order.
    pub fn periods_of(&self, indicator: &str) -> Vec<Period> {
        let mut periods: Vec<Period> =
            self.values.iter().filter(|v| v.indicator.as_str() == indicator).map(|v| v.period).collect();
        periods.sort_by_key(|p| (p.end(), p.start()));
        periods.dedup();
        periods
    }

    pub fn unit_name(&self, unit: &UnitKey, lang: Lang) -> String {
        self.registry.get(unit.as_str()).map_or_else(|| unit.to_string(), |u| u.name_in(lang).to_owned())
    }

    pub fn agency_name(&self, agency: &AgencyRef, lang: Lang) -> String {
        match agency {
            AgencyRef::Unit(u) => self.unit_name(u, lang),
            AgencyRef::Group(g) => self
                .registry
                .group(g.as_str())
                .map_or_else(|| g.to_string(), |g| lang.pick(&g.name, g.name_en.as_deref()).to_owned()),
        }
    }

    /// Whether an agency reference names the unit, itself or through a group.
    pub fn names(&self, agency: &AgencyRef, unit: &UnitKey) -> bool {
        match agency {
            AgencyRef::Unit(u) => u == unit,
            AgencyRef::Group(g) => self.registry.members(g).iter().any(|m| &m.key == unit),
        }
    }
}

/// A value as a number, where it is one.
pub fn number(v: &ValueRecord) -> Option<f64> {
    v.value.as_number().and_then(|d| d.to_f64())
}
