//! `upsertAccounts`: a row updates the live account with its external id, else the live account
//! with its domain, else creates one.

use std::collections::HashMap;

use entity::account::{Column, Model};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter};
use uuid::Uuid;

use super::{Action, Outcome, Upserted, authorize_plan, check_size, claim, external_ids, named_otherwise};
use crate::{
    domain::{
        account as rules,
        authz::{self, Principal},
        permission::Permission,
    },
    error::AppError,
    service::{
        account::{self, AccountChanges, NewAccount},
        write,
    },
};

/// The change an upsert row makes to the account it matched: every field the row gives, the
/// others kept as they are.
fn changes(id: Uuid, row: NewAccount, external_id: String) -> AccountChanges {
    AccountChanges {
        id,
        name: Some(row.name),
        domain: row.domain.map(Some),
        industry: row.industry.map(Some),
        employee_count: row.employee_count.map(Some),
        tier: row.tier,
        status: row.status,
        owner_id: row.owner_id,
        marketing_owner_id: row.marketing_owner_id,
        external_id: Some(Some(external_id)),
        expected_version: None,
    }
}

/// Creates or updates accounts, all or nothing (see the module above). Callers need
/// `account.create` for the rows that create and `account.update` (reaching the record) for
/// those that update. Holds one write transaction for the call; reads the matches in two
/// statements (external ids, then domains).
pub async fn upsert(
    db: &DatabaseConnection,
    principal: &Principal,
    rows: Vec<NewAccount>,
) -> Result<Upserted<Model>, AppError> {
    check_size(rows.len())?;
    authz::authorize_any(principal, &[Permission::AccountCreate, Permission::AccountUpdate])?;
    let mut errors = Vec::new();
    let keys = external_ids(
        &mut errors,
        rows.iter().map(|r| r.external_id.as_deref().unwrap_or_default()),
    );
    let txn = write(db).await?;
    // Matching reads through the caller's finder: a record they may not read is never matched
    // (creating it then meets the unique index, TAKEN, as createAccount would).
    let live = || account::visible(principal).map(|s| s.filter(Column::ArchivedAt.is_null()));
    let wanted: Vec<String> = keys.iter().flatten().cloned().collect();
    let by_key: HashMap<String, Uuid> = if wanted.is_empty() {
        HashMap::new()
    } else {
        live()?
            .filter(Column::ExternalId.is_in(wanted))
            .all(&txn)
            .await?
            .into_iter()
            .filter_map(|m| m.external_id.map(|k| (k, m.id)))
            .collect()
    };
    // An invalid domain is left for the create or update to refuse.
    let domains: Vec<Option<String>> = rows
        .iter()
        .map(|r| {
            r.domain
                .as_deref()
                .and_then(|d| rules::normalize_domain(d).ok().flatten())
        })
        .collect();
    let unmatched_domains: Vec<String> = keys
        .iter()
        .zip(&domains)
        .filter(|(k, _)| k.as_ref().is_some_and(|k| !by_key.contains_key(k)))
        .filter_map(|(_, d)| d.clone())
        .collect();
    let by_domain: HashMap<String, (Uuid, Option<String>)> = if unmatched_domains.is_empty() {
        HashMap::new()
    } else {
        live()?
            .filter(Column::Domain.is_in(unmatched_domains))
            .all(&txn)
            .await?
            .into_iter()
            .filter_map(|m| m.domain.map(|d| (d, (m.id, m.external_id))))
            .collect()
    };
    let plan: Vec<Option<Action>> = keys
        .iter()
        .zip(&domains)
        .enumerate()
        .map(|(index, (key, domain))| {
            let key = key.as_ref()?;
            if let Some(id) = by_key.get(key) {
                return Some(Action::Update(*id));
            }
            match domain.as_ref().and_then(|d| by_domain.get(d)) {
                Some((_, Some(other))) if other != key => {
                    errors.push(named_otherwise(index));
                    None
                }
                Some((id, _)) => Some(Action::Update(*id)),
                None => Some(Action::Create),
            }
        })
        .collect();
    authorize_plan(
        principal,
        &plan,
        Permission::AccountCreate,
        Permission::AccountUpdate,
    )?;
    let mut claimed = HashMap::new();
    let mut out = Outcome::new();
    for (index, ((row, key), action)) in rows.into_iter().zip(keys).zip(plan).enumerate() {
        let (Some(key), Some(action)) = (key, action) else {
            continue;
        };
        if !claim(&mut errors, &mut claimed, index, action) {
            continue;
        }
        let savepoint = Outcome::<Model>::savepoint(&txn).await?;
        let result = match action {
            Action::Create => {
                let new = NewAccount {
                    external_id: Some(key),
                    ..row
                };
                account::create_in(&savepoint, principal, new).await
            }
            Action::Update(id) => account::update_in(&savepoint, principal, changes(id, row, key)).await,
        };
        out.record(index, action, savepoint, result).await?;
    }
    out.errors.extend(errors);
    out.finish(txn).await
}
