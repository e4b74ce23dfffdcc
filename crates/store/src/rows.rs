//! Rows as the database returns them, and their conversion into model records. What
//! was checked on the way in is checked again on the way out: a row that no longer
//! parses is reported as corrupt rather than passed on.

use std::fmt::Display;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use model::*;
use rust_decimal::Decimal;

use crate::{Result, StoreError};

fn bad<E: Display>(what: &'static str) -> impl Fn(E) -> StoreError {
    move |e| StoreError::Corrupt(format!("{what}: {e}"))
}

pub(crate) fn parse<T: FromStr>(what: &'static str, s: &str) -> Result<T>
where
    T::Err: Display,
{
    s.parse::<T>().map_err(bad(what))
}

pub(crate) fn opt_parse<T: FromStr>(what: &'static str, s: &Option<String>) -> Result<Option<T>>
where
    T::Err: Display,
{
    s.as_deref().map(|s| parse(what, s)).transpose()
}

pub(crate) fn key<K: TryFrom<String>>(what: &'static str, s: String) -> Result<K>
where
    K::Error: Display,
{
    K::try_from(s).map_err(bad(what))
}

fn list(s: &str) -> Vec<String> {
    s.split(';').map(str::trim).filter(|x| !x.is_empty()).map(str::to_owned).collect()
}

pub(crate) fn join<T: ToString>(items: &[T]) -> String {
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join(";")
}

#[derive(sqlx::FromRow)]
pub(crate) struct SourceRow {
    key: String,
    title: String,
    title_en: Option<String>,
    issued: Option<String>,
    publisher: Option<String>,
    file: Option<String>,
}

impl SourceRow {
    pub fn into_model(self) -> Result<SourceDoc> {
        Ok(SourceDoc {
            key: key("source key", self.key)?,
            title: self.title,
            title_en: self.title_en,
            issued: opt_parse("source issued", &self.issued)?,
            publisher: self.publisher,
            file: self.file,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct GroupRow {
    key: String,
    name: String,
    name_en: Option<String>,
}

impl GroupRow {
    pub fn into_model(self) -> Result<Group> {
        Ok(Group { key: key("group key", self.key)?, name: self.name, name_en: self.name_en })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct UnitRow {
    pub key: String,
    code: Option<String>,
    name: String,
    name_en: Option<String>,
    kind: String,
    parent: Option<String>,
    aliases: String,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
}

impl UnitRow {
    pub fn into_model(self, groups: Vec<GroupKey>) -> Result<Unit> {
        Ok(Unit {
            key: key("unit key", self.key)?,
            code: self.code,
            name: self.name,
            name_en: self.name_en,
            kind: parse("unit kind", &self.kind)?,
            parent: self.parent.map(|p| key("unit parent", p)).transpose()?,
            groups,
            aliases: list(&self.aliases),
            valid_from: self.valid_from,
            valid_to: self.valid_to,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MembershipRow {
    pub grp: String,
    pub unit: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    pub key: String,
    kind: String,
    effective: NaiveDate,
    source: Option<String>,
    note: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct LinkRow {
    pub event: String,
    pub role: String,
    pub unit: String,
}

impl EventRow {
    pub fn into_model(self, links: &[LinkRow]) -> Result<LineageEvent> {
        let units = |role: &str| -> Result<Vec<UnitKey>> {
            links
                .iter()
                .filter(|l| l.event == self.key && l.role == role)
                .map(|l| key("lineage unit", l.unit.clone()))
                .collect()
        };
        Ok(LineageEvent {
            from: units("from")?,
            to: units("to")?,
            key: key("event key", self.key)?,
            kind: parse("lineage kind", &self.kind)?,
            effective: self.effective,
            source: self.source,
            note: self.note,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ProgrammeRow {
    key: String,
    name: String,
    name_en: Option<String>,
    kind: String,
    period: Option<String>,
    source: Option<String>,
}

impl ProgrammeRow {
    pub fn into_model(self) -> Result<Programme> {
        let kind = match self.kind.as_str() {
            "programme" => ProgrammeKind::Programme,
            "plan" => ProgrammeKind::Plan,
            other => return Err(StoreError::Corrupt(format!("programme kind: {other}"))),
        };
        Ok(Programme {
            key: key("programme key", self.key)?,
            name: self.name,
            name_en: self.name_en,
            kind,
            period: opt_parse("programme period", &self.period)?,
            source: self.source,
        })
    }
}

pub(crate) fn programme_kind(p: &Programme) -> &'static str {
    match p.kind {
        ProgrammeKind::Programme => "programme",
        ProgrammeKind::Plan => "plan",
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PillarRow {
    key: String,
    programme: String,
    name: String,
    name_en: Option<String>,
    ordinal: i64,
}

impl PillarRow {
    pub fn into_model(self) -> Result<Pillar> {
        Ok(Pillar {
            key: key("pillar key", self.key)?,
            programme: key("pillar programme", self.programme)?,
            name: self.name,
            name_en: self.name_en,
            ordinal: self.ordinal,
        })
    }
}

/// A responsible agency of an indicator or a task.
#[derive(sqlx::FromRow)]
pub(crate) struct AgencyRow {
    pub owner: String,
    pub role: String,
    pub unit: Option<String>,
    pub grp: Option<String>,
}

impl AgencyRow {
    pub fn to_model(&self) -> Result<AgencyRef> {
        match (&self.unit, &self.grp) {
            (Some(u), None) => Ok(AgencyRef::Unit(key("agency unit", u.clone())?)),
            (None, Some(g)) => Ok(AgencyRef::Group(key("agency group", g.clone())?)),
            _ => Err(StoreError::Corrupt(format!("agency of {} names neither a unit nor a group", self.owner))),
        }
    }
}

pub(crate) fn agencies_of(rows: &[AgencyRow], owner: &str, role: &str) -> Result<Vec<AgencyRef>> {
    rows.iter().filter(|r| r.owner == owner && r.role == role).map(AgencyRow::to_model).collect()
}

/// Unit and group columns of an agency reference.
pub(crate) fn agency_columns(a: &AgencyRef) -> (Option<String>, Option<String>) {
    match a {
        AgencyRef::Unit(u) => (Some(u.to_string()), None),
        AgencyRef::Group(g) => (None, Some(g.to_string())),
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct IndicatorRow {
    pub code: String,
    pillar: String,
    name: String,
    name_en: Option<String>,
    kind: String,
    unit_of_measure: String,
    direction: String,
    min: Option<String>,
    max: Option<String>,
    numerator_le_denominator: bool,
    categories: String,
    parts: String,
    description: Option<String>,
}

impl IndicatorRow {
    pub fn into_model(self, agencies: &[AgencyRow]) -> Result<Indicator> {
        Ok(Indicator {
            lead: agencies_of(agencies, &self.code, "lead")?,
            co: agencies_of(agencies, &self.code, "co")?,
            code: key("indicator code", self.code)?,
            pillar: key("indicator pillar", self.pillar)?,
            name: self.name,
            name_en: self.name_en,
            kind: parse("indicator kind", &self.kind)?,
            unit_of_measure: self.unit_of_measure,
            direction: parse("direction", &self.direction)?,
            min: opt_parse("indicator min", &self.min)?,
            max: opt_parse("indicator max", &self.max)?,
            numerator_le_denominator: self.numerator_le_denominator,
            categories: list(&self.categories),
            parts: list(&self.parts).into_iter().map(|p| key("indicator part", p)).collect::<Result<_>>()?,
            description: self.description,
        })
    }
}

/// A stored figure, read back according to what the indicator measures.
pub(crate) fn datum(kind: IndicatorKind, text: &str) -> Result<Datum> {
    Ok(match kind {
        IndicatorKind::YesNo => Datum::YesNo(text == "yes"),
        IndicatorKind::Date => Datum::Date(parse("date value", text)?),
        IndicatorKind::Category => Datum::Category(text.to_owned()),
        _ => Datum::Number(parse::<Decimal>("number value", text)?),
    })
}

#[derive(sqlx::FromRow)]
pub(crate) struct ValueRow {
    indicator: String,
    unit: String,
    period: String,
    revision: i64,
    value: String,
    numerator: Option<String>,
    denominator: Option<String>,
    provenance: String,
    source: Option<String>,
    note: Option<String>,
    recorded_at: DateTime<Utc>,
    pub kind: String,
}

impl ValueRow {
    pub fn into_model(self) -> Result<ValueRecord> {
        let kind: IndicatorKind = parse("indicator kind", &self.kind)?;
        Ok(ValueRecord {
            value: datum(kind, &self.value)?,
            indicator: key("value indicator", self.indicator)?,
            unit: key("value unit", self.unit)?,
            period: parse("value period", &self.period)?,
            revision: u32::try_from(self.revision).map_err(bad("revision"))?,
            numerator: opt_parse("numerator", &self.numerator)?,
            denominator: opt_parse("denominator", &self.denominator)?,
            provenance: parse("provenance", &self.provenance)?,
            source: self.source,
            note: self.note,
            recorded_at: self.recorded_at,
        })
    }
}

/// A target's scope as stored: a unit key, or `group:<key>`.
pub(crate) fn scope_columns(s: &Scope) -> (Option<String>, Option<String>) {
    match s {
        Scope::Unit(u) => (Some(u.to_string()), None),
        Scope::EachOf(g) => (None, Some(g.to_string())),
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TargetRow {
    indicator: String,
    programme: String,
    period: String,
    scope_unit: Option<String>,
    scope_group: Option<String>,
    comparator: String,
    value: String,
    label: Option<String>,
    source: Option<String>,
    note: Option<String>,
    kind: String,
}

impl TargetRow {
    pub fn into_model(self) -> Result<Target> {
        let comparator: Comparator = parse("comparator", &self.comparator)?;
        let kind =
            if comparator == Comparator::ByDate { IndicatorKind::Date } else { parse("indicator kind", &self.kind)? };
        let scope = match (self.scope_unit, self.scope_group) {
            (Some(u), None) => Scope::Unit(key("target unit", u)?),
            (None, Some(g)) => Scope::EachOf(key("target group", g)?),
            _ => return Err(StoreError::Corrupt("target scope".into())),
        };
        Ok(Target {
            value: datum(kind, &self.value)?,
            indicator: key("target indicator", self.indicator)?,
            programme: key("target programme", self.programme)?,
            period: parse("target period", &self.period)?,
            scope,
            comparator,
            label: self.label,
            source: self.source,
            note: self.note,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TaskListRow {
    key: String,
    name: String,
    name_en: Option<String>,
    source: Option<String>,
}

impl TaskListRow {
    pub fn into_model(self) -> Result<TaskList> {
        Ok(TaskList {
            key: key("task list key", self.key)?,
            name: self.name,
            name_en: self.name_en,
            source: self.source,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TaskRow {
    pub key: String,
    list: String,
    title: String,
    required_result: Option<String>,
    deadline: Option<String>,
    deadline_label: Option<String>,
    status: String,
    result: Option<String>,
    completed_on: Option<NaiveDate>,
    source: Option<String>,
}

impl TaskRow {
    pub fn into_model(self, agencies: &[AgencyRow]) -> Result<Task> {
        Ok(Task {
            responsible: agencies_of(agencies, &self.key, "responsible")?,
            key: key("task key", self.key)?,
            list: key("task list", self.list)?,
            title: self.title,
            required_result: self.required_result,
            deadline: opt_parse("deadline", &self.deadline)?,
            deadline_label: self.deadline_label,
            status: parse("task status", &self.status)?,
            result: self.result,
            completed_on: self.completed_on,
            source: self.source,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct BreakdownRow {
    pub key: String,
    title: String,
    title_en: Option<String>,
    period: Option<String>,
    unit_of_measure: Option<String>,
    total: Option<String>,
    population: Option<String>,
    indicator: Option<String>,
    source: Option<String>,
    note: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct PartRow {
    pub breakdown: String,
    pub ordinal: i64,
    label: String,
    value: Option<String>,
    share: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct MemberRow {
    pub breakdown: String,
    pub part: i64,
    pub unit: String,
}

impl BreakdownRow {
    pub fn into_model(self, parts: &[PartRow], members: &[MemberRow]) -> Result<Breakdown> {
        let parts = parts
            .iter()
            .filter(|p| p.breakdown == self.key)
            .map(|p| {
                Ok(BreakdownPart {
                    label: p.label.clone(),
                    value: opt_parse("part value", &p.value)?,
                    share: opt_parse("part share", &p.share)?,
                    members: members
                        .iter()
                        .filter(|m| m.breakdown == self.key && m.part == p.ordinal)
                        .map(|m| key("member", m.unit.clone()))
                        .collect::<Result<_>>()?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Breakdown {
            key: key("breakdown key", self.key)?,
            title: self.title,
            title_en: self.title_en,
            period: opt_parse("breakdown period", &self.period)?,
            unit_of_measure: self.unit_of_measure,
            total: opt_parse("breakdown total", &self.total)?,
            population: self.population.map(|g| key("population", g)).transpose()?,
            indicator: self.indicator.map(|i| key("breakdown indicator", i)).transpose()?,
            parts,
            source: self.source,
            note: self.note,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ChangeRow {
    indicator: String,
    unit: String,
    from_period: String,
    to_period: String,
    absolute: Option<String>,
    percent: Option<String>,
    multiple: Option<String>,
    qualifier: String,
    source: Option<String>,
    note: Option<String>,
}

impl ChangeRow {
    pub fn into_model(self) -> Result<StatedChange> {
        Ok(StatedChange {
            indicator: key("change indicator", self.indicator)?,
            unit: key("change unit", self.unit)?,
            from: parse("change from", &self.from_period)?,
            to: parse("change to", &self.to_period)?,
            absolute: opt_parse("absolute", &self.absolute)?,
            percent: opt_parse("percent", &self.percent)?,
            multiple: opt_parse("multiple", &self.multiple)?,
            qualifier: parse("qualifier", &self.qualifier)?,
            source: self.source,
            note: self.note,
        })
    }
}
