//! One stage move: the append-only history of leads, deals and buyers' own stages.

use sea_orm::entity::prelude::*;

use crate::enums::ReasonCode;

/// Which state machine moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum StageKind {
    /// A stakeholder's lead stage.
    #[sea_orm(string_value = "LEAD")]
    Lead,
    /// An opportunity's stage.
    #[sea_orm(string_value = "OPPORTUNITY")]
    Opportunity,
    /// A participant's buying stage on one deal.
    #[sea_orm(string_value = "BUYING")]
    Buying,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stage_change")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: StageKind,
    /// The stakeholder, opportunity or participant that moved.
    pub subject_id: Uuid,
    pub stakeholder_id: Option<Uuid>,
    pub opportunity_id: Option<Uuid>,
    pub participant_id: Option<Uuid>,
    pub account_id: Uuid,
    /// Stage names of the machine of `kind`.
    pub from_stage: String,
    pub to_stage: String,
    pub reason_code: Option<ReasonCode>,
    pub note: Option<String>,
    /// Null for automatic moves (a consequence or a scoring rule); `note` names the cause.
    pub changed_by_id: Option<Uuid>,
    pub changed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
