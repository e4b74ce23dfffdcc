//! Turning positioned fields into checked model records. Every problem is collected
//! with its place, so one run lists everything to fix; a file with any problem yields
//! no records at all.

mod figures;
mod framework;
mod plans;
mod registry;

use std::collections::HashMap;
use std::fmt::Display;

use model::{AgencyRef, Dataset, GroupKey, Unit, Window};

use crate::catalog::Catalog;
use crate::error::{ImportError, ImportErrors};
use crate::fields::{Fields, read};
use crate::kind::RecordKind;

/// A TOML file whose top level has an `id` is a methodology, not a set of records.
fn is_methodology(file: &str, bytes: &[u8]) -> bool {
    file.to_lowercase().ends_with(".toml")
        && std::str::from_utf8(bytes)
            .ok()
            .and_then(|text| toml::de::DeTable::parse(text).ok())
            .is_some_and(|table| table.get_ref().contains_key("id"))
}

/// Reads, checks and converts one file against what is already known. A methodology
/// is only read here; what its tree means is checked by `score::method::compile`.
pub fn load(file: &str, bytes: &[u8], catalog: &Catalog) -> Result<Dataset, ImportErrors> {
    if is_methodology(file, bytes) {
        let methodology = crate::methodology::read(file, bytes)?;
        return Ok(Dataset { methodologies: vec![methodology], ..Dataset::default() });
    }
    let mut sections = read(file, bytes)?;
    sections.sort_by_key(|s| s.kind);
    let mut v = Validator { file, catalog: catalog.clone(), errors: Vec::new(), out: Dataset::default() };
    for section in &sections {
        let records = &section.records;
        match section.kind {
            RecordKind::Sources => v.sources(records),
            RecordKind::Groups => v.groups(records),
            RecordKind::Units => v.units(records),
            RecordKind::Lineage => v.lineage(records),
            RecordKind::Programmes => v.programmes(records),
            RecordKind::Pillars => v.pillars(records),
            RecordKind::Indicators => v.indicators(records),
            // Methodologies come in files of their own, handled above.
            RecordKind::Methodologies => {}
            RecordKind::Values => v.values(records),
            RecordKind::Targets => v.targets(records),
            RecordKind::TaskLists => v.task_lists(records),
            RecordKind::Tasks => v.tasks(records),
            RecordKind::Regimes => v.regimes(records),
            RecordKind::Procedures => v.procedures(records),
            RecordKind::Breakdowns => v.breakdowns(records),
            RecordKind::Changes => v.changes(records),
        }
    }
    if v.errors.is_empty() { Ok(v.out) } else { Err(ImportErrors(v.errors)) }
}

/// The kinds of record a file holds, for ordering several files before loading them.
pub fn kinds_of(file: &str, bytes: &[u8]) -> Result<Vec<RecordKind>, ImportErrors> {
    if is_methodology(file, bytes) {
        return Ok(vec![RecordKind::Methodologies]);
    }
    let mut kinds = crate::fields::kinds(file, bytes)?;
    kinds.sort();
    Ok(kinds)
}

pub(crate) struct Validator<'a> {
    file: &'a str,
    /// What is known, including what this file has added so far.
    catalog: Catalog,
    errors: Vec<ImportError>,
    out: Dataset,
}

impl Validator<'_> {
    fn error(&mut self, f: &Fields, field: &str, message: impl Display) {
        self.errors.push(ImportError::at(self.file, f.pos_of(field), Some(field), message.to_string()));
    }

    fn error_count(&self) -> usize {
        self.errors.len()
    }

    /// A required field's text.
    fn required<'f>(&mut self, f: &'f Fields, field: &str) -> Option<&'f str> {
        let text = f.text(field);
        if text.is_none() {
            self.error(f, field, "required");
        }
        text
    }

    /// A required field, parsed.
    fn parse<T, E: Display>(&mut self, f: &Fields, field: &str, parse: impl FnOnce(&str) -> Result<T, E>) -> Option<T> {
        let text = self.required(f, field)?;
        parse(text).map_err(|e| self.error(f, field, e)).ok()
    }

    /// An optional field, parsed: None when absent or wrong (the error is recorded).
    fn optional<T, E: Display>(
        &mut self,
        f: &Fields,
        field: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let text = f.text(field)?;
        parse(text).map_err(|e| self.error(f, field, e)).ok()
    }

    /// An optional text field, as given.
    fn text(f: &Fields, field: &str) -> Option<String> {
        f.text(field).map(str::to_owned)
    }

    /// Flags a record whose key was already used in this file.
    fn unique(&mut self, seen: &mut HashMap<String, usize>, f: &Fields, field: &str, key: String) -> bool {
        if let Some(line) = seen.get(&key) {
            let message = format!("duplicate of the record on line {line}");
            self.error(f, field, message);
            return false;
        }
        seen.insert(key, f.pos.line);
        true
    }

    /// A unit named by key, code or name, which must have existed during `window`.
    fn unit(&mut self, f: &Fields, field: &str, input: &str, window: Option<Window>) -> Option<model::UnitKey> {
        match self.catalog.registry.resolve(input, window) {
            Ok(u) => {
                if let Some(w) = window
                    && !u.existed_during(w.start, w.end)
                {
                    let message = format!("{} ({}) did not exist then ({})", u.name, u.key, validity(u));
                    self.error(f, field, message);
                    return None;
                }
                Some(u.key.clone())
            }
            Err(e) => {
                self.error(f, field, e);
                None
            }
        }
    }

    fn group(&mut self, f: &Fields, field: &str, input: &str) -> Option<GroupKey> {
        let key = input.trim().strip_prefix("group:").unwrap_or(input).trim();
        match self.catalog.registry.group(key) {
            Some(g) => Some(g.key.clone()),
            None => {
                let known: Vec<String> = self.catalog.registry.groups().map(|g| g.key.to_string()).collect();
                self.error(f, field, format!("unknown group '{key}'; known groups: {}", known.join(", ")));
                None
            }
        }
    }

    /// Responsible agencies: units by key or name, or `group:<key>` for a whole group.
    /// Names are read as they were meant during `window` (a task's deadline, say).
    fn agencies(&mut self, f: &Fields, field: &str, window: Option<Window>) -> Vec<AgencyRef> {
        let mut out = Vec::new();
        for item in f.list(field) {
            let agency = if item.starts_with("group:") {
                self.group(f, field, &item).map(AgencyRef::Group)
            } else {
                self.unit(f, field, &item, window).map(AgencyRef::Unit)
            };
            if let Some(a) = agency
                && !out.contains(&a)
            {
                out.push(a);
            }
        }
        out
    }
}

fn validity(u: &Unit) -> String {
    match (u.valid_from, u.valid_to) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        (Some(a), None) => format!("from {a}"),
        (None, Some(b)) => format!("until {b}"),
        (None, None) => "always".to_owned(),
    }
}

/// yes/no fields: yes, no, true, false, có, không.
fn yes_no(text: &str) -> Result<bool, String> {
    match model::text::fold(text).as_str() {
        "yes" | "true" | "1" | "co" => Ok(true),
        "no" | "false" | "0" | "khong" => Ok(false),
        _ => Err(format!("'{text}' is not yes or no")),
    }
}

fn number(text: &str) -> Result<rust_decimal::Decimal, String> {
    model::number::parse_number(text).map(|p| p.value).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests;
