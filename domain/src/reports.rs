//! Reports (bilans) of a convention: a first-quarter, a mid-term and a final report, due on the
//! dates of the convention's calendar.
//!
//! Rules: the convention's provider (or steering) starts a report of a kind once, writes its
//! qualitative part and — for the mid-term and final reports — its budget statement (planned and
//! spent per budget line, resources, supporting documents among the structure's files), and
//! submits it. The quantitative part is computed from the records of the convention's cohorts
//! (prescriptions, enrolments, completions, attendance, diagnostics, FLE and CléA distributions,
//! DAQ orientations, mobility-platform referrals, exits); it is live while the report is a
//! draft and frozen at each submission. Steering reviews a submitted report: accepted, or
//! changes requested with a comment, after which the provider revises and resubmits. A final
//! report is submitted once the action has ended. A report is overdue when its due date has
//! passed and it has not been submitted (or waits for changes), including a report never
//! started. Steering reads every report; a provider its own conventions'.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use serde::{Deserialize, Serialize};

use crate::audit::Action;
use crate::cohorts::{CohortStatus, MemberStatus, Presence};
use crate::conventions;
use crate::db::{Change, TenantTx, Tx};
use crate::diagnostics::{Cefr, clea_summary};
use crate::entities::{
    attachment, attendance, cohort, cohort_member, cohort_session, diagnostic, participant_exit,
    report, report_attachment,
};
use crate::error::{DomainError, Result};
use crate::ids::{AttachmentId, ConventionId, ReportId, StructureId};
use crate::notifications::{self, Audience, Kind, Notice};
use crate::page::{Page, PageRequest};
use crate::principal::{Principal, Role};
use crate::text::{clean, clean_paragraphs};

pub use crate::conventions::ReportKind;

/// Where a report stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportStatus {
    Draft,
    Submitted,
    ChangesRequested,
    Accepted,
}

impl ReportStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::ChangesRequested => "changes_requested",
            Self::Accepted => "accepted",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            Self::Draft,
            Self::Submitted,
            Self::ChangesRequested,
            Self::Accepted,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// Whether the provider may still change it.
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::ChangesRequested)
    }
}

/// A budget line: planned and spent, in cents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetLine {
    pub label: String,
    pub planned_cents: i64,
    pub spent_cents: i64,
}

/// A resource (co-financing), in cents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    pub label: String,
    pub amount_cents: i64,
}

/// A budget statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    pub lines: Vec<BudgetLine>,
    pub resources: Vec<Resource>,
}

/// The quantitative part, computed from the records of the convention's cohorts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Quantities {
    pub cohorts: i64,
    /// Every prescription, whatever became of it.
    pub prescribed: i64,
    /// Enrolled, including those who dropped out later.
    pub enrolled: i64,
    pub declined: i64,
    pub dropped_out: i64,
    /// Still enrolled at the close of their cohort.
    pub completed: i64,
    pub attendance_records: i64,
    /// Present or late.
    pub attended: i64,
    pub diagnostics_final: i64,
    pub fle_training_needed: i64,
    /// Final diagnostics by their lowest CEFR level over the four skills: (level, count).
    pub fle_lowest_levels: Vec<(String, i64)>,
    /// Final diagnostics meeting the tenant's CléA threshold.
    pub clea_meeting_threshold: i64,
    /// For each of the 7 CléA domains, the final diagnostics that have it to train.
    pub clea_modules_to_train: Vec<i64>,
    pub daq_orientations: i64,
    pub mobility_platform_referrals: i64,
    /// Exits recorded for the enrolled participants, and the positive ones.
    pub exits: i64,
    pub positive_exits: i64,
}

impl Quantities {
    /// Attended records in percent of the records, one decimal.
    pub fn attendance_rate_percent(&self) -> Option<f64> {
        (self.attendance_records > 0).then(|| {
            (self.attended as f64 * 1000.0 / self.attendance_records as f64).round() / 10.0
        })
    }
}

/// A report.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub id: ReportId,
    pub convention_id: ConventionId,
    pub kind: ReportKind,
    pub due_date: NaiveDate,
    pub status: ReportStatus,
    pub qualitative: String,
    pub budget: Option<Budget>,
    /// Frozen at submission; `None` for a report never submitted.
    pub submitted_quantities: Option<Quantities>,
    pub attachments: Vec<AttachmentId>,
    pub review_comment: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub submitted_by: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<String>,
    pub version: i32,
}

fn scope(principal: &Principal) -> Result<Option<StructureId>> {
    match principal.role() {
        Role::Steering => Ok(None),
        Role::Provider => Ok(principal.structure()),
        _ => Err(DomainError::Forbidden(
            "reports are written by the convention's provider and read by steering",
        )),
    }
}

/// The reports the principal may read: the scope of this area.
async fn readable(tx: &TenantTx, principal: &Principal) -> Result<Select<report::Entity>> {
    let q = tx.select::<report::Entity>();
    Ok(match scope(principal)? {
        None => q,
        Some(structure) => q.filter(
            report::Column::ConventionId.is_in(conventions::ids_of_structure(tx, structure).await?),
        ),
    })
}

async fn find_readable(tx: &TenantTx, principal: &Principal, id: ReportId) -> Result<Report> {
    let row = readable(tx, principal)
        .await?
        .filter(report::Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .ok_or(DomainError::NotFound { entity: "report" })?;
    to_report(tx, row).await
}

/// One report.
pub async fn get(tx: &Tx, principal: &Principal, id: ReportId) -> Result<Report> {
    let tx = tx.scoped(principal).await?;
    let r = find_readable(&tx, principal, id).await?;
    Ok(r)
}

/// The reports the principal may read, optionally of one convention, in creation order.
pub async fn list(
    tx: &Tx,
    principal: &Principal,
    convention: Option<ConventionId>,
    page: PageRequest,
) -> Result<Page<Report>> {
    let tx = tx.scoped(principal).await?;
    let mut q = readable(&tx, principal).await?;
    if let Some(c) = convention {
        q = q.filter(report::Column::ConventionId.eq(c.0));
    }
    let total = crate::page::total(&page, &q, tx.conn()).await?;
    if let Some(after) = page.after {
        q = q.filter(report::Column::Id.gt(after));
    }
    let rows = q
        .order_by_asc(report::Column::Id)
        .limit(page.limit())
        .all(tx.conn())
        .await?;
    let out = to_reports(&tx, rows).await?;
    Ok(Page::from_rows(out, &page, total))
}

/// The live quantitative part of a report (what a submission would freeze).
pub async fn live_quantities(tx: &Tx, principal: &Principal, id: ReportId) -> Result<Quantities> {
    let tx = tx.scoped(principal).await?;
    let r = find_readable(&tx, principal, id).await?;
    let q = quantities_in(&tx, r.convention_id).await?;
    Ok(q)
}

/// Start a report of `kind` for a convention (its provider, or steering).
pub async fn start(
    tx: &Tx,
    principal: &Principal,
    convention: ConventionId,
    kind: ReportKind,
) -> Result<Report> {
    let scope = scope(principal)?;
    let tx = tx.change(principal).await?;
    let c = conventions::find_in(&tx, scope, convention).await?;
    let now = tx.now();
    let r = Report {
        id: ReportId::generate(),
        convention_id: c.id,
        kind,
        due_date: kind.due(&c),
        status: ReportStatus::Draft,
        qualitative: String::new(),
        budget: None,
        submitted_quantities: None,
        attachments: Vec::new(),
        review_comment: None,
        submitted_at: None,
        submitted_by: None,
        reviewed_at: None,
        reviewed_by: None,
        version: 1,
    };
    let mut row = to_row(&tx, &r);
    row.created_at = Set(now);
    tx.insert(row).await.map_err(|e| match e {
        DomainError::Conflict(_) => {
            DomainError::Conflict("this convention already has this report".into())
        }
        other => other,
    })?;
    tx.commit(action("report.start", r.id)).await?;
    Ok(r)
}

/// The content the provider writes.
#[derive(Clone, Debug, Default)]
pub struct ReportContent {
    pub qualitative: Option<String>,
    pub budget: Option<Budget>,
    pub attachments: Option<Vec<AttachmentId>>,
}

/// Write a draft (or a report with changes requested).
pub async fn save(
    tx: &Tx,
    principal: &Principal,
    id: ReportId,
    version: i32,
    content: ReportContent,
) -> Result<Report> {
    scope(principal)?;
    let qualitative = match content.qualitative.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(String::new()),
        Some(text) => Some(clean_paragraphs("qualitative", text, 20_000)?),
    };
    let budget = content.budget.map(check_budget).transpose()?;
    let tx = tx.change(principal).await?;
    let mut r = editable(&tx, principal, id, version).await?;
    if budget.is_some() && !r.kind.has_budget() {
        return Err(DomainError::validation(
            "budget",
            "a first-quarter report has no budget statement",
        ));
    }
    if let Some(q) = qualitative {
        r.qualitative = q;
    }
    if budget.is_some() {
        r.budget = budget;
    }
    if let Some(files) = content.attachments {
        let c = conventions::find_in(&tx, None, r.convention_id).await?;
        attach(&tx, &r, c.structure_id, &files).await?;
        r.attachments = files;
    }
    r.version += 1;
    update(&tx, &r).await?;
    tx.commit(action("report.save", r.id)).await?;
    Ok(r)
}

/// Submit (or resubmit) a report, freezing its quantitative part.
pub async fn submit(tx: &Tx, principal: &Principal, id: ReportId, version: i32) -> Result<Report> {
    scope(principal)?;
    let tx = tx.change(principal).await?;
    let mut r = editable(&tx, principal, id, version).await?;
    if r.qualitative.trim().is_empty() {
        return Err(DomainError::validation(
            "qualitative",
            "write the qualitative part before submitting",
        ));
    }
    if r.kind.has_budget() && r.budget.as_ref().is_none_or(|b| b.lines.is_empty()) {
        return Err(DomainError::validation(
            "budget",
            "a mid-term or final report carries a budget statement with at least one line",
        ));
    }
    let c = conventions::find_in(&tx, None, r.convention_id).await?;
    let today = crate::paris::wall_clock(tx.now()).date();
    if r.kind == ReportKind::Final && today <= c.end_date {
        return Err(DomainError::Conflict(format!(
            "the final report follows the end of the action ({})",
            c.end_date
        )));
    }
    r.submitted_quantities = Some(quantities_in(&tx, r.convention_id).await?);
    r.status = ReportStatus::Submitted;
    r.submitted_at = Some(tx.now());
    r.submitted_by = Some(principal.subject().to_owned());
    r.version += 1;
    update(&tx, &r).await?;
    let notice = Notice::new(Kind::ReportSubmitted, "Report", r.id.0);
    notifications::notify(&tx, principal.staff(), Audience::Steering, notice).await?;
    tx.commit(action("report.submit", r.id)).await?;
    Ok(r)
}

/// Steering accepts a submitted report, or asks for changes with a comment.
pub async fn review(
    tx: &Tx,
    principal: &Principal,
    id: ReportId,
    version: i32,
    accepted: bool,
    comment: Option<&str>,
) -> Result<Report> {
    principal.require(&[Role::Steering], "steering reviews reports")?;
    let comment = match comment.map(str::trim) {
        None | Some("") if !accepted => {
            return Err(DomainError::validation("comment", "say what should change"));
        }
        None | Some("") => None,
        Some(text) => Some(clean_paragraphs("comment", text, 5_000)?),
    };
    let tx = tx.change(principal).await?;
    let mut r = find_readable(&tx, principal, id).await?;
    if r.version != version {
        return Err(DomainError::stale("report"));
    }
    if r.status != ReportStatus::Submitted {
        return Err(DomainError::Conflict(
            "only a submitted report is reviewed".into(),
        ));
    }
    r.status = if accepted {
        ReportStatus::Accepted
    } else {
        ReportStatus::ChangesRequested
    };
    r.review_comment = comment;
    r.reviewed_at = Some(tx.now());
    r.reviewed_by = Some(principal.subject().to_owned());
    r.version += 1;
    update(&tx, &r).await?;
    let done = action(
        if accepted {
            "report.accept"
        } else {
            "report.request_changes"
        },
        r.id,
    );
    let holder = conventions::find_in(&tx, None, r.convention_id)
        .await?
        .structure_id;
    let notice = Notice::new(Kind::ReportReviewed, "Report", r.id.0);
    notifications::notify(&tx, principal.staff(), Audience::Provider(holder), notice).await?;
    tx.commit(done).await?;
    Ok(r)
}

/// A report due and not (or not acceptably) submitted.
#[derive(Clone, Debug, PartialEq)]
pub struct Overdue {
    pub convention_id: ConventionId,
    pub convention_number: String,
    pub kind: ReportKind,
    pub due_date: NaiveDate,
    /// The report, when it was started.
    pub report: Option<Report>,
}

/// The overdue reports of the conventions the principal may read, by due date.
pub async fn overdue(tx: &Tx, principal: &Principal) -> Result<Vec<Overdue>> {
    let tx = tx.scoped(principal).await?;
    let out = overdue_in(&tx, principal).await?;
    Ok(out)
}

/// [`overdue`] inside a transaction (the hourly reminder writes its notifications in it).
pub(crate) async fn overdue_in(tx: &TenantTx, principal: &Principal) -> Result<Vec<Overdue>> {
    let scope = scope(principal)?;
    let today = crate::paris::wall_clock(tx.now()).date();
    let conventions = conventions::all_in(tx, scope).await?;
    let ids: Vec<uuid::Uuid> = conventions.iter().map(|c| c.id.0).collect();
    let rows = tx
        .select::<report::Entity>()
        .filter(report::Column::ConventionId.is_in(ids))
        .all(tx.conn())
        .await?;
    let started = to_reports(tx, rows).await?;
    let mut out = Vec::new();
    for c in &conventions {
        for kind in [
            ReportKind::FirstQuarter,
            ReportKind::MidTerm,
            ReportKind::Final,
        ] {
            let due = kind.due(c);
            if due >= today {
                continue;
            }
            let report = started
                .iter()
                .find(|r| r.convention_id == c.id && r.kind == kind)
                .cloned();
            if report.as_ref().is_none_or(|r| r.status.editable()) {
                out.push(Overdue {
                    convention_id: c.id,
                    convention_number: c.number.clone(),
                    kind,
                    due_date: due,
                    report,
                });
            }
        }
    }
    out.sort_by_key(|o| (o.due_date, o.convention_number.clone()));
    Ok(out)
}

async fn editable(
    tx: &TenantTx,
    principal: &Principal,
    id: ReportId,
    version: i32,
) -> Result<Report> {
    let r = find_readable(tx, principal, id).await?;
    if r.version != version {
        return Err(DomainError::stale("report"));
    }
    if !r.status.editable() {
        return Err(DomainError::Conflict(format!(
            "a {} report no longer changes",
            r.status.as_str().replace('_', " ")
        )));
    }
    Ok(r)
}

fn check_budget(b: Budget) -> Result<Budget> {
    if b.lines.len() > 50 || b.resources.len() > 50 {
        return Err(DomainError::validation(
            "budget",
            "at most 50 lines and 50 resources",
        ));
    }
    let mut lines = Vec::with_capacity(b.lines.len());
    for (i, l) in b.lines.into_iter().enumerate() {
        let field = |f: &str| format!("budget.lines[{i}].{f}");
        if l.planned_cents < 0 || l.spent_cents < 0 {
            return Err(DomainError::validation(
                field("spent"),
                "must not be negative",
            ));
        }
        lines.push(BudgetLine {
            label: clean(&field("label"), &l.label, 200)?,
            ..l
        });
    }
    let mut resources = Vec::with_capacity(b.resources.len());
    for (i, r) in b.resources.into_iter().enumerate() {
        if r.amount_cents < 0 {
            return Err(DomainError::validation(
                format!("budget.resources[{i}].amount"),
                "must not be negative",
            ));
        }
        resources.push(Resource {
            label: clean(&format!("budget.resources[{i}].label"), &r.label, 200)?,
            ..r
        });
    }
    Ok(Budget { lines, resources })
}

/// Replace the report's supporting documents: files of the convention's structure.
async fn attach(
    tx: &Change,
    r: &Report,
    structure: StructureId,
    files: &[AttachmentId],
) -> Result<()> {
    if files.len() > 20 {
        return Err(DomainError::validation(
            "attachmentIds",
            "at most 20 documents",
        ));
    }
    let ids: Vec<uuid::Uuid> = files.iter().map(|f| f.0).collect();
    let found = tx
        .select::<attachment::Entity>()
        .filter(attachment::Column::StructureId.eq(structure.0))
        .filter(attachment::Column::Id.is_in(ids.clone()))
        .count(tx.conn())
        .await?;
    let distinct: std::collections::HashSet<_> = ids.iter().collect();
    if found as usize != distinct.len() || distinct.len() != ids.len() {
        return Err(DomainError::validation(
            "attachmentIds",
            "name distinct files uploaded by the convention's structure",
        ));
    }
    tx.delete_many::<report_attachment::Entity>()
        .filter(report_attachment::Column::ReportId.eq(r.id.0))
        .exec(tx.conn())
        .await?;
    if !ids.is_empty() {
        tx.insert_many(ids.into_iter().map(|a| report_attachment::ActiveModel {
            tenant_id: Set(tx.tenant().0),
            report_id: Set(r.id.0),
            attachment_id: Set(a),
        }))
        .await?;
    }
    Ok(())
}

/// The quantitative part of a convention, from its cohorts' records.
async fn quantities_in(tx: &TenantTx, convention: ConventionId) -> Result<Quantities> {
    let cohort_rows = tx
        .select::<cohort::Entity>()
        .filter(cohort::Column::ConventionId.eq(convention.0))
        .all(tx.conn())
        .await?;
    let cohort_ids: Vec<uuid::Uuid> = cohort_rows.iter().map(|c| c.id).collect();
    let closed: std::collections::HashSet<uuid::Uuid> = cohort_rows
        .iter()
        .filter(|c| c.status == CohortStatus::Closed.as_str())
        .map(|c| c.id)
        .collect();
    let members = tx
        .select::<cohort_member::Entity>()
        .filter(cohort_member::Column::CohortId.is_in(cohort_ids.clone()))
        .all(tx.conn())
        .await?;
    let mut q = Quantities {
        cohorts: cohort_rows.len() as i64,
        prescribed: members.len() as i64,
        clea_modules_to_train: vec![0; crate::diagnostics::CLEA_DOMAINS.len()],
        ..Quantities::default()
    };
    let mut enrolled_people = Vec::new();
    for m in &members {
        match MemberStatus::parse(&m.status) {
            Some(MemberStatus::Enrolled) => {
                q.enrolled += 1;
                if closed.contains(&m.cohort_id) {
                    q.completed += 1;
                }
                enrolled_people.push(m.participant_id);
            }
            Some(MemberStatus::DroppedOut) => {
                q.enrolled += 1;
                q.dropped_out += 1;
                enrolled_people.push(m.participant_id);
            }
            Some(MemberStatus::Declined) => q.declined += 1,
            _ => {}
        }
    }
    let sessions: Vec<uuid::Uuid> = tx
        .select::<cohort_session::Entity>()
        .select_only()
        .column(cohort_session::Column::Id)
        .filter(cohort_session::Column::CohortId.is_in(cohort_ids.clone()))
        .into_tuple()
        .all(tx.conn())
        .await?;
    let statuses: Vec<String> = tx
        .select::<attendance::Entity>()
        .select_only()
        .column(attendance::Column::Status)
        .filter(attendance::Column::SessionId.is_in(sessions))
        .into_tuple()
        .all(tx.conn())
        .await?;
    q.attendance_records = statuses.len() as i64;
    q.attended = statuses
        .iter()
        .filter(|s| matches!(Presence::parse(s), Some(Presence::Present | Presence::Late)))
        .count() as i64;
    let threshold = crate::tenants::clea_threshold(tx).await?;
    let diagnostics = tx
        .select::<diagnostic::Entity>()
        .filter(diagnostic::Column::CohortId.is_in(cohort_ids))
        .filter(diagnostic::Column::Status.eq("final"))
        .all(tx.conn())
        .await?;
    let mut levels: std::collections::BTreeMap<Cefr, i64> = Default::default();
    for d in diagnostics {
        q.diagnostics_final += 1;
        q.daq_orientations += i64::from(d.daq_orientation);
        let fle: crate::diagnostics::Fle = serde_json::from_value(d.fle)
            .map_err(|_| DomainError::Internal("stored diagnostic unreadable".into()))?;
        let mobility: crate::diagnostics::Mobility = serde_json::from_value(d.mobility)
            .map_err(|_| DomainError::Internal("stored diagnostic unreadable".into()))?;
        let clea: Vec<crate::diagnostics::Acquisition> = serde_json::from_value(d.clea)
            .map_err(|_| DomainError::Internal("stored diagnostic unreadable".into()))?;
        q.fle_training_needed += i64::from(fle.training_needed);
        q.mobility_platform_referrals += i64::from(mobility.platform_referral);
        let lowest = [fle.listening, fle.reading, fle.speaking, fle.writing]
            .into_iter()
            .min()
            .unwrap_or(Cefr::PreA1);
        *levels.entry(lowest).or_default() += 1;
        let summary = clea_summary(&clea, threshold);
        q.clea_meeting_threshold += i64::from(summary.meets_threshold);
        for domain in summary.modules_to_train {
            if let Some(n) = q.clea_modules_to_train.get_mut(domain as usize) {
                *n += 1;
            }
        }
    }
    q.fle_lowest_levels = levels
        .into_iter()
        .map(|(level, n)| (crate::diagnostics::cefr_label(level).to_owned(), n))
        .collect();
    let exits = tx
        .select::<participant_exit::Entity>()
        .filter(participant_exit::Column::ParticipantId.is_in(enrolled_people))
        .all(tx.conn())
        .await?;
    q.exits = exits.len() as i64;
    q.positive_exits = exits
        .iter()
        .filter(|e| {
            e.positive && (!e.needs_committee_validation || e.committee_validated_on.is_some())
        })
        .count() as i64;
    Ok(q)
}

fn action(name: &'static str, id: ReportId) -> Action {
    Action {
        name,
        object_type: "Report",
        object_id: id.0,
    }
}

async fn update(tx: &Change, r: &Report) -> Result<()> {
    let result = tx
        .update_many::<report::Entity>()
        .set(to_row(tx, r))
        .filter(report::Column::Id.eq(r.id.0))
        .filter(report::Column::Version.eq(r.version - 1))
        .exec(tx.conn())
        .await?;
    if result.rows_affected != 1 {
        return Err(DomainError::stale("report"));
    }
    Ok(())
}

fn to_row(tx: &TenantTx, r: &Report) -> report::ActiveModel {
    let json = |v: serde_json::Result<serde_json::Value>| v.unwrap_or_default();
    report::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(r.id.0),
        convention_id: Set(r.convention_id.0),
        kind: Set(r.kind.as_str().to_owned()),
        due_date: Set(r.due_date),
        status: Set(r.status.as_str().to_owned()),
        qualitative: Set(r.qualitative.clone()),
        budget: Set(r.budget.as_ref().map(|b| json(serde_json::to_value(b)))),
        quantities: Set(r
            .submitted_quantities
            .as_ref()
            .map(|q| json(serde_json::to_value(q)))),
        review_comment: Set(r.review_comment.clone()),
        submitted_at: Set(r.submitted_at),
        submitted_by: Set(r.submitted_by.clone()),
        reviewed_at: Set(r.reviewed_at),
        reviewed_by: Set(r.reviewed_by.clone()),
        created_at: Default::default(),
        updated_at: Set(tx.now()),
        version: Set(r.version),
    }
}

async fn to_report(tx: &TenantTx, r: report::Model) -> Result<Report> {
    to_reports(tx, vec![r])
        .await?
        .pop()
        .ok_or_else(|| DomainError::Internal("a report vanished while read".into()))
}

/// Reports with their supporting documents, read in one statement for all of them.
async fn to_reports(tx: &TenantTx, rows: Vec<report::Model>) -> Result<Vec<Report>> {
    let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.id).collect();
    let mut files: std::collections::HashMap<uuid::Uuid, Vec<AttachmentId>> = Default::default();
    if !ids.is_empty() {
        let links: Vec<(uuid::Uuid, uuid::Uuid)> = tx
            .select::<report_attachment::Entity>()
            .select_only()
            .column(report_attachment::Column::ReportId)
            .column(report_attachment::Column::AttachmentId)
            .filter(report_attachment::Column::ReportId.is_in(ids))
            .into_tuple()
            .all(tx.conn())
            .await?;
        for (report, file) in links {
            files.entry(report).or_default().push(AttachmentId(file));
        }
    }
    rows.into_iter()
        .map(|r| {
            let attachments = files.remove(&r.id).unwrap_or_default();
            to_report_with(r, attachments)
        })
        .collect()
}

fn to_report_with(r: report::Model, attachments: Vec<AttachmentId>) -> Result<Report> {
    let bad = |what: &str| DomainError::Internal(format!("stored report {what} unreadable"));
    Ok(Report {
        id: ReportId(r.id),
        convention_id: ConventionId(r.convention_id),
        kind: ReportKind::parse(&r.kind).ok_or_else(|| bad("kind"))?,
        due_date: r.due_date,
        status: ReportStatus::parse(&r.status).ok_or_else(|| bad("status"))?,
        qualitative: r.qualitative,
        budget: r
            .budget
            .map(serde_json::from_value)
            .transpose()
            .map_err(|_| bad("budget"))?,
        submitted_quantities: r
            .quantities
            .map(serde_json::from_value)
            .transpose()
            .map_err(|_| bad("quantities"))?,
        attachments,
        review_comment: r.review_comment,
        submitted_at: r.submitted_at,
        submitted_by: r.submitted_by,
        reviewed_at: r.reviewed_at,
        reviewed_by: r.reviewed_by,
        version: r.version,
    })
}
