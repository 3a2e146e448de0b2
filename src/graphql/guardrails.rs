//! Limits and error codes for the stages before execution.
//!
//! Depth and complexity are enforced by the schema (`limit_depth`, `limit_complexity`), not by an
//! extension: with any extension installed, async-graphql sends every field of every response
//! through the extension chain (a registry lookup and a boxed future per field, about a tenth of
//! the server's CPU on nested reads). A caller allowed to introspect fetches the schema through a
//! second schema with the wider limits of a schema download ([`Schemas`](super::Schemas)).
//!
//! async-graphql reports parse, validation, depth and complexity failures as bare messages;
//! [`classify`] gives each its `extensions.code`.

use async_graphql::ServerError;

use crate::{config::Limits, error::ErrorCode};

/// The limits of a schema download: the standard introspection query needs about 13 levels, and
/// deeper self-nesting of `__Type.fields` would grow its answer geometrically, so wider, not none.
pub fn download_limits(limits: Limits) -> (usize, usize) {
    (
        INTROSPECTION_MAX_DEPTH.max(limits.max_depth),
        INTROSPECTION_MAX_COMPLEXITY.max(limits.max_complexity),
    )
}

const INTROSPECTION_MAX_DEPTH: usize = 20;
const INTROSPECTION_MAX_COMPLEXITY: usize = 5_000;

/// Returns `err` with `extensions.code` set, unless it already has one.
pub fn with_code(mut err: ServerError, code: ErrorCode) -> ServerError {
    let ext = err.extensions.get_or_insert_with(Default::default);
    if ext.get("code").is_none() {
        ext.set("code", code.as_str());
    }
    err
}

// The messages async-graphql 7.2 gives its limits (validation/mod.rs).
const TOO_DEEP: &str = "Query is nested too deep.";
const TOO_COMPLEX: &str = "Query is too complex.";

/// Gives async-graphql's own request errors their codes: the depth and complexity limits (with
/// a message naming the limit), and every other error without a code and without a path, which
/// only parsing and validation raise (every resolver error carries a code of our vocabulary, and
/// an input value that cannot be coerced has a path). Errors with a code pass unchanged.
pub fn classify(err: ServerError, (max_depth, max_complexity): (usize, usize)) -> ServerError {
    if err.extensions.as_ref().is_some_and(|e| e.get("code").is_some()) {
        return err;
    }
    if err.message == TOO_DEEP {
        let message = format!("The query is nested deeper than the limit of {max_depth} levels.");
        return with_code(ServerError::new(message, None), ErrorCode::MaxDepthExceeded);
    }
    if err.message == TOO_COMPLEX {
        let message =
            format!("The query costs more than the limit of {max_complexity} points. Ask for smaller pages.");
        return with_code(ServerError::new(message, None), ErrorCode::MaxComplexityExceeded);
    }
    if err.path.is_empty() {
        return with_code(err, ErrorCode::GraphqlValidationFailed);
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(err: &ServerError) -> Option<String> {
        err.extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .map(|v| v.to_string())
    }

    #[test]
    fn the_limits_get_their_codes_and_messages_naming_the_limit() {
        let deep = classify(ServerError::new(TOO_DEEP, None), (15, 100));
        assert_eq!(code(&deep).as_deref(), Some("\"MAX_DEPTH_EXCEEDED\""));
        assert!(deep.message.contains("15"));
        let costly = classify(ServerError::new(TOO_COMPLEX, None), (15, 100));
        assert_eq!(code(&costly).as_deref(), Some("\"MAX_COMPLEXITY_EXCEEDED\""));
        assert!(costly.message.contains("100"));
    }

    #[test]
    fn other_request_errors_are_validation_failures_and_coded_errors_pass() {
        let unknown = classify(ServerError::new("Unknown field \"x\"", None), (1, 1));
        assert_eq!(code(&unknown).as_deref(), Some("\"GRAPHQL_VALIDATION_FAILED\""));
        let coded = with_code(ServerError::new("no", None), ErrorCode::Forbidden);
        assert_eq!(code(&classify(coded, (1, 1))).as_deref(), Some("\"FORBIDDEN\""));
    }
}
