//! Sales' word on a lead marketing sent: the closed loop.

use sea_orm::entity::prelude::*;

use crate::enums::{LeadSource, ReasonCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum LeadRating {
    #[sea_orm(string_value = "GOOD")]
    Good,
    #[sea_orm(string_value = "FAIR")]
    Fair,
    #[sea_orm(string_value = "POOR")]
    Poor,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lead_feedback")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub stakeholder_id: Uuid,
    pub account_id: Uuid,
    pub rating: LeadRating,
    pub reason_code: Option<ReasonCode>,
    pub comment: Option<String>,
    /// The lead's source when the feedback was given, so source quality can be measured.
    pub lead_source: Option<LeadSource>,
    pub given_by_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
