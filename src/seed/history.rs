//! The history of an account: every stage move of its leads and deals, as the API would have
//! written it, with the stage intervals and the feedback sales gave.
//!
//! A lead starts at INQUIRY when it is created and walks the waterfall by hand (marketing
//! qualifies, sales accept, reject, recycle and disqualify; a score lifts some to MQL by itself),
//! and every deal event moves it as the services do: joining an open deal makes it an
//! OPPORTUNITY, a win a CUSTOMER, a loss sends it back to NURTURE unless it is on another open
//! deal. Every move is one the state machines of `domain::stage` allow; times only go forward.

use entity::{
    engagement::EngagementKind,
    enums::{LeadSource, LeadStage, ReasonCode},
    lead_feedback::{self, LeadRating},
    opportunity::OpportunityStage,
    scoring_rule,
    stage_change::{self, StageKind},
    stage_interval,
};
use sea_orm::ActiveEnum;
use uuid::Uuid;

use super::{
    activity::Deal,
    rng::{DAY_MS, HOUR_MS, Rng, SECOND_MS, at},
    world::World,
};
use crate::domain::stage as rules;

/// One move of one record.
#[derive(Clone, Debug, PartialEq)]
pub struct Step<S> {
    pub at: i64,
    pub from: S,
    pub to: S,
    pub reason: Option<ReasonCode>,
    pub note: Option<String>,
    /// `None`: an automatic move.
    pub by: Option<Uuid>,
}

/// How well leads of a source convert, 0 to 1: referrals and webinars well, paid and social
/// leads poorly, so the source report has something to say.
pub fn source_quality(source: Option<LeadSource>) -> f64 {
    use LeadSource::*;
    match source {
        Some(Referral) => 0.92,
        Some(Webinar) => 0.8,
        Some(Partner) => 0.72,
        Some(Event) => 0.66,
        Some(SalesGenerated) => 0.62,
        Some(Content) => 0.55,
        Some(Website) => 0.48,
        Some(Outbound) => 0.42,
        Some(Email) => 0.38,
        Some(Other) | None => 0.4,
        Some(Social) => 0.2,
        Some(Paid) => 0.15,
    }
}

/// What the walk of one lead needs to know about it.
pub struct Lead<'a> {
    pub id: Uuid,
    pub account_id: Uuid,
    pub created: i64,
    pub source: Option<LeadSource>,
    pub owner: Option<Uuid>,
    pub marketing_owner: Option<Uuid>,
    pub account_owner: Option<Uuid>,
    /// The deals it is on, with when it joined each.
    pub deals: &'a [(usize, i64)],
    /// When the account stopped being a customer, if it did.
    pub churned: Option<i64>,
}

/// What became of one lead.
#[derive(Clone, Debug)]
pub struct Life {
    pub steps: Vec<Step<LeadStage>>,
    pub stage: LeadStage,
    pub owner: Option<Uuid>,
    /// (assigned at, accept by) while it is an MQL.
    pub handoff: Option<(i64, i64)>,
    pub feedback: Vec<lead_feedback::Model>,
    /// The touches that lifted the score to MQL: when they were recorded, and their kind.
    pub lifts: Vec<(i64, EngagementKind)>,
}

/// Touches of these kinds are always of a piece of content.
pub fn needs_content(kind: EngagementKind) -> bool {
    matches!(
        kind,
        EngagementKind::ContentViewed
            | EngagementKind::ContentDownloaded
            | EngagementKind::ContentShared
            | EngagementKind::WebinarRegistered
            | EngagementKind::WebinarAttended
    )
}

struct Walker<'w, 'a> {
    world: &'w World,
    lead: &'a Lead<'a>,
    quality: f64,
    life: Life,
    /// Time of the last move (or of the creation).
    t: i64,
}

impl Walker<'_, '_> {
    fn stage(&self) -> LeadStage {
        self.life.stage
    }

    fn sales(&self, rng: &mut Rng) -> Option<Uuid> {
        self.life
            .owner
            .or(self.lead.account_owner)
            .or_else(|| rng.pick_opt(&self.world.owners.sales))
    }

    fn marketing(&self, rng: &mut Rng) -> Option<Uuid> {
        self.lead
            .marketing_owner
            .or_else(|| rng.pick_opt(&self.world.owners.marketing))
    }

    /// Records a move at `at` (pushed past the previous one, so intervals never overlap).
    fn step(
        &mut self,
        at: i64,
        to: LeadStage,
        reason: Option<ReasonCode>,
        note: Option<String>,
        by: Option<Uuid>,
    ) -> i64 {
        let at = at.max(self.t + SECOND_MS);
        self.life.steps.push(Step {
            at,
            from: self.life.stage,
            to,
            reason,
            note,
            by,
        });
        self.life.stage = to;
        self.life.handoff = (to == LeadStage::Mql).then(|| (at, at + self.world.sla_ms));
        self.t = at;
        at
    }

    fn feedback(
        &mut self,
        rng: &mut Rng,
        when: i64,
        rating: LeadRating,
        reason: Option<ReasonCode>,
        by: Option<Uuid>,
    ) {
        if when >= self.world.now - SECOND_MS {
            return;
        }
        let comment = match rating {
            LeadRating::Good => rng.chance(0.5).then(|| {
                rng.pick(&[
                    "Real project, budget confirmed.",
                    "Great fit, already comparing vendors.",
                    "Knew exactly what they needed.",
                ])
                .to_string()
            }),
            LeadRating::Fair => rng.chance(0.5).then(|| {
                rng.pick(&[
                    "Interested, but no timeline yet.",
                    "Right company, junior contact.",
                    "Needs more nurturing first.",
                ])
                .to_string()
            }),
            LeadRating::Poor => rng.chance(0.4).then(|| {
                rng.pick(&[
                    "Only wanted the ebook.",
                    "Student, not a buyer.",
                    "No budget this year.",
                    "Wrong department.",
                ])
                .to_string()
            }),
        };
        self.life.feedback.push(lead_feedback::Model {
            id: rng.uuid_v7(when),
            stakeholder_id: self.lead.id,
            account_id: self.lead.account_id,
            rating,
            reason_code: reason,
            comment,
            lead_source: self.lead.source,
            given_by_id: by,
            created_at: at(when),
        });
    }

    /// How long the lead stays before its next move: `days` normally, a share of what is left
    /// when a deal is coming.
    fn dwell(&self, rng: &mut Rng, days: (i64, i64), until: i64, toward: bool) -> i64 {
        if toward {
            let left = (until - self.t).max(0);
            rng.range(left / 6, left / 3)
        } else {
            rng.range(days.0 * DAY_MS, days.1 * DAY_MS) + rng.range(0, DAY_MS)
        }
    }

    /// Moves by hand (and the score's automatic MQLs) from the current stage until `until`;
    /// `toward` when the lead joins a deal then, so it tends to get there qualified.
    fn walk(&mut self, rng: &mut Rng, until: i64, toward: bool) {
        let q = self.quality;
        let boost = |p: f64| if toward { (p + 0.35).min(0.95) } else { p };
        for _ in 0..14 {
            let stage = self.stage();
            let days = match stage {
                LeadStage::Inquiry => (1, 45),
                LeadStage::Mql => (0, 0),
                LeadStage::Sal => (1, 20),
                LeadStage::Sql => (3, 60),
                LeadStage::Nurture => (20, 150),
                LeadStage::Disqualified => (30, 240),
                LeadStage::Opportunity | LeadStage::Customer => return,
            };
            if stage == LeadStage::Mql {
                if !self.decide_mql(rng, until, toward) {
                    return;
                }
                continue;
            }
            let at = self.t + self.dwell(rng, days, until, toward);
            if at >= until - HOUR_MS || at >= self.world.now - HOUR_MS {
                return;
            }
            match stage {
                LeadStage::Inquiry => {
                    if rng.chance(boost(0.3 + 0.55 * q)) {
                        self.qualify(rng, at);
                    } else if rng.chance(0.45) {
                        let by = self.marketing(rng);
                        self.step(at, LeadStage::Nurture, None, None, by);
                    } else if rng.chance(0.3) {
                        let reason = rng.weighted(&[
                            (ReasonCode::BadContactData, 35),
                            (ReasonCode::NotAFit, 25),
                            (ReasonCode::WrongPersona, 20),
                            (ReasonCode::Duplicate, 20),
                        ]);
                        let by = self.sales(rng);
                        self.step(at, LeadStage::Disqualified, Some(reason), None, by);
                    } else {
                        return;
                    }
                }
                LeadStage::Sal => {
                    let by = self.sales(rng);
                    if rng.chance(boost(0.4 + 0.5 * q)) {
                        self.step(at, LeadStage::Sql, None, None, by);
                    } else if rng.chance(0.75) {
                        let reason = rng.weighted(&[
                            (ReasonCode::BadTiming, 40),
                            (ReasonCode::NoBudget, 30),
                            (ReasonCode::NoDecision, 20),
                            (ReasonCode::Other, 10),
                        ]);
                        let note = rng.chance(0.5).then(|| "Not now; back to marketing.".to_owned());
                        self.step(at, LeadStage::Nurture, Some(reason), note, by);
                    } else {
                        let reason = rng.weighted(&[(ReasonCode::NoNeed, 50), (ReasonCode::NotAFit, 50)]);
                        self.step(at, LeadStage::Disqualified, Some(reason), None, by);
                    }
                }
                LeadStage::Sql => {
                    if toward {
                        return;
                    }
                    let by = self.sales(rng);
                    if rng.chance(0.45) {
                        let reason = rng.weighted(&[
                            (ReasonCode::BadTiming, 35),
                            (ReasonCode::NoDecision, 30),
                            (ReasonCode::NoBudget, 25),
                            (ReasonCode::LostToCompetitor, 10),
                        ]);
                        self.step(at, LeadStage::Nurture, Some(reason), None, by);
                    } else if rng.chance(0.15) {
                        let reason =
                            rng.weighted(&[(ReasonCode::NoNeed, 60), (ReasonCode::ExistingCustomer, 40)]);
                        self.step(at, LeadStage::Disqualified, Some(reason), None, by);
                    } else {
                        return;
                    }
                }
                LeadStage::Nurture => {
                    if rng.chance(boost(0.25 + 0.45 * q)) {
                        self.qualify(rng, at);
                    } else if rng.chance(0.12) {
                        let by = self.sales(rng);
                        let reason = rng.weighted(&[(ReasonCode::NoNeed, 50), (ReasonCode::NotAFit, 50)]);
                        self.step(at, LeadStage::Disqualified, Some(reason), None, by);
                    } else {
                        return;
                    }
                }
                LeadStage::Disqualified => {
                    if rng.chance(boost(0.3)) {
                        // Reopened: back to marketing's care.
                        let by = self.sales(rng);
                        let note = rng
                            .chance(0.6)
                            .then(|| "Reopened: new contact details / new initiative.".to_owned());
                        self.step(at, LeadStage::Nurture, None, note, by);
                    } else {
                        return;
                    }
                }
                LeadStage::Mql | LeadStage::Opportunity | LeadStage::Customer => return,
            }
        }
    }

    /// INQUIRY or NURTURE to MQL: by the score itself, or by marketing handing it to a sales
    /// owner.
    fn qualify(&mut self, rng: &mut Rng, at: i64) {
        let scoring = &self.world.scoring;
        // Rules whose touch needs no content: the touch that lifted the score is recorded with
        // the move, as `recordEngagement` does it.
        let lifting: Vec<&scoring_rule::Model> = scoring
            .rules
            .iter()
            .filter(|r| {
                r.points >= 10
                    && r.content_kind.is_none()
                    && r.buying_stage.is_none()
                    && r.engagement_kind.is_some_and(|k| !needs_content(k))
            })
            .collect();
        if !lifting.is_empty() && rng.chance(0.4) {
            // As the engagement service words it when a touch lifts the score to the threshold.
            let rule = lifting[rng.index(lifting.len())];
            let threshold = i64::from(scoring.mql_threshold);
            let score = rng.range(threshold, threshold + 25);
            let note = format!("scoring rule \"{}\" lifted the lead score to {score}", rule.name);
            let kind = rule.engagement_kind;
            let at = self.step(at, LeadStage::Mql, None, Some(note), None);
            if let Some(kind) = kind {
                self.life.lifts.push((at, kind));
            }
        } else {
            let by = self.marketing(rng);
            if rng.chance(0.85)
                && let Some(owner) = self
                    .lead
                    .account_owner
                    .filter(|_| rng.chance(0.7))
                    .or_else(|| rng.pick_opt(&self.world.owners.sales))
            {
                self.life.owner = Some(owner);
            }
            self.step(at, LeadStage::Mql, None, None, by);
        }
    }

    /// Sales decide on an MQL: most accept within the SLA, some late, some reject it (with a
    /// reason and POOR feedback). Returns false when no decision falls before `until`.
    fn decide_mql(&mut self, rng: &mut Rng, until: i64, toward: bool) -> bool {
        let q = self.quality;
        let sla = self.world.sla_ms;
        // Some recent MQLs are still waiting for sales, a few of them past their deadline.
        if !toward && self.t > self.world.now - 45 * DAY_MS && rng.chance(0.25) {
            return false;
        }
        let in_time = rng.chance(0.78);
        let mut delay = if in_time {
            rng.range(10 * 60 * SECOND_MS, sla - 10 * 60 * SECOND_MS)
        } else {
            sla + rng.range(HOUR_MS, 4 * sla)
        };
        if toward {
            delay = delay.min((until - self.t) / 3);
        }
        let at = self.t + delay;
        if at >= until - SECOND_MS || at >= self.world.now - 10 * SECOND_MS {
            return false;
        }
        let by = self.sales(rng);
        let accept = if toward { 0.5 + 0.45 * q } else { 0.25 + 0.7 * q };
        if rng.chance(accept) {
            let at = self.step(at, LeadStage::Sal, None, None, by);
            if rng.chance(0.3) {
                let rating = rng.weighted(&[
                    (LeadRating::Good, (100.0 * q) as u32 + 5),
                    (LeadRating::Fair, 45),
                    (LeadRating::Poor, (50.0 * (1.0 - q)) as u32 + 2),
                ]);
                let reason = (rating == LeadRating::Poor).then(|| {
                    rng.weighted(&[
                        (ReasonCode::NoBudget, 40),
                        (ReasonCode::BadTiming, 40),
                        (ReasonCode::Other, 20),
                    ])
                });
                let when = at + rng.range(HOUR_MS, 5 * DAY_MS);
                self.feedback(rng, when, rating, reason, by);
            }
        } else if rng.chance(0.85) {
            let reason = rng.weighted(&[
                (ReasonCode::NotAFit, 24),
                (ReasonCode::WrongPersona, 18),
                (ReasonCode::NoBudget, 16),
                (ReasonCode::NoNeed, 14),
                (ReasonCode::BadTiming, 12),
                (ReasonCode::BadContactData, 8),
                (ReasonCode::Duplicate, 5),
                (ReasonCode::ExistingCustomer, 3),
            ]);
            let note = rng.chance(0.4).then(|| "Rejected: not sales-ready.".to_owned());
            let at = self.step(at, LeadStage::Nurture, Some(reason), note, by);
            // Rejecting an MQL records POOR feedback with the lead's source, as moveLeadStage does.
            self.feedback(rng, at, LeadRating::Poor, Some(reason), by);
        } else {
            let reason = rng.weighted(&[
                (ReasonCode::BadContactData, 40),
                (ReasonCode::Duplicate, 30),
                (ReasonCode::NotAFit, 30),
            ]);
            self.step(at, LeadStage::Disqualified, Some(reason), None, by);
        }
        true
    }
}

/// The whole life of one lead on an account whose deals are `deals`.
pub fn lead_life(rng: &mut Rng, world: &World, lead: &Lead<'_>, deals: &[Deal]) -> Life {
    let mut w = Walker {
        world,
        lead,
        quality: source_quality(lead.source),
        life: Life {
            steps: Vec::new(),
            stage: LeadStage::Inquiry,
            owner: lead.owner,
            handoff: None,
            feedback: Vec::new(),
            lifts: Vec::new(),
        },
        t: lead.created,
    };
    // Deal events, in time order: joins, then closes (a deal closes after its people joined).
    #[derive(Clone, Copy)]
    enum Event {
        Join(usize),
        Close(usize),
        Churn,
    }
    let mut events: Vec<(i64, u8, Event)> = Vec::new();
    for (d, joined) in lead.deals {
        events.push((*joined, 0, Event::Join(*d)));
        if !deals[*d].is_open() {
            events.push((deals[*d].end, 1, Event::Close(*d)));
        }
    }
    if let Some(t) = lead.churned {
        events.push((t, 2, Event::Churn));
    }
    events.sort_by_key(|(t, order, _)| (*t, *order));
    let open_at = |d: usize, t: i64| deals[d].is_open() || deals[d].end > t;
    for (t, _, event) in events {
        w.walk(rng, t, matches!(event, Event::Join(_)));
        match event {
            Event::Join(d) => {
                if open_at(d, t)
                    && let Some(to) = rules::on_joining_open_deal(w.stage())
                {
                    let note = format!("joined opportunity \"{}\"", deals[d].name);
                    w.step(t, to, None, Some(note), None);
                }
            }
            Event::Close(d) if deals[d].stage == OpportunityStage::ClosedWon => {
                if let Some(to) = rules::on_deal_won(w.stage()) {
                    let note = format!("opportunity \"{}\" closed won", deals[d].name);
                    w.step(t, to, None, Some(note), None);
                }
            }
            Event::Close(d) => {
                let elsewhere = lead
                    .deals
                    .iter()
                    .any(|(o, joined)| *o != d && *joined <= t && open_at(*o, t));
                if let Some(to) = rules::on_deal_lost(w.stage(), elsewhere) {
                    let note = format!("opportunity \"{}\" closed lost", deals[d].name);
                    w.step(t, to, deals[d].reason, Some(note), None);
                }
            }
            Event::Churn => {
                if w.stage() == LeadStage::Customer {
                    let by = w.sales(rng);
                    let note = Some("The account did not renew.".to_owned());
                    w.step(t, LeadStage::Disqualified, Some(ReasonCode::NoNeed), note, by);
                }
            }
        }
    }
    w.walk(rng, world.now, false);
    w.life
}

/// The path of a deal from DISCOVERY (its stage at creation) to its stage now: forward through
/// the pipeline, now and then skipping a stage or going one back, and closed at `end` when
/// it is closed.
pub fn deal_path(rng: &mut Rng, world: &World, deal: &Deal, by: Option<Uuid>) -> Vec<Step<OpportunityStage>> {
    use OpportunityStage::*;
    const OPEN: [OpportunityStage; 5] = [Discovery, Qualification, Evaluation, Proposal, Negotiation];
    let last_open = match deal.stage {
        ClosedWon => rng.weighted(&[(4usize, 62), (3, 30), (2, 8)]),
        ClosedLost => rng.weighted(&[(0usize, 14), (1, 24), (2, 26), (3, 21), (4, 15)]),
        s => OPEN.iter().position(|o| *o == s).unwrap_or(0),
    };
    let mut stages = Vec::new();
    let mut i = 0;
    let mut went_back = false;
    while i < last_open {
        let mut next = i + 1;
        if next < last_open && rng.chance(0.12) {
            next += 1;
        }
        if !went_back && i >= 2 && rng.chance(0.08) {
            went_back = true;
            next = i - 1;
        }
        stages.push(OPEN[next]);
        i = next;
    }
    let closed = !deal.is_open();
    if closed {
        stages.push(deal.stage);
    }
    // Move times: spread over the deal's life, the close exactly at its close time.
    let lo = deal.created + HOUR_MS;
    let hi = if closed {
        deal.end - HOUR_MS
    } else {
        world.now - 10 * SECOND_MS
    };
    let open_moves = stages.len() - usize::from(closed);
    let mut times: Vec<i64> = (0..open_moves).map(|_| rng.range(lo, hi.max(lo))).collect();
    times.sort_unstable();
    if closed {
        times.push(deal.end);
    }
    let mut out = Vec::with_capacity(stages.len());
    let mut from = Discovery;
    let mut last = deal.created;
    for (to, t) in stages.into_iter().zip(times) {
        let t = t.max(last + SECOND_MS);
        let reason = (to == ClosedLost).then_some(deal.reason).flatten();
        let note = match to {
            ClosedWon => rng.chance(0.5).then(|| "Signed.".to_owned()),
            ClosedLost => rng.chance(0.5).then(|| "Closed lost after review.".to_owned()),
            _ if rng.chance(0.1) => Some("Next step agreed with the buyer.".to_owned()),
            _ => None,
        };
        out.push(Step {
            at: t,
            from,
            to,
            reason,
            note,
            by: by.or_else(|| rng.pick_opt(&world.owners.sales)),
        });
        from = to;
        last = t;
    }
    out
}

/// Which record a chain of moves belongs to.
pub struct Subject {
    pub kind: StageKind,
    pub id: Uuid,
    pub account_id: Uuid,
    pub stakeholder_id: Option<Uuid>,
    pub opportunity_id: Option<Uuid>,
    pub participant_id: Option<Uuid>,
}

/// The history rows of one record that entered `first` at `created` and then moved by `steps`:
/// one change per step, one interval per stay (the last one open).
pub fn chain_rows<S: ActiveEnum<Value = String> + Copy>(
    rng: &mut Rng,
    subject: &Subject,
    created: i64,
    first: S,
    steps: &[Step<S>],
    changes: &mut Vec<stage_change::Model>,
    intervals: &mut Vec<stage_interval::Model>,
) {
    let mut entered = created;
    let mut stage = first;
    for s in steps {
        intervals.push(stage_interval::Model {
            subject_id: subject.id,
            entered_at: at(entered),
            kind: subject.kind,
            account_id: subject.account_id,
            stage: stage.to_value(),
            left_at: Some(at(s.at)),
        });
        changes.push(stage_change::Model {
            id: rng.uuid_v7(s.at),
            kind: subject.kind,
            subject_id: subject.id,
            stakeholder_id: subject.stakeholder_id,
            opportunity_id: subject.opportunity_id,
            participant_id: subject.participant_id,
            account_id: subject.account_id,
            from_stage: s.from.to_value(),
            to_stage: s.to.to_value(),
            reason_code: s.reason,
            note: s.note.clone(),
            changed_by_id: s.by,
            changed_at: at(s.at),
        });
        entered = s.at;
        stage = s.to;
    }
    intervals.push(stage_interval::Model {
        subject_id: subject.id,
        entered_at: at(entered),
        kind: subject.kind,
        account_id: subject.account_id,
        stage: stage.to_value(),
        left_at: None,
    });
}
