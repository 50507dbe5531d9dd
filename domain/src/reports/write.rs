//! Starting, writing, submitting and reviewing reports, each in one audited transaction.

use std::collections::HashSet;

use super::model::*;
use super::quantities::quantities_in;
use super::{policy, store};
use crate::audit::Action;
use crate::conventions;
use crate::db::{Change, TenantTx, Tx};
use crate::error::{DomainError, Result};
use crate::ids::{AttachmentId, ConventionId, ReportId, StructureId};
use crate::notifications::{self, Audience, Kind, Notice};
use crate::principal::Principal;
use crate::text::{clean, clean_paragraphs};

/// Start a report of `kind` for a convention (its provider, or steering).
pub async fn start(
    tx: &Tx,
    principal: &Principal,
    convention: ConventionId,
    kind: ReportKind,
) -> Result<Report> {
    let scope = policy::require_party(principal)?;
    let tx = tx.change(principal).await?;
    let c = conventions::find_in(&tx, scope, convention).await?;
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
    store::insert(&tx, &r).await.map_err(|e| match e {
        DomainError::Conflict(_) => {
            DomainError::Conflict("this convention already has this report".into())
        }
        other => other,
    })?;
    tx.commit(action("report.start", r.id)).await?;
    Ok(r)
}

/// Write a draft (or a report with changes requested).
pub async fn save(
    tx: &Tx,
    principal: &Principal,
    id: ReportId,
    version: i32,
    content: ReportContent,
) -> Result<Report> {
    policy::require_party(principal)?;
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
    store::update(&tx, &r).await?;
    tx.commit(action("report.save", r.id)).await?;
    Ok(r)
}

/// Submit (or resubmit) a report, freezing its quantitative part.
pub async fn submit(tx: &Tx, principal: &Principal, id: ReportId, version: i32) -> Result<Report> {
    policy::require_party(principal)?;
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
    store::update(&tx, &r).await?;
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
    policy::require_reviewer(principal)?;
    let comment = match comment.map(str::trim) {
        None | Some("") if !accepted => {
            return Err(DomainError::validation("comment", "say what should change"));
        }
        None | Some("") => None,
        Some(text) => Some(clean_paragraphs("comment", text, 5_000)?),
    };
    let tx = tx.change(principal).await?;
    let mut r = store::find_readable(&tx, principal, id).await?;
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
    store::update(&tx, &r).await?;
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

async fn editable(
    tx: &TenantTx,
    principal: &Principal,
    id: ReportId,
    version: i32,
) -> Result<Report> {
    let r = store::find_readable(tx, principal, id).await?;
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
    let found = store::count_files_of(tx, structure, ids.clone()).await?;
    let distinct: HashSet<_> = ids.iter().collect();
    if found as usize != distinct.len() || distinct.len() != ids.len() {
        return Err(DomainError::validation(
            "attachmentIds",
            "name distinct files uploaded by the convention's structure",
        ));
    }
    store::replace_attachments(tx, r.id, ids).await
}

fn action(name: &'static str, id: ReportId) -> Action {
    Action {
        name,
        object_type: "Report",
        object_id: id.0,
    }
}
