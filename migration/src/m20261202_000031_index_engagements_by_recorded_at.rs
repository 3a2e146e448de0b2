//! Engagements filtered by when they were recorded (`filter: { recordedSince }`): an integrator
//! following new touches asks for those recorded since its last pull, which a touch back-dated
//! by its `occurredAt` would escape. The index keeps that a range scan.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Engagement {
    Table,
    Id,
    CreatedAt,
}

const INDEX: &str = "ix_engagement_created_at_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Engagement::Table)
                    .col(Engagement::CreatedAt)
                    .col(Engagement::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(INDEX).table(Engagement::Table).to_owned())
            .await
    }
}
