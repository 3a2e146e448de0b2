//! An account: a company marketing and sales work together.

use sea_orm::entity::prelude::*;

/// How much attention an account gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum AccountTier {
    #[sea_orm(string_value = "TIER_1")]
    Tier1,
    #[sea_orm(string_value = "TIER_2")]
    Tier2,
    #[sea_orm(string_value = "TIER_3")]
    Tier3,
    #[sea_orm(string_value = "UNTIERED")]
    Untiered,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum AccountStatus {
    #[sea_orm(string_value = "PROSPECT")]
    Prospect,
    #[sea_orm(string_value = "CUSTOMER")]
    Customer,
    #[sea_orm(string_value = "FORMER_CUSTOMER")]
    FormerCustomer,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// `name` in lower case, for case-insensitive prefix search and ordering.
    pub name_key: String,
    /// Lower case, without scheme or `www.`; unique among live accounts.
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub employee_count: Option<i32>,
    pub tier: AccountTier,
    pub status: AccountStatus,
    pub owner_id: Option<Uuid>,
    pub marketing_owner_id: Option<Uuid>,
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
