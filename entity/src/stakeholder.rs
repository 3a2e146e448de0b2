//! A stakeholder: one person on an account's People Map, and a lead in the demand waterfall.

use sea_orm::entity::prelude::*;

use crate::enums::{BuyingRole, LeadSource, LeadStage, Sentiment};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
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
    /// Fit points plus behaviour points as they stood at `scored_at`; kept current on every
    /// touch and rule change, so lists can filter and sort by it.
    pub lead_score: i32,
    pub owner_id: Option<Uuid>,
    pub marketing_owner_id: Option<Uuid>,
    pub last_engaged_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub archived_at: Option<DateTimeUtc>,
    /// The key an outside system (a CRM, a warehouse) keeps for the record; unique among live
    /// records of the type, so bulk upserts match on it.
    pub external_id: Option<String>,
    pub version: i32,
    /// Points from fit rules (who the person is).
    pub fit_score: i32,
    /// Points from behaviour rules as they were at `behaviour_at`; they decay from there.
    pub behaviour_points: f64,
    pub behaviour_at: Option<DateTimeUtc>,
    pub scored_at: Option<DateTimeUtc>,
    /// When the lead last became an MQL, and by when sales should accept it.
    pub handoff_assigned_at: Option<DateTimeUtc>,
    pub handoff_accept_by: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
