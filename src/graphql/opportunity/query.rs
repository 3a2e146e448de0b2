//! `opportunity` and `opportunities`.

use async_graphql::{Context, ID, Object};

use super::types::{Opportunity, OpportunityFilter, OpportunityOrder, opportunity_filter};
use crate::{
    graphql::{
        connection::Connection,
        db,
        node::{self, NodeKind},
        page_complexity, principal,
    },
    service::{self, page::PageArgs},
};

#[derive(Default)]
pub struct OpportunityQuery;

#[Object]
impl OpportunityQuery {
    /// An opportunity by ID; null when it does not exist or is not yours to see.
    async fn opportunity(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Opportunity>> {
        let Some(id) = node::decode_as(&id, NodeKind::Opportunity) else {
            return Ok(None);
        };
        let found = service::opportunity::find_many(db(ctx)?, principal(ctx)?, &[id]).await?;
        Ok(found.into_iter().next().map(Opportunity))
    }

    /// Opportunities, oldest first unless `orderBy` says otherwise; archived ones only when asked.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn opportunities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<OpportunityFilter>,
        order_by: Option<OpportunityOrder>,
    ) -> async_graphql::Result<Connection<Opportunity>> {
        let order = order_by.map(Into::into).unwrap_or_default();
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let filter = opportunity_filter(filter);
        let page = service::opportunity::list(db(ctx)?, principal(ctx)?, filter, order, args).await?;
        Ok(page.map(Opportunity).into())
    }
}
