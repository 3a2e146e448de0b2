//! `personas`: the paged list of personas.

use async_graphql::{Context, Object};

use super::types::{Persona, PersonaFilter, PersonaOrder};
use crate::{
    graphql::{connection::Connection, db, page_complexity, principal},
    service::{self, page::PageArgs},
};

#[derive(Default)]
pub struct PersonaQuery;

#[Object]
impl PersonaQuery {
    /// Personas, oldest first unless `orderBy` says otherwise.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn personas(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<PersonaFilter>,
        order_by: Option<PersonaOrder>,
    ) -> async_graphql::Result<Connection<Persona>> {
        let page = service::persona::list(
            db(ctx)?,
            principal(ctx)?,
            filter.unwrap_or_default().into(),
            order_by.map(Into::into).unwrap_or_default(),
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
        .await?;
        Ok(page.map(Persona).into())
    }
}
