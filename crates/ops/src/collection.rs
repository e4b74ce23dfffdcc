//! Collection as every interface does it (web form, Excel, JSON API): the scoping rules
//! of `model::access` are checked here, for each read of a submission and each write,
//! so no page or endpoint can skip them. Figures are validated against their
//! indicators; a submission with any bad figure stores nothing.

use chrono::Utc;
use model::access::Principal;
use model::collection::{
    Action, PeriodRefusal, Regime, Standing, Submission, SubmissionStatus, SubmittedValue, WorkflowError, transition,
};
use model::value::{StatedFigures, check_figures};
use model::{Datum, Indicator, Lang, Period, RegimeKey, UnitKey, UnitRegistry};

pub use dataset::template::{FieldError, ValueInput};
use store::{AuditEntry, AuditFilter, Page, Paged, Store, StoreError, SubmissionFilter, ValueFilter};

#[derive(Debug, thiserror::Error)]
pub enum CollectionError {
    #[error("not signed in")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{} figure(s) could not be taken; nothing was stored", .0.len())]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Workflow(WorkflowError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Work(#[from] crate::work::WorkError),
}

/// The figures a unit has for the period before `period`, by indicator code, as stored:
/// what a form and a template show beside each field as "Kỳ trước".
pub async fn previous_values(
    store: &Store,
    unit: &UnitKey,
    period: Period,
) -> Result<std::collections::HashMap<String, String>, StoreError> {
    let filter = ValueFilter { unit: Some(unit.to_string()), period: Some(period.previous()), ..Default::default() };
    Ok(store
        .values(&filter, Page::ALL)
        .await?
        .items
        .into_iter()
        .map(|v| (v.indicator.to_string(), v.value.to_text()))
        .collect())
}

impl CollectionError {
    /// Whether the submission's state, as stored, refused the step: the person reloads
    /// and decides again.
    pub fn is_conflict(&self) -> bool {
        match self {
            CollectionError::Workflow(_) => true,
            CollectionError::Store(s) => s.kind() == store::ErrorKind::Conflict,
            _ => false,
        }
    }

    /// The message for a person, in their language.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (CollectionError::Workflow(w), Lang::Vi) => w.vi(),
            (CollectionError::Invalid(errors), Lang::Vi) => {
                format!("Có {} ô số liệu chưa hợp lệ; chưa lưu số liệu nào.", errors.len())
            }
            (CollectionError::Forbidden(_), Lang::Vi) => "Tài khoản không có quyền thực hiện thao tác này.".to_owned(),
            (e, _) => e.to_string(),
        }
    }
}

fn forbid<T>(what: &str) -> Result<T, CollectionError> {
    Err(CollectionError::Forbidden(format!("not allowed to {what}")))
}

/// The units that report under a regime during a period.
pub fn regime_units(registry: &UnitRegistry, regime: &Regime, period: Period) -> Vec<UnitKey> {
    let mut out: Vec<UnitKey> = Vec::new();
    for a in &regime.units {
        let members: Vec<&model::Unit> = match a {
            model::AgencyRef::Unit(u) => registry.get(u.as_str()).into_iter().collect(),
            model::AgencyRef::Group(g) => registry.members(g),
        };
        for u in members {
            if u.existed_during(period.start(), period.end()) && !out.contains(&u.key) {
                out.push(u.key.clone());
            }
        }
    }
    out.sort();
    out
}

/// What a reporter needs to open or create a submission.
pub struct Context {
    pub regime: Regime,
    pub indicators: Vec<Indicator>,
    pub registry: UnitRegistry,
}

impl Context {
    /// What the regime's Excel template is made for.
    pub fn form(&self) -> dataset::template::Form<'_> {
        dataset::template::Form { regime: &self.regime, indicators: &self.indicators }
    }
}

/// The regime's Excel template for `unit` and `period`, holding what `who` has entered
/// so far and the previous period's figures, made on a blocking thread.
pub async fn template(
    store: &Store,
    who: &Principal,
    regime: &str,
    unit: &UnitKey,
    period: Period,
    lang: Lang,
) -> Result<Result<Vec<u8>, dataset::template::TemplateError>, CollectionError> {
    let cx = context(store, regime).await?;
    let sub = open(store, who, &cx.regime.key, unit, period).await?;
    let unit = cx
        .registry
        .get(unit.as_str())
        .cloned()
        .ok_or_else(|| CollectionError::NotFound(format!("no unit '{unit}'")))?;
    let previous = previous_values(store, &unit.key, period).await?;
    let made = crate::work::compute(move || {
        dataset::template::generate(
            &cx.form(),
            &unit,
            period,
            sub.as_ref(),
            &|i| previous.get(i.code.as_str()).cloned(),
            lang,
        )
    })
    .await?;
    Ok(made)
}

/// `dataset::template::read` for an upload, on a blocking thread with the other heavy
/// work (see `crate::work`). Should the reader fail in a way of its own, the file is
/// damaged.
pub async fn read_template(
    bytes: Vec<u8>,
    cx: std::sync::Arc<Context>,
    unit: UnitKey,
    period: Period,
) -> Result<(Vec<ValueInput>, Vec<FieldError>), dataset::template::TemplateError> {
    crate::work::compute(move || dataset::template::read(&bytes, &cx.form(), &unit, period))
        .await
        .unwrap_or_else(|_| Err(dataset::template::TemplateError::Damaged("the workbook could not be read".into())))
}

pub async fn context(store: &Store, regime: &str) -> Result<Context, CollectionError> {
    let regime = store
        .regime(regime)
        .await?
        .ok_or_else(|| CollectionError::NotFound(format!("no reporting regime '{regime}'")))?;
    let reference = store.reference().await?;
    let registry = crate::registry(store).await?;
    let indicators =
        regime.indicators.iter().filter_map(|c| reference.indicators.iter().find(|i| &i.code == c).cloned()).collect();
    Ok(Context { regime, indicators, registry })
}

/// Checks that `unit` reports under the regime for `period`, today.
fn check_scope(cx: &Context, unit: &UnitKey, period: Period) -> Result<(), CollectionError> {
    let today = model::measure::local_day(chrono::Utc::now());
    if let Err(why) = cx.regime.open_for(period, today) {
        let regime = &cx.regime.key;
        let kind = cx.regime.period_kind.as_str();
        let (message, message_en) = match why {
            PeriodRefusal::Kind => (
                format!("{period} không phải kỳ báo cáo ({kind}) của chế độ {regime}"),
                format!("{period} is not a {kind} period of regime {regime}"),
            ),
            PeriodRefusal::BeforeFirst(first) => (
                format!("{period} trước kỳ đầu tiên của chế độ {regime} ({first})"),
                format!("{period} is before {first}, the first period reported under regime {regime}"),
            ),
            PeriodRefusal::NotBegun => (
                format!("kỳ {period} chưa bắt đầu: chỉ báo cáo cho kỳ đang diễn ra hoặc đã kết thúc"),
                format!("{period} has not begun: figures are reported for periods under way or ended"),
            ),
        };
        let field = FieldError { indicator: String::new(), field: "period".into(), place: None, message, message_en };
        return Err(CollectionError::Invalid(vec![field]));
    }
    if !regime_units(&cx.registry, &cx.regime, period).contains(unit) {
        return Err(CollectionError::BadRequest(format!("{unit} does not report under regime {}", cx.regime.key)));
    }
    Ok(())
}

/// The most figures one request may enter: more than any regime holds.
pub const MAX_FIGURES: usize = 1000;
/// The longest note a figure may carry, in characters.
pub const MAX_NOTE: usize = 2000;
/// The longest text a figure may be typed as, in characters.
pub const MAX_FIGURE: usize = 100;

/// What is wrong with a typed text, if anything: too long, with control characters (a
/// note may have line breaks and tabs), or with invisible characters or ones that turn
/// the direction of the text, which make what a reviewer reads differ from what is
/// stored.
fn text_fault(text: &str, most: usize, note: bool) -> Option<(String, String)> {
    let allowed = |c: char| note && matches!(c, '\n' | '\r' | '\t');
    if text.chars().count() > most {
        let n = model::number::format_vi(most.into());
        return Some((format!("dài quá {n} ký tự"), format!("longer than {most} characters")));
    }
    if text.chars().any(|c| c.is_control() && !allowed(c)) {
        return Some(("chứa ký tự điều khiển (không in được)".into(), "contains control characters".into()));
    }
    text.chars().any(model::text::is_hidden).then(|| {
        let vi = "chứa ký tự vô hình hoặc ký tự đảo chiều văn bản";
        (vi.to_owned(), "contains invisible or direction-turning characters".to_owned())
    })
}

/// Checks an API request's figures beyond what `check_inputs` does for every way in:
/// a figure listed must say something (one left out keeps its value; an empty one is
/// more likely a mistake than a wish).
pub fn check_listed(inputs: &[ValueInput]) -> Result<(), Vec<FieldError>> {
    let errors: Vec<FieldError> = inputs
        .iter()
        .filter(|i| [&i.value, &i.numerator, &i.denominator].iter().all(|t| t.trim().is_empty()))
        .map(|i| FieldError {
            indicator: i.indicator.clone(),
            field: "value".into(),
            place: None,
            message: "trống: hãy nhập giá trị (hoặc tử số và mẫu số), hoặc bỏ chỉ tiêu khỏi danh sách để giữ nguyên"
                .into(),
            message_en: "empty: give a value (or numerator and denominator), or leave the indicator out to keep it"
                .into(),
        })
        .collect();
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// Reads typed figures against the regime's indicators: every error, or the figures.
pub fn check_inputs(indicators: &[Indicator], inputs: &[ValueInput]) -> Result<Vec<SubmittedValue>, Vec<FieldError>> {
    if inputs.len() > MAX_FIGURES {
        return Err(vec![FieldError {
            indicator: String::new(),
            field: "values".into(),
            place: None,
            message: format!("nhiều hơn {MAX_FIGURES} số liệu; chế độ báo cáo có {} chỉ tiêu", indicators.len()),
            message_en: format!("more than {MAX_FIGURES} figures; the regime has {} indicators", indicators.len()),
        }]);
    }
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut err = |input: &ValueInput, field: &str, vi: String, en: String| {
        errors.push(FieldError {
            indicator: input.indicator.clone(),
            field: field.to_owned(),
            place: input.row.and_then(|r| dataset::template::column_of(field).map(|c| format!("{c}{r}"))),
            message: vi,
            message_en: en,
        });
    };
    for input in inputs {
        let shown: String = input.indicator.chars().take(64).collect();
        let Some(indicator) = indicators.iter().find(|i| i.code.as_str() == input.indicator.trim()) else {
            err(
                input,
                "indicator",
                format!("chỉ tiêu «{shown}» không thuộc chế độ báo cáo này"),
                format!("indicator '{shown}' is not part of this regime"),
            );
            continue;
        };
        if !seen.insert(indicator.code.as_str()) {
            err(
                input,
                "indicator",
                format!("chỉ tiêu «{shown}» được nhập hai lần"),
                format!("indicator '{shown}' is given twice"),
            );
            continue;
        }
        let faults: Vec<(&str, (String, String))> = [
            ("value", &input.value, MAX_FIGURE, false),
            ("numerator", &input.numerator, MAX_FIGURE, false),
            ("denominator", &input.denominator, MAX_FIGURE, false),
            ("note", &input.note, MAX_NOTE, true),
        ]
        .into_iter()
        .filter_map(|(field, text, most, note)| text_fault(text, most, note).map(|f| (field, f)))
        .collect();
        if !faults.is_empty() {
            for (field, (vi, en)) in faults {
                err(input, field, vi, en);
            }
            continue;
        }
        let blank = |s: &str| s.trim().is_empty();
        if blank(&input.value) && blank(&input.numerator) && blank(&input.denominator) {
            continue;
        }
        let parse_part = |s: &str| -> Result<Option<rust_decimal::Decimal>, model::value::ValueError> {
            if blank(s) { Ok(None) } else { model::number::parse_number(s).map(|p| Some(p.value)).map_err(Into::into) }
        };
        let value = if blank(&input.value) { Ok(None) } else { Datum::parse(indicator, &input.value).map(Some) };
        let (numerator, denominator) = (parse_part(&input.numerator), parse_part(&input.denominator));
        let mut bad = false;
        for (field, r) in [
            ("value", value.as_ref().err()),
            ("numerator", numerator.as_ref().err()),
            ("denominator", denominator.as_ref().err()),
        ] {
            if let Some(e) = r {
                err(input, field, e.vi(), e.to_string());
                bad = true;
            }
        }
        if bad {
            continue;
        }
        let (Ok(value), Ok(numerator), Ok(denominator)) = (value, numerator, denominator) else { continue };
        match check_figures(indicator, StatedFigures { value, numerator, denominator }) {
            Ok(f) => match f.value {
                Some(v) => out.push(SubmittedValue {
                    indicator: indicator.code.clone(),
                    value: v,
                    numerator: f.numerator,
                    denominator: f.denominator,
                    note: (!blank(&input.note)).then(|| input.note.trim().to_owned()),
                }),
                None => err(input, "value", "chưa nhập giá trị".into(), "a value is required".into()),
            },
            Err(e) => {
                let field = if matches!(
                    e,
                    model::value::ValueError::HalfRatio
                        | model::value::ValueError::ZeroDenominator
                        | model::value::ValueError::NumeratorOverDenominator { .. }
                ) {
                    "numerator"
                } else {
                    "value"
                };
                err(input, field, e.vi(), e.to_string());
            }
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// The unit's submission for a regime and period, if the principal may read it.
pub async fn open(
    store: &Store,
    who: &Principal,
    regime: &RegimeKey,
    unit: &UnitKey,
    period: Period,
) -> Result<Option<Submission>, CollectionError> {
    if !who.can_read_drafts_of(unit) {
        return forbid("read this unit's submissions");
    }
    Ok(store.submission_for(regime, unit, period).await?)
}

/// A submission by id, if the principal may read it.
pub async fn get(store: &Store, who: &Principal, id: i64) -> Result<Submission, CollectionError> {
    let sub = store.submission(id).await?.ok_or_else(|| CollectionError::NotFound(format!("no submission {id}")))?;
    if !who.can_read_drafts_of(&sub.unit) {
        // Not "forbidden": another unit's submission is not shown to exist.
        return Err(CollectionError::NotFound(format!("no submission {id}")));
    }
    Ok(sub)
}

/// Enters figures for a unit: all of them are checked first, and any error (or any in
/// `prior`, found while reading a workbook) stores none. Figures not given are kept as
/// they were.
#[tracing::instrument(skip_all, err(level = "info"), fields(who = %who.id, regime, unit = %unit, period = %period))]
pub async fn save(
    store: &Store,
    who: &Principal,
    regime: &str,
    unit: &UnitKey,
    period: Period,
    inputs: &[ValueInput],
    mut prior: Vec<FieldError>,
) -> Result<Submission, CollectionError> {
    if !who.can_report_for(unit) {
        return forbid("report for this unit");
    }
    let cx = context(store, regime).await?;
    check_scope(&cx, unit, period)?;
    let existing = store.submission_for(&cx.regime.key, unit, period).await?;
    let status = existing.as_ref().map(|s| s.status);
    if let Some(s) = status {
        transition(s, Action::Save, None).map_err(CollectionError::Workflow)?;
    }
    let values = match check_inputs(&cx.indicators, inputs) {
        Ok(values) if prior.is_empty() => values,
        Ok(_) => return Err(CollectionError::Invalid(prior)),
        Err(errors) => {
            prior.extend(errors);
            return Err(CollectionError::Invalid(prior));
        }
    };
    let id = store.save_submission(&cx.regime.key, unit, period, status, &values, &who.id).await?;
    store.submission(id).await?.ok_or_else(|| CollectionError::NotFound(format!("no submission {id}")))
}

/// Submits for review: every indicator of the regime must have a figure.
#[tracing::instrument(skip_all, err(level = "info"), fields(who = %who.id, id))]
pub async fn submit(store: &Store, who: &Principal, id: i64) -> Result<Submission, CollectionError> {
    let sub = get(store, who, id).await?;
    if !who.can_report_for(&sub.unit) {
        return forbid("submit for this unit");
    }
    let next = transition(sub.status, Action::Submit, None).map_err(CollectionError::Workflow)?;
    let cx = context(store, sub.regime.as_str()).await?;
    let missing: Vec<String> = cx
        .indicators
        .iter()
        .filter(|i| !sub.values.iter().any(|v| v.indicator == i.code))
        .map(|i| i.name.clone())
        .collect();
    if !missing.is_empty() {
        return Err(CollectionError::Workflow(WorkflowError::Incomplete(missing.join("; "))));
    }
    store.set_submission_status(id, sub.status, next, None, &who.id).await?;
    get(store, who, id).await
}

/// Approves (publishing the figures as verified values) or returns with a comment.
#[tracing::instrument(skip_all, err(level = "info"), fields(who = %who.id, id, approve))]
pub async fn review(
    store: &Store,
    who: &Principal,
    id: i64,
    approve: bool,
    comment: Option<&str>,
) -> Result<Submission, CollectionError> {
    if !who.can_review() {
        return forbid("review submissions");
    }
    let sub = get(store, who, id).await?;
    let action = if approve { Action::Approve } else { Action::Return };
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if let Some((vi, en)) = comment.and_then(|c| text_fault(c, MAX_NOTE, true)) {
        return Err(CollectionError::Invalid(vec![FieldError {
            indicator: String::new(),
            field: "comment".into(),
            place: None,
            message: format!("nhận xét {vi}"),
            message_en: format!("the comment is {en}"),
        }]));
    }
    let next = transition(sub.status, action, comment).map_err(CollectionError::Workflow)?;
    store.set_submission_status(id, sub.status, next, comment, &who.id).await?;
    get(store, who, id).await
}

/// Submissions the principal may read.
pub async fn list(
    store: &Store,
    who: &Principal,
    mut filter: SubmissionFilter,
) -> Result<Vec<Submission>, CollectionError> {
    if !who.can_review() {
        if !who.role.needs_units() {
            return forbid("read submissions");
        }
        let mine: Vec<UnitKey> = match filter.units.take() {
            Some(asked) => asked.into_iter().filter(|u| who.units.contains(u)).collect(),
            None => who.units.clone(),
        };
        filter.units = Some(mine);
    }
    Ok(store.submissions(&filter).await?)
}

/// Who has reported under a regime for a period, on time or late, and who has not.
pub async fn completeness(
    store: &Store,
    who: &Principal,
    regime: &str,
    period: Period,
) -> Result<(Regime, Vec<Standing>), CollectionError> {
    if !who.can_review() {
        return forbid("see completeness");
    }
    let cx = context(store, regime).await?;
    if !cx.regime.fits(period) {
        return Err(CollectionError::BadRequest(format!("{period} is not a period of regime {}", cx.regime.key)));
    }
    let units = regime_units(&cx.registry, &cx.regime, period);
    let subs = store
        .submissions(&SubmissionFilter {
            regime: Some(cx.regime.key.to_string()),
            period: Some(period),
            ..Default::default()
        })
        .await?;
    let standings = model::collection::completeness(&cx.regime, period, &units, &subs, Utc::now().date_naive());
    Ok((cx.regime, standings))
}

pub async fn audit(
    store: &Store,
    who: &Principal,
    filter: &AuditFilter,
    page: Page,
) -> Result<Paged<AuditEntry>, CollectionError> {
    if !who.can_review() {
        return forbid("read the audit log");
    }
    Ok(store.audit_log(filter, page).await?)
}

/// The regimes a principal reports under (all of them for a reviewer), with its units
/// in each for the period.
pub async fn my_regimes(
    store: &Store,
    who: &Principal,
    period: Option<Period>,
) -> Result<Vec<(Regime, Vec<UnitKey>)>, CollectionError> {
    let registry = crate::registry(store).await?;
    let today = Utc::now().date_naive();
    let mut out = Vec::new();
    for r in store.regimes().await? {
        let p = period.unwrap_or_else(|| model::Period::of_kind_containing(r.period_kind, today));
        let units: Vec<UnitKey> =
            regime_units(&registry, &r, p).into_iter().filter(|u| who.can_review() || who.can_report_for(u)).collect();
        if !units.is_empty() {
            out.push((r, units));
        }
    }
    Ok(out)
}

/// The submission status as a person reads it.
pub fn status_label(s: SubmissionStatus, lang: Lang) -> &'static str {
    lang.pick(s.label_vi(), Some(s.label_en()))
}
