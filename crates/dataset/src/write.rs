//! Writing records back out in the same formats `load` reads: one CSV per kind, and
//! TOML for breakdowns, whose parts nest. Export then import gives the same records.

use chrono::SecondsFormat;
use model::{AgencyRef, Breakdown, Dataset, Programme, ProgrammeKind};
use rust_decimal::Decimal;

use crate::kind::RecordKind;

/// A CSV file under construction, its columns those `load` expects for its kind.
struct Table {
    kind: RecordKind,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(kind: RecordKind) -> Self {
        Table { kind, rows: Vec::new() }
    }

    fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.kind.columns().len(), "{} columns", self.kind);
        self.rows.push(cells);
    }

    fn finish(self) -> (String, String) {
        let mut w = csv::Writer::from_writer(Vec::new());
        let header: Vec<&str> = self.kind.columns().iter().map(|c| c.name).collect();
        // Writing strings into memory cannot fail.
        let _ = w.write_record(&header);
        for r in &self.rows {
            let _ = w.write_record(r);
        }
        let bytes = w.into_inner().unwrap_or_default();
        (format!("{}.csv", self.kind.name()), String::from_utf8_lossy(&bytes).into_owned())
    }
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn list<T: ToString>(items: &[T]) -> String {
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join(";")
}

fn agencies(items: &[AgencyRef]) -> String {
    list(items)
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_owned()
}

fn programme_kind(p: &Programme) -> String {
    match p.kind {
        ProgrammeKind::Programme => "programme",
        ProgrammeKind::Plan => "plan",
    }
    .to_owned()
}

/// The files of an export: (file name, content), in load order.
pub fn files(data: &Dataset) -> Vec<(String, String)> {
    let mut out = Vec::new();

    let mut t = Table::new(RecordKind::Sources);
    for s in &data.sources {
        t.row(vec![
            s.key.to_string(),
            s.title.clone(),
            opt(&s.title_en),
            opt(&s.issued),
            opt(&s.publisher),
            opt(&s.file),
        ]);
    }
    out.push(t.finish());

    let mut t = Table::new(RecordKind::Groups);
    for g in &data.groups {
        t.row(vec![g.key.to_string(), g.name.clone(), opt(&g.name_en)]);
    }
    out.push(t.finish());

    let mut t = Table::new(RecordKind::Units);
    for u in &data.units {
        t.row(vec![
            u.key.to_string(),
            opt(&u.code),
            u.name.clone(),
            opt(&u.name_en),
            u.kind.to_string(),
            opt(&u.parent),
            list(&u.groups),
            list(&u.aliases),
            opt(&u.valid_from),
            opt(&u.valid_to),
        ]);
    }
    out.push(t.finish());

    let mut t = Table::new(RecordKind::Lineage);
    for e in &data.lineage {
        t.row(vec![
            e.key.to_string(),
            e.kind.to_string(),
            e.effective.to_string(),
            list(&e.from),
            list(&e.to),
            opt(&e.source),
            opt(&e.note),
        ]);
    }
    out.push(t.finish());

    let mut t = Table::new(RecordKind::Programmes);
    for p in &data.programmes {
        t.row(vec![
            p.key.to_string(),
            p.name.clone(),
            opt(&p.name_en),
            programme_kind(p),
            opt(&p.period),
            opt(&p.source),
        ]);
    }
    out.push(t.finish());

    let mut t = Table::new(RecordKind::Pillars);
    for p in &data.pillars {
        t.row(vec![p.key.to_string(), p.programme.to_string(), p.name.clone(), opt(&p.name_en), p.ordinal.to_string()]);
    }
    out.push(t.finish());

    let mut t = Table::new(RecordKind::Indicators);
    for i in &data.indicators {
        t.row(vec![
            i.code.to_string(),
            i.pillar.to_string(),
            i.name.clone(),
            opt(&i.name_en),
            i.kind.to_string(),
            i.unit_of_measure.clone(),
            i.direction.as_str().to_owned(),
            agencies(&i.lead),
            agencies(&i.co),
            opt(&i.min),
            opt(&i.max),
            yes_no(i.numerator_le_denominator),
            list(&i.categories),
            list(&i.parts),
            opt(&i.description),
        ]);
    }
    out.push(t.finish());

    let mut t = Table::new(RecordKind::Values);
    for v in &data.values {
        t.row(vec![
            v.indicator.to_string(),
            v.unit.to_string(),
            v.period.to_string(),
            v.value.to_text(),
            opt(&v.numerator),
            opt(&v.denominator),
            opt(&v.source),
            v.provenance.to_string(),
            opt(&v.note),
            opt(&v.revision),
            v.recorded_at.map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true)).unwrap_or_default(),
        ]);
    }
    out.push(t.finish());

    let mut t = Table::new(RecordKind::Targets);
    for g in &data.targets {
        t.row(vec![
            g.indicator.to_string(),
            g.programme.to_string(),
            g.period.to_string(),
            g.scope.to_string(),
            g.comparator.to_string(),
            g.value.to_text(),
            opt(&g.label),
            opt(&g.source),
            opt(&g.note),
        ]);
    }
    out.push(t.finish());

    let mut t = Table::new(RecordKind::TaskLists);
    for l in &data.task_lists {
        t.row(vec![l.key.to_string(), l.name.clone(), opt(&l.name_en), opt(&l.source)]);
    }
    out.push(t.finish());

    let mut t = Table::new(RecordKind::Regimes);
    for r in &data.regimes {
        let codes: Vec<String> = r.indicators.iter().map(ToString::to_string).collect();
        t.row(vec![
            r.key.to_string(),
            r.name.clone(),
            opt(&r.name_en),
            r.period_kind.as_str().to_owned(),
            r.due_days.to_string(),
            r.first_period.map(|p| p.to_string()).unwrap_or_default(),
            codes.join(";"),
            agencies(&r.units),
            opt(&r.source),
        ]);
    }
    out.push(t.finish());

    let mut t = Table::new(RecordKind::Procedures);
    for p in &data.procedures {
        let fee = if p.fee { "yes" } else { "no" };
        t.row(vec![p.code.clone(), p.name.clone(), opt(&p.name_en), fee.to_owned(), opt(&p.source)]);
    }
    out.push(t.finish());

    let mut t = Table::new(RecordKind::Tasks);
    for k in &data.tasks {
        t.row(vec![
            k.key.to_string(),
            k.list.to_string(),
            k.title.clone(),
            opt(&k.required_result),
            opt(&k.deadline),
            opt(&k.deadline_label),
            agencies(&k.responsible),
            k.status.to_string(),
            opt(&k.result),
            opt(&k.completed_on),
            opt(&k.source),
        ]);
    }
    out.push(t.finish());

    for m in &data.methodologies {
        let name = model::text::slug(&format!("{} {}", m.id, m.version));
        out.push((format!("methodology-{name}.toml"), crate::methodology::write(m)));
    }

    out.push(("breakdowns.toml".to_owned(), breakdowns(&data.breakdowns)));

    let mut t = Table::new(RecordKind::Changes);
    for c in &data.changes {
        t.row(vec![
            c.indicator.to_string(),
            c.unit.to_string(),
            c.from.to_string(),
            c.to.to_string(),
            opt(&c.absolute),
            opt(&c.percent),
            opt(&c.multiple),
            c.qualifier.to_string(),
            opt(&c.source),
            opt(&c.note),
        ]);
    }
    out.push(t.finish());
    out
}

/// Whole numbers as TOML integers; others as strings, which keep their stated decimals.
fn toml_number(d: Decimal) -> toml::Value {
    match i64::try_from(d) {
        Ok(i) if d.scale() == 0 => toml::Value::Integer(i),
        _ => toml::Value::String(d.to_string()),
    }
}

fn breakdowns(items: &[Breakdown]) -> String {
    let mut records = Vec::new();
    for b in items {
        let mut t = toml::Table::new();
        let mut put = |k: &str, v: Option<toml::Value>| {
            if let Some(v) = v {
                t.insert(k.to_owned(), v);
            }
        };
        let s = |v: &Option<String>| v.clone().map(toml::Value::String);
        put("breakdown", Some(toml::Value::String(b.key.to_string())));
        put("title", Some(toml::Value::String(b.title.clone())));
        put("title_en", s(&b.title_en));
        put("period", b.period.map(|p| toml::Value::String(p.to_string())));
        put("unit_of_measure", s(&b.unit_of_measure));
        put("total", b.total.map(toml_number));
        put("population", b.population.as_ref().map(|g| toml::Value::String(g.to_string())));
        put("indicator", b.indicator.as_ref().map(|i| toml::Value::String(i.to_string())));
        put("source", s(&b.source));
        put("note", s(&b.note));
        let parts = b
            .parts
            .iter()
            .map(|p| {
                let mut pt = toml::Table::new();
                pt.insert("label".into(), toml::Value::String(p.label.clone()));
                if let Some(v) = p.value {
                    pt.insert("value".into(), toml_number(v));
                }
                if let Some(v) = p.share {
                    pt.insert("share".into(), toml_number(v));
                }
                if !p.members.is_empty() {
                    let members = p.members.iter().map(|m| toml::Value::String(m.to_string())).collect();
                    pt.insert("members".into(), toml::Value::Array(members));
                }
                toml::Value::Table(pt)
            })
            .collect();
        t.insert("parts".into(), toml::Value::Array(parts));
        records.push(toml::Value::Table(t));
    }
    let mut doc = toml::Table::new();
    if !records.is_empty() {
        doc.insert("breakdowns".into(), toml::Value::Array(records));
    }
    toml::to_string(&doc).unwrap_or_default()
}
