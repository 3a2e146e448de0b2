//! The one place that builds the tracing subscriber: pretty for people, JSON for log pipelines.
//!
//! `RUST_LOG` picks the levels (default `info`, with the SQL drivers at `warn` so statements and
//! their bound values, which may hold personal data, stay out of the log).

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::LogFormat;

const DEFAULT_FILTER: &str = "info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn";

/// Installs the global subscriber. Calling it twice (as tests may) keeps the first one.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let registry = tracing_subscriber::registry().with(filter);
    let result = match format {
        LogFormat::Pretty => registry.with(fmt::layer().with_target(false)).try_init(),
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false),
            )
            .try_init(),
    };
    // A second init (tests build many apps in one process) is harmless: the first subscriber stays.
    drop(result);
}
