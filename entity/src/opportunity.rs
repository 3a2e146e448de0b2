//! An opportunity: a deal being worked with an account.

use sea_orm::entity::prelude::*;

use crate::enums::LeadSource;

/// Where a deal stands in the sales process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum OpportunityStage {
    #[sea_orm(string_value = "DISCOVERY")]
    Discovery,
    #[sea_orm(string_value = "QUALIFICATION")]
    Qualification,
    #[sea_orm(string_value = "EVALUATION")]
    Evaluation,
    #[sea_orm(string_value = "PROPOSAL")]
    Proposal,
    #[sea_orm(string_value = "NEGOTIATION")]
    Negotiation,
    #[sea_orm(string_value = "CLOSED_WON")]
    ClosedWon,
    #[sea_orm(string_value = "CLOSED_LOST")]
    ClosedLost,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "opportunity")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub name: String,
    /// The amount in hundredths of the currency unit (cents), an exact integer on every store;
    /// `currency` is set whenever this is.
    pub amount_minor: Option<i64>,
    /// ISO 4217, upper case.
    pub currency: Option<String>,
    pub stage: OpportunityStage,
    /// 0 to 100; defaults from the stage.
    pub probability: Option<i16>,
    pub expected_close_date: Option<Date>,
    pub owner_id: Option<Uuid>,
    pub lead_source: Option<LeadSource>,
    /// A `ReasonCode` name, set when the deal closes lost.
    pub close_reason: Option<String>,
    pub closed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub archived_at: Option<DateTimeUtc>,
    /// The key an outside system (a CRM, a warehouse) keeps for the record; unique among live
    /// records of the type, so bulk upserts match on it.
    pub external_id: Option<String>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
