//! Limits and error codes for the stages before execution.
//!
//! async-graphql reports parse, validation, depth and complexity failures as bare messages; this
//! extension gives each its `extensions.code`. Depth and complexity are enforced here, not by the
//! schema builder, so that a caller allowed to introspect can fetch the whole schema (the standard
//! introspection query is deeper and costlier than any limit fit for data queries).

use std::sync::Arc;

use async_graphql::{
    ServerError, ServerResult, ValidationResult, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation},
    parser::types::ExecutableDocument,
};

use crate::{config::Limits, error::ErrorCode};

/// Per-request facts the transport found before execution.
#[derive(Debug, Clone, Copy)]
pub struct RequestLimits {
    /// A schema download by a caller allowed to introspect: wider depth and complexity limits.
    pub exempt: bool,
}

/// The limits of a schema download (see `validation`).
const INTROSPECTION_MAX_DEPTH: usize = 20;
const INTROSPECTION_MAX_COMPLEXITY: usize = 5_000;

pub struct Guardrails {
    limits: Limits,
}

impl Guardrails {
    pub fn new(limits: Limits) -> Self {
        Self { limits }
    }
}

impl ExtensionFactory for Guardrails {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(GuardrailsExtension { limits: self.limits })
    }
}

struct GuardrailsExtension {
    limits: Limits,
}

/// Returns `err` with `extensions.code` set, unless it already has one.
pub fn with_code(mut err: ServerError, code: ErrorCode) -> ServerError {
    let ext = err.extensions.get_or_insert_with(Default::default);
    if ext.get("code").is_none() {
        ext.set("code", code.as_str());
    }
    err
}

#[async_trait::async_trait]
impl Extension for GuardrailsExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        // The transport parsed the document already; what fails here is the recursion or the
        // directive limit, both checks of a well-formed document.
        next.run(ctx, query, variables)
            .await
            .map_err(|e| with_code(e, ErrorCode::GraphqlValidationFailed))
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|e| with_code(e, ErrorCode::GraphqlValidationFailed))
                .collect::<Vec<_>>()
        })?;
        // A schema download by a caller allowed to introspect gets wider limits, not none: the
        // standard introspection query needs about 13 levels, and deeper self-nesting of
        // `__Type.fields` would grow its answer geometrically.
        let exempt = ctx.data_opt::<RequestLimits>().is_some_and(|r| r.exempt);
        let (max_depth, max_complexity) = if exempt {
            (
                INTROSPECTION_MAX_DEPTH.max(self.limits.max_depth),
                INTROSPECTION_MAX_COMPLEXITY.max(self.limits.max_complexity),
            )
        } else {
            (self.limits.max_depth, self.limits.max_complexity)
        };
        if result.depth > max_depth {
            return Err(vec![with_code(
                ServerError::new(
                    format!(
                        "The query is nested {} levels deep; the limit is {max_depth}.",
                        result.depth
                    ),
                    None,
                ),
                ErrorCode::MaxDepthExceeded,
            )]);
        }
        if result.complexity > max_complexity {
            return Err(vec![with_code(
                ServerError::new(
                    format!(
                        "The query costs {} points; the limit is {max_complexity}. Ask for smaller pages.",
                        result.complexity
                    ),
                    None,
                ),
                ErrorCode::MaxComplexityExceeded,
            )]);
        }
        Ok(result)
    }
}
