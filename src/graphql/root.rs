//! The root types: every domain's queries and mutations merged.

use async_graphql::MergedObject;

use super::{
    account::{AccountMutation, AccountQuery},
    content::{ContentMutation, ContentQuery},
    deal::DealMutation,
    engagement::EngagementQuery,
    identity::{IdentityMutation, IdentityQuery},
    node::NodeQuery,
    opportunity::{OpportunityMutation, OpportunityQuery},
    persona::{PersonaMutation, PersonaQuery},
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
    PersonaMutation,
);
