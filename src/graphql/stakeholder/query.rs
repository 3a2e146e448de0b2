//! `stakeholder` and `stakeholders`.

use async_graphql::{Context, ID, Object};

use super::types::{Stakeholder, StakeholderFilter, StakeholderOrder};
use crate::{
    graphql::{
        connection::Connection,
        db,
        node::{self, NodeKind},
        page_complexity, principal,
    },
    service::{self, page::PageArgs, stakeholder::StakeholderFilter as Filter},
};

#[derive(Default)]
pub struct StakeholderQuery;

/// An ID filter that names nothing matches nothing (the nil UUID is no row's id).
fn id_filter(id: Option<ID>, kind: NodeKind) -> Option<uuid::Uuid> {
    id.map(|id| node::decode_as(&id, kind).unwrap_or_default())
}

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
        let f = filter.unwrap_or_default();
        let filter = Filter {
            account_id: id_filter(f.account_id, NodeKind::Account),
            lead_stages: f
                .lead_stages
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            buying_role: f.buying_role.map(Into::into),
            persona_id: id_filter(f.persona_id, NodeKind::Persona),
            owner_id: id_filter(f.owner_id, NodeKind::User),
            min_score: f.min_score,
            include_archived: f.include_archived,
        };
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
