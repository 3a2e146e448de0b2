//! A risk to a deal: what could make it slip or fail, and how it is being answered.

use sea_orm::entity::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum RiskKind {
    #[sea_orm(string_value = "DO_NOTHING")]
    DoNothing,
    #[sea_orm(string_value = "BUILD_IN_HOUSE")]
    BuildInHouse,
    #[sea_orm(string_value = "COMPETITOR")]
    Competitor,
    #[sea_orm(string_value = "BUDGET")]
    Budget,
    #[sea_orm(string_value = "TIMING")]
    Timing,
    #[sea_orm(string_value = "CHAMPION_LEAVING")]
    ChampionLeaving,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum Severity {
    #[sea_orm(string_value = "LOW")]
    Low,
    #[sea_orm(string_value = "MEDIUM")]
    Medium,
    #[sea_orm(string_value = "HIGH")]
    High,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum RiskStatus {
    #[sea_orm(string_value = "OPEN")]
    Open,
    #[sea_orm(string_value = "MITIGATED")]
    Mitigated,
    #[sea_orm(string_value = "REALIZED")]
    Realized,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deal_risk")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub opportunity_id: Uuid,
    pub account_id: Uuid,
    pub kind: RiskKind,
    pub severity: Severity,
    pub description: Option<String>,
    pub competitor: Option<String>,
    /// The stakeholder who raised it.
    pub raised_by_id: Option<Uuid>,
    /// The content that answers it.
    pub answered_by_id: Option<Uuid>,
    pub status: RiskStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
