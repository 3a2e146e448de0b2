//! The GraphQL layer: thin resolvers that map arguments to service calls and results to types.
//! One folder per domain; `root.rs` merges them into the schema.

pub mod account;
pub mod analytics;
pub mod bulk;
pub mod connection;
pub mod content;
pub mod cost;
pub mod deal;
pub mod directives;
pub mod document;
pub mod engagement;
pub mod enums;
pub mod error;
pub mod event;
pub mod fragments;
pub mod guardrails;
pub mod identity;
pub mod input;
pub mod intelligence;
pub mod lead;
pub mod loader;
pub mod node;
pub mod opportunity;
pub mod order;
pub mod persona;
mod related;
pub mod response_order;
mod root;
pub mod scalars;
pub mod scoring;
pub mod stage;
pub mod stakeholder;

use std::sync::Arc;

use async_graphql::{Context, EmptySubscription, Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

pub use root::{Mutation, Query};

use crate::{config::Limits, domain::authz::Principal, error::AppError, service::auth::Auth};

pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

/// The schema without any data: enough to print the SDL. No extension: see `guardrails`.
pub fn builder(limits: Limits) -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_directives(limits.max_directives)
        // "Did you mean ...?" would reveal field names to callers who may not introspect.
        .disable_suggestions()
}

/// The schemas the server runs: one with the data limits, and one with the wider limits of a
/// schema download, for callers allowed to introspect who only introspect.
#[derive(Clone)]
pub struct Schemas {
    pub data: AppSchema,
    pub download: AppSchema,
    /// The (depth, complexity) limits of each, for the messages of their errors.
    pub data_limits: (usize, usize),
    pub download_limits: (usize, usize),
}

/// The schemas the server runs, with the database as context data.
pub fn schema(limits: Limits, db: DatabaseConnection, auth: Arc<Auth>) -> Schemas {
    let data_limits = (limits.max_depth, limits.max_complexity);
    let download_limits = guardrails::download_limits(limits);
    let build = |(depth, complexity): (usize, usize)| {
        builder(limits)
            .limit_depth(depth)
            .limit_complexity(complexity)
            .data(db.clone())
            .data(auth.clone())
            .finish()
    };
    Schemas {
        data: build(data_limits),
        download: build(download_limits),
        data_limits,
        download_limits,
    }
}

/// The SDL of the schema, as committed in `schema.graphql`.
pub fn sdl() -> String {
    builder(Limits::default()).finish().sdl()
}

/// The authenticated caller; UNAUTHENTICATED when the request carried no valid token.
pub(crate) fn principal<'a>(ctx: &Context<'a>) -> Result<&'a Principal, AppError> {
    ctx.data_opt::<Principal>().ok_or(AppError::Unauthenticated)
}

/// The token settings and keys (for `login` and `refreshSession`).
pub(crate) fn auth<'a>(ctx: &Context<'a>) -> Result<&'a Auth, AppError> {
    ctx.data::<Arc<Auth>>()
        .map(|a| a.as_ref())
        .map_err(|e| AppError::internal(e.message))
}

/// The policy generation that services bump when they change who may do what.
pub(crate) fn policy<'a>(ctx: &Context<'a>) -> Result<&'a crate::service::policy::Policy, AppError> {
    Ok(auth(ctx)?.principals.policy())
}

/// The address of the client that sent the request (request data set by the transport).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub std::net::IpAddr);

/// The caller's address, when the transport knows it.
pub(crate) fn client_ip(ctx: &Context<'_>) -> Option<std::net::IpAddr> {
    ctx.data_opt::<ClientIp>().map(|c| c.0)
}

/// The database handle of the request.
pub(crate) fn db<'a>(ctx: &Context<'a>) -> Result<&'a DatabaseConnection, AppError> {
    ctx.data::<DatabaseConnection>()
        .map_err(|e| AppError::internal(e.message))
}

/// Assumed sizes of the plain lists (not connections), for their cost: what real data holds in
/// practice. A buying committee has 4 to 15 people (30 to 50 in the largest deals, which then
/// cost less than they read; 15 keeps bench/ e, 20 accounts with their deals' committees, under
/// the default limit, while any chain of lists still multiplies).
pub(crate) mod assumed {
    pub const PARTICIPANTS: usize = 15;
    pub const DEALS_PER_PERSON: usize = 10;
    pub const RISKS: usize = 10;
    pub const DIRECT_REPORTS: usize = 20;
    pub const FEEDBACK: usize = 10;
    pub const SCORE_LINES: usize = 20;
    pub const TAGS: usize = 10;
    /// Fields changed by one event.
    pub const CHANGES: usize = 10;
}

/// The cost of a plain list: its assumed size times the cost of one item, as for a connection,
/// so a chain of lists (deals > participants > deals ...) costs what it fans out to.
pub(crate) fn list_complexity(assumed: usize, child_complexity: usize) -> usize {
    assumed.saturating_mul(child_complexity).saturating_add(1)
}

/// The cost of a connection field: its page size times the cost of one node, so a large page of
/// a deep selection costs what it will make the server do.
pub(crate) fn page_complexity(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let size = first
        .or(last)
        .unwrap_or(1)
        .clamp(1, crate::service::page::MAX_PAGE_SIZE) as usize;
    size.saturating_mul(child_complexity).saturating_add(1)
}
