//! Rotating an API token's secret: the previous secret's hash and the end of its grace period,
//! so an integration keeps working while its new secret is rolled out.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ApiToken {
    Table,
    PreviousSecretHash,
    PreviousSecretExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(ApiToken::Table)
                    .add_column(string_len_null(ApiToken::PreviousSecretHash, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ApiToken::Table)
                    .add_column(timestamp_with_time_zone_null(ApiToken::PreviousSecretExpiresAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [ApiToken::PreviousSecretExpiresAt, ApiToken::PreviousSecretHash] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ApiToken::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
