//! The one Relay connection type every list uses: `XxxConnection { edges nodes pageInfo totalCount }`.

use std::borrow::Cow;

use async_graphql::{Object, OutputType, SimpleObject, TypeName};

use crate::service::page::{CountFn, Page};

/// Where a page sits in the whole list.
#[derive(SimpleObject, Clone)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

/// A page of `T`, named `TConnection` in the schema.
pub struct Connection<T> {
    edges: Vec<Edge<T>>,
    page_info: PageInfo,
    total_count: CountFn,
}

/// One node with its cursor, named `TEdge` in the schema.
pub struct Edge<T> {
    cursor: String,
    node: T,
}

impl<T> From<Page<T>> for Connection<T> {
    fn from(page: Page<T>) -> Self {
        let page_info = PageInfo {
            has_next_page: page.has_next_page,
            has_previous_page: page.has_previous_page,
            start_cursor: page.items.first().map(|(c, _)| c.clone()),
            end_cursor: page.items.last().map(|(c, _)| c.clone()),
        };
        Self {
            edges: page
                .items
                .into_iter()
                .map(|(cursor, node)| Edge { cursor, node })
                .collect(),
            page_info,
            total_count: page.total_count,
        }
    }
}

impl<T: OutputType> TypeName for Connection<T> {
    fn type_name() -> Cow<'static, str> {
        format!("{}Connection", T::type_name()).into()
    }
}

impl<T: OutputType> TypeName for Edge<T> {
    fn type_name() -> Cow<'static, str> {
        format!("{}Edge", T::type_name()).into()
    }
}

#[Object(name_type)]
impl<T: OutputType + Clone> Connection<T> {
    async fn edges(&self) -> &[Edge<T>] {
        &self.edges
    }

    /// The nodes of `edges`, for callers that need no cursors.
    async fn nodes(&self) -> Vec<T> {
        self.edges.iter().map(|e| e.node.clone()).collect()
    }

    async fn page_info(&self) -> &PageInfo {
        &self.page_info
    }

    /// How many items the whole filtered list holds (one extra statement, run only when asked).
    async fn total_count(&self) -> async_graphql::Result<i32> {
        let count = (self.total_count)().await?;
        Ok(i32::try_from(count).unwrap_or(i32::MAX))
    }
}

#[Object(name_type)]
impl<T: OutputType> Edge<T> {
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    async fn node(&self) -> &T {
        &self.node
    }
}

/// Whether the connection's nodes select `field`, through `nodes` or `edges { node }`: a page
/// may then read what that field follows in its own statement.
pub fn nodes_select(ctx: &async_graphql::Context<'_>, field: &str) -> bool {
    let look = ctx.look_ahead();
    look.field("nodes").field(field).exists() || look.field("edges").field("node").field(field).exists()
}
