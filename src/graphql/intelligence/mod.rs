//! Deal intelligence in the API: committee coverage and recommendations on deals and people
//! (`Opportunity.coverage`, `Opportunity.recommendations`, `Stakeholder.recommendations`), and
//! `contentInfluence`. Thin: the facts come from the loaders and services, the rules from
//! `domain::{coverage, recommendation, influence}`.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::{
    domain::{
        analytics::from_cents,
        authz::{self, Resource},
        coverage::{self as rules, Member},
        influence::Influence,
        permission::Permission,
        recommendation::{self as recommendation_rules, Recommendation},
    },
    error::AppError,
    graphql::{
        content::Content,
        db,
        deal::DealParticipant,
        enums::BuyingRole,
        loader::loaders,
        node::{self, NodeKind},
        opportunity::Money,
        principal, related,
        scalars::Decimal,
        stakeholder::Stakeholder,
    },
    service::{
        analytics::content_influence::{self as influence_service, InfluenceQuery},
        recommendation::Ask,
    },
};

/// Who on a deal's buying committee holds which role, and who of them engaged lately.
#[derive(SimpleObject)]
pub struct CommitteeCoverage {
    /// Every expected role (in the setting's order), then every other role present.
    pub roles: Vec<RoleCoverage>,
    /// Expected roles nobody on the deal holds.
    pub missing_roles: Vec<BuyingRole>,
    /// Expected roles whose participants all stayed silent in the window.
    pub unengaged_roles: Vec<BuyingRole>,
    /// Expected roles with an engaged participant, over expected roles (0 to 1).
    pub covered_share: f64,
}

/// One role of the committee.
#[derive(SimpleObject)]
pub struct RoleCoverage {
    pub role: BuyingRole,
    /// Who holds it on the deal: the primary contact first, then as they joined.
    pub participants: Vec<DealParticipant>,
    /// How many of them had a touch in the window.
    pub engaged: i32,
    /// The latest touch of any of them, ever.
    pub last_engaged_at: Option<DateTime<Utc>>,
}

/// The coverage of the committee of `opportunity_id`: three loads (its participants, the
/// setting, their latest touches), batched with every other deal of the level.
pub async fn coverage(
    ctx: &Context<'_>,
    opportunity_id: Uuid,
    engaged_within_days: i32,
) -> async_graphql::Result<CommitteeCoverage> {
    let days = rules::check_engaged_within_days(engaged_within_days).map_err(AppError::BadUserInput)?;
    let l = loaders(ctx)?;
    let (participants, settings) =
        futures_util::try_join!(l.participants.load_one(opportunity_id), l.settings.load_one(()),)
            .map_err(AppError::from)?;
    let participants = participants.unwrap_or_default();
    let expected = settings.map_or_else(
        || rules::DEFAULT_COMMITTEE_ROLES.to_vec(),
        |s| rules::parse_roles(&s.committee_roles),
    );
    let touches = l
        .last_touches
        .load_many(participants.iter().map(|p| p.stakeholder_id))
        .await
        .map_err(AppError::from)?;
    let members: Vec<Member<entity::deal_participant::Model>> = participants
        .into_iter()
        .map(|p| Member {
            role: p.role,
            last_engaged_at: touches
                .get(&p.stakeholder_id)
                .and_then(|t| t.iter().max().copied()),
            participant: p,
        })
        .collect();
    let since = Utc::now() - Duration::days(i64::from(days));
    let c = rules::coverage(&expected, &members, since);
    let roles = |roles: Vec<entity::enums::BuyingRole>| roles.into_iter().map(Into::into).collect();
    Ok(CommitteeCoverage {
        roles: c
            .roles
            .into_iter()
            .map(|r| RoleCoverage {
                role: r.role.into(),
                participants: r.participants.into_iter().map(DealParticipant).collect(),
                engaged: r.engaged,
                last_engaged_at: r.last_engaged_at,
            })
            .collect(),
        missing_roles: roles(c.missing_roles),
        unengaged_roles: roles(c.unengaged_roles),
        covered_share: c.covered_share,
    })
}

/// Why a content is recommended to a person.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::domain::recommendation::Reason")]
pub enum RecommendationReason {
    /// It answers an open risk of the deal (`DealRisk.answeredBy`).
    AnswersOpenRisk,
    /// It is tagged with a competitor on the deal (its competitors, or an open COMPETITOR risk's).
    CompetitorOnDeal,
    /// It is tagged for the person's role on the deal.
    RoleMatch,
    /// It is tagged for the person's buying stage on the deal.
    StageMatch,
    /// It is tagged for the person's persona.
    PersonaMatch,
    /// The person has no engagement at all yet.
    NothingSentYet,
}

/// A published content a person has not engaged with yet, worth sending them next.
pub struct ContentRecommendation(pub Recommendation);

#[Object]
impl ContentRecommendation {
    async fn stakeholder(&self, ctx: &Context<'_>) -> async_graphql::Result<Stakeholder> {
        related::required(related::stakeholder(ctx, Some(self.0.stakeholder_id)).await?)
    }

    async fn content(&self, ctx: &Context<'_>) -> async_graphql::Result<Content> {
        related::required(related::content(ctx, Some(self.0.content_id)).await?)
    }

    /// The sum of the reasons' weights (see the README): higher is more worth sending.
    async fn score(&self) -> i32 {
        self.0.score
    }

    async fn reasons(&self) -> Vec<RecommendationReason> {
        self.0.reasons.iter().map(|r| (*r).into()).collect()
    }
}

/// The cost of a list cut at `first` (its default when absent), as a page of that size.
pub fn list_cost(first: Option<i32>, default: i32, child_complexity: usize) -> usize {
    let size = first.unwrap_or(default).clamp(1, recommendation_rules::MAX_FIRST) as usize;
    crate::graphql::list_complexity(size, child_complexity)
}

/// `first` of a list of recommendations, checked (BAD_USER_INPUT outside 1 to 100).
pub fn first(first: i32) -> Result<usize, AppError> {
    recommendation_rules::check_first(first).map_err(AppError::BadUserInput)
}

/// The recommendations of one ask, batched with every other ask of the level. Needs
/// `opportunity.read`.
pub async fn recommendations(
    ctx: &Context<'_>,
    ask: Ask,
) -> async_graphql::Result<Vec<ContentRecommendation>> {
    authz::authorize(principal(ctx)?, Permission::OpportunityRead, Resource::Any).map_err(AppError::from)?;
    let found = loaders(ctx)?
        .recommendations
        .load_one(ask)
        .await
        .map_err(AppError::from)?;
    Ok(found
        .unwrap_or_default()
        .into_iter()
        .map(ContentRecommendation)
        .collect())
}

#[derive(InputObject)]
pub struct ContentInfluenceInput {
    /// The period's start, included.
    #[graphql(validator(custom = "crate::graphql::scalars::InRange"))]
    pub from: DateTime<Utc>,
    /// The period's end, excluded.
    #[graphql(validator(custom = "crate::graphql::scalars::InRange"))]
    pub to: DateTime<Utc>,
    /// Only these pieces (listed even when nothing touched them); an ID of anything else names
    /// nothing.
    pub content_ids: Option<Vec<ID>>,
    /// 1 to 100.
    #[graphql(default = 20)]
    pub first: Option<i32>,
}

/// What one piece of content did in a period.
pub struct ContentInfluence(pub Influence);

fn count(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn money(cents: &std::collections::BTreeMap<String, i128>) -> Vec<Money> {
    cents
        .iter()
        .map(|(currency, cents)| Money {
            amount: Decimal(from_cents(*cents).to_string()),
            currency: currency.clone(),
        })
        .collect()
}

#[Object]
impl ContentInfluence {
    async fn content(&self, ctx: &Context<'_>) -> async_graphql::Result<Content> {
        related::required(related::content(ctx, Some(self.0.content_id)).await?)
    }

    /// Engagements with the content in the period.
    async fn touches(&self) -> i32 {
        count(self.0.touches)
    }

    /// Distinct people who engaged with it in the period.
    async fn stakeholders_reached(&self) -> i32 {
        count(self.0.stakeholders_reached)
    }

    /// Deals a touch named, or that one of their participants touched while the deal was open.
    async fn opportunities_influenced(&self) -> i32 {
        count(self.0.opportunities_influenced)
    }

    /// The influenced deals now CLOSED_WON.
    async fn opportunities_won(&self) -> i32 {
        count(self.0.opportunities_won)
    }

    /// The amounts of the influenced deals, per currency.
    async fn influenced_amount(&self) -> Vec<Money> {
        money(&self.0.influenced_cents)
    }

    /// The amounts of the influenced deals now won, per currency.
    async fn won_amount(&self) -> Vec<Money> {
        money(&self.0.won_cents)
    }
}

#[derive(Default)]
pub struct IntelligenceQuery;

#[Object]
impl IntelligenceQuery {
    /// For `[from, to)`: per content, its touches and the deals they influenced, most money won
    /// (in the first currency anything was won in) first, then most touches
    /// (`opportunity.read` and `content.read`).
    #[graphql(complexity = "list_cost(input.first, 20, child_complexity)")]
    async fn content_influence(
        &self,
        ctx: &Context<'_>,
        input: ContentInfluenceInput,
    ) -> async_graphql::Result<Vec<ContentInfluence>> {
        if input.content_ids.as_ref().is_some_and(|ids| ids.len() > 100) {
            return Err(AppError::BadUserInput("contentIds takes at most 100 IDs".into()).into());
        }
        let query = InfluenceQuery {
            from: input.from,
            to: input.to,
            content_ids: input.content_ids.map(|ids| {
                ids.iter()
                    .map(|id| node::decode_as(id, NodeKind::Content).unwrap_or_default())
                    .collect()
            }),
            first: first(input.first.unwrap_or(20))?,
        };
        let rows = influence_service::content_influence(db(ctx)?, principal(ctx)?, query).await?;
        Ok(rows.into_iter().map(ContentInfluence).collect())
    }
}
