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

/// Where a buyer stands in their own journey, per deal.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::BuyingStage")]
pub enum BuyingStage {
    Unaware,
    ProblemIdentification,
    SolutionExploration,
    RequirementsBuilding,
    SupplierSelection,
    Validation,
    ConsensusCreation,
    Committed,
}

/// Where a deal stands in the sales process.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::opportunity::OpportunityStage")]
pub enum OpportunityStage {
    Discovery,
    Qualification,
    Evaluation,
    Proposal,
    Negotiation,
    ClosedWon,
    ClosedLost,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::deal_risk::RiskKind")]
pub enum RiskKind {
    DoNothing,
    BuildInHouse,
    Competitor,
    Budget,
    Timing,
    ChampionLeaving,
    Other,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::deal_risk::Severity")]
pub enum Severity {
    Low,
    Medium,
    High,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::deal_risk::RiskStatus")]
pub enum RiskStatus {
    Open,
    Mitigated,
    Realized,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::content::ContentKind")]
pub enum ContentKind {
    BlogPost,
    Video,
    Ebook,
    Whitepaper,
    Webinar,
    Infographic,
    CaseStudy,
    Battlecard,
    Presentation,
    Demo,
    Pricing,
    RoiCalculator,
    EmailTemplate,
    Other,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::content::ContentStatus")]
pub enum ContentStatus {
    Draft,
    Published,
    Archived,
}

/// One kind of touch.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::engagement::EngagementKind")]
pub enum EngagementKind {
    ContentShared,
    ContentViewed,
    ContentDownloaded,
    WebinarRegistered,
    WebinarAttended,
    EmailOpened,
    EmailClicked,
    EmailReplied,
    FormSubmitted,
    Meeting,
    Call,
    SocialInteraction,
    EventVisit,
}

/// Why a stage moved.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::ReasonCode")]
pub enum ReasonCode {
    NotAFit,
    WrongPersona,
    NoBudget,
    NoNeed,
    BadTiming,
    BadContactData,
    ExistingCustomer,
    LostToCompetitor,
    NoDecision,
    Duplicate,
    Other,
}

/// Which state machine a stage change belongs to.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::stage_change::StageKind")]
pub enum StageKind {
    /// `LeadStageChange`.
    Lead,
    /// `OpportunityStageChange`.
    Opportunity,
    /// `BuyingStageChange`.
    Buying,
}

/// Sales' word on a lead.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::lead_feedback::LeadRating")]
pub enum LeadRating {
    Good,
    Fair,
    Poor,
}
