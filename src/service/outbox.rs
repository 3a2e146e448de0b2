//! The outbox: every write service records one event per changed record here, on the
//! transaction of its change, so a rolled-back write leaves no event and a committed one always
//! has its event. The audit log (and later webhooks and subscriptions) only read this table.
//!
//! An event names who made the change (the user, the API token, or nobody for an automatic
//! consequence), the request it came with, and the changed fields before and after. Secrets
//! (password and token hashes) never enter an event; contact fields of a person (email, phone)
//! enter as changed, with both values null.

use std::future::Future;

use chrono::{DateTime, SecondsFormat, Utc};
use entity::event::{ActiveModel, Entity as Event};
use sea_orm::{ConnectionTrait, EntityTrait, IdenStatic, Iterable, ModelTrait, Set, Value, sea_query};
use serde_json::{Value as Json, json};
use uuid::Uuid;

use crate::{
    domain::{
        authz::{Actor, Principal},
        money::Amount,
    },
    error::AppError,
};

tokio::task_local! {
    /// The id of the HTTP request being served, set by the transport around execution.
    static REQUEST_ID: Uuid;
}

/// Runs `work` (a request's execution) with `request_id` as the request id of every event it
/// records. Services run on the request's own task, so they see it without carrying it.
pub async fn in_request<F: Future>(request_id: Uuid, work: F) -> F::Output {
    REQUEST_ID.scope(request_id, work).await
}

fn request_id() -> Option<Uuid> {
    REQUEST_ID.try_with(|id| *id).ok()
}

/// Who made a change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct By {
    pub user: Option<Uuid>,
    pub api_token: Option<Uuid>,
}

impl By {
    /// An automatic change (a consequence of another move, a scoring rule): nobody.
    pub const SYSTEM: By = By {
        user: None,
        api_token: None,
    };

    pub fn user(id: Uuid) -> Self {
        By {
            user: Some(id),
            api_token: None,
        }
    }
}

impl From<&Principal> for By {
    fn from(p: &Principal) -> Self {
        match p.actor {
            Actor::User(id) => By::user(id),
            Actor::ApiToken(id) => By {
                user: None,
                api_token: Some(id),
            },
        }
    }
}

/// What an event is about: the kind of its global ID (`Opportunity`), its id and its account.
#[derive(Debug, Clone, Copy)]
pub struct Subject {
    pub kind: &'static str,
    pub id: Uuid,
    pub account_id: Option<Uuid>,
}

impl Subject {
    pub fn new(kind: &'static str, id: Uuid, account_id: Option<Uuid>) -> Self {
        Subject { kind, id, account_id }
    }
}

/// One changed field. References carry the kind of what they name (`ref`), so the API can show
/// them as global IDs.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub field: String,
    pub before: Json,
    pub after: Json,
    pub reference: Option<&'static str>,
}

impl Change {
    pub fn new(field: &str, before: Json, after: Json) -> Self {
        Change {
            field: field.to_owned(),
            before,
            after,
            reference: None,
        }
    }

    /// A change of a reference to a record of `kind`.
    pub fn reference(field: &str, kind: &'static str, before: Option<Uuid>, after: Option<Uuid>) -> Self {
        Change {
            field: field.to_owned(),
            before: before.map_or(Json::Null, |id| json!(id)),
            after: after.map_or(Json::Null, |id| json!(id)),
            reference: Some(kind),
        }
    }

    fn to_json(&self) -> Json {
        let mut v = json!({ "field": self.field, "before": self.before, "after": self.after });
        if let (Some(kind), Some(map)) = (self.reference, v.as_object_mut()) {
            map.insert("ref".into(), json!(kind));
        }
        v
    }
}

/// Columns that are bookkeeping or derived, not facts a person changed: left out of `changes`.
const INTERNAL: [&str; 10] = [
    "id",
    "created_at",
    "updated_at",
    "version",
    "name_key",
    "email_key",
    "fit_score",
    "behaviour_points",
    "behaviour_at",
    "scored_at",
];

/// Whether a column's values must never leave the database, not even as "changed": every
/// digest of a secret (`password_hash`, `secret_hash`, `previous_secret_hash`, `token_hash`)
/// ends in `_hash`, so a new one is covered without a list to keep in step.
fn is_secret(column: &str) -> bool {
    column.ends_with("_hash")
}

/// Contact details of a person: an event says they changed, never what they hold.
pub const CONTACT: &[&str] = &["email", "phone"];

/// The kind of record a reference column names (its global ID kind), by column name.
fn reference_kind(column: &str) -> Option<&'static str> {
    Some(match column {
        "owner_id" | "marketing_owner_id" | "created_by_id" | "recorded_by_id" | "given_by_id"
        | "changed_by_id" => "User",
        "account_id" => "Account",
        "persona_id" => "Persona",
        "reports_to_id" | "referred_by_id" | "raised_by_id" | "stakeholder_id" => "Stakeholder",
        "opportunity_id" => "Opportunity",
        "content_id" | "answered_by_id" => "Content",
        "role_id" => "Role",
        "participant_id" => "DealParticipant",
        _ => return None,
    })
}

/// `marketing_owner_id` as the API names it: `marketingOwnerId`.
fn camel(column: &str) -> String {
    let mut out = String::with_capacity(column.len());
    let mut upper = false;
    for c in column.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A stored value as JSON: times in RFC 3339 (UTC), days as `YYYY-MM-DD`, enums by their name.
fn to_json(value: &Value) -> Json {
    match value {
        Value::ChronoDateTimeUtc(t) => t.as_ref().map_or(Json::Null, |t| {
            json!(t.to_rfc3339_opts(SecondsFormat::Millis, true))
        }),
        Value::ChronoDate(d) => d.as_ref().map_or(Json::Null, |d| json!(d.to_string())),
        Value::Uuid(u) => u.as_ref().map_or(Json::Null, |u| json!(u)),
        Value::Bytes(_) => Json::Null,
        other => sea_query::sea_value_to_json_value(other),
    }
}

/// An amount in cents as the API shows it (`"12500.00"`).
fn money(value: &Value) -> Json {
    match value {
        Value::BigInt(Some(cents)) => json!(Amount::from_minor(*cents).to_string()),
        _ => Json::Null,
    }
}

/// The fields that differ between `before` (none: the record was created) and `after`, in
/// column order. `contact` columns are reported with null values; secret and bookkeeping columns
/// are left out.
pub fn diff<M: ModelTrait>(before: Option<&M>, after: &M, contact: &[&str]) -> Vec<Change> {
    let mut changes = Vec::new();
    for column in <M::Entity as EntityTrait>::Column::iter() {
        let name = column.as_str();
        if INTERNAL.contains(&name) || is_secret(name) {
            continue;
        }
        let new = after.get(column);
        let old = before.map(|b| b.get(column));
        let created_empty = old.is_none() && to_json(&new).is_null();
        if old.as_ref() == Some(&new) || created_empty {
            continue;
        }
        let old = old.unwrap_or(Value::String(None));
        let change = if contact.contains(&name) {
            Change::new(&camel(name), Json::Null, Json::Null)
        } else if name == "amount_minor" {
            Change::new("amount", money(&old), money(&new))
        } else {
            let mut c = Change::new(&camel(name), to_json(&old), to_json(&new));
            c.reference = reference_kind(name);
            c
        };
        changes.push(change);
    }
    changes
}

/// Records one event on `db` (the transaction of the change it describes).
///
/// Callers: every write service, after its change and before its commit. Writes one `event` row.
pub async fn record(
    db: &impl ConnectionTrait,
    by: By,
    event_type: &str,
    subject: Subject,
    changes: &[Change],
) -> Result<(), AppError> {
    record_at(db, by, event_type, subject, changes, Utc::now()).await
}

/// [`record`] at a given moment (the one the change itself carries).
pub async fn record_at(
    db: &impl ConnectionTrait,
    by: By,
    event_type: &str,
    subject: Subject,
    changes: &[Change],
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let changes = Json::Array(changes.iter().map(Change::to_json).collect()).to_string();
    Event::insert(ActiveModel {
        id: Set(Uuid::now_v7()),
        event_type: Set(event_type.to_owned()),
        occurred_at: Set(at),
        actor_id: Set(by.user),
        api_token_id: Set(by.api_token),
        subject_type: Set(subject.kind.to_owned()),
        subject_id: Set(subject.id),
        account_id: Set(subject.account_id),
        request_id: Set(request_id()),
        changes: Set(changes),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Records the event of a record created (`after` alone) or changed (`before` and `after`);
/// an update that changed no field records nothing.
pub async fn record_diff<M: ModelTrait>(
    db: &impl ConnectionTrait,
    by: By,
    event_type: &str,
    subject: Subject,
    before: Option<&M>,
    after: &M,
    contact: &[&str],
) -> Result<(), AppError> {
    let changes = diff(before, after, contact);
    if before.is_some() && changes.is_empty() {
        return Ok(());
    }
    record(db, by, event_type, subject, &changes).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_name_becomes_the_api_field_name() {
        assert_eq!(camel("marketing_owner_id"), "marketingOwnerId");
        assert_eq!(camel("name"), "name");
    }

    #[test]
    fn a_reference_names_the_kind_of_its_record() {
        assert_eq!(reference_kind("owner_id"), Some("User"));
        assert_eq!(reference_kind("answered_by_id"), Some("Content"));
        assert_eq!(reference_kind("name"), None);
    }

    #[test]
    fn a_changed_amount_shows_as_money_and_untouched_fields_are_left_out() {
        let before = entity::opportunity::Model {
            id: Uuid::now_v7(),
            account_id: Uuid::now_v7(),
            name: "Deal".into(),
            amount_minor: Some(1_000_000),
            currency: Some("EUR".into()),
            stage: entity::opportunity::OpportunityStage::Discovery,
            probability: None,
            expected_close_date: None,
            owner_id: None,
            lead_source: None,
            close_reason: None,
            closed_at: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            archived_at: None,
            version: 1,
            external_id: None,
        };
        let mut after = before.clone();
        after.amount_minor = Some(1_250_050);
        after.version = 2;
        let changes = diff(Some(&before), &after, &[]);
        assert_eq!(
            changes,
            vec![Change::new("amount", json!("10000.00"), json!("12500.50"))]
        );
    }

    #[test]
    fn contact_fields_change_without_their_values_and_secrets_never_appear() {
        let before = entity::app_user::Model {
            id: Uuid::now_v7(),
            email: "a@example.com".into(),
            email_key: "a@example.com".into(),
            display_name: "A".into(),
            password_hash: "old-hash".into(),
            role_id: Uuid::now_v7(),
            active: true,
            last_login_at: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            version: 1,
        };
        let mut after = before.clone();
        after.email = "b@example.com".into();
        after.password_hash = "new-hash".into();
        let changes = diff(Some(&before), &after, CONTACT);
        assert_eq!(changes, vec![Change::new("email", Json::Null, Json::Null)]);
        let text = format!("{:?}", diff(None, &after, &[]));
        assert!(!text.contains("hash"), "{text}");
    }
}
