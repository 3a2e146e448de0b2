//! `external_id` on accounts, stakeholders and opportunities: the key a CRM or warehouse keeps
//! for the record, so a bulk upsert sent twice updates instead of duplicating. It is unique per
//! table among live records only (a partial unique index, like an account's domain), so
//! archiving a record frees its external id for a new one.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Account {
    Table,
}

#[derive(DeriveIden, Clone, Copy)]
enum Stakeholder {
    Table,
}

#[derive(DeriveIden, Clone, Copy)]
enum Opportunity {
    Table,
}

#[derive(DeriveIden, Clone, Copy)]
enum Col {
    ExternalId,
    ArchivedAt,
}

/// Each table with the name of its unique index.
fn tables() -> [(DynIden, &'static str); 3] {
    [
        (Account::Table.into_iden(), "ux_account_external_id_live"),
        (Stakeholder::Table.into_iden(), "ux_stakeholder_external_id_live"),
        (Opportunity::Table.into_iden(), "ux_opportunity_external_id_live"),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, index) in tables() {
            manager
                .alter_table(
                    Table::alter()
                        .table(table.clone())
                        .add_column(string_len_null(Col::ExternalId, 200))
                        .to_owned(),
                )
                .await?;
            manager
                .create_index(
                    Index::create()
                        .name(index)
                        .table(table)
                        .col(Col::ExternalId)
                        .unique()
                        .and_where(Expr::col(Col::ArchivedAt).is_null())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, index) in tables() {
            manager
                .drop_index(Index::drop().name(index).table(table.clone()).to_owned())
                .await?;
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .drop_column(Col::ExternalId)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
