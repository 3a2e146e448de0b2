//! `content` and `contents`.

use async_graphql::{Context, ID, Object};

use super::types::{Content, ContentFilter, ContentOrder};
use crate::{
    graphql::{
        connection::Connection,
        db,
        input::id_filter,
        node::{self, NodeKind},
        page_complexity, principal,
    },
    service::{self, content::ContentFilter as Filter, page::PageArgs},
};

#[derive(Default)]
pub struct ContentQuery;

#[Object]
impl ContentQuery {
    /// Content by ID; null when it does not exist or is not yours to see.
    async fn content(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Content>> {
        let Some(id) = node::decode_as(&id, NodeKind::Content) else {
            return Ok(None);
        };
        let found = service::content::find_many(db(ctx)?, principal(ctx)?, &[id]).await?;
        Ok(found.into_iter().next().map(Content))
    }

    /// Content, oldest first unless `orderBy` says otherwise; archived content only when asked.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn contents(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ContentFilter>,
        order_by: Option<ContentOrder>,
    ) -> async_graphql::Result<Connection<Content>> {
        let f = filter.unwrap_or_default();
        let filter = Filter {
            kind: f.kind.map(Into::into),
            status: f.status.map(Into::into),
            buying_stage: f.buying_stage.map(Into::into),
            persona_id: id_filter(f.persona_id, NodeKind::Persona),
            buying_role: f.buying_role.map(Into::into),
            topic: f.topic,
            competitor: f.competitor,
            include_archived: f.include_archived,
        };
        let order = order_by.map(Into::into).unwrap_or_default();
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let page = service::content::list(db(ctx)?, principal(ctx)?, filter, order, args).await?;
        Ok(page.map(Content).into())
    }
}
