//! The raw rows read back, the window of one round, and the small helpers of the recount.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use entity::{
    account, lead_feedback, opportunity,
    stage_change::{self, StageKind},
    stakeholder,
};
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::TestApp;

pub const LADDER: [&str; 6] = ["INQUIRY", "MQL", "SAL", "SQL", "OPPORTUNITY", "CUSTOMER"];
pub fn rank(stage: &str) -> Option<usize> {
    LADDER.iter().position(|s| *s == stage)
}

/// The raw rows, read back from the database.
pub struct World {
    pub accounts: BTreeMap<Uuid, account::Model>,
    pub people: BTreeMap<Uuid, stakeholder::Model>,
    pub deals: BTreeMap<Uuid, opportunity::Model>,
    pub changes: Vec<stage_change::Model>,
    pub feedback: Vec<lead_feedback::Model>,
}

impl World {
    pub async fn read(app: &TestApp) -> Self {
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
    pub fn entries(
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

    pub fn lead_entries(&self, id: Uuid, as_of: DateTime<Utc>) -> Vec<(String, DateTime<Utc>)> {
        self.entries(StageKind::Lead, id, self.people[&id].created_at, "INQUIRY", as_of)
    }
}

#[derive(Clone, Copy)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// `None`: now.
    pub as_of: Option<DateTime<Utc>>,
}

impl Window {
    pub fn as_of(&self) -> DateTime<Utc> {
        self.as_of.unwrap_or_else(Utc::now)
    }

    pub fn end(&self) -> DateTime<Utc> {
        self.to.min(self.as_of())
    }

    pub fn inside(&self, t: DateTime<Utc>) -> bool {
        self.from <= t && t < self.end()
    }
}

pub fn hours(a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    (b - a).num_milliseconds() as f64 / 3_600_000.0
}

pub fn median(mut v: Vec<f64>) -> Value {
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

pub fn mean(v: &[f64]) -> Value {
    if v.is_empty() {
        Value::Null
    } else {
        json!(v.iter().sum::<f64>() / v.len() as f64)
    }
}

pub fn ratio(a: usize, b: usize) -> Value {
    if b == 0 {
        Value::Null
    } else {
        json!(a as f64 / b as f64)
    }
}

pub fn reasons(counts: &BTreeMap<String, i64>) -> Value {
    let mut v: Vec<(&String, &i64)> = counts.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    Value::Array(
        v.into_iter()
            .map(|(code, n)| json!({ "reasonCode": code, "count": n }))
            .collect(),
    )
}

pub fn money_text(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// `n / d` to the nearest whole number, halves up (all our figures are not negative).
pub fn round_div(n: i64, d: i64) -> i64 {
    (2 * n + d) / (2 * d)
}

pub fn money(per_currency: &BTreeMap<String, i64>) -> Value {
    Value::Array(
        per_currency
            .iter()
            .map(|(c, cents)| json!({ "amount": money_text(*cents), "currency": c }))
            .collect(),
    )
}

/// A unit's group, the entries of all its people, and the stage of each person at the end.
pub type Members = (Option<String>, Vec<(String, DateTime<Utc>)>, BTreeSet<String>);

#[derive(Clone, Copy, PartialEq)]
pub enum Unit {
    Lead,
    Account,
}

#[derive(Clone, Copy, PartialEq)]
pub enum By {
    None,
    Source,
    Tier,
}
