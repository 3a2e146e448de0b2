//! Analytics in the API: the funnel reports integrators and boards read instead of paging raw
//! history (`leadFunnel`, `dealFunnel`, `leadSourceQuality`, `handoffPerformance`).

mod inputs;
mod query;
mod types;

pub use query::AnalyticsQuery;
