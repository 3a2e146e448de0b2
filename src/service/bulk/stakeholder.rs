//! `upsertStakeholders`: a row updates the live person with its external id, else the live
//! person of its account with its email (ignoring case), else creates one as
//! `createStakeholder` does (an INQUIRY with its first stage stay, fit-scored).

use std::collections::HashMap;

use entity::stakeholder::{Column, Model};
use sea_orm::{
    ColumnTrait, DatabaseConnection, QueryFilter,
    sea_query::{Expr, ExprTrait, Func},
};
use uuid::Uuid;

use super::{
    Action, Outcome, Parent, Upserted, authorize_plan, check_size, claim, external_ids, invalid,
    named_otherwise, parents,
};
use crate::{
    domain::{
        authz::{self, Principal},
        permission::Permission,
    },
    error::AppError,
    service::{
        stakeholder::{self, NewStakeholder, StakeholderChanges},
        write,
    },
};

/// One row: the parent account as given, and the person.
pub struct StakeholderRow {
    pub parent: Parent,
    pub person: NewStakeholder,
}

/// The change an upsert row makes to the person it matched: every field the row gives, the
/// others kept as they are.
fn changes(id: Uuid, row: NewStakeholder, external_id: String) -> StakeholderChanges {
    StakeholderChanges {
        id,
        first_name: Some(row.first_name),
        last_name: Some(row.last_name),
        title: row.title.map(Some),
        department: row.department.map(Some),
        email: row.email.map(Some),
        phone: row.phone.map(Some),
        persona_id: row.persona_id,
        buying_role: row.buying_role,
        influence: row.influence.map(Some),
        sentiment: row.sentiment,
        reports_to_id: row.reports_to_id,
        lead_source: row.lead_source.map(Some),
        referred_by_id: row.referred_by_id,
        owner_id: row.owner_id,
        marketing_owner_id: row.marketing_owner_id,
        external_id: Some(Some(external_id)),
        expected_version: None,
    }
}

/// Creates or updates stakeholders, all or nothing (see the module above). Callers need
/// `stakeholder.create` for the rows that create and `stakeholder.update` (reaching the person)
/// for those that update. Holds one write transaction for the call; reads the parents by
/// external id, then the matches by external id and by (account, email): three statements.
pub async fn upsert(
    db: &DatabaseConnection,
    principal: &Principal,
    rows: Vec<StakeholderRow>,
) -> Result<Upserted<Model>, AppError> {
    check_size(rows.len())?;
    authz::authorize_any(
        principal,
        &[Permission::StakeholderCreate, Permission::StakeholderUpdate],
    )?;
    let mut errors = Vec::new();
    let keys = external_ids(
        &mut errors,
        rows.iter()
            .map(|r| r.person.external_id.as_deref().unwrap_or_default()),
    );
    let txn = write(db).await?;
    let accounts = parents(&txn, principal, &mut errors, rows.iter().map(|r| &r.parent)).await?;
    // Matching reads through the caller's finder, as createStakeholder's checks do.
    let live = || stakeholder::visible(principal).map(|s| s.filter(Column::ArchivedAt.is_null()));
    let wanted: Vec<String> = keys.iter().flatten().cloned().collect();
    let by_key: HashMap<String, Model> = if wanted.is_empty() {
        HashMap::new()
    } else {
        live()?
            .filter(Column::ExternalId.is_in(wanted))
            .all(&txn)
            .await?
            .into_iter()
            .filter_map(|m| m.external_id.clone().map(|k| (k, m)))
            .collect()
    };
    // The people of the call's accounts with the emails of the rows not matched by key.
    let email_of = |row: &StakeholderRow| {
        row.person
            .email
            .as_deref()
            .map(|e| e.trim().to_lowercase())
            .filter(|e| !e.is_empty())
    };
    let mut match_accounts = Vec::new();
    let mut match_emails = Vec::new();
    for ((row, key), account) in rows.iter().zip(&keys).zip(&accounts) {
        if let (Some(key), Some(account), Some(email)) = (key, account, email_of(row))
            && !by_key.contains_key(key)
        {
            match_accounts.push(*account);
            match_emails.push(email);
        }
    }
    let by_email: HashMap<(Uuid, String), (Uuid, Option<String>)> = if match_emails.is_empty() {
        HashMap::new()
    } else {
        live()?
            .filter(Column::AccountId.is_in(match_accounts))
            .filter(Expr::expr(Func::lower(Expr::col(Column::Email))).is_in(match_emails))
            .all(&txn)
            .await?
            .into_iter()
            // Matching by email tells whether a person with that address exists: only among
            // the people whose contact details the caller may read, as the email search does.
            .filter(|m| stakeholder::may_read_contact(principal, m).is_ok())
            .filter_map(|m| {
                let email = m.email?.to_lowercase();
                Some(((m.account_id, email), (m.id, m.external_id)))
            })
            .collect()
    };
    let mut plan = Vec::with_capacity(rows.len());
    for (index, ((row, key), account)) in rows.iter().zip(&keys).zip(&accounts).enumerate() {
        let (Some(key), Some(account)) = (key, account) else {
            plan.push(None);
            continue;
        };
        let action = match by_key.get(key) {
            // A person's account never changes (updateStakeholder cannot move them either).
            Some(found) if found.account_id != *account => {
                errors.push(invalid(
                    index,
                    row.parent.field(),
                    "the person with this externalId works at another account",
                ));
                plan.push(None);
                continue;
            }
            Some(found) => Action::Update(found.id),
            None => match email_of(row).and_then(|e| by_email.get(&(*account, e))) {
                Some((_, Some(other))) if other != key => {
                    errors.push(named_otherwise(index));
                    plan.push(None);
                    continue;
                }
                Some((id, _)) => Action::Update(*id),
                None => Action::Create,
            },
        };
        plan.push(Some(action));
    }
    authorize_plan(
        principal,
        &plan,
        Permission::StakeholderCreate,
        Permission::StakeholderUpdate,
    )?;
    let mut claimed = HashMap::new();
    let mut out = Outcome::new();
    let steps = rows.into_iter().zip(keys).zip(accounts).zip(plan);
    for (index, (((row, key), account), action)) in steps.enumerate() {
        let (Some(key), Some(account), Some(action)) = (key, account, action) else {
            continue;
        };
        if !claim(&mut errors, &mut claimed, index, action) {
            continue;
        }
        let savepoint = Outcome::<Model>::savepoint(&txn).await?;
        let result = match action {
            Action::Create => {
                let new = NewStakeholder {
                    account_id: Some(account),
                    external_id: Some(key),
                    ..row.person
                };
                stakeholder::create_in(&savepoint, principal, new).await
            }
            Action::Update(id) => {
                stakeholder::update_in(&savepoint, principal, changes(id, row.person, key)).await
            }
        };
        out.record(index, action, savepoint, result).await?;
    }
    out.errors.extend(errors);
    out.finish(txn).await
}
