//! The edge of the error vocabulary: `AppError` becomes a top-level GraphQL error with
//! `extensions.code`, or the `userErrors` of a mutation payload.

use std::sync::Arc;

use async_graphql::{Enum, ErrorExtensions, SimpleObject};

use crate::error::{self, AppError, ErrorCode};

/// Why a mutation refused its input.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::error::UserErrorCode")]
pub enum UserErrorCode {
    Invalid,
    Taken,
    NotFound,
    Forbidden,
    StaleVersion,
    InvalidTransition,
    ReasonRequired,
    LastAdmin,
    InUse,
}

/// A business rule the input broke. Nothing was written.
#[derive(SimpleObject, Clone)]
pub struct UserError {
    /// The path to the input field at fault, inside `input` (`["name"]`); null for the whole input.
    pub field: Option<Vec<String>>,
    pub message: String,
    pub code: UserErrorCode,
}

impl From<error::UserError> for UserError {
    fn from(e: error::UserError) -> Self {
        Self {
            field: if e.field.is_empty() { None } else { Some(e.field) },
            message: e.message,
            code: e.code.into(),
        }
    }
}

/// The extension of a THROTTLED error that says how many seconds to wait (also sent as the
/// `Retry-After` header).
pub const RETRY_AFTER: &str = "retryAfterSeconds";

/// The message every internal error answers with; the cause goes to the log only.
pub const INTERNAL_MESSAGE: &str = "Internal server error";

/// The cause of an internal error, carried as the error's source to the edge that logs it.
#[derive(Debug)]
pub struct InternalCause(pub String);

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        let code = err.code();
        let mut e = async_graphql::Error::new(err.public_message());
        let retry_after = match err {
            AppError::Internal(cause) => {
                e.source = Some(Arc::new(InternalCause(cause)));
                None
            }
            AppError::Throttled { retry_after_seconds } => Some(retry_after_seconds),
            _ => None,
        };
        e.extend_with(|_, ext| {
            ext.set("code", code.as_str());
            if let Some(seconds) = retry_after {
                ext.set(RETRY_AFTER, seconds);
            }
        })
    }
}

/// Splits a service result for a mutation payload: the value, or the user errors; anything else
/// is a top-level error.
pub fn payload<T>(result: Result<T, AppError>) -> async_graphql::Result<(Option<T>, Vec<UserError>)> {
    match result {
        Ok(value) => Ok((Some(value), Vec::new())),
        Err(AppError::Rejected(errors)) => Ok((None, errors.into_iter().map(Into::into).collect())),
        Err(other) => Err(other.into()),
    }
}

/// A top-level error with a code, for the transport's own refusals.
pub fn coded(message: impl Into<String>, code: ErrorCode) -> async_graphql::ServerError {
    let mut e = async_graphql::ServerError::new(message, None);
    e.extensions
        .get_or_insert_with(Default::default)
        .set("code", code.as_str());
    e
}
