//! The report inputs and their enums: periods, units, groupings and filters, mapped to the
//! service's arguments (an ID of the wrong kind matches nothing).

use async_graphql::{Enum, ID, InputObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    graphql::{
        account::AccountTier,
        enums::LeadSource,
        node::{self, NodeKind},
    },
    service::analytics::{Window, deal_funnel as deals, lead_funnel as leads},
};

/// Who a lead funnel counts.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::domain::analytics::FunnelUnit")]
pub enum FunnelUnit {
    /// Each stakeholder.
    Lead,
    /// Each account (the buying group), once per stage however many of its people got there.
    Account,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::domain::analytics::LeadGroupBy")]
pub enum LeadFunnelGroupBy {
    None,
    LeadSource,
    AccountTier,
    Persona,
    Owner,
    MarketingOwner,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::service::analytics::deal_funnel::DealGroupBy")]
pub enum DealFunnelGroupBy {
    None,
    Owner,
    LeadSource,
    AccountTier,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::service::analytics::handoff::HandoffGroupBy")]
pub enum HandoffGroupBy {
    None,
    /// The lead's current owner.
    Owner,
}

/// IDs of one kind; an ID of anything else matches nothing (the nil UUID is no row's id).
fn ids(list: Option<Vec<ID>>, kind: NodeKind) -> Vec<Uuid> {
    list.unwrap_or_default()
        .iter()
        .map(|id| node::decode_as(id, kind).unwrap_or_default())
        .collect()
}

fn enums<A: Copy, B: From<A>>(list: Option<Vec<A>>) -> Vec<B> {
    list.unwrap_or_default().into_iter().map(B::from).collect()
}

/// Which leads a funnel counts; every list left out (or empty) means any.
#[derive(InputObject, Clone, Default)]
pub struct LeadFunnelFilter {
    pub lead_sources: Option<Vec<LeadSource>>,
    pub account_tiers: Option<Vec<AccountTier>>,
    pub persona_ids: Option<Vec<ID>>,
    /// The lead's owner; for ACCOUNT, the account's.
    pub owner_ids: Option<Vec<ID>>,
    /// The lead's marketing owner; for ACCOUNT, the account's.
    pub marketing_owner_ids: Option<Vec<ID>>,
    pub account_ids: Option<Vec<ID>>,
    /// Leave archived stakeholders and accounts out (by default history counts them).
    pub exclude_archived: Option<bool>,
}

impl From<LeadFunnelFilter> for leads::LeadFunnelFilter {
    fn from(f: LeadFunnelFilter) -> Self {
        Self {
            lead_sources: enums(f.lead_sources),
            account_tiers: enums(f.account_tiers),
            persona_ids: ids(f.persona_ids, NodeKind::Persona),
            owner_ids: ids(f.owner_ids, NodeKind::User),
            marketing_owner_ids: ids(f.marketing_owner_ids, NodeKind::User),
            account_ids: ids(f.account_ids, NodeKind::Account),
            exclude_archived: f.exclude_archived.unwrap_or(false),
        }
    }
}

/// A lead funnel's period (`[from, to)`, UTC), moment and grouping.
#[derive(InputObject, Clone)]
pub struct LeadFunnelInput {
    #[graphql(validator(custom = "crate::graphql::scalars::InRange"))]
    pub from: DateTime<Utc>,
    #[graphql(validator(custom = "crate::graphql::scalars::InRange"))]
    pub to: DateTime<Utc>,
    /// Rows recorded at or after this moment are ignored; default now.
    #[graphql(validator(custom = "crate::graphql::scalars::InRange"))]
    pub as_of: Option<DateTime<Utc>>,
    #[graphql(default_with = "Some(FunnelUnit::Lead)")]
    pub unit: Option<FunnelUnit>,
    #[graphql(default_with = "Some(LeadFunnelGroupBy::None)")]
    pub group_by: Option<LeadFunnelGroupBy>,
    pub filter: Option<LeadFunnelFilter>,
}

impl LeadFunnelInput {
    pub fn window(&self) -> Window {
        Window {
            from: self.from,
            to: self.to,
            as_of: self.as_of,
        }
    }
}

/// Which deals a funnel counts; every list left out (or empty) means any.
#[derive(InputObject, Clone, Default)]
pub struct DealFunnelFilter {
    pub owner_ids: Option<Vec<ID>>,
    pub account_ids: Option<Vec<ID>>,
    pub lead_sources: Option<Vec<LeadSource>>,
    pub account_tiers: Option<Vec<AccountTier>>,
    /// Leave archived opportunities and accounts out (by default history counts them).
    pub exclude_archived: Option<bool>,
}

impl From<DealFunnelFilter> for deals::DealFunnelFilter {
    fn from(f: DealFunnelFilter) -> Self {
        Self {
            owner_ids: ids(f.owner_ids, NodeKind::User),
            account_ids: ids(f.account_ids, NodeKind::Account),
            lead_sources: enums(f.lead_sources),
            account_tiers: enums(f.account_tiers),
            exclude_archived: f.exclude_archived.unwrap_or(false),
        }
    }
}

#[derive(InputObject, Clone)]
pub struct DealFunnelInput {
    #[graphql(validator(custom = "crate::graphql::scalars::InRange"))]
    pub from: DateTime<Utc>,
    #[graphql(validator(custom = "crate::graphql::scalars::InRange"))]
    pub to: DateTime<Utc>,
    #[graphql(validator(custom = "crate::graphql::scalars::InRange"))]
    pub as_of: Option<DateTime<Utc>>,
    #[graphql(default_with = "Some(DealFunnelGroupBy::None)")]
    pub group_by: Option<DealFunnelGroupBy>,
    pub filter: Option<DealFunnelFilter>,
}

#[derive(InputObject, Clone)]
pub struct LeadSourceQualityInput {
    #[graphql(validator(custom = "crate::graphql::scalars::InRange"))]
    pub from: DateTime<Utc>,
    #[graphql(validator(custom = "crate::graphql::scalars::InRange"))]
    pub to: DateTime<Utc>,
    #[graphql(validator(custom = "crate::graphql::scalars::InRange"))]
    pub as_of: Option<DateTime<Utc>>,
}

#[derive(InputObject, Clone)]
pub struct HandoffPerformanceInput {
    #[graphql(validator(custom = "crate::graphql::scalars::InRange"))]
    pub from: DateTime<Utc>,
    #[graphql(validator(custom = "crate::graphql::scalars::InRange"))]
    pub to: DateTime<Utc>,
    #[graphql(validator(custom = "crate::graphql::scalars::InRange"))]
    pub as_of: Option<DateTime<Utc>>,
    #[graphql(default_with = "Some(HandoffGroupBy::None)")]
    pub group_by: Option<HandoffGroupBy>,
}
