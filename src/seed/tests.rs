//! The rules the generated rows must keep, checked over many accounts of several seeds.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{
    account::AccountStatus,
    enums::{LeadSource, LeadStage},
    lead_feedback::LeadRating,
    opportunity::{Model as Opportunity, OpportunityStage},
    stage_change::{self, StageKind},
    stage_interval,
};
use sea_orm::ActiveEnum;
use uuid::Uuid;

use super::{
    graph::{Graph, account_graph},
    rng::{TEST_NOW_MS, at, midnight},
    world::{Owners, Plan, Size, World},
};
use crate::domain::{opportunity::default_probability, stage as rules};

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
    World::new(seed, plan, owners(), personas(), TEST_NOW_MS)
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

fn clock() -> DateTime<Utc> {
    at(TEST_NOW_MS)
}

fn closed(o: &Opportunity) -> bool {
    matches!(
        o.stage,
        OpportunityStage::ClosedWon | OpportunityStage::ClosedLost
    )
}

fn lead(stage: &str) -> LeadStage {
    LeadStage::try_from_value(&stage.to_owned()).unwrap()
}

fn deal_stage(stage: &str) -> OpportunityStage {
    OpportunityStage::try_from_value(&stage.to_owned()).unwrap()
}

/// The changes of one record, oldest first.
fn chain(g: &Graph, subject: Uuid) -> Vec<&stage_change::Model> {
    let mut c: Vec<_> = g.changes.iter().filter(|c| c.subject_id == subject).collect();
    c.sort_by_key(|c| c.changed_at);
    c
}

fn stays(g: &Graph, subject: Uuid) -> Vec<&stage_interval::Model> {
    let mut i: Vec<_> = g.intervals.iter().filter(|i| i.subject_id == subject).collect();
    i.sort_by_key(|i| i.entered_at);
    i
}

/// A lead move the services could have written: by hand, as the waterfall allows, or
/// automatically, as a consequence of a deal or a score reaching the MQL threshold.
fn legal_lead_move(from: LeadStage, to: LeadStage, automatic: bool) -> bool {
    if automatic {
        rules::on_joining_open_deal(from) == Some(to)
            || rules::on_deal_won(from) == Some(to)
            || rules::on_deal_lost(from, false) == Some(to)
            || (to == LeadStage::Mql && matches!(from, LeadStage::Inquiry | LeadStage::Nurture))
    } else {
        rules::lead_move(from, to).is_ok()
    }
}

#[test]
fn one_seed_and_day_give_the_same_rows_twice() {
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
fn the_data_moves_with_the_day_of_seeding() {
    let day = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let later = NaiveDate::from_ymd_opt(2027, 3, 15).unwrap();
    assert_eq!(midnight(day), TEST_NOW_MS);
    let shift = Duration::milliseconds(midnight(later) - midnight(day));
    let a = World::new(3, Size::Small.plan(), owners(), personas(), midnight(day));
    let b = World::new(3, Size::Small.plan(), owners(), personas(), midnight(later));
    for i in 0..20 {
        let (x, y) = (account_graph(&a, i), account_graph(&b, i));
        assert_eq!(x.account.created_at + shift, y.account.created_at);
        assert_eq!(x.changes.len(), y.changes.len());
        for (c, d) in x.changes.iter().zip(&y.changes) {
            assert_eq!(c.changed_at + shift, d.changed_at);
            assert_eq!((&c.from_stage, &c.to_stage), (&d.from_stage, &d.to_stage));
        }
        let last = y.changes.iter().map(|c| c.changed_at).max();
        assert!(last.is_none_or(|t| t <= at(midnight(later))));
    }
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
    }
}

#[test]
fn buying_committees_have_4_to_15_people_on_a_deal() {
    let mut sizes = HashSet::new();
    for g in sample(80) {
        for o in &g.opportunities {
            let n = g.participants.iter().filter(|p| p.opportunity_id == o.id).count();
            assert!((4..=15).contains(&n), "{n} participants");
            sizes.insert(n);
        }
    }
    assert!(sizes.contains(&4) && sizes.iter().any(|n| *n >= 10), "{sizes:?}");
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
        let participants: HashSet<Uuid> = g.participants.iter().map(|p| p.id).collect();
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
        for c in &g.changes {
            assert_eq!(c.account_id, g.account.id);
            match c.kind {
                StageKind::Lead => {
                    assert!(people.contains(&c.subject_id));
                    assert_eq!(c.stakeholder_id, Some(c.subject_id));
                    assert!(c.opportunity_id.is_none() && c.participant_id.is_none());
                }
                StageKind::Opportunity => {
                    assert!(deals.contains(&c.subject_id));
                    assert_eq!(c.opportunity_id, Some(c.subject_id));
                    assert!(c.stakeholder_id.is_none() && c.participant_id.is_none());
                }
                StageKind::Buying => assert!(participants.contains(&c.subject_id)),
            }
        }
        for i in &g.intervals {
            assert_eq!(i.account_id, g.account.id);
            let known = match i.kind {
                StageKind::Lead => people.contains(&i.subject_id),
                StageKind::Opportunity => deals.contains(&i.subject_id),
                StageKind::Buying => participants.contains(&i.subject_id),
            };
            assert!(known);
        }
        for f in &g.feedback {
            assert_eq!(f.account_id, g.account.id);
            assert!(people.contains(&f.stakeholder_id));
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
    let mut by_hand = 0;
    for g in sample(60) {
        for o in &g.opportunities {
            assert_eq!(closed(o), o.closed_at.is_some());
            assert_eq!(o.close_reason.is_some(), o.stage == OpportunityStage::ClosedLost);
            if o.close_reason.as_deref() == Some("LOST_TO_COMPETITOR") {
                assert!(g.competitors.iter().any(|c| c.opportunity_id == o.id));
            }
            // The probability follows the stage (null) unless set by hand on an open deal.
            if let Some(p) = o.probability {
                by_hand += 1;
                assert!(!closed(o));
                assert!((5..=95).contains(&p));
                assert_ne!(i32::from(p), default_probability(o.stage));
            }
            if !closed(o) {
                // A young deal has not got far: about a stage every twelve days at most.
                let age_days = (clock() - o.created_at).num_days();
                let position = [
                    OpportunityStage::Discovery,
                    OpportunityStage::Qualification,
                    OpportunityStage::Evaluation,
                    OpportunityStage::Proposal,
                    OpportunityStage::Negotiation,
                ]
                .iter()
                .position(|s| *s == o.stage)
                .unwrap() as i64;
                assert!(position <= age_days / 12, "{:?} after {age_days} days", o.stage);
            }
            assert_eq!(o.amount_minor.is_some(), o.currency.is_some());
            assert!(o.amount_minor.is_none_or(|a| a > 0 && a % 50_000 == 0));
            assert!(
                o.currency
                    .as_deref()
                    .is_none_or(|c| ["USD", "EUR", "GBP"].contains(&c))
            );
        }
    }
    assert!(by_hand > 0);
}

#[test]
fn every_lead_starts_at_inquiry_and_moves_legally_to_its_stage() {
    let sla = world(1, Size::Medium.plan()).sla_ms;
    for g in sample(60) {
        for s in &g.stakeholders {
            let changes = chain(&g, s.id);
            let mut stage = LeadStage::Inquiry;
            let mut last = s.created_at;
            for c in &changes {
                assert_eq!(c.kind, StageKind::Lead);
                assert_eq!(lead(&c.from_stage), stage, "from is the previous to");
                let to = lead(&c.to_stage);
                let automatic = c.changed_by_id.is_none();
                assert!(
                    legal_lead_move(stage, to, automatic),
                    "{stage:?} -> {to:?} (automatic: {automatic})"
                );
                if automatic {
                    assert!(c.note.is_some(), "an automatic move names its cause");
                } else if rules::lead_move(stage, to).is_ok_and(|r| r.reason_required) {
                    assert!(c.reason_code.is_some(), "{stage:?} -> {to:?} needs a reason");
                }
                assert!(c.changed_at > last && c.changed_at <= clock());
                last = c.changed_at;
                stage = to;
            }
            assert_eq!(stage, s.lead_stage);
            assert_eq!(s.version, 1 + changes.len() as i32);
            assert!(s.updated_at >= last);
            // The handoff is set as a move to MQL sets it, and cleared by any other move.
            let into_mql = changes.iter().rev().find(|c| c.to_stage == "MQL");
            if s.lead_stage == LeadStage::Mql {
                let entered = into_mql.map(|c| c.changed_at);
                assert_eq!(s.handoff_assigned_at, entered);
                assert_eq!(
                    s.handoff_accept_by,
                    entered.map(|t| t + Duration::milliseconds(sla))
                );
            } else {
                assert!(s.handoff_assigned_at.is_none() && s.handoff_accept_by.is_none());
            }
        }
    }
}

#[test]
fn every_deal_starts_at_discovery_and_moves_legally_to_its_stage() {
    for g in sample(60) {
        for o in &g.opportunities {
            let changes = chain(&g, o.id);
            let mut stage = OpportunityStage::Discovery;
            let mut last = o.created_at;
            for c in &changes {
                assert_eq!(c.kind, StageKind::Opportunity);
                assert_eq!(deal_stage(&c.from_stage), stage);
                let to = deal_stage(&c.to_stage);
                let rule = rules::opportunity_move(stage, to).unwrap();
                assert!(!rule.reopens, "seeded deals never reopen");
                if rule.reason_required {
                    assert_eq!(c.reason_code.map(|r| r.to_value()), o.close_reason);
                }
                assert!(c.changed_by_id.is_some(), "deals are moved by their reps");
                assert!(c.changed_at > last && c.changed_at <= clock());
                last = c.changed_at;
                stage = to;
            }
            assert_eq!(stage, o.stage);
            assert_eq!(o.version, 1 + changes.len() as i32);
            assert!(o.updated_at >= last);
            if closed(o) {
                assert_eq!(o.closed_at, changes.last().map(|c| c.changed_at));
            }
        }
    }
}

#[test]
fn stage_intervals_are_the_stays_between_the_changes() {
    for g in sample(60) {
        let mut subjects: Vec<(Uuid, DateTime<Utc>, String)> = Vec::new();
        subjects.extend(
            g.stakeholders
                .iter()
                .map(|s| (s.id, s.created_at, "INQUIRY".to_owned())),
        );
        subjects.extend(
            g.opportunities
                .iter()
                .map(|o| (o.id, o.created_at, "DISCOVERY".to_owned())),
        );
        subjects.extend(
            g.participants
                .iter()
                .map(|p| (p.id, p.created_at, p.buying_stage.to_value())),
        );
        let mut total = 0;
        for (id, created, first) in subjects {
            let changes = chain(&g, id);
            let stays = stays(&g, id);
            total += stays.len();
            assert_eq!(stays.len(), changes.len() + 1);
            assert_eq!(stays[0].entered_at, created);
            assert_eq!(stays[0].stage, first);
            for (k, c) in changes.iter().enumerate() {
                assert_eq!(stays[k].left_at, Some(c.changed_at));
                assert_eq!(stays[k].stage, c.from_stage);
                assert_eq!(stays[k + 1].entered_at, c.changed_at);
                assert_eq!(stays[k + 1].stage, c.to_stage);
                assert_eq!(stays[k].kind, c.kind);
            }
            assert!(stays.last().is_some_and(|i| i.left_at.is_none()));
        }
        assert_eq!(total, g.intervals.len());
        let current: HashMap<Uuid, &str> = g
            .intervals
            .iter()
            .filter(|i| i.left_at.is_none())
            .map(|i| (i.subject_id, i.stage.as_str()))
            .collect();
        for s in &g.stakeholders {
            assert_eq!(current[&s.id], s.lead_stage.to_value());
        }
        for o in &g.opportunities {
            assert_eq!(current[&o.id], o.stage.to_value());
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
            } else if deals.is_empty() {
                assert!(!matches!(
                    s.lead_stage,
                    LeadStage::Opportunity | LeadStage::Customer
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
fn rejected_mqls_carry_a_reason_and_poor_feedback() {
    let mut rejected = 0;
    for g in sample(60) {
        for c in g
            .changes
            .iter()
            .filter(|c| c.from_stage == "MQL" && c.to_stage == "NURTURE")
        {
            rejected += 1;
            assert!(c.reason_code.is_some() && c.changed_by_id.is_some());
            let person = g.stakeholders.iter().find(|s| s.id == c.subject_id).unwrap();
            assert!(
                g.feedback.iter().any(|f| f.stakeholder_id == c.subject_id
                    && f.created_at == c.changed_at
                    && f.rating == LeadRating::Poor
                    && f.reason_code == c.reason_code
                    && f.lead_source == person.lead_source
                    && f.given_by_id == c.changed_by_id),
                "a rejection records POOR feedback"
            );
        }
        for f in &g.feedback {
            let person = g.stakeholders.iter().find(|s| s.id == f.stakeholder_id).unwrap();
            assert_eq!(f.lead_source, person.lead_source);
            assert!(f.created_at >= person.created_at && f.created_at <= clock());
        }
    }
    assert!(rejected > 0);
}

/// The history has every kind of story the funnel reports count.
#[test]
fn the_history_tells_every_story_of_the_funnel() {
    let sla = Duration::milliseconds(world(1, Size::Medium.plan()).sla_ms);
    let graphs = sample(120);
    let changes: Vec<&stage_change::Model> = graphs.iter().flat_map(|g| &g.changes).collect();
    let count = |from: &str, to: &str| {
        changes
            .iter()
            .filter(|c| c.from_stage == from && c.to_stage == to)
            .count()
    };
    for (from, to) in [
        ("INQUIRY", "MQL"),
        ("NURTURE", "MQL"),
        ("MQL", "SAL"),
        ("MQL", "NURTURE"),
        ("SAL", "SQL"),
        ("SAL", "NURTURE"),
        ("SQL", "NURTURE"),
        ("SQL", "OPPORTUNITY"),
        ("OPPORTUNITY", "CUSTOMER"),
        ("OPPORTUNITY", "NURTURE"),
        ("DISQUALIFIED", "NURTURE"),
        ("CUSTOMER", "DISQUALIFIED"),
    ] {
        assert!(count(from, to) > 0, "no {from} -> {to}");
    }
    assert!(
        changes
            .iter()
            .any(|c| c.to_stage == "DISQUALIFIED" && c.from_stage != "CUSTOMER")
    );
    // Automatic MQLs (by the score) and handed-over ones.
    assert!(
        changes
            .iter()
            .any(|c| c.to_stage == "MQL" && c.changed_by_id.is_none())
    );
    assert!(
        changes
            .iter()
            .any(|c| c.to_stage == "MQL" && c.changed_by_id.is_some())
    );
    // Accepted in time, accepted late, and still waiting.
    let mut in_time = 0;
    let mut late = 0;
    for g in &graphs {
        for s in &g.stakeholders {
            let c = chain(g, s.id);
            for w in c.windows(2) {
                if w[0].to_stage == "MQL" && w[1].to_stage == "SAL" {
                    if w[1].changed_at - w[0].changed_at <= sla {
                        in_time += 1;
                    } else {
                        late += 1;
                    }
                }
            }
        }
    }
    assert!(in_time > 2 * late && late > 0, "{in_time} in time, {late} late");
    let stages: HashSet<LeadStage> = graphs
        .iter()
        .flat_map(|g| g.stakeholders.iter().map(|s| s.lead_stage))
        .collect();
    assert_eq!(stages.len(), 8, "every lead stage shows up: {stages:?}");
    let ratings: HashSet<String> = graphs
        .iter()
        .flat_map(|g| g.feedback.iter().map(|f| f.rating.to_value()))
        .collect();
    assert_eq!(ratings.len(), 3, "{ratings:?}");
    let deal_stages: HashSet<OpportunityStage> = graphs
        .iter()
        .flat_map(|g| g.opportunities.iter().map(|o| o.stage))
        .collect();
    assert_eq!(deal_stages.len(), 7);
    assert!(
        graphs
            .iter()
            .any(|g| g.account.status == AccountStatus::FormerCustomer)
    );
}

/// The history spreads over the two years, growing with the accounts, without a pile-up at its
/// end: the last 30 days hold a small share of it.
#[test]
fn the_history_spreads_over_two_years() {
    let graphs = sample(150);
    let changes: Vec<&stage_change::Model> = graphs.iter().flat_map(|g| &g.changes).collect();
    let since = |days: i64| {
        changes
            .iter()
            .filter(|c| c.changed_at >= clock() - Duration::days(days))
            .count() as f64
            / changes.len() as f64
    };
    assert!(since(30) < 0.09, "{} in the last 30 days", since(30));
    assert!(since(365) < 0.8, "{} in the last year", since(365));
    assert!(since(700) > 0.99);
    let first = changes.iter().map(|c| c.changed_at).min().unwrap();
    assert!(first < clock() - Duration::days(600));
}

/// Referrals and webinars convert better than paid and social leads, all along the funnel.
#[test]
fn lead_sources_differ_in_quality() {
    let mut accepted: HashMap<&str, (u32, u32)> = HashMap::new();
    let mut won: HashMap<&str, (u32, u32)> = HashMap::new();
    let group = |s: Option<LeadSource>| match s {
        Some(LeadSource::Referral | LeadSource::Webinar) => "good",
        Some(LeadSource::Paid | LeadSource::Social) => "poor",
        _ => "other",
    };
    for g in sample(200) {
        for c in g.changes.iter().filter(|c| c.from_stage == "MQL") {
            let person = g.stakeholders.iter().find(|s| s.id == c.subject_id).unwrap();
            let e = accepted.entry(group(person.lead_source)).or_default();
            e.1 += 1;
            if c.to_stage != "NURTURE" && c.to_stage != "DISQUALIFIED" {
                e.0 += 1;
            }
        }
        for o in g.opportunities.iter().filter(|o| closed(o)) {
            let e = won.entry(group(o.lead_source)).or_default();
            e.1 += 1;
            if o.stage == OpportunityStage::ClosedWon {
                e.0 += 1;
            }
        }
    }
    let rate = |m: &HashMap<&str, (u32, u32)>, k: &str| {
        let (a, n) = m[k];
        f64::from(a) / f64::from(n.max(1))
    };
    assert!(
        rate(&accepted, "good") > rate(&accepted, "poor") + 0.2,
        "acceptance {accepted:?}"
    );
    assert!(rate(&won, "good") > rate(&won, "poor") + 0.15, "wins {won:?}");
}

/// A lead's score is its fit points plus its behaviour points, and the breakdown (the matching
/// fit rules and the contribution of each behaviour rule) adds up to it.
#[test]
fn lead_scores_are_what_their_breakdown_adds_up_to() {
    use crate::domain::scoring::{Fit, fit_matches, is_behaviour};
    let w = world(5, Size::Medium.plan());
    let rules = &w.scoring.rules;
    let mut scored = 0;
    for g in (0..80).map(|i| account_graph(&w, i * 89)) {
        for s in &g.stakeholders {
            let fit = Fit {
                buying_role: s.buying_role,
                lead_source: s.lead_source,
                account_tier: g.account.tier,
            };
            let fit_points: i32 = rules
                .iter()
                .filter(|r| fit_matches(r, fit))
                .map(|r| r.points)
                .sum();
            assert_eq!(s.fit_score, fit_points);
            let given: Vec<_> = g.scores.iter().filter(|c| c.stakeholder_id == s.id).collect();
            let behaviour: f64 = given.iter().map(|c| c.points).sum();
            assert!((behaviour - s.behaviour_points).abs() < 1e-9);
            assert_eq!(s.lead_score, fit_points + s.behaviour_points.round() as i32);
            for c in &given {
                let rule = rules.iter().find(|r| r.id == c.rule_id).unwrap();
                assert!(is_behaviour(rule) && c.points > 0.0 && c.as_of == clock());
            }
            let touched = g.engagements.iter().any(|e| e.stakeholder_id == s.id);
            assert_eq!(s.scored_at, touched.then(clock));
            if !given.is_empty() {
                scored += 1;
            }
        }
    }
    assert!(scored > 50, "{scored} leads with behaviour points");
}

/// A lead the score lifted to MQL had the touch the note names, recorded with the move.
#[test]
fn a_score_that_lifts_a_lead_to_mql_comes_with_its_touch() {
    let w = world(6, Size::Medium.plan());
    let mut lifted = 0;
    for g in (0..80).map(|i| account_graph(&w, i * 71)) {
        for c in g
            .changes
            .iter()
            .filter(|c| c.to_stage == "MQL" && c.changed_by_id.is_none())
        {
            lifted += 1;
            let note = c.note.as_deref().unwrap();
            let rule = w
                .scoring
                .rules
                .iter()
                .find(|r| note.starts_with(&format!("scoring rule \"{}\" lifted the lead score to", r.name)))
                .unwrap();
            assert!(
                g.engagements.iter().any(|e| e.stakeholder_id == c.subject_id
                    && Some(e.kind) == rule.engagement_kind
                    && e.created_at == c.changed_at
                    && e.occurred_at <= c.changed_at),
                "{note}"
            );
        }
    }
    assert!(lifted > 10, "{lifted}");
}

#[test]
fn nothing_is_dated_after_the_clock_or_before_its_parent() {
    let clock = clock();
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
        }
        for o in &g.opportunities {
            assert!(a.created_at <= o.created_at && o.created_at <= o.updated_at && o.updated_at <= clock);
            assert!(o.closed_at.is_none_or(|c| o.created_at <= c && c <= clock));
        }
        for p in &g.participants {
            let s = g.stakeholders.iter().find(|s| s.id == p.stakeholder_id).unwrap();
            let o = g.opportunities.iter().find(|o| o.id == p.opportunity_id).unwrap();
            assert!(p.created_at > s.created_at && p.created_at >= o.created_at);
            assert!(p.created_at < o.closed_at.unwrap_or(clock));
        }
        for e in &g.engagements {
            assert!(e.occurred_at <= e.created_at && e.created_at <= clock);
        }
        for r in &g.risks {
            assert!(r.created_at <= r.updated_at && r.updated_at <= clock);
        }
        for i in &g.intervals {
            assert!(i.entered_at <= clock && i.left_at.is_none_or(|l| i.entered_at < l && l <= clock));
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
            .chain(g.engagements.iter().map(|e| (e.id, e.created_at)))
            .chain(g.changes.iter().map(|c| (c.id, c.changed_at)))
            .chain(g.feedback.iter().map(|f| (f.id, f.created_at)));
        for (id, created) in stamped {
            assert!(ids.insert(id), "id twice");
            assert_eq!(id.get_version_num(), 7);
            let (secs, nanos) = id.get_timestamp().map(|t| t.to_unix()).unwrap_or_default();
            assert_eq!(
                secs as i64 * 1000 + i64::from(nanos / 1_000_000),
                created.timestamp_millis()
            );
        }
        let keys: HashSet<(Uuid, DateTime<Utc>)> =
            g.intervals.iter().map(|i| (i.subject_id, i.entered_at)).collect();
        assert_eq!(keys.len(), g.intervals.len(), "interval keys are unique");
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
    let changes = per(&|g| g.changes.len());
    assert!((5.5..7.5).contains(&people), "{people}");
    assert!((5.0..7.0).contains(&deals), "{deals}");
    assert!((12.0..30.0).contains(&touches), "{touches}");
    assert!((1.0..2.2).contains(&risks), "{risks}");
    assert!(changes > deals * 2.0, "{changes}");
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
                .all(|s| s.owner_id.is_none_or(|id| o.sales.contains(&id)))
        );
        assert!(
            g.stakeholders
                .iter()
                .all(|s| s.persona_id.is_none_or(|p| personas().contains(&p)))
        );
        let users: Vec<Uuid> = o.sales.iter().chain(&o.marketing).copied().collect();
        assert!(
            g.changes
                .iter()
                .all(|c| c.changed_by_id.is_none_or(|u| users.contains(&u)))
        );
        assert!(
            g.feedback
                .iter()
                .all(|f| f.given_by_id.is_none_or(|u| o.sales.contains(&u)))
        );
    }
}

/// `serve --demo` seeds inside `App::build`, whose future callers may spawn.
#[test]
fn seeding_can_run_on_any_runtime_thread() {
    fn send<T: Send>(_: &T) {}
    let db = sea_orm::DatabaseConnection::default();
    let options = super::Options::new(Size::Small, 1);
    send(&super::run(&db, options));
    send(&super::demo(&db));
}
