//! The `participants` list (its filters, sort and count) and the `participant` query.

use async_graphql::{Context, ID, Object, SimpleObject};
use parcours_domain::DomainError;
use parcours_domain::access_log::SensitiveField;
use parcours_domain::ids::{CommuneId, StaffId};
use parcours_domain::participants::{
    self as domain, Participant, ParticipantBrief, ParticipantSummary,
};
use parcours_domain::tenants::CommuneSummary;

use super::participant::ParticipantShape;
use super::{ParticipantObj, ParticipantStatus, participant_id};
use crate::graphql::inline::{Inline, InlineConnection};
use crate::graphql::scalars::Date;
use crate::graphql::{GqlResult, ids, req};
use async_graphql::connection::Connection;

mirror_enum!(
    /// How to order participants; ties are broken by ID, so every order is total and a cursor
    /// resumes exactly after its row.
    ParticipantSort => domain::ParticipantSort {
        /// By the folded last name, then first name (accents and case ignored); participants
        /// whose names were erased come first.
        Name,
        /// By entry date, oldest first; participants without an entry date come last.
        EntryDate,
    }
);

#[derive(Default)]
pub struct ParticipantQuery;

#[Object]
impl ParticipantQuery {
    /// The participants the caller may see: steering the whole tenant, a referent their own
    /// portfolio.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    #[expect(clippy::too_many_arguments, reason = "one GraphQL argument each")]
    async fn participants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last edge already read: a cursor from this same list (same sort and filters), at most 1,024 characters."
        )]
        after: Option<String>,
        #[graphql(desc = "Only this status.")] status: Option<ParticipantStatus>,
        #[graphql(desc = "Only this referent's participants.")] referent_id: Option<ID>,
        #[graphql(desc = "Only residents of this commune.")] commune_id: Option<ID>,
        #[graphql(
            desc = "Only residents (true) or non-residents (false) of priority neighbourhoods."
        )]
        priority_neighbourhood: Option<bool>,
        #[graphql(
            desc = "Only RSA beneficiaries (true) or not (false). Steering and referents only; each participant listed is recorded in the access log, `totalCount` is null and `first` at least 1."
        )]
        rsa_beneficiary: Option<bool>,
        #[graphql(desc = "Entered on or after this date.")] entered_from: Option<Date>,
        #[graphql(desc = "Entered on or before this date.")] entered_to: Option<Date>,
        #[graphql(
            desc = "Text in the last or first name, compared as names are keyed: case, accents, ligatures, apostrophes, hyphens and spaces ignored (\"laetitia\" finds Lætitia, \"ndiaye\" finds N’Diaye); at least one letter or digit, at most 200 characters."
        )]
        search: Option<String>,
        #[graphql(desc = "Order (default NAME).")] sort: Option<ParticipantSort>,
    ) -> async_graphql::Result<
        Option<
            InlineConnection<ids::EdgeCursor, Inline<ParticipantObj>, ParticipantConnectionFields>,
        >,
    > {
        let filter = domain::ParticipantFilter {
            status: status.map(Into::into),
            referent_id: referent_id
                .map(|id| ids::decode(&id, "StaffMember", "referent").map(StaffId))
                .transpose()
                .gql(ctx)?,
            commune_id: commune_id
                .map(|id| ids::decode(&id, "Commune", "commune").map(CommuneId))
                .transpose()
                .gql(ctx)?,
            priority_neighbourhood,
            rsa_beneficiary,
            entered_from: entered_from.map(|d| d.0),
            entered_to: entered_to.map(|d| d.0),
            search,
        };
        // The domain's cursor (a sort key and an ID) travels inside the list's tagged one.
        let tag = ids::ListTag::of(ctx);
        let after = after
            .map(|c| {
                tag.position(&c).and_then(|p| {
                    String::from_utf8(p).map_err(|_| {
                        DomainError::validation("after", "is not a cursor of this list")
                    })
                })
            })
            .transpose()
            .gql(ctx)?;
        // The page's own statement reads the communes' summaries when that is all the
        // selection asks of them; otherwise the communes are read whole in one batch.
        let communes = [
            ctx.look_ahead()
                .field("edges")
                .field("node")
                .field("commune"),
            ctx.look_ahead().field("nodes").field("commune"),
        ];
        let with = domain::ListWith {
            total_count: crate::graphql::counts(ctx),
            communes: communes.iter().any(|c| c.exists())
                && communes
                    .into_iter()
                    .all(crate::graphql::tenants::summary_suffices),
        };
        // The connection shows participants as `edges { node }` and as `nodes`.
        let shown = ctx.look_ahead();
        let shape = [shown.field("edges").field("node"), shown.field("nodes")]
            .into_iter()
            .map(super::participant::shape_of)
            .max()
            .unwrap_or(ParticipantShape::Brief);
        let page = match shape {
            ParticipantShape::Brief => {
                list::<ParticipantBrief>(ctx, &filter, sort, first, after.as_deref(), with).await?
            }
            ParticipantShape::Summary => {
                list::<ParticipantSummary>(ctx, &filter, sort, first, after.as_deref(), with)
                    .await?
            }
            ParticipantShape::Whole => {
                list::<Participant>(ctx, &filter, sort, first, after.as_deref(), with).await?
            }
        };
        // Each participant answers `commune` from the summary its row came with; the
        // request's loader gets each of them once, for the same communes asked elsewhere.
        let mut communes: Vec<CommuneSummary> = Vec::new();
        for (_, p) in &page.items {
            if let Some(c) = p.commune_read()
                && !communes.iter().any(|seen| seen.id == c.id)
            {
                communes.push(c.clone());
            }
        }
        crate::graphql::loaders::prime_communes(ctx, communes).await;
        let shown: Vec<&ParticipantBrief> = page.items.iter().map(|(_, p)| &p.shown).collect();
        if rsa_beneficiary.is_some() {
            // Listed under the filter, each one's RSA status is disclosed, selected or not.
            for p in &shown {
                crate::graphql::access::note(ctx, p.id, SensitiveField::RsaBeneficiary);
            }
        }
        crate::graphql::loaders::prime_participants(ctx, &shown).await?;
        let mut conn = Connection::with_additional_fields(
            page.has_previous_page,
            page.has_next_page,
            ParticipantConnectionFields {
                total_count: page
                    .total_count
                    .map(|n| i64::try_from(n).unwrap_or(i64::MAX)),
            },
        );
        conn.edges.extend(page.items.into_iter().map(|(cursor, p)| {
            async_graphql::connection::Edge::new(
                ids::EdgeCursor::Participant(tag, cursor),
                p.into(),
            )
        }));
        Ok(Some(InlineConnection(conn)))
    }

    /// One participant.
    async fn participant(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<ParticipantObj>> {
        let r = req(ctx);
        let id = participant_id(&id).gql(ctx)?;
        let p = domain::get(&r.tx, &r.principal, id).await.gql(ctx)?;
        Ok(Some(ParticipantObj::from(p)))
    }
}

/// Fields of the participants connection beside edges and page info.
#[derive(SimpleObject)]
pub struct ParticipantConnectionFields {
    /// How many participants match the filters, over all pages; null under the
    /// `rsaBeneficiary` filter (a count would disclose the status of people it does not list).
    pub total_count: Option<i64>,
}

/// A page of participants read in the shape `S`, as the objects the connection shows (each
/// with its commune's summary when `with.communes` asked for it).
async fn list<S>(
    ctx: &Context<'_>,
    filter: &domain::ParticipantFilter,
    sort: Option<ParticipantSort>,
    first: Option<i32>,
    after: Option<&str>,
    with: domain::ListWith,
) -> async_graphql::Result<parcours_domain::page::Page<(domain::Cursor, ParticipantObj)>>
where
    S: domain::Shape,
    ParticipantObj: From<S>,
{
    let r = req(ctx);
    let sort = sort.unwrap_or(ParticipantSort::Name).into();
    let page = domain::list::<S>(&r.tx, &r.principal, filter, sort, first, after, with)
        .await
        .gql(ctx)?;
    Ok(page.map(|listed| {
        (
            listed.cursor,
            ParticipantObj::from(listed.participant).with_commune(listed.commune),
        )
    }))
}
