//! Participants: the people a PLIE accompanies, their single referent, their path, their
//! employment and training episodes, and whether they leave for a lasting job.
//!
//! Rules (DESIGN.md §5): at creation a participant lives in a commune of the tenant's
//! perimeter, is allowed to work in France, is at least 16, and has at least one integration
//! difficulty or targeting criterion (long-term job seeker, RSA, priority neighbourhood,
//! education level 3 or below, 55 or more, recognised disability, or a recorded difficulty);
//! consent is recorded. A participant is `CANDIDATE` until the validation committee admits
//! (`ACTIVE`) or refuses (`REFUSED`) the entry, then `EXITED` once an exit is recorded; the rule
//! engine in [`exit_assessment`] decides whether an employment or training exit is positive. Each
//! participant has exactly one referent. Visibility is in [`policy`]. Anonymisation erases
//! personal data and keeps the anonymous facts statistics need.

pub mod exit_assessment;
pub mod exit_recording;
pub mod import;
mod model;
pub mod path;
pub mod policy;
mod store;
mod write;

pub use model::*;
pub(crate) use store::{due_for_anonymisation, ids_of_referent};
pub use write::{anonymise, create, reassign_referent, refuse_entry, update, validate_entry};

use std::collections::HashMap;

use base64::Engine as _;

use crate::db::Tx;
use crate::error::{DomainError, Result};
use crate::ids::ParticipantId;
use crate::page::{Page, PageRequest};
use crate::principal::Principal;

/// A participant the principal may see, inside a transaction (for other areas' writes).
pub(crate) async fn find_visible_in(
    tx: &crate::db::TenantTx,
    principal: &Principal,
    id: ParticipantId,
) -> Result<Participant> {
    let found = store::find_visible(tx, principal, id).await?;
    policy::require_owner(principal, &found)?;
    Ok(found)
}

/// A participant the principal may read (a provider: one of its cohorts'), in `tx`.
pub(crate) async fn find_readable_in(
    tx: &crate::db::TenantTx,
    principal: &Principal,
    id: ParticipantId,
) -> Result<Participant> {
    store::find_visible(tx, principal, id).await
}

/// The subject of the audit entries of [`rekey_names`].
pub const REKEY_SUBJECT: &str = "system:search-key";

/// Bring every tenant's stored name keys up to the current folding rule
/// ([`crate::text::name_key`]), one transaction per tenant, audited as `participants.rekeyed`
/// where any key changed; how many participants were re-keyed. Run at start-up: it reads each
/// participant's names once and writes only the keys that differ, so after the first run
/// following a change of the rule it writes nothing.
#[expect(clippy::disallowed_methods, reason = "a job's entry point")]
pub async fn rekey_names(db: &crate::db::Db) -> Result<usize> {
    use crate::db::Mode;
    use crate::principal::{Role, TenantScope};
    let tenants = db
        .run(Mode::Read, async |tx| {
            crate::tenants::every_tenant(tx).await
        })
        .await?;
    let mut total = 0;
    for t in tenants {
        let scope = TenantScope {
            id: crate::ids::TenantId(t.id),
            slug: t.slug.clone(),
        };
        let system = Principal::system(scope, REKEY_SUBJECT, Role::Steering);
        total += db
            .run(Mode::write(), async |tx| {
                let change = tx
                    .registry()
                    .enter(crate::ids::TenantId(t.id))
                    .await?
                    .change(&system)
                    .await?;
                let changed = store::rekey(&change).await?;
                if changed == 0 {
                    change.unchanged().await?;
                } else {
                    change
                        .commit(crate::audit::Action {
                            name: "participants.rekeyed",
                            object_type: "Tenant",
                            object_id: t.id,
                        })
                        .await?;
                }
                Ok(changed)
            })
            .await?;
    }
    Ok(total)
}

/// Lock the participant's row until the transaction ends (`FOR UPDATE` on PostgreSQL; SQLite
/// serialises write transactions): rules that count a person's memberships hold on to it.
pub(crate) async fn lock(tx: &crate::db::TenantTx, id: ParticipantId) -> Result<()> {
    store::lock(tx, id).await
}

/// The referent following `id`, in `tx` (to notify them; not a read on anyone's behalf).
pub(crate) async fn referent_of(
    tx: &crate::db::TenantTx,
    id: ParticipantId,
) -> Result<crate::ids::StaffId> {
    store::referent_of(tx, id).await
}

/// One participant the principal may see.
pub async fn get(tx: &Tx, principal: &Principal, id: ParticipantId) -> Result<Participant> {
    let tx = tx.scoped(principal).await?;
    let found = store::find_visible(&tx, principal, id).await?;
    Ok(found)
}

/// What a page of participants brings along, when the caller will show it.
#[derive(Clone, Copy, Debug, Default)]
pub struct ListWith {
    /// How many match in all (never under the RSA filter: [`count_is_disclosed`]).
    pub total_count: bool,
    /// The commune of each participant on the page, as its summary (without its priority
    /// neighbourhoods), read by the page's own statement.
    pub communes: bool,
}

/// A page of the participants the principal may see, in the shape `S` (a
/// [`ParticipantBrief`] reads 7 columns, a [`ParticipantSummary`] 11, a whole [`Participant`]
/// 28, and each row its sort key), each with (when
/// `with.communes`) the summary of the commune it lives in. The cursor is opaque: the sort
/// value and the ID of the last row.
pub async fn list<S: Shape>(
    tx: &Tx,
    principal: &Principal,
    filter: &ParticipantFilter,
    sort: ParticipantSort,
    first: Option<i32>,
    after: Option<&str>,
    with: ListWith,
) -> Result<Page<Listed<S>>> {
    policy::require_reader(principal)?;
    if filter.rsa_beneficiary.is_some() {
        // Being listed under the filter discloses each one's RSA status.
        policy::require_sensitive_filter(principal)?;
        if first == Some(0) {
            return Err(DomainError::validation(
                "first",
                "with the rsaBeneficiary filter, a page lists at least one participant",
            ));
        }
    }
    let request =
        PageRequest::new(first, None)?.counting(with.total_count && count_is_disclosed(filter));
    let after = after.map(decode_cursor).transpose()?;
    if filter
        .search
        .as_deref()
        .is_some_and(|s| s.chars().count() > 200)
    {
        return Err(DomainError::validation(
            "search",
            "must be at most 200 characters",
        ));
    }
    let tx = tx.scoped(principal).await?;
    let (rows, total) = store::list::<S>(
        &tx,
        principal,
        filter,
        sort,
        &request,
        after.clone(),
        with.communes,
    )
    .await?;
    let mut page = Page::from_rows(rows, &request, total);
    page.has_previous_page = after.is_some();
    Ok(page)
}

/// A participant on a page of [`list`]: its place in the list, the participant in the shape
/// asked, and its commune's summary when [`ListWith::communes`] asked for it (`None` when it
/// has no commune, or when it was not asked).
#[derive(Clone, Debug)]
pub struct Listed<S> {
    pub cursor: Cursor,
    pub participant: S,
    pub commune: Option<crate::tenants::CommuneSummary>,
}

/// Whether the number of participants matching `filter` may be told. Under the RSA filter it
/// is not: combined with a narrow search, a count would disclose the status of people it does
/// not list, and so record no access entry for them.
pub fn count_is_disclosed(filter: &ParticipantFilter) -> bool {
    filter.rsa_beneficiary.is_none()
}

/// A row's place in a list of participants: its sort value and its ID. The client sees it
/// encoded ([`Cursor::encode`]), and only when it asks for it.
#[derive(Clone, Debug)]
pub struct Cursor {
    value: Option<String>,
    id: ParticipantId,
}

impl Cursor {
    /// `id|value`, or `id` alone when the row has no sort value (no entry date yet: such rows
    /// come last, ordered by ID), in URL-safe base64.
    pub fn encode(&self) -> String {
        let mut id = uuid::Uuid::encode_buffer();
        let id = self.id.0.hyphenated().encode_lower(&mut id);
        let mut text =
            String::with_capacity(id.len() + 1 + self.value.as_ref().map_or(0, String::len));
        text.push_str(id);
        if let Some(value) = &self.value {
            text.push('|');
            text.push_str(value);
        }
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
    }
}

fn decode_cursor(cursor: &str) -> Result<(Option<String>, uuid::Uuid)> {
    let bad = || DomainError::validation("after", "is not a cursor of this list");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (id, value) = match text.split_once('|') {
        Some((id, value)) => (id, Some(value.to_owned())),
        None => (text.as_str(), None),
    };
    Ok((value, uuid::Uuid::parse_str(id).map_err(|_| bad())?))
}

/// Batch read for dataloaders: the participants among `ids` the principal may see, in the
/// shape `S`.
pub async fn load_many<S: Shape>(
    tx: &Tx,
    principal: &Principal,
    ids: &[ParticipantId],
) -> Result<HashMap<ParticipantId, S>> {
    policy::require_reader(principal)?;
    let tx = tx.scoped(principal).await?;
    let found = store::find_many::<S>(&tx, principal, ids).await?;
    Ok(found.into_iter().map(|p| (p.id(), p)).collect())
}

/// Batch read for dataloaders: the path steps of the visible participants among `ids`.
pub async fn path_steps_of(
    tx: &Tx,
    principal: &Principal,
    ids: &[ParticipantId],
) -> Result<HashMap<ParticipantId, Vec<PathStep>>> {
    let tx = tx.scoped(principal).await?;
    let visible = visible_ids(&tx, principal, ids).await?;
    let steps = store::path_steps_of(&tx, &visible).await?;
    Ok(steps)
}

/// One path step, for whoever may read its participant's path (steering, their referent);
/// `NOT_FOUND` otherwise.
pub async fn path_step(
    tx: &Tx,
    principal: &Principal,
    id: crate::ids::PathStepId,
) -> Result<PathStep> {
    let not_found = || DomainError::NotFound {
        entity: "path step",
    };
    let tx = tx.scoped(principal).await?;
    let step = store::find_step(&tx, id).await?.ok_or_else(not_found)?;
    if visible_ids(&tx, principal, &[step.participant_id])
        .await?
        .is_empty()
    {
        return Err(not_found());
    }
    Ok(step)
}

/// One episode, for whoever may read its participant's path (steering, their referent);
/// `NOT_FOUND` otherwise.
pub async fn episode(tx: &Tx, principal: &Principal, id: crate::ids::EpisodeId) -> Result<Episode> {
    let not_found = || DomainError::NotFound { entity: "episode" };
    let tx = tx.scoped(principal).await?;
    let owner = store::episode_owner(&tx, id, false)
        .await?
        .ok_or_else(not_found)?;
    let visible = visible_ids(&tx, principal, &[owner]).await?;
    store::episodes_of(&tx, &visible)
        .await?
        .remove(&owner)
        .and_then(|list| list.into_iter().find(|e| e.id == id))
        .ok_or_else(not_found)
}

/// Batch read for dataloaders: the episodes of the visible participants among `ids`.
pub async fn episodes_of(
    tx: &Tx,
    principal: &Principal,
    ids: &[ParticipantId],
) -> Result<HashMap<ParticipantId, Vec<Episode>>> {
    let tx = tx.scoped(principal).await?;
    let visible = visible_ids(&tx, principal, ids).await?;
    let episodes = store::episodes_of(&tx, &visible).await?;
    Ok(episodes)
}

/// Batch read for dataloaders: the exits of the visible participants among `ids`.
pub async fn exits_of(
    tx: &Tx,
    principal: &Principal,
    ids: &[ParticipantId],
) -> Result<HashMap<ParticipantId, Exit>> {
    let tx = tx.scoped(principal).await?;
    let visible = visible_ids(&tx, principal, ids).await?;
    let exits = store::exits_of(&tx, &visible).await?;
    Ok(exits)
}

async fn visible_ids(
    tx: &crate::db::TenantTx,
    principal: &Principal,
    ids: &[ParticipantId],
) -> Result<Vec<ParticipantId>> {
    policy::require_reader(principal)?;
    match policy::visible(principal) {
        policy::Visible::All => return Ok(ids.to_vec()),
        // The action's few fields only: no path, episodes or exit.
        policy::Visible::OfProvider(_) => return Ok(Vec::new()),
        _ => {}
    }
    Ok(store::find_many::<ParticipantBrief>(tx, principal, ids)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect())
}
