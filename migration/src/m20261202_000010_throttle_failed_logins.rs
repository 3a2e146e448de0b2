//! Failed sign-ins, counted per email and per client address, so that password guessing slows
//! down with every miss. The state lives in the database, not in one process, so every replica
//! sees the same count. Keys are SHA-256 digests: no email or address is stored in clear.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LoginThrottle {
    Table,
    Key,
    Failures,
    LastAttemptMs,
    BlockedUntilMs,
}

const FORGET_INDEX: &str = "ix_login_throttle_last_attempt_ms";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LoginThrottle::Table)
                    .col(string_len(LoginThrottle::Key, 80).primary_key())
                    .col(integer(LoginThrottle::Failures))
                    .col(big_integer(LoginThrottle::LastAttemptMs))
                    .col(big_integer(LoginThrottle::BlockedUntilMs))
                    .to_owned(),
            )
            .await?;
        // Forgotten rows are pruned by age.
        manager
            .create_index(
                Index::create()
                    .name(FORGET_INDEX)
                    .table(LoginThrottle::Table)
                    .col(LoginThrottle::LastAttemptMs)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LoginThrottle::Table).to_owned())
            .await
    }
}
