//! Lead scoring in the API: rules and settings, written with `scoring.manage`.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{scoring_rule, scoring_settings};

use crate::{
    graphql::{
        account::AccountTier,
        connection::Connection,
        db,
        enums::{BuyingRole, BuyingStage, ContentKind, EngagementKind, LeadSource},
        error::{UserError, payload},
        input::{change, target},
        node::{self, NodeKind},
        page_complexity, principal,
    },
    service::{
        page::PageArgs,
        scoring::{self as service, RuleInput, SettingsChanges},
    },
};

/// Points a lead gets when all of the rule's given conditions match. Engagement conditions
/// (`engagementKind`, `contentKind`, `buyingStage` of the content) make it a behaviour rule whose
/// points decay; the others make it a fit rule.
#[derive(Clone)]
pub struct ScoringRule(pub scoring_rule::Model);

#[Object]
impl ScoringRule {
    pub async fn id(&self) -> ID {
        node::encode(NodeKind::ScoringRule, self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn points(&self) -> i32 {
        self.0.points
    }

    async fn engagement_kind(&self) -> Option<EngagementKind> {
        self.0.engagement_kind.map(Into::into)
    }

    async fn content_kind(&self) -> Option<ContentKind> {
        self.0.content_kind.map(Into::into)
    }

    /// A buying stage the touched content serves.
    async fn buying_stage(&self) -> Option<BuyingStage> {
        self.0.buying_stage.map(Into::into)
    }

    async fn buying_role(&self) -> Option<BuyingRole> {
        self.0.buying_role.map(Into::into)
    }

    async fn account_tier(&self) -> Option<AccountTier> {
        self.0.account_tier.map(Into::into)
    }

    async fn lead_source(&self) -> Option<LeadSource> {
        self.0.lead_source.map(Into::into)
    }

    /// Whether it scores touches (and decays) rather than who the lead is.
    async fn behaviour(&self) -> bool {
        crate::domain::scoring::is_behaviour(&self.0)
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Scoring and handoff settings.
#[derive(Clone)]
pub struct ScoringSettings(pub scoring_settings::Model);

#[Object]
impl ScoringSettings {
    /// The lead score at which an INQUIRY or NURTURE lead becomes an MQL by itself.
    async fn mql_threshold(&self) -> i32 {
        self.0.mql_threshold
    }

    /// Behaviour points halve every this many days.
    async fn decay_half_life_days(&self) -> i32 {
        self.0.decay_half_life_days
    }

    /// Hours sales have to accept an MQL.
    async fn handoff_sla_hours(&self) -> i32 {
        self.0.handoff_sla_hours
    }

    /// The roles a buying committee should have, for `Opportunity.coverage`.
    async fn committee_roles(&self) -> Vec<BuyingRole> {
        crate::domain::coverage::parse_roles(&self.0.committee_roles)
            .into_iter()
            .map(Into::into)
            .collect()
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    async fn version(&self) -> i32 {
        self.0.version
    }
}

#[derive(InputObject)]
pub struct CreateScoringRuleInput {
    pub name: String,
    pub points: i32,
    pub engagement_kind: Option<EngagementKind>,
    pub content_kind: Option<ContentKind>,
    pub buying_stage: Option<BuyingStage>,
    pub buying_role: Option<BuyingRole>,
    pub account_tier: Option<AccountTier>,
    pub lead_source: Option<LeadSource>,
}

#[derive(SimpleObject)]
pub struct CreateScoringRulePayload {
    pub rule: Option<ScoringRule>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct UpdateScoringRuleInput {
    pub id: ID,
    pub name: Option<String>,
    pub points: Option<i32>,
    pub engagement_kind: MaybeUndefined<EngagementKind>,
    pub content_kind: MaybeUndefined<ContentKind>,
    pub buying_stage: MaybeUndefined<BuyingStage>,
    pub buying_role: MaybeUndefined<BuyingRole>,
    pub account_tier: MaybeUndefined<AccountTier>,
    pub lead_source: MaybeUndefined<LeadSource>,
    pub expected_version: Option<i32>,
}

#[derive(SimpleObject)]
pub struct UpdateScoringRulePayload {
    pub rule: Option<ScoringRule>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct DeleteScoringRuleInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct DeleteScoringRulePayload {
    pub deleted_rule_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct UpdateScoringSettingsInput {
    pub mql_threshold: Option<i32>,
    pub decay_half_life_days: Option<i32>,
    pub handoff_sla_hours: Option<i32>,
    /// Replaces the whole list (at least one role; a role given twice counts once).
    pub committee_roles: Option<Vec<BuyingRole>>,
    pub expected_version: Option<i32>,
}

#[derive(SimpleObject)]
pub struct UpdateScoringSettingsPayload {
    pub settings: Option<ScoringSettings>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct ScoringQuery;

#[Object]
impl ScoringQuery {
    /// The scoring rules, oldest first (`scoring.manage`).
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn scoring_rules(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<ScoringRule>> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let page = service::list_rules(db(ctx)?, principal(ctx)?, args).await?;
        Ok(page.map(ScoringRule).into())
    }

    /// Scoring and handoff settings (`scoring.manage`).
    async fn scoring_settings(&self, ctx: &Context<'_>) -> async_graphql::Result<ScoringSettings> {
        Ok(ScoringSettings(
            service::settings_for(db(ctx)?, principal(ctx)?).await?,
        ))
    }
}

#[derive(Default)]
pub struct ScoringMutation;

#[Object]
impl ScoringMutation {
    /// A new rule; a fit rule rescores every lead at once.
    async fn create_scoring_rule(
        &self,
        ctx: &Context<'_>,
        input: CreateScoringRuleInput,
    ) -> async_graphql::Result<CreateScoringRulePayload> {
        let rule = RuleInput {
            name: Some(input.name),
            points: Some(input.points),
            engagement_kind: Some(input.engagement_kind.map(Into::into)),
            content_kind: Some(input.content_kind.map(Into::into)),
            buying_stage: Some(input.buying_stage.map(Into::into)),
            buying_role: Some(input.buying_role.map(Into::into)),
            account_tier: Some(input.account_tier.map(Into::into)),
            lead_source: Some(input.lead_source.map(Into::into)),
        };
        let (rule, user_errors) = payload(service::create_rule(db(ctx)?, principal(ctx)?, rule).await)?;
        Ok(CreateScoringRulePayload {
            rule: rule.map(ScoringRule),
            user_errors,
        })
    }

    async fn update_scoring_rule(
        &self,
        ctx: &Context<'_>,
        input: UpdateScoringRuleInput,
    ) -> async_graphql::Result<UpdateScoringRulePayload> {
        let p = principal(ctx)?;
        let result = match target(&input.id, NodeKind::ScoringRule, "id", "scoring rule") {
            Ok(id) => {
                let rule = RuleInput {
                    name: input.name,
                    points: input.points,
                    engagement_kind: change(input.engagement_kind).map(|v| v.map(Into::into)),
                    content_kind: change(input.content_kind).map(|v| v.map(Into::into)),
                    buying_stage: change(input.buying_stage).map(|v| v.map(Into::into)),
                    buying_role: change(input.buying_role).map(|v| v.map(Into::into)),
                    account_tier: change(input.account_tier).map(|v| v.map(Into::into)),
                    lead_source: change(input.lead_source).map(|v| v.map(Into::into)),
                };
                service::update_rule(db(ctx)?, p, id, rule, input.expected_version).await
            }
            Err(e) => Err(e),
        };
        let (rule, user_errors) = payload(result)?;
        Ok(UpdateScoringRulePayload {
            rule: rule.map(ScoringRule),
            user_errors,
        })
    }

    /// Deletes a rule: its fit points leave every score; behaviour points it gave decay away.
    async fn delete_scoring_rule(
        &self,
        ctx: &Context<'_>,
        input: DeleteScoringRuleInput,
    ) -> async_graphql::Result<DeleteScoringRulePayload> {
        let p = principal(ctx)?;
        let result = match target(&input.id, NodeKind::ScoringRule, "id", "scoring rule") {
            Ok(id) => service::delete_rule(db(ctx)?, p, id).await,
            Err(e) => Err(e),
        };
        let (deleted, user_errors) = payload(result)?;
        Ok(DeleteScoringRulePayload {
            deleted_rule_id: deleted.map(|id| node::encode(NodeKind::ScoringRule, id)),
            user_errors,
        })
    }

    async fn update_scoring_settings(
        &self,
        ctx: &Context<'_>,
        input: UpdateScoringSettingsInput,
    ) -> async_graphql::Result<UpdateScoringSettingsPayload> {
        let changes = SettingsChanges {
            mql_threshold: input.mql_threshold,
            decay_half_life_days: input.decay_half_life_days,
            handoff_sla_hours: input.handoff_sla_hours,
            committee_roles: input
                .committee_roles
                .map(|roles| roles.into_iter().map(Into::into).collect()),
            expected_version: input.expected_version,
        };
        let (settings, user_errors) =
            payload(service::update_settings(db(ctx)?, principal(ctx)?, changes).await)?;
        Ok(UpdateScoringSettingsPayload {
            settings: settings.map(ScoringSettings),
            user_errors,
        })
    }
}
