//! One account and everything that hangs off it: its buying committee, its deals with their
//! participants, competitors and risks, and every touch its people had.
//!
//! An account's rows depend only on (seed, account number, world), so any account can be
//! generated again on its own: the writer makes one pass per table without keeping the data set
//! in memory. The rows hold the rules the database and the API hold: participants and risks
//! belong to their deal's account, at most one primary participant per deal, reporting lines
//! stay inside the account and point to someone listed earlier (so they never loop), closed
//! deals carry their close time and only lost ones a reason, and lead stages follow the deals a
//! person is on (open deal: OPPORTUNITY, won: CUSTOMER, lost only: back to nurture).

use entity::{
    account::{self, AccountStatus, AccountTier},
    deal_participant, deal_risk, engagement,
    enums::{BuyingRole, LeadStage},
    opportunity::{self, OpportunityStage},
    opportunity_competitor, stakeholder,
};
use uuid::Uuid;

use super::{
    activity::{self, Deal},
    people,
    rng::{BASE_MS, DAY_MS, HOUR_MS, Rng, at, day},
    words,
    world::{Identity, World, stream},
};

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

/// The win probability a stage implies (the API's default).
pub fn default_probability(stage: OpportunityStage) -> i16 {
    match stage {
        OpportunityStage::Discovery => 10,
        OpportunityStage::Qualification => 20,
        OpportunityStage::Evaluation => 40,
        OpportunityStage::Proposal => 60,
        OpportunityStage::Negotiation => 80,
        OpportunityStage::ClosedWon => 100,
        OpportunityStage::ClosedLost => 0,
    }
}

/// Generates the rows of account `index`.
pub fn account_graph(world: &World, index: u64) -> Graph {
    let mut rng = Rng::stream(world.seed, stream::ACCOUNT, index);
    let plan = &world.plan;
    let who = world.identity(index);

    // Accounts arrive steadily over two years, so time-ordered ids roughly follow the index.
    let slot = 728 * DAY_MS / plan.accounts.max(1) as i64;
    let created = BASE_MS - 730 * DAY_MS + slot * index as i64 + rng.range(0, slot - 1);
    let age = BASE_MS - created;
    let employees = (20f64 * (2500f64).powf(rng.unit())).round() as i32;
    let tier = tier_of(&mut rng, employees);
    let owner = rng.pick_opt(&world.owners.sales).filter(|_| rng.chance(0.85));
    let marketing_owner = rng.pick_opt(&world.owners.marketing).filter(|_| rng.chance(0.9));

    // People first (who is on the committee), then deals with them.
    let headcount = around(&mut rng, plan.stakeholders_per_account, 3, 2);
    let committee = if headcount <= 4 {
        headcount
    } else {
        (headcount * 3).div_ceil(5).max(4)
    };
    let roles = people::roles(&mut rng, headcount, committee);
    let person_created: Vec<i64> = (0..headcount)
        .map(|s| {
            if s < committee {
                created + rng.range(0, (14 * DAY_MS).min(age / 2))
            } else {
                rng.range(created, BASE_MS - HOUR_MS)
            }
        })
        .collect();

    // Many accounts are marketing's alone so far (no deal yet); the others carry the deals.
    let deal_count = if rng.chance(DEAL_SHARE) {
        let mean = (plan.opportunities_per_account as f64 / DEAL_SHARE).round() as i64;
        around(&mut rng, mean, (mean / 2).max(1), 1)
    } else {
        0
    };
    let first_deal = created + (14 * DAY_MS).min(age / 2);
    let mut deals = Vec::with_capacity(deal_count);
    let mut opportunities = Vec::with_capacity(deal_count);
    let mut competitors = Vec::new();
    for _ in 0..deal_count {
        let (deal, opp) = opportunity(&mut rng, world, &who, tier, owner, first_deal, &roles, committee);
        for c in &deal.competitors {
            competitors.push(opportunity_competitor::Model {
                opportunity_id: opp.id,
                name: words::COMPETITORS[*c].to_owned(),
            });
        }
        deals.push(deal);
        opportunities.push(opp);
    }

    let won: Vec<&Deal> = deals
        .iter()
        .filter(|d| d.stage == OpportunityStage::ClosedWon)
        .collect();
    let any_open = deals.iter().any(|d| d.is_open());
    let last_win = won.iter().map(|d| d.end).max();
    let status = match last_win {
        // Churned: long after the last win with nothing open, or now and then even with a
        // win-back deal under way.
        Some(t) if (!any_open && t < BASE_MS - 365 * DAY_MS && rng.chance(0.6)) || rng.chance(0.06) => {
            AccountStatus::FormerCustomer
        }
        Some(_) => AccountStatus::Customer,
        None => AccountStatus::Prospect,
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
        updated_at: at(rng.range(created, BASE_MS)),
        archived_at: None,
        version: 1,
    };
    for o in &mut opportunities {
        o.account_id = account_id;
    }

    let mut persons = Vec::with_capacity(headcount);
    let mut used_emails = Vec::with_capacity(headcount);
    for s in 0..headcount {
        let on = |f: &dyn Fn(&Deal) -> bool| deals.iter().any(|d| d.members.contains(&s) && f(d));
        let won = on(&|d| d.stage == OpportunityStage::ClosedWon);
        let former = status == AccountStatus::FormerCustomer;
        let stage = if won && !former {
            LeadStage::Customer
        } else if on(&Deal::is_open) {
            LeadStage::Opportunity
        } else if won {
            LeadStage::Nurture
        } else if on(&|_| true) {
            rng.weighted(&[(LeadStage::Nurture, 85), (LeadStage::Disqualified, 15)])
        } else if status == AccountStatus::Customer && rng.chance(0.3) {
            LeadStage::Customer
        } else {
            rng.weighted(&[
                (LeadStage::Inquiry, 30),
                (LeadStage::Mql, 18),
                (LeadStage::Sal, 10),
                (LeadStage::Sql, 8),
                (LeadStage::Nurture, 22),
                (LeadStage::Disqualified, 12),
            ])
        };
        let person = people::person(
            &mut rng,
            world,
            &who,
            account_id,
            s,
            roles[s],
            stage,
            person_created[s],
            (owner, marketing_owner),
            &persons,
            &mut used_emails,
        );
        persons.push(person);
    }

    let mut participants = Vec::new();
    for (deal, opp) in deals.iter().zip(&opportunities) {
        participants.extend(activity::participants(&mut rng, deal, opp, &persons));
    }
    let engagements = activity::engagements(&mut rng, world, &deals, &opportunities, &mut persons);
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
    }
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
    committee: usize,
) -> (Deal, opportunity::Model) {
    let created = rng.range(earliest, BASE_MS - HOUR_MS);
    let age_days = (BASE_MS - created) / DAY_MS;
    // Old deals are mostly decided; young ones mostly still open.
    let p_closed = ((age_days - 20) as f64 / 200.0).clamp(0.03, 0.92);
    let stage = if rng.chance(p_closed) {
        if rng.chance(0.35) {
            OpportunityStage::ClosedWon
        } else {
            OpportunityStage::ClosedLost
        }
    } else {
        rng.weighted(&[
            (OpportunityStage::Discovery, 25),
            (OpportunityStage::Qualification, 22),
            (OpportunityStage::Evaluation, 20),
            (OpportunityStage::Proposal, 18),
            (OpportunityStage::Negotiation, 15),
        ])
    };
    let closed = matches!(stage, OpportunityStage::ClosedWon | OpportunityStage::ClosedLost);
    let closed_at = closed.then(|| {
        let days = rng.range(14, age_days.clamp(14, 270));
        (created + days * DAY_MS + rng.range(0, DAY_MS)).min(BASE_MS - HOUR_MS)
    });
    let end = closed_at.unwrap_or(BASE_MS);

    let size = rng.weighted(&[(2usize, 45), (3, 40), (4, 15)]).min(committee);
    let mut members = rng.sample(committee, size);
    // The champion, if on the deal, is its primary contact; a few deals have none yet.
    if let Some(c) = members.iter().position(|m| roles[*m] == BuyingRole::Champion) {
        members.swap(0, c);
    }
    let has_primary = !members.is_empty() && rng.chance(0.92);
    let comp_count = rng.weighted(&[(0usize, 35), (1, 35), (2, 20), (3, 10)]);
    let competitor_ix = rng.sample(words::COMPETITORS.len(), comp_count);

    let (lo, hi) = amount_band(tier);
    let amount = (!(stage == OpportunityStage::Discovery && rng.chance(0.3)))
        .then(|| sea_orm::prelude::Decimal::new(rng.range(lo / 500, hi / 500) * 500 * 100, 2));
    let mut probability = default_probability(stage);
    if !closed && rng.chance(0.25) {
        probability = (probability + rng.range(-15, 15) as i16).clamp(5, 95);
    }
    let expected_close = match closed_at {
        Some(t) => t + rng.range(-10, 10) * DAY_MS,
        None => BASE_MS + rng.range(-20, 150) * DAY_MS,
    };
    let close_reason = (stage == OpportunityStage::ClosedLost).then(|| {
        let mut reasons = vec![
            ("NO_DECISION", 22),
            ("NO_BUDGET", 14),
            ("BAD_TIMING", 12),
            ("NOT_A_FIT", 8),
            ("OTHER", 4),
        ];
        if !competitor_ix.is_empty() {
            reasons.push(("LOST_TO_COMPETITOR", 40));
        }
        rng.weighted(&reasons).to_owned()
    });
    let year = at(created).format("%Y");
    let owner = account_owner.or_else(|| rng.pick_opt(&world.owners.sales));
    let id = rng.uuid_v7(created);
    let row = opportunity::Model {
        id,
        account_id: Uuid::nil(),
        name: format!("{} - {} {year}", who.short_name, rng.pick(&words::DEAL_KINDS)),
        currency: amount.map(|_| who.currency.to_owned()),
        amount,
        stage,
        probability: Some(probability),
        expected_close_date: Some(day(expected_close)),
        owner_id: owner,
        lead_source: people::lead_source(rng),
        close_reason,
        closed_at: closed_at.map(at),
        created_at: at(created),
        updated_at: at(closed_at.unwrap_or_else(|| rng.range(created, BASE_MS))),
        archived_at: None,
        version: 1,
    };
    let deal = Deal {
        created,
        end,
        stage,
        members,
        has_primary,
        competitors: competitor_ix,
        owner,
    };
    (deal, row)
}
