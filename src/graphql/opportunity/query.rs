//! `opportunity` and `opportunities`.

use async_graphql::{Context, ID, Object};

use super::types::{Opportunity, OpportunityFilter, OpportunityOrder, opportunity_filter};
use crate::{
    graphql::{
        connection::{Connection, nodes_select},
        db,
        loader::loaders,
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
        let (db, principal) = (db(ctx)?, principal(ctx)?);
        if !nodes_select(ctx, "account") && !nodes_select(ctx, "owner") {
            let page = service::opportunity::list(db, principal, filter, order, args).await?;
            return Ok(page.map(Opportunity).into());
        }
        // The deals' accounts and owners come in the page's own statement.
        let with =
            service::opportunity::list_with_accounts_and_owners(db, principal, filter, order, args).await?;
        loaders(ctx)?.prime_accounts_and_users(with.accounts, with.owners);
        Ok(with.page.map(Opportunity).into())
    }
}
