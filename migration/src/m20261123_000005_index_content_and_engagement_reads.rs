//! Indexes for orders and filters the API added with content and engagement reads: content by
//! publication date, engagements by kind (with their time, for the newest-first order).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Content {
    Table,
    Id,
    PublishedAt,
}

#[derive(DeriveIden)]
enum Engagement {
    Table,
    Id,
    Kind,
    OccurredAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_content_published_at_id")
                    .table(Content::Table)
                    .col(Content::PublishedAt)
                    .col(Content::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_engagement_kind_occurred")
                    .table(Engagement::Table)
                    .col(Engagement::Kind)
                    .col(Engagement::OccurredAt)
                    .col(Engagement::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_engagement_kind_occurred")
                    .table(Engagement::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_content_published_at_id")
                    .table(Content::Table)
                    .to_owned(),
            )
            .await
    }
}
