//! The root types: every domain's queries and mutations merged.

use async_graphql::MergedObject;

use super::{
    node::NodeQuery,
    persona::{PersonaMutation, PersonaQuery},
};

#[derive(MergedObject, Default)]
pub struct Query(NodeQuery, PersonaQuery);

#[derive(MergedObject, Default)]
pub struct Mutation(PersonaMutation);
