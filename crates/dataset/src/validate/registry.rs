//! Sources, groups, units and lineage events.

use std::collections::HashMap;

use model::registry::RegistryError;
use model::{
    DateOrPeriod, EventKey, Group, GroupKey, LineageEvent, LineageKind, SourceDoc, SourceKey, Unit, UnitKey, UnitKind,
    Window,
};

use super::Validator;
use crate::fields::Fields;

impl Validator<'_> {
    pub(super) fn sources(&mut self, records: &[Fields]) {
        let mut seen = HashMap::new();
        for f in records {
            let before = self.error_count();
            let key = self.parse(f, "source", SourceKey::parse);
            let title = self.required(f, "title").map(str::to_owned);
            let issued = self.optional(f, "issued", str::parse::<DateOrPeriod>);
            if let (Some(key), Some(title)) = (key, title)
                && self.unique(&mut seen, f, "source", key.to_string())
                && before == self.error_count()
            {
                let doc = SourceDoc {
                    key,
                    title,
                    title_en: Self::text(f, "title_en"),
                    issued,
                    publisher: Self::text(f, "publisher"),
                    file: Self::text(f, "file"),
                };
                self.catalog.sources.insert(doc.key.to_string(), doc.clone());
                self.out.sources.push(doc);
            }
        }
    }

    pub(super) fn groups(&mut self, records: &[Fields]) {
        let mut seen = HashMap::new();
        let mut groups = Vec::new();
        for f in records {
            let key = self.parse(f, "group", GroupKey::parse);
            let name = self.required(f, "name").map(str::to_owned);
            if let (Some(key), Some(name)) = (key, name)
                && self.unique(&mut seen, f, "group", key.to_string())
            {
                groups.push(Group { key, name, name_en: Self::text(f, "name_en") });
            }
        }
        self.merge_registry(records, "group", &groups, &[], &[]);
        self.out.groups = groups;
    }

    pub(super) fn units(&mut self, records: &[Fields]) {
        let mut seen = HashMap::new();
        let mut units = Vec::new();
        for f in records {
            let before = self.error_count();
            let key = self.parse(f, "unit", UnitKey::parse);
            let name = self.required(f, "name").map(str::to_owned);
            let kind = self.parse(f, "kind", str::parse::<UnitKind>);
            let parent = self.optional(f, "parent", UnitKey::parse);
            let groups: Vec<GroupKey> = f.list("groups").iter().filter_map(|g| self.group(f, "groups", g)).collect();
            let valid_from = self.optional(f, "valid_from", model::period::parse_date);
            let valid_to = self.optional(f, "valid_to", model::period::parse_date);
            let aliases = f.list("aliases");
            if let (Some(key), Some(name), Some(kind)) = (key, name, kind)
                && self.unique(&mut seen, f, "unit", key.to_string())
                && before == self.error_count()
            {
                units.push(Unit {
                    key,
                    code: Self::text(f, "code"),
                    name,
                    name_en: Self::text(f, "name_en"),
                    kind,
                    parent,
                    groups,
                    aliases,
                    valid_from,
                    valid_to,
                });
            }
        }
        self.merge_registry(records, "unit", &[], &units, &[]);
        self.out.units = units;
    }

    pub(super) fn lineage(&mut self, records: &[Fields]) {
        let mut seen = HashMap::new();
        let mut events = Vec::new();
        for f in records {
            let before = self.error_count();
            let key = self.parse(f, "event", EventKey::parse);
            let kind = self.parse(f, "kind", str::parse::<LineageKind>);
            let effective = self.parse(f, "effective", model::period::parse_date);
            let (Some(key), Some(kind), Some(effective)) = (key, kind, effective) else { continue };
            // Units that end are named as they were the day before; new units as on the day.
            let before_day = effective.pred_opt().map(Window::from);
            let from: Vec<UnitKey> =
                f.list("from").iter().filter_map(|u| self.unit(f, "from", u, before_day)).collect();
            let to: Vec<UnitKey> =
                f.list("to").iter().filter_map(|u| self.unit(f, "to", u, Some(Window::from(effective)))).collect();
            if from.is_empty() {
                self.error(f, "from", "required");
            }
            if to.is_empty() {
                self.error(f, "to", "required");
            }
            if self.unique(&mut seen, f, "event", key.to_string()) && before == self.error_count() {
                events.push(LineageEvent {
                    key,
                    kind,
                    effective,
                    from,
                    to,
                    source: Self::text(f, "source"),
                    note: Self::text(f, "note"),
                });
            }
        }
        self.merge_registry(records, "event", &[], &[], &events);
        self.out.lineage = events;
    }

    /// Adds the file's groups, units or events to the registry and checks the whole;
    /// problems are reported on the record they concern.
    fn merge_registry(
        &mut self,
        records: &[Fields],
        key_field: &str,
        groups: &[Group],
        units: &[Unit],
        events: &[LineageEvent],
    ) {
        match self.catalog.with_units(groups, units, events) {
            Ok(catalog) => self.catalog = catalog,
            Err(errors) => {
                for e in errors {
                    let concerned = match &e {
                        RegistryError::UnknownParent { unit, .. }
                        | RegistryError::UnknownGroup { unit, .. }
                        | RegistryError::Validity { unit, .. }
                        | RegistryError::ParentCycle { unit } => unit.to_string(),
                        RegistryError::Lineage { event, .. } => event.clone(),
                    };
                    match records.iter().find(|f| f.text(key_field) == Some(concerned.as_str())) {
                        Some(f) => self.error(f, key_field, &e),
                        None => self.errors.push(crate::ImportError::file(self.file, e.to_string())),
                    }
                }
            }
        }
    }
}
