//! Events in the API: `Event`, `FieldChange` and `auditLog`, the audit-log reader of the outbox.

use async_graphql::{ComplexObject, Context, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::event::Model;
use serde_json::Value;

use crate::{
    error::AppError,
    graphql::{
        account::user,
        assumed,
        connection::Connection,
        db,
        identity::{ApiToken, User},
        list_complexity,
        loader::loaders,
        node::{self, NodeKind},
        page_complexity, principal,
    },
    service::{self, audit::AuditFilter, page::PageArgs},
};

/// One change of one record, as the outbox recorded it.
#[derive(Clone)]
pub struct Event(pub Model);

/// One changed field. Secrets never appear; contact fields (a person's email and phone) appear
/// with both values null. References are global IDs.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct FieldChange {
    pub field: String,
    #[graphql(skip)]
    before_value: Value,
    #[graphql(skip)]
    after_value: Value,
}

#[ComplexObject]
impl FieldChange {
    /// The value before the change; null for a new record or an unset value.
    async fn before(&self) -> Option<Json<Value>> {
        (!self.before_value.is_null()).then(|| Json(self.before_value.clone()))
    }

    /// The value after the change; null when it was cleared.
    async fn after(&self) -> Option<Json<Value>> {
        (!self.after_value.is_null()).then(|| Json(self.after_value.clone()))
    }
}

/// A stored id (or list of ids) of records of `kind` as global IDs; other values as they are.
fn as_global(kind: &str, value: Value) -> Value {
    if let Value::Array(items) = value {
        return Value::Array(items.into_iter().map(|v| as_global(kind, v)).collect());
    }
    match value.as_str().and_then(|s| uuid::Uuid::parse_str(s).ok()) {
        Some(id) => Value::String(node::encode_named(kind, id).0),
        None => value,
    }
}

/// The changes of an event from the JSON the outbox stored.
fn changes(raw: &str) -> Result<Vec<FieldChange>, AppError> {
    let parsed: Vec<Value> =
        serde_json::from_str(raw).map_err(|e| AppError::internal(format!("event changes: {e}")))?;
    Ok(parsed
        .into_iter()
        .map(|mut c| {
            let kind = c.get("ref").and_then(Value::as_str).map(str::to_owned);
            let mut take = |key: &str| c.get_mut(key).map(Value::take).unwrap_or(Value::Null);
            let field = take("field").as_str().unwrap_or_default().to_owned();
            let (before, after) = (take("before"), take("after"));
            match kind {
                Some(kind) => FieldChange {
                    field,
                    before_value: as_global(&kind, before),
                    after_value: as_global(&kind, after),
                },
                None => FieldChange {
                    field,
                    before_value: before,
                    after_value: after,
                },
            }
        })
        .collect())
}

#[Object]
impl Event {
    pub async fn id(&self) -> ID {
        node::encode(NodeKind::Event, self.0.id)
    }

    /// `opportunity.updated`, `lead.stage_changed`, `login.failed`, ...
    #[graphql(name = "type")]
    async fn event_type(&self) -> &str {
        &self.0.event_type
    }

    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }

    /// The user who made the change; null for an API token's change, an automatic one (a
    /// consequence of another move) or a failed sign-in.
    async fn actor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.actor_id).await
    }

    /// The API token the change was made with; null when it is not yours to see.
    async fn api_token(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ApiToken>> {
        let Some(id) = self.0.api_token_id else {
            return Ok(None);
        };
        let found = loaders(ctx)?
            .api_tokens
            .load_one(id)
            .await
            .map_err(AppError::from)?;
        Ok(found.map(ApiToken))
    }

    /// The global ID of the changed record (it may since have been archived or deleted).
    async fn subject_id(&self) -> ID {
        node::encode_named(&self.0.subject_type, self.0.subject_id)
    }

    /// The type of the changed record (`Opportunity`).
    async fn subject_type(&self) -> &str {
        &self.0.subject_type
    }

    #[graphql(complexity = "list_complexity(assumed::CHANGES, child_complexity)")]
    async fn changes(&self) -> async_graphql::Result<Vec<FieldChange>> {
        Ok(changes(&self.0.changes)?)
    }

    /// The `x-request-id` of the request that made the change.
    async fn request_id(&self) -> Option<String> {
        self.0.request_id.map(|id| id.to_string())
    }
}

/// Narrows the audit log.
#[derive(InputObject, Default)]
pub struct EventFilter {
    /// Event types (`opportunity.updated`), at most 50.
    pub types: Option<Vec<String>>,
    /// Events about this record.
    pub subject_id: Option<ID>,
    /// Events caused by this user.
    pub actor_id: Option<ID>,
    /// Events at or after this instant.
    #[graphql(validator(custom = "crate::graphql::scalars::InRange"))]
    pub since: Option<DateTime<Utc>>,
    /// Events before this instant.
    #[graphql(validator(custom = "crate::graphql::scalars::InRange"))]
    pub until: Option<DateTime<Utc>>,
}

fn audit_filter(filter: Option<EventFilter>) -> AuditFilter {
    let f = filter.unwrap_or_default();
    AuditFilter {
        types: f.types.unwrap_or_default(),
        subject_id: f.subject_id.map(|id| node::decode(&id).map(|(_, id)| id)),
        actor_id: f.actor_id.map(|id| node::decode_as(&id, NodeKind::User)),
        since: f.since,
        until: f.until,
    }
}

#[derive(Default)]
pub struct EventQuery;

#[Object]
impl EventQuery {
    /// Every recorded change, newest first (`audit.read`). The log is append-only.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<EventFilter>,
    ) -> async_graphql::Result<Connection<Event>> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let page = service::audit::list(db(ctx)?, principal(ctx)?, audit_filter(filter), args).await?;
        Ok(page.map(Event).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_in_a_change_becomes_a_global_id() {
        let id = uuid::Uuid::now_v7();
        let raw = serde_json::json!([{ "field": "ownerId", "before": null, "after": id, "ref": "User" }]);
        let parsed = changes(&raw.to_string()).unwrap();
        assert_eq!(parsed[0].field, "ownerId");
        assert_eq!(parsed[0].before_value, Value::Null);
        assert_eq!(
            parsed[0].after_value,
            Value::String(node::encode(NodeKind::User, id).0)
        );
    }
}
