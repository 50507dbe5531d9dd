//! The access log: who read which sensitive field of which participant (CNIL guidance for
//! social accompaniment: consultations of sensitive data are traceable).
//!
//! Sensitive fields are a participant's RSA status and recognised disability. Rules:
//! - A sensitive value never leaves the service without its entry: the caller records the reads
//!   of a request (or of an export) before answering, and answers no data when recording fails.
//! - One entry per participant and field per request (a value read twice in one request, or by
//!   two paths of one query, is one entry), written in one multi-row `INSERT` per request: the
//!   cost does not grow with the number of participants shown.
//! - A refused read (`FORBIDDEN`) records nothing: nothing was disclosed.
//! - Entries hold identifiers and codes only (subject, role, participant ID, field, channel,
//!   request id), never the value read, so retention's anonymisation leaves them as they are.
//! - Append-only: the runtime role may `INSERT` and `SELECT` them, never `UPDATE` or `DELETE`.
//!   Steering reads its tenant's log; nobody else does.
//!
//! Where the values leave the service, and how each is recorded:
//! - GraphQL `Participant.rsaBeneficiary` and `Participant.recognisedDisability`, wherever a
//!   participant appears (lists, `node`, a mutation's payload, an ESF record's participant):
//!   channel `graphql`, field as named.
//! - GraphQL `EsfRecord.disability`: the participant's recognised disability copied at entry, the
//!   same fact, so it is recorded as `recognisedDisability`, channel `graphql`.
//! - The `rsaBeneficiary` filter of `participants`: every participant of a filtered page has its
//!   RSA status disclosed by being listed, selected field or not, so each is recorded as
//!   `rsaBeneficiary`, channel `graphql` (and the filter is refused to those who may not read
//!   the status).
//! - The ESF+ CSV export (`disability` column): one `recognisedDisability` entry per exported
//!   record's participant, channel `esf_export`, written by [`crate::esf::export`] itself before
//!   it returns the rows.
//!
//! Not recorded: aggregates that name nobody (indicators' share on RSA, the ESF `disability`
//! count); values a caller sends (participant creation, import), which disclose nothing back —
//! though a mutation's payload that selects a sensitive field is a read and is recorded; the PDF
//! sheets, which carry neither field.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter, Select};

use crate::db::{TenantTx, Tx};
use crate::entities::access_entry::{self, Column, Entity};
use crate::error::{DomainError, Result};
use crate::ids::{AccessEntryId, ParticipantId};
use crate::page::{Page, PageRequest, newest_first};
use crate::principal::{Principal, Role};

/// Longest `subject` filter accepted.
const MAX_SUBJECT: usize = 320;

/// A sensitive field of a participant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SensitiveField {
    RsaBeneficiary,
    RecognisedDisability,
}

impl SensitiveField {
    /// The stored code (the GraphQL field's name).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RsaBeneficiary => "rsaBeneficiary",
            Self::RecognisedDisability => "recognisedDisability",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Self::RsaBeneficiary, Self::RecognisedDisability]
            .into_iter()
            .find(|f| f.as_str() == s)
    }
}

/// How the value left the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    /// A GraphQL response.
    Graphql,
    /// The ESF+ CSV export.
    EsfExport,
}

impl Channel {
    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Graphql => "graphql",
            Self::EsfExport => "esf_export",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Self::Graphql, Self::EsfExport]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// One read of a sensitive field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Read {
    pub participant: ParticipantId,
    pub field: SensitiveField,
}

/// One recorded read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessEntry {
    pub id: AccessEntryId,
    pub at: DateTime<Utc>,
    pub subject: String,
    pub role: String,
    pub participant_id: ParticipantId,
    pub field: SensitiveField,
    pub channel: Channel,
    pub request_id: Option<String>,
}

/// Filters of the access log; all optional, combined with AND.
#[derive(Clone, Debug, Default)]
pub struct AccessFilter {
    pub participant: Option<ParticipantId>,
    pub subject: Option<String>,
    /// Inclusive lower bound.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive upper bound.
    pub to: Option<DateTime<Utc>>,
}

impl AccessFilter {
    fn check(&self) -> Result<()> {
        if let Some(subject) = &self.subject
            && (subject.trim().is_empty() || subject.chars().count() > MAX_SUBJECT)
        {
            return Err(DomainError::validation(
                "filter.subject",
                format!("must be 1 to {MAX_SUBJECT} characters"),
            ));
        }
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from > to
        {
            return Err(DomainError::validation(
                "filter.from",
                "must not be after `to`",
            ));
        }
        Ok(())
    }
}

/// Record `reads` by `principal` through `channel`, deduplicated, in one transaction of one
/// `INSERT` per thousand entries. Nothing to record costs nothing. The caller must not disclose
/// the values when this fails.
pub async fn record(
    tx: &Tx,
    principal: &Principal,
    channel: Channel,
    reads: impl IntoIterator<Item = Read>,
) -> Result<usize> {
    let reads: BTreeSet<Read> = reads.into_iter().collect();
    if reads.is_empty() {
        return Ok(0);
    }
    let reads: Vec<Read> = reads.into_iter().collect();
    let write = async {
        let tx = tx.scoped(principal).await?;
        insert(&tx, principal, channel, &reads).await
    };
    // Whatever went wrong, the answer is the same: the values may not be sent now.
    write.await.map_err(|e| match e {
        DomainError::Unavailable(detail) | DomainError::Internal(detail) => {
            DomainError::Unavailable(format!("access log not written: {detail}"))
        }
        other => DomainError::Unavailable(format!("access log not written: {other}")),
    })?;
    Ok(reads.len())
}

/// The tenant's access log, newest first. Steering only.
pub async fn list(
    tx: &Tx,
    principal: &Principal,
    filter: &AccessFilter,
    page: PageRequest,
) -> Result<Page<AccessEntry>> {
    principal.require(&[Role::Steering], "only steering staff read the access log")?;
    filter.check()?;
    let tx = tx.scoped(principal).await?;
    let page = list_in(&tx, filter, &page).await?;
    Ok(page)
}

/// One entry of the tenant's access log. Steering only.
pub async fn get(tx: &Tx, principal: &Principal, id: AccessEntryId) -> Result<AccessEntry> {
    principal.require(&[Role::Steering], "only steering staff read the access log")?;
    let tx = tx.scoped(principal).await?;
    scoped(&tx)
        .filter(Column::Id.eq(id.0))
        .one(tx.conn())
        .await?
        .map(to_entry)
        .transpose()?
        .ok_or(DomainError::NotFound {
            entity: "access entry",
        })
}

fn scoped(tx: &TenantTx) -> Select<Entity> {
    tx.select::<Entity>()
}

async fn insert(
    tx: &TenantTx,
    principal: &Principal,
    channel: Channel,
    reads: &[Read],
) -> Result<()> {
    let rows = reads.iter().map(|r| access_entry::ActiveModel {
        tenant_id: Set(tx.tenant().0),
        id: Set(AccessEntryId::generate().0),
        at: Set(tx.now()),
        subject: Set(principal.subject.clone()),
        role: Set(principal.role.as_str().to_owned()),
        participant_id: Set(r.participant.0),
        field: Set(r.field.as_str().to_owned()),
        channel: Set(channel.as_str().to_owned()),
        request_id: Set(principal.request_id.clone()),
    });
    tx.record_reads(rows.collect()).await
}

async fn list_in(
    tx: &TenantTx,
    filter: &AccessFilter,
    page: &PageRequest,
) -> Result<Page<AccessEntry>> {
    let mut query = scoped(tx);
    if let Some(participant) = filter.participant {
        query = query.filter(Column::ParticipantId.eq(participant.0));
    }
    if let Some(subject) = &filter.subject {
        query = query.filter(Column::Subject.eq(subject.as_str()));
    }
    if let Some(from) = filter.from {
        query = query.filter(Column::At.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(Column::At.lt(to));
    }
    newest_first(tx.conn(), query, Column::Id, page)
        .await?
        .try_map(to_entry)
}

fn to_entry(row: access_entry::Model) -> Result<AccessEntry> {
    let bad = |what: &str| DomainError::Internal(format!("stored access {what} unreadable"));
    Ok(AccessEntry {
        id: AccessEntryId(row.id),
        at: row.at,
        subject: row.subject,
        role: row.role,
        participant_id: ParticipantId(row.participant_id),
        field: SensitiveField::parse(&row.field).ok_or_else(|| bad("field"))?,
        channel: Channel::parse(&row.channel).ok_or_else(|| bad("channel"))?,
        request_id: row.request_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back() {
        for f in [
            SensitiveField::RsaBeneficiary,
            SensitiveField::RecognisedDisability,
        ] {
            assert_eq!(SensitiveField::parse(f.as_str()), Some(f));
        }
        for c in [Channel::Graphql, Channel::EsfExport] {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
        assert_eq!(SensitiveField::parse("email"), None);
    }

    #[test]
    fn filters_are_checked() {
        let at = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .map(|d| d.with_timezone(&Utc))
                .ok()
        };
        let bad = AccessFilter {
            from: at("2026-01-02T00:00:00Z"),
            to: at("2026-01-01T00:00:00Z"),
            ..AccessFilter::default()
        };
        assert!(bad.check().is_err(), "from after to");
        let same = AccessFilter {
            from: at("2026-01-01T00:00:00Z"),
            to: at("2026-01-01T00:00:00Z"),
            ..AccessFilter::default()
        };
        assert!(same.check().is_ok(), "an empty range is not an error");
        let blank = AccessFilter {
            subject: Some("  ".into()),
            ..AccessFilter::default()
        };
        assert!(blank.check().is_err(), "blank subject");
        let long = AccessFilter {
            subject: Some("x".repeat(MAX_SUBJECT + 1)),
            ..AccessFilter::default()
        };
        assert!(long.check().is_err(), "subject too long");
    }
}
