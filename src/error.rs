//! The one error vocabulary of trapeze.
//!
//! Services answer `Result<T, AppError>`. A broken business rule is `AppError::Rejected` with
//! field-level [`UserError`]s, which mutations turn into `userErrors` (HTTP 200, nothing written).
//! Everything else becomes a top-level GraphQL error whose `extensions.code` is an [`ErrorCode`];
//! an internal cause is logged with the request id at the edge and never shown to the client.

use std::fmt;

/// The closed set of `extensions.code` values of top-level errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    NotFound,
    BadUserInput,
    GraphqlParseFailed,
    GraphqlValidationFailed,
    MaxDepthExceeded,
    MaxComplexityExceeded,
    MaxAliasesExceeded,
    Throttled,
    InternalServerError,
}

impl ErrorCode {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            Self::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Self::MaxDepthExceeded => "MAX_DEPTH_EXCEEDED",
            Self::MaxComplexityExceeded => "MAX_COMPLEXITY_EXCEEDED",
            Self::MaxAliasesExceeded => "MAX_ALIASES_EXCEEDED",
            Self::Throttled => "THROTTLED",
            Self::InternalServerError => "INTERNAL_SERVER_ERROR",
        }
    }

    /// Codes given before execution starts: the request as a whole was refused ("request error"
    /// in the GraphQL-over-HTTP spec), so the response carries no `data`.
    pub const fn is_request_error(self) -> bool {
        matches!(
            self,
            Self::GraphqlParseFailed
                | Self::GraphqlValidationFailed
                | Self::MaxDepthExceeded
                | Self::MaxComplexityExceeded
                | Self::MaxAliasesExceeded
        )
    }

    pub fn parse(code: &str) -> Option<Self> {
        const ALL: [ErrorCode; 11] = [
            ErrorCode::Unauthenticated,
            ErrorCode::Forbidden,
            ErrorCode::NotFound,
            ErrorCode::BadUserInput,
            ErrorCode::GraphqlParseFailed,
            ErrorCode::GraphqlValidationFailed,
            ErrorCode::MaxDepthExceeded,
            ErrorCode::MaxComplexityExceeded,
            ErrorCode::MaxAliasesExceeded,
            ErrorCode::Throttled,
            ErrorCode::InternalServerError,
        ];
        ALL.into_iter().find(|c| c.as_str() == code)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a business rule refused a change (`UserError.code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// One refused field of a mutation's input. `field` is the path inside the input object
/// (`["name"]`); it is empty when the refusal is about the whole input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserError {
    pub field: Vec<String>,
    pub message: String,
    pub code: UserErrorCode,
}

impl UserError {
    pub fn new(field: &[&str], code: UserErrorCode, message: impl Into<String>) -> Self {
        Self {
            field: field.iter().map(|s| (*s).to_owned()).collect(),
            message: message.into(),
            code,
        }
    }
}

/// Every way a service call can fail.
///
/// Deliberately not `Display`: async-graphql converts any `Display` type into an error that
/// echoes its text, and an internal cause must never reach a client that way. The conversion
/// lives in `graphql::error`, where the internal cause is kept aside for the log.
#[derive(Debug)]
pub enum AppError {
    Unauthenticated,
    Forbidden,
    NotFound,
    BadUserInput(String),
    /// Business rules refused the input: a mutation's `userErrors`.
    Rejected(Vec<UserError>),
    /// A cause the client must not see: logged with the request id, answered generically.
    Internal(String),
}

impl AppError {
    pub fn rejected(field: &[&str], code: UserErrorCode, message: impl Into<String>) -> Self {
        Self::Rejected(vec![UserError::new(field, code, message)])
    }

    pub fn internal(cause: impl fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    /// The message a client may see.
    pub fn public_message(&self) -> String {
        match self {
            Self::Unauthenticated => "authentication required".into(),
            Self::Forbidden => "not allowed".into(),
            Self::NotFound => "not found".into(),
            Self::BadUserInput(message) => message.clone(),
            Self::Rejected(errors) => errors
                .iter()
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            Self::Internal(_) => "Internal server error".into(),
        }
    }

    /// A description for an operator (start-up, the command line): user errors with their
    /// fields, internal causes in full. Never sent to an API client.
    pub fn public_cause(&self) -> String {
        match self {
            Self::Rejected(errors) => errors
                .iter()
                .map(|e| {
                    if e.field.is_empty() {
                        e.message.clone()
                    } else {
                        format!("{}: {}", e.field.join("."), e.message)
                    }
                })
                .collect::<Vec<_>>()
                .join("; "),
            Self::Internal(cause) => cause.clone(),
            other => other.public_message(),
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unauthenticated => ErrorCode::Unauthenticated,
            Self::Forbidden => ErrorCode::Forbidden,
            Self::NotFound => ErrorCode::NotFound,
            Self::BadUserInput(_) | Self::Rejected(_) => ErrorCode::BadUserInput,
            Self::Internal(_) => ErrorCode::InternalServerError,
        }
    }
}

impl From<crate::domain::authz::Denied> for AppError {
    fn from(_: crate::domain::authz::Denied) -> Self {
        Self::Forbidden
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Internal(format!("database: {err}"))
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(err: sea_orm::TransactionError<AppError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(e) => e.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}

/// True when `err` is a unique-key violation: the caller turns it into a TAKEN field error,
/// which closes the race between "check the name is free" and "insert it".
pub fn is_unique_violation(err: &sea_orm::DbErr) -> bool {
    matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}
