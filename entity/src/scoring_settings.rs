//! The one row of scoring and handoff settings.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scoring_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    /// The lead score at which an INQUIRY or NURTURE lead becomes an MQL by itself.
    pub mql_threshold: i32,
    /// Behaviour points halve every this many days.
    pub decay_half_life_days: i32,
    /// Hours sales have to accept an MQL.
    pub handoff_sla_hours: i32,
    /// The buying roles a committee should have (`Opportunity.coverage`), as comma-separated
    /// role names in order.
    pub committee_roles: String,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
