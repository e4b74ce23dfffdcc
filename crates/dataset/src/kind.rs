//! The kinds of record a file can hold, their columns, and the order in which they
//! must be loaded (units before the values that name them).

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordKind {
    Sources,
    Groups,
    Units,
    Lineage,
    Programmes,
    Pillars,
    Indicators,
    /// A methodology file (TOML only, one methodology per file).
    Methodologies,
    Values,
    Targets,
    TaskLists,
    Tasks,
    /// Reporting regimes: which indicators which units report, how often.
    Regimes,
    /// Administrative procedures that units' systems report dossiers of.
    Procedures,
    Breakdowns,
    Changes,
}

/// A column: its name and whether every record must fill it.
pub struct Column {
    pub name: &'static str,
    pub required: bool,
}

const fn req(name: &'static str) -> Column {
    Column { name, required: true }
}

const fn opt(name: &'static str) -> Column {
    Column { name, required: false }
}

const SOURCES_COLUMNS: &[Column] =
    &[req("source"), req("title"), opt("title_en"), opt("issued"), opt("publisher"), opt("file")];
const GROUPS_COLUMNS: &[Column] = &[req("group"), req("name"), opt("name_en")];
const UNITS_COLUMNS: &[Column] = &[
    req("unit"),
    opt("code"),
    req("name"),
    opt("name_en"),
    req("kind"),
    opt("parent"),
    opt("groups"),
    opt("aliases"),
    opt("valid_from"),
    opt("valid_to"),
];
const LINEAGE_COLUMNS: &[Column] =
    &[req("event"), req("kind"), req("effective"), req("from"), req("to"), opt("source"), opt("note")];
const PROGRAMMES_COLUMNS: &[Column] =
    &[req("programme"), req("name"), opt("name_en"), req("kind"), opt("period"), opt("source")];
const PILLARS_COLUMNS: &[Column] = &[req("pillar"), req("programme"), req("name"), opt("name_en"), opt("ordinal")];
const INDICATORS_COLUMNS: &[Column] = &[
    req("indicator"),
    req("pillar"),
    req("name"),
    opt("name_en"),
    req("kind"),
    opt("unit_of_measure"),
    opt("direction"),
    opt("lead"),
    opt("co"),
    opt("min"),
    opt("max"),
    opt("numerator_le_denominator"),
    opt("categories"),
    opt("parts"),
    opt("description"),
];
const VALUES_COLUMNS: &[Column] = &[
    req("indicator"),
    req("unit"),
    req("period"),
    opt("value"),
    opt("numerator"),
    opt("denominator"),
    opt("source"),
    opt("provenance"),
    opt("note"),
    opt("revision"),
    opt("recorded_at"),
];
const TARGETS_COLUMNS: &[Column] = &[
    req("indicator"),
    req("programme"),
    req("period"),
    opt("scope"),
    req("comparator"),
    req("target"),
    opt("label"),
    opt("source"),
    opt("note"),
];
const TASK_LISTS_COLUMNS: &[Column] = &[req("task_list"), req("name"), opt("name_en"), opt("source")];
const TASKS_COLUMNS: &[Column] = &[
    req("task"),
    req("task_list"),
    req("title"),
    opt("required_result"),
    opt("deadline"),
    opt("deadline_label"),
    opt("responsible"),
    req("status"),
    opt("result"),
    opt("completed_on"),
    opt("source"),
];
const REGIMES_COLUMNS: &[Column] = &[
    req("regime"),
    req("name"),
    opt("name_en"),
    req("period_kind"),
    opt("due_days"),
    opt("first_period"),
    req("indicators"),
    req("units"),
    opt("source"),
];
const PROCEDURES_COLUMNS: &[Column] = &[req("procedure"), req("name"), opt("name_en"), opt("fee"), opt("source")];
const BREAKDOWNS_COLUMNS: &[Column] = &[
    req("breakdown"),
    req("title"),
    opt("title_en"),
    opt("period"),
    opt("unit_of_measure"),
    opt("total"),
    opt("population"),
    opt("indicator"),
    req("parts"),
    opt("source"),
    opt("note"),
];
const CHANGES_COLUMNS: &[Column] = &[
    req("indicator"),
    req("unit"),
    req("from"),
    req("to"),
    opt("absolute"),
    opt("percent"),
    opt("multiple"),
    opt("qualifier"),
    opt("source"),
    opt("note"),
];

impl RecordKind {
    /// In load order.
    pub const ALL: [RecordKind; 16] = [
        RecordKind::Sources,
        RecordKind::Groups,
        RecordKind::Units,
        RecordKind::Lineage,
        RecordKind::Programmes,
        RecordKind::Pillars,
        RecordKind::Indicators,
        RecordKind::Methodologies,
        RecordKind::Values,
        RecordKind::Targets,
        RecordKind::TaskLists,
        RecordKind::Tasks,
        RecordKind::Regimes,
        RecordKind::Procedures,
        RecordKind::Breakdowns,
        RecordKind::Changes,
    ];

    /// Table name in TOML and file name on export.
    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Sources => "sources",
            RecordKind::Groups => "groups",
            RecordKind::Units => "units",
            RecordKind::Lineage => "lineage",
            RecordKind::Programmes => "programmes",
            RecordKind::Pillars => "pillars",
            RecordKind::Indicators => "indicators",
            RecordKind::Methodologies => "methodologies",
            RecordKind::Values => "values",
            RecordKind::Targets => "targets",
            RecordKind::TaskLists => "task_lists",
            RecordKind::Tasks => "tasks",
            RecordKind::Regimes => "regimes",
            RecordKind::Procedures => "procedures",
            RecordKind::Breakdowns => "breakdowns",
            RecordKind::Changes => "changes",
        }
    }

    pub fn from_name(name: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.name() == name)
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            RecordKind::Sources => SOURCES_COLUMNS,
            RecordKind::Groups => GROUPS_COLUMNS,
            RecordKind::Units => UNITS_COLUMNS,
            RecordKind::Lineage => LINEAGE_COLUMNS,
            RecordKind::Programmes => PROGRAMMES_COLUMNS,
            RecordKind::Pillars => PILLARS_COLUMNS,
            RecordKind::Indicators => INDICATORS_COLUMNS,
            RecordKind::Methodologies => &[],
            RecordKind::Values => VALUES_COLUMNS,
            RecordKind::Targets => TARGETS_COLUMNS,
            RecordKind::TaskLists => TASK_LISTS_COLUMNS,
            RecordKind::Tasks => TASKS_COLUMNS,
            RecordKind::Regimes => REGIMES_COLUMNS,
            RecordKind::Procedures => PROCEDURES_COLUMNS,
            RecordKind::Breakdowns => BREAKDOWNS_COLUMNS,
            RecordKind::Changes => CHANGES_COLUMNS,
        }
    }

    /// Which kind a CSV header describes: by its first column, and for files that
    /// start with `indicator`, by the columns that follow.
    pub fn detect(header: &[&str]) -> Option<RecordKind> {
        let has = |c: &str| header.contains(&c);
        let kind = match *header.first()? {
            "source" => RecordKind::Sources,
            "group" => RecordKind::Groups,
            "unit" => RecordKind::Units,
            "event" => RecordKind::Lineage,
            "programme" => RecordKind::Programmes,
            "pillar" => RecordKind::Pillars,
            "task_list" => RecordKind::TaskLists,
            "task" => RecordKind::Tasks,
            "regime" => RecordKind::Regimes,
            "procedure" => RecordKind::Procedures,
            "breakdown" => RecordKind::Breakdowns,
            "indicator" if has("from") && has("to") => RecordKind::Changes,
            "indicator" if has("comparator") => RecordKind::Targets,
            "indicator" if has("unit") && has("period") => RecordKind::Values,
            "indicator" if has("kind") => RecordKind::Indicators,
            _ => return None,
        };
        Some(kind)
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The headers that `detect` recognises, for the error message when none fits.
pub fn expected_headers() -> String {
    RecordKind::ALL
        .iter()
        .filter(|k| !matches!(k, RecordKind::Breakdowns | RecordKind::Methodologies))
        .map(|k| {
            let cols: Vec<&str> = k.columns().iter().filter(|c| c.required).map(|c| c.name).collect();
            format!("{}: {}", k.name(), cols.join(","))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_kinds_from_headers() {
        let plain = ["indicator", "unit", "period", "value", "numerator", "denominator", "source"];
        assert_eq!(RecordKind::detect(&plain), Some(RecordKind::Values));
        assert_eq!(RecordKind::detect(&["indicator", "unit", "period", "value"]), Some(RecordKind::Values));
        assert_eq!(RecordKind::detect(&["indicator", "unit", "from", "to"]), Some(RecordKind::Changes));
        assert_eq!(RecordKind::detect(&["indicator", "programme", "period", "comparator"]), Some(RecordKind::Targets));
        assert_eq!(RecordKind::detect(&["indicator", "pillar", "name", "kind"]), Some(RecordKind::Indicators));
        assert_eq!(RecordKind::detect(&["unit", "name", "kind"]), Some(RecordKind::Units));
        assert_eq!(RecordKind::detect(&["name", "unit"]), None);
        for k in RecordKind::ALL {
            assert_eq!(RecordKind::from_name(k.name()), Some(k));
        }
    }
}
