//! Targets, task lists, tasks, reporting regimes and procedures.

use std::collections::HashMap;

use model::collection::Regime;
use model::period::PeriodKind;
use model::{
    Comparator, DateOrPeriod, Datum, IndicatorCode, IndicatorKind, Period, ProgrammeKey, RegimeKey, Scope, Target,
    Task, TaskKey, TaskList, TaskListKey, TaskStatus, Window,
};

use super::Validator;
use crate::fields::Fields;

impl Validator<'_> {
    fn scope(&mut self, f: &Fields, period: Option<Period>) -> Option<Scope> {
        let text = f.text("scope").unwrap_or("national");
        if text.starts_with("group:") {
            return self.group(f, "scope", text).map(Scope::EachOf);
        }
        if matches!(model::text::fold(text).as_str(), "national" | "quoc gia" | "toan quoc") {
            return match self.catalog.nation() {
                Some(n) => Some(Scope::Unit(n.key.clone())),
                None => {
                    self.error(f, "scope", "a national target needs exactly one unit of kind nation");
                    None
                }
            };
        }
        self.unit(f, "scope", text, period.map(Window::from)).map(Scope::Unit)
    }

    pub(super) fn targets(&mut self, records: &[Fields]) {
        let mut seen = HashMap::new();
        for f in records {
            let before = self.error_count();
            let indicator = self.indicator(f);
            let programme = self.parse(f, "programme", ProgrammeKey::parse);
            if let Some(p) = &programme
                && !self.catalog.programmes.contains_key(p.as_str())
            {
                self.error(f, "programme", format!("unknown programme '{p}'"));
            }
            let period = self.parse(f, "period", str::parse::<Period>);
            let scope = self.scope(f, period);
            let comparator = self.parse(f, "comparator", str::parse::<Comparator>);
            let Some(indicator) = indicator else { continue };
            let by_date = comparator == Some(Comparator::ByDate);
            if comparator.is_some() && by_date != (indicator.kind == IndicatorKind::Date) {
                self.error(f, "comparator", "'by' goes with date indicators, and date indicators take 'by'");
            }
            let value = self.parse(f, "target", |t| {
                if by_date {
                    model::period::parse_date(t).map(Datum::Date).map_err(|e| e.to_string())
                } else {
                    Datum::parse(&indicator, t).map_err(|e| e.to_string())
                }
            });
            let (Some(programme), Some(period), Some(scope), Some(comparator), Some(value)) =
                (programme, period, scope, comparator, value)
            else {
                continue;
            };
            let key = format!("{}|{programme}|{period}|{scope}", indicator.code);
            if self.unique(&mut seen, f, "indicator", key) && before == self.error_count() {
                self.out.targets.push(Target {
                    indicator: indicator.code.clone(),
                    programme,
                    period,
                    scope,
                    comparator,
                    value,
                    label: Self::text(f, "label"),
                    source: Self::text(f, "source"),
                    note: Self::text(f, "note"),
                });
            }
        }
    }

    pub(super) fn task_lists(&mut self, records: &[Fields]) {
        let mut seen = HashMap::new();
        for f in records {
            let key = self.parse(f, "task_list", TaskListKey::parse);
            let name = self.required(f, "name").map(str::to_owned);
            if let (Some(key), Some(name)) = (key, name)
                && self.unique(&mut seen, f, "task_list", key.to_string())
            {
                let list = TaskList { key, name, name_en: Self::text(f, "name_en"), source: Self::text(f, "source") };
                self.catalog.task_lists.insert(list.key.to_string(), list.clone());
                self.out.task_lists.push(list);
            }
        }
    }

    pub(super) fn tasks(&mut self, records: &[Fields]) {
        let mut seen = HashMap::new();
        for f in records {
            let before = self.error_count();
            let key = self.parse(f, "task", TaskKey::parse);
            let list = self.parse(f, "task_list", TaskListKey::parse);
            if let Some(l) = &list
                && !self.catalog.task_lists.contains_key(l.as_str())
            {
                self.error(f, "task_list", format!("unknown task list '{l}'"));
            }
            let title = self.required(f, "title").map(str::to_owned);
            let deadline = self.optional(f, "deadline", str::parse::<DateOrPeriod>);
            let status = self.parse(f, "status", str::parse::<TaskStatus>);
            let completed_on = self.optional(f, "completed_on", model::period::parse_date);
            if completed_on.is_some() && status.is_some_and(|s| s != TaskStatus::Done) {
                self.error(f, "completed_on", "only a task that is done has a completion date");
            }
            let window = deadline.map(|d| Window { start: d.start(), end: d.end() });
            let responsible = self.agencies(f, "responsible", window);
            if let (Some(key), Some(list), Some(title), Some(status)) = (key, list, title, status)
                && self.unique(&mut seen, f, "task", key.to_string())
                && before == self.error_count()
            {
                self.out.tasks.push(Task {
                    key,
                    list,
                    title,
                    required_result: Self::text(f, "required_result"),
                    deadline,
                    deadline_label: Self::text(f, "deadline_label"),
                    responsible,
                    status,
                    result: Self::text(f, "result"),
                    completed_on,
                    source: Self::text(f, "source"),
                });
            }
        }
    }

    pub(super) fn regimes(&mut self, records: &[Fields]) {
        let mut seen = HashMap::new();
        for f in records {
            let before = self.error_count();
            let key = self.parse(f, "regime", RegimeKey::parse);
            let name = self.required(f, "name").map(str::to_owned);
            let period_kind = self.parse(f, "period_kind", str::parse::<PeriodKind>);
            let due_days = self.optional(f, "due_days", |t| {
                t.parse::<u32>()
                    .map_err(|_| format!("'{t}' is not a number of days"))
                    .and_then(|d| if d <= 366 { Ok(d) } else { Err(format!("{d} days is more than a year")) })
            });
            let first_period = self.optional(f, "first_period", |t| t.parse::<Period>().map_err(|e| e.to_string()));
            if let (Some(first), Some(kind)) = (first_period, period_kind)
                && first.kind() != kind
            {
                self.error(f, "first_period", format!("{first} is not a {} period", kind.as_str()));
            }
            let mut indicators: Vec<IndicatorCode> = Vec::new();
            for code in f.list("indicators") {
                match self.catalog.indicators.get(code.as_str()) {
                    Some(i) if !indicators.contains(&i.code) => indicators.push(i.code.clone()),
                    Some(_) => self.error(f, "indicators", format!("indicator '{code}' is listed twice")),
                    None => self.error(f, "indicators", format!("unknown indicator '{code}'")),
                }
            }
            if indicators.is_empty() && before == self.error_count() {
                self.error(f, "indicators", "a regime lists at least one indicator (separated by ;)");
            }
            let units = self.agencies(f, "units", None);
            if units.is_empty() && before == self.error_count() {
                self.error(f, "units", "a regime lists the units that report: unit keys or group:KEY");
            }
            if let (Some(key), Some(name), Some(period_kind)) = (key, name, period_kind)
                && self.unique(&mut seen, f, "regime", key.to_string())
                && before == self.error_count()
            {
                self.out.regimes.push(Regime {
                    key,
                    name,
                    name_en: Self::text(f, "name_en"),
                    period_kind,
                    due_days: due_days.unwrap_or(15),
                    first_period,
                    indicators,
                    units,
                    source: Self::text(f, "source"),
                });
            }
        }
    }

    pub(super) fn procedures(&mut self, records: &[Fields]) {
        let mut seen = HashMap::new();
        for f in records {
            let before = self.error_count();
            let code = self.parse(f, "procedure", |t| {
                if model::measure::valid_procedure_code(t) {
                    Ok(t.to_owned())
                } else {
                    Err(format!("'{t}' is not a procedure code: letters, digits, '.', '-' or '_', at most 64"))
                }
            });
            let name = self.required(f, "name").map(str::to_owned);
            let fee = self.optional(f, "fee", super::yes_no);
            if let (Some(code), Some(name)) = (code, name)
                && self.unique(&mut seen, f, "procedure", code.clone())
                && before == self.error_count()
            {
                self.out.procedures.push(model::measure::Procedure {
                    code,
                    name,
                    name_en: Self::text(f, "name_en"),
                    fee: fee.unwrap_or(false),
                    source: Self::text(f, "source"),
                });
            }
        }
    }
}
