//! Reporting regimes, submissions and the audit log. Every change to a submission and
//! every figure it publishes is written with its audit entries in one transaction; an
//! approval appends the figures to the values as new revisions, never overwriting.

use chrono::{DateTime, SubsecRound, Utc};
use model::collection::{Regime, Submission, SubmissionStatus, SubmittedValue};
use model::{AgencyRef, IndicatorKind, NewValue, Period, Provenance, RegimeKey, UnitKey};
use serde::Serialize;

use crate::conn::{Conn, Param, Select, bind_all, exec, run};
use crate::rows::{datum, key, opt_parse, parse};
use crate::{Page, Paged, Result, Store, StoreError};

#[derive(sqlx::FromRow)]
struct RegimeRow {
    key: String,
    name: String,
    name_en: Option<String>,
    period_kind: String,
    due_days: i64,
    first_period: Option<String>,
    indicators: String,
    units: String,
    source: Option<String>,
}

fn agencies(text: &str) -> Result<Vec<AgencyRef>> {
    text.split(';')
        .filter(|s| !s.is_empty())
        .map(|s| match s.strip_prefix("group:") {
            Some(g) => Ok(AgencyRef::Group(key("regime group", g.to_owned())?)),
            None => Ok(AgencyRef::Unit(key("regime unit", s.to_owned())?)),
        })
        .collect()
}

impl RegimeRow {
    fn into_model(self) -> Result<Regime> {
        Ok(Regime {
            key: key("regime key", self.key)?,
            name: self.name,
            name_en: self.name_en,
            period_kind: parse("period kind", &self.period_kind)?,
            due_days: u32::try_from(self.due_days).map_err(|e| StoreError::Corrupt(format!("due days: {e}")))?,
            first_period: self.first_period.as_deref().map(|p| parse("first period", p)).transpose()?,
            indicators: self
                .indicators
                .split(';')
                .filter(|s| !s.is_empty())
                .map(|s| key("regime indicator", s.to_owned()))
                .collect::<Result<_>>()?,
            units: agencies(&self.units)?,
            source: self.source,
        })
    }
}

pub(crate) async fn read_regimes(c: &mut Conn<'_>) -> Result<Vec<Regime>> {
    let rows: Vec<RegimeRow> =
        run!(c, |c| sqlx::query_as("SELECT * FROM regimes ORDER BY key").fetch_all(&mut *c).await)?;
    rows.into_iter().map(RegimeRow::into_model).collect()
}

#[derive(sqlx::FromRow)]
struct SubmissionRow {
    id: i64,
    regime: String,
    unit: String,
    period: String,
    status: String,
    comment: Option<String>,
    updated_at: DateTime<Utc>,
    first_submitted_at: Option<DateTime<Utc>>,
    decided_at: Option<DateTime<Utc>>,
    decided_by: Option<String>,
}

#[derive(sqlx::FromRow)]
struct SubmittedRow {
    indicator: String,
    value: String,
    numerator: Option<String>,
    denominator: Option<String>,
    note: Option<String>,
    kind: String,
}

impl SubmittedRow {
    fn into_model(self) -> Result<SubmittedValue> {
        let kind: IndicatorKind = parse("indicator kind", &self.kind)?;
        Ok(SubmittedValue {
            indicator: key("submitted indicator", self.indicator)?,
            value: datum(kind, &self.value)?,
            numerator: opt_parse("numerator", &self.numerator)?,
            denominator: opt_parse("denominator", &self.denominator)?,
            note: self.note,
        })
    }
}

/// Which submissions to list.
#[derive(Debug, Clone, Default)]
pub struct SubmissionFilter {
    pub regime: Option<String>,
    /// Only these units (a reporter's); None for every unit.
    pub units: Option<Vec<UnitKey>>,
    pub period: Option<Period>,
    pub status: Option<SubmissionStatus>,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// "user:lan", "token:3", "cli".
    pub actor: String,
    pub action: String,
    /// "submission:12", "value:gov.online_dossier_rate/ha-noi/2024-H1", "token:3".
    pub subject: String,
    pub unit: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at: DateTime<Utc>,
    actor: String,
    action: String,
    subject: String,
    unit: Option<String>,
    before: Option<String>,
    after: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Entries whose subject starts with this ("submission:12").
    pub subject: Option<String>,
    pub unit: Option<String>,
    pub actor: Option<String>,
}

/// An audit entry to write.
#[derive(Debug, Clone)]
pub struct NewAudit<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub subject: String,
    pub unit: Option<&'a UnitKey>,
    pub before: Option<String>,
    pub after: Option<String>,
}

async fn audit(c: &mut Conn<'_>, e: &NewAudit<'_>, at: DateTime<Utc>) -> Result<()> {
    exec!(c, |c| sqlx::query(
        "INSERT INTO audit_log (at, actor, action, subject, unit, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(at)
    .bind(e.actor)
    .bind(e.action)
    .bind(&e.subject)
    .bind(e.unit.map(|u| u.to_string()))
    .bind(&e.before)
    .bind(&e.after))?;
    Ok(())
}

/// A submitted figure as the audit log shows it.
fn shown(v: &SubmittedValue) -> String {
    let mut s = v.value.to_text();
    if let (Some(n), Some(d)) = (v.numerator, v.denominator) {
        s.push_str(&format!(" ({n}/{d})"));
    }
    if let Some(note) = &v.note {
        s.push_str(&format!(" — {note}"));
    }
    s
}

const SUBMISSION_COLUMNS: &str = "SELECT id, regime, unit, period, status, comment, updated_at, first_submitted_at, decided_at, decided_by FROM submissions";

impl Store {
    pub async fn regimes(&self) -> Result<Vec<Regime>> {
        let mut pooled = self.acquire().await?;
        read_regimes(&mut pooled.conn()).await
    }

    pub async fn regime(&self, key: &str) -> Result<Option<Regime>> {
        Ok(self.regimes().await?.into_iter().find(|r| r.key.as_str() == key))
    }

    async fn load_submissions(&self, s: &Select) -> Result<Vec<Submission>> {
        let mut pooled = self.acquire().await?;
        let c = &mut pooled.conn();
        let rows: Vec<SubmissionRow> =
            run!(c, |c| bind_all!(sqlx::query_as(&s.sql), &s.params).fetch_all(&mut *c).await)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let values: Vec<SubmittedRow> = run!(c, |c| sqlx::query_as(
                "SELECT s.indicator, s.value, s.numerator, s.denominator, s.note, i.kind
                 FROM submission_values s JOIN indicators i ON i.code = s.indicator
                 WHERE s.submission_id = $1 ORDER BY s.indicator"
            )
            .bind(row.id)
            .fetch_all(&mut *c)
            .await)?;
            out.push(Submission {
                id: row.id,
                regime: key("submission regime", row.regime)?,
                unit: key("submission unit", row.unit)?,
                period: parse("submission period", &row.period)?,
                status: parse("submission status", &row.status)?,
                values: values.into_iter().map(SubmittedRow::into_model).collect::<Result<_>>()?,
                comment: row.comment,
                updated_at: row.updated_at,
                first_submitted_at: row.first_submitted_at,
                decided_at: row.decided_at,
                decided_by: row.decided_by,
            });
        }
        Ok(out)
    }

    pub async fn submission(&self, id: i64) -> Result<Option<Submission>> {
        let mut s = Select::new(SUBMISSION_COLUMNS);
        s.and("id = ?", [Param::Int(id)]);
        Ok(self.load_submissions(&s).await?.into_iter().next())
    }

    pub async fn submission_for(
        &self,
        regime: &RegimeKey,
        unit: &UnitKey,
        period: Period,
    ) -> Result<Option<Submission>> {
        let mut s = Select::new(SUBMISSION_COLUMNS);
        s.and("regime = ?", [Param::Text(regime.to_string())])
            .and("unit = ?", [Param::Text(unit.to_string())])
            .and("period = ?", [Param::Text(period.to_string())]);
        Ok(self.load_submissions(&s).await?.into_iter().next())
    }

    pub async fn submissions(&self, filter: &SubmissionFilter) -> Result<Vec<Submission>> {
        let mut s = Select::new(SUBMISSION_COLUMNS);
        if let Some(r) = &filter.regime {
            s.and("regime = ?", [Param::Text(r.clone())]);
        }
        if let Some(units) = &filter.units {
            if units.is_empty() {
                return Ok(Vec::new());
            }
            let marks = vec!["?"; units.len()].join(", ");
            s.and(&format!("unit IN ({marks})"), units.iter().map(|u| Param::Text(u.to_string())));
        }
        if let Some(p) = filter.period {
            s.and("period = ?", [Param::Text(p.to_string())]);
        }
        if let Some(st) = filter.status {
            s.and("status = ?", [Param::Text(st.as_str().to_owned())]);
        }
        s.order_by("updated_at DESC, id DESC");
        self.load_submissions(&s).await
    }

    /// Saves figures into the unit's submission for a regime and period, creating it
    /// if need be; the submission becomes a draft. `expected` is the status the caller
    /// checked the change against: if another request changed it meanwhile, nothing is
    /// written. Each figure that changed is audited.
    pub async fn save_submission(
        &self,
        regime: &RegimeKey,
        unit: &UnitKey,
        period: Period,
        expected: Option<SubmissionStatus>,
        values: &[SubmittedValue],
        actor: &str,
    ) -> Result<i64> {
        let existing = self.submission_for(regime, unit, period).await?;
        if existing.as_ref().map(|s| s.status) != expected {
            return Err(StoreError::Conflict("the submission changed meanwhile; reload it and try again".into()));
        }
        let now = Utc::now().trunc_subsecs(6);
        let mut tx = self.begin().await?;
        let id = {
            let c = &mut tx.conn();
            let id = match &existing {
                Some(s) => {
                    let n = exec!(c, |c| sqlx::query(
                        "UPDATE submissions SET status = 'draft', updated_at = $2 WHERE id = $1 AND status = $3"
                    )
                    .bind(s.id)
                    .bind(now)
                    .bind(s.status.as_str()))?;
                    if n != 1 {
                        return Err(StoreError::Conflict("the submission changed meanwhile; reload it".into()));
                    }
                    s.id
                }
                None => {
                    let (id,): (i64,) = run!(c, |c| {
                        sqlx::query_as(
                        "INSERT INTO submissions (regime, unit, period, status, updated_at) VALUES ($1, $2, $3, 'draft', $4) RETURNING id"
                    )
                    .bind(regime.as_str())
                    .bind(unit.as_str())
                    .bind(period.to_string())
                    .bind(now)
                    .fetch_one(&mut *c)
                    .await
                    })?;
                    audit(
                        c,
                        &NewAudit {
                            actor,
                            action: "create",
                            subject: format!("submission:{id}"),
                            unit: Some(unit),
                            before: None,
                            after: Some(format!("{regime} {period}")),
                        },
                        now,
                    )
                    .await?;
                    id
                }
            };
            let old: Vec<SubmittedValue> = existing.map(|s| s.values).unwrap_or_default();
            for v in values {
                let before = old.iter().find(|o| o.indicator == v.indicator);
                if before == Some(v) {
                    continue;
                }
                exec!(c, |c| sqlx::query("DELETE FROM submission_values WHERE submission_id = $1 AND indicator = $2")
                    .bind(id)
                    .bind(v.indicator.as_str()))?;
                exec!(c, |c| sqlx::query(
                    "INSERT INTO submission_values (submission_id, indicator, value, numerator, denominator, note)
                     VALUES ($1, $2, $3, $4, $5, $6)"
                )
                .bind(id)
                .bind(v.indicator.as_str())
                .bind(v.value.to_text())
                .bind(v.numerator.map(|x| x.to_string()))
                .bind(v.denominator.map(|x| x.to_string()))
                .bind(&v.note))?;
                audit(
                    c,
                    &NewAudit {
                        actor,
                        action: "edit",
                        subject: format!("submission:{id}/{}", v.indicator),
                        unit: Some(unit),
                        before: before.map(shown),
                        after: Some(shown(v)),
                    },
                    now,
                )
                .await?;
            }
            id
        };
        tx.commit().await?;
        Ok(id)
    }

    /// Moves a submission from `from` to `to` (the caller checked the step is allowed),
    /// with the reviewer's comment. An approval appends its figures to the values as
    /// new, verified revisions, each audited with the value it replaces.
    pub async fn set_submission_status(
        &self,
        id: i64,
        from: SubmissionStatus,
        to: SubmissionStatus,
        comment: Option<&str>,
        actor: &str,
    ) -> Result<()> {
        let Some(sub) = self.submission(id).await? else {
            return Err(StoreError::NotFound(format!("there is no submission {id}")));
        };
        let now = Utc::now().trunc_subsecs(6);
        let mut tx = self.begin().await?;
        {
            let c = &mut tx.conn();
            let reviewing = matches!(to, SubmissionStatus::Approved | SubmissionStatus::Returned);
            let n = exec!(c, |c| {
                sqlx::query(
                "UPDATE submissions SET status = $2, updated_at = $3,
                     comment = CASE WHEN $5 THEN $4 ELSE comment END,
                     first_submitted_at = CASE WHEN $2 = 'submitted' AND first_submitted_at IS NULL THEN $3 ELSE first_submitted_at END,
                     decided_at = CASE WHEN $5 THEN $3 ELSE decided_at END,
                     decided_by = CASE WHEN $5 THEN $6 ELSE decided_by END
                 WHERE id = $1 AND status = $7"
            )
            .bind(id)
            .bind(to.as_str())
            .bind(now)
            .bind(comment)
            .bind(reviewing)
            .bind(actor)
            .bind(from.as_str())
            })?;
            if n != 1 {
                return Err(StoreError::Conflict("the submission changed meanwhile; reload it and try again".into()));
            }
            audit(
                c,
                &NewAudit {
                    actor,
                    action: to.as_str(),
                    subject: format!("submission:{id}"),
                    unit: Some(&sub.unit),
                    before: Some(from.as_str().to_owned()),
                    after: Some(match comment {
                        Some(text) => format!("{}: {text}", to.as_str()),
                        None => to.as_str().to_owned(),
                    }),
                },
                now,
            )
            .await?;
            if to == SubmissionStatus::Approved {
                crate::write::bump_version(c).await?;
                for v in &sub.values {
                    let previous: Option<(String,)> = run!(c, |c| sqlx::query_as(
                        "SELECT value FROM indicator_values WHERE indicator = $1 AND unit = $2 AND period = $3
                         ORDER BY revision DESC LIMIT 1"
                    )
                    .bind(v.indicator.as_str())
                    .bind(sub.unit.as_str())
                    .bind(sub.period.to_string())
                    .fetch_optional(&mut *c)
                    .await)?;
                    let value = NewValue {
                        indicator: v.indicator.clone(),
                        unit: sub.unit.clone(),
                        period: sub.period,
                        value: v.value.clone(),
                        numerator: v.numerator,
                        denominator: v.denominator,
                        provenance: Provenance::Verified,
                        source: Some(format!("submission:{id}")),
                        note: v.note.clone(),
                        revision: None,
                        recorded_at: Some(now),
                    };
                    if crate::write::value(c, &value, now).await? {
                        audit(
                            c,
                            &NewAudit {
                                actor,
                                action: "publish",
                                subject: format!("value:{}/{}/{}", v.indicator, sub.unit, sub.period),
                                unit: Some(&sub.unit),
                                before: previous.map(|p| p.0),
                                after: Some(v.value.to_text()),
                            },
                            now,
                        )
                        .await?;
                    }
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Writes one audit entry on its own (accounts, tokens).
    pub async fn record(&self, entry: &NewAudit<'_>) -> Result<()> {
        let mut pooled = self.acquire().await?;
        audit(&mut pooled.conn(), entry, Utc::now().trunc_subsecs(6)).await
    }

    /// The audit log, newest first.
    pub async fn audit_log(&self, filter: &AuditFilter, page: Page) -> Result<Paged<AuditEntry>> {
        let mut s = Select::new("SELECT id, at, actor, action, subject, unit, before, after FROM audit_log");
        if let Some(subject) = &filter.subject {
            s.and("subject LIKE ?", [Param::Text(format!("{subject}%"))]);
        }
        if let Some(u) = &filter.unit {
            s.and("unit = ?", [Param::Text(u.clone())]);
        }
        if let Some(a) = &filter.actor {
            s.and("actor = ?", [Param::Text(a.clone())]);
        }
        let count_sql =
            s.sql.replacen("SELECT id, at, actor, action, subject, unit, before, after", "SELECT COUNT(*)", 1);
        let count_params = s.params.clone();
        s.order_by("id DESC").page(page.limit, page.offset);
        let mut pooled = self.acquire().await?;
        let c = &mut pooled.conn();
        let (total,): (i64,) =
            run!(c, |c| bind_all!(sqlx::query_as(&count_sql), &count_params).fetch_one(&mut *c).await)?;
        let rows: Vec<AuditRow> = run!(c, |c| bind_all!(sqlx::query_as(&s.sql), &s.params).fetch_all(&mut *c).await)?;
        let items = rows
            .into_iter()
            .map(|r| AuditEntry {
                id: r.id,
                at: r.at,
                actor: r.actor,
                action: r.action,
                subject: r.subject,
                unit: r.unit,
                before: r.before,
                after: r.after,
            })
            .collect();
        Ok(Paged { items, total })
    }
}
