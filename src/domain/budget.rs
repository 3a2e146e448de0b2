//! The query-cost budget of one principal: a bucket that holds up to `capacity` points and
//! refills at `restore_per_second`; a request spends its cost up front or is refused with the
//! time until the bucket holds enough (the leaky bucket of Shopify's GraphQL Admin API).

/// The configured budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub capacity: u64,
    pub restore_per_second: u64,
}

/// One principal's bucket at a moment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bucket {
    pub available: f64,
    pub at_ms: i64,
}

/// What a client is told of its budget (`extensions.cost.throttleStatus`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Status {
    pub maximum_available: u64,
    pub currently_available: u64,
    pub restore_rate: u64,
}

/// The outcome of spending.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Spent {
    /// Charged; this is what is left.
    Charged(Status),
    /// Not charged: the bucket holds less than the cost, for this many more milliseconds (or for
    /// ever, `None`, when the cost is more than the whole capacity).
    Refused { status: Status, wait_ms: Option<i64> },
}

impl Budget {
    /// The bucket refilled up to `now_ms` (a new principal starts full).
    pub fn refill(&self, bucket: Option<Bucket>, now_ms: i64) -> Bucket {
        let capacity = self.capacity as f64;
        match bucket {
            None => Bucket {
                available: capacity,
                at_ms: now_ms,
            },
            Some(b) => {
                let elapsed = (now_ms - b.at_ms).max(0) as f64 / 1000.0;
                Bucket {
                    available: (b.available + elapsed * self.restore_per_second as f64).min(capacity),
                    at_ms: now_ms.max(b.at_ms),
                }
            }
        }
    }

    /// Spends `cost` from the bucket if it holds that much; returns the bucket after.
    pub fn spend(&self, bucket: Option<Bucket>, cost: u64, now_ms: i64) -> (Bucket, Spent) {
        let mut bucket = self.refill(bucket, now_ms);
        let status = |available: f64| Status {
            maximum_available: self.capacity,
            currently_available: available.max(0.0) as u64,
            restore_rate: self.restore_per_second,
        };
        let cost_f = cost as f64;
        if cost_f <= bucket.available {
            bucket.available -= cost_f;
            return (bucket, Spent::Charged(status(bucket.available)));
        }
        let wait_ms = (cost <= self.capacity && self.restore_per_second > 0)
            .then(|| ((cost_f - bucket.available) * 1000.0 / self.restore_per_second as f64).ceil() as i64);
        (
            bucket,
            Spent::Refused {
                status: status(bucket.available),
                wait_ms,
            },
        )
    }

    /// Whether a bucket has refilled completely by `now_ms` (it can be forgotten).
    pub fn is_full(&self, bucket: Bucket, now_ms: i64) -> bool {
        self.refill(Some(bucket), now_ms).available >= self.capacity as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUDGET: Budget = Budget {
        capacity: 1_000,
        restore_per_second: 100,
    };

    #[test]
    fn a_new_principal_starts_with_a_full_bucket() {
        let (bucket, spent) = BUDGET.spend(None, 300, 0);
        assert_eq!(bucket.available, 700.0);
        assert!(matches!(spent, Spent::Charged(s) if s.currently_available == 700));
    }

    #[test]
    fn spending_more_than_is_left_is_refused_with_the_wait_and_charges_nothing() {
        let (bucket, _) = BUDGET.spend(None, 900, 0);
        let (after, spent) = BUDGET.spend(Some(bucket), 300, 0);
        assert_eq!(after.available, 100.0);
        assert!(
            matches!(
                spent,
                Spent::Refused {
                    wait_ms: Some(2_000),
                    ..
                }
            ),
            "{spent:?}"
        );
    }

    #[test]
    fn the_bucket_refills_with_time_up_to_its_capacity() {
        let (bucket, _) = BUDGET.spend(None, 1_000, 0);
        assert_eq!(BUDGET.refill(Some(bucket), 2_500).available, 250.0);
        assert_eq!(BUDGET.refill(Some(bucket), 60_000).available, 1_000.0);
        assert!(BUDGET.is_full(bucket, 10_000));
        assert!(!BUDGET.is_full(bucket, 9_999));
    }

    #[test]
    fn a_cost_above_the_capacity_can_never_be_served() {
        let (_, spent) = BUDGET.spend(None, 1_001, 0);
        assert!(matches!(spent, Spent::Refused { wait_ms: None, .. }));
    }

    #[test]
    fn a_clock_going_back_does_not_add_points() {
        let (bucket, _) = BUDGET.spend(None, 500, 10_000);
        assert_eq!(BUDGET.refill(Some(bucket), 5_000).available, 500.0);
    }
}
