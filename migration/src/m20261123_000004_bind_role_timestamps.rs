//! The built-in roles were stamped with SQL `CURRENT_TIMESTAMP`, which SQLite writes as
//! `YYYY-MM-DD HH:MM:SS` while the application binds RFC 3339 text: keyset cursors over
//! `created_at` then skipped them on SQLite. Restamp them with a bound value, as every other row.

use sea_orm_migration::{prelude::*, sea_orm::prelude::ChronoUtc};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Role {
    Table,
    BuiltIn,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let now = ChronoUtc::now();
        manager
            .exec_stmt(
                Query::update()
                    .table(Role::Table)
                    .value(Role::CreatedAt, now)
                    .value(Role::UpdatedAt, now)
                    .and_where(Expr::col(Role::BuiltIn).eq(true))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // The old text form was the bug; there is nothing to restore.
        Ok(())
    }
}
