//! The report types of the Analytics section of the contract, mapped from the service's
//! figures. No figure is computed here.

use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};
use entity::enums::ReasonCode as ReasonCodeValue;

use super::inputs::FunnelUnit;
use crate::{
    domain::analytics::Period,
    graphql::{
        enums::{LeadSource, LeadStage, OpportunityStage, ReasonCode},
        node::{self, NodeKind},
        opportunity::Money,
        scalars::Decimal,
    },
    service::analytics::{
        GroupKey, MoneyByCurrency, deal_funnel as deals, handoff as handoffs, lead_funnel as leads,
        source_quality as sources,
    },
};

/// An API count: the database counts in 64 bits, `Int` is 32.
fn int(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// A group's key: the enum value, or the global ID of the persona or user; null for no
/// grouping or no value.
fn key(key: &GroupKey, kind: NodeKind) -> Option<String> {
    match key {
        GroupKey::Nothing => None,
        GroupKey::Name(name) => Some(name.clone()),
        GroupKey::Id(id) => Some(node::encode(kind, *id).0),
    }
}

fn money(amounts: &MoneyByCurrency) -> Vec<Money> {
    amounts
        .iter()
        .map(|(currency, amount)| Money {
            amount: Decimal(amount.to_string()),
            currency: currency.clone(),
        })
        .collect()
}

/// A reason code and how often it was given.
#[derive(SimpleObject, Clone)]
pub struct ReasonCount {
    pub reason_code: ReasonCode,
    pub count: i32,
}

fn reasons(counts: &[(ReasonCodeValue, i64)]) -> Vec<ReasonCount> {
    counts
        .iter()
        .map(|(code, n)| ReasonCount {
            reason_code: (*code).into(),
            count: int(*n),
        })
        .collect()
}

/// One lead stage's volume.
#[derive(SimpleObject, Clone)]
pub struct LeadStageVolume {
    pub stage: LeadStage,
    /// Units that entered the stage at least once in the period.
    pub entered: i32,
    /// Units in the stage at the end, `min(to, asOf)`.
    pub in_stage_at_end: i32,
}

/// One cohort step S>T of the ladder.
#[derive(SimpleObject, Clone)]
pub struct FunnelStep {
    pub from: LeadStage,
    pub to: LeadStage,
    /// Units whose first entry into `from` in the period is their cohort entry.
    pub entered: i32,
    /// Of them, those that entered `to` or a later ladder stage afterwards, by `asOf`.
    pub converted: i32,
    /// `converted / entered`; null when nobody entered.
    pub rate: Option<f64>,
    /// Hours from the cohort entry to the first later entry, over the converted.
    pub median_hours: Option<f64>,
    pub average_hours: Option<f64>,
}

#[derive(SimpleObject, Clone)]
pub struct LeadFunnelGroup {
    /// The enum value (`WEBINAR`, `TIER_1`) or the global ID (persona, owner); null for NONE or
    /// for units without a value.
    pub key: Option<String>,
    pub label: Option<String>,
    /// All eight lead stages, in enum order.
    pub stages: Vec<LeadStageVolume>,
    /// INQUIRY>MQL, MQL>SAL, SAL>SQL, SQL>OPPORTUNITY, OPPORTUNITY>CUSTOMER.
    pub steps: Vec<FunnelStep>,
    /// MQL>NURTURE changes in the period.
    pub rejected: i32,
    /// Changes into NURTURE from SAL or SQL in the period.
    pub recycled: i32,
    /// Changes into DISQUALIFIED in the period.
    pub disqualified: i32,
    /// The reason codes of those three, most frequent first (ties by code).
    pub reasons: Vec<ReasonCount>,
}

#[derive(SimpleObject, Clone)]
pub struct LeadFunnel {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub as_of: DateTime<Utc>,
    pub unit: FunnelUnit,
    /// One group for NONE.
    pub groups: Vec<LeadFunnelGroup>,
}

impl LeadFunnel {
    pub fn new(f: leads::LeadFunnel, kind: NodeKind) -> Self {
        let Period { from, to, as_of, .. } = f.period;
        Self {
            from,
            to,
            as_of,
            unit: f.unit.into(),
            groups: f
                .groups
                .iter()
                .map(|g| LeadFunnelGroup {
                    key: key(&g.key, kind),
                    label: g.label.clone(),
                    stages: g
                        .stages
                        .iter()
                        .map(|s| LeadStageVolume {
                            stage: s.stage.into(),
                            entered: int(s.entered),
                            in_stage_at_end: int(s.in_stage_at_end),
                        })
                        .collect(),
                    steps: g
                        .steps
                        .iter()
                        .map(|s| FunnelStep {
                            from: s.from.into(),
                            to: s.to.into(),
                            entered: int(s.entered),
                            converted: int(s.converted),
                            rate: s.rate,
                            median_hours: s.median_hours,
                            average_hours: s.average_hours,
                        })
                        .collect(),
                    rejected: int(g.rejected),
                    recycled: int(g.recycled),
                    disqualified: int(g.disqualified),
                    reasons: reasons(&g.reasons),
                })
                .collect(),
        }
    }
}

/// One opportunity stage's volume and money.
#[derive(SimpleObject, Clone)]
pub struct DealStageVolume {
    pub stage: OpportunityStage,
    pub entered: i32,
    pub in_stage_at_end: i32,
    /// The current amounts of the deals in the stage at the end, per currency.
    pub amount_at_end: Vec<Money>,
    /// The same, each times its probability / 100, to the cent.
    pub weighted_amount_at_end: Vec<Money>,
    /// Over the stays in the stage that ended in the period.
    pub median_hours_in_stage: Option<f64>,
}

#[derive(SimpleObject, Clone)]
pub struct DealFunnelGroup {
    pub key: Option<String>,
    pub label: Option<String>,
    /// All seven opportunity stages, in enum order.
    pub stages: Vec<DealStageVolume>,
    /// Opportunities created in the period.
    pub created: i32,
    /// Changes into CLOSED_WON in the period.
    pub won: i32,
    /// Changes into CLOSED_LOST in the period.
    pub lost: i32,
    /// `won / (won + lost)`.
    pub win_rate: Option<f64>,
    pub won_amount: Vec<Money>,
    /// Each currency's won sum divided by its number of wins, to the cent.
    pub average_won_amount: Vec<Money>,
    /// Days from creation to the win, over the wins in the period.
    pub median_cycle_days: Option<f64>,
    pub lost_reasons: Vec<ReasonCount>,
}

#[derive(SimpleObject, Clone)]
pub struct DealFunnel {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub as_of: DateTime<Utc>,
    pub groups: Vec<DealFunnelGroup>,
}

impl DealFunnel {
    pub fn new(f: deals::DealFunnel, kind: NodeKind) -> Self {
        let Period { from, to, as_of, .. } = f.period;
        Self {
            from,
            to,
            as_of,
            groups: f
                .groups
                .iter()
                .map(|g| DealFunnelGroup {
                    key: key(&g.key, kind),
                    label: g.label.clone(),
                    stages: g
                        .stages
                        .iter()
                        .map(|s| DealStageVolume {
                            stage: s.stage.into(),
                            entered: int(s.entered),
                            in_stage_at_end: int(s.in_stage_at_end),
                            amount_at_end: money(&s.amount_at_end),
                            weighted_amount_at_end: money(&s.weighted_amount_at_end),
                            median_hours_in_stage: s.median_hours_in_stage,
                        })
                        .collect(),
                    created: int(g.created),
                    won: int(g.won),
                    lost: int(g.lost),
                    win_rate: g.win_rate,
                    won_amount: money(&g.won_amount),
                    average_won_amount: money(&g.average_won_amount),
                    median_cycle_days: g.median_cycle_days,
                    lost_reasons: reasons(&g.lost_reasons),
                })
                .collect(),
        }
    }
}

/// Lead feedback by rating.
#[derive(SimpleObject, Clone)]
pub struct FeedbackCounts {
    pub good: i32,
    pub fair: i32,
    pub poor: i32,
}

#[derive(SimpleObject, Clone)]
pub struct LeadSourceQuality {
    /// Null: leads without a source.
    pub lead_source: Option<LeadSource>,
    /// Leads of this source created in the period (the cohort).
    pub leads: i32,
    /// Of the cohort, those that reached MQL (or further) by `asOf`.
    pub mqls: i32,
    /// Of the cohort, those that reached SAL (or further).
    pub accepted: i32,
    /// Of the cohort, those with an MQL>NURTURE change.
    pub rejected: i32,
    /// `accepted / (accepted + rejected)`.
    pub acceptance_rate: Option<f64>,
    pub opportunities: i32,
    pub customers: i32,
    pub rejection_reasons: Vec<ReasonCount>,
    /// Feedback recorded in the period on leads of this source (any creation date).
    pub feedback: FeedbackCounts,
    /// Opportunities of this source won in the period.
    pub won_amount: Vec<Money>,
}

impl From<sources::SourceQuality> for LeadSourceQuality {
    fn from(q: sources::SourceQuality) -> Self {
        Self {
            lead_source: q.lead_source.map(Into::into),
            leads: int(q.leads),
            mqls: int(q.mqls),
            accepted: int(q.accepted),
            rejected: int(q.rejected),
            acceptance_rate: q.acceptance_rate,
            opportunities: int(q.opportunities),
            customers: int(q.customers),
            rejection_reasons: reasons(&q.rejection_reasons),
            feedback: FeedbackCounts {
                good: int(q.feedback.good),
                fair: int(q.feedback.fair),
                poor: int(q.feedback.poor),
            },
            won_amount: money(&q.won_amount),
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct HandoffGroup {
    /// The owner's global ID for OWNER; null for NONE or leads without an owner.
    pub key: Option<String>,
    pub label: Option<String>,
    /// Entries into MQL in the period.
    pub handed_off: i32,
    /// Accepted (next change to SAL or further) within `handoffSlaHours` of the entry.
    pub accepted_in_sla: i32,
    pub accepted_late: i32,
    /// Next change to NURTURE or DISQUALIFIED.
    pub rejected: i32,
    /// No decision by `asOf`.
    pub open: i32,
    /// Open and past the deadline (entry plus `handoffSlaHours`) at `asOf`.
    pub open_overdue: i32,
    /// Over the decided handoffs.
    pub median_hours_to_decision: Option<f64>,
}

impl From<handoffs::HandoffGroup> for HandoffGroup {
    fn from(g: handoffs::HandoffGroup) -> Self {
        Self {
            key: key(&g.key, NodeKind::User),
            label: g.label,
            handed_off: int(g.handed_off),
            accepted_in_sla: int(g.accepted_in_sla),
            accepted_late: int(g.accepted_late),
            rejected: int(g.rejected),
            open: int(g.open),
            open_overdue: int(g.open_overdue),
            median_hours_to_decision: g.median_hours_to_decision,
        }
    }
}
