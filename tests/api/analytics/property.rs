//! A random history (fixed seed), written straight into the database with chosen timestamps
//! (moves through the API all happen "now"), and every figure of `leadFunnel`, `dealFunnel`,
//! `leadSourceQuality` and `handoffPerformance` compared, for many random periods, with a plain
//! recomputation from the raw rows read back: entries from `createdAt` and the stage changes
//! (not from the interval table the server reads), written from the contract's definitions.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, TimeZone, Utc};
use entity::{
    account,
    enums::{BuyingRole, LeadSource, LeadStage, ReasonCode, Sentiment},
    lead_feedback::{self, LeadRating},
    opportunity::{self, OpportunityStage},
    stage_change::{self, StageKind},
    stage_interval, stakeholder,
};
use sea_orm::{ActiveEnum, EntityTrait, Iterable, Set, prelude::Decimal};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{DEAL_FUNNEL, LEAD_FUNNEL, SOURCE_QUALITY, input};
use crate::helpers::{TestApp, on_both_stores};

/// xorshift64*: small, deterministic, good enough to shuffle a history.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

const LADDER: [&str; 6] = ["INQUIRY", "MQL", "SAL", "SQL", "OPPORTUNITY", "CUSTOMER"];
const OPEN: [OpportunityStage; 5] = [
    OpportunityStage::Discovery,
    OpportunityStage::Qualification,
    OpportunityStage::Evaluation,
    OpportunityStage::Proposal,
    OpportunityStage::Negotiation,
];

fn rank(stage: &str) -> Option<usize> {
    LADDER.iter().position(|s| *s == stage)
}

fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()
}

fn next_lead_stage(rng: &mut Rng, from: LeadStage) -> LeadStage {
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

fn reason(rng: &mut Rng) -> Option<ReasonCode> {
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
fn gap(rng: &mut Rng) -> Duration {
    if rng.chance(10) {
        Duration::seconds(1 + rng.below(30) as i64)
    } else {
        Duration::seconds(60 + rng.below(20 * 86_400) as i64)
    }
}

fn change(
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
fn intervals(
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
async fn build(app: &TestApp, rng: &mut Rng) -> Vec<DateTime<Utc>> {
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
            (
                Decimal::new(cents, 2),
                rng.pick(&["EUR", "USD", "GBP"]).to_owned(),
            )
        });
        deals.push(opportunity::ActiveModel {
            id: Set(id),
            account_id: Set(acct),
            name: Set(format!("Deal {n}")),
            amount: Set(amount.as_ref().map(|a| a.0)),
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

/// The raw rows, read back from the database.
struct World {
    accounts: BTreeMap<Uuid, account::Model>,
    people: BTreeMap<Uuid, stakeholder::Model>,
    deals: BTreeMap<Uuid, opportunity::Model>,
    changes: Vec<stage_change::Model>,
    feedback: Vec<lead_feedback::Model>,
}

impl World {
    async fn read(app: &TestApp) -> Self {
        let db = &app.db;
        let mut changes = stage_change::Entity::find().all(db).await.unwrap();
        changes.sort_by_key(|c| c.changed_at);
        Self {
            accounts: account::Entity::find()
                .all(db)
                .await
                .unwrap()
                .into_iter()
                .map(|a| (a.id, a))
                .collect(),
            people: stakeholder::Entity::find()
                .all(db)
                .await
                .unwrap()
                .into_iter()
                .map(|s| (s.id, s))
                .collect(),
            deals: opportunity::Entity::find()
                .all(db)
                .await
                .unwrap()
                .into_iter()
                .map(|o| (o.id, o))
                .collect(),
            changes,
            feedback: lead_feedback::Entity::find().all(db).await.unwrap(),
        }
    }

    /// A record's entries before `as_of`: its creation stage at `createdAt`, then each change.
    fn entries(
        &self,
        kind: StageKind,
        id: Uuid,
        created: DateTime<Utc>,
        first: &str,
        as_of: DateTime<Utc>,
    ) -> Vec<(String, DateTime<Utc>)> {
        let mut out = vec![(first.to_owned(), created)];
        out.extend(
            self.changes
                .iter()
                .filter(|c| c.kind == kind && c.subject_id == id)
                .map(|c| (c.to_stage.clone(), c.changed_at)),
        );
        out.retain(|(_, t)| *t < as_of);
        out
    }

    fn lead_entries(&self, id: Uuid, as_of: DateTime<Utc>) -> Vec<(String, DateTime<Utc>)> {
        self.entries(StageKind::Lead, id, self.people[&id].created_at, "INQUIRY", as_of)
    }
}

#[derive(Clone, Copy)]
struct Window {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    /// `None`: now.
    as_of: Option<DateTime<Utc>>,
}

impl Window {
    fn as_of(&self) -> DateTime<Utc> {
        self.as_of.unwrap_or_else(Utc::now)
    }

    fn end(&self) -> DateTime<Utc> {
        self.to.min(self.as_of())
    }

    fn inside(&self, t: DateTime<Utc>) -> bool {
        self.from <= t && t < self.end()
    }
}

fn hours(a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    (b - a).num_milliseconds() as f64 / 3_600_000.0
}

fn median(mut v: Vec<f64>) -> Value {
    if v.is_empty() {
        return Value::Null;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    json!(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

fn mean(v: &[f64]) -> Value {
    if v.is_empty() {
        Value::Null
    } else {
        json!(v.iter().sum::<f64>() / v.len() as f64)
    }
}

fn ratio(a: usize, b: usize) -> Value {
    if b == 0 {
        Value::Null
    } else {
        json!(a as f64 / b as f64)
    }
}

fn reasons(counts: &BTreeMap<String, i64>) -> Value {
    let mut v: Vec<(&String, &i64)> = counts.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    Value::Array(
        v.into_iter()
            .map(|(code, n)| json!({ "reasonCode": code, "count": n }))
            .collect(),
    )
}

fn cents_of(amount: Decimal) -> i64 {
    let scaled = (amount * Decimal::from(100)).round();
    scaled.to_string().parse().unwrap()
}

fn money_text(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// `n / d` to the nearest whole number, halves up (all our figures are not negative).
fn round_div(n: i64, d: i64) -> i64 {
    (2 * n + d) / (2 * d)
}

fn money(per_currency: &BTreeMap<String, i64>) -> Value {
    Value::Array(
        per_currency
            .iter()
            .map(|(c, cents)| json!({ "amount": money_text(*cents), "currency": c }))
            .collect(),
    )
}

/// A unit's group, the entries of all its people, and the stage of each person at the end.
type Members = (Option<String>, Vec<(String, DateTime<Utc>)>, BTreeSet<String>);

#[derive(Clone, Copy, PartialEq)]
enum Unit {
    Lead,
    Account,
}

#[derive(Clone, Copy, PartialEq)]
enum By {
    None,
    Source,
    Tier,
}

/// The lead funnel recomputed from the definitions, in the shape the query returns (groups
/// keyed by their key; their order is checked separately).
fn lead_funnel(
    w: &World,
    p: Window,
    unit: Unit,
    by: By,
    exclude_archived: bool,
) -> BTreeMap<Option<String>, Value> {
    let as_of = p.as_of();
    let live = |s: &stakeholder::Model| {
        !(exclude_archived && (s.archived_at.is_some() || w.accounts[&s.account_id].archived_at.is_some()))
    };
    let unit_of = |s: &stakeholder::Model| match unit {
        Unit::Lead => s.id,
        Unit::Account => s.account_id,
    };
    let group_of = |s: &stakeholder::Model| -> Option<String> {
        match by {
            By::None => None,
            By::Source => s.lead_source.map(|x| x.to_value()),
            By::Tier => Some(w.accounts[&s.account_id].tier.to_value()),
        }
    };
    // unit -> (group, entries of all its people, stage of each person at the end)
    let mut units: BTreeMap<Uuid, Members> = BTreeMap::new();
    for s in w.people.values().filter(|s| live(s)) {
        let entries = w.lead_entries(s.id, as_of);
        let u = units
            .entry(unit_of(s))
            .or_insert_with(|| (group_of(s), Vec::new(), BTreeSet::new()));
        if let Some((stage, _)) = entries.iter().rfind(|(_, t)| *t < p.end()) {
            u.2.insert(stage.clone());
        }
        u.1.extend(entries);
    }
    let mut groups: BTreeMap<Option<String>, Value> = BTreeMap::new();
    let mut keys: BTreeSet<Option<String>> = units.values().map(|u| u.0.clone()).collect();
    if by == By::None {
        keys.insert(None);
    }
    for key in keys {
        let members: Vec<_> = units.values().filter(|u| u.0 == key).collect();
        let stages: Vec<Value> = LeadStage::iter()
            .map(|stage| {
                let name = stage.to_value();
                let entered = members
                    .iter()
                    .filter(|u| u.1.iter().any(|(s, t)| *s == name && p.inside(*t)))
                    .count();
                let at_end = members.iter().filter(|u| u.2.contains(&name)).count();
                json!({ "stage": name, "entered": entered, "inStageAtEnd": at_end })
            })
            .collect();
        let steps: Vec<Value> = (0..5)
            .map(|r| {
                let mut hours_to = Vec::new();
                let mut entered = 0;
                for u in &members {
                    let Some(t0) = u.1.iter().filter(|(s, t)| rank(s) == Some(r) && p.inside(*t)).map(|(_, t)| *t).min() else {
                        continue;
                    };
                    entered += 1;
                    if let Some(t1) = u.1.iter().filter(|(s, t)| rank(s).is_some_and(|x| x > r) && *t > t0).map(|(_, t)| *t).min() {
                        hours_to.push(hours(t0, t1));
                    }
                }
                json!({ "from": LADDER[r], "to": LADDER[r + 1], "entered": entered, "converted": hours_to.len(),
                    "rate": ratio(hours_to.len(), entered), "medianHours": median(hours_to.clone()), "averageHours": mean(&hours_to) })
            })
            .collect();
        let (mut rejected, mut recycled, mut disqualified) = (0, 0, 0);
        let mut why: BTreeMap<String, i64> = BTreeMap::new();
        for c in w
            .changes
            .iter()
            .filter(|c| c.kind == StageKind::Lead && p.inside(c.changed_at))
        {
            let s = &w.people[&c.subject_id];
            if !live(s) || group_of(s) != key {
                continue;
            }
            let counted = match (c.from_stage.as_str(), c.to_stage.as_str()) {
                (_, "DISQUALIFIED") => {
                    disqualified += 1;
                    true
                }
                ("MQL", "NURTURE") => {
                    rejected += 1;
                    true
                }
                ("SAL" | "SQL", "NURTURE") => {
                    recycled += 1;
                    true
                }
                _ => false,
            };
            if let (true, Some(code)) = (counted, c.reason_code) {
                *why.entry(code.to_value()).or_default() += 1;
            }
        }
        let group = json!({ "key": key, "stages": stages, "steps": steps, "rejected": rejected,
            "recycled": recycled, "disqualified": disqualified, "reasons": reasons(&why) });
        let empty = stages_empty(&group) && rejected + recycled + disqualified == 0;
        if by == By::None || !empty {
            groups.insert(key, group);
        }
    }
    groups
}

fn stages_empty(group: &Value) -> bool {
    group["stages"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["entered"] == 0 && s["inStageAtEnd"] == 0)
        && group["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["entered"] == 0)
}

fn default_probability(stage: &str) -> i64 {
    match stage {
        "DISCOVERY" => 10,
        "QUALIFICATION" => 20,
        "EVALUATION" => 40,
        "PROPOSAL" => 60,
        "NEGOTIATION" => 80,
        "CLOSED_WON" => 100,
        _ => 0,
    }
}

fn deal_funnel(
    w: &World,
    p: Window,
    by_source: bool,
    exclude_archived: bool,
) -> BTreeMap<Option<String>, Value> {
    let as_of = p.as_of();
    let live = |o: &opportunity::Model| {
        !(exclude_archived && (o.archived_at.is_some() || w.accounts[&o.account_id].archived_at.is_some()))
    };
    let group_of = |o: &opportunity::Model| {
        if by_source {
            o.lead_source.map(|s| s.to_value())
        } else {
            None
        }
    };
    let mut keys: BTreeSet<Option<String>> = w.deals.values().map(group_of).collect();
    if !by_source {
        keys.insert(None);
    }
    let mut out = BTreeMap::new();
    for key in keys {
        let deals: Vec<&opportunity::Model> = w
            .deals
            .values()
            .filter(|o| live(o) && group_of(o) == key)
            .collect();
        let entries: Vec<Vec<(String, DateTime<Utc>)>> = deals
            .iter()
            .map(|o| w.entries(StageKind::Opportunity, o.id, o.created_at, "DISCOVERY", as_of))
            .collect();
        let stages: Vec<Value> = OpportunityStage::iter()
            .map(|stage| {
                let name = stage.to_value();
                let mut entered = 0;
                let mut at_end = 0;
                let (mut amount, mut weighted): (BTreeMap<String, i64>, BTreeMap<String, i64>) = Default::default();
                let mut stays = Vec::new();
                for (o, e) in deals.iter().zip(&entries) {
                    if e.iter().any(|(s, t)| *s == name && p.inside(*t)) {
                        entered += 1;
                    }
                    if e.iter().rfind(|(_, t)| *t < p.end()).is_some_and(|(s, _)| *s == name) {
                        at_end += 1;
                        if let (Some(a), Some(c)) = (o.amount, o.currency.clone()) {
                            let pct = o.probability.map_or_else(|| default_probability(&name), i64::from);
                            *amount.entry(c.clone()).or_default() += cents_of(a);
                            *weighted.entry(c).or_default() += cents_of(a) * pct;
                        }
                    }
                    for pair in e.windows(2) {
                        if pair[0].0 == name && p.inside(pair[1].1) {
                            stays.push(hours(pair[0].1, pair[1].1));
                        }
                    }
                }
                let weighted: BTreeMap<String, i64> = weighted.into_iter().map(|(c, v)| (c, round_div(v, 100))).collect();
                json!({ "stage": name, "entered": entered, "inStageAtEnd": at_end, "amountAtEnd": money(&amount),
                    "weightedAmountAtEnd": money(&weighted), "medianHoursInStage": median(stays) })
            })
            .collect();
        let created = deals.iter().filter(|o| p.inside(o.created_at)).count();
        let (mut won, mut lost) = (0, 0);
        let (mut won_cents, mut won_count): (BTreeMap<String, i64>, BTreeMap<String, i64>) =
            Default::default();
        let mut cycle = Vec::new();
        let mut lost_reasons = BTreeMap::new();
        for c in w
            .changes
            .iter()
            .filter(|c| c.kind == StageKind::Opportunity && p.inside(c.changed_at))
        {
            let o = &w.deals[&c.subject_id];
            if !live(o) || group_of(o) != key {
                continue;
            }
            match c.to_stage.as_str() {
                "CLOSED_WON" => {
                    won += 1;
                    cycle.push(hours(o.created_at, c.changed_at) / 24.0);
                    if let (Some(a), Some(cur)) = (o.amount, o.currency.clone()) {
                        *won_cents.entry(cur.clone()).or_default() += cents_of(a);
                        *won_count.entry(cur).or_default() += 1;
                    }
                }
                "CLOSED_LOST" => {
                    lost += 1;
                    if let Some(r) = c.reason_code {
                        *lost_reasons.entry(r.to_value()).or_default() += 1;
                    }
                }
                _ => {}
            }
        }
        let average: BTreeMap<String, i64> = won_cents
            .iter()
            .map(|(c, v)| (c.clone(), round_div(*v, won_count[c])))
            .collect();
        let group = json!({ "key": key, "created": created, "won": won, "lost": lost, "winRate": ratio(won, won + lost),
            "medianCycleDays": median(cycle), "wonAmount": money(&won_cents), "averageWonAmount": money(&average),
            "lostReasons": reasons(&lost_reasons), "stages": stages });
        let empty =
            created + won + lost == 0
                && group["stages"].as_array().unwrap().iter().all(|s| {
                    s["entered"] == 0 && s["inStageAtEnd"] == 0 && s["medianHoursInStage"].is_null()
                });
        if !by_source || !empty {
            out.insert(key, group);
        }
    }
    out
}

fn source_quality(w: &World, p: Window) -> Vec<Value> {
    let as_of = p.as_of();
    let sources: BTreeSet<Option<String>> = w
        .people
        .values()
        .map(|s| s.lead_source.map(|x| x.to_value()))
        .chain(w.deals.values().map(|o| o.lead_source.map(|x| x.to_value())))
        .collect();
    let mut rows = Vec::new();
    for source in sources {
        let of = |s: &stakeholder::Model| s.lead_source.map(|x| x.to_value()) == source;
        let cohort: Vec<&stakeholder::Model> = w
            .people
            .values()
            .filter(|s| of(s) && p.inside(s.created_at))
            .collect();
        let top = |s: &stakeholder::Model| {
            w.lead_entries(s.id, as_of)
                .iter()
                .filter_map(|(st, _)| rank(st))
                .max()
                .unwrap_or(0)
        };
        let reached = |r: usize| cohort.iter().filter(|s| top(s) >= r).count();
        let rejections: Vec<&stage_change::Model> = w
            .changes
            .iter()
            .filter(|c| {
                c.kind == StageKind::Lead
                    && c.from_stage == "MQL"
                    && c.to_stage == "NURTURE"
                    && c.changed_at < as_of
            })
            .filter(|c| cohort.iter().any(|s| s.id == c.subject_id))
            .collect();
        let rejected = rejections
            .iter()
            .map(|c| c.subject_id)
            .collect::<BTreeSet<_>>()
            .len();
        let mut why = BTreeMap::new();
        for c in &rejections {
            if let Some(r) = c.reason_code {
                *why.entry(r.to_value()).or_default() += 1;
            }
        }
        let (mut good, mut fair, mut poor) = (0, 0, 0);
        for f in w
            .feedback
            .iter()
            .filter(|f| p.inside(f.created_at) && of(&w.people[&f.stakeholder_id]))
        {
            match f.rating {
                LeadRating::Good => good += 1,
                LeadRating::Fair => fair += 1,
                LeadRating::Poor => poor += 1,
            }
        }
        let mut wins = 0;
        let mut won: BTreeMap<String, i64> = BTreeMap::new();
        for c in w.changes.iter().filter(|c| {
            c.kind == StageKind::Opportunity && c.to_stage == "CLOSED_WON" && p.inside(c.changed_at)
        }) {
            let o = &w.deals[&c.subject_id];
            if o.lead_source.map(|x| x.to_value()) != source {
                continue;
            }
            wins += 1;
            if let (Some(a), Some(cur)) = (o.amount, o.currency.clone()) {
                *won.entry(cur).or_default() += cents_of(a);
            }
        }
        if cohort.is_empty() && good + fair + poor == 0 && wins == 0 {
            continue;
        }
        let accepted = reached(2);
        rows.push(json!({ "leadSource": source, "leads": cohort.len(), "mqls": reached(1), "accepted": accepted,
            "rejected": rejected, "acceptanceRate": ratio(accepted, accepted + rejected), "opportunities": reached(4),
            "customers": reached(5), "rejectionReasons": reasons(&why), "feedback": { "good": good, "fair": fair, "poor": poor },
            "wonAmount": money(&won) }));
    }
    rows.sort_by_key(|r| {
        (
            r["leadSource"].is_null(),
            std::cmp::Reverse(r["leads"].as_i64().unwrap()),
            r["leadSource"].as_str().map(str::to_owned),
        )
    });
    rows
}

fn handoffs(w: &World, p: Window) -> Value {
    let as_of = p.as_of();
    let (mut n, mut in_sla, mut late, mut rejected, mut open, mut overdue) = (0, 0, 0, 0, 0, 0);
    let mut decided = Vec::new();
    for s in w.people.values() {
        let e = w.lead_entries(s.id, as_of);
        for (i, (stage, t)) in e.iter().enumerate() {
            if stage != "MQL" || !p.inside(*t) {
                continue;
            }
            n += 1;
            match e.get(i + 1) {
                Some((next, at)) => {
                    let h = hours(*t, *at);
                    decided.push(h);
                    if rank(next).is_some_and(|r| r >= 2) {
                        if h <= 24.0 { in_sla += 1 } else { late += 1 }
                    } else {
                        rejected += 1;
                    }
                }
                None => {
                    open += 1;
                    if hours(*t, as_of) > 24.0 {
                        overdue += 1;
                    }
                }
            }
        }
    }
    json!({ "handedOff": n, "acceptedInSla": in_sla, "acceptedLate": late, "rejected": rejected, "open": open,
        "openOverdue": overdue, "medianHoursToDecision": median(decided) })
}

/// Equal JSON, numbers within a rounding error (SQLite reads times to the millisecond; sums of
/// floats run in another order).
fn same(actual: &Value, expected: &Value, path: &str) {
    match (actual, expected) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!((a - b).abs() <= 1e-6 * b.abs().max(1.0), "{path}: {a} != {b}");
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{path}: {actual} != {expected}");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                same(x, y, &format!("{path}[{i}]"));
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            for (k, y) in b {
                same(a.get(k).unwrap_or(&Value::Null), y, &format!("{path}.{k}"));
            }
        }
        _ => assert_eq!(actual, expected, "{path}"),
    }
}

fn window(rng: &mut Rng, times: &[DateTime<Utc>]) -> Window {
    let at = |rng: &mut Rng| {
        if rng.chance(50) {
            rng.pick(times)
        } else {
            base() - Duration::days(20) + Duration::seconds(rng.below(480 * 86_400) as i64)
        }
    };
    let (a, b) = (at(rng), at(rng));
    let (from, to) = if a <= b { (a, b) } else { (b, a) };
    let as_of = match rng.below(3) {
        0 => None,
        1 => Some(at(rng)),
        _ => Some(to + Duration::seconds(rng.below(90 * 86_400) as i64)),
    };
    Window { from, to, as_of }
}

fn by_key(groups: &Value) -> BTreeMap<Option<String>, Value> {
    groups
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["key"].as_str().map(str::to_owned), g.clone()))
        .collect()
}

async fn every_figure_agrees_with_a_recomputation_from_the_raw_rows(app: TestApp) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let times = build(&app, &mut rng).await;
    let world = World::read(&app).await;
    const HANDOFF: &str = "query($i: HandoffPerformanceInput!) { handoffPerformance(input: $i) {
      handedOff acceptedInSla acceptedLate rejected open openOverdue medianHoursToDecision } }";
    for round in 0..30 {
        let p = window(&mut rng, &times);
        let label = format!("round {round}: {} .. {} as of {:?}", p.from, p.to, p.as_of);
        for (unit, by, exclude) in [
            (Unit::Lead, By::None, false),
            (Unit::Lead, By::Source, false),
            (Unit::Lead, By::None, true),
            (Unit::Account, By::None, false),
            (Unit::Account, By::Tier, true),
        ] {
            let extra = json!({
                "unit": if unit == Unit::Lead { "LEAD" } else { "ACCOUNT" },
                "groupBy": match by { By::None => "NONE", By::Source => "LEAD_SOURCE", By::Tier => "ACCOUNT_TIER" },
                "filter": { "excludeArchived": exclude },
            });
            let data = app.data(LEAD_FUNNEL, input(p.from, p.to, p.as_of, extra)).await;
            let actual = by_key(&data["leadFunnel"]["groups"]);
            let expected = lead_funnel(&world, p, unit, by, exclude);
            assert_eq!(
                actual.keys().collect::<Vec<_>>(),
                expected.keys().collect::<Vec<_>>(),
                "{label}"
            );
            for (k, e) in &expected {
                same(&actual[k], e, &format!("{label} leadFunnel {k:?}"));
            }
        }
        for (by_source, exclude) in [(false, false), (true, false), (false, true)] {
            let extra = json!({
                "groupBy": if by_source { "LEAD_SOURCE" } else { "NONE" },
                "filter": { "excludeArchived": exclude },
            });
            let data = app.data(DEAL_FUNNEL, input(p.from, p.to, p.as_of, extra)).await;
            let actual = by_key(&data["dealFunnel"]["groups"]);
            let expected = deal_funnel(&world, p, by_source, exclude);
            assert_eq!(
                actual.keys().collect::<Vec<_>>(),
                expected.keys().collect::<Vec<_>>(),
                "{label}"
            );
            for (k, e) in &expected {
                same(&actual[k], e, &format!("{label} dealFunnel {k:?}"));
            }
        }
        let data = app
            .data(SOURCE_QUALITY, input(p.from, p.to, p.as_of, json!({})))
            .await;
        same(
            &data["leadSourceQuality"],
            &Value::Array(source_quality(&world, p)),
            &format!("{label} leadSourceQuality"),
        );
        let data = app.data(HANDOFF, input(p.from, p.to, p.as_of, json!({}))).await;
        same(
            &data["handoffPerformance"][0],
            &handoffs(&world, p),
            &format!("{label} handoffPerformance"),
        );
    }
}

on_both_stores!(every_figure_agrees_with_a_recomputation_from_the_raw_rows);
