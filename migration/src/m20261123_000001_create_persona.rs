//! Personas: the first reference table.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Persona {
    Table,
    Id,
    Name,
    NameKey,
    Description,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Persona::Table)
                    .col(pk_uuid(Persona::Id))
                    .col(string_len(Persona::Name, 200))
                    .col(string_len(Persona::NameKey, 200))
                    .col(text_null(Persona::Description))
                    .col(timestamp_with_time_zone(Persona::CreatedAt))
                    .col(timestamp_with_time_zone(Persona::UpdatedAt))
                    .col(integer(Persona::Version).default(1))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_persona_name_key")
                    .table(Persona::Table)
                    .col(Persona::NameKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Keyset pagination orders by (created_at, id) and (name, id).
        manager
            .create_index(
                Index::create()
                    .name("ix_persona_created_at_id")
                    .table(Persona::Table)
                    .col(Persona::CreatedAt)
                    .col(Persona::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_persona_name_id")
                    .table(Persona::Table)
                    .col(Persona::Name)
                    .col(Persona::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Persona::Table).to_owned())
            .await
    }
}
