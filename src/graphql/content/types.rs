//! The `Content` object and the inputs that filter and order lists of it.

use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entity::content::Model;

use crate::{
    error::AppError,
    graphql::{
        account::user,
        connection::Connection,
        engagement::{Engagement, EngagementFilter, engagement_filter},
        enums::{BuyingRole, BuyingStage, ContentKind, ContentStatus},
        identity::User,
        loader::{loaders, nested_page},
        node::{self, NodeKind},
        order::OrderDirection,
        page_complexity,
        persona::Persona,
        principal,
    },
    service::{
        content::{ContentOrder as Order, ContentOrderField as Field},
        engagement::{self as engagements, EngagementParent},
        page::PageArgs,
    },
};

/// A piece of marketing content: what buyers read, watch and share.
#[derive(Clone)]
pub struct Content(pub Model);

#[Object]
impl Content {
    pub async fn id(&self) -> ID {
        node::encode(NodeKind::Content, self.0.id)
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn kind(&self) -> ContentKind {
        self.0.kind.into()
    }

    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }

    async fn summary(&self) -> Option<&str> {
        self.0.summary.as_deref()
    }

    /// DRAFT until published; ARCHIVED for good.
    async fn status(&self) -> ContentStatus {
        self.0.status.into()
    }

    /// The buying stages it serves.
    #[graphql(
        complexity = "crate::graphql::list_complexity(crate::graphql::assumed::TAGS, child_complexity)"
    )]
    async fn buying_stages(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<BuyingStage>> {
        let tags = loaders(ctx)?.content_buying_stages.load_one(self.0.id).await;
        Ok(tags
            .map_err(AppError::from)?
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The personas it speaks to.
    #[graphql(
        complexity = "crate::graphql::list_complexity(crate::graphql::assumed::TAGS, child_complexity)"
    )]
    async fn personas(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Persona>> {
        let l = loaders(ctx)?;
        let ids = l
            .content_personas
            .load_one(self.0.id)
            .await
            .map_err(AppError::from)?
            .unwrap_or_default();
        let found = l
            .personas
            .load_many(ids.iter().copied())
            .await
            .map_err(AppError::from)?;
        Ok(ids
            .iter()
            .filter_map(|id| found.get(id).cloned())
            .map(Persona)
            .collect())
    }

    /// The buying roles it is for.
    #[graphql(
        complexity = "crate::graphql::list_complexity(crate::graphql::assumed::TAGS, child_complexity)"
    )]
    async fn buying_roles(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<BuyingRole>> {
        let tags = loaders(ctx)?.content_buying_roles.load_one(self.0.id).await;
        Ok(tags
            .map_err(AppError::from)?
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Free-form topics, in lower case.
    #[graphql(
        complexity = "crate::graphql::list_complexity(crate::graphql::assumed::TAGS, child_complexity)"
    )]
    async fn topics(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
        let tags = loaders(ctx)?.content_topics.load_one(self.0.id).await;
        Ok(tags.map_err(AppError::from)?.unwrap_or_default())
    }

    /// Competitors it answers (battlecards, comparisons).
    #[graphql(
        complexity = "crate::graphql::list_complexity(crate::graphql::assumed::TAGS, child_complexity)"
    )]
    async fn competitors(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
        let tags = loaders(ctx)?.content_competitors.load_one(self.0.id).await;
        Ok(tags.map_err(AppError::from)?.unwrap_or_default())
    }

    /// Who owns it on the marketing side.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.owner_id).await
    }

    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }

    /// Touches with this content, newest first.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn engagements(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<EngagementFilter>,
    ) -> async_graphql::Result<Connection<Engagement>> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let nested = engagements::nested(
            principal(ctx)?,
            EngagementParent::Content,
            engagement_filter(filter),
            args,
        )?;
        let l = loaders(ctx)?;
        let page = nested_page(&l.engagement_pages, &l.engagement_counts, self.0.id, nested).await?;
        Ok(page.map(Engagement).into())
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.archived_at
    }

    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Narrows a list of content; each tag condition matches content carrying that tag.
#[derive(InputObject, Default)]
pub struct ContentFilter {
    pub kind: Option<ContentKind>,
    /// ARCHIVED lists archived content; without a status, archived content is left out.
    pub status: Option<ContentStatus>,
    pub buying_stage: Option<BuyingStage>,
    pub persona_id: Option<ID>,
    pub buying_role: Option<BuyingRole>,
    pub topic: Option<String>,
    pub competitor: Option<String>,
    #[graphql(default)]
    pub include_archived: bool,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ContentOrderField {
    Title,
    CreatedAt,
    UpdatedAt,
    /// Unpublished content comes last in either direction.
    PublishedAt,
}

#[derive(InputObject)]
pub struct ContentOrder {
    pub field: ContentOrderField,
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
}

impl From<ContentOrder> for Order {
    fn from(o: ContentOrder) -> Self {
        Self {
            field: match o.field {
                ContentOrderField::Title => Field::Title,
                ContentOrderField::CreatedAt => Field::CreatedAt,
                ContentOrderField::UpdatedAt => Field::UpdatedAt,
                ContentOrderField::PublishedAt => Field::PublishedAt,
            },
            descending: o.direction == OrderDirection::Desc,
        }
    }
}
