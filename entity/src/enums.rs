//! Enumerations shared by several tables, stored as their API names.

use sea_orm::entity::prelude::*;

/// The part a person plays in a buying committee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum BuyingRole {
    #[sea_orm(string_value = "DECISION_MAKER")]
    DecisionMaker,
    #[sea_orm(string_value = "ECONOMIC_BUYER")]
    EconomicBuyer,
    #[sea_orm(string_value = "CHAMPION")]
    Champion,
    #[sea_orm(string_value = "INFLUENCER")]
    Influencer,
    #[sea_orm(string_value = "TECHNICAL_EVALUATOR")]
    TechnicalEvaluator,
    #[sea_orm(string_value = "END_USER")]
    EndUser,
    #[sea_orm(string_value = "GATEKEEPER")]
    Gatekeeper,
    #[sea_orm(string_value = "BLOCKER")]
    Blocker,
    #[sea_orm(string_value = "UNKNOWN")]
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Sentiment {
    #[sea_orm(string_value = "SUPPORTER")]
    Supporter,
    #[sea_orm(string_value = "NEUTRAL")]
    Neutral,
    #[sea_orm(string_value = "SKEPTIC")]
    Skeptic,
    #[sea_orm(string_value = "DETRACTOR")]
    Detractor,
    #[sea_orm(string_value = "UNKNOWN")]
    Unknown,
}

/// Where a lead stands in the demand waterfall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum LeadStage {
    #[sea_orm(string_value = "INQUIRY")]
    Inquiry,
    #[sea_orm(string_value = "MQL")]
    Mql,
    #[sea_orm(string_value = "SAL")]
    Sal,
    #[sea_orm(string_value = "SQL")]
    Sql,
    #[sea_orm(string_value = "OPPORTUNITY")]
    Opportunity,
    #[sea_orm(string_value = "CUSTOMER")]
    Customer,
    #[sea_orm(string_value = "NURTURE")]
    Nurture,
    #[sea_orm(string_value = "DISQUALIFIED")]
    Disqualified,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum LeadSource {
    #[sea_orm(string_value = "WEBSITE")]
    Website,
    #[sea_orm(string_value = "CONTENT")]
    Content,
    #[sea_orm(string_value = "WEBINAR")]
    Webinar,
    #[sea_orm(string_value = "EVENT")]
    Event,
    #[sea_orm(string_value = "SOCIAL")]
    Social,
    #[sea_orm(string_value = "PAID")]
    Paid,
    #[sea_orm(string_value = "EMAIL")]
    Email,
    #[sea_orm(string_value = "REFERRAL")]
    Referral,
    #[sea_orm(string_value = "PARTNER")]
    Partner,
    #[sea_orm(string_value = "OUTBOUND")]
    Outbound,
    #[sea_orm(string_value = "SALES_GENERATED")]
    SalesGenerated,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// Where a buyer stands in their own journey (Gartner's buying jobs), per deal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum BuyingStage {
    #[sea_orm(string_value = "UNAWARE")]
    Unaware,
    #[sea_orm(string_value = "PROBLEM_IDENTIFICATION")]
    ProblemIdentification,
    #[sea_orm(string_value = "SOLUTION_EXPLORATION")]
    SolutionExploration,
    #[sea_orm(string_value = "REQUIREMENTS_BUILDING")]
    RequirementsBuilding,
    #[sea_orm(string_value = "SUPPLIER_SELECTION")]
    SupplierSelection,
    #[sea_orm(string_value = "VALIDATION")]
    Validation,
    #[sea_orm(string_value = "CONSENSUS_CREATION")]
    ConsensusCreation,
    #[sea_orm(string_value = "COMMITTED")]
    Committed,
}

/// Why a stage moved: required to reject, disqualify, recycle or lose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum ReasonCode {
    #[sea_orm(string_value = "NOT_A_FIT")]
    NotAFit,
    #[sea_orm(string_value = "WRONG_PERSONA")]
    WrongPersona,
    #[sea_orm(string_value = "NO_BUDGET")]
    NoBudget,
    #[sea_orm(string_value = "NO_NEED")]
    NoNeed,
    #[sea_orm(string_value = "BAD_TIMING")]
    BadTiming,
    #[sea_orm(string_value = "BAD_CONTACT_DATA")]
    BadContactData,
    #[sea_orm(string_value = "EXISTING_CUSTOMER")]
    ExistingCustomer,
    #[sea_orm(string_value = "LOST_TO_COMPETITOR")]
    LostToCompetitor,
    #[sea_orm(string_value = "NO_DECISION")]
    NoDecision,
    #[sea_orm(string_value = "DUPLICATE")]
    Duplicate,
    #[sea_orm(string_value = "OTHER")]
    Other,
}
