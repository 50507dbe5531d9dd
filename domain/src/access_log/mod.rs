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

mod model;
mod policy;
mod store;

use std::collections::BTreeSet;

pub use model::*;

use crate::db::Tx;
use crate::error::{DomainError, Result};
use crate::ids::AccessEntryId;
use crate::page::{Page, PageRequest};
use crate::principal::Principal;

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
        store::insert(&tx, principal, channel, &reads).await
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
    policy::require_reader(principal)?;
    filter.check()?;
    let tx = tx.scoped(principal).await?;
    let page = store::list_in(&tx, filter, &page).await?;
    Ok(page)
}

/// One entry of the tenant's access log. Steering only.
pub async fn get(tx: &Tx, principal: &Principal, id: AccessEntryId) -> Result<AccessEntry> {
    policy::require_reader(principal)?;
    let tx = tx.scoped(principal).await?;
    store::find(&tx, id).await?.ok_or(DomainError::NotFound {
        entity: "access entry",
    })
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

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
