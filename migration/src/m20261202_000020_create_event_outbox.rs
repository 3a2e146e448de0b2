//! The outbox: one row per changed record, written in the transaction of the change, so that the
//! audit log, webhooks and subscriptions read one stream in which no event exists without its
//! change and no change without its event.
//!
//! No foreign keys: an event outlives what it talks about (a deleted role, a removed participant)
//! and its actor, and the table must take inserts from every write path without extra lookups.
//! Every filter the readers use is an index that ends in `(occurred_at, id)`, the newest-first
//! keyset order, so a filtered page is a range scan.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Event {
    Table,
    Id,
    Type,
    OccurredAt,
    ActorId,
    ApiTokenId,
    SubjectType,
    SubjectId,
    AccountId,
    RequestId,
    Changes,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Event::Table)
                    .col(pk_uuid(Event::Id))
                    .col(string_len(Event::Type, 64))
                    .col(timestamp_with_time_zone(Event::OccurredAt))
                    .col(uuid_null(Event::ActorId))
                    .col(uuid_null(Event::ApiTokenId))
                    .col(string_len(Event::SubjectType, 32))
                    .col(uuid(Event::SubjectId))
                    // The account the subject belongs to, for readers that filter by account.
                    .col(uuid_null(Event::AccountId))
                    .col(uuid_null(Event::RequestId))
                    // `[{ "field", "before", "after" }]` as JSON text: the same on both stores.
                    .col(text(Event::Changes))
                    .to_owned(),
            )
            .await?;
        let indexes: [(&str, Option<Event>); 5] = [
            ("ix_event_occurred_at", None),
            ("ix_event_type", Some(Event::Type)),
            ("ix_event_subject", Some(Event::SubjectId)),
            ("ix_event_actor", Some(Event::ActorId)),
            ("ix_event_account", Some(Event::AccountId)),
        ];
        for (name, lead) in indexes {
            let mut index = Index::create().name(name).table(Event::Table).to_owned();
            if let Some(lead) = lead {
                index.col(lead);
            }
            index.col(Event::OccurredAt).col(Event::Id);
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Event::Table).to_owned())
            .await
    }
}
