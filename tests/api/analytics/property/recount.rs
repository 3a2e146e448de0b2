//! Every figure recomputed from the raw rows, straight from the contract's definitions, in the
//! shape the queries return.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use entity::{
    enums::LeadStage,
    lead_feedback::LeadRating,
    opportunity::{self, OpportunityStage},
    stage_change::{self, StageKind},
    stakeholder,
};
use sea_orm::{ActiveEnum, Iterable};
use serde_json::{Value, json};
use uuid::Uuid;

use super::world::*;

/// The lead funnel recomputed from the definitions, in the shape the query returns (groups
/// keyed by their key; their order is checked separately).
pub fn lead_funnel(
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

pub fn stages_empty(group: &Value) -> bool {
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

pub fn default_probability(stage: &str) -> i64 {
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

pub fn deal_funnel(
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
                        if let (Some(a), Some(c)) = (o.amount_minor, o.currency.clone()) {
                            let pct = o.probability.map_or_else(|| default_probability(&name), i64::from);
                            *amount.entry(c.clone()).or_default() += a;
                            *weighted.entry(c).or_default() += a * pct;
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
                    if let (Some(a), Some(cur)) = (o.amount_minor, o.currency.clone()) {
                        *won_cents.entry(cur.clone()).or_default() += a;
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

pub fn source_quality(w: &World, p: Window) -> Vec<Value> {
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
            if let (Some(a), Some(cur)) = (o.amount_minor, o.currency.clone()) {
                *won.entry(cur).or_default() += a;
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

pub fn handoffs(w: &World, p: Window) -> Value {
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
