//! `DealParticipant` and `DealRisk`.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entity::{deal_participant, deal_risk};

use crate::graphql::{
    content::Content,
    enums::{BuyingRole, BuyingStage, RiskKind, RiskStatus, Severity},
    node::{self, NodeKind},
    opportunity::Opportunity,
    related,
    stakeholder::Stakeholder,
};

/// One stakeholder on one opportunity: their part in this deal and their own buying stage.
#[derive(Clone)]
pub struct DealParticipant(pub deal_participant::Model);

async fn opportunity(ctx: &Context<'_>, id: uuid::Uuid) -> async_graphql::Result<Opportunity> {
    related::required(related::opportunity(ctx, Some(id)).await?)
}

#[Object]
impl DealParticipant {
    pub async fn id(&self) -> ID {
        node::encode(NodeKind::DealParticipant, self.0.id)
    }

    async fn opportunity(&self, ctx: &Context<'_>) -> async_graphql::Result<Opportunity> {
        opportunity(ctx, self.0.opportunity_id).await
    }

    /// Null when the stakeholder is not yours to see.
    async fn stakeholder(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Stakeholder>> {
        related::stakeholder(ctx, Some(self.0.stakeholder_id)).await
    }

    /// Their part in this deal (it may differ from deal to deal).
    async fn role(&self) -> BuyingRole {
        self.0.role.into()
    }

    /// The deal's main contact; at most one per deal.
    async fn is_primary(&self) -> bool {
        self.0.is_primary
    }

    /// Where this buyer stands on this deal; moves through `moveBuyingStage`.
    async fn buying_stage(&self) -> BuyingStage {
        self.0.buying_stage.into()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// What could make a deal slip or fail, and how it is being answered.
#[derive(Clone)]
pub struct DealRisk(pub deal_risk::Model);

#[Object]
impl DealRisk {
    pub async fn id(&self) -> ID {
        node::encode(NodeKind::DealRisk, self.0.id)
    }

    async fn opportunity(&self, ctx: &Context<'_>) -> async_graphql::Result<Opportunity> {
        opportunity(ctx, self.0.opportunity_id).await
    }

    async fn kind(&self) -> RiskKind {
        self.0.kind.into()
    }

    async fn severity(&self) -> Severity {
        self.0.severity.into()
    }

    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// The competitor, for a COMPETITOR risk.
    async fn competitor(&self) -> Option<&str> {
        self.0.competitor.as_deref()
    }

    /// The stakeholder who raised it; null when not yours to see.
    async fn raised_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Stakeholder>> {
        related::stakeholder(ctx, self.0.raised_by_id).await
    }

    /// The content that answers it; null when not yours to see.
    async fn answered_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Content>> {
        related::content(ctx, self.0.answered_by_id).await
    }

    async fn status(&self) -> RiskStatus {
        self.0.status.into()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    async fn version(&self) -> i32 {
        self.0.version
    }
}
