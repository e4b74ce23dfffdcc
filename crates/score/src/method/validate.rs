//! Checking a methodology while preparing it. Every problem is collected with its path
//! in the tree.

use std::collections::HashMap;

use model::methodology::{Component, Methodology, Rule};
use model::{Direction, IndicatorCode, IndicatorKind};

use super::formula::{Formula, parse};
use super::{CComp, CIndex, CPillar, CRule, Compiled, IndicatorInfo, MethodError, VarRef};

/// Points are compared to a millionth of a point.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

struct Check<'a> {
    errors: Vec<MethodError>,
    indicator: &'a dyn Fn(&str) -> Option<IndicatorInfo>,
    slots: Vec<IndicatorCode>,
}

impl Check<'_> {
    fn err(&mut self, path: &str, message: impl Into<String>) {
        self.errors.push(MethodError { path: path.to_owned(), message: message.into() });
    }

    /// The column of an indicator, checked to exist and to be of a kind the rule reads.
    fn slot(
        &mut self,
        path: &str,
        code: &IndicatorCode,
        wants: &str,
        fits: impl Fn(&IndicatorInfo) -> bool,
    ) -> Option<(usize, IndicatorInfo)> {
        let Some(info) = (self.indicator)(code.as_str()) else {
            self.err(path, format!("unknown indicator '{code}'"));
            return None;
        };
        if !fits(&info) {
            self.err(path, format!("indicator '{code}' is {}, but this rule reads {wants}", info.kind));
            return None;
        }
        let slot = match self.slots.iter().position(|s| s == code) {
            Some(i) => i,
            None => {
                self.slots.push(code.clone());
                self.slots.len() - 1
            }
        };
        Some((slot, info))
    }
}

/// A formula's component references, resolved once every component is known.
struct Pending {
    comp: usize,
    path: String,
    refs: Vec<(usize, String)>,
}

pub(super) fn compile(
    m: &Methodology,
    indicator: &dyn Fn(&str) -> Option<IndicatorInfo>,
) -> Result<Compiled, Vec<MethodError>> {
    let mut ck = Check { errors: Vec::new(), indicator, slots: Vec::new() };
    if m.id.trim().is_empty() {
        ck.err("", "id is empty");
    }
    if !(m.max.is_finite() && m.max > 0.0) {
        ck.err("", format!("max must be a number of points above 0, not {}", m.max));
    }
    if let Some(to) = m.applies_to
        && to < m.applies_from
    {
        ck.err("", format!("applies_to {to} is before applies_from {}", m.applies_from));
    }
    if m.decimals > 8 {
        ck.err("", "decimals must be at most 8");
    }
    if m.pillars.is_empty() {
        ck.err("", "a methodology has at least one pillar");
    }
    grades(m, &mut ck);

    let mut comps: Vec<CComp> = Vec::new();
    let mut indexes: Vec<CIndex> = Vec::new();
    let mut pillars: Vec<CPillar> = Vec::new();
    let mut comp_keys: HashMap<&str, usize> = HashMap::new();
    let mut index_keys: HashMap<&str, usize> = HashMap::new();
    let mut pending: Vec<Pending> = Vec::new();
    let mut total = 0.0;
    for (pi, p) in m.pillars.iter().enumerate() {
        let ppath = format!("pillars[{pi}] ({})", p.key);
        let first_index = indexes.len();
        let mut pillar_sum = 0.0;
        for (ii, ix) in p.indexes.iter().enumerate() {
            let ipath = format!("{ppath} › indexes[{ii}] ({})", ix.key);
            if index_keys.insert(ix.key.as_str(), indexes.len()).is_some() {
                ck.err(&ipath, format!("main index key '{}' is used twice", ix.key));
            }
            let first_comp = comps.len();
            let mut index_sum = 0.0;
            for (ci, c) in ix.components.iter().enumerate() {
                let cpath = format!("{ipath} › components[{ci}] ({})", c.key);
                if comp_keys.insert(c.key.as_str(), comps.len()).is_some() {
                    ck.err(&cpath, format!("component key '{}' is used twice", c.key));
                }
                if !(c.max.is_finite() && c.max >= 0.0) {
                    ck.err(&cpath, format!("max must be 0 or more points, not {}", c.max));
                }
                index_sum += c.max;
                let (comp, refs) = component(c, &cpath, &mut ck);
                if !refs.is_empty() {
                    pending.push(Pending { comp: comps.len(), path: cpath, refs });
                }
                comps.push(comp);
            }
            let index_max = ix.max.unwrap_or(index_sum);
            if !close(index_max, index_sum) {
                ck.err(
                    &ipath,
                    format!("the components add up to {index_sum} points, but the index's max is {index_max}"),
                );
            }
            indexes.push(CIndex {
                key: ix.key.clone(),
                name: ix.name.clone(),
                comps: first_comp..comps.len(),
                max: index_max,
            });
            pillar_sum += index_max;
        }
        let pillar_max = p.max.unwrap_or(pillar_sum);
        if !close(pillar_max, pillar_sum) {
            ck.err(
                &ppath,
                format!("the main indexes add up to {pillar_sum} points, but the pillar's max is {pillar_max}"),
            );
        }
        pillars.push(CPillar { key: p.key.clone(), name: p.name.clone(), indexes: first_index..indexes.len() });
        total += pillar_max;
    }
    if !m.pillars.is_empty() && !close(total, m.max) {
        ck.err("", format!("the pillars add up to {total} points, but max is {}", m.max));
    }

    // Formulas that read other components: resolve, then order so that each comes
    // after what it reads.
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); comps.len()];
    for p in pending {
        let mut resolved = Vec::new();
        for (var, key) in &p.refs {
            match comp_keys.get(key.as_str()) {
                Some(&target) => {
                    deps[p.comp].push(target);
                    resolved.push((*var, target));
                }
                None => ck.err(&p.path, format!("the formula reads unknown component '{key}'")),
            }
        }
        if let CRule::Formula(f) = &mut comps[p.comp].rule {
            for (var, target) in resolved {
                f.vars[var].1 = VarRef::Component(target);
            }
        }
    }
    let order = match topological(&deps) {
        Ok(order) => order,
        Err(cycle) => {
            let names: Vec<&str> = cycle.iter().map(|&i| comps[i].key.as_str()).collect();
            ck.err("", format!("formulas depend on each other in a cycle: {}", names.join(" → ")));
            Vec::new()
        }
    };

    let mut views = Vec::new();
    for (vi, v) in m.views.iter().enumerate() {
        let vpath = format!("views[{vi}] ({})", v.key);
        let mut members = Vec::new();
        for key in &v.indexes {
            match index_keys.get(key.as_str()) {
                Some(&i) => members.push(i),
                None => ck.err(&vpath, format!("unknown main index '{key}'")),
            }
        }
        views.push((v.key.clone(), v.name.clone(), members));
    }

    if ck.errors.is_empty() {
        Ok(Compiled { method: m.clone(), slots: ck.slots, comps, indexes, pillars, views, order })
    } else {
        Err(ck.errors)
    }
}

/// Prepares one component; returns it and the component references of its formula
/// (variable position, component key), resolved later.
fn component(c: &Component, path: &str, ck: &mut Check<'_>) -> (CComp, Vec<(usize, String)>) {
    let numeric = |i: &IndicatorInfo| i.kind.is_numeric();
    let mut refs = Vec::new();
    let bound = |ck: &mut Check<'_>, wants: &str, fits: &dyn Fn(&IndicatorInfo) -> bool| match &c.indicator {
        Some(code) => ck.slot(path, code, wants, fits),
        None => {
            ck.err(path, "the rule needs an indicator");
            None
        }
    };
    let (slot, info, rule) = match &c.rule {
        Rule::Rate { full } => {
            if !(full.is_finite() && *full > 0.0) {
                ck.err(path, format!("full must be above 0, not {full}"));
            }
            let b = bound(ck, "a number", &numeric);
            (b.as_ref().map(|x| x.0), b.map(|x| x.1), CRule::Rate(*full))
        }
        Rule::Target { target } => {
            if !(target.is_finite() && *target > 0.0) {
                ck.err(path, format!("target must be above 0, not {target}"));
            }
            let b = bound(ck, "a number", &numeric);
            (b.as_ref().map(|x| x.0), b.map(|x| x.1), CRule::Target(*target))
        }
        Rule::Steps { steps } => {
            if steps.is_empty() {
                ck.err(path, "steps lists at least one step");
            }
            for s in steps {
                if !(s.points >= 0.0 && s.points <= c.max + 1e-9) {
                    ck.err(
                        path,
                        format!("a step gives {} points, outside 0 to the component's max {}", s.points, c.max),
                    );
                }
            }
            let b = bound(ck, "a number", &numeric);
            (b.as_ref().map(|x| x.0), b.map(|x| x.1), CRule::Steps(steps.clone()))
        }
        Rule::YesNo => {
            let b = bound(ck, "yes or no", &|i: &IndicatorInfo| i.kind == IndicatorKind::YesNo);
            (b.as_ref().map(|x| x.0), b.map(|x| x.1), CRule::YesNo)
        }
        Rule::Categories { points } => {
            let b = bound(ck, "categories", &|i: &IndicatorInfo| i.kind == IndicatorKind::Category);
            if let Some((_, info)) = &b {
                for (label, p) in points {
                    if !info.categories.contains(label) {
                        ck.err(
                            path,
                            format!("'{label}' is not a category of the indicator ({})", info.categories.join(", ")),
                        );
                    }
                    if !(*p >= 0.0 && *p <= c.max + 1e-9) {
                        ck.err(
                            path,
                            format!("category '{label}' gives {p} points, outside 0 to the component's max {}", c.max),
                        );
                    }
                }
            }
            (
                b.as_ref().map(|x| x.0),
                b.map(|x| x.1),
                CRule::Categories(points.iter().map(|(k, v)| (k.clone(), *v)).collect()),
            )
        }
        Rule::Rank { mode } => {
            let b = bound(ck, "a number", &numeric);
            (b.as_ref().map(|x| x.0), b.map(|x| x.1), CRule::Rank(*mode))
        }
        Rule::Formula { expr, vars } => {
            if c.indicator.is_some() {
                ck.err(path, "a formula reads its variables; it has no indicator of its own");
            }
            let mut bindings = Vec::new();
            for (name, source) in vars {
                let at = bindings.len();
                if let Some(code) = source.strip_prefix("indicator:") {
                    match IndicatorCode::parse(code) {
                        Ok(code) => {
                            if let Some((slot, _)) = ck.slot(path, &code, "a number", numeric) {
                                bindings.push((name.clone(), VarRef::Slot(slot)));
                            }
                        }
                        Err(e) => ck.err(path, e.to_string()),
                    }
                } else if let Some(key) = source.strip_prefix("component:") {
                    if key == c.key {
                        ck.err(path, "a formula cannot read its own component");
                    } else {
                        refs.push((at, key.to_owned()));
                        bindings.push((name.clone(), VarRef::Component(usize::MAX)));
                    }
                } else {
                    ck.err(path, format!("variable '{name}' = '{source}': write indicator:CODE or component:KEY"));
                }
            }
            let rule = match parse(expr) {
                Ok((node, used)) => {
                    for u in used.iter().filter(|u| u.as_str() != "max" && !vars.contains_key(*u)) {
                        ck.err(path, format!("the formula uses '{u}', which is not among its vars"));
                    }
                    CRule::Formula(Formula::new(node, bindings))
                }
                Err(e) => {
                    ck.err(path, e);
                    CRule::YesNo
                }
            };
            (None, None, rule)
        }
    };
    let lower_better = info.is_some_and(|i| i.direction == Direction::LowerIsBetter);
    (CComp { key: c.key.clone(), name: c.name.clone(), max: c.max, slot, lower_better, rule }, refs)
}

/// Bands must cover 0 to max without gaps or overlaps.
fn grades(m: &Methodology, ck: &mut Check<'_>) {
    if m.grades.is_empty() {
        return;
    }
    let mut bands: Vec<(usize, &model::methodology::GradeBand)> = m.grades.iter().enumerate().collect();
    for (i, g) in &bands {
        if g.min.partial_cmp(&g.max) != Some(std::cmp::Ordering::Less) {
            ck.err(&format!("grades[{i}] ({})", g.label), format!("min {} is not below max {}", g.min, g.max));
        }
        if m.grades.iter().filter(|o| o.label == g.label).count() > 1 {
            ck.err(&format!("grades[{i}] ({})", g.label), "the label is used twice");
        }
    }
    bands.sort_by(|a, b| b.1.min.total_cmp(&a.1.min));
    if let Some((i, top)) = bands.first()
        && !close(top.max, m.max)
    {
        ck.err(
            &format!("grades[{i}] ({})", top.label),
            format!("the top band ends at {}, not at max {}", top.max, m.max),
        );
    }
    if let Some((i, bottom)) = bands.last()
        && !close(bottom.min, 0.0)
    {
        ck.err(&format!("grades[{i}] ({})", bottom.label), format!("no band covers points below {}", bottom.min));
    }
    for pair in bands.windows(2) {
        let ((i, upper), (j, lower)) = (pair[0], pair[1]);
        if upper.min > lower.max + 1e-9 {
            ck.err(
                &format!("grades[{i}] ({}) and grades[{j}] ({})", upper.label, lower.label),
                format!("points from {} to {} have no band", lower.max, upper.min),
            );
        } else if upper.min < lower.max - 1e-9 {
            ck.err(
                &format!("grades[{i}] ({}) and grades[{j}] ({})", upper.label, lower.label),
                format!("the bands overlap from {} to {}", upper.min, lower.max),
            );
        }
    }
}

/// Components ordered so that each comes after those it reads, or a cycle.
fn topological(deps: &[Vec<usize>]) -> Result<Vec<usize>, Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit(
        n: usize,
        deps: &[Vec<usize>],
        mark: &mut [Mark],
        stack: &mut Vec<usize>,
        out: &mut Vec<usize>,
    ) -> Result<(), Vec<usize>> {
        match mark[n] {
            Mark::Done => return Ok(()),
            Mark::Open => {
                let from = stack.iter().position(|&s| s == n).unwrap_or(0);
                let mut cycle = stack[from..].to_vec();
                cycle.push(n);
                return Err(cycle);
            }
            Mark::New => {}
        }
        mark[n] = Mark::Open;
        stack.push(n);
        for &d in &deps[n] {
            if d < deps.len() {
                visit(d, deps, mark, stack, out)?;
            }
        }
        stack.pop();
        mark[n] = Mark::Done;
        out.push(n);
        Ok(())
    }
    let mut mark = vec![Mark::New; deps.len()];
    let mut out = Vec::with_capacity(deps.len());
    for n in 0..deps.len() {
        visit(n, deps, &mut mark, &mut Vec::new(), &mut out)?;
    }
    Ok(out)
}
