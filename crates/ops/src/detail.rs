//! One unit's scores under a methodology: points by pillar, main index, view and
//! component, how each component's points came about, and what would raise the unit
//! most.

use model::methodology::Methodology;
use model::{Lang, UnitKey};
use score::method::{Status, UnitScore};

use super::scoring::Scored;

/// Points out of a maximum for one part of the tree.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PartScore {
    pub key: String,
    pub name: String,
    pub points: f64,
    pub max: f64,
    /// points ÷ max.
    pub value: f64,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ComponentPart {
    pub key: String,
    pub name: String,
    /// The main index the component belongs to.
    pub index: String,
    /// The indicator scored; none for a formula.
    pub indicator: Option<String>,
    pub points: f64,
    pub max: f64,
    /// scored; or, without data: missing (counted as zero), imputed (the group's mean)
    /// or excluded (left out of points and maximum).
    pub status: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct GainPart {
    pub component: String,
    pub name: String,
    pub points: f64,
    /// The best points in the group on this component.
    pub best: f64,
    /// Points the unit would gain by reaching the best.
    pub gain: f64,
    /// What the gain adds to the index value.
    pub value_gain: f64,
}

/// One unit's scores under a methodology, with what would raise it most.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct UnitScores {
    pub unit: String,
    pub name: String,
    pub methodology: String,
    pub version: String,
    pub title: String,
    pub period: String,
    pub group: String,
    /// What a component without data counts as: zero, exclude or impute.
    pub missing_policy: String,
    pub value: f64,
    pub points: f64,
    pub max: f64,
    /// None when the unit has no data at all.
    pub rank: Option<u32>,
    /// Units ranked in the group.
    pub ranked: usize,
    pub grade: Option<String>,
    pub pillars: Vec<PartScore>,
    pub indexes: Vec<PartScore>,
    pub views: Vec<PartScore>,
    pub components: Vec<ComponentPart>,
    /// The components where reaching the group's best would add the most, first.
    pub explanation: Vec<GainPart>,
}

/// Names in the tree's order, in the reader's language.
struct Names {
    pillars: Vec<(String, String)>,
    indexes: Vec<(String, String)>,
    views: Vec<(String, String)>,
    components: Vec<(String, String, Option<String>)>,
}

impl Names {
    fn of(m: &Methodology, lang: Lang) -> Self {
        let indexes = m.pillars.iter().flat_map(|p| &p.indexes);
        Names {
            pillars: m
                .pillars
                .iter()
                .map(|p| (p.key.clone(), lang.pick(&p.name, p.name_en.as_deref()).to_owned()))
                .collect(),
            indexes: indexes
                .clone()
                .map(|i| (i.key.clone(), lang.pick(&i.name, i.name_en.as_deref()).to_owned()))
                .collect(),
            views: m
                .views
                .iter()
                .map(|v| (v.key.clone(), lang.pick(&v.name, v.name_en.as_deref()).to_owned()))
                .collect(),
            components: m
                .components()
                .map(|c| {
                    (
                        c.key.clone(),
                        lang.pick(&c.name, c.name_en.as_deref()).to_owned(),
                        c.indicator.as_ref().map(ToString::to_string),
                    )
                })
                .collect(),
        }
    }
}

fn parts(names: &[(String, String)], parts: &[score::method::Part]) -> Vec<PartScore> {
    names
        .iter()
        .zip(parts)
        .map(|((key, name), p)| PartScore {
            key: key.clone(),
            name: name.clone(),
            points: p.points,
            max: p.max,
            value: p.value(),
        })
        .collect()
}

fn status(s: Status) -> &'static str {
    match s {
        Status::Scored => "scored",
        Status::Missing => "missing",
        Status::Imputed => "imputed",
        Status::Excluded => "excluded",
    }
}

/// The scores of `unit` within a scored group; None if the unit is not in the group.
pub fn unit_detail(scored: &Scored, unit: &UnitKey, lang: Lang) -> Option<UnitScores> {
    let s = scored.scores.iter().find(|s| &s.unit == unit)?;
    let compiled = &scored.compiled;
    let m = &compiled.method;
    let names = Names::of(m, lang);
    let components = names
        .components
        .iter()
        .zip(&s.components)
        .enumerate()
        .map(|(j, ((key, name, indicator), c))| ComponentPart {
            key: key.clone(),
            name: name.clone(),
            index: compiled
                .index_of_component(j)
                .and_then(|i| names.indexes.get(i))
                .map(|k| k.0.clone())
                .unwrap_or_default(),
            indicator: indicator.clone(),
            points: c.points,
            max: compiled.components().nth(j).map_or(0.0, |(_, _, max)| max),
            status: status(c.status).to_owned(),
        })
        .collect();
    let ranked_scores: Vec<UnitScore> =
        scored.scores.iter().filter(|x| scored.ranked.iter().any(|r| r.unit == x.unit)).cloned().collect();
    let component_name = |key: &str| names.components.iter().find(|c| c.0 == key).map(|c| c.1.clone());
    let explanation = score::explain::explain(compiled, &ranked_scores, unit)
        .into_iter()
        .map(|g| GainPart {
            name: component_name(&g.component).unwrap_or(g.name),
            component: g.component,
            points: g.points,
            best: g.best,
            gain: g.gain,
            value_gain: g.value_gain,
        })
        .collect();
    Some(UnitScores {
        unit: unit.to_string(),
        name: scored.registry.get(unit.as_str()).map_or_else(|| unit.to_string(), |u| u.name_in(lang).to_owned()),
        methodology: m.id.clone(),
        version: m.version.clone(),
        title: lang.pick(&m.name, m.name_en.as_deref()).to_owned(),
        period: scored.period.to_string(),
        group: scored.group.to_string(),
        missing_policy: m.missing.as_str().to_owned(),
        value: s.value,
        points: s.total.points,
        max: s.total.max,
        rank: scored.ranked.iter().find(|r| &r.unit == unit).map(|r| r.rank),
        ranked: scored.ranked.len(),
        grade: s.grade.clone(),
        pillars: parts(&names.pillars, &s.pillars),
        indexes: parts(&names.indexes, &s.indexes),
        views: parts(&names.views, &s.views),
        components,
        explanation,
    })
}
