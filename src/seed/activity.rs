//! What happens on an account's deals: who takes part, which risks come up, and every touch a
//! person has with marketing and sales.

use entity::{
    account::AccountTier,
    deal_participant, deal_risk,
    deal_risk::{RiskKind, RiskStatus, Severity},
    engagement::{self, EngagementKind},
    enums::{BuyingRole, BuyingStage, LeadStage, ReasonCode},
    opportunity::{self, OpportunityStage},
    score_contribution, stakeholder,
};
use uuid::Uuid;

use super::{
    history::needs_content,
    rng::{DAY_MS, HOUR_MS, Rng, SECOND_MS, at},
    words,
    world::World,
};

/// What the rest of an account's rows need to know about one of its deals.
#[derive(Clone, Debug)]
pub struct Deal {
    /// Its name, for the notes of the moves it causes.
    pub name: String,
    pub created: i64,
    /// When it closed, or the end of the demo clock for an open deal.
    pub end: i64,
    pub stage: OpportunityStage,
    /// Positions of its participants among the account's people; the first is the primary
    /// contact when `has_primary`.
    pub members: Vec<usize>,
    pub has_primary: bool,
    /// Positions in [`words::COMPETITORS`].
    pub competitors: Vec<usize>,
    pub owner: Option<Uuid>,
    /// Why it was lost, when it was.
    pub reason: Option<ReasonCode>,
}

impl Deal {
    pub fn is_open(&self) -> bool {
        !matches!(
            self.stage,
            OpportunityStage::ClosedWon | OpportunityStage::ClosedLost
        )
    }

    fn live_at(&self, ms: i64) -> bool {
        self.created <= ms && ms <= self.end
    }
}

/// A stakeholder row being built, with its creation time in milliseconds.
#[derive(Clone, Debug)]
pub struct Person {
    pub row: stakeholder::Model,
    pub created: i64,
    /// Touches its history needs: the ones that lifted its score to MQL (recorded at, kind).
    pub lifts: Vec<(i64, EngagementKind)>,
}

fn buying_stage(rng: &mut Rng, stage: OpportunityStage) -> BuyingStage {
    use BuyingStage::*;
    match stage {
        OpportunityStage::Discovery => rng.weighted(&[
            (ProblemIdentification, 50),
            (SolutionExploration, 40),
            (Unaware, 10),
        ]),
        OpportunityStage::Qualification => rng.weighted(&[
            (SolutionExploration, 50),
            (RequirementsBuilding, 40),
            (ProblemIdentification, 10),
        ]),
        OpportunityStage::Evaluation => rng.weighted(&[
            (RequirementsBuilding, 45),
            (SupplierSelection, 45),
            (SolutionExploration, 10),
        ]),
        OpportunityStage::Proposal => rng.weighted(&[
            (SupplierSelection, 40),
            (Validation, 50),
            (RequirementsBuilding, 10),
        ]),
        OpportunityStage::Negotiation => {
            rng.weighted(&[(Validation, 30), (ConsensusCreation, 55), (SupplierSelection, 15)])
        }
        OpportunityStage::ClosedWon => rng.weighted(&[(Committed, 90), (ConsensusCreation, 10)]),
        OpportunityStage::ClosedLost => rng.weighted(&[
            (SupplierSelection, 35),
            (Validation, 30),
            (RequirementsBuilding, 20),
            (ConsensusCreation, 15),
        ]),
    }
}

/// The participants of one deal: distinct people, at most one primary. Each joins within a few
/// days of the deal's creation, after the person was created and while the deal is open.
pub fn participants(
    rng: &mut Rng,
    deal: &Deal,
    opp: &opportunity::Model,
    persons: &[Person],
    now: i64,
) -> Vec<deal_participant::Model> {
    let last = if deal.is_open() {
        now - 10 * SECOND_MS
    } else {
        deal.end - HOUR_MS
    };
    deal.members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let person = &persons[*m];
            let lo = deal.created.max(person.created + HOUR_MS);
            let created = (lo + rng.range(0, 3 * DAY_MS)).min(last).max(lo.min(last));
            let role = if rng.chance(0.85) {
                person.row.buying_role
            } else {
                rng.weighted(&[
                    (BuyingRole::Influencer, 40),
                    (BuyingRole::TechnicalEvaluator, 30),
                    (BuyingRole::EndUser, 20),
                    (BuyingRole::Blocker, 10),
                ])
            };
            deal_participant::Model {
                id: rng.uuid_v7(created),
                opportunity_id: opp.id,
                stakeholder_id: person.row.id,
                account_id: opp.account_id,
                role,
                is_primary: i == 0 && deal.has_primary,
                buying_stage: buying_stage(rng, deal.stage),
                created_at: at(created),
                updated_at: at(rng.range(created, deal.end.max(created))),
                version: 1,
            }
        })
        .collect()
}

const RISKS: [(RiskKind, u32); 7] = [
    (RiskKind::Competitor, 30),
    (RiskKind::DoNothing, 20),
    (RiskKind::Budget, 15),
    (RiskKind::Timing, 12),
    (RiskKind::BuildInHouse, 10),
    (RiskKind::ChampionLeaving, 6),
    (RiskKind::Other, 7),
];

fn risk_text(kind: RiskKind, competitor: Option<&str>) -> String {
    match kind {
        RiskKind::Competitor => format!(
            "{} is also in the evaluation and is pitching a lower price.",
            competitor.unwrap_or("Another vendor")
        ),
        RiskKind::DoNothing => "The team may keep its spreadsheets rather than change anything.".into(),
        RiskKind::Budget => "Budget for next year is not approved yet.".into(),
        RiskKind::Timing => "A reorganisation may push the decision to next quarter.".into(),
        RiskKind::BuildInHouse => "IT proposes to build the integration in-house.".into(),
        RiskKind::ChampionLeaving => "Our champion is interviewing elsewhere.".into(),
        RiskKind::Other => "Legal review of the data processing terms is slow.".into(),
    }
}

/// The risks raised on one deal, by its participants, with the content that answers them.
pub fn risks(
    rng: &mut Rng,
    world: &World,
    deal: &Deal,
    opp: &opportunity::Model,
    persons: &[Person],
) -> Vec<deal_risk::Model> {
    // One risk on a share of the deals, a second one on some of those: the mean is the plan's.
    let rate = f64::from(world.plan.risks_per_hundred_opportunities) / 100.0;
    let count = if rng.chance(rate / 1.15) {
        1 + usize::from(rng.chance(0.15))
    } else {
        0
    };
    (0..count)
        .map(|_| {
            let mut kind = rng.weighted(&RISKS);
            if kind == RiskKind::Competitor && deal.competitors.is_empty() {
                kind = RiskKind::DoNothing;
            }
            let competitor = (kind == RiskKind::Competitor).then(|| *rng.pick(&deal.competitors));
            let name = competitor.map(|c| words::COMPETITORS[c]);
            let created = rng.range(deal.created, deal.end);
            let status = match deal.stage {
                OpportunityStage::ClosedWon => RiskStatus::Mitigated,
                OpportunityStage::ClosedLost => {
                    rng.weighted(&[(RiskStatus::Realized, 60), (RiskStatus::Mitigated, 40)])
                }
                _ => rng.weighted(&[
                    (RiskStatus::Open, 65),
                    (RiskStatus::Mitigated, 30),
                    (RiskStatus::Realized, 5),
                ]),
            };
            let raised_by = rng
                .pick_opt(&deal.members)
                .filter(|_| rng.chance(0.8))
                .map(|m| persons[m].row.id);
            let answered_by = rng
                .chance(0.55)
                .then(|| world.library.answer(rng, kind, competitor, created))
                .flatten();
            deal_risk::Model {
                id: rng.uuid_v7(created),
                opportunity_id: opp.id,
                account_id: opp.account_id,
                kind,
                severity: rng.weighted(&[(Severity::Low, 30), (Severity::Medium, 45), (Severity::High, 25)]),
                description: Some(risk_text(kind, name)),
                competitor: name.map(str::to_owned),
                raised_by_id: raised_by,
                answered_by_id: answered_by,
                status,
                created_at: at(created),
                updated_at: at(rng.range(created, deal.end)),
                version: 1,
            }
        })
        .collect()
}

/// What a person on a live deal reads for it: a battlecard for one of the deal's competitors or
/// proof (case studies, ROI calculators, whitepapers), twice as often on deals that end won, so
/// recommendations and `contentInfluence` have something believable to show.
fn deal_content(rng: &mut Rng, world: &World, deal: &Deal, ms: i64) -> Option<Uuid> {
    let share = if deal.stage == OpportunityStage::ClosedWon {
        0.5
    } else {
        0.25
    };
    if !rng.chance(share) {
        return None;
    }
    match rng.pick_opt(&deal.competitors).filter(|_| rng.chance(0.5)) {
        Some(c) => world.library.battlecards.get(c)?.pick_before(rng, ms),
        None => world.library.proof.pick_before(rng, ms),
    }
}

const TOUCHES: [(EngagementKind, u32); 13] = [
    (EngagementKind::EmailOpened, 20),
    (EngagementKind::EmailClicked, 10),
    (EngagementKind::ContentViewed, 18),
    (EngagementKind::ContentDownloaded, 8),
    (EngagementKind::ContentShared, 6),
    (EngagementKind::WebinarRegistered, 5),
    (EngagementKind::WebinarAttended, 4),
    (EngagementKind::FormSubmitted, 6),
    (EngagementKind::Meeting, 7),
    (EngagementKind::Call, 8),
    (EngagementKind::EmailReplied, 3),
    (EngagementKind::SocialInteraction, 4),
    (EngagementKind::EventVisit, 2),
];

/// Every touch of every person of one account. Sets each person's `last_engaged_at` and lead
/// score (as the scoring service would have it at the day of seeding), and returns the touches
/// with what each behaviour rule contributed to the scores.
pub fn engagements(
    rng: &mut Rng,
    world: &World,
    tier: AccountTier,
    deals: &[Deal],
    opportunities: &[opportunity::Model],
    persons: &mut [Person],
) -> (Vec<engagement::Model>, Vec<score_contribution::Model>) {
    let mut contributions = Vec::new();
    let mean = world.plan.engagements_per_stakeholder;
    let mut out = Vec::new();
    for (slot, person) in persons.iter_mut().enumerate() {
        let activity = match person.row.lead_stage {
            LeadStage::Inquiry => 0.5,
            LeadStage::Disqualified => 0.4,
            LeadStage::Nurture => 0.8,
            LeadStage::Customer => 0.9,
            LeadStage::Mql | LeadStage::Sal | LeadStage::Sql | LeadStage::Opportunity => 1.25,
        };
        let count = (rng.range(0, 2 * mean) as f64 * activity).round() as usize;
        let mine: Vec<usize> = (0..deals.len())
            .filter(|d| deals[*d].members.contains(&slot))
            .collect();
        let mut last = None;
        let first = out.len();
        for _ in 0..count {
            let occurred = rng.range(person.created, world.now - 60 * SECOND_MS);
            let mut kind = rng.weighted(&TOUCHES);
            let live: Vec<usize> = mine
                .iter()
                .copied()
                .filter(|d| deals[*d].live_at(occurred))
                .collect();
            let content = match kind {
                EngagementKind::ContentViewed
                | EngagementKind::ContentDownloaded
                | EngagementKind::ContentShared => {
                    let for_deal = rng
                        .pick_opt(&live)
                        .and_then(|d| deal_content(rng, world, &deals[d], occurred));
                    match for_deal {
                        Some(c) => Some(c),
                        None => world.library.published.pick_before(rng, occurred),
                    }
                }
                EngagementKind::WebinarRegistered | EngagementKind::WebinarAttended => {
                    world.library.webinars.pick_before(rng, occurred)
                }
                EngagementKind::EmailClicked if rng.chance(0.5) => {
                    world.library.published.pick_before(rng, occurred)
                }
                _ => None,
            };
            if needs_content(kind) && content.is_none() {
                kind = EngagementKind::EmailOpened;
            }
            let sales_touch = matches!(
                kind,
                EngagementKind::Meeting
                    | EngagementKind::Call
                    | EngagementKind::ContentShared
                    | EngagementKind::EmailReplied
            );
            let deal = rng.pick_opt(&live).filter(|_| sales_touch && rng.chance(0.8));
            let recorded_by = match kind {
                EngagementKind::Meeting | EngagementKind::Call => deal
                    .and_then(|d| deals[d].owner)
                    .or(person.row.owner_id)
                    .or_else(|| rng.pick_opt(&world.owners.sales)),
                EngagementKind::ContentShared if rng.chance(0.5) => person.row.marketing_owner_id,
                EngagementKind::ContentShared => {
                    person.row.owner_id.or_else(|| rng.pick_opt(&world.owners.sales))
                }
                _ => None,
            };
            let duration = match kind {
                EngagementKind::ContentViewed => Some(rng.range(20, 900)),
                EngagementKind::WebinarAttended => Some(rng.range(1_200, 3_600)),
                EngagementKind::Meeting => Some(rng.range(1_800, 3_600)),
                EngagementKind::Call => Some(rng.range(300, 2_400)),
                EngagementKind::EventVisit => Some(rng.range(600, 3_600)),
                _ => None,
            };
            let created = if recorded_by.is_some() {
                occurred + rng.range(60 * SECOND_MS, 2 * HOUR_MS)
            } else {
                occurred + rng.range(0, 5 * SECOND_MS)
            }
            .min(world.now);
            last = last.max(Some(occurred));
            out.push(engagement::Model {
                id: rng.uuid_v7(created),
                stakeholder_id: person.row.id,
                account_id: person.row.account_id,
                kind,
                content_id: content,
                opportunity_id: deal.map(|d| opportunities[d].id),
                occurred_at: at(occurred),
                duration_seconds: duration.map(|d| d as i32),
                recorded_by_id: recorded_by,
                created_at: at(created),
                note: None,
            });
        }
        // The touches that lifted the score to MQL, recorded when the lead moved.
        for (recorded, kind) in &person.lifts {
            let occurred = (recorded - rng.range(0, 10 * 60 * SECOND_MS)).max(person.created);
            let recorded_by = (*kind == EngagementKind::Meeting)
                .then(|| person.row.owner_id.or_else(|| rng.pick_opt(&world.owners.sales)))
                .flatten();
            last = last.max(Some(occurred));
            out.push(engagement::Model {
                id: rng.uuid_v7(*recorded),
                stakeholder_id: person.row.id,
                account_id: person.row.account_id,
                kind: *kind,
                content_id: None,
                opportunity_id: None,
                occurred_at: at(occurred),
                duration_seconds: (*kind == EngagementKind::Meeting).then(|| rng.range(1_800, 3_600) as i32),
                recorded_by_id: recorded_by,
                created_at: at(*recorded),
                note: None,
            });
        }
        contributions.extend(
            world
                .scoring
                .score(&mut person.row, tier, &out[first..], world.now),
        );
        person.row.last_engaged_at = last.map(at);
        // An engagement touches the record: it was updated at least then.
        if let Some(t) = last
            && at(t) > person.row.updated_at
        {
            person.row.updated_at = at(t);
        }
    }
    (out, contributions)
}
