//! Reading records back: everything (for checks, catalogs and exports) or filtered
//! pages (for the API).

use std::collections::HashMap;

use chrono::NaiveDate;
use model::*;

use crate::conn::{Conn, Param, Select, bind_all, run};
use crate::rows::*;
use crate::{Result, Store};

/// A window into a long list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

impl Page {
    pub const ALL: Page = Page { limit: i64::MAX, offset: 0 };
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paged<T> {
    pub items: Vec<T>,
    /// How many match the filter, over all pages.
    pub total: i64,
}

#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    pub kind: Option<UnitKind>,
    pub group: Option<String>,
    /// Only units that existed on this day.
    pub valid_on: Option<NaiveDate>,
    /// Part of a name, in any spelling, with or without diacritics.
    pub q: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct IndicatorFilter {
    pub pillar: Option<String>,
    pub programme: Option<String>,
    pub kind: Option<IndicatorKind>,
    pub q: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ValueFilter {
    pub indicator: Option<String>,
    pub unit: Option<String>,
    /// Values of exactly this period.
    pub period: Option<Period>,
    /// Values of any period within this one.
    pub within: Option<Period>,
    pub provenance: Option<Provenance>,
    /// Every revision, not only the current one.
    pub revisions: bool,
}

#[derive(Debug, Clone, Default)]
pub struct TargetFilter {
    pub indicator: Option<String>,
    pub programme: Option<String>,
    pub period: Option<Period>,
}

#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub list: Option<String>,
    pub status: Option<TaskStatus>,
    /// Tasks for which this unit is responsible, itself or through a group.
    pub agency: Option<String>,
}

fn text(s: impl Into<String>) -> Param {
    Param::Text(s.into())
}

/// `%folded%` for a LIKE over the folded search column.
fn like(q: &str) -> Param {
    text(format!("%{}%", model::text::fold(q)))
}

async fn count(c: &mut Conn<'_>, select: &Select) -> Result<i64> {
    let sql = format!("SELECT COUNT(*) FROM ({}) AS counted", select.sql);
    Ok(run!(c, |c| bind_all!(sqlx::query_scalar::<_, i64>(&sql), &select.params).fetch_one(&mut *c).await)?)
}

async fn memberships(c: &mut Conn<'_>) -> Result<HashMap<String, Vec<GroupKey>>> {
    let rows: Vec<MembershipRow> =
        run!(c, |c| sqlx::query_as("SELECT grp, unit FROM unit_group_members ORDER BY grp").fetch_all(&mut *c).await)?;
    let mut out: HashMap<String, Vec<GroupKey>> = HashMap::new();
    for r in rows {
        out.entry(r.unit).or_default().push(key("group key", r.grp)?);
    }
    Ok(out)
}

async fn units_where(c: &mut Conn<'_>, select: &Select) -> Result<Vec<Unit>> {
    let rows: Vec<UnitRow> =
        run!(c, |c| bind_all!(sqlx::query_as(&select.sql), &select.params).fetch_all(&mut *c).await)?;
    let mut groups = memberships(c).await?;
    rows.into_iter()
        .map(|r| {
            let g = groups.remove(&r.key).unwrap_or_default();
            r.into_model(g)
        })
        .collect()
}

const UNIT_COLUMNS: &str = "SELECT key, code, name, name_en, kind, parent, aliases, valid_from, valid_to FROM units";
const INDICATOR_COLUMNS: &str = "SELECT code, pillar, name, name_en, kind, unit_of_measure, direction, min, max, \
     numerator_le_denominator, categories, parts, description FROM indicators";
const VALUE_COLUMNS: &str = "SELECT v.indicator, v.unit, v.period, v.revision, v.value, v.numerator, v.denominator, \
     v.provenance, v.source, v.note, v.recorded_at, i.kind FROM indicator_values v JOIN indicators i ON i.code = v.indicator";
const TARGET_COLUMNS: &str = "SELECT t.indicator, t.programme, t.period, t.scope_unit, t.scope_group, t.comparator, \
     t.value, t.label, t.source, t.note, i.kind FROM targets t JOIN indicators i ON i.code = t.indicator";
const TASK_COLUMNS: &str = "SELECT key, list, title, required_result, deadline, deadline_label, status, result, \
     completed_on, source FROM tasks";

async fn indicator_agencies(c: &mut Conn<'_>) -> Result<Vec<AgencyRow>> {
    Ok(run!(c, |c| sqlx::query_as(
        "SELECT indicator AS owner, role, unit, grp FROM indicator_agencies ORDER BY indicator, role, ordinal"
    )
    .fetch_all(&mut *c)
    .await)?)
}

async fn task_agencies(c: &mut Conn<'_>) -> Result<Vec<AgencyRow>> {
    Ok(run!(c, |c| sqlx::query_as(
        "SELECT task AS owner, 'responsible' AS role, unit, grp FROM task_agencies ORDER BY task, ordinal"
    )
    .fetch_all(&mut *c)
    .await)?)
}

/// Orders records by their keys in Rust, not by the database's collation, so that both
/// backends give the same order (and exports are identical byte for byte).
fn sort_reference(d: &mut Dataset) {
    d.sources.sort_by(|a, b| a.key.cmp(&b.key));
    d.groups.sort_by(|a, b| a.key.cmp(&b.key));
    d.units.sort_by(|a, b| a.key.cmp(&b.key));
    d.lineage.sort_by(|a, b| (a.effective, &a.key).cmp(&(b.effective, &b.key)));
    d.programmes.sort_by(|a, b| a.key.cmp(&b.key));
    d.pillars.sort_by(|a, b| (&a.programme, a.ordinal, &a.key).cmp(&(&b.programme, b.ordinal, &b.key)));
    d.indicators.sort_by(|a, b| a.code.cmp(&b.code));
    d.task_lists.sort_by(|a, b| a.key.cmp(&b.key));
}

fn sort_figures(d: &mut Dataset) {
    d.values.sort_by(|a, b| {
        (&a.indicator, &a.unit, a.period, a.revision).cmp(&(&b.indicator, &b.unit, b.period, b.revision))
    });
    d.targets.sort_by(|a, b| {
        (&a.programme, a.period, &a.indicator, &a.scope).cmp(&(&b.programme, b.period, &b.indicator, &b.scope))
    });
    d.tasks.sort_by(|a, b| (&a.list, &a.key).cmp(&(&b.list, &b.key)));
    d.breakdowns.sort_by(|a, b| a.key.cmp(&b.key));
    // Stable: changes between the same periods keep the order they were stored in.
    d.changes.sort_by(|a, b| (&a.indicator, &a.unit, a.from, a.to).cmp(&(&b.indicator, &b.unit, b.from, b.to)));
}

impl Store {
    /// The reference records: sources, groups, units, lineage, programmes, pillars,
    /// indicators and task lists. What an import is checked against.
    pub async fn reference(&self) -> Result<Dataset> {
        let mut pooled = self.acquire().await?;
        let c = &mut pooled.conn();
        let sources: Vec<SourceRow> =
            run!(c, |c| sqlx::query_as("SELECT * FROM sources ORDER BY key").fetch_all(&mut *c).await)?;
        let groups: Vec<GroupRow> =
            run!(c, |c| sqlx::query_as("SELECT * FROM unit_groups ORDER BY key").fetch_all(&mut *c).await)?;
        let units = units_where(c, &Select::new(&format!("{UNIT_COLUMNS} ORDER BY key"))).await?;
        let events: Vec<EventRow> =
            run!(c, |c| sqlx::query_as("SELECT * FROM lineage_events ORDER BY effective, key")
                .fetch_all(&mut *c)
                .await)?;
        let links: Vec<LinkRow> =
            run!(c, |c| sqlx::query_as("SELECT event, role, unit FROM lineage_links ORDER BY event, role, ordinal")
                .fetch_all(&mut *c)
                .await)?;
        let programmes: Vec<ProgrammeRow> =
            run!(c, |c| sqlx::query_as("SELECT * FROM programmes ORDER BY key").fetch_all(&mut *c).await)?;
        let pillars: Vec<PillarRow> =
            run!(c, |c| sqlx::query_as("SELECT * FROM pillars ORDER BY programme, ordinal, key")
                .fetch_all(&mut *c)
                .await)?;
        let indicators: Vec<IndicatorRow> =
            run!(c, |c| sqlx::query_as(&format!("{INDICATOR_COLUMNS} ORDER BY code")).fetch_all(&mut *c).await)?;
        let agencies = indicator_agencies(c).await?;
        let task_lists: Vec<TaskListRow> =
            run!(c, |c| sqlx::query_as("SELECT * FROM task_lists ORDER BY key").fetch_all(&mut *c).await)?;
        let mut data = Dataset {
            sources: sources.into_iter().map(SourceRow::into_model).collect::<Result<_>>()?,
            groups: groups.into_iter().map(GroupRow::into_model).collect::<Result<_>>()?,
            units,
            lineage: events.into_iter().map(|e| e.into_model(&links)).collect::<Result<_>>()?,
            programmes: programmes.into_iter().map(ProgrammeRow::into_model).collect::<Result<_>>()?,
            pillars: pillars.into_iter().map(PillarRow::into_model).collect::<Result<_>>()?,
            indicators: indicators.into_iter().map(|i| i.into_model(&agencies)).collect::<Result<_>>()?,
            task_lists: task_lists.into_iter().map(TaskListRow::into_model).collect::<Result<_>>()?,
            regimes: crate::collection::read_regimes(c).await?,
            procedures: crate::measure::read_procedures(c).await?,
            ..Dataset::default()
        };
        sort_reference(&mut data);
        Ok(data)
    }

    /// Everything stored, every revision of every value included, in a stable order.
    pub async fn everything(&self) -> Result<Dataset> {
        let mut data = self.reference().await?;
        let all = ValueFilter { revisions: true, ..Default::default() };
        data.values = self.values(&all, Page::ALL).await?.items.into_iter().map(NewValue::from).collect();
        data.targets = self.targets(&TargetFilter::default(), Page::ALL).await?.items;
        data.tasks = self.tasks(&TaskFilter::default(), Page::ALL).await?.items;
        data.breakdowns = self.breakdowns().await?;
        data.changes = self.changes().await?;
        data.methodologies = self.methodologies().await?;
        sort_figures(&mut data);
        Ok(data)
    }

    pub async fn units(&self, filter: &UnitFilter, page: Page) -> Result<Paged<Unit>> {
        let mut s = Select::new(UNIT_COLUMNS);
        if let Some(k) = filter.kind {
            s.and("kind = ?", [text(k.as_str())]);
        }
        if let Some(g) = &filter.group {
            s.and("key IN (SELECT unit FROM unit_group_members WHERE grp = ?)", [text(g.clone())]);
        }
        if let Some(d) = filter.valid_on {
            s.and(
                "(valid_from IS NULL OR valid_from <= ?) AND (valid_to IS NULL OR valid_to >= ?)",
                [Param::Date(d), Param::Date(d)],
            );
        }
        if let Some(q) = &filter.q {
            s.and("search LIKE ?", [like(q)]);
        }
        let mut pooled = self.acquire().await?;
        let c = &mut pooled.conn();
        let total = count(c, &s).await?;
        s.order_by("kind, key").page(page.limit, page.offset);
        Ok(Paged { items: units_where(c, &s).await?, total })
    }

    pub async fn unit(&self, key: &str) -> Result<Option<Unit>> {
        let mut s = Select::new(UNIT_COLUMNS);
        s.and("key = ?", [text(key)]);
        let mut pooled = self.acquire().await?;
        Ok(units_where(&mut pooled.conn(), &s).await?.pop())
    }

    pub async fn indicators(&self, filter: &IndicatorFilter, page: Page) -> Result<Paged<Indicator>> {
        let mut s = Select::new(INDICATOR_COLUMNS);
        if let Some(p) = &filter.pillar {
            s.and("pillar = ?", [text(p.clone())]);
        }
        if let Some(p) = &filter.programme {
            s.and("pillar IN (SELECT key FROM pillars WHERE programme = ?)", [text(p.clone())]);
        }
        if let Some(k) = filter.kind {
            s.and("kind = ?", [text(k.as_str())]);
        }
        if let Some(q) = &filter.q {
            s.and("search LIKE ?", [like(q)]);
        }
        let mut pooled = self.acquire().await?;
        let c = &mut pooled.conn();
        let total = count(c, &s).await?;
        s.order_by("code").page(page.limit, page.offset);
        let rows: Vec<IndicatorRow> =
            run!(c, |c| bind_all!(sqlx::query_as(&s.sql), &s.params).fetch_all(&mut *c).await)?;
        let agencies = indicator_agencies(c).await?;
        Ok(Paged { items: rows.into_iter().map(|r| r.into_model(&agencies)).collect::<Result<_>>()?, total })
    }

    pub async fn indicator(&self, code: &str) -> Result<Option<Indicator>> {
        let mut s = Select::new(INDICATOR_COLUMNS);
        s.and("code = ?", [text(code)]);
        let mut pooled = self.acquire().await?;
        let c = &mut pooled.conn();
        let rows: Vec<IndicatorRow> =
            run!(c, |c| bind_all!(sqlx::query_as(&s.sql), &s.params).fetch_all(&mut *c).await)?;
        let agencies: Vec<AgencyRow> = run!(c, |c| {
            sqlx::query_as(
            "SELECT indicator AS owner, role, unit, grp FROM indicator_agencies WHERE indicator = $1 ORDER BY role, ordinal"
        )
        .bind(code)
        .fetch_all(&mut *c)
        .await
        })?;
        rows.into_iter().next().map(|r| r.into_model(&agencies)).transpose()
    }

    pub async fn values(&self, filter: &ValueFilter, page: Page) -> Result<Paged<ValueRecord>> {
        let mut s = Select::new(VALUE_COLUMNS);
        if let Some(i) = &filter.indicator {
            s.and("v.indicator = ?", [text(i.clone())]);
        }
        if let Some(u) = &filter.unit {
            s.and("v.unit = ?", [text(u.clone())]);
        }
        if let Some(p) = filter.period {
            s.and("v.period = ?", [text(p.to_string())]);
        }
        if let Some(p) = filter.within {
            s.and("v.period_start >= ? AND v.period_end <= ?", [Param::Date(p.start()), Param::Date(p.end())]);
        }
        if let Some(p) = filter.provenance {
            s.and("v.provenance = ?", [text(p.as_str())]);
        }
        if !filter.revisions {
            s.and(
                "v.revision = (SELECT MAX(w.revision) FROM indicator_values w \
                 WHERE w.indicator = v.indicator AND w.unit = v.unit AND w.period = v.period)",
                [],
            );
        }
        let mut pooled = self.acquire().await?;
        let c = &mut pooled.conn();
        let total = count(c, &s).await?;
        s.order_by("v.indicator, v.unit, v.period_start, v.period_end, v.revision").page(page.limit, page.offset);
        let rows: Vec<ValueRow> = run!(c, |c| bind_all!(sqlx::query_as(&s.sql), &s.params).fetch_all(&mut *c).await)?;
        Ok(Paged { items: rows.into_iter().map(ValueRow::into_model).collect::<Result<_>>()?, total })
    }

    pub async fn targets(&self, filter: &TargetFilter, page: Page) -> Result<Paged<Target>> {
        let mut s = Select::new(TARGET_COLUMNS);
        if let Some(i) = &filter.indicator {
            s.and("t.indicator = ?", [text(i.clone())]);
        }
        if let Some(p) = &filter.programme {
            s.and("t.programme = ?", [text(p.clone())]);
        }
        if let Some(p) = filter.period {
            s.and("t.period = ?", [text(p.to_string())]);
        }
        let mut pooled = self.acquire().await?;
        let c = &mut pooled.conn();
        let total = count(c, &s).await?;
        s.order_by("t.programme, t.period_start, t.indicator, t.scope").page(page.limit, page.offset);
        let rows: Vec<TargetRow> = run!(c, |c| bind_all!(sqlx::query_as(&s.sql), &s.params).fetch_all(&mut *c).await)?;
        Ok(Paged { items: rows.into_iter().map(TargetRow::into_model).collect::<Result<_>>()?, total })
    }

    pub async fn tasks(&self, filter: &TaskFilter, page: Page) -> Result<Paged<Task>> {
        let mut s = Select::new(TASK_COLUMNS);
        if let Some(l) = &filter.list {
            s.and("list = ?", [text(l.clone())]);
        }
        if let Some(st) = filter.status {
            s.and("status = ?", [text(st.as_str())]);
        }
        if let Some(a) = &filter.agency {
            s.and(
                "key IN (SELECT task FROM task_agencies WHERE unit = ? OR grp IN \
                 (SELECT grp FROM unit_group_members WHERE unit = ?))",
                [text(a.clone()), text(a.clone())],
            );
        }
        let mut pooled = self.acquire().await?;
        let c = &mut pooled.conn();
        let total = count(c, &s).await?;
        s.order_by("list, key").page(page.limit, page.offset);
        let rows: Vec<TaskRow> = run!(c, |c| bind_all!(sqlx::query_as(&s.sql), &s.params).fetch_all(&mut *c).await)?;
        let agencies = task_agencies(c).await?;
        Ok(Paged { items: rows.into_iter().map(|r| r.into_model(&agencies)).collect::<Result<_>>()?, total })
    }

    pub async fn breakdowns(&self) -> Result<Vec<Breakdown>> {
        let mut pooled = self.acquire().await?;
        let c = &mut pooled.conn();
        let rows: Vec<BreakdownRow> =
            run!(c, |c| sqlx::query_as("SELECT * FROM breakdowns ORDER BY key").fetch_all(&mut *c).await)?;
        let parts: Vec<PartRow> = run!(c, |c| sqlx::query_as(
            "SELECT breakdown, ordinal, label, value, share FROM breakdown_parts ORDER BY breakdown, ordinal"
        )
        .fetch_all(&mut *c)
        .await)?;
        let members: Vec<MemberRow> = run!(c, |c| sqlx::query_as(
            "SELECT breakdown, part, unit FROM breakdown_members ORDER BY breakdown, part, ordinal"
        )
        .fetch_all(&mut *c)
        .await)?;
        rows.into_iter().map(|r| r.into_model(&parts, &members)).collect()
    }

    /// Every version of every methodology, by id then version.
    pub async fn methodologies(&self) -> Result<Vec<model::methodology::Methodology>> {
        let mut pooled = self.acquire().await?;
        let rows: Vec<(String, String, String)> =
            run!(&mut pooled.conn(), |c| sqlx::query_as("SELECT id, version, definition FROM methodologies")
                .fetch_all(&mut *c)
                .await)?;
        let mut out = rows
            .into_iter()
            .map(|(id, _, definition)| {
                serde_json::from_str::<model::methodology::Methodology>(&definition)
                    .map_err(|e| crate::StoreError::Corrupt(format!("methodology {id}: {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        out.sort_by(|a, b| (&a.id, &a.version).cmp(&(&b.id, &b.version)));
        Ok(out)
    }

    /// The methodology `id` in the version that applies to `period`, or its latest
    /// version when no period is given.
    pub async fn methodology(
        &self,
        id: &str,
        period: Option<Period>,
    ) -> Result<Option<model::methodology::Methodology>> {
        let versions: Vec<_> = self.methodologies().await?.into_iter().filter(|m| m.id == id).collect();
        Ok(match period {
            Some(p) => versions.into_iter().filter(|m| m.applies_to_period(p)).max_by_key(|m| m.applies_from),
            None => versions.into_iter().max_by_key(|m| m.applies_from),
        })
    }

    pub async fn changes(&self) -> Result<Vec<StatedChange>> {
        let mut pooled = self.acquire().await?;
        let rows: Vec<ChangeRow> = run!(&mut pooled.conn(), |c| sqlx::query_as(
            "SELECT indicator, unit, from_period, to_period, absolute, percent, multiple, qualifier, source, note
             FROM stated_changes ORDER BY indicator, unit, from_period, to_period, id"
        )
        .fetch_all(&mut *c)
        .await)?;
        rows.into_iter().map(ChangeRow::into_model).collect()
    }
}
