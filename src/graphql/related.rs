//! Following a reference to another record: loaded through the request's loaders, shown only
//! when the rulebook lets the caller read it (null otherwise, like a missing record).

use async_graphql::Context;
use uuid::Uuid;

use crate::{
    error::AppError,
    graphql::{
        content::Content, deal::DealParticipant, loader::loaders, opportunity::Opportunity, principal,
        stakeholder::Stakeholder,
    },
    service,
};

pub async fn stakeholder(ctx: &Context<'_>, id: Option<Uuid>) -> async_graphql::Result<Option<Stakeholder>> {
    let Some(id) = id else { return Ok(None) };
    let p = principal(ctx)?;
    let found = loaders(ctx)?
        .stakeholders
        .load_one(id)
        .await
        .map_err(AppError::from)?;
    Ok(found
        .filter(|m| service::stakeholder::may_read(p, m))
        .map(Stakeholder))
}

pub async fn opportunity(ctx: &Context<'_>, id: Option<Uuid>) -> async_graphql::Result<Option<Opportunity>> {
    let Some(id) = id else { return Ok(None) };
    let p = principal(ctx)?;
    let found = loaders(ctx)?
        .opportunities
        .load_one(id)
        .await
        .map_err(AppError::from)?;
    Ok(found
        .filter(|m| service::opportunity::may_read(p, m))
        .map(Opportunity))
}

pub async fn content(ctx: &Context<'_>, id: Option<Uuid>) -> async_graphql::Result<Option<Content>> {
    let Some(id) = id else { return Ok(None) };
    let p = principal(ctx)?;
    let found = loaders(ctx)?
        .contents
        .load_one(id)
        .await
        .map_err(AppError::from)?;
    Ok(found.filter(|m| service::content::may_read(p, m)).map(Content))
}

/// A deal participant, readable with its opportunity.
pub async fn participant(
    ctx: &Context<'_>,
    id: Option<Uuid>,
) -> async_graphql::Result<Option<DealParticipant>> {
    let Some(id) = id else { return Ok(None) };
    let l = loaders(ctx)?;
    let Some(found) = l.participants_by_id.load_one(id).await.map_err(AppError::from)? else {
        return Ok(None);
    };
    let readable = opportunity(ctx, Some(found.opportunity_id)).await?.is_some();
    Ok(readable.then_some(DealParticipant(found)))
}
