//! The `Opportunity` and `Money` objects and the inputs that filter and order lists of them.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::opportunity::Model;

use crate::{
    domain::money::Amount,
    error::AppError,
    graphql::{
        account::{Account, user},
        connection::Connection,
        deal::{DealParticipant, DealRisk},
        engagement::{Engagement, EngagementFilter, engagement_filter},
        enums::{LeadSource, OpportunityStage},
        identity::User,
        input::id_filter,
        intelligence::{self, CommitteeCoverage, ContentRecommendation},
        loader::{loaders, nested_page},
        node::{self, NodeKind},
        order::OrderDirection,
        page_complexity, principal, related,
        scalars::{Date, Decimal},
        stage::{StageChange, StageHistoryFilter, history_filter, stage_change},
    },
    service::{
        engagement::{self as engagements, EngagementParent},
        history::HistoryParent,
        opportunity::{self as service, OpportunityOrder as Order, OpportunityOrderField as Field},
        page::PageArgs,
        recommendation::Ask,
    },
};

/// An amount of money in one currency.
#[derive(SimpleObject, Clone)]
pub struct Money {
    /// Exact, with two decimal places.
    pub amount: Decimal,
    /// ISO 4217 (`USD`).
    pub currency: String,
}

/// Money as an input: `{ amount: "12500.00", currency: "EUR" }`.
#[derive(InputObject, Clone)]
pub struct MoneyInput {
    pub amount: Decimal,
    pub currency: String,
}

impl From<MoneyInput> for service::MoneyInput {
    fn from(m: MoneyInput) -> Self {
        Self {
            amount: m.amount.0,
            currency: m.currency,
        }
    }
}

/// A deal being worked with an account.
#[derive(Clone)]
pub struct Opportunity(pub Model);

#[Object]
impl Opportunity {
    pub async fn id(&self) -> ID {
        node::encode(NodeKind::Opportunity, self.0.id)
    }

    /// FORBIDDEN when you may not read the account (`account.read`).
    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<Account> {
        related::required(related::account(ctx, Some(self.0.account_id)).await?)
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn amount(&self) -> Option<Money> {
        let (cents, currency) = (self.0.amount_minor?, self.0.currency.clone()?);
        Some(Money {
            amount: Decimal(Amount::from_minor(cents).to_string()),
            currency,
        })
    }

    /// Moves only through `moveOpportunityStage`.
    async fn stage(&self) -> OpportunityStage {
        self.0.stage.into()
    }

    /// The chance to win, 0 to 100: set by hand, or else the stage's own.
    async fn probability(&self) -> i32 {
        service::probability(&self.0)
    }

    async fn expected_close_date(&self) -> Option<Date> {
        self.0.expected_close_date.map(Date)
    }

    /// Who owns the deal; sales change their own deals, managers every deal.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.owner_id).await
    }

    async fn lead_source(&self) -> Option<LeadSource> {
        self.0.lead_source.map(Into::into)
    }

    /// Competitors in the deal, by name.
    #[graphql(
        complexity = "crate::graphql::list_complexity(crate::graphql::assumed::TAGS, child_complexity)"
    )]
    async fn competitors(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
        Ok(loaders(ctx)?
            .competitors
            .load_one(self.0.id)
            .await
            .map_err(AppError::from)?
            .unwrap_or_default())
    }

    /// The buying committee on this deal: the primary contact first, then as they joined.
    #[graphql(
        complexity = "crate::graphql::list_complexity(crate::graphql::assumed::PARTICIPANTS, child_complexity)"
    )]
    async fn participants(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<DealParticipant>> {
        let l = loaders(ctx)?;
        // When the selection follows the people, they come in the participants' own statement.
        let rows = if ctx.look_ahead().field("stakeholder").exists() {
            l.participants_with_people.load_one(self.0.id).await
        } else {
            l.participants.load_one(self.0.id).await
        };
        Ok(rows
            .map_err(AppError::from)?
            .unwrap_or_default()
            .into_iter()
            .map(DealParticipant)
            .collect())
    }

    /// What could make the deal slip or fail, oldest first.
    #[graphql(
        complexity = "crate::graphql::list_complexity(crate::graphql::assumed::RISKS, child_complexity)"
    )]
    async fn risks(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<DealRisk>> {
        Ok(loaders(ctx)?
            .risks
            .load_one(self.0.id)
            .await
            .map_err(AppError::from)?
            .unwrap_or_default()
            .into_iter()
            .map(DealRisk)
            .collect())
    }

    /// Who on the buying committee holds each role the committee should have
    /// (`ScoringSettings.committeeRoles`) and who of them had a touch in the last
    /// `engagedWithinDays` (1 to 3650).
    #[graphql(
        complexity = "crate::graphql::list_complexity(crate::graphql::assumed::PARTICIPANTS, child_complexity)"
    )]
    async fn coverage(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 30)] engaged_within_days: Option<i32>,
    ) -> async_graphql::Result<CommitteeCoverage> {
        intelligence::coverage(ctx, self.0.id, engaged_within_days.unwrap_or(30)).await
    }

    /// What to send to whom next on this deal: published content each participant you may read
    /// has not engaged with, highest score first (`first`: 1 to 100; content you may not read is
    /// left out).
    #[graphql(complexity = "intelligence::list_cost(first, 10, child_complexity)")]
    async fn recommendations(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10)] first: Option<i32>,
    ) -> async_graphql::Result<Vec<ContentRecommendation>> {
        let ask = Ask::Deal {
            opportunity_id: self.0.id,
            first: intelligence::first(first.unwrap_or(10))?,
        };
        intelligence::recommendations(ctx, ask).await
    }

    /// A `ReasonCode` name, for a deal closed lost.
    async fn close_reason(&self) -> Option<&str> {
        self.0.close_reason.as_deref()
    }

    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }

    /// Touches tied to this deal, newest first.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn engagements(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<EngagementFilter>,
    ) -> async_graphql::Result<Connection<Engagement>> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let nested = engagements::nested(
            principal(ctx)?,
            EngagementParent::Opportunity,
            engagement_filter(filter),
            args,
        )?;
        let l = loaders(ctx)?;
        let page = nested_page(&l.engagement_pages, &l.engagement_counts, self.0.id, nested).await?;
        Ok(page.map(Engagement).into())
    }

    /// The deal's moves through the pipeline and its buyers' own stages, newest first.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn stage_history(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<StageHistoryFilter>,
    ) -> async_graphql::Result<Connection<StageChange>> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let mut filter = history_filter(filter);
        filter.subject = None;
        let nested =
            crate::service::history::nested(principal(ctx)?, HistoryParent::Opportunity, filter, args)?;
        let l = loaders(ctx)?;
        let page = nested_page(&l.history_pages, &l.history_counts, self.0.id, nested).await?;
        Ok(page.map(stage_change).into())
    }

    /// The key your own system keeps for this record; unique among live records of the type.
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.archived_at
    }

    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Narrows a list of opportunities.
#[derive(InputObject, Default)]
pub struct OpportunityFilter {
    pub account_id: Option<ID>,
    /// Deals in any of these stages.
    pub stages: Option<Vec<OpportunityStage>>,
    pub owner_id: Option<ID>,
    /// Expected to close on or after this day.
    pub closing_after: Option<Date>,
    /// Expected to close on or before this day.
    pub closing_before: Option<Date>,
    /// Only records with one of these external ids (at most 500).
    pub external_ids: Option<Vec<String>>,
    #[graphql(default)]
    pub include_archived: bool,
}

/// The service's filter from the API's.
pub fn opportunity_filter(filter: Option<OpportunityFilter>) -> service::OpportunityFilter {
    let f = filter.unwrap_or_default();
    service::OpportunityFilter {
        account_id: id_filter(f.account_id, NodeKind::Account),
        stages: f.stages.unwrap_or_default().into_iter().map(Into::into).collect(),
        owner_id: id_filter(f.owner_id, NodeKind::User),
        closing_after: f.closing_after.map(|d| d.0),
        closing_before: f.closing_before.map(|d| d.0),
        external_ids: f.external_ids,
        include_archived: f.include_archived,
    }
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum OpportunityOrderField {
    Name,
    CreatedAt,
    UpdatedAt,
    /// Deals without an amount come last in either direction.
    Amount,
    /// Deals without a date come last in either direction.
    ExpectedCloseDate,
}

/// The order of a list of opportunities; ties are broken by ID.
#[derive(InputObject)]
pub struct OpportunityOrder {
    pub field: OpportunityOrderField,
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
}

impl From<OpportunityOrder> for Order {
    fn from(o: OpportunityOrder) -> Self {
        Self {
            field: match o.field {
                OpportunityOrderField::Name => Field::Name,
                OpportunityOrderField::CreatedAt => Field::CreatedAt,
                OpportunityOrderField::UpdatedAt => Field::UpdatedAt,
                OpportunityOrderField::Amount => Field::Amount,
                OpportunityOrderField::ExpectedCloseDate => Field::ExpectedCloseDate,
            },
            descending: o.direction == OrderDirection::Desc,
        }
    }
}
