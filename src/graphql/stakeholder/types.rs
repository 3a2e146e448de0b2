//! The `Stakeholder` object and the inputs that filter and order lists of it.

use crate::graphql::related;
use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entity::stakeholder::Model;

use crate::{
    error::AppError,
    graphql::{
        account::{Account, user},
        connection::Connection,
        deal::DealParticipant,
        engagement::{Engagement, EngagementFilter, engagement_filter},
        enums::{BuyingRole, LeadSource, LeadStage, Sentiment},
        identity::User,
        input::id_filter,
        intelligence::{self, ContentRecommendation},
        lead::{Handoff, LeadFeedback, ScoreLine},
        loader::{loaders, nested_page},
        node::{self, NodeKind},
        order::OrderDirection,
        page_complexity,
        persona::Persona,
        principal,
        scoring::ScoringRule,
        stage::{StageChange, StageHistoryFilter, history_filter, stage_change},
    },
    service::{
        engagement::EngagementParent,
        history::HistoryParent,
        page::PageArgs,
        recommendation::Ask,
        stakeholder::{self as service, StakeholderOrder as Order, StakeholderOrderField as Field},
    },
};

/// One person on an account's People Map, and a lead in the demand waterfall.
#[derive(Clone)]
pub struct Stakeholder(pub Model);

#[Object]
impl Stakeholder {
    pub async fn id(&self) -> ID {
        node::encode(NodeKind::Stakeholder, self.0.id)
    }

    /// FORBIDDEN when you may not read the account (`account.read`).
    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<Account> {
        related::required(related::account(ctx, Some(self.0.account_id)).await?)
    }

    async fn first_name(&self) -> &str {
        &self.0.first_name
    }

    async fn last_name(&self) -> &str {
        &self.0.last_name
    }

    async fn full_name(&self) -> String {
        format!("{} {}", self.0.first_name, self.0.last_name)
    }

    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }

    async fn department(&self) -> Option<&str> {
        self.0.department.as_deref()
    }

    /// Needs `stakeholder.read_contact`; without it the field is null with a FORBIDDEN error.
    async fn email(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<&str>> {
        service::may_read_contact(principal(ctx)?, &self.0)?;
        Ok(self.0.email.as_deref())
    }

    /// Needs `stakeholder.read_contact`; without it the field is null with a FORBIDDEN error.
    async fn phone(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<&str>> {
        service::may_read_contact(principal(ctx)?, &self.0)?;
        Ok(self.0.phone.as_deref())
    }

    async fn persona(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Persona>> {
        let Some(id) = self.0.persona_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .personas
            .load_one(id)
            .await
            .map_err(AppError::from)?
            .map(Persona))
    }

    async fn buying_role(&self) -> BuyingRole {
        self.0.buying_role.into()
    }

    /// 1 (little) to 5 (decisive).
    async fn influence(&self) -> Option<i32> {
        self.0.influence.map(i32::from)
    }

    async fn sentiment(&self) -> Sentiment {
        self.0.sentiment.into()
    }

    async fn reports_to(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Stakeholder>> {
        related::stakeholder(ctx, self.0.reports_to_id).await
    }

    /// The live stakeholders who report to this one.
    #[graphql(
        complexity = "crate::graphql::list_complexity(crate::graphql::assumed::DIRECT_REPORTS, child_complexity)"
    )]
    async fn direct_reports(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Stakeholder>> {
        let reports = loaders(ctx)?
            .direct_reports
            .load_one(self.0.id)
            .await
            .map_err(AppError::from)?;
        Ok(reports.unwrap_or_default().into_iter().map(Stakeholder).collect())
    }

    async fn lead_stage(&self) -> LeadStage {
        self.0.lead_stage.into()
    }

    async fn lead_source(&self) -> Option<LeadSource> {
        self.0.lead_source.map(Into::into)
    }

    async fn referred_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Stakeholder>> {
        related::stakeholder(ctx, self.0.referred_by_id).await
    }

    async fn lead_score(&self) -> i32 {
        self.0.lead_score
    }

    /// Who owns the conversation on the sales side.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.owner_id).await
    }

    /// Who owns the lead on the marketing side, through the whole cycle.
    async fn marketing_owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.marketing_owner_id).await
    }

    async fn last_engaged_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_engaged_at
    }

    /// What to send this person next: published content they have not engaged with, chosen on
    /// `opportunityId` or on every open deal of theirs you may read, highest score first
    /// (`first`: 1 to 100).
    #[graphql(complexity = "intelligence::list_cost(first, 5, child_complexity)")]
    async fn recommendations(
        &self,
        ctx: &Context<'_>,
        opportunity_id: Option<ID>,
        #[graphql(default = 5)] first: Option<i32>,
    ) -> async_graphql::Result<Vec<ContentRecommendation>> {
        let ask = Ask::Person {
            stakeholder_id: self.0.id,
            opportunity_id: opportunity_id
                .map(|id| node::decode_as(&id, NodeKind::Opportunity).unwrap_or_default()),
            first: intelligence::first(first.unwrap_or(5))?,
        };
        intelligence::recommendations(ctx, ask).await
    }

    /// Sales' feedback on this lead, newest first.
    #[graphql(
        complexity = "crate::graphql::list_complexity(crate::graphql::assumed::FEEDBACK, child_complexity)"
    )]
    async fn feedback(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<LeadFeedback>> {
        let rows = loaders(ctx)?
            .feedback
            .load_one(self.0.id)
            .await
            .map_err(AppError::from)?;
        Ok(rows.unwrap_or_default().into_iter().map(LeadFeedback).collect())
    }

    /// While the lead is an MQL: when it was handed to sales and by when they should accept it.
    async fn handoff(&self) -> Option<Handoff> {
        let (assigned_at, accept_by) = (self.0.handoff_assigned_at?, self.0.handoff_accept_by?);
        (self.0.lead_stage == entity::enums::LeadStage::Mql).then(|| Handoff {
            assigned_at,
            accept_by,
            overdue: Utc::now() > accept_by,
        })
    }

    /// Which rules give this lead which points now.
    #[graphql(
        complexity = "crate::graphql::list_complexity(crate::graphql::assumed::SCORE_LINES, child_complexity)"
    )]
    async fn score_breakdown(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ScoreLine>> {
        let p = principal(ctx)?;
        let may_see_rules = crate::domain::authz::authorize(
            p,
            crate::domain::permission::Permission::ScoringManage,
            crate::domain::authz::Resource::Any,
        )
        .is_ok();
        let lines = crate::service::scoring::breakdown(crate::graphql::db(ctx)?, &self.0).await?;
        Ok(lines
            .into_iter()
            .map(|l| ScoreLine {
                rule_name: l.rule.name.clone(),
                points: l.points.round() as i32,
                behaviour: l.behaviour,
                rule: may_see_rules.then_some(ScoringRule(l.rule)),
            })
            .collect())
    }

    /// The deals this person takes part in (those you may read), as they joined.
    #[graphql(
        complexity = "crate::graphql::list_complexity(crate::graphql::assumed::DEALS_PER_PERSON, child_complexity)"
    )]
    async fn deals(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<DealParticipant>> {
        // Read through the participants' scoped finder: only deals the caller may read.
        Ok(loaders(ctx)?
            .deals
            .load_one(self.0.id)
            .await
            .map_err(AppError::from)?
            .unwrap_or_default()
            .into_iter()
            .map(DealParticipant)
            .collect())
    }

    /// Every touch of this person, newest first.
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
        let nested = crate::service::engagement::nested(
            principal(ctx)?,
            EngagementParent::Stakeholder,
            engagement_filter(filter),
            args,
        )?;
        let l = loaders(ctx)?;
        let page = nested_page(&l.engagement_pages, &l.engagement_counts, self.0.id, nested).await?;
        Ok(page.map(Engagement).into())
    }

    /// Their lead moves and their buying stages on every deal, newest first.
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
            crate::service::history::nested(principal(ctx)?, HistoryParent::Stakeholder, filter, args)?;
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

/// Narrows a list of stakeholders.
#[derive(InputObject, Default)]
pub struct StakeholderFilter {
    pub account_id: Option<ID>,
    /// Stakeholders in any of these lead stages.
    pub lead_stages: Option<Vec<LeadStage>>,
    pub buying_role: Option<BuyingRole>,
    pub persona_id: Option<ID>,
    pub owner_id: Option<ID>,
    /// Stakeholders whose lead score is at least this.
    pub min_score: Option<i32>,
    /// true: MQLs sales have not accepted by their deadline.
    pub handoff_overdue: Option<bool>,
    /// People from any of these lead sources.
    pub lead_sources: Option<Vec<LeadSource>>,
    /// People whose first name, last name or "first last" starts with this text, ignoring case;
    /// also whose email does, among the people whose contact details you may read.
    pub search: Option<String>,
    /// Only records with one of these external ids (at most 500).
    pub external_ids: Option<Vec<String>>,
    #[graphql(default)]
    pub include_archived: bool,
}

/// The service's filter from the API's.
pub fn stakeholder_filter(filter: Option<StakeholderFilter>) -> service::StakeholderFilter {
    let f = filter.unwrap_or_default();
    service::StakeholderFilter {
        account_id: id_filter(f.account_id, NodeKind::Account),
        lead_stages: f
            .lead_stages
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect(),
        buying_role: f.buying_role.map(Into::into),
        persona_id: id_filter(f.persona_id, NodeKind::Persona),
        owner_id: id_filter(f.owner_id, NodeKind::User),
        min_score: f.min_score,
        handoff_overdue: f.handoff_overdue,
        external_ids: f.external_ids,
        lead_sources: f
            .lead_sources
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect(),
        search: f.search,
        include_archived: f.include_archived,
    }
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum StakeholderOrderField {
    /// By last name.
    Name,
    CreatedAt,
    UpdatedAt,
    LeadScore,
}

#[derive(InputObject)]
pub struct StakeholderOrder {
    pub field: StakeholderOrderField,
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
}

impl From<StakeholderOrder> for Order {
    fn from(o: StakeholderOrder) -> Self {
        Self {
            field: match o.field {
                StakeholderOrderField::Name => Field::Name,
                StakeholderOrderField::CreatedAt => Field::CreatedAt,
                StakeholderOrderField::UpdatedAt => Field::UpdatedAt,
                StakeholderOrderField::LeadScore => Field::LeadScore,
            },
            descending: o.direction == OrderDirection::Desc,
        }
    }
}
