//! GraphQL faces of the enumerations shared across the revenue graph.

use async_graphql::Enum;

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::BuyingRole")]
pub enum BuyingRole {
    DecisionMaker,
    EconomicBuyer,
    Champion,
    Influencer,
    TechnicalEvaluator,
    EndUser,
    Gatekeeper,
    Blocker,
    Unknown,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::Sentiment")]
pub enum Sentiment {
    Supporter,
    Neutral,
    Skeptic,
    Detractor,
    Unknown,
}

/// Where a lead stands in the demand waterfall.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::LeadStage")]
pub enum LeadStage {
    Inquiry,
    Mql,
    Sal,
    Sql,
    Opportunity,
    Customer,
    Nurture,
    Disqualified,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::LeadSource")]
pub enum LeadSource {
    Website,
    Content,
    Webinar,
    Event,
    Social,
    Paid,
    Email,
    Referral,
    Partner,
    Outbound,
    SalesGenerated,
    Other,
}
