//! One stakeholder on one opportunity: their role in this deal and their own buying stage.

use sea_orm::entity::prelude::*;

use crate::enums::{BuyingRole, BuyingStage};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deal_participant")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub opportunity_id: Uuid,
    pub stakeholder_id: Uuid,
    /// The opportunity's account, kept here for account-wide reads.
    pub account_id: Uuid,
    pub role: BuyingRole,
    /// At most one per opportunity (a partial unique index holds it).
    pub is_primary: bool,
    pub buying_stage: BuyingStage,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
