//! The funnel reports read history by time across all stages: entries and stays of one kind
//! in a period, moves into one stage in a period, feedback in a period. These indexes make
//! those range scans instead of walks over the whole history.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum StageInterval {
    Table,
    Kind,
    EnteredAt,
    LeftAt,
}

#[derive(DeriveIden)]
enum StageChange {
    Table,
    Kind,
    ToStage,
    ChangedAt,
}

#[derive(DeriveIden)]
enum LeadFeedback {
    Table,
    CreatedAt,
}

/// (name, table, columns) of every index this migration owns.
fn indexes() -> Vec<(&'static str, DynIden, Vec<DynIden>)> {
    vec![
        (
            "ix_stage_interval_kind_entered",
            StageInterval::Table.into_iden(),
            vec![
                StageInterval::Kind.into_iden(),
                StageInterval::EnteredAt.into_iden(),
            ],
        ),
        (
            "ix_stage_interval_kind_left",
            StageInterval::Table.into_iden(),
            vec![StageInterval::Kind.into_iden(), StageInterval::LeftAt.into_iden()],
        ),
        (
            "ix_stage_change_kind_to_changed",
            StageChange::Table.into_iden(),
            vec![
                StageChange::Kind.into_iden(),
                StageChange::ToStage.into_iden(),
                StageChange::ChangedAt.into_iden(),
            ],
        ),
        (
            "ix_lead_feedback_created_at",
            LeadFeedback::Table.into_iden(),
            vec![LeadFeedback::CreatedAt.into_iden()],
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, cols) in indexes() {
            let mut index = Index::create().name(name).table(table).to_owned();
            for col in cols {
                index.col(col);
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in indexes().into_iter().rev() {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
