//! The root types: every domain's queries and mutations merged.

use async_graphql::MergedObject;

use super::{
    account::{AccountMutation, AccountQuery},
    identity::{IdentityMutation, IdentityQuery},
    node::NodeQuery,
    persona::{PersonaMutation, PersonaQuery},
    stakeholder::{StakeholderMutation, StakeholderQuery},
};

#[derive(MergedObject, Default)]
pub struct Query(
    NodeQuery,
    IdentityQuery,
    AccountQuery,
    StakeholderQuery,
    PersonaQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    IdentityMutation,
    AccountMutation,
    StakeholderMutation,
    PersonaMutation,
);
