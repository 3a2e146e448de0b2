//! The query-cost budgets of the principals this process serves (`TRAPEZE_COST_BUDGET`,
//! `TRAPEZE_COST_RESTORE_RATE`; the rule is `domain::budget`).
//!
//! Kept in this process, not the database: charging every read would turn it into a write.
//! Behind N replicas a principal can therefore spend up to N budgets; the login throttle, which
//! guards secrets, is the one kept in the database. Bounded: past `MAX_PRINCIPALS` the buckets
//! that have refilled are forgotten (a forgotten bucket is a full one, so nothing is lost).

use std::{collections::HashMap, net::IpAddr, sync::Mutex};

use uuid::Uuid;

use crate::domain::{
    authz::{Actor, Principal},
    budget::{Bucket, Budget, Spent},
};

const MAX_PRINCIPALS: usize = 10_000;

/// Whose budget a request spends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Spender {
    User(Uuid),
    ApiToken(Uuid),
    Anonymous(IpAddr),
    /// Anonymous, from an unknown address (never the case over TCP).
    Unknown,
}

impl Spender {
    pub fn of(principal: Option<&Principal>, client: Option<IpAddr>) -> Self {
        match (principal.map(|p| p.actor), client) {
            (Some(Actor::User(id)), _) => Self::User(id),
            (Some(Actor::ApiToken(id)), _) => Self::ApiToken(id),
            (None, Some(ip)) => Self::Anonymous(ip),
            (None, None) => Self::Unknown,
        }
    }
}

pub struct Budgets {
    budget: Budget,
    buckets: Mutex<HashMap<Spender, Bucket>>,
}

impl Budgets {
    pub fn new(budget: Budget) -> Self {
        Self {
            budget,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Whether a limit applies at all (`TRAPEZE_COST_RESTORE_RATE=0` turns it off).
    pub fn enabled(&self) -> bool {
        self.budget.restore_per_second > 0
    }

    /// Charges `cost` to `who` at `now_ms`, or refuses it.
    pub fn spend(&self, who: Spender, cost: u64, now_ms: i64) -> Spent {
        let Ok(mut buckets) = self.buckets.lock() else {
            // A panic while holding the lock poisons it; refusing everyone after that would be
            // worse than not limiting.
            return self.budget.spend(None, cost, now_ms).1;
        };
        let (bucket, spent) = self.budget.spend(buckets.get(&who).copied(), cost, now_ms);
        if buckets.len() >= MAX_PRINCIPALS && !buckets.contains_key(&who) {
            let budget = self.budget;
            buckets.retain(|_, b| !budget.is_full(*b, now_ms));
            if buckets.len() >= MAX_PRINCIPALS {
                buckets.clear();
            }
        }
        buckets.insert(who, bucket);
        spent
    }
}
