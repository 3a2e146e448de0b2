//! The root types: every domain's queries and mutations merged.

use async_graphql::MergedObject;

use super::{
    account::{AccountMutation, AccountQuery},
    identity::{IdentityMutation, IdentityQuery},
    node::NodeQuery,
    persona::{PersonaMutation, PersonaQuery},
};

#[derive(MergedObject, Default)]
pub struct Query(NodeQuery, IdentityQuery, AccountQuery, PersonaQuery);

#[derive(MergedObject, Default)]
pub struct Mutation(IdentityMutation, AccountMutation, PersonaMutation);
