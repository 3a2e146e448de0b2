//! The people of an account: their buying roles, titles, contact details and reporting lines.

use entity::enums::{BuyingRole, LeadSource, LeadStage};
use uuid::Uuid;

use super::{
    activity::Person,
    rng::{Rng, at},
    words,
    world::{Identity, World},
};
use entity::stakeholder;

const LEAD_SOURCES: [(LeadSource, u32); 12] = [
    (LeadSource::Website, 18),
    (LeadSource::Content, 14),
    (LeadSource::Webinar, 10),
    (LeadSource::Event, 8),
    (LeadSource::Social, 6),
    (LeadSource::Paid, 10),
    (LeadSource::Email, 8),
    (LeadSource::Referral, 5),
    (LeadSource::Partner, 6),
    (LeadSource::Outbound, 10),
    (LeadSource::SalesGenerated, 4),
    (LeadSource::Other, 1),
];

pub fn lead_source(rng: &mut Rng) -> Option<LeadSource> {
    (!rng.chance(0.05)).then(|| rng.weighted(&LEAD_SOURCES))
}

/// The buying roles of an account's people: the first is the senior buyer, the next ones
/// (`committee` in all) the people deals are worked with, the rest leads around them.
pub fn roles(rng: &mut Rng, people: usize, committee: usize) -> Vec<BuyingRole> {
    use BuyingRole::*;
    let senior = rng.weighted(&[(DecisionMaker, 60), (EconomicBuyer, 40)]);
    let other_senior = if senior == DecisionMaker {
        EconomicBuyer
    } else {
        DecisionMaker
    };
    let core = [Champion, TechnicalEvaluator, other_senior, Influencer];
    let order = rng.sample(core.len(), core.len());
    (0..people)
        .map(|slot| match slot {
            0 => senior,
            s if s < committee => match order.get(s - 1) {
                Some(i) => core[*i],
                None => rng.weighted(&[
                    (Influencer, 40),
                    (TechnicalEvaluator, 30),
                    (Blocker, 10),
                    (EndUser, 20),
                ]),
            },
            _ => rng.weighted(&[
                (EndUser, 35),
                (Influencer, 20),
                (Gatekeeper, 12),
                (Unknown, 25),
                (Blocker, 8),
            ]),
        })
        .collect()
}

/// Who one person of an account is, decided before the rows are built.
pub struct Slot {
    /// Position among the account's people.
    pub index: usize,
    pub role: BuyingRole,
    pub source: Option<LeadSource>,
    /// Referred by someone listed earlier (the source is then REFERRAL).
    pub referred: bool,
    /// On the buying committee deals are worked with.
    pub on_committee: bool,
    pub created: i64,
}

/// One person on the People Map, a lead at INQUIRY (its history moves it on).
#[allow(clippy::too_many_arguments)]
pub fn person(
    rng: &mut Rng,
    world: &World,
    who: &Identity,
    account_id: Uuid,
    slot: Slot,
    (account_owner, marketing_owner): (Option<Uuid>, Option<Uuid>),
    earlier: &[Person],
    used_emails: &mut Vec<String>,
) -> Person {
    let Slot {
        index: slot,
        role,
        source,
        referred,
        on_committee,
        created,
    } = slot;
    let first = *rng.pick(&words::FIRST_NAMES);
    let last = *rng.pick(&words::LAST_NAMES);
    let (title, department, persona) = *rng.pick(words::titles(role));
    let local = format!("{}.{}", words::slug(first), words::slug(last));
    let mut email_local = local.clone();
    let mut n = 1;
    while used_emails.contains(&email_local) {
        n += 1;
        email_local = format!("{local}{n}");
    }
    used_emails.push(email_local.clone());
    let phone = rng.chance(0.7).then(|| {
        if who.phone_prefix == "+1" {
            let area = rng.pick(&[212, 312, 415, 512, 617, 206, 303, 404]);
            format!("+1 {area} 555 01{:02}", rng.below(100))
        } else {
            format!(
                "{} {} {:04} {:04}",
                who.phone_prefix,
                rng.range(20, 89),
                rng.below(10_000),
                rng.below(10_000)
            )
        }
    });
    let influence = match role {
        BuyingRole::DecisionMaker => Some(5),
        BuyingRole::EconomicBuyer => Some(rng.range(4, 5)),
        BuyingRole::Champion | BuyingRole::Blocker => Some(rng.range(3, 4)),
        BuyingRole::TechnicalEvaluator => Some(3),
        BuyingRole::Influencer => Some(rng.range(2, 4)),
        BuyingRole::EndUser => Some(rng.range(1, 2)),
        BuyingRole::Gatekeeper => Some(2),
        BuyingRole::Unknown => rng.chance(0.5).then(|| rng.range(1, 3)),
    }
    .map(|i| i as i16);
    use entity::enums::Sentiment::*;
    let sentiment = match role {
        BuyingRole::Champion => rng.weighted(&[(Supporter, 90), (Neutral, 10)]),
        BuyingRole::Blocker => rng.weighted(&[(Detractor, 50), (Skeptic, 50)]),
        _ => rng.weighted(&[
            (Supporter, 25),
            (Neutral, 35),
            (Skeptic, 12),
            (Detractor, 3),
            (Unknown, 25),
        ]),
    };
    // Reporting lines point to someone listed earlier: a tree, never a loop.
    let reports_to = (slot > 0 && rng.chance(0.8)).then(|| earlier[rng.index(slot)].row.id);
    let referred_by = (slot > 0 && referred).then(|| earlier[rng.index(slot)].row.id);
    let lead_source = source;
    // Owners default to the creator: sales created the people they prospect and half of the
    // committee they meet; marketing's leads get a sales owner when handed over as MQLs.
    let sales_side = matches!(source, Some(LeadSource::Outbound | LeadSource::SalesGenerated))
        || (on_committee && rng.chance(0.5));
    let owner = sales_side
        .then(|| account_owner.or_else(|| rng.pick_opt(&world.owners.sales)))
        .flatten();
    let persona_id = persona
        .filter(|_| !world.personas.is_empty() && rng.chance(0.85))
        .map(|p| world.personas[p % world.personas.len()]);
    let id = rng.uuid_v7(created);
    let row = stakeholder::Model {
        id,
        account_id,
        first_name: first.to_owned(),
        last_name: last.to_owned(),
        title: Some(title.to_owned()),
        department: Some(department.to_owned()),
        email: rng.chance(0.95).then(|| format!("{email_local}@{}", who.domain)),
        phone,
        persona_id,
        buying_role: role,
        influence,
        sentiment,
        reports_to_id: reports_to,
        lead_stage: LeadStage::Inquiry,
        lead_source,
        referred_by_id: referred_by,
        lead_score: 0,
        owner_id: owner,
        marketing_owner_id: marketing_owner.or_else(|| rng.pick_opt(&world.owners.marketing)),
        last_engaged_at: None,
        created_at: at(created),
        updated_at: at(rng.range(created, world.now)),
        archived_at: None,
        external_id: None,
        version: 1,
        fit_score: 0,
        behaviour_points: 0.0,
        behaviour_at: None,
        scored_at: None,
        handoff_assigned_at: None,
        handoff_accept_by: None,
    };
    Person {
        row,
        created,
        lifts: Vec::new(),
    }
}
