//! `upsertOpportunities`: a row updates the live deal with its external id, else creates one as
//! `createOpportunity` does (at DISCOVERY with its first stage stay). Deals have no natural key
//! besides it: two deals of one account may share a name.

use std::collections::HashMap;

use entity::opportunity::{Column, Model};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter};
use uuid::Uuid;

use super::{
    Action, Outcome, Parent, Upserted, authorize_plan, check_size, claim, external_ids, invalid, parents,
};
use crate::{
    domain::{
        authz::{self, Principal},
        permission::Permission,
    },
    error::AppError,
    service::{
        opportunity::{self, NewOpportunity, OpportunityChanges},
        write,
    },
};

/// One row: the parent account as given, the deal, and its competitors when given (left out,
/// an update keeps them; given, they replace the list).
pub struct OpportunityRow {
    pub parent: Parent,
    pub deal: NewOpportunity,
    pub competitors: Option<Vec<String>>,
}

/// The change an upsert row makes to the deal it matched: every field the row gives, the others
/// kept as they are. The stage moves only through `moveOpportunityStage`.
fn changes(id: Uuid, row: OpportunityRow, external_id: String) -> OpportunityChanges {
    let deal = row.deal;
    OpportunityChanges {
        id,
        name: Some(deal.name),
        amount: deal.amount.map(Some),
        probability: deal.probability.map(Some),
        expected_close_date: deal.expected_close_date.map(Some),
        owner_id: deal.owner_id,
        lead_source: deal.lead_source.map(Some),
        competitors: row.competitors,
        external_id: Some(Some(external_id)),
        expected_version: None,
    }
}

/// Creates or updates opportunities, all or nothing (see the module above). Callers need
/// `opportunity.create` for the rows that create and `opportunity.update` (reaching the deal)
/// for those that update. Holds one write transaction for the call; reads the parents and the
/// matches by external id in two statements.
pub async fn upsert(
    db: &DatabaseConnection,
    principal: &Principal,
    rows: Vec<OpportunityRow>,
) -> Result<Upserted<Model>, AppError> {
    check_size(rows.len())?;
    authz::authorize_any(
        principal,
        &[Permission::OpportunityCreate, Permission::OpportunityUpdate],
    )?;
    let mut errors = Vec::new();
    let keys = external_ids(
        &mut errors,
        rows.iter()
            .map(|r| r.deal.external_id.as_deref().unwrap_or_default()),
    );
    let txn = write(db).await?;
    let accounts = parents(&txn, principal, &mut errors, rows.iter().map(|r| &r.parent)).await?;
    let wanted: Vec<String> = keys.iter().flatten().cloned().collect();
    // Matching reads through the caller's finder, as createOpportunity's checks do.
    let by_key: HashMap<String, Model> = if wanted.is_empty() {
        HashMap::new()
    } else {
        opportunity::visible(principal)?
            .filter(Column::ArchivedAt.is_null())
            .filter(Column::ExternalId.is_in(wanted))
            .all(&txn)
            .await?
            .into_iter()
            .filter_map(|m| m.external_id.clone().map(|k| (k, m)))
            .collect()
    };
    let mut plan = Vec::with_capacity(rows.len());
    for (index, ((row, key), account)) in rows.iter().zip(&keys).zip(&accounts).enumerate() {
        let (Some(key), Some(account)) = (key, account) else {
            plan.push(None);
            continue;
        };
        plan.push(match by_key.get(key) {
            // A deal's account never changes (updateOpportunity cannot move it either).
            Some(found) if found.account_id != *account => {
                errors.push(invalid(
                    index,
                    row.parent.field(),
                    "the deal with this externalId belongs to another account",
                ));
                None
            }
            Some(found) => Some(Action::Update(found.id)),
            None => Some(Action::Create),
        });
    }
    authorize_plan(
        principal,
        &plan,
        Permission::OpportunityCreate,
        Permission::OpportunityUpdate,
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
                let new = NewOpportunity {
                    account_id: Some(account),
                    external_id: Some(key),
                    competitors: row.competitors.unwrap_or_default(),
                    ..row.deal
                };
                opportunity::create_in(&savepoint, principal, new).await
            }
            Action::Update(id) => opportunity::update_in(&savepoint, principal, changes(id, row, key)).await,
        };
        out.record(index, action, savepoint, result).await?;
    }
    out.errors.extend(errors);
    out.finish(txn).await
}
