//! Everything a report or a progress list reads, loaded once and indexed: the registry,
//! the framework, every revision of every value, targets and tasks.

use std::collections::HashMap;

use model::{AgencyRef, Dataset, Indicator, Lang, Period, Target, Task, UnitKey, UnitRegistry, ValueRecord};
use rust_decimal::prelude::ToPrimitive;
use store::{Page, Store, StoreError, TargetFilter, TaskFilter, ValueFilter};

pub struct Facts {
    pub reference: Dataset,
    pub registry: UnitRegistry,
    /// Every revision of every value, by indicator, unit, period (start, then end) and
    /// revision.
    pub values: Vec<ValueRecord>,
    pub targets: Vec<Target>,
    pub tasks: Vec<Task>,
    indicators: HashMap<String, usize>,
    /// Positions in `values` by (indicator, unit), in order of period (end, then
    /// start) then revision.
    by_series: HashMap<(String, String), Vec<usize>>,
    /// Each indicator's values: one stretch of `values`.
    by_indicator: HashMap<String, std::ops::Range<usize>>,
    /// Whether each value is its period's current revision.
    current: Vec<bool>,
    /// How many current revisions come before each position (one more entry than
    /// `values`): a page of a long list is found without reading what comes before it.
    current_before: Vec<usize>,
}

/// What `Facts` are made of, as the store gives it: reading it is IO, indexing it (in
/// `Facts::from_loaded`) is work for a processor.
pub struct Loaded {
    pub reference: Dataset,
    pub values: Vec<ValueRecord>,
    pub targets: Vec<Target>,
    pub tasks: Vec<Task>,
}

impl Loaded {
    pub async fn load(store: &Store) -> Result<Loaded, StoreError> {
        let mut reference = store.reference().await?;
        reference.methodologies = store.methodologies().await?;
        let values = store.values(&ValueFilter { revisions: true, ..Default::default() }, Page::ALL).await?.items;
        let targets = store.targets(&TargetFilter::default(), Page::ALL).await?.items;
        let tasks = store.tasks(&TaskFilter::default(), Page::ALL).await?.items;
        Ok(Loaded { reference, values, targets, tasks })
    }
}

impl Facts {
    pub async fn load(store: &Store) -> Result<Facts, StoreError> {
        Facts::from_loaded(Loaded::load(store).await?)
    }

    /// Indexes what was loaded.
    pub fn from_loaded(loaded: Loaded) -> Result<Facts, StoreError> {
        let Loaded { reference, values, targets, tasks } = loaded;
        let registry = UnitRegistry::new(reference.units.clone(), reference.groups.clone(), reference.lineage.clone())
            .map_err(|e| crate::inconsistent(&e))?;
        Ok(Facts::new(reference, registry, values, targets, tasks))
    }

    pub fn new(
        reference: Dataset,
        registry: UnitRegistry,
        values: Vec<ValueRecord>,
        targets: Vec<Target>,
        tasks: Vec<Task>,
    ) -> Facts {
        let mut values = values;
        values.sort_by(|a, b| {
            (a.indicator.as_str(), a.unit.as_str(), a.period.start(), a.period.end(), a.revision).cmp(&(
                b.indicator.as_str(),
                b.unit.as_str(),
                b.period.start(),
                b.period.end(),
                b.revision,
            ))
        });
        let indicators = reference.indicators.iter().enumerate().map(|(i, x)| (x.code.to_string(), i)).collect();
        let mut by_series: HashMap<(String, String), Vec<usize>> = HashMap::new();
        let mut by_indicator: HashMap<String, std::ops::Range<usize>> = HashMap::new();
        let mut current = vec![false; values.len()];
        for (i, v) in values.iter().enumerate() {
            by_series.entry((v.indicator.to_string(), v.unit.to_string())).or_default().push(i);
            by_indicator.entry(v.indicator.to_string()).or_insert(i..i).end = i + 1;
            let next = values.get(i + 1);
            current[i] = !next.is_some_and(|n| n.indicator == v.indicator && n.unit == v.unit && n.period == v.period);
        }
        let mut current_before = Vec::with_capacity(values.len() + 1);
        current_before.push(0);
        for (i, is_current) in current.iter().enumerate() {
            current_before.push(current_before[i] + usize::from(*is_current));
        }
        for list in by_series.values_mut() {
            list.sort_by_key(|&i| (values[i].period.end(), values[i].period.start(), values[i].revision));
        }
        Facts {
            reference,
            registry,
            values,
            targets,
            tasks,
            indicators,
            by_series,
            by_indicator,
            current,
            current_before,
        }
    }

    /// The values that `filter` picks, in their order (indicator, unit, period,
    /// revision): what the store's `values` gives, from memory.
    pub fn values_where<'a>(&'a self, filter: &'a ValueFilter) -> impl Iterator<Item = &'a ValueRecord> + 'a {
        let range = self.range_of(filter.indicator.as_deref());
        range.filter(move |&i| filter.revisions || self.current[i]).map(|i| &self.values[i]).filter(move |v| {
            filter.unit.as_deref().is_none_or(|u| v.unit.as_str() == u)
                && filter.period.is_none_or(|p| v.period == p)
                && filter.within.is_none_or(|w| v.period.start() >= w.start() && v.period.end() <= w.end())
                && filter.provenance.is_none_or(|p| v.provenance == p)
        })
    }

    /// Where an indicator's values are in `values` (all of them without one).
    fn range_of(&self, indicator: Option<&str>) -> std::ops::Range<usize> {
        match indicator {
            Some(code) => self.by_indicator.get(code).cloned().unwrap_or(0..0),
            None => 0..self.values.len(),
        }
    }

    /// One page of the values `filter` picks, and how many it picks in all. A filter of
    /// an indicator alone (or of nothing) is answered from the counts kept at build time,
    /// whatever the page, without reading the values before it; others read the list.
    pub fn values_page<'a>(
        &'a self,
        filter: &'a ValueFilter,
        skip: usize,
        take: usize,
    ) -> (Vec<&'a ValueRecord>, usize) {
        let by_indicator_alone =
            filter.unit.is_none() && filter.period.is_none() && filter.within.is_none() && filter.provenance.is_none();
        if !by_indicator_alone {
            let mut total = 0;
            let mut page = Vec::new();
            for (i, v) in self.values_where(filter).enumerate() {
                total += 1;
                if i >= skip && page.len() < take {
                    page.push(v);
                }
            }
            return (page, total);
        }
        let range = self.range_of(filter.indicator.as_deref());
        if filter.revisions {
            let from = range.start.saturating_add(skip).min(range.end);
            let to = from.saturating_add(take).min(range.end);
            return (self.values[from..to].iter().collect(), range.len());
        }
        let counted = &self.current_before[range.start..=range.end];
        let total = counted[counted.len() - 1] - counted[0];
        // The first position with `skip` current revisions of the range before it.
        let wanted = counted[0].saturating_add(skip);
        let from = range.start + counted.partition_point(|&c| c < wanted);
        let page = (from..range.end).filter(|&i| self.current[i]).take(take).map(|i| &self.values[i]).collect();
        (page, total)
    }

    /// The targets that `filter` picks, in the store's order: what its `targets` gives,
    /// from memory.
    pub fn targets_where<'a>(&'a self, filter: &'a TargetFilter) -> impl Iterator<Item = &'a Target> + 'a {
        self.targets.iter().filter(move |t| {
            filter.indicator.as_deref().is_none_or(|i| t.indicator.as_str() == i)
                && filter.programme.as_deref().is_none_or(|p| t.programme.as_str() == p)
                && filter.period.is_none_or(|p| t.period == p)
        })
    }

    /// The tasks that `filter` picks, in the store's order: an agency's are those it is
    /// responsible for itself or through one of its groups.
    pub fn tasks_where<'a>(&'a self, filter: &'a TaskFilter) -> impl Iterator<Item = &'a Task> + 'a {
        let groups = filter.agency.as_deref().and_then(|a| self.registry.get(a)).map(|u| &u.groups);
        self.tasks.iter().filter(move |t| {
            filter.list.as_deref().is_none_or(|l| t.list.as_str() == l)
                && filter.status.is_none_or(|s| t.status == s)
                && filter.agency.as_deref().is_none_or(|a| {
                    t.responsible.iter().any(|r| match r {
                        AgencyRef::Unit(u) => u.as_str() == a,
                        AgencyRef::Group(g) => groups.is_some_and(|gs| gs.contains(g)),
                    })
                })
        })
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

    /// Current values of an indicator for a period, every unit, by unit.
    pub fn of_period(&self, indicator: &str, period: Period) -> Vec<&ValueRecord> {
        let range = self.by_indicator.get(indicator).cloned().unwrap_or(0..0);
        range.filter(|&i| self.current[i] && self.values[i].period == period).map(|i| &self.values[i]).collect()
    }

    /// The periods an indicator has values for, in order.
    pub fn periods_of(&self, indicator: &str) -> Vec<Period> {
        let range = self.by_indicator.get(indicator).cloned().unwrap_or(0..0);
        let mut periods: Vec<Period> = self.values[range].iter().map(|v| v.period).collect();
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
