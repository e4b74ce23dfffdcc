//! Writing a checked dataset in one transaction: reference records are inserted or
//! updated by key, values are appended as new revisions and never overwritten.

use chrono::{DateTime, SubsecRound, Utc};
use model::collection::Regime;
use model::*;

use crate::bulk::BySize;
use crate::conn::{Conn, exec, run};
use crate::rows::{agency_columns, join, programme_kind, scope_columns};
use crate::{Result, Store, StoreError};

/// What a write changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// Records inserted or updated, by kind.
    pub written: Vec<(&'static str, usize)>,
    /// Values stored as a new revision.
    pub values_added: usize,
    /// Values that repeated their current revision and were left as they were.
    pub values_unchanged: usize,
}

/// The text under which a unit or indicator is found without diacritics.
fn search_text<'a>(spellings: impl IntoIterator<Item = &'a str>) -> String {
    let mut out: Vec<String> = Vec::new();
    for s in spellings {
        for v in text::variants(s) {
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    format!("|{}|", out.join("|"))
}

impl Store {
    /// Writes everything in `data` or nothing.
    pub async fn apply(&self, data: &Dataset) -> Result<ApplyReport> {
        let mut tx = self.begin().await?;
        let mut report = ApplyReport { written: data.counts(), ..Default::default() };
        report.written.retain(|(k, _)| *k != "values");
        {
            let c = &mut tx.conn();
            sources(c, &data.sources).await?;
            groups(c, &data.groups).await?;
            units(c, &data.units).await?;
            lineage(c, &data.lineage).await?;
            programmes(c, &data.programmes).await?;
            pillars(c, &data.pillars).await?;
            indicators(c, &data.indicators).await?;
            methodologies(c, &data.methodologies).await?;
            let now = Utc::now().trunc_subsecs(6);
            let added = values(c, &data.values, now).await?;
            report.values_added += added;
            report.values_unchanged += data.values.len() - added;
            targets(c, &data.targets).await?;
            task_lists(c, &data.task_lists).await?;
            tasks(c, &data.tasks).await?;
            regimes(c, &data.regimes).await?;
            crate::measure::write_procedures(c, &data.procedures).await?;
            breakdowns(c, &data.breakdowns).await?;
            changes(c, &data.changes).await?;
            if report.values_added > 0 || report.written.iter().any(|(_, n)| *n > 0) {
                bump_version(c).await?;
            }
        }
        tx.commit().await?;
        Ok(report)
    }

    /// The version of what the public pages show: it grows with every write of it.
    pub async fn data_version(&self) -> Result<i64> {
        let mut pooled = self.acquire().await?;
        let (v,): (i64,) =
            run!(&mut pooled.conn(), |c| sqlx::query_as("SELECT version FROM data_version WHERE id = 1")
                .fetch_one(&mut *c)
                .await)?;
        Ok(v)
    }
}

/// Marks what the pages show as changed, in the writing transaction.
pub(crate) async fn bump_version(c: &mut Conn<'_>) -> Result<()> {
    exec!(c, |c| sqlx::query("UPDATE data_version SET version = version + 1 WHERE id = 1"))?;
    Ok(())
}

async fn sources(c: &mut Conn<'_>, items: &[SourceDoc]) -> Result<()> {
    for s in items {
        exec!(c, |c| sqlx::query(
            "INSERT INTO sources (key, title, title_en, issued, publisher, file) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (key) DO UPDATE SET title = excluded.title, title_en = excluded.title_en,
                 issued = excluded.issued, publisher = excluded.publisher, file = excluded.file"
        )
        .bind(s.key.as_str())
        .bind(&s.title)
        .bind(&s.title_en)
        .bind(s.issued.map(|i| i.to_string()))
        .bind(&s.publisher)
        .bind(&s.file))?;
    }
    Ok(())
}

async fn groups(c: &mut Conn<'_>, items: &[Group]) -> Result<()> {
    for g in items {
        exec!(c, |c| sqlx::query(
            "INSERT INTO unit_groups (key, name, name_en) VALUES ($1, $2, $3)
             ON CONFLICT (key) DO UPDATE SET name = excluded.name, name_en = excluded.name_en"
        )
        .bind(g.key.as_str())
        .bind(&g.name)
        .bind(&g.name_en))?;
    }
    Ok(())
}

async fn units(c: &mut Conn<'_>, items: &[Unit]) -> Result<()> {
    for u in items {
        let search = search_text(
            std::iter::once(u.name.as_str())
                .chain(u.name_en.as_deref())
                .chain(u.aliases.iter().map(String::as_str))
                .chain(std::iter::once(u.key.as_str())),
        );
        run!(c, |c| {
            sqlx::query(
                "INSERT INTO units (key, code, name, name_en, kind, parent, aliases, valid_from, valid_to, search)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (key) DO UPDATE SET code = excluded.code, name = excluded.name, name_en = excluded.name_en,
                     kind = excluded.kind, parent = excluded.parent, aliases = excluded.aliases,
                     valid_from = excluded.valid_from, valid_to = excluded.valid_to, search = excluded.search",
            )
            .bind(u.key.as_str())
            .bind(&u.code)
            .bind(&u.name)
            .bind(&u.name_en)
            .bind(u.kind.as_str())
            .bind(u.parent.as_ref().map(|p| p.to_string()))
            .bind(join(&u.aliases))
            .bind(u.valid_from)
            .bind(u.valid_to)
            .bind(&search)
            .execute(&mut *c)
            .await?;
            sqlx::query("DELETE FROM unit_group_members WHERE unit = $1").bind(u.key.as_str()).execute(&mut *c).await?;
            for g in &u.groups {
                sqlx::query("INSERT INTO unit_group_members (grp, unit) VALUES ($1, $2)")
                    .bind(g.as_str())
                    .bind(u.key.as_str())
                    .execute(&mut *c)
                    .await?;
            }
            Ok::<_, sqlx::Error>(())
        })?;
    }
    Ok(())
}

async fn lineage(c: &mut Conn<'_>, items: &[LineageEvent]) -> Result<()> {
    for e in items {
        run!(c, |c| {
            sqlx::query(
                "INSERT INTO lineage_events (key, kind, effective, source, note) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, effective = excluded.effective,
                     source = excluded.source, note = excluded.note",
            )
            .bind(e.key.as_str())
            .bind(e.kind.as_str())
            .bind(e.effective)
            .bind(&e.source)
            .bind(&e.note)
            .execute(&mut *c)
            .await?;
            sqlx::query("DELETE FROM lineage_links WHERE event = $1").bind(e.key.as_str()).execute(&mut *c).await?;
            for (role, units) in [("from", &e.from), ("to", &e.to)] {
                for (i, u) in units.iter().enumerate() {
                    sqlx::query("INSERT INTO lineage_links (event, role, ordinal, unit) VALUES ($1, $2, $3, $4)")
                        .bind(e.key.as_str())
                        .bind(role)
                        .bind(i as i64)
                        .bind(u.as_str())
                        .execute(&mut *c)
                        .await?;
                }
            }
            Ok::<_, sqlx::Error>(())
        })?;
    }
    Ok(())
}

async fn programmes(c: &mut Conn<'_>, items: &[Programme]) -> Result<()> {
    for p in items {
        exec!(c, |c| sqlx::query(
            "INSERT INTO programmes (key, name, name_en, kind, period, source) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (key) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, kind = excluded.kind,
                 period = excluded.period, source = excluded.source"
        )
        .bind(p.key.as_str())
        .bind(&p.name)
        .bind(&p.name_en)
        .bind(programme_kind(p))
        .bind(p.period.map(|x| x.to_string()))
        .bind(&p.source))?;
    }
    Ok(())
}

async fn pillars(c: &mut Conn<'_>, items: &[Pillar]) -> Result<()> {
    for p in items {
        exec!(c, |c| sqlx::query(
            "INSERT INTO pillars (key, programme, name, name_en, ordinal) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (key) DO UPDATE SET programme = excluded.programme, name = excluded.name,
                 name_en = excluded.name_en, ordinal = excluded.ordinal"
        )
        .bind(p.key.as_str())
        .bind(p.programme.as_str())
        .bind(&p.name)
        .bind(&p.name_en)
        .bind(p.ordinal))?;
    }
    Ok(())
}

async fn indicators(c: &mut Conn<'_>, items: &[Indicator]) -> Result<()> {
    for i in items {
        let search = search_text([i.name.as_str(), i.name_en.as_deref().unwrap_or(""), i.code.as_str()]);
        run!(c, |c| {
            sqlx::query(
                "INSERT INTO indicators (code, pillar, name, name_en, kind, unit_of_measure, direction, min, max,
                     numerator_le_denominator, categories, parts, description, search)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                 ON CONFLICT (code) DO UPDATE SET pillar = excluded.pillar, name = excluded.name,
                     name_en = excluded.name_en, kind = excluded.kind, unit_of_measure = excluded.unit_of_measure,
                     direction = excluded.direction, min = excluded.min, max = excluded.max,
                     numerator_le_denominator = excluded.numerator_le_denominator, categories = excluded.categories,
                     parts = excluded.parts, description = excluded.description, search = excluded.search",
            )
            .bind(i.code.as_str())
            .bind(i.pillar.as_str())
            .bind(&i.name)
            .bind(&i.name_en)
            .bind(i.kind.as_str())
            .bind(&i.unit_of_measure)
            .bind(i.direction.as_str())
            .bind(i.min.map(|x| x.to_string()))
            .bind(i.max.map(|x| x.to_string()))
            .bind(i.numerator_le_denominator)
            .bind(join(&i.categories))
            .bind(join(&i.parts))
            .bind(&i.description)
            .bind(&search)
            .execute(&mut *c)
            .await?;
            sqlx::query("DELETE FROM indicator_agencies WHERE indicator = $1")
                .bind(i.code.as_str())
                .execute(&mut *c)
                .await?;
            for (role, agencies) in [("lead", &i.lead), ("co", &i.co)] {
                for (n, a) in agencies.iter().enumerate() {
                    let (unit, grp) = agency_columns(a);
                    sqlx::query(
                        "INSERT INTO indicator_agencies (indicator, role, ordinal, unit, grp) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(i.code.as_str())
                    .bind(role)
                    .bind(n as i64)
                    .bind(unit)
                    .bind(grp)
                    .execute(&mut *c)
                    .await?;
                }
            }
            Ok::<_, sqlx::Error>(())
        })?;
    }
    Ok(())
}

async fn methodologies(c: &mut Conn<'_>, items: &[model::methodology::Methodology]) -> Result<()> {
    for m in items {
        let definition =
            serde_json::to_string(m).map_err(|e| StoreError::Corrupt(format!("methodology {}: {e}", m.id)))?;
        exec!(c, |c| {
            sqlx::query(
            "INSERT INTO methodologies (id, version, name, applies_from, applies_to, definition) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (id, version) DO UPDATE SET name = excluded.name, applies_from = excluded.applies_from,
                 applies_to = excluded.applies_to, definition = excluded.definition"
        )
        .bind(&m.id)
        .bind(&m.version)
        .bind(&m.name)
        .bind(m.applies_from.to_string())
        .bind(m.applies_to.map(|p| p.to_string()))
        .bind(definition)
        })?;
    }
    Ok(())
}

/// A stored revision of a value: its number and what it states.
#[derive(sqlx::FromRow)]
struct Revision {
    revision: i64,
    value: String,
    numerator: Option<String>,
    denominator: Option<String>,
    provenance: String,
    source: Option<String>,
    note: Option<String>,
}

impl Revision {
    fn states_the_same_as(&self, v: &NewValue) -> bool {
        let stored = Stated {
            value: self.value.clone(),
            numerator: self.numerator.clone(),
            denominator: self.denominator.clone(),
            provenance: self.provenance.clone(),
            source: self.source.clone(),
            note: self.note.clone(),
        };
        stored == v.statement()
    }
}

/// Keys of values looked up per statement, and values inserted per statement.
const KEY_CHUNK: usize = 500;
const VALUE_CHUNK: usize = 1000;

/// A stored revision with the series it belongs to.
#[derive(sqlx::FromRow)]
struct SeriesRevision {
    indicator: String,
    unit: String,
    period: String,
    #[sqlx(flatten)]
    revision: Revision,
}

/// A series: indicator, unit and period, borrowed from the values being stored.
type SeriesKey<'a> = (&'a str, &'a str, Period);

fn series_key(v: &NewValue) -> SeriesKey<'_> {
    (v.indicator.as_str(), v.unit.as_str(), v.period)
}

/// A revision a value is judged against: one stored, or one earlier in the same batch.
enum Known<'a> {
    Stored(Revision),
    Batch(&'a NewValue, i64),
}

impl Known<'_> {
    fn revision(&self) -> i64 {
        match self {
            Known::Stored(c) => c.revision,
            Known::Batch(_, r) => *r,
        }
    }

    fn states_the_same_as(&self, v: &NewValue) -> bool {
        match self {
            Known::Stored(c) => c.states_the_same_as(v),
            Known::Batch(earlier, _) => earlier.statement() == v.statement(),
        }
    }
}

/// Appends many values, each as its next revision or as the revision it names, in a
/// statement for every few hundred: the revisions stored for their keys are read first,
/// then each value is judged in order against them and against those before it, then
/// the new rows are inserted. Returns how many were new.
async fn values(c: &mut Conn<'_>, items: &[NewValue], now: DateTime<Utc>) -> Result<usize> {
    // Each key once, in the order first given, and its place in that list.
    let mut keys: Vec<SeriesKey<'_>> = Vec::new();
    let mut places: std::collections::HashMap<SeriesKey<'_>, usize> = std::collections::HashMap::new();
    for v in items {
        places.entry(series_key(v)).or_insert_with(|| {
            keys.push(series_key(v));
            keys.len() - 1
        });
    }
    // What is known of each key, by its place.
    let mut known: Vec<Vec<Known<'_>>> = Vec::new();
    known.resize_with(keys.len(), Vec::new);
    let place = |key: &SeriesKey<'_>| places.get(key).copied();
    let numbered = crate::bulk::numbered(c);
    let mut lookup = BySize::new(|rows| {
        format!(
            "{} SELECT v.indicator, v.unit, v.period, v.revision, v.value, v.numerator, v.denominator,
                 v.provenance, v.source, v.note
             FROM keys JOIN indicator_values v
                 ON v.indicator = keys.indicator AND v.unit = keys.unit AND v.period = keys.period",
            crate::bulk::keys_table(numbered, &["indicator", "unit", "period"], rows)
        )
    });
    for chunk in crate::bulk::fixed_chunks(&keys, KEY_CHUNK) {
        let sql = lookup.get(chunk.len());
        let rows: Vec<SeriesRevision> = run!(c, |c| {
            let mut q = sqlx::query_as(sql);
            for (i, u, p) in chunk {
                q = q.bind(*i).bind(*u).bind(p.to_string());
            }
            q.fetch_all(&mut *c).await
        })?;
        for r in rows {
            let period: Period =
                r.period.parse().map_err(|e| StoreError::Corrupt(format!("stored period '{}': {e}", r.period)))?;
            if let Some(at) = place(&(r.indicator.as_str(), r.unit.as_str(), period)) {
                known[at].push(Known::Stored(r.revision));
            }
        }
    }
    let mut fresh: Vec<(&NewValue, i64)> = Vec::new();
    for v in items {
        let Some(at) = place(&series_key(v)) else { continue };
        let revisions = &mut known[at];
        let existing = match v.revision {
            Some(r) => revisions.iter().find(|e| e.revision() == i64::from(r)),
            None => revisions.iter().max_by_key(|e| e.revision()),
        };
        let revision = match (existing, v.revision) {
            (Some(e), _) if e.states_the_same_as(v) => continue,
            (Some(e), Some(_)) => {
                return Err(StoreError::Conflict(format!(
                    "revision {} of {} for {} in {} is already stored with other figures; a revision is never rewritten",
                    e.revision(),
                    v.indicator,
                    v.unit,
                    v.period
                )));
            }
            (Some(e), None) => e.revision() + 1,
            (None, Some(r)) => i64::from(r),
            (None, None) => 1,
        };
        revisions.push(Known::Batch(v, revision));
        fresh.push((v, revision));
    }
    // In the order of the unique index, which then grows at its end rather than all over.
    fresh.sort_unstable_by(|a, b| (series_key(a.0), a.1).cmp(&(series_key(b.0), b.1)));
    let mut insert = BySize::new(|rows| {
        format!(
            "INSERT INTO indicator_values (indicator, unit, period, period_start, period_end, revision, value,
                 numerator, denominator, provenance, source, note, recorded_at) VALUES {}",
            crate::bulk::placeholders(numbered, rows, 13)
        )
    });
    for chunk in crate::bulk::fixed_chunks(&fresh, VALUE_CHUNK) {
        let sql = insert.get(chunk.len());
        exec!(c, |c| {
            let mut q = sqlx::query(sql);
            for (v, revision) in chunk {
                q = q
                    .bind(v.indicator.as_str())
                    .bind(v.unit.as_str())
                    .bind(v.period.to_string())
                    .bind(v.period.start())
                    .bind(v.period.end())
                    .bind(*revision)
                    .bind(v.value.to_text())
                    .bind(v.numerator.map(|x| x.to_string()))
                    .bind(v.denominator.map(|x| x.to_string()))
                    .bind(v.provenance.as_str())
                    .bind(&v.source)
                    .bind(&v.note)
                    .bind(v.recorded_at.unwrap_or(now));
            }
            q
        })?;
    }
    Ok(fresh.len())
}

/// Appends a value as its next revision, or as the revision it names; false if it
/// repeats what is already there.
pub(crate) async fn value(c: &mut Conn<'_>, v: &NewValue, now: DateTime<Utc>) -> Result<bool> {
    Ok(values(c, std::slice::from_ref(v), now).await? == 1)
}

async fn regimes(c: &mut Conn<'_>, items: &[Regime]) -> Result<()> {
    for r in items {
        exec!(c, |c| sqlx::query(
            "INSERT INTO regimes (key, name, name_en, period_kind, due_days, indicators, units, source, first_period)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (key) DO UPDATE SET name = excluded.name, name_en = excluded.name_en,
                 period_kind = excluded.period_kind, due_days = excluded.due_days,
                 indicators = excluded.indicators, units = excluded.units, source = excluded.source,
                 first_period = excluded.first_period"
        )
        .bind(r.key.as_str())
        .bind(&r.name)
        .bind(&r.name_en)
        .bind(r.period_kind.as_str())
        .bind(i64::from(r.due_days))
        .bind(join(&r.indicators))
        .bind(join(&r.units))
        .bind(&r.source)
        .bind(r.first_period.map(|p| p.to_string())))?;
    }
    Ok(())
}

async fn targets(c: &mut Conn<'_>, items: &[Target]) -> Result<()> {
    for t in items {
        let (scope_unit, scope_group) = scope_columns(&t.scope);
        exec!(c, |c| sqlx::query(
            "INSERT INTO targets (indicator, programme, period, period_start, period_end, scope, scope_unit,
                 scope_group, comparator, value, label, source, note)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             ON CONFLICT (indicator, programme, period, scope) DO UPDATE SET comparator = excluded.comparator,
                 value = excluded.value, label = excluded.label, source = excluded.source, note = excluded.note"
        )
        .bind(t.indicator.as_str())
        .bind(t.programme.as_str())
        .bind(t.period.to_string())
        .bind(t.period.start())
        .bind(t.period.end())
        .bind(t.scope.to_string())
        .bind(scope_unit)
        .bind(scope_group)
        .bind(t.comparator.as_str())
        .bind(t.value.to_text())
        .bind(&t.label)
        .bind(&t.source)
        .bind(&t.note))?;
    }
    Ok(())
}

async fn task_lists(c: &mut Conn<'_>, items: &[TaskList]) -> Result<()> {
    for l in items {
        exec!(c, |c| {
            sqlx::query(
            "INSERT INTO task_lists (key, name, name_en, source) VALUES ($1, $2, $3, $4)
             ON CONFLICT (key) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, source = excluded.source"
        )
        .bind(l.key.as_str())
        .bind(&l.name)
        .bind(&l.name_en)
        .bind(&l.source)
        })?;
    }
    Ok(())
}

async fn tasks(c: &mut Conn<'_>, items: &[Task]) -> Result<()> {
    for t in items {
        run!(c, |c| {
            sqlx::query(
                "INSERT INTO tasks (key, list, title, required_result, deadline, deadline_end, deadline_label, status,
                     result, completed_on, source)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 ON CONFLICT (key) DO UPDATE SET list = excluded.list, title = excluded.title,
                     required_result = excluded.required_result, deadline = excluded.deadline,
                     deadline_end = excluded.deadline_end, deadline_label = excluded.deadline_label,
                     status = excluded.status, result = excluded.result, completed_on = excluded.completed_on,
                     source = excluded.source",
            )
            .bind(t.key.as_str())
            .bind(t.list.as_str())
            .bind(&t.title)
            .bind(&t.required_result)
            .bind(t.deadline.map(|d| d.to_string()))
            .bind(t.deadline.map(|d| d.end()))
            .bind(&t.deadline_label)
            .bind(t.status.as_str())
            .bind(&t.result)
            .bind(t.completed_on)
            .bind(&t.source)
            .execute(&mut *c)
            .await?;
            sqlx::query("DELETE FROM task_agencies WHERE task = $1").bind(t.key.as_str()).execute(&mut *c).await?;
            for (n, a) in t.responsible.iter().enumerate() {
                let (unit, grp) = agency_columns(a);
                sqlx::query("INSERT INTO task_agencies (task, ordinal, unit, grp) VALUES ($1, $2, $3, $4)")
                    .bind(t.key.as_str())
                    .bind(n as i64)
                    .bind(unit)
                    .bind(grp)
                    .execute(&mut *c)
                    .await?;
            }
            Ok::<_, sqlx::Error>(())
        })?;
    }
    Ok(())
}

async fn breakdowns(c: &mut Conn<'_>, items: &[Breakdown]) -> Result<()> {
    for b in items {
        run!(c, |c| {
            sqlx::query(
                "INSERT INTO breakdowns (key, title, title_en, period, unit_of_measure, total, population, indicator,
                     source, note)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (key) DO UPDATE SET title = excluded.title, title_en = excluded.title_en,
                     period = excluded.period, unit_of_measure = excluded.unit_of_measure, total = excluded.total,
                     population = excluded.population, indicator = excluded.indicator, source = excluded.source,
                     note = excluded.note",
            )
            .bind(b.key.as_str())
            .bind(&b.title)
            .bind(&b.title_en)
            .bind(b.period.map(|p| p.to_string()))
            .bind(&b.unit_of_measure)
            .bind(b.total.map(|x| x.to_string()))
            .bind(b.population.as_ref().map(|g| g.to_string()))
            .bind(b.indicator.as_ref().map(|i| i.to_string()))
            .bind(&b.source)
            .bind(&b.note)
            .execute(&mut *c)
            .await?;
            sqlx::query("DELETE FROM breakdown_members WHERE breakdown = $1")
                .bind(b.key.as_str())
                .execute(&mut *c)
                .await?;
            sqlx::query("DELETE FROM breakdown_parts WHERE breakdown = $1")
                .bind(b.key.as_str())
                .execute(&mut *c)
                .await?;
            for (n, p) in b.parts.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO breakdown_parts (breakdown, ordinal, label, value, share) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(b.key.as_str())
                .bind(n as i64)
                .bind(&p.label)
                .bind(p.value.map(|x| x.to_string()))
                .bind(p.share.map(|x| x.to_string()))
                .execute(&mut *c)
                .await?;
                for (m, unit) in p.members.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO breakdown_members (breakdown, part, ordinal, unit) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(b.key.as_str())
                    .bind(n as i64)
                    .bind(m as i64)
                    .bind(unit.as_str())
                    .execute(&mut *c)
                    .await?;
                }
            }
            Ok::<_, sqlx::Error>(())
        })?;
    }
    Ok(())
}

async fn changes(c: &mut Conn<'_>, items: &[StatedChange]) -> Result<()> {
    for ch in items {
        run!(c, |c| {
            // A change is identified by what it relates and where it is stated.
            sqlx::query(
                "DELETE FROM stated_changes WHERE indicator = $1 AND unit = $2 AND from_period = $3
                     AND to_period = $4 AND source IS NOT DISTINCT FROM $5",
            )
            .bind(ch.indicator.as_str())
            .bind(ch.unit.as_str())
            .bind(ch.from.to_string())
            .bind(ch.to.to_string())
            .bind(&ch.source)
            .execute(&mut *c)
            .await?;
            sqlx::query(
                "INSERT INTO stated_changes (indicator, unit, from_period, to_period, absolute, percent, multiple,
                     qualifier, source, note)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(ch.indicator.as_str())
            .bind(ch.unit.as_str())
            .bind(ch.from.to_string())
            .bind(ch.to.to_string())
            .bind(ch.absolute.map(|x| x.to_string()))
            .bind(ch.percent.map(|x| x.to_string()))
            .bind(ch.multiple.map(|x| x.to_string()))
            .bind(ch.qualifier.as_str())
            .bind(&ch.source)
            .bind(&ch.note)
            .execute(&mut *c)
            .await?;
            Ok::<_, sqlx::Error>(())
        })?;
    }
    Ok(())
}
