//! What the API returns. Decimals are strings so that a figure keeps the precision it
//! was stated with ("52.80", not 52.8).

use chrono::{DateTime, NaiveDate, Utc};
use model::{LineageEvent, Target, Task, Unit, ValueRecord};
use serde::Serialize;
use utoipa::ToSchema;

fn strings<T: ToString>(items: &[T]) -> Vec<String> {
    items.iter().map(ToString::to_string).collect()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitDto {
    /// The unit's identity. Official codes are reused over time; keys are not.
    pub key: String,
    pub code: Option<String>,
    pub name: String,
    pub name_en: Option<String>,
    /// nation, ministry, ministerial_agency, government_agency, province, department,
    /// district, commune or organisation.
    pub kind: String,
    pub parent: Option<String>,
    pub groups: Vec<String>,
    pub aliases: Vec<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

impl From<Unit> for UnitDto {
    fn from(u: Unit) -> Self {
        UnitDto {
            key: u.key.to_string(),
            code: u.code,
            name: u.name,
            name_en: u.name_en,
            kind: u.kind.to_string(),
            parent: u.parent.map(|p| p.to_string()),
            groups: strings(&u.groups),
            aliases: u.aliases,
            valid_from: u.valid_from,
            valid_to: u.valid_to,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LineageEventDto {
    pub key: String,
    /// merge, split or rename.
    pub kind: String,
    pub effective: NaiveDate,
    pub from: Vec<String>,
    pub to: Vec<String>,
    pub source: Option<String>,
    pub note: Option<String>,
}

impl From<&LineageEvent> for LineageEventDto {
    fn from(e: &LineageEvent) -> Self {
        LineageEventDto {
            key: e.key.to_string(),
            kind: e.kind.to_string(),
            effective: e.effective,
            from: strings(&e.from),
            to: strings(&e.to),
            source: e.source.clone(),
            note: e.note.clone(),
        }
    }
}

/// A unit with the events that made it or ended it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitDetail {
    #[serde(flatten)]
    pub unit: UnitDto,
    pub lineage: Vec<LineageEventDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupDto {
    pub key: String,
    pub name: String,
    pub name_en: Option<String>,
    pub members: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorDto {
    pub code: String,
    pub pillar: String,
    pub name: String,
    pub name_en: Option<String>,
    /// ratio, percentage, count, amount, yes_no, date, index, rank, category or number.
    pub kind: String,
    pub unit_of_measure: String,
    /// higher, lower or neutral.
    pub direction: String,
    /// Unit keys, or group:KEY for every member of a group.
    pub lead: Vec<String>,
    pub co: Vec<String>,
    pub min: Option<String>,
    pub max: Option<String>,
    pub numerator_le_denominator: bool,
    pub categories: Vec<String>,
    pub parts: Vec<String>,
    pub description: Option<String>,
}

impl From<model::Indicator> for IndicatorDto {
    fn from(i: model::Indicator) -> Self {
        IndicatorDto {
            code: i.code.to_string(),
            pillar: i.pillar.to_string(),
            name: i.name,
            name_en: i.name_en,
            kind: i.kind.to_string(),
            unit_of_measure: i.unit_of_measure,
            direction: i.direction.as_str().to_owned(),
            lead: strings(&i.lead),
            co: strings(&i.co),
            min: i.min.map(|x| x.to_string()),
            max: i.max.map(|x| x.to_string()),
            numerator_le_denominator: i.numerator_le_denominator,
            categories: i.categories,
            parts: strings(&i.parts),
            description: i.description,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PillarDto {
    pub key: String,
    pub name: String,
    pub name_en: Option<String>,
    pub ordinal: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammeDto {
    pub key: String,
    pub name: String,
    pub name_en: Option<String>,
    /// programme or plan.
    pub kind: String,
    pub period: Option<String>,
    pub source: Option<String>,
    pub pillars: Vec<PillarDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceDto {
    pub key: String,
    pub title: String,
    pub title_en: Option<String>,
    pub issued: Option<String>,
    pub publisher: Option<String>,
    pub file: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ValueDto {
    pub indicator: String,
    pub unit: String,
    /// 2023, 2023-H1, 2023-Q2 or 2023-06.
    pub period: String,
    /// 1 for the first statement; the highest is current.
    pub revision: u32,
    /// The figure as stated: a decimal string, yes/no, a date or a category.
    pub value: String,
    pub numerator: Option<String>,
    pub denominator: Option<String>,
    /// reported, verified, measured or estimated.
    pub provenance: String,
    pub source: Option<String>,
    pub note: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

impl From<ValueRecord> for ValueDto {
    fn from(v: ValueRecord) -> Self {
        ValueDto {
            indicator: v.indicator.to_string(),
            unit: v.unit.to_string(),
            period: v.period.to_string(),
            revision: v.revision,
            value: v.value.to_text(),
            numerator: v.numerator.map(|x| x.to_string()),
            denominator: v.denominator.map(|x| x.to_string()),
            provenance: v.provenance.to_string(),
            source: v.source,
            note: v.note,
            recorded_at: v.recorded_at,
        }
    }
}

/// A value shown on a later map of units.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemappedDto {
    pub unit: String,
    pub unit_name: String,
    pub value: Option<String>,
    pub numerator: Option<String>,
    pub denominator: Option<String>,
    /// unchanged, renamed, summed, recomputed, not_additive, incomplete or
    /// not_apportionable.
    pub rule: String,
    /// Units of the old map whose values went into this one.
    pub from: Vec<String>,
    /// Units of the old map that belong here but have no value.
    pub missing: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetDto {
    pub indicator: String,
    pub programme: String,
    pub period: String,
    /// A unit key (the nation's for a national target), or group:KEY for each member.
    pub scope: String,
    /// >=, >, <=, <, = or by.
    pub comparator: String,
    pub value: String,
    pub label: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
}

impl From<Target> for TargetDto {
    fn from(t: Target) -> Self {
        TargetDto {
            indicator: t.indicator.to_string(),
            programme: t.programme.to_string(),
            period: t.period.to_string(),
            scope: t.scope.to_string(),
            comparator: t.comparator.to_string(),
            value: t.value.to_text(),
            label: t.label,
            source: t.source,
            note: t.note,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskDto {
    pub key: String,
    pub list: String,
    pub title: String,
    pub required_result: Option<String>,
    /// A day, or a month, quarter or year.
    pub deadline: Option<String>,
    pub deadline_label: Option<String>,
    pub responsible: Vec<String>,
    /// done, in_progress or not_started.
    pub status: String,
    pub result: Option<String>,
    pub completed_on: Option<NaiveDate>,
    pub source: Option<String>,
}

impl From<Task> for TaskDto {
    fn from(t: Task) -> Self {
        TaskDto {
            key: t.key.to_string(),
            list: t.list.to_string(),
            title: t.title,
            required_result: t.required_result,
            deadline: t.deadline.map(|d| d.to_string()),
            deadline_label: t.deadline_label,
            responsible: strings(&t.responsible),
            status: t.status.to_string(),
            result: t.result,
            completed_on: t.completed_on,
            source: t.source,
        }
    }
}

/// A figure that contradicts another.
#[derive(Debug, Serialize, ToSchema)]
pub struct FindingDto {
    /// error, warning or info.
    pub severity: String,
    pub kind: String,
    pub subject: String,
    pub message: String,
    pub sources: Vec<String>,
}

macro_rules! page_type {
    ($name:ident, $item:ty) => {
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            /// 1 for the first page.
            pub page: u32,
            pub per_page: u32,
            /// How many match, over all pages.
            pub total: i64,
        }
    };
}

page_type!(UnitPage, UnitDto);
page_type!(IndicatorPage, IndicatorDto);
page_type!(ValuePage, ValueDto);
page_type!(TargetPage, TargetDto);
page_type!(TaskPage, TaskDto);
