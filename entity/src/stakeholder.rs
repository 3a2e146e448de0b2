//! A stakeholder: one person on an account's People Map, and a lead in the demand waterfall.

use sea_orm::entity::prelude::*;

use crate::enums::{BuyingRole, LeadSource, LeadStage, Sentiment};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stakeholder")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub title: Option<String>,
    pub department: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub persona_id: Option<Uuid>,
    pub buying_role: BuyingRole,
    /// 1 (little) to 5 (decisive).
    pub influence: Option<i16>,
    pub sentiment: Sentiment,
    pub reports_to_id: Option<Uuid>,
    pub lead_stage: LeadStage,
    pub lead_source: Option<LeadSource>,
    pub referred_by_id: Option<Uuid>,
    pub lead_score: i32,
    pub owner_id: Option<Uuid>,
    pub marketing_owner_id: Option<Uuid>,
    pub last_engaged_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub archived_at: Option<DateTimeUtc>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
