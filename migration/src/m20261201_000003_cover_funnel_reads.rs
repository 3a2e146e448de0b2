//! Covering indexes for the funnel reports: their range scans over the history (entries and
//! stays of one kind by time, a unit's later entries, moves of one kind into a stage by time)
//! and their joins to the person or the deal read only index pages, not the wide rows. Every
//! column a report reads from a row is in the index, after the columns it searches by.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum StageInterval {
    Table,
    SubjectId,
    Kind,
    Stage,
    EnteredAt,
    LeftAt,
}

#[derive(DeriveIden)]
enum StageChange {
    Table,
    Kind,
    ToStage,
    FromStage,
    ChangedAt,
    StakeholderId,
    OpportunityId,
    ReasonCode,
}

#[derive(DeriveIden)]
enum Stakeholder {
    Table,
    Id,
    AccountId,
    LeadSource,
    PersonaId,
    OwnerId,
    MarketingOwnerId,
    ArchivedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Opportunity {
    Table,
    Id,
    AccountId,
    OwnerId,
    LeadSource,
    Currency,
    Amount,
    Probability,
    ArchivedAt,
    CreatedAt,
}

/// (name, table, columns) of every index this migration owns.
fn indexes() -> Vec<(&'static str, DynIden, Vec<DynIden>)> {
    vec![
        (
            // Entries of one kind in a period.
            "ix_stage_interval_cover_entered",
            StageInterval::Table.into_iden(),
            vec![
                StageInterval::Kind.into_iden(),
                StageInterval::EnteredAt.into_iden(),
                StageInterval::Stage.into_iden(),
                StageInterval::SubjectId.into_iden(),
                StageInterval::LeftAt.into_iden(),
            ],
        ),
        (
            // Stays of one kind open at a moment: still open, or left after it.
            "ix_stage_interval_cover_left",
            StageInterval::Table.into_iden(),
            vec![
                StageInterval::Kind.into_iden(),
                StageInterval::LeftAt.into_iden(),
                StageInterval::EnteredAt.into_iden(),
                StageInterval::Stage.into_iden(),
                StageInterval::SubjectId.into_iden(),
            ],
        ),
        (
            // One unit's entries after a moment.
            "ix_stage_interval_cover_subject",
            StageInterval::Table.into_iden(),
            vec![
                StageInterval::SubjectId.into_iden(),
                StageInterval::Kind.into_iden(),
                StageInterval::EnteredAt.into_iden(),
                StageInterval::Stage.into_iden(),
            ],
        ),
        (
            // Moves of one kind into a stage in a period, with what the reports read of them.
            "ix_stage_change_cover_to_changed",
            StageChange::Table.into_iden(),
            vec![
                StageChange::Kind.into_iden(),
                StageChange::ToStage.into_iden(),
                StageChange::ChangedAt.into_iden(),
                StageChange::FromStage.into_iden(),
                StageChange::StakeholderId.into_iden(),
                StageChange::OpportunityId.into_iden(),
                StageChange::ReasonCode.into_iden(),
            ],
        ),
        (
            // A person's group and filter attributes.
            "ix_stakeholder_cover_funnel",
            Stakeholder::Table.into_iden(),
            vec![
                Stakeholder::Id.into_iden(),
                Stakeholder::AccountId.into_iden(),
                Stakeholder::LeadSource.into_iden(),
                Stakeholder::PersonaId.into_iden(),
                Stakeholder::OwnerId.into_iden(),
                Stakeholder::MarketingOwnerId.into_iden(),
                Stakeholder::ArchivedAt.into_iden(),
                Stakeholder::CreatedAt.into_iden(),
            ],
        ),
        (
            // A deal's group and filter attributes and its money.
            "ix_opportunity_cover_funnel",
            Opportunity::Table.into_iden(),
            vec![
                Opportunity::Id.into_iden(),
                Opportunity::AccountId.into_iden(),
                Opportunity::OwnerId.into_iden(),
                Opportunity::LeadSource.into_iden(),
                Opportunity::Currency.into_iden(),
                Opportunity::Amount.into_iden(),
                Opportunity::Probability.into_iden(),
                Opportunity::ArchivedAt.into_iden(),
                Opportunity::CreatedAt.into_iden(),
            ],
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
