//! The random history: accounts, leads, deals, their moves and feedback, written straight into
//! the database with chosen timestamps and consistent stage_change and stage_interval chains.

use chrono::{DateTime, Duration, TimeZone, Utc};
use entity::{
    account,
    enums::{BuyingRole, LeadSource, LeadStage, ReasonCode, Sentiment},
    lead_feedback::{self, LeadRating},
    opportunity::{self, OpportunityStage},
    stage_change::{self, StageKind},
    stage_interval, stakeholder,
};
use sea_orm::{ActiveEnum, EntityTrait, Set};
use uuid::Uuid;

use crate::helpers::TestApp;

/// xorshift64*: small, deterministic, good enough to shuffle a history.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

pub const OPEN: [OpportunityStage; 5] = [
    OpportunityStage::Discovery,
    OpportunityStage::Qualification,
    OpportunityStage::Evaluation,
    OpportunityStage::Proposal,
    OpportunityStage::Negotiation,
];

pub fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()
}

pub fn next_lead_stage(rng: &mut Rng, from: LeadStage) -> LeadStage {
    use LeadStage::*;
    let choices: &[LeadStage] = match from {
        Inquiry => &[Mql, Mql, Mql, Nurture, Disqualified],
        Mql => &[Sal, Sal, Nurture, Disqualified],
        Sal => &[Sql, Sql, Nurture, Disqualified],
        Sql => &[Opportunity, Opportunity, Nurture, Disqualified],
        Opportunity => &[Customer, Nurture, Disqualified],
        Customer => &[Nurture],
        Nurture => &[Mql, Mql, Disqualified],
        Disqualified => &[Nurture],
    };
    rng.pick(choices)
}

pub fn reason(rng: &mut Rng) -> Option<ReasonCode> {
    if rng.chance(10) {
        None
    } else {
        Some(rng.pick(&[
            ReasonCode::NotAFit,
            ReasonCode::NoBudget,
            ReasonCode::BadTiming,
            ReasonCode::WrongPersona,
            ReasonCode::LostToCompetitor,
        ]))
    }
}

/// A gap between two moves of one record: mostly days, sometimes seconds.
pub fn gap(rng: &mut Rng) -> Duration {
    if rng.chance(10) {
        Duration::seconds(1 + rng.below(30) as i64)
    } else {
        Duration::seconds(60 + rng.below(20 * 86_400) as i64)
    }
}

pub fn change(
    kind: StageKind,
    subject: Uuid,
    account: Uuid,
    (from, to): (String, String),
    reason_code: Option<ReasonCode>,
    at: DateTime<Utc>,
) -> stage_change::ActiveModel {
    stage_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(kind),
        subject_id: Set(subject),
        stakeholder_id: Set((kind == StageKind::Lead).then_some(subject)),
        opportunity_id: Set((kind == StageKind::Opportunity).then_some(subject)),
        participant_id: Set(None),
        account_id: Set(account),
        from_stage: Set(from),
        to_stage: Set(to),
        reason_code: Set(reason_code),
        note: Set(None),
        changed_by_id: Set(None),
        changed_at: Set(at),
    }
}

/// Stays of one record: (stage, entered, left).
pub fn intervals(
    kind: StageKind,
    subject: Uuid,
    account: Uuid,
    entries: &[(String, DateTime<Utc>)],
) -> Vec<stage_interval::ActiveModel> {
    entries
        .iter()
        .enumerate()
        .map(|(i, (stage, at))| stage_interval::ActiveModel {
            subject_id: Set(subject),
            entered_at: Set(*at),
            kind: Set(kind),
            account_id: Set(account),
            stage: Set(stage.clone()),
            left_at: Set(entries.get(i + 1).map(|(_, t)| *t)),
        })
        .collect()
}

/// Writes the random history and returns every event time (for periods that start or end
/// exactly on one).
pub async fn build(app: &TestApp, rng: &mut Rng) -> Vec<DateTime<Utc>> {
    let db = &app.db;
    let tiers = [
        account::AccountTier::Tier1,
        account::AccountTier::Tier2,
        account::AccountTier::Tier3,
        account::AccountTier::Untiered,
    ];
    let sources = [
        Some(LeadSource::Webinar),
        Some(LeadSource::Event),
        Some(LeadSource::Referral),
        Some(LeadSource::Paid),
        None,
    ];
    let mut times = Vec::new();
    let mut accounts = Vec::new();
    for n in 0..8 {
        let created = base() - Duration::days(30);
        let model = account::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(format!("Account {n}")),
            name_key: Set(format!("account {n}")),
            domain: Set(None),
            industry: Set(None),
            employee_count: Set(None),
            tier: Set(rng.pick(&tiers)),
            status: Set(account::AccountStatus::Prospect),
            owner_id: Set(None),
            marketing_owner_id: Set(None),
            created_at: Set(created),
            updated_at: Set(created),
            archived_at: Set(rng.chance(10).then_some(created)),
            external_id: Set(None),
            version: Set(1),
        };
        accounts.push(
            account::Entity::insert(model)
                .exec_with_returning(db)
                .await
                .unwrap(),
        );
    }

    let (mut people, mut changes, mut stays, mut feedback) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for n in 0..90 {
        let id = Uuid::now_v7();
        let acct = rng.pick(&accounts.iter().map(|a| a.id).collect::<Vec<_>>());
        let source = rng.pick(&sources);
        let created = base() + Duration::seconds(rng.below(365 * 86_400) as i64);
        let mut at = created;
        let mut stage = LeadStage::Inquiry;
        let mut entries = vec![(stage.to_value(), at)];
        times.push(at);
        for _ in 0..rng.below(8) {
            let to = next_lead_stage(rng, stage);
            at += gap(rng);
            let why = matches!(to, LeadStage::Nurture | LeadStage::Disqualified)
                .then(|| reason(rng))
                .flatten();
            changes.push(change(
                StageKind::Lead,
                id,
                acct,
                (stage.to_value(), to.to_value()),
                why,
                at,
            ));
            entries.push((to.to_value(), at));
            times.push(at);
            stage = to;
        }
        stays.extend(intervals(StageKind::Lead, id, acct, &entries));
        for _ in 0..rng.below(3) {
            feedback.push(lead_feedback::ActiveModel {
                id: Set(Uuid::now_v7()),
                stakeholder_id: Set(id),
                account_id: Set(acct),
                rating: Set(rng.pick(&[LeadRating::Good, LeadRating::Fair, LeadRating::Poor])),
                reason_code: Set(None),
                comment: Set(None),
                lead_source: Set(source),
                given_by_id: Set(None),
                created_at: Set(created + Duration::seconds(rng.below(200 * 86_400) as i64)),
            });
        }
        people.push(stakeholder::ActiveModel {
            id: Set(id),
            account_id: Set(acct),
            first_name: Set(format!("Lead{n}")),
            last_name: Set("Doe".into()),
            title: Set(None),
            department: Set(None),
            email: Set(None),
            phone: Set(None),
            persona_id: Set(None),
            buying_role: Set(BuyingRole::Unknown),
            influence: Set(None),
            sentiment: Set(Sentiment::Unknown),
            reports_to_id: Set(None),
            lead_stage: Set(stage),
            lead_source: Set(source),
            referred_by_id: Set(None),
            lead_score: Set(0),
            owner_id: Set(None),
            marketing_owner_id: Set(None),
            last_engaged_at: Set(None),
            created_at: Set(created),
            updated_at: Set(at),
            archived_at: Set(rng.chance(10).then_some(at)),
            external_id: Set(None),
            version: Set(1),
            fit_score: Set(0),
            behaviour_points: Set(0.0),
            behaviour_at: Set(None),
            scored_at: Set(None),
            handoff_assigned_at: Set(None),
            handoff_accept_by: Set(None),
        });
    }

    let mut deals = Vec::new();
    for n in 0..50 {
        let id = Uuid::now_v7();
        let acct = rng.pick(&accounts.iter().map(|a| a.id).collect::<Vec<_>>());
        let created = base() + Duration::seconds(rng.below(365 * 86_400) as i64);
        let (mut at, mut stage) = (created, OpportunityStage::Discovery);
        let mut entries = vec![(stage.to_value(), at)];
        times.push(at);
        let mut step =
            |rng: &mut Rng, at: &mut DateTime<Utc>, stage: &mut OpportunityStage, to: OpportunityStage| {
                *at += gap(rng);
                let why = (to == OpportunityStage::ClosedLost)
                    .then(|| reason(rng))
                    .flatten();
                changes.push(change(
                    StageKind::Opportunity,
                    id,
                    acct,
                    (stage.to_value(), to.to_value()),
                    why,
                    *at,
                ));
                entries.push((to.to_value(), *at));
                times.push(*at);
                *stage = to;
            };
        for _ in 0..rng.below(4) {
            let to = rng.pick(&OPEN.iter().copied().filter(|s| *s != stage).collect::<Vec<_>>());
            step(rng, &mut at, &mut stage, to);
        }
        let closes = rng.chance(70);
        if closes {
            let to = rng.pick(&[OpportunityStage::ClosedWon, OpportunityStage::ClosedLost]);
            step(rng, &mut at, &mut stage, to);
            if rng.chance(15) {
                step(rng, &mut at, &mut stage, OpportunityStage::Negotiation);
                step(rng, &mut at, &mut stage, OpportunityStage::ClosedWon);
            }
        }
        stays.extend(intervals(StageKind::Opportunity, id, acct, &entries));
        let amount = rng.chance(85).then(|| {
            let cents = rng.below(50_000_000) as i64;
            (cents, rng.pick(&["EUR", "USD", "GBP"]).to_owned())
        });
        deals.push(opportunity::ActiveModel {
            id: Set(id),
            account_id: Set(acct),
            name: Set(format!("Deal {n}")),
            amount_minor: Set(amount.as_ref().map(|a| a.0)),
            currency: Set(amount.map(|a| a.1)),
            stage: Set(stage),
            probability: Set(rng.chance(30).then(|| rng.below(101) as i16)),
            expected_close_date: Set(None),
            owner_id: Set(None),
            lead_source: Set(rng.pick(&sources)),
            close_reason: Set(None),
            closed_at: Set(None),
            created_at: Set(created),
            updated_at: Set(at),
            archived_at: Set(rng.chance(10).then_some(at)),
            external_id: Set(None),
            version: Set(1),
        });
    }
    for chunk in people.chunks(50) {
        stakeholder::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .unwrap();
    }
    for chunk in deals.chunks(50) {
        opportunity::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .unwrap();
    }
    for chunk in changes.chunks(100) {
        stage_change::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .unwrap();
    }
    for chunk in stays.chunks(100) {
        stage_interval::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .unwrap();
    }
    for chunk in feedback.chunks(100) {
        lead_feedback::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .unwrap();
    }
    times.sort();
    times
}
