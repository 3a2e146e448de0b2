//! `createContent`, `updateContent`, `publishContent` and `archiveContent`.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};

use super::types::Content;
use crate::{
    graphql::{
        db,
        enums::{BuyingRole, BuyingStage, ContentKind},
        error::{UserError, payload},
        input::{change, reference, reference_change, references, target},
        node::NodeKind,
        principal,
    },
    service::content::{self as service, ContentChanges, NewContent, Tags},
};

#[derive(InputObject)]
pub struct CreateContentInput {
    pub title: String,
    pub kind: ContentKind,
    /// An absolute http(s) address.
    pub url: Option<String>,
    pub summary: Option<String>,
    pub buying_stages: Option<Vec<BuyingStage>>,
    pub persona_ids: Option<Vec<ID>>,
    pub buying_roles: Option<Vec<BuyingRole>>,
    pub topics: Option<Vec<String>>,
    pub competitors: Option<Vec<String>>,
    /// Defaults to the creator.
    pub owner_id: Option<ID>,
}

#[derive(SimpleObject)]
pub struct CreateContentPayload {
    pub content: Option<Content>,
    pub user_errors: Vec<UserError>,
}

/// Fields left out stay as they are; each tag list given replaces that kind of tag.
#[derive(InputObject)]
pub struct UpdateContentInput {
    pub id: ID,
    pub title: Option<String>,
    pub kind: Option<ContentKind>,
    pub url: MaybeUndefined<String>,
    pub summary: MaybeUndefined<String>,
    pub buying_stages: Option<Vec<BuyingStage>>,
    pub persona_ids: Option<Vec<ID>>,
    pub buying_roles: Option<Vec<BuyingRole>>,
    pub topics: Option<Vec<String>>,
    pub competitors: Option<Vec<String>>,
    pub owner_id: MaybeUndefined<ID>,
    pub expected_version: Option<i32>,
}

#[derive(SimpleObject)]
pub struct UpdateContentPayload {
    pub content: Option<Content>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct PublishContentInput {
    pub id: ID,
    pub expected_version: Option<i32>,
}

#[derive(SimpleObject)]
pub struct PublishContentPayload {
    pub content: Option<Content>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct ArchiveContentInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct ArchiveContentPayload {
    pub content: Option<Content>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct ContentMutation;

#[Object]
impl ContentMutation {
    /// Writes a draft.
    async fn create_content(
        &self,
        ctx: &Context<'_>,
        input: CreateContentInput,
    ) -> async_graphql::Result<CreateContentPayload> {
        let new = NewContent {
            title: input.title,
            kind: input.kind.into(),
            url: input.url,
            summary: input.summary,
            tags: Tags {
                buying_stages: input
                    .buying_stages
                    .map(|v| v.into_iter().map(Into::into).collect()),
                persona_ids: references(input.persona_ids, NodeKind::Persona),
                buying_roles: input
                    .buying_roles
                    .map(|v| v.into_iter().map(Into::into).collect()),
                topics: input.topics,
                competitors: input.competitors,
            },
            owner_id: reference(input.owner_id.as_ref(), NodeKind::User),
        };
        let (content, user_errors) = payload(service::create(db(ctx)?, principal(ctx)?, new).await)?;
        Ok(CreateContentPayload {
            content: content.map(Content),
            user_errors,
        })
    }

    async fn update_content(
        &self,
        ctx: &Context<'_>,
        input: UpdateContentInput,
    ) -> async_graphql::Result<UpdateContentPayload> {
        let p = principal(ctx)?;
        let result = match target(&input.id, NodeKind::Content, "id", "content") {
            Ok(id) => {
                let changes = ContentChanges {
                    id,
                    title: input.title,
                    kind: input.kind.map(Into::into),
                    url: change(input.url),
                    summary: change(input.summary),
                    tags: Tags {
                        buying_stages: input
                            .buying_stages
                            .map(|v| v.into_iter().map(Into::into).collect()),
                        persona_ids: references(input.persona_ids, NodeKind::Persona),
                        buying_roles: input
                            .buying_roles
                            .map(|v| v.into_iter().map(Into::into).collect()),
                        topics: input.topics,
                        competitors: input.competitors,
                    },
                    owner_id: reference_change(input.owner_id, NodeKind::User),
                    expected_version: input.expected_version,
                };
                service::update(db(ctx)?, p, changes).await
            }
            Err(e) => Err(e),
        };
        let (content, user_errors) = payload(result)?;
        Ok(UpdateContentPayload {
            content: content.map(Content),
            user_errors,
        })
    }

    /// Publishes a draft; INVALID_TRANSITION for archived content.
    async fn publish_content(
        &self,
        ctx: &Context<'_>,
        input: PublishContentInput,
    ) -> async_graphql::Result<PublishContentPayload> {
        let p = principal(ctx)?;
        let result = match target(&input.id, NodeKind::Content, "id", "content") {
            Ok(id) => service::publish(db(ctx)?, p, id, input.expected_version).await,
            Err(e) => Err(e),
        };
        let (content, user_errors) = payload(result)?;
        Ok(PublishContentPayload {
            content: content.map(Content),
            user_errors,
        })
    }

    /// Retires content: it leaves lists; engagements keep it.
    async fn archive_content(
        &self,
        ctx: &Context<'_>,
        input: ArchiveContentInput,
    ) -> async_graphql::Result<ArchiveContentPayload> {
        let p = principal(ctx)?;
        let result = match target(&input.id, NodeKind::Content, "id", "content") {
            Ok(id) => service::archive(db(ctx)?, p, id).await,
            Err(e) => Err(e),
        };
        let (content, user_errors) = payload(result)?;
        Ok(ArchiveContentPayload {
            content: content.map(Content),
            user_errors,
        })
    }
}
