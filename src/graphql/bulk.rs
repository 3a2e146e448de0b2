//! `upsertAccounts`, `upsertStakeholders` and `upsertOpportunities`: bulk data for integrators
//! (the rules are in `service::bulk`). A row is the create input plus `externalId`; a row's
//! parent account is named by `accountId` or by `accountExternalId`.

use async_graphql::{Context, ID, InputObject, Object};

use super::{
    account::{Account, AccountStatus, AccountTier},
    opportunity::{MoneyInput, Opportunity},
    stakeholder::Stakeholder,
};
use crate::{
    graphql::{
        db,
        enums::{BuyingRole, LeadSource, Sentiment},
        error::{UserError, payload},
        input::reference,
        node::{self, NodeKind},
        principal,
        scalars::Date,
    },
    service::{
        account::NewAccount,
        bulk::{self, MAX_ROWS, Parent, Upserted, opportunity::OpportunityRow, stakeholder::StakeholderRow},
        opportunity::NewOpportunity,
        stakeholder::NewStakeholder,
    },
};

/// An account to create, or to update when a live account has its `externalId` (else its
/// `domain`). Fields left out of an update stay as they are.
#[derive(InputObject)]
pub struct UpsertAccountRow {
    pub external_id: String,
    pub name: String,
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub employee_count: Option<i32>,
    pub tier: Option<AccountTier>,
    pub status: Option<AccountStatus>,
    pub owner_id: Option<ID>,
    pub marketing_owner_id: Option<ID>,
}

/// A person to create, or to update when a live person has their `externalId` (else their
/// `email` at the same account). Name the account by `accountId` or `accountExternalId`.
/// Fields left out of an update stay as they are.
#[derive(InputObject)]
pub struct UpsertStakeholderRow {
    pub external_id: String,
    pub account_id: Option<ID>,
    pub account_external_id: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub title: Option<String>,
    pub department: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub persona_id: Option<ID>,
    pub buying_role: Option<BuyingRole>,
    pub influence: Option<i32>,
    pub sentiment: Option<Sentiment>,
    pub reports_to_id: Option<ID>,
    pub lead_source: Option<LeadSource>,
    pub referred_by_id: Option<ID>,
    pub owner_id: Option<ID>,
    pub marketing_owner_id: Option<ID>,
}

/// A deal to create, or to update when a live deal has its `externalId`. Name the account by
/// `accountId` or `accountExternalId`. Fields left out of an update stay as they are;
/// `competitors`, when given, replace the list.
#[derive(InputObject)]
pub struct UpsertOpportunityRow {
    pub external_id: String,
    pub account_id: Option<ID>,
    pub account_external_id: Option<String>,
    pub name: String,
    pub amount: Option<MoneyInput>,
    pub probability: Option<i32>,
    pub expected_close_date: Option<Date>,
    pub owner_id: Option<ID>,
    pub lead_source: Option<LeadSource>,
    pub competitors: Option<Vec<String>>,
}

/// At most 500 rows.
#[derive(InputObject)]
pub struct UpsertAccountsInput {
    pub rows: Vec<UpsertAccountRow>,
}

/// At most 500 rows.
#[derive(InputObject)]
pub struct UpsertStakeholdersInput {
    pub rows: Vec<UpsertStakeholderRow>,
}

/// At most 500 rows.
#[derive(InputObject)]
pub struct UpsertOpportunitiesInput {
    pub rows: Vec<UpsertOpportunityRow>,
}

/// What an upsert wrote: the records in the order of the rows, or nothing and the refusals.
pub struct Upsert<T> {
    records: Vec<T>,
    created: usize,
    updated: usize,
    user_errors: Vec<UserError>,
}

impl<T> Upsert<T> {
    fn from<M>(
        result: Result<Upserted<M>, crate::error::AppError>,
        wrap: fn(M) -> T,
    ) -> async_graphql::Result<Self> {
        let (done, user_errors) = payload(result)?;
        Ok(match done {
            Some(u) => Self {
                records: u.records.into_iter().map(wrap).collect(),
                created: u.created,
                updated: u.updated,
                user_errors,
            },
            None => Self {
                records: Vec::new(),
                created: 0,
                updated: 0,
                user_errors,
            },
        })
    }
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// The list of records costs as if the call had the most rows: the cost is decided before the
/// rows are read.
fn rows_complexity(child_complexity: usize) -> usize {
    crate::graphql::list_complexity(MAX_ROWS, child_complexity)
}

pub type UpsertAccountsPayload = Upsert<Account>;
pub type UpsertStakeholdersPayload = Upsert<Stakeholder>;
pub type UpsertOpportunitiesPayload = Upsert<Opportunity>;

#[Object(name = "UpsertAccountsPayload")]
impl Upsert<Account> {
    /// The accounts, in the order of the rows; empty when refused.
    #[graphql(complexity = "rows_complexity(child_complexity)")]
    async fn accounts(&self) -> &[Account] {
        &self.records
    }
    async fn created(&self) -> i32 {
        count(self.created)
    }
    async fn updated(&self) -> i32 {
        count(self.updated)
    }
    /// Each refused row's errors at `["rows", "<index>", "<field>"]`; nothing was written.
    async fn user_errors(&self) -> &[UserError] {
        &self.user_errors
    }
}

#[Object(name = "UpsertStakeholdersPayload")]
impl Upsert<Stakeholder> {
    /// The people, in the order of the rows; empty when refused.
    #[graphql(complexity = "rows_complexity(child_complexity)")]
    async fn stakeholders(&self) -> &[Stakeholder] {
        &self.records
    }
    async fn created(&self) -> i32 {
        count(self.created)
    }
    async fn updated(&self) -> i32 {
        count(self.updated)
    }
    /// Each refused row's errors at `["rows", "<index>", "<field>"]`; nothing was written.
    async fn user_errors(&self) -> &[UserError] {
        &self.user_errors
    }
}

#[Object(name = "UpsertOpportunitiesPayload")]
impl Upsert<Opportunity> {
    /// The deals, in the order of the rows; empty when refused.
    #[graphql(complexity = "rows_complexity(child_complexity)")]
    async fn opportunities(&self) -> &[Opportunity] {
        &self.records
    }
    async fn created(&self) -> i32 {
        count(self.created)
    }
    async fn updated(&self) -> i32 {
        count(self.updated)
    }
    /// Each refused row's errors at `["rows", "<index>", "<field>"]`; nothing was written.
    async fn user_errors(&self) -> &[UserError] {
        &self.user_errors
    }
}

fn parent(id: Option<&ID>, external_id: Option<String>) -> Parent {
    match (id, external_id) {
        (Some(id), None) => Parent::Id(node::decode_as(id, NodeKind::Account)),
        (None, Some(key)) => Parent::External(key),
        (None, None) => Parent::Neither,
        (Some(_), Some(_)) => Parent::Both,
    }
}

#[derive(Default)]
pub struct BulkMutation;

#[Object]
impl BulkMutation {
    /// Creates or updates up to 500 accounts in one transaction: all or nothing.
    async fn upsert_accounts(
        &self,
        ctx: &Context<'_>,
        input: UpsertAccountsInput,
    ) -> async_graphql::Result<UpsertAccountsPayload> {
        let rows = input
            .rows
            .into_iter()
            .map(|r| NewAccount {
                owner_id: reference(r.owner_id.as_ref(), NodeKind::User),
                marketing_owner_id: reference(r.marketing_owner_id.as_ref(), NodeKind::User),
                name: r.name,
                domain: r.domain,
                industry: r.industry,
                employee_count: r.employee_count,
                tier: r.tier.map(Into::into),
                status: r.status.map(Into::into),
                external_id: Some(r.external_id),
            })
            .collect();
        Upsert::from(
            bulk::account::upsert(db(ctx)?, principal(ctx)?, rows).await,
            Account,
        )
    }

    /// Creates or updates up to 500 stakeholders in one transaction: all or nothing.
    async fn upsert_stakeholders(
        &self,
        ctx: &Context<'_>,
        input: UpsertStakeholdersInput,
    ) -> async_graphql::Result<UpsertStakeholdersPayload> {
        let rows = input
            .rows
            .into_iter()
            .map(|r| StakeholderRow {
                parent: parent(r.account_id.as_ref(), r.account_external_id),
                person: NewStakeholder {
                    account_id: None,
                    persona_id: reference(r.persona_id.as_ref(), NodeKind::Persona),
                    reports_to_id: reference(r.reports_to_id.as_ref(), NodeKind::Stakeholder),
                    referred_by_id: reference(r.referred_by_id.as_ref(), NodeKind::Stakeholder),
                    owner_id: reference(r.owner_id.as_ref(), NodeKind::User),
                    marketing_owner_id: reference(r.marketing_owner_id.as_ref(), NodeKind::User),
                    first_name: r.first_name,
                    last_name: r.last_name,
                    title: r.title,
                    department: r.department,
                    email: r.email,
                    phone: r.phone,
                    buying_role: r.buying_role.map(Into::into),
                    influence: r.influence,
                    sentiment: r.sentiment.map(Into::into),
                    lead_source: r.lead_source.map(Into::into),
                    external_id: Some(r.external_id),
                },
            })
            .collect();
        Upsert::from(
            bulk::stakeholder::upsert(db(ctx)?, principal(ctx)?, rows).await,
            Stakeholder,
        )
    }

    /// Creates or updates up to 500 opportunities in one transaction: all or nothing.
    async fn upsert_opportunities(
        &self,
        ctx: &Context<'_>,
        input: UpsertOpportunitiesInput,
    ) -> async_graphql::Result<UpsertOpportunitiesPayload> {
        let rows = input
            .rows
            .into_iter()
            .map(|r| OpportunityRow {
                parent: parent(r.account_id.as_ref(), r.account_external_id),
                deal: NewOpportunity {
                    account_id: None,
                    name: r.name,
                    amount: r.amount.map(Into::into),
                    probability: r.probability,
                    expected_close_date: r.expected_close_date.map(|d| d.0),
                    owner_id: reference(r.owner_id.as_ref(), NodeKind::User),
                    lead_source: r.lead_source.map(Into::into),
                    competitors: Vec::new(),
                    external_id: Some(r.external_id),
                },
                competitors: r.competitors,
            })
            .collect();
        Upsert::from(
            bulk::opportunity::upsert(db(ctx)?, principal(ctx)?, rows).await,
            Opportunity,
        )
    }
}
