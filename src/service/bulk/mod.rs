//! Bulk upserts of accounts, stakeholders and opportunities, for integrators loading a CRM's
//! records: up to [`MAX_ROWS`] rows a call, each matched to an existing record (by external id,
//! then by the type's natural key) and updated, or else created, through the very `create_in` /
//! `update_in` functions the single-record mutations use, so validation, permissions and the
//! consequences of a create (a lead's first stage stay, its fit score) are the same.
//!
//! All or nothing: the rows run in one transaction, each inside a savepoint so that a refused
//! row (a unique index on PostgreSQL aborts the statement) does not stop the rows after it from
//! being checked; when any row is refused the transaction is rolled back and every refusal is
//! answered at `["rows", "<index>", "<field>"]`. The lookups that match rows run once per kind
//! for the whole call (`... IN (...)`), never once per row.

pub mod account;
pub mod opportunity;
pub mod stakeholder;

use std::collections::HashMap;

use entity::account::Column as account_column;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, QueryFilter, TransactionTrait};
use uuid::Uuid;

use crate::{
    domain::{
        authz::{self, Principal, Resource},
        permission::Permission,
        text,
    },
    error::{AppError, UserError, UserErrorCode},
    service::account as accounts,
};

/// The most rows one upsert takes; more is BAD_USER_INPUT (the request is malformed for this
/// API, not a business rule one row broke).
pub const MAX_ROWS: usize = 500;

/// What an upsert wrote, the records in the order of the rows.
#[derive(Debug)]
pub struct Upserted<M> {
    pub records: Vec<M>,
    pub created: usize,
    pub updated: usize,
}

/// Where a row's parent account comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parent {
    /// `accountId`; `None` when the ID names no account.
    Id(Option<Uuid>),
    /// `accountExternalId`.
    External(String),
    Neither,
    Both,
}

impl Parent {
    /// The row field that names the parent, where its refusals are reported.
    pub fn field(&self) -> &'static str {
        match self {
            Parent::External(_) | Parent::Both => "accountExternalId",
            Parent::Id(_) | Parent::Neither => "accountId",
        }
    }
}

/// The rows' parent accounts, the external ids read in one statement among the live accounts
/// the caller may read (`None` for a row refused here, its error kept). An `accountId` is passed
/// on as given: the create checks it as `createStakeholder` does.
async fn parents<'a>(
    db: &impl ConnectionTrait,
    principal: &Principal,
    errors: &mut Vec<UserError>,
    rows: impl Iterator<Item = &'a Parent>,
) -> Result<Vec<Option<Uuid>>, AppError> {
    let rows: Vec<&Parent> = rows.collect();
    let wanted: Vec<String> = rows
        .iter()
        .filter_map(|p| match p {
            Parent::External(k) => Some(k.trim().to_owned()),
            _ => None,
        })
        .collect();
    let found: HashMap<String, Uuid> = if wanted.is_empty() {
        HashMap::new()
    } else {
        accounts::visible(principal)?
            .filter(account_column::ArchivedAt.is_null())
            .filter(account_column::ExternalId.is_in(wanted))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|m| m.external_id.map(|k| (k, m.id)))
            .collect()
    };
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(index, parent)| {
            let refused =
                |code, message: &str| row_error(index, UserError::new(&[parent.field()], code, message));
            match parent {
                Parent::Id(Some(id)) => Some(*id),
                Parent::Id(None) => {
                    errors.push(refused(UserErrorCode::NotFound, "no account has this id"));
                    None
                }
                Parent::External(k) => {
                    let id = found.get(k.trim()).copied();
                    if id.is_none() {
                        errors.push(refused(
                            UserErrorCode::NotFound,
                            "no live account has this external id",
                        ));
                    }
                    id
                }
                Parent::Neither => {
                    errors.push(refused(
                        UserErrorCode::Invalid,
                        "give accountId or accountExternalId",
                    ));
                    None
                }
                Parent::Both => {
                    errors.push(refused(
                        UserErrorCode::Invalid,
                        "give accountId or accountExternalId, not both",
                    ));
                    None
                }
            }
        })
        .collect())
}

/// What a matched row does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Create,
    Update(Uuid),
}

fn check_size(rows: usize) -> Result<(), AppError> {
    if rows > MAX_ROWS {
        return Err(AppError::BadUserInput(format!(
            "an upsert takes at most {MAX_ROWS} rows; send the rest in another call"
        )));
    }
    Ok(())
}

/// `error` re-addressed to row `index`: `["rows", "<index>", ...]`. The record a row names is
/// found by its external id, so a refusal about the record (`id`) is reported there.
fn row_error(index: usize, mut error: UserError) -> UserError {
    let mut field = vec!["rows".to_owned(), index.to_string()];
    match error.field.as_slice() {
        [only] if only == "id" => field.push("externalId".to_owned()),
        _ => field.append(&mut error.field),
    }
    error.field = field;
    error
}

/// The rulebook's word on a planned call: `create` when a row creates, `update` when a row
/// updates (its scope is checked per record by the update itself).
fn authorize_plan(
    principal: &Principal,
    plan: &[Option<Action>],
    create: Permission,
    update: Permission,
) -> Result<(), AppError> {
    if plan.contains(&Some(Action::Create)) {
        authz::authorize(principal, create, Resource::Any)?;
    }
    if plan.iter().any(|a| matches!(a, Some(Action::Update(_)))) {
        authz::authorize(principal, update, Resource::Any)?;
    }
    Ok(())
}

fn invalid(index: usize, field: &str, message: impl Into<String>) -> UserError {
    row_error(index, UserError::new(&[field], UserErrorCode::Invalid, message))
}

/// A row matched a record by its natural key (an account's domain, a person's email) while that
/// record already carries another external id: updating it would take the record away from the
/// system that named it first, and the two syncs would overwrite each other for ever.
fn named_otherwise(index: usize) -> UserError {
    row_error(
        index,
        UserError::new(
            &["externalId"],
            UserErrorCode::Taken,
            "the record this row matches already has another externalId",
        ),
    )
}

/// The rows' validated external ids (`None` for a refused one, its error kept), refusing an
/// external id given twice in one call: the second row would silently overwrite the first.
fn external_ids<'a>(errors: &mut Vec<UserError>, ids: impl Iterator<Item = &'a str>) -> Vec<Option<String>> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    ids.enumerate()
        .map(|(index, raw)| match text::external_id("externalId", raw) {
            Ok(id) => {
                if let Some(first) = seen.get(&id) {
                    errors.push(invalid(
                        index,
                        "externalId",
                        format!("row {first} has the same externalId"),
                    ));
                    return None;
                }
                seen.insert(id.clone(), index);
                Some(id)
            }
            Err(e) => {
                errors.push(row_error(index, e));
                None
            }
        })
        .collect()
}

/// Refuses a row whose target record an earlier row of the call already writes (matched by
/// another key): one record, one row.
fn claim(
    errors: &mut Vec<UserError>,
    claimed: &mut HashMap<Uuid, usize>,
    index: usize,
    action: Action,
) -> bool {
    if let Action::Update(id) = action {
        if let Some(first) = claimed.get(&id) {
            errors.push(invalid(
                index,
                "externalId",
                format!("row {first} already updates the same record"),
            ));
            return false;
        }
        claimed.insert(id, index);
    }
    true
}

/// The rows' outcomes as they run, in order.
struct Outcome<M> {
    records: Vec<M>,
    created: usize,
    updated: usize,
    errors: Vec<UserError>,
}

impl<M> Outcome<M> {
    fn new() -> Self {
        Self {
            records: Vec::new(),
            created: 0,
            updated: 0,
            errors: Vec::new(),
        }
    }

    /// A savepoint for one row, so that its failure can be undone alone.
    async fn savepoint(txn: &DatabaseTransaction) -> Result<DatabaseTransaction, AppError> {
        Ok(txn.begin().await?)
    }

    /// Keeps row `index`'s result: a record releases the savepoint, a refusal rolls it back and
    /// is kept for the answer; any other failure ends the call.
    async fn record(
        &mut self,
        index: usize,
        action: Action,
        savepoint: DatabaseTransaction,
        result: Result<M, AppError>,
    ) -> Result<(), AppError> {
        match result {
            Ok(model) => {
                savepoint.commit().await?;
                self.records.push(model);
                match action {
                    Action::Create => self.created += 1,
                    Action::Update(_) => self.updated += 1,
                }
                Ok(())
            }
            Err(AppError::Rejected(errors)) => {
                savepoint.rollback().await?;
                self.errors
                    .extend(errors.into_iter().map(|e| row_error(index, e)));
                Ok(())
            }
            // A row the caller may read but not change (an OWN grant on someone else's record).
            Err(AppError::Forbidden) => {
                savepoint.rollback().await?;
                self.errors.push(row_error(
                    index,
                    UserError::new(
                        &["externalId"],
                        UserErrorCode::Forbidden,
                        "you may not change this record",
                    ),
                ));
                Ok(())
            }
            Err(other) => Err(other),
        }
    }

    /// Commits when every row was written, else rolls everything back and answers the
    /// refusals, ordered by row.
    async fn finish(mut self, txn: DatabaseTransaction) -> Result<Upserted<M>, AppError> {
        if !self.errors.is_empty() {
            txn.rollback().await?;
            self.errors.sort_by_key(|e| {
                e.field
                    .get(1)
                    .and_then(|i| i.parse::<usize>().ok())
                    .unwrap_or(usize::MAX)
            });
            return Err(AppError::Rejected(self.errors));
        }
        txn.commit().await?;
        Ok(Upserted {
            records: self.records,
            created: self.created,
            updated: self.updated,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_error_is_addressed_under_its_row() {
        let e = row_error(17, UserError::new(&["email"], UserErrorCode::Invalid, "bad"));
        assert_eq!(e.field, ["rows", "17", "email"]);
    }

    #[test]
    fn a_refusal_about_the_record_is_reported_on_its_external_id() {
        let e = row_error(2, UserError::new(&["id"], UserErrorCode::NotFound, "gone"));
        assert_eq!(e.field, ["rows", "2", "externalId"]);
    }

    #[test]
    fn an_external_id_given_twice_refuses_the_second_row() {
        let mut errors = Vec::new();
        let ids = external_ids(&mut errors, ["a", "b", " a "].into_iter());
        assert_eq!(ids, [Some("a".to_owned()), Some("b".to_owned()), None]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, ["rows", "2", "externalId"]);
    }

    #[test]
    fn a_blank_external_id_is_refused() {
        let mut errors = Vec::new();
        let ids = external_ids(&mut errors, ["  "].into_iter());
        assert_eq!(ids, [None]);
        assert_eq!(errors[0].field, ["rows", "0", "externalId"]);
    }

    #[test]
    fn one_record_is_written_by_one_row_only() {
        let mut errors = Vec::new();
        let mut claimed = HashMap::new();
        let id = Uuid::nil();
        assert!(claim(&mut errors, &mut claimed, 0, Action::Update(id)));
        assert!(claim(&mut errors, &mut claimed, 1, Action::Create));
        assert!(!claim(&mut errors, &mut claimed, 2, Action::Update(id)));
        assert_eq!(errors[0].field, ["rows", "2", "externalId"]);
    }

    #[test]
    fn more_than_the_limit_of_rows_is_bad_input() {
        assert!(check_size(MAX_ROWS).is_ok());
        assert!(matches!(check_size(MAX_ROWS + 1), Err(AppError::BadUserInput(_))));
    }
}
