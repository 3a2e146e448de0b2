//! One account and everything that hangs off it: its buying committee, its deals with their
//! participants, competitors and risks, every touch its people had, and the history of every
//! stage move of its leads and deals.
//!
//! An account's rows depend only on (seed, day of seeding, account number, world), so any
//! account can be generated again on its own: the writer streams accounts without keeping the
//! data set in memory. The rows hold the rules the database and the API hold: participants and
//! risks belong to their deal's account, at most one primary participant per deal, reporting
//! lines stay inside the account and point to someone listed earlier (so they never loop),
//! closed deals carry their close time and only lost ones a reason, and every lead and deal got
//! to its stage through legal moves from INQUIRY and DISCOVERY (`history`), the lead stages
//! following the deals a person is on as the services move them.

use entity::{
    account::{self, AccountStatus, AccountTier},
    deal_participant, deal_risk, engagement,
    enums::{BuyingRole, LeadSource, ReasonCode},
    lead_feedback,
    opportunity::{self, OpportunityStage},
    opportunity_competitor, score_contribution,
    stage_change::{self, StageKind},
    stage_interval, stakeholder,
};
use sea_orm::ActiveEnum;
use uuid::Uuid;

use super::{
    activity::{self, Deal},
    history::{self, Subject},
    people,
    rng::{DAY_MS, HOUR_MS, Rng, at, day},
    words,
    world::{Identity, World, stream},
};
use crate::domain::opportunity::default_probability;

/// The rows of one account.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    pub account: account::Model,
    pub stakeholders: Vec<stakeholder::Model>,
    pub opportunities: Vec<opportunity::Model>,
    pub competitors: Vec<opportunity_competitor::Model>,
    pub participants: Vec<deal_participant::Model>,
    pub risks: Vec<deal_risk::Model>,
    pub engagements: Vec<engagement::Model>,
    /// Every stage move of its leads and deals, oldest first per record.
    pub changes: Vec<stage_change::Model>,
    /// One per stay of a lead, deal or participant in a stage.
    pub intervals: Vec<stage_interval::Model>,
    pub feedback: Vec<lead_feedback::Model>,
    /// What each behaviour rule gave each lead's score.
    pub scores: Vec<score_contribution::Model>,
}

/// The share of accounts that have deals.
const DEAL_SHARE: f64 = 0.6;

/// A count around `mean`: uniform in `mean - spread ..= mean + spread`, never below `min`.
fn around(rng: &mut Rng, mean: i64, spread: i64, min: i64) -> usize {
    rng.range((mean - spread).max(min), (mean + spread).max(min)) as usize
}

fn tier_of(rng: &mut Rng, employees: i32) -> AccountTier {
    if rng.chance(0.1) {
        return AccountTier::Untiered;
    }
    match employees {
        5_000.. => AccountTier::Tier1,
        1_000.. => AccountTier::Tier2,
        200.. => AccountTier::Tier3,
        _ => AccountTier::Untiered,
    }
}

/// The amount band of a deal, in whole currency units.
fn amount_band(tier: AccountTier) -> (i64, i64) {
    match tier {
        AccountTier::Tier1 => (80_000, 600_000),
        AccountTier::Tier2 => (30_000, 200_000),
        AccountTier::Tier3 => (10_000, 80_000),
        AccountTier::Untiered => (5_000, 50_000),
    }
}

/// The sizes of buying committees: 4 to 15 people, most often 5 to 9.
const COMMITTEE: [(usize, u32); 12] = [
    (4, 12),
    (5, 15),
    (6, 15),
    (7, 13),
    (8, 11),
    (9, 9),
    (10, 7),
    (11, 5),
    (12, 4),
    (13, 4),
    (14, 3),
    (15, 2),
];

/// Generates the rows of account `index`.
pub fn account_graph(world: &World, index: u64) -> Graph {
    let now = world.now;
    let mut rng = Rng::stream(world.seed, stream::ACCOUNT, index);
    let plan = &world.plan;
    let who = world.identity(index);

    // Accounts arrive steadily over two years, so time-ordered ids roughly follow the index.
    let slot = 728 * DAY_MS / plan.accounts.max(1) as i64;
    let created = now - 730 * DAY_MS + slot * index as i64 + rng.range(0, slot - 1);
    let age = now - created;
    let employees = (20f64 * (2500f64).powf(rng.unit())).round() as i32;
    let tier = tier_of(&mut rng, employees);
    let owner = rng.pick_opt(&world.owners.sales).filter(|_| rng.chance(0.85));
    let marketing_owner = rng.pick_opt(&world.owners.marketing).filter(|_| rng.chance(0.9));

    // Accounts with deals have a buying committee of 4 to 15 people and a few leads around
    // it; the others, marketing's alone so far, a few leads.
    let with_deals = rng.chance(DEAL_SHARE);
    let (headcount, committee) = if with_deals {
        let c = rng.weighted(&COMMITTEE);
        (c + rng.range(0, 3) as usize, c)
    } else {
        (around(&mut rng, plan.leads_per_prospect, 2, 1), 0)
    };
    let roles = people::roles(&mut rng, headcount, committee);
    let person_created: Vec<i64> = (0..headcount)
        .map(|s| {
            if s < committee {
                created + rng.range(0, (14 * DAY_MS).min(age / 2))
            } else {
                rng.range(created, now - HOUR_MS)
            }
        })
        .collect();
    let referred: Vec<bool> = (0..headcount).map(|s| s > 0 && rng.chance(0.08)).collect();
    let sources: Vec<Option<LeadSource>> = referred
        .iter()
        .map(|r| {
            if *r {
                Some(LeadSource::Referral)
            } else {
                people::lead_source(&mut rng)
            }
        })
        .collect();

    let deal_count = if with_deals {
        let mean = (plan.opportunities_per_account as f64 / DEAL_SHARE).round() as i64;
        around(&mut rng, mean, (mean / 2).max(1), 1)
    } else {
        0
    };
    let first_deal = created + (14 * DAY_MS).min(age / 2);
    // Some older customers stop being customers: every deal before that day closed weeks
    // before it, and a win-back deal after it is not won (yet).
    let churn = (with_deals && age > 400 * DAY_MS && rng.chance(0.15))
        .then(|| rng.range(created + 200 * DAY_MS, now - 30 * DAY_MS));
    let mut deals = Vec::with_capacity(deal_count);
    let mut opportunities = Vec::with_capacity(deal_count);
    let mut competitors = Vec::new();
    for _ in 0..deal_count {
        let (deal, opp) = opportunity(
            &mut rng, world, &who, tier, owner, first_deal, &roles, &sources, committee, churn,
        );
        for c in &deal.competitors {
            competitors.push(opportunity_competitor::Model {
                opportunity_id: opp.id,
                name: words::COMPETITORS[*c].to_owned(),
            });
        }
        deals.push(deal);
        opportunities.push(opp);
    }

    let last_win = deals
        .iter()
        .filter(|d| d.stage == OpportunityStage::ClosedWon)
        .map(|d| d.end)
        .max();
    // Churned: the account won before it stopped being a customer.
    let churned = churn.filter(|c| last_win.is_some_and(|w| w < *c));
    let status = match (last_win, churned) {
        (Some(_), Some(_)) => AccountStatus::FormerCustomer,
        (Some(_), None) => AccountStatus::Customer,
        _ => AccountStatus::Prospect,
    };

    let account_id = rng.uuid_v7(created);
    let account = account::Model {
        id: account_id,
        name_key: who.name.to_lowercase(),
        name: who.name.clone(),
        domain: Some(who.domain.clone()),
        industry: Some(who.industry.to_owned()),
        employee_count: Some(employees),
        tier,
        status,
        owner_id: owner,
        marketing_owner_id: marketing_owner,
        created_at: at(created),
        updated_at: at(rng.range(created, now)),
        archived_at: None,
        external_id: None,
        version: 1,
    };
    for o in &mut opportunities {
        o.account_id = account_id;
    }

    let mut persons = Vec::with_capacity(headcount);
    let mut used_emails = Vec::with_capacity(headcount);
    for s in 0..headcount {
        let person = people::person(
            &mut rng,
            world,
            &who,
            account_id,
            people::Slot {
                index: s,
                role: roles[s],
                source: sources[s],
                referred: referred[s],
                on_committee: s < committee,
                created: person_created[s],
            },
            (owner, marketing_owner),
            &persons,
            &mut used_emails,
        );
        persons.push(person);
    }

    let mut participants = Vec::new();
    let mut joins: Vec<Vec<(usize, i64)>> = vec![Vec::new(); headcount];
    for (d, (deal, opp)) in deals.iter().zip(&opportunities).enumerate() {
        let rows = activity::participants(&mut rng, deal, opp, &persons, now);
        for (m, row) in deal.members.iter().zip(&rows) {
            joins[*m].push((d, row.created_at.timestamp_millis()));
        }
        participants.extend(rows);
    }

    // The history: every deal's path, every lead's life, and their stage intervals.
    let mut changes = Vec::new();
    let mut intervals = Vec::new();
    let mut feedback = Vec::new();
    for (deal, opp) in deals.iter().zip(opportunities.iter_mut()) {
        let steps = history::deal_path(&mut rng, world, deal, deal.owner);
        if let Some(last) = steps.last() {
            opp.updated_at = opp.updated_at.max(at(last.at));
        }
        opp.version = 1 + steps.len() as i32;
        let subject = Subject {
            kind: StageKind::Opportunity,
            id: opp.id,
            account_id,
            stakeholder_id: None,
            opportunity_id: Some(opp.id),
            participant_id: None,
        };
        history::chain_rows(
            &mut rng,
            &subject,
            deal.created,
            OpportunityStage::Discovery,
            &steps,
            &mut changes,
            &mut intervals,
        );
    }
    for (s, person) in persons.iter_mut().enumerate() {
        let churn = churned.map(|t| t + rng.range(0, (2 * DAY_MS).min(now - t - HOUR_MS)));
        let lead = history::Lead {
            id: person.row.id,
            account_id,
            created: person.created,
            source: person.row.lead_source,
            owner: person.row.owner_id,
            marketing_owner: person.row.marketing_owner_id,
            account_owner: owner,
            deals: &joins[s],
            churned: churn,
        };
        let life = history::lead_life(&mut rng, world, &lead, &deals);
        let row = &mut person.row;
        row.lead_stage = life.stage;
        row.owner_id = life.owner;
        row.handoff_assigned_at = life.handoff.map(|(a, _)| at(a));
        row.handoff_accept_by = life.handoff.map(|(_, b)| at(b));
        row.version = 1 + life.steps.len() as i32;
        if let Some(last) = life.steps.last() {
            row.updated_at = row.updated_at.max(at(last.at));
        }
        let subject = Subject {
            kind: StageKind::Lead,
            id: row.id,
            account_id,
            stakeholder_id: Some(row.id),
            opportunity_id: None,
            participant_id: None,
        };
        history::chain_rows(
            &mut rng,
            &subject,
            person.created,
            entity::enums::LeadStage::Inquiry,
            &life.steps,
            &mut changes,
            &mut intervals,
        );
        feedback.extend(life.feedback);
        person.lifts = life.lifts;
    }
    for p in &participants {
        let subject = Subject {
            kind: StageKind::Buying,
            id: p.id,
            account_id,
            stakeholder_id: Some(p.stakeholder_id),
            opportunity_id: Some(p.opportunity_id),
            participant_id: Some(p.id),
        };
        let entered = p.created_at.timestamp_millis();
        history::chain_rows(
            &mut rng,
            &subject,
            entered,
            p.buying_stage,
            &[],
            &mut changes,
            &mut intervals,
        );
    }

    let (engagements, scores) =
        activity::engagements(&mut rng, world, tier, &deals, &opportunities, &mut persons);
    let mut risks = Vec::new();
    for (deal, opp) in deals.iter().zip(&opportunities) {
        risks.extend(activity::risks(&mut rng, world, deal, opp, &persons));
    }
    Graph {
        account,
        stakeholders: persons.into_iter().map(|p| p.row).collect(),
        opportunities,
        competitors,
        participants,
        risks,
        engagements,
        changes,
        intervals,
        feedback,
        scores,
    }
}

/// `k` distinct indexes of `0..weights.len()`, each drawn with its weight among those left.
fn weighted_sample(rng: &mut Rng, weights: &[u32], k: usize) -> Vec<usize> {
    let mut left: Vec<(usize, u32)> = weights.iter().copied().enumerate().collect();
    let mut out = Vec::with_capacity(k.min(left.len()));
    while out.len() < k && !left.is_empty() {
        let i = rng.weighted(
            &left
                .iter()
                .enumerate()
                .map(|(i, (_, w))| (i, *w))
                .collect::<Vec<_>>(),
        );
        out.push(left.swap_remove(i).0);
    }
    out
}

/// One deal; its `account_id` is filled in by the caller.
#[allow(clippy::too_many_arguments)]
fn opportunity(
    rng: &mut Rng,
    world: &World,
    who: &Identity,
    tier: AccountTier,
    account_owner: Option<Uuid>,
    earliest: i64,
    roles: &[BuyingRole],
    sources: &[Option<LeadSource>],
    committee: usize,
    churn: Option<i64>,
) -> (Deal, opportunity::Model) {
    let now = world.now;
    let mut created = rng.range(earliest, now - HOUR_MS);
    if let Some(c) = churn
        && created > c - 40 * DAY_MS
        && created <= c
    {
        created = (c + rng.range(DAY_MS, 10 * DAY_MS)).min(now - HOUR_MS);
    }
    let before_churn = churn.is_some_and(|c| created < c);
    let age_days = (now - created) / DAY_MS;

    // 4 to the whole committee take part, fewer more often; people from good sources more
    // often than others.
    let spread = committee.saturating_sub(3).max(1) as u64;
    let size = (4 + rng.below(spread).min(rng.below(spread)) as usize).min(committee);
    let weights: Vec<u32> = sources[..committee]
        .iter()
        .map(|s| 20 + (80.0 * history::source_quality(*s)) as u32)
        .collect();
    let mut members = weighted_sample(rng, &weights, size);
    // The champion, if on the deal, is its primary contact; a few deals have none yet.
    if let Some(c) = members.iter().position(|m| roles[*m] == BuyingRole::Champion) {
        members.swap(0, c);
    }
    let has_primary = !members.is_empty() && rng.chance(0.92);
    let lead_source = match members.first() {
        Some(m) if rng.chance(0.7) => sources[*m],
        _ => people::lead_source(rng),
    };

    // Old deals are mostly decided; young ones mostly still open. Deals from good sources win
    // more often.
    let p_closed = ((age_days - 20) as f64 / 200.0).clamp(0.03, 0.92);
    let win_back = churn.is_some() && !before_churn;
    let stage = if before_churn || (age_days >= 15 && rng.chance(p_closed)) {
        if !win_back && rng.chance(0.12 + 0.5 * history::source_quality(lead_source)) {
            OpportunityStage::ClosedWon
        } else {
            OpportunityStage::ClosedLost
        }
    } else {
        // A young deal has not got far yet: about a stage every twelve days at most.
        let reach = (age_days / 12).clamp(0, 4) as usize;
        let stages = [
            (OpportunityStage::Discovery, 25),
            (OpportunityStage::Qualification, 22),
            (OpportunityStage::Evaluation, 20),
            (OpportunityStage::Proposal, 18),
            (OpportunityStage::Negotiation, 15),
        ];
        rng.weighted(&stages[..=reach])
    };
    let closed = matches!(stage, OpportunityStage::ClosedWon | OpportunityStage::ClosedLost);
    let closed_at = closed.then(|| {
        // Within its life so far: it closed before the day of seeding.
        let mut days = rng.range(14, (age_days - 1).clamp(14, 270));
        if let Some(c) = churn.filter(|_| before_churn) {
            days = days.min((c - created) / DAY_MS - 21).max(14);
        }
        (created + days * DAY_MS + rng.range(0, DAY_MS)).min(now - HOUR_MS)
    });
    let end = closed_at.unwrap_or(now);

    let comp_count = rng.weighted(&[(0usize, 35), (1, 35), (2, 20), (3, 10)]);
    let competitor_ix = rng.sample(words::COMPETITORS.len(), comp_count);

    let (lo, hi) = amount_band(tier);
    // In cents, as stored: whole multiples of 500 units.
    let amount = (!(stage == OpportunityStage::Discovery && rng.chance(0.3)))
        .then(|| rng.range(lo / 500, hi / 500) * 500 * 100);
    // The probability follows the stage (null) unless a rep set it by hand on an open deal.
    let probability = (!closed && rng.chance(0.25))
        .then(|| {
            let p = (default_probability(stage) + rng.range(-15, 15) as i32).clamp(5, 95);
            (p != default_probability(stage)).then_some(p as i16)
        })
        .flatten();
    let expected_close = match closed_at {
        Some(t) => t + rng.range(-10, 10) * DAY_MS,
        None => now + rng.range(-20, 150) * DAY_MS,
    };
    let reason = (stage == OpportunityStage::ClosedLost).then(|| {
        let mut reasons = vec![
            (ReasonCode::NoDecision, 22),
            (ReasonCode::NoBudget, 14),
            (ReasonCode::BadTiming, 12),
            (ReasonCode::NotAFit, 8),
            (ReasonCode::Other, 4),
        ];
        if !competitor_ix.is_empty() {
            reasons.push((ReasonCode::LostToCompetitor, 40));
        }
        rng.weighted(&reasons)
    });
    let year = at(created).format("%Y");
    let owner = account_owner.or_else(|| rng.pick_opt(&world.owners.sales));
    let id = rng.uuid_v7(created);
    let name = format!("{} - {} {year}", who.short_name, rng.pick(&words::DEAL_KINDS));
    let row = opportunity::Model {
        id,
        account_id: Uuid::nil(),
        name: name.clone(),
        currency: amount.map(|_| who.currency.to_owned()),
        amount_minor: amount,
        stage,
        probability,
        expected_close_date: Some(day(expected_close)),
        owner_id: owner,
        lead_source,
        close_reason: reason.map(|r| r.to_value()),
        closed_at: closed_at.map(at),
        created_at: at(created),
        updated_at: at(closed_at.unwrap_or_else(|| rng.range(created, now))),
        archived_at: None,
        external_id: None,
        version: 1,
    };
    let deal = Deal {
        name,
        created,
        end,
        stage,
        members,
        has_primary,
        competitors: competitor_ix,
        owner,
        reason,
    };
    (deal, row)
}
