//! Engagements in the API: every touch a person has with marketing and sales, newest first.

use crate::graphql::related;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::engagement::Model;

use crate::{
    graphql::{
        account::user,
        connection::Connection,
        content::Content,
        db,
        enums::EngagementKind,
        error::{UserError, payload},
        identity::User,
        input::{id_filter, reference},
        node::{self, NodeKind},
        opportunity::Opportunity,
        page_complexity, principal,
        stakeholder::Stakeholder,
    },
    service::{self, page::PageArgs},
};

/// One touch: "digital body language".
#[derive(Clone)]
pub struct Engagement(pub Model);

#[Object]
impl Engagement {
    pub async fn id(&self) -> ID {
        node::encode(NodeKind::Engagement, self.0.id)
    }

    /// Who engaged (engagements are listed only for people you may read).
    async fn stakeholder(&self, ctx: &Context<'_>) -> async_graphql::Result<Stakeholder> {
        related::required(related::stakeholder(ctx, Some(self.0.stakeholder_id)).await?)
    }

    async fn kind(&self) -> EngagementKind {
        self.0.kind.into()
    }

    /// The content engaged with; null when none, or not yours to see.
    async fn content(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Content>> {
        related::content(ctx, self.0.content_id).await
    }

    /// The deal it counts toward; null when none, or not yours to see.
    async fn opportunity(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Opportunity>> {
        related::opportunity(ctx, self.0.opportunity_id).await
    }

    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }

    async fn duration_seconds(&self) -> Option<i32> {
        self.0.duration_seconds
    }

    /// Who recorded it; null for touches that came in by themselves.
    async fn recorded_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.recorded_by_id).await
    }

    /// What whoever shared content said with it.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Narrows a list of engagements.
#[derive(InputObject, Default)]
pub struct EngagementFilter {
    pub stakeholder_id: Option<ID>,
    pub content_id: Option<ID>,
    pub opportunity_id: Option<ID>,
    /// Touches of any of these kinds.
    pub kinds: Option<Vec<EngagementKind>>,
    /// Touches at or after this instant.
    #[graphql(validator(custom = "crate::graphql::scalars::InRange"))]
    pub since: Option<DateTime<Utc>>,
    /// Touches recorded at or after this instant (their `createdAt`), whenever they occurred:
    /// what an integrator polls for new touches, back-dated ones included.
    #[graphql(validator(custom = "crate::graphql::scalars::InRange"))]
    pub recorded_since: Option<DateTime<Utc>>,
}

/// The service's filter from the API's.
pub fn engagement_filter(filter: Option<EngagementFilter>) -> service::engagement::EngagementFilter {
    let f = filter.unwrap_or_default();
    service::engagement::EngagementFilter {
        stakeholder_id: id_filter(f.stakeholder_id, NodeKind::Stakeholder),
        content_id: id_filter(f.content_id, NodeKind::Content),
        opportunity_id: id_filter(f.opportunity_id, NodeKind::Opportunity),
        kinds: f.kinds.unwrap_or_default().into_iter().map(Into::into).collect(),
        since: f.since,
        recorded_since: f.recorded_since,
    }
}

#[derive(Default)]
pub struct EngagementQuery;

#[Object]
impl EngagementQuery {
    /// Engagements, newest first.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn engagements(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<EngagementFilter>,
    ) -> async_graphql::Result<Connection<Engagement>> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let page =
            service::engagement::list(db(ctx)?, principal(ctx)?, engagement_filter(filter), args).await?;
        Ok(page.map(Engagement).into())
    }
}

#[derive(InputObject)]
pub struct RecordEngagementInput {
    pub stakeholder_id: ID,
    pub kind: EngagementKind,
    pub content_id: Option<ID>,
    /// A deal at the stakeholder's account the touch counts toward.
    pub opportunity_id: Option<ID>,
    /// Now when absent; not in the future.
    #[graphql(validator(custom = "crate::graphql::scalars::InRange"))]
    pub occurred_at: Option<DateTime<Utc>>,
    pub duration_seconds: Option<i32>,
}

#[derive(SimpleObject)]
pub struct RecordEngagementPayload {
    pub engagement: Option<Engagement>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct ShareContentInput {
    pub content_id: ID,
    /// 1 to 100 recipients; each gets a CONTENT_SHARED.
    pub stakeholder_ids: Vec<ID>,
    pub opportunity_id: Option<ID>,
    pub note: Option<String>,
}

#[derive(SimpleObject)]
pub struct ShareContentPayload {
    pub engagements: Vec<Engagement>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct EngagementMutation;

#[Object]
impl EngagementMutation {
    /// Records one touch. It scores against the behaviour rules and may lift an INQUIRY or
    /// NURTURE lead to MQL by itself.
    async fn record_engagement(
        &self,
        ctx: &Context<'_>,
        input: RecordEngagementInput,
    ) -> async_graphql::Result<RecordEngagementPayload> {
        let input = service::engagement::NewEngagement {
            stakeholder_id: node::decode_as(&input.stakeholder_id, NodeKind::Stakeholder),
            kind: input.kind.into(),
            content_id: reference(input.content_id.as_ref(), NodeKind::Content),
            opportunity_id: reference(input.opportunity_id.as_ref(), NodeKind::Opportunity),
            occurred_at: input.occurred_at,
            duration_seconds: input.duration_seconds,
        };
        let (engagement, user_errors) =
            payload(service::engagement::record(db(ctx)?, principal(ctx)?, input).await)?;
        Ok(RecordEngagementPayload {
            engagement: engagement.map(Engagement),
            user_errors,
        })
    }

    /// Shares content with people: one CONTENT_SHARED per recipient, all or none.
    async fn share_content(
        &self,
        ctx: &Context<'_>,
        input: ShareContentInput,
    ) -> async_graphql::Result<ShareContentPayload> {
        let input = service::engagement::Share {
            content_id: node::decode_as(&input.content_id, NodeKind::Content),
            stakeholder_ids: input
                .stakeholder_ids
                .iter()
                .map(|id| reference(Some(id), NodeKind::Stakeholder))
                .collect(),
            opportunity_id: reference(input.opportunity_id.as_ref(), NodeKind::Opportunity),
            note: input.note,
        };
        let (engagements, user_errors) =
            payload(service::engagement::share(db(ctx)?, principal(ctx)?, input).await)?;
        Ok(ShareContentPayload {
            engagements: engagements
                .unwrap_or_default()
                .into_iter()
                .map(Engagement)
                .collect(),
            user_errors,
        })
    }
}
