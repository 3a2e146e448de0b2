//! A lead-scoring rule: points when all of its given conditions match. Engagement conditions
//! make it a behaviour rule (its points decay); the others make it a fit rule.

use sea_orm::entity::prelude::*;

use crate::{
    account::AccountTier,
    content::ContentKind,
    engagement::EngagementKind,
    enums::{BuyingRole, BuyingStage, LeadSource},
};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scoring_rule")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub points: i32,
    pub engagement_kind: Option<EngagementKind>,
    pub content_kind: Option<ContentKind>,
    pub buying_stage: Option<BuyingStage>,
    pub buying_role: Option<BuyingRole>,
    pub account_tier: Option<AccountTier>,
    pub lead_source: Option<LeadSource>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
