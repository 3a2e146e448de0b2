//! The root types: every domain's queries and mutations merged.

use async_graphql::MergedObject;

use super::{
    identity::{IdentityMutation, IdentityQuery},
    node::NodeQuery,
    persona::{PersonaMutation, PersonaQuery},
};

#[derive(MergedObject, Default)]
pub struct Query(NodeQuery, IdentityQuery, PersonaQuery);

#[derive(MergedObject, Default)]
pub struct Mutation(IdentityMutation, PersonaMutation);
