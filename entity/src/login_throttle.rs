//! Sign-in attempts per email or client address (digested), for throttling password guessing.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_throttle")]
pub struct Model {
    /// `sha256("email:" + normalized email)` or `sha256("client:" + address)`, hex.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// Attempts not yet forgiven by a success, since the count was last forgotten.
    pub failures: i32,
    /// Unix milliseconds.
    pub last_attempt_ms: i64,
    /// Unix milliseconds; no attempt is evaluated before.
    pub blocked_until_ms: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
