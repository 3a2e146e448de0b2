//! The root types: every domain's queries and mutations merged.

use async_graphql::MergedObject;

use super::{
    account::{AccountMutation, AccountQuery},
    analytics::AnalyticsQuery,
    bulk::BulkMutation,
    content::{ContentMutation, ContentQuery},
    deal::DealMutation,
    engagement::{EngagementMutation, EngagementQuery},
    event::EventQuery,
    identity::{ChoresMutation, ChoresQuery, IdentityMutation, IdentityQuery},
    intelligence::IntelligenceQuery,
    lead::LeadMutation,
    node::NodeQuery,
    opportunity::{OpportunityMutation, OpportunityQuery},
    persona::{PersonaMutation, PersonaQuery},
    scoring::{ScoringMutation, ScoringQuery},
    stage::{StageMutation, StageQuery},
    stakeholder::{StakeholderMutation, StakeholderQuery},
};

#[derive(MergedObject, Default)]
pub struct Query(
    NodeQuery,
    IdentityQuery,
    AccountQuery,
    StakeholderQuery,
    OpportunityQuery,
    ContentQuery,
    PersonaQuery,
    EngagementQuery,
    StageQuery,
    ScoringQuery,
    AnalyticsQuery,
    IntelligenceQuery,
    ChoresQuery,
    EventQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    IdentityMutation,
    AccountMutation,
    StakeholderMutation,
    OpportunityMutation,
    DealMutation,
    ContentMutation,
    StageMutation,
    LeadMutation,
    EngagementMutation,
    ScoringMutation,
    PersonaMutation,
    BulkMutation,
    ChoresMutation,
);
