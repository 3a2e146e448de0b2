//! The roles a buying committee should have, for `Opportunity.coverage`: a setting beside the
//! scoring settings, kept as a comma-separated list of buying-role names (the API's enum values)
//! in the one settings row, defaulting to the four roles every deal needs.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ScoringSettings {
    Table,
    CommitteeRoles,
}

const DEFAULT_ROLES: &str = "DECISION_MAKER,ECONOMIC_BUYER,CHAMPION,TECHNICAL_EVALUATOR";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ScoringSettings::Table)
                    .add_column(string_len(ScoringSettings::CommitteeRoles, 400).default(DEFAULT_ROLES))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ScoringSettings::Table)
                    .drop_column(ScoringSettings::CommitteeRoles)
                    .to_owned(),
            )
            .await
    }
}
