//! Following a reference to another record. The loaders read through the scoped finders
//! (`loader::Scoped`), so a record the caller may not read comes back missing: a nullable edge
//! shows null, like a missing record, and a non-null edge answers FORBIDDEN at its path.

use async_graphql::Context;
use uuid::Uuid;

use crate::{
    error::AppError,
    graphql::{
        account::Account, content::Content, deal::DealParticipant, loader::loaders, opportunity::Opportunity,
        stakeholder::Stakeholder,
    },
};

pub async fn stakeholder(ctx: &Context<'_>, id: Option<Uuid>) -> async_graphql::Result<Option<Stakeholder>> {
    let Some(id) = id else { return Ok(None) };
    let found = loaders(ctx)?
        .stakeholders
        .load_one(id)
        .await
        .map_err(AppError::from)?;
    Ok(found.map(Stakeholder))
}

pub async fn opportunity(ctx: &Context<'_>, id: Option<Uuid>) -> async_graphql::Result<Option<Opportunity>> {
    let Some(id) = id else { return Ok(None) };
    let found = loaders(ctx)?
        .opportunities
        .load_one(id)
        .await
        .map_err(AppError::from)?;
    Ok(found.map(Opportunity))
}

pub async fn content(ctx: &Context<'_>, id: Option<Uuid>) -> async_graphql::Result<Option<Content>> {
    let Some(id) = id else { return Ok(None) };
    let found = loaders(ctx)?
        .contents
        .load_one(id)
        .await
        .map_err(AppError::from)?;
    Ok(found.map(Content))
}

pub async fn account(ctx: &Context<'_>, id: Option<Uuid>) -> async_graphql::Result<Option<Account>> {
    let Some(id) = id else { return Ok(None) };
    let found = loaders(ctx)?
        .accounts
        .load_one(id)
        .await
        .map_err(AppError::from)?;
    Ok(found.map(Account))
}

/// A deal participant, readable with its opportunity.
pub async fn participant(
    ctx: &Context<'_>,
    id: Option<Uuid>,
) -> async_graphql::Result<Option<DealParticipant>> {
    let Some(id) = id else { return Ok(None) };
    let found = loaders(ctx)?
        .participants_by_id
        .load_one(id)
        .await
        .map_err(AppError::from)?;
    Ok(found.map(DealParticipant))
}

/// A non-null edge: the record, or FORBIDDEN when the caller may not read it (the record
/// exists: the row that refers to it holds a foreign key).
pub fn required<T>(found: Option<T>) -> async_graphql::Result<T> {
    found.ok_or_else(|| AppError::Forbidden.into())
}
