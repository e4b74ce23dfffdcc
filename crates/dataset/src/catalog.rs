//! What is already known when a file is checked: the units and their registry, and the
//! framework of programmes, pillars, indicators, sources and task lists.

use std::collections::BTreeMap;

use model::registry::RegistryError;
use model::{Group, Indicator, LineageEvent, Pillar, Programme, SourceDoc, TaskList, Unit, UnitKind, UnitRegistry};

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    units: Vec<Unit>,
    groups: Vec<Group>,
    events: Vec<LineageEvent>,
    pub registry: UnitRegistry,
    pub programmes: BTreeMap<String, Programme>,
    pub pillars: BTreeMap<String, Pillar>,
    /// Shared, as every value of a file looks its indicator up.
    pub indicators: BTreeMap<String, std::sync::Arc<Indicator>>,
    pub sources: BTreeMap<String, SourceDoc>,
    pub task_lists: BTreeMap<String, TaskList>,
}

/// What a catalog is built from.
#[derive(Debug, Clone, Default)]
pub struct CatalogParts {
    pub units: Vec<Unit>,
    pub groups: Vec<Group>,
    pub events: Vec<LineageEvent>,
    pub programmes: Vec<Programme>,
    pub pillars: Vec<Pillar>,
    pub indicators: Vec<Indicator>,
    pub sources: Vec<SourceDoc>,
    pub task_lists: Vec<TaskList>,
}

fn by_key<T>(items: Vec<T>, key: impl Fn(&T) -> String) -> BTreeMap<String, T> {
    items.into_iter().map(|i| (key(&i), i)).collect()
}

impl Catalog {
    pub fn new(parts: CatalogParts) -> Result<Self, Vec<RegistryError>> {
        let registry = UnitRegistry::new(parts.units.clone(), parts.groups.clone(), parts.events.clone())?;
        Ok(Catalog {
            units: parts.units,
            groups: parts.groups,
            events: parts.events,
            registry,
            programmes: by_key(parts.programmes, |p| p.key.to_string()),
            pillars: by_key(parts.pillars, |p| p.key.to_string()),
            indicators: parts.indicators.into_iter().map(|i| (i.code.to_string(), std::sync::Arc::new(i))).collect(),
            sources: by_key(parts.sources, |s| s.key.to_string()),
            task_lists: by_key(parts.task_lists, |t| t.key.to_string()),
        })
    }

    /// The registry with `units`, `groups` and `events` added (replacing any with the
    /// same key), checked as a whole.
    pub(crate) fn with_units(
        &self,
        groups: &[Group],
        units: &[Unit],
        events: &[LineageEvent],
    ) -> Result<Catalog, Vec<RegistryError>> {
        fn merge<T: Clone>(old: &[T], new: &[T], same: impl Fn(&T, &T) -> bool) -> Vec<T> {
            let mut out: Vec<T> = old.iter().filter(|o| !new.iter().any(|n| same(o, n))).cloned().collect();
            out.extend_from_slice(new);
            out
        }
        let groups = merge(&self.groups, groups, |a, b| a.key == b.key);
        let units = merge(&self.units, units, |a, b| a.key == b.key);
        let events = merge(&self.events, events, |a, b| a.key == b.key);
        let registry = UnitRegistry::new(units.clone(), groups.clone(), events.clone())?;
        Ok(Catalog { units, groups, events, registry, ..self.clone() })
    }

    /// The catalog with a loaded dataset's records added, as the store would hold them
    /// after writing it.
    pub fn absorb(&self, data: &model::Dataset) -> Result<Catalog, Vec<RegistryError>> {
        let mut next = self.with_units(&data.groups, &data.units, &data.lineage)?;
        for p in &data.programmes {
            next.programmes.insert(p.key.to_string(), p.clone());
        }
        for p in &data.pillars {
            next.pillars.insert(p.key.to_string(), p.clone());
        }
        for i in &data.indicators {
            next.indicators.insert(i.code.to_string(), std::sync::Arc::new(i.clone()));
        }
        for s in &data.sources {
            next.sources.insert(s.key.to_string(), s.clone());
        }
        for l in &data.task_lists {
            next.task_lists.insert(l.key.to_string(), l.clone());
        }
        Ok(next)
    }

    /// The unit that stands for the whole country; national values and targets are its.
    pub fn nation(&self) -> Option<&Unit> {
        let mut nations = self.registry.units().filter(|u| u.kind == UnitKind::Nation);
        let first = nations.next();
        if nations.next().is_some() { None } else { first }
    }
}
