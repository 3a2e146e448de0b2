//! Pages of live records filtered by stage, in the default order (creation): SQLite walks the
//! `(created_at, id)` index and fetched every row to test its stage, which on the seeded history
//! (old deals closed, few of them still in PROPOSAL or NEGOTIATION) meant most of the table for
//! one page of 20 (about 200 ms; bench d). With the stage in a partial index over live rows in
//! that order, the walk tests the stage from the index and fetches only the page (about 10 ms).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Opportunity {
    Table,
    Id,
    Stage,
    CreatedAt,
    ArchivedAt,
}

#[derive(DeriveIden)]
enum Stakeholder {
    Table,
    Id,
    LeadStage,
    CreatedAt,
    ArchivedAt,
}

const OPPORTUNITY_INDEX: &str = "ix_opportunity_live_created_stage";
const STAKEHOLDER_INDEX: &str = "ix_stakeholder_live_created_stage";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(OPPORTUNITY_INDEX)
                    .table(Opportunity::Table)
                    .col(Opportunity::CreatedAt)
                    .col(Opportunity::Id)
                    .col(Opportunity::Stage)
                    .and_where(Expr::col(Opportunity::ArchivedAt).is_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(STAKEHOLDER_INDEX)
                    .table(Stakeholder::Table)
                    .col(Stakeholder::CreatedAt)
                    .col(Stakeholder::Id)
                    .col(Stakeholder::LeadStage)
                    .and_where(Expr::col(Stakeholder::ArchivedAt).is_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(STAKEHOLDER_INDEX)
                    .table(Stakeholder::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(OPPORTUNITY_INDEX)
                    .table(Opportunity::Table)
                    .to_owned(),
            )
            .await
    }
}
