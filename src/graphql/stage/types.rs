//! `StageChange` and its three types, and `stageHistory`.

use crate::graphql::related;
use async_graphql::{Context, ID, InputObject, Interface, Object};
use chrono::{DateTime, Utc};
use entity::{
    enums::{BuyingStage as BuyingStageValue, LeadStage as LeadStageValue},
    opportunity::OpportunityStage as OpportunityStageValue,
    stage_change::{Model, StageKind as Kind},
};
use sea_orm::ActiveEnum;

use crate::{
    error::AppError,
    graphql::{
        account::user,
        connection::Connection,
        db,
        deal::DealParticipant,
        enums::{BuyingStage, LeadStage, OpportunityStage, ReasonCode, StageKind},
        identity::User,
        node::{self, NodeKind},
        opportunity::Opportunity,
        page_complexity, principal,
        stakeholder::Stakeholder,
    },
    service::{
        self,
        history::{HistoryFilter, Subject},
        page::PageArgs,
    },
};

/// One stage move, as a `LeadStageChange`, an `OpportunityStageChange` or a `BuyingStageChange`.
#[derive(Interface, Clone)]
#[graphql(
    field(name = "id", ty = "ID"),
    field(name = "changed_at", ty = "DateTime<Utc>"),
    field(
        name = "changed_by",
        ty = "Option<User>",
        desc = "Null for an automatic move; `note` names its cause."
    ),
    field(name = "reason_code", ty = "Option<ReasonCode>"),
    field(name = "note", ty = "Option<&str>")
)]
pub enum StageChange {
    LeadStageChange(LeadStageChange),
    OpportunityStageChange(OpportunityStageChange),
    BuyingStageChange(BuyingStageChange),
}

/// The API object of a history row.
pub fn stage_change(m: Model) -> StageChange {
    match m.kind {
        Kind::Lead => StageChange::LeadStageChange(LeadStageChange(m)),
        Kind::Opportunity => StageChange::OpportunityStageChange(OpportunityStageChange(m)),
        Kind::Buying => StageChange::BuyingStageChange(BuyingStageChange(m)),
    }
}

/// A stage name from history, in the enum of its machine.
fn stage<T: ActiveEnum<Value = String>>(raw: &str) -> async_graphql::Result<T> {
    Ok(T::try_from_value(&raw.to_owned())
        .map_err(|_| AppError::internal(format!("unknown stage {raw} in history")))?)
}

/// A move of a stakeholder's lead stage.
#[derive(Clone)]
pub struct LeadStageChange(pub Model);

#[Object]
impl LeadStageChange {
    pub async fn id(&self) -> ID {
        node::encode(NodeKind::StageChange, self.0.id)
    }

    async fn changed_at(&self) -> DateTime<Utc> {
        self.0.changed_at
    }

    /// Null for an automatic move; `note` names its cause.
    async fn changed_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.changed_by_id).await
    }

    async fn reason_code(&self) -> Option<ReasonCode> {
        self.0.reason_code.map(Into::into)
    }

    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    async fn stakeholder(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Stakeholder>> {
        related::stakeholder(ctx, self.0.stakeholder_id).await
    }

    async fn from(&self) -> async_graphql::Result<LeadStage> {
        Ok(stage::<LeadStageValue>(&self.0.from_stage)?.into())
    }

    async fn to(&self) -> async_graphql::Result<LeadStage> {
        Ok(stage::<LeadStageValue>(&self.0.to_stage)?.into())
    }
}

/// A move of an opportunity through the pipeline.
#[derive(Clone)]
pub struct OpportunityStageChange(pub Model);

#[Object]
impl OpportunityStageChange {
    pub async fn id(&self) -> ID {
        node::encode(NodeKind::StageChange, self.0.id)
    }

    async fn changed_at(&self) -> DateTime<Utc> {
        self.0.changed_at
    }

    /// Null for an automatic move; `note` names its cause.
    async fn changed_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.changed_by_id).await
    }

    async fn reason_code(&self) -> Option<ReasonCode> {
        self.0.reason_code.map(Into::into)
    }

    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    async fn opportunity(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Opportunity>> {
        related::opportunity(ctx, self.0.opportunity_id).await
    }

    async fn from(&self) -> async_graphql::Result<OpportunityStage> {
        Ok(stage::<OpportunityStageValue>(&self.0.from_stage)?.into())
    }

    async fn to(&self) -> async_graphql::Result<OpportunityStage> {
        Ok(stage::<OpportunityStageValue>(&self.0.to_stage)?.into())
    }
}

/// A move of one buyer's own stage on one deal.
#[derive(Clone)]
pub struct BuyingStageChange(pub Model);

#[Object]
impl BuyingStageChange {
    pub async fn id(&self) -> ID {
        node::encode(NodeKind::StageChange, self.0.id)
    }

    async fn changed_at(&self) -> DateTime<Utc> {
        self.0.changed_at
    }

    /// Null for an automatic move; `note` names its cause.
    async fn changed_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.changed_by_id).await
    }

    async fn reason_code(&self) -> Option<ReasonCode> {
        self.0.reason_code.map(Into::into)
    }

    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// Null once the participant has been taken off the deal (their history stays).
    async fn participant(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<DealParticipant>> {
        related::participant(ctx, self.0.participant_id).await
    }

    async fn stakeholder(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Stakeholder>> {
        related::stakeholder(ctx, self.0.stakeholder_id).await
    }

    async fn opportunity(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Opportunity>> {
        related::opportunity(ctx, self.0.opportunity_id).await
    }

    async fn from(&self) -> async_graphql::Result<BuyingStage> {
        Ok(stage::<BuyingStageValue>(&self.0.from_stage)?.into())
    }

    async fn to(&self) -> async_graphql::Result<BuyingStage> {
        Ok(stage::<BuyingStageValue>(&self.0.to_stage)?.into())
    }
}

/// Narrows stage history.
#[derive(InputObject, Default)]
pub struct StageHistoryFilter {
    /// A stakeholder (their lead and buying moves), an opportunity (its moves and its buyers')
    /// or a deal participant.
    pub subject_id: Option<ID>,
    pub kinds: Option<Vec<StageKind>>,
    /// Moves at or after this instant.
    #[graphql(validator(custom = "crate::graphql::scalars::InRange"))]
    pub since: Option<DateTime<Utc>>,
    /// Moves before this instant.
    #[graphql(validator(custom = "crate::graphql::scalars::InRange"))]
    pub until: Option<DateTime<Utc>>,
    /// Moves made by this user.
    pub actor_id: Option<ID>,
}

/// The service's filter from the API's.
pub fn history_filter(filter: Option<StageHistoryFilter>) -> HistoryFilter {
    let f = filter.unwrap_or_default();
    HistoryFilter {
        subject: f.subject_id.map(|id| match node::decode(&id) {
            Some((NodeKind::Stakeholder, id)) => Subject::Stakeholder(id),
            Some((NodeKind::Opportunity, id)) => Subject::Opportunity(id),
            Some((NodeKind::DealParticipant, id)) => Subject::Participant(id),
            _ => Subject::Nothing,
        }),
        kinds: f.kinds.unwrap_or_default().into_iter().map(Into::into).collect(),
        since: f.since,
        until: f.until,
        actor_id: f
            .actor_id
            .map(|id| node::decode_as(&id, NodeKind::User).unwrap_or_default()),
    }
}

#[derive(Default)]
pub struct StageQuery;

#[Object]
impl StageQuery {
    /// Every stage move you may read, newest first. History is append-only.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn stage_history(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<StageHistoryFilter>,
    ) -> async_graphql::Result<Connection<StageChange>> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let page = service::history::list(db(ctx)?, principal(ctx)?, history_filter(filter), args).await?;
        Ok(page.map(stage_change).into())
    }
}
