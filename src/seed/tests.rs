//! The rules the generated rows must keep, checked over many accounts of several seeds.

use std::collections::{HashMap, HashSet};

use entity::{
    account::AccountStatus,
    enums::LeadStage,
    opportunity::{Model as Opportunity, OpportunityStage},
};
use uuid::Uuid;

use super::{
    graph::{Graph, account_graph, default_probability},
    rng::{BASE_MS, at},
    world::{Owners, Plan, Size, World},
};

fn owners() -> Owners {
    Owners {
        sales: vec![Uuid::from_u128(1), Uuid::from_u128(2)],
        marketing: vec![Uuid::from_u128(3)],
    }
}

fn personas() -> Vec<Uuid> {
    (10..18u128).map(Uuid::from_u128).collect()
}

fn world(seed: u64, plan: Plan) -> World {
    World::new(seed, plan, owners(), personas())
}

/// The first `n` accounts of a medium world of each seed.
fn sample(n: u64) -> Vec<Graph> {
    let mut out = Vec::new();
    for seed in [1, 2, 99] {
        let w = world(seed, Size::Medium.plan());
        out.extend((0..n).map(|i| account_graph(&w, i * 97)));
    }
    out
}

fn closed(o: &Opportunity) -> bool {
    matches!(
        o.stage,
        OpportunityStage::ClosedWon | OpportunityStage::ClosedLost
    )
}

#[test]
fn one_seed_gives_the_same_rows_twice() {
    let a = world(7, Size::Small.plan());
    let b = world(7, Size::Small.plan());
    for i in 0..50 {
        assert_eq!(account_graph(&a, i), account_graph(&b, i));
    }
    assert_eq!(a.library, b.library);
    let c = world(8, Size::Small.plan());
    assert_ne!(account_graph(&a, 0), account_graph(&c, 0));
}

#[test]
fn a_deal_has_distinct_participants_and_at_most_one_primary() {
    for g in sample(60) {
        let mut pairs = HashSet::new();
        let mut primaries: HashMap<Uuid, usize> = HashMap::new();
        for p in &g.participants {
            assert!(
                pairs.insert((p.opportunity_id, p.stakeholder_id)),
                "participant twice"
            );
            if p.is_primary {
                *primaries.entry(p.opportunity_id).or_default() += 1;
            }
            assert_eq!(p.account_id, g.account.id);
            assert!(g.stakeholders.iter().any(|s| s.id == p.stakeholder_id));
            assert!(g.opportunities.iter().any(|o| o.id == p.opportunity_id));
        }
        assert!(primaries.values().all(|n| *n == 1));
        for o in &g.opportunities {
            let n = g.participants.iter().filter(|p| p.opportunity_id == o.id).count();
            assert!((1..=4).contains(&n), "{n} participants");
        }
    }
}

#[test]
fn reporting_lines_stay_in_the_account_and_never_loop() {
    for g in sample(60) {
        let boss: HashMap<Uuid, Option<Uuid>> =
            g.stakeholders.iter().map(|s| (s.id, s.reports_to_id)).collect();
        for s in &g.stakeholders {
            for r in [s.reports_to_id, s.referred_by_id].into_iter().flatten() {
                assert!(boss.contains_key(&r), "points outside the account");
                assert_ne!(r, s.id);
            }
            let mut seen = HashSet::from([s.id]);
            let mut next = s.reports_to_id;
            while let Some(m) = next {
                assert!(seen.insert(m), "reporting cycle");
                next = boss[&m];
            }
        }
    }
}

#[test]
fn child_rows_carry_their_account() {
    for g in sample(40) {
        let people: HashSet<Uuid> = g.stakeholders.iter().map(|s| s.id).collect();
        let deals: HashSet<Uuid> = g.opportunities.iter().map(|o| o.id).collect();
        assert!(g.stakeholders.iter().all(|s| s.account_id == g.account.id));
        assert!(g.opportunities.iter().all(|o| o.account_id == g.account.id));
        for e in &g.engagements {
            assert_eq!(e.account_id, g.account.id);
            assert!(people.contains(&e.stakeholder_id));
            assert!(e.opportunity_id.is_none_or(|o| deals.contains(&o)));
        }
        for r in &g.risks {
            assert_eq!(r.account_id, g.account.id);
            assert!(deals.contains(&r.opportunity_id));
            assert!(r.raised_by_id.is_none_or(|s| people.contains(&s)));
        }
        assert!(g.competitors.iter().all(|c| deals.contains(&c.opportunity_id)));
        let names: HashSet<(Uuid, &str)> = g
            .competitors
            .iter()
            .map(|c| (c.opportunity_id, c.name.as_str()))
            .collect();
        assert_eq!(names.len(), g.competitors.len());
    }
}

#[test]
fn deals_follow_their_stage() {
    for g in sample(60) {
        for o in &g.opportunities {
            assert_eq!(closed(o), o.closed_at.is_some());
            assert_eq!(o.close_reason.is_some(), o.stage == OpportunityStage::ClosedLost);
            if o.close_reason.as_deref() == Some("LOST_TO_COMPETITOR") {
                assert!(g.competitors.iter().any(|c| c.opportunity_id == o.id));
            }
            let p = o.probability.unwrap_or(-1);
            if closed(o) {
                assert_eq!(p, default_probability(o.stage));
            } else {
                assert!((5..=95).contains(&p));
            }
            assert_eq!(o.amount.is_some(), o.currency.is_some());
            assert!(o.amount.is_none_or(|a| a.scale() == 2 && a.is_sign_positive()));
            assert!(
                o.currency
                    .as_deref()
                    .is_none_or(|c| ["USD", "EUR", "GBP"].contains(&c))
            );
        }
    }
}

#[test]
fn lead_stages_follow_the_deals() {
    for g in sample(60) {
        for s in &g.stakeholders {
            let deals: Vec<&Opportunity> = g
                .participants
                .iter()
                .filter(|p| p.stakeholder_id == s.id)
                .filter_map(|p| g.opportunities.iter().find(|o| o.id == p.opportunity_id))
                .collect();
            let won = deals.iter().any(|o| o.stage == OpportunityStage::ClosedWon);
            let open = deals.iter().any(|o| !closed(o));
            let former = g.account.status == AccountStatus::FormerCustomer;
            if won && !former {
                assert_eq!(s.lead_stage, LeadStage::Customer);
            } else if open {
                assert_eq!(s.lead_stage, LeadStage::Opportunity);
            } else if !deals.is_empty() {
                assert!(matches!(
                    s.lead_stage,
                    LeadStage::Nurture | LeadStage::Disqualified
                ));
            }
        }
        let won = g
            .opportunities
            .iter()
            .any(|o| o.stage == OpportunityStage::ClosedWon);
        assert_eq!(won, g.account.status != AccountStatus::Prospect);
    }
}

#[test]
fn nothing_is_dated_after_the_clock_or_before_its_parent() {
    let clock = at(BASE_MS);
    for g in sample(40) {
        let a = &g.account;
        assert!(a.created_at <= a.updated_at && a.updated_at <= clock);
        assert!(a.created_at > clock - chrono::Duration::days(731));
        for s in &g.stakeholders {
            assert!(a.created_at <= s.created_at && s.created_at <= s.updated_at && s.updated_at <= clock);
            let last = g
                .engagements
                .iter()
                .filter(|e| e.stakeholder_id == s.id)
                .map(|e| e.occurred_at)
                .max();
            assert_eq!(s.last_engaged_at, last);
            assert!((0..=100).contains(&s.lead_score));
        }
        for o in &g.opportunities {
            assert!(a.created_at <= o.created_at && o.created_at <= o.updated_at && o.updated_at <= clock);
            assert!(o.closed_at.is_none_or(|c| o.created_at <= c && c <= clock));
        }
        for e in &g.engagements {
            assert!(e.occurred_at <= e.created_at && e.created_at <= clock);
        }
        for r in &g.risks {
            assert!(r.created_at <= r.updated_at && r.updated_at <= clock);
        }
    }
}

#[test]
fn ids_are_unique_version_7_and_follow_creation_time() {
    let mut ids = HashSet::new();
    for g in sample(40) {
        let stamped = std::iter::once((g.account.id, g.account.created_at))
            .chain(g.stakeholders.iter().map(|s| (s.id, s.created_at)))
            .chain(g.opportunities.iter().map(|o| (o.id, o.created_at)))
            .chain(g.participants.iter().map(|p| (p.id, p.created_at)))
            .chain(g.risks.iter().map(|r| (r.id, r.created_at)))
            .chain(g.engagements.iter().map(|e| (e.id, e.created_at)));
        for (id, created) in stamped {
            assert!(ids.insert(id), "id twice");
            assert_eq!(id.get_version_num(), 7);
            let (secs, nanos) = id.get_timestamp().map(|t| t.to_unix()).unwrap_or_default();
            assert_eq!(
                secs as i64 * 1000 + i64::from(nanos / 1_000_000),
                created.timestamp_millis()
            );
        }
    }
}

#[test]
fn sizes_come_out_near_their_plan() {
    let w = world(1, Size::Medium.plan());
    let n = 400;
    let graphs: Vec<Graph> = (0..n).map(|i| account_graph(&w, i * 50)).collect();
    let per = |f: &dyn Fn(&Graph) -> usize| graphs.iter().map(f).sum::<usize>() as f64 / n as f64;
    let people = per(&|g| g.stakeholders.len());
    let deals = per(&|g| g.opportunities.len());
    let touches = per(&|g| g.engagements.len());
    let risks = per(&|g| g.risks.len());
    assert!((4.5..5.5).contains(&people), "{people}");
    assert!((8.5..11.5).contains(&deals), "{deals}");
    assert!((10.0..20.0).contains(&touches), "{touches}");
    assert!((1.8..3.2).contains(&risks), "{risks}");
    let stages: HashSet<String> = graphs
        .iter()
        .flat_map(|g| g.stakeholders.iter().map(|s| format!("{:?}", s.lead_stage)))
        .collect();
    assert_eq!(stages.len(), 8, "every lead stage shows up: {stages:?}");
}

#[test]
fn owners_come_from_the_demo_users() {
    let o = owners();
    for g in sample(30) {
        assert!(g.account.owner_id.is_none_or(|id| o.sales.contains(&id)));
        assert!(
            g.account
                .marketing_owner_id
                .is_none_or(|id| o.marketing.contains(&id))
        );
        assert!(
            g.opportunities
                .iter()
                .all(|x| x.owner_id.is_none_or(|id| o.sales.contains(&id)))
        );
        assert!(
            g.stakeholders
                .iter()
                .all(|s| s.persona_id.is_none_or(|p| personas().contains(&p)))
        );
    }
}

/// `serve --demo` seeds inside `App::build`, whose future callers may spawn.
#[test]
fn seeding_can_run_on_any_runtime_thread() {
    fn send<T: Send>(_: &T) {}
    let db = sea_orm::DatabaseConnection::default();
    let options = super::Options {
        size: Size::Small,
        seed: 1,
        progress: false,
    };
    send(&super::run(&db, options));
    send(&super::demo(&db));
}
