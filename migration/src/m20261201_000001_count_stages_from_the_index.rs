//! Counting live records by stage (`totalCount` of a stage filter) from an index alone: the
//! single-column stage indexes made SQLite's planner fetch every matching row to check
//! `archived_at` (about 35 ms for 32k deals of the medium data); `(stage, archived_at)` answers
//! the same count as a covering index search (about 1 ms) and serves every stage lookup the old
//! index served, so it replaces it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Opportunity {
    Table,
    Stage,
    ArchivedAt,
}

#[derive(DeriveIden)]
enum Stakeholder {
    Table,
    LeadStage,
    ArchivedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_opportunity_stage_archived")
                    .table(Opportunity::Table)
                    .col(Opportunity::Stage)
                    .col(Opportunity::ArchivedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_opportunity_stage")
                    .table(Opportunity::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_stakeholder_lead_stage_archived")
                    .table(Stakeholder::Table)
                    .col(Stakeholder::LeadStage)
                    .col(Stakeholder::ArchivedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_stakeholder_lead_stage")
                    .table(Stakeholder::Table)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_stakeholder_lead_stage")
                    .table(Stakeholder::Table)
                    .col(Stakeholder::LeadStage)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_stakeholder_lead_stage_archived")
                    .table(Stakeholder::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_opportunity_stage")
                    .table(Opportunity::Table)
                    .col(Opportunity::Stage)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_opportunity_stage_archived")
                    .table(Opportunity::Table)
                    .to_owned(),
            )
            .await
    }
}
