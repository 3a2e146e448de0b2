//! Lead scores the breakdown explains: the demo scoring rules (unless the database has rules
//! already), and every lead's fit points and behaviour points as the scoring service would have
//! them at the start of the day of seeding, with what each behaviour rule contributed.

use std::collections::HashMap;

use entity::{
    account::AccountTier,
    content::ContentKind,
    engagement::{self, EngagementKind},
    enums::{BuyingRole, BuyingStage, LeadSource},
    score_contribution, scoring_rule, stakeholder,
};
use uuid::Uuid;

use super::{
    content::Library,
    rng::{DAY_MS, Rng, SECOND_MS, at},
    world::stream,
};
use crate::domain::scoring::{Fit, Touch, decayed, fit_matches, lead_score, touch_matches};

/// The rules and settings scores are computed with.
#[derive(Clone, Debug, PartialEq)]
pub struct Scoring {
    pub rules: Vec<scoring_rule::Model>,
    pub half_life_days: i32,
    pub mql_threshold: i32,
    /// Kind and buying stages of every content item, for the rules that look at them.
    content: HashMap<Uuid, (ContentKind, Vec<BuyingStage>)>,
}

/// (name, points, engagement kind, buying role, account tier, lead source).
type RuleSpec = (
    &'static str,
    i32,
    Option<EngagementKind>,
    Option<BuyingRole>,
    Option<AccountTier>,
    Option<LeadSource>,
);

/// The demo rules: who a lead is (fit) and what they did (behaviour, halving every
/// `decayHalfLifeDays`).
const DEMO_RULES: [RuleSpec; 16] = [
    (
        "Decision maker",
        20,
        None,
        Some(BuyingRole::DecisionMaker),
        None,
        None,
    ),
    (
        "Economic buyer",
        15,
        None,
        Some(BuyingRole::EconomicBuyer),
        None,
        None,
    ),
    ("Champion", 10, None, Some(BuyingRole::Champion), None, None),
    ("Tier 1 account", 15, None, None, Some(AccountTier::Tier1), None),
    ("Tier 2 account", 8, None, None, Some(AccountTier::Tier2), None),
    ("Referred lead", 15, None, None, None, Some(LeadSource::Referral)),
    ("Webinar lead", 8, None, None, None, Some(LeadSource::Webinar)),
    ("Paid lead", -5, None, None, None, Some(LeadSource::Paid)),
    (
        "Attended a webinar",
        25,
        Some(EngagementKind::WebinarAttended),
        None,
        None,
        None,
    ),
    (
        "Submitted a form",
        20,
        Some(EngagementKind::FormSubmitted),
        None,
        None,
        None,
    ),
    (
        "Downloaded content",
        10,
        Some(EngagementKind::ContentDownloaded),
        None,
        None,
        None,
    ),
    (
        "Met with sales",
        20,
        Some(EngagementKind::Meeting),
        None,
        None,
        None,
    ),
    (
        "Replied to an email",
        8,
        Some(EngagementKind::EmailReplied),
        None,
        None,
        None,
    ),
    (
        "Viewed content",
        3,
        Some(EngagementKind::ContentViewed),
        None,
        None,
        None,
    ),
    (
        "Clicked an email",
        2,
        Some(EngagementKind::EmailClicked),
        None,
        None,
        None,
    ),
    (
        "Visited our booth",
        12,
        Some(EngagementKind::EventVisit),
        None,
        None,
        None,
    ),
];

/// The demo rules, created before any account.
pub fn demo_rules(seed: u64, now: i64) -> Vec<scoring_rule::Model> {
    DEMO_RULES
        .iter()
        .enumerate()
        .map(|(i, (name, points, kind, role, tier, source))| {
            let created = now - 750 * DAY_MS + i as i64 * 60 * SECOND_MS;
            scoring_rule::Model {
                id: Rng::stream(seed, stream::RULE, i as u64).uuid_v7(created),
                name: (*name).to_owned(),
                points: *points,
                engagement_kind: *kind,
                content_kind: None,
                buying_stage: None,
                buying_role: *role,
                account_tier: *tier,
                lead_source: *source,
                created_at: at(created),
                updated_at: at(created),
                version: 1,
            }
        })
        .collect()
}

impl Scoring {
    pub fn new(
        rules: Vec<scoring_rule::Model>,
        half_life_days: i32,
        mql_threshold: i32,
        library: &Library,
    ) -> Self {
        let mut content: HashMap<Uuid, (ContentKind, Vec<BuyingStage>)> = library
            .rows
            .items
            .iter()
            .map(|c| (c.id, (c.kind, Vec::new())))
            .collect();
        for tag in &library.rows.buying_stages {
            if let Some((_, stages)) = content.get_mut(&tag.content_id) {
                stages.push(tag.value);
            }
        }
        Self {
            rules,
            half_life_days,
            mql_threshold,
            content,
        }
    }

    /// Scores one lead from its touches as of `now`: fit points of the matching fit rules,
    /// behaviour points of every matching touch decayed to `now`, and one contribution row per
    /// behaviour rule that gave points.
    pub fn score(
        &self,
        person: &mut stakeholder::Model,
        tier: AccountTier,
        touches: &[engagement::Model],
        now: i64,
    ) -> Vec<score_contribution::Model> {
        let fit = Fit {
            buying_role: person.buying_role,
            lead_source: person.lead_source,
            account_tier: tier,
        };
        let fit_points: i32 = self
            .rules
            .iter()
            .filter(|r| fit_matches(r, fit))
            .map(|r| r.points)
            .sum();
        let as_of = at(now);
        let mut given: Vec<Option<f64>> = vec![None; self.rules.len()];
        for t in touches {
            let (content_kind, stages) = match t.content_id.and_then(|c| self.content.get(&c)) {
                Some((kind, stages)) => (Some(*kind), stages.as_slice()),
                None => (None, &[][..]),
            };
            let touch = Touch {
                kind: t.kind,
                content_kind,
                content_stages: stages,
            };
            for (rule, points) in self.rules.iter().zip(given.iter_mut()) {
                if touch_matches(rule, fit, &touch) {
                    let p = decayed(f64::from(rule.points), t.occurred_at, as_of, self.half_life_days);
                    *points = Some(points.unwrap_or(0.0) + p);
                }
            }
        }
        let mut behaviour = 0.0;
        let mut rows = Vec::new();
        for (rule, points) in self.rules.iter().zip(&given) {
            if let Some(p) = points {
                behaviour += p;
                rows.push(score_contribution::Model {
                    stakeholder_id: person.id,
                    rule_id: rule.id,
                    points: *p,
                    as_of,
                });
            }
        }
        let scored = (!touches.is_empty()).then_some(as_of);
        person.fit_score = fit_points;
        person.behaviour_points = behaviour;
        person.behaviour_at = scored;
        person.scored_at = scored;
        person.lead_score = lead_score(fit_points, behaviour);
        rows
    }
}
