//! Money as whole minor units. `opportunity.amount` was `DECIMAL(18, 2)`: exact on PostgreSQL,
//! but SQLite gives that type NUMERIC affinity and keeps a value with a fraction as an 8-byte
//! float, so 123456789012345.67 came back as .70. `amount_minor BIGINT` holds hundredths of the
//! currency unit (cents), exact on both stores and summed as integers, as payment systems do.
//!
//! Existing amounts are carried over rounded to the cent. On PostgreSQL that is exact. On SQLite
//! it recovers the amount that was written as long as the float was finer than a cent, which
//! holds below 2^46 (about 70 trillion units); above that SQLite had already lost the digits
//! and the nearest cent of what it kept is carried over. The two indexes that held `amount` (ordering by
//! amount, and the funnel's covering index) are rebuilt on the new column under the same shape.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Opportunity {
    Table,
    Id,
    AccountId,
    OwnerId,
    LeadSource,
    Currency,
    Amount,
    AmountMinor,
    Probability,
    ArchivedAt,
    CreatedAt,
}

/// Orders deals by amount (keyset pagination over (amount, id)).
const ORDER_INDEX: &str = "ix_opportunity_amount_id";
const NEW_ORDER_INDEX: &str = "ix_opportunity_amount_minor_id";
/// The funnel reports' covering index (see m20261201_000003); its name is kept so that
/// migration's `down` still finds it.
const COVER_INDEX: &str = "ix_opportunity_cover_funnel";

/// The covering index's columns with `money` as the amount column.
fn cover_columns(money: Opportunity) -> Vec<Opportunity> {
    vec![
        Opportunity::Id,
        Opportunity::AccountId,
        Opportunity::OwnerId,
        Opportunity::LeadSource,
        Opportunity::Currency,
        money,
        Opportunity::Probability,
        Opportunity::ArchivedAt,
        Opportunity::CreatedAt,
    ]
}

async fn create_index(manager: &SchemaManager<'_>, name: &str, cols: Vec<Opportunity>) -> Result<(), DbErr> {
    let mut index = Index::create().name(name).table(Opportunity::Table).to_owned();
    for col in cols {
        index.col(col);
    }
    manager.create_index(index).await
}

async fn drop_index(manager: &SchemaManager<'_>, name: &str) -> Result<(), DbErr> {
    manager
        .drop_index(Index::drop().name(name).table(Opportunity::Table).to_owned())
        .await
}

/// Replaces column `from` by `to`: the indexes on `from` go first (SQLite refuses to drop an
/// indexed column), the values are copied by `copy` (an SQL expression over `from`), then the
/// indexes come back on `to`.
async fn swap_column(
    manager: &SchemaManager<'_>,
    (from, from_index): (Opportunity, &str),
    (to, to_index): (Opportunity, &str),
    to_def: ColumnDef,
    copy: &'static str,
) -> Result<(), DbErr> {
    drop_index(manager, COVER_INDEX).await?;
    drop_index(manager, from_index).await?;
    manager
        .alter_table(
            Table::alter()
                .table(Opportunity::Table)
                .add_column(to_def)
                .to_owned(),
        )
        .await?;
    let update = Query::update()
        .table(Opportunity::Table)
        .value(to, Expr::cust(copy))
        .and_where(Expr::col(from).is_not_null())
        .to_owned();
    manager.exec_stmt(update).await?;
    manager
        .alter_table(
            Table::alter()
                .table(Opportunity::Table)
                .drop_column(from)
                .to_owned(),
        )
        .await?;
    create_index(manager, to_index, vec![to, Opportunity::Id]).await?;
    create_index(manager, COVER_INDEX, cover_columns(to)).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In one transaction on SQLite too (sea-orm wraps only PostgreSQL by default): the steps
    /// then run on one connection, all or none. Spread over the pool, a connection whose schema
    /// was read before the index was dropped refused to create it again ("index
    /// ix_opportunity_cover_funnel already exists": SQLite rechecks a stale schema for a
    /// missing name, not for a present one).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        swap_column(
            manager,
            (Opportunity::Amount, ORDER_INDEX),
            (Opportunity::AmountMinor, NEW_ORDER_INDEX),
            ColumnDef::new(Opportunity::AmountMinor)
                .big_integer()
                .null()
                .to_owned(),
            // ROUND and CAST to BIGINT mean the same on both stores; rounding brings a float
            // SQLite held slightly off the cent back to it.
            "CAST(ROUND(amount * 100) AS BIGINT)",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        swap_column(
            manager,
            (Opportunity::AmountMinor, NEW_ORDER_INDEX),
            (Opportunity::Amount, ORDER_INDEX),
            ColumnDef::new(Opportunity::Amount)
                .decimal_len(18, 2)
                .null()
                .to_owned(),
            // `100.0`, not `100`: integer division would drop the cents on SQLite.
            "amount_minor / 100.0",
        )
        .await
    }
}
