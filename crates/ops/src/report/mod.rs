//! The periodic report, assembled from what is stored: the targets against their
//! results, the national index, the rankings, the grades, the tasks, and who has what
//! left to do. For the nation, or for one agency (`unit`). Rendering is `report`'s.

mod format;
mod sections;
mod standings;
mod targets;

use chrono::NaiveDate;
use model::{Lang, Period, UnitKey, display};
use report::{Document, Section};
use store::{Store, StoreError};

use crate::facts::Facts;
use format::t;

#[derive(Debug, Clone)]
pub struct ReportRequest {
    pub period: Period,
    /// One agency's report: a unit by key, code or name.
    pub unit: Option<String>,
    pub lang: Lang,
    /// The day the figures are taken as of; the period's last day, or today if that is
    /// earlier.
    pub as_of: Option<NaiveDate>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    UnknownUnit(#[from] model::ResolveError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the report could not be rendered: {0}")]
    Render(String),
    #[error(transparent)]
    Work(#[from] crate::work::WorkError),
}

/// Numbered footnotes of one table; the same text twice is one note.
#[derive(Default)]
pub(crate) struct Notes(Vec<String>);

impl Notes {
    /// The note's number (from 1).
    pub fn add(&mut self, text: String) -> usize {
        match self.0.iter().position(|n| *n == text) {
            Some(i) => i + 1,
            None => {
                self.0.push(text);
                self.0.len()
            }
        }
    }

    pub fn into_list(self) -> Vec<String> {
        self.0
    }
}

/// A source citation ("seed-001 §I.5") with the document's title and date.
pub(crate) fn cite(facts: &Facts, source: &str, lang: Lang) -> String {
    let (key, rest) = source.split_once(' ').unwrap_or((source, ""));
    let Some(doc) = facts.reference.sources.iter().find(|s| s.key.as_str() == key) else { return source.to_owned() };
    let title = lang.pick(&doc.title, doc.title_en.as_deref());
    // The part of a long title before its parenthesis is enough to name it.
    let title = title.split(" (").next().unwrap_or(title);
    if rest.is_empty() { title.to_owned() } else { format!("{title}, {rest}") }
}

/// Per plan with targets for `period`: its name and how many rows stand where.
pub fn plan_counts(
    facts: &Facts,
    period: Period,
    as_of: NaiveDate,
    lang: Lang,
) -> Vec<(String, score::status::StatusCounts)> {
    targets::plans(facts, period, as_of, lang, &|_| true).iter().map(|p| (p.name.clone(), p.counts())).collect()
}

/// Loads what is stored and assembles the report.
pub async fn assemble(store: &Store, request: &ReportRequest) -> Result<Document, ReportError> {
    let facts = Facts::load(store).await?;
    build(&facts, request)
}

/// The report for `request` in `format` from a read model's snapshot, assembled and
/// rendered off the runtime the first time it is asked for that day, and kept with the
/// snapshot. `tools` are the links above the page, which depend on the same request.
#[tracing::instrument(skip_all, fields(period = %request.period, unit = ?request.unit, format = ?format))]
pub async fn from_snapshot(
    snapshot: std::sync::Arc<crate::read::Snapshot>,
    request: ReportRequest,
    format: report::Format,
    tools: Option<String>,
) -> Result<std::sync::Arc<Vec<u8>>, ReportError> {
    let today = chrono::Utc::now().date_naive();
    let key = (request.period, request.unit.clone(), request.lang, format, today);
    if let Some(bytes) = snapshot.reports.get(&key) {
        return Ok(bytes);
    }
    let made = snapshot.clone();
    let bytes = crate::work::compute(move || {
        let doc = build(&made.facts, &request)?;
        report::render(&doc, format, tools.as_deref()).map_err(|e| ReportError::Render(e.to_string()))
    })
    .await??;
    Ok(snapshot.reports.put(key, bytes))
}

/// The report from loaded facts.
#[tracing::instrument(skip_all, fields(period = %request.period, unit = ?request.unit))]
pub fn build(facts: &Facts, request: &ReportRequest) -> Result<Document, ReportError> {
    let lang = request.lang;
    let period = request.period;
    let today = chrono::Utc::now().date_naive();
    let as_of = request.as_of.unwrap_or_else(|| period.end().min(today));
    let unit: Option<UnitKey> = match &request.unit {
        Some(u) => Some(facts.registry.resolve(u, Some(period.into()))?.key.clone()),
        None => None,
    };
    let ctx = sections::Context { facts, period, as_of, lang, unit: unit.clone() };
    let mut summary = Vec::new();
    let mut sections: Vec<Section> = Vec::new();
    for section in [
        sections::targets(&ctx, &mut summary),
        sections::index(&ctx, &mut summary),
        sections::rankings(&ctx),
        sections::grades(&ctx),
        sections::tasks(&ctx, &mut summary),
        sections::agencies(&ctx),
        sections::unit_values(&ctx),
    ]
    .into_iter()
    .flatten()
    {
        sections.push(section);
    }
    let own_figures = facts.values.iter().any(|v| period.contains(&v.period))
        || facts.targets.iter().any(|x| period.contains(&x.period) || x.period.contains(&period))
        || facts.tasks.iter().any(|x| x.deadline.as_ref().is_some_and(|d| period.contains_date(d.end())));
    if !own_figures {
        summary.insert(
            0,
            match lang {
                Lang::Vi => format!("Chưa có số liệu cho {}.", display::period(period, lang)),
                Lang::En => format!("No data for {}.", display::period(period, lang)),
            },
        );
    }
    let title = match &unit {
        None => t(lang, "Báo cáo kết quả triển khai chuyển đổi số", "Report on digital transformation"),
        Some(u) => format!(
            "{} {}",
            t(lang, "Báo cáo kết quả chuyển đổi số của", "Digital transformation report of"),
            facts.unit_name(u, lang)
        ),
    };
    let period_text = display::period(period, lang);
    let subtitle = match lang {
        Lang::Vi => format!("Kỳ báo cáo: {period_text}"),
        Lang::En => format!("Period: {period_text}"),
    };
    let as_of_text = match lang {
        Lang::Vi => format!("Số liệu đến ngày {}", display::date(as_of, lang)),
        Lang::En => format!("Figures as of {}", display::date(as_of, lang)),
    };
    Ok(Document { lang, title, subtitle, as_of: as_of_text, summary, sections })
}
