//! One stay of a record in one stage: when it entered and when it left (null while it is there).

use sea_orm::entity::prelude::*;

use crate::stage_change::StageKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stage_interval")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub subject_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub entered_at: DateTimeUtc,
    pub kind: StageKind,
    pub account_id: Uuid,
    pub stage: String,
    pub left_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
