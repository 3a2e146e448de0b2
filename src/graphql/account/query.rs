//! `account` and `accounts`.

use async_graphql::{Context, ID, Object};

use super::types::{Account, AccountFilter, AccountOrder};
use crate::{
    graphql::{
        connection::Connection,
        db,
        node::{self, NodeKind},
        page_complexity, principal,
    },
    service::{self, account::AccountFilter as Filter, page::PageArgs},
};

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// An account by ID; null when it does not exist or is not yours to see.
    async fn account(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Account>> {
        let Some(id) = node::decode_as(&id, NodeKind::Account) else {
            return Ok(None);
        };
        let found = service::account::find_many(db(ctx)?, principal(ctx)?, &[id]).await?;
        Ok(found.into_iter().next().map(Account))
    }

    /// Accounts, oldest first unless `orderBy` says otherwise; archived ones only when asked for.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn accounts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<AccountFilter>,
        order_by: Option<AccountOrder>,
    ) -> async_graphql::Result<Connection<Account>> {
        let filter = filter.unwrap_or_default();
        let filter = Filter {
            search: filter.search,
            tier: filter.tier.map(Into::into),
            status: filter.status.map(Into::into),
            // An owner ID that names no user matches no account.
            owner_id: filter
                .owner_id
                .map(|id| node::decode_as(&id, NodeKind::User).unwrap_or_default()),
            external_ids: filter.external_ids,
            include_archived: filter.include_archived,
        };
        let order = order_by.map(Into::into).unwrap_or_default();
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let page = service::account::list(db(ctx)?, principal(ctx)?, filter, order, args).await?;
        Ok(page.map(Account).into())
    }
}
