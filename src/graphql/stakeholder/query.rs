//! `stakeholder` and `stakeholders`.

use async_graphql::{Context, ID, Object};

use super::types::{Stakeholder, StakeholderFilter, StakeholderOrder, stakeholder_filter};
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
pub struct StakeholderQuery;

#[Object]
impl StakeholderQuery {
    /// A stakeholder by ID; null when they do not exist or are not yours to see.
    async fn stakeholder(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Stakeholder>> {
        let Some(id) = node::decode_as(&id, NodeKind::Stakeholder) else {
            return Ok(None);
        };
        let found = service::stakeholder::find_many(db(ctx)?, principal(ctx)?, &[id]).await?;
        Ok(found.into_iter().next().map(Stakeholder))
    }

    /// Stakeholders, oldest first unless `orderBy` says otherwise; archived ones only when asked.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn stakeholders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<StakeholderFilter>,
        order_by: Option<StakeholderOrder>,
    ) -> async_graphql::Result<Connection<Stakeholder>> {
        let filter = stakeholder_filter(filter);
        let order = order_by.map(Into::into).unwrap_or_default();
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let page = service::stakeholder::list(db(ctx)?, principal(ctx)?, filter, order, args).await?;
        Ok(page.map(Stakeholder).into())
    }
}
