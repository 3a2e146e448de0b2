//! Process metrics in the Prometheus text format: GraphQL requests and their latency by
//! operation type, and every SQL statement the server sends.
//!
//! A handful of atomics is all this needs; a metrics framework would cost more than it gives.

use std::{
    fmt::Write,
    sync::atomic::{AtomicU64, Ordering::Relaxed},
    time::Duration,
};

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// The operation types a GraphQL request is counted under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperationType {
    Query,
    Mutation,
    Subscription,
    /// The document did not parse or named no operation.
    Unknown,
}

impl OperationType {
    const ALL: [OperationType; 4] = [Self::Query, Self::Mutation, Self::Subscription, Self::Unknown];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Query => "query",
            Self::Mutation => "mutation",
            Self::Subscription => "subscription",
            Self::Unknown => "unknown",
        }
    }
}

#[derive(Default)]
struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

/// The counters of one server (tests run several servers in one process, each with its own).
#[derive(Default)]
pub struct Metrics {
    db_statements: AtomicU64,
    requests: [Histogram; 4],
}

impl Metrics {
    pub fn db_statement(&self) {
        self.db_statements.fetch_add(1, Relaxed);
    }

    pub fn db_statements(&self) -> u64 {
        self.db_statements.load(Relaxed)
    }

    pub fn graphql_request(&self, op: OperationType, elapsed: Duration) {
        let h = &self.requests[op as usize];
        let secs = elapsed.as_secs_f64();
        for (bound, bucket) in BUCKETS.iter().zip(&h.buckets) {
            if secs <= *bound {
                bucket.fetch_add(1, Relaxed);
            }
        }
        h.count.fetch_add(1, Relaxed);
        h.sum_micros.fetch_add(elapsed.as_micros() as u64, Relaxed);
    }

    /// Renders every metric in the Prometheus text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        let _ = writeln!(
            out,
            "# HELP trapeze_db_statements_total SQL statements sent to the database."
        );
        let _ = writeln!(out, "# TYPE trapeze_db_statements_total counter");
        let _ = writeln!(out, "trapeze_db_statements_total {}", self.db_statements());

        let _ = writeln!(
            out,
            "# HELP trapeze_graphql_requests_total GraphQL requests by operation type."
        );
        let _ = writeln!(out, "# TYPE trapeze_graphql_requests_total counter");
        for op in OperationType::ALL {
            let count = self.requests[op as usize].count.load(Relaxed);
            let _ = writeln!(
                out,
                "trapeze_graphql_requests_total{{operation_type=\"{}\"}} {count}",
                op.as_str()
            );
        }

        let name = "trapeze_graphql_request_duration_seconds";
        let _ = writeln!(out, "# HELP {name} GraphQL request latency by operation type.");
        let _ = writeln!(out, "# TYPE {name} histogram");
        for op in OperationType::ALL {
            let h = &self.requests[op as usize];
            let label = op.as_str();
            for (bound, bucket) in BUCKETS.iter().zip(&h.buckets) {
                let _ = writeln!(
                    out,
                    "{name}_bucket{{operation_type=\"{label}\",le=\"{bound}\"}} {}",
                    bucket.load(Relaxed)
                );
            }
            let count = h.count.load(Relaxed);
            let sum = h.sum_micros.load(Relaxed) as f64 / 1e6;
            let _ = writeln!(
                out,
                "{name}_bucket{{operation_type=\"{label}\",le=\"+Inf\"}} {count}"
            );
            let _ = writeln!(out, "{name}_sum{{operation_type=\"{label}\"}} {sum}");
            let _ = writeln!(out, "{name}_count{{operation_type=\"{label}\"}} {count}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_lands_in_every_bucket_at_or_above_its_latency() {
        let m = Metrics::default();
        m.graphql_request(OperationType::Query, Duration::from_millis(3));
        let text = m.render();
        assert!(text.contains(r#"_bucket{operation_type="query",le="0.0025"} 0"#));
        assert!(text.contains(r#"_bucket{operation_type="query",le="0.005"} 1"#));
        assert!(text.contains(r#"_bucket{operation_type="query",le="+Inf"} 1"#));
        assert!(text.contains(r#"trapeze_graphql_requests_total{operation_type="mutation"} 0"#));
    }
}
