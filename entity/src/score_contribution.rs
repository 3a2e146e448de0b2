//! The points one rule gives one person: fit points as they are, behaviour points as they were
//! at `as_of` (they decay from there).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "score_contribution")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub stakeholder_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub rule_id: Uuid,
    pub points: f64,
    pub as_of: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
