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
    /// Too many attempts: try again after this long (a `Retry-After` for the client).
    Throttled {
        retry_after_seconds: u64,
    },
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
            Self::Throttled { retry_after_seconds } => {
                format!("too many attempts: try again in {retry_after_seconds} s")
            }
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
            Self::Throttled { .. } => ErrorCode::Throttled,
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
        // PostgreSQL's `statement_timeout` (SQLSTATE 57014) stopped the statement: the request
        // ran out of time, which the client may retry, not a fault of the server.
        let cancelled = match &err {
            sea_orm::DbErr::Query(sea_orm::RuntimeErr::SqlxError(e))
            | sea_orm::DbErr::Exec(sea_orm::RuntimeErr::SqlxError(e)) => e
                .as_database_error()
                .and_then(|d| d.code())
                .is_some_and(|code| code == "57014"),
            _ => false,
        };
        if cancelled {
            return Self::Throttled {
                retry_after_seconds: 1,
            };
        }
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

/// A unique index, as each store names it when it is violated: PostgreSQL by the index or
/// constraint name, SQLite by the indexed columns.
pub struct Unique {
    pub name: &'static str,
    /// `table.column, table.column`, as SQLite lists them.
    pub columns: &'static str,
}

pub const ACCOUNT_DOMAIN: Unique = Unique {
    name: "ux_account_domain_live",
    columns: "account.domain",
};
pub const ACCOUNT_EXTERNAL_ID: Unique = Unique {
    name: "ux_account_external_id_live",
    columns: "account.external_id",
};
pub const STAKEHOLDER_EXTERNAL_ID: Unique = Unique {
    name: "ux_stakeholder_external_id_live",
    columns: "stakeholder.external_id",
};
pub const OPPORTUNITY_EXTERNAL_ID: Unique = Unique {
    name: "ux_opportunity_external_id_live",
    columns: "opportunity.external_id",
};
pub const PARTICIPANT: Unique = Unique {
    name: "ux_deal_participant_opportunity_stakeholder",
    columns: "deal_participant.opportunity_id, deal_participant.stakeholder_id",
};
pub const PERSONA_NAME: Unique = Unique {
    name: "ux_persona_name_key",
    columns: "persona.name_key",
};
/// Column constraints, named by PostgreSQL as `table_column_key`.
pub const ROLE_NAME: Unique = Unique {
    name: "role_name_key_key",
    columns: "role.name_key",
};
pub const USER_EMAIL: Unique = Unique {
    name: "app_user_email_key_key",
    columns: "app_user.email_key",
};

/// True when `err` violates the unique index `unique`, and no other: the caller turns it into a
/// TAKEN error on the field that index guards, which closes the race between "check the name
/// is free" and "insert it". Another unique violation is not that field's fault and stays an
/// error of its own.
pub fn is_unique_violation(err: &sea_orm::DbErr, unique: &Unique) -> bool {
    match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(message)) => violates(&message, unique),
        _ => false,
    }
}

fn violates(message: &str, unique: &Unique) -> bool {
    message.contains(&format!("\"{}\"", unique.name))
        || message
            .trim_end()
            .ends_with(&format!("UNIQUE constraint failed: {}", unique.columns))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_violation_is_matched_by_the_index_it_names() {
        let pg = "duplicate key value violates unique constraint \"ux_deal_participant_primary\"";
        assert!(!violates(pg, &PARTICIPANT));
        let pg =
            "duplicate key value violates unique constraint \"ux_deal_participant_opportunity_stakeholder\"";
        assert!(violates(pg, &PARTICIPANT));
        let sqlite = "UNIQUE constraint failed: deal_participant.opportunity_id";
        assert!(!violates(sqlite, &PARTICIPANT), "the primary index, not the pair");
        let sqlite =
            "UNIQUE constraint failed: deal_participant.opportunity_id, deal_participant.stakeholder_id";
        assert!(violates(sqlite, &PARTICIPANT));
        assert!(violates(
            "UNIQUE constraint failed: account.domain",
            &ACCOUNT_DOMAIN
        ));
        assert!(!violates(
            "UNIQUE constraint failed: account.domain_x",
            &ACCOUNT_DOMAIN
        ));
    }
}
