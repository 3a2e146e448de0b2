//! One event of the outbox: a changed record, who changed it and how, written in the
//! transaction of the change. Append-only.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `account.updated`, `lead.stage_changed`, ...
    #[sea_orm(column_name = "type")]
    pub event_type: String,
    pub occurred_at: DateTimeUtc,
    /// The user who made the change; null for API tokens and automatic changes.
    pub actor_id: Option<Uuid>,
    pub api_token_id: Option<Uuid>,
    /// The kind of the subject, as its global ID names it (`Opportunity`).
    pub subject_type: String,
    pub subject_id: Uuid,
    pub account_id: Option<Uuid>,
    pub request_id: Option<Uuid>,
    /// `[{ "field", "before", "after" }]` as JSON text.
    pub changes: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
