//! Turning mutation inputs into service arguments: references by global ID and nullable changes.

use async_graphql::{ID, MaybeUndefined};

use crate::{
    graphql::node::{self, NodeKind},
    service::Ref,
};

/// A reference in a create input: absent, or an ID of `kind` (anything else names nothing).
pub fn reference(id: Option<&ID>, kind: NodeKind) -> Ref {
    match id {
        None => Ref::Absent,
        Some(id) => node::decode_as(id, kind).map_or(Ref::Invalid, Ref::Id),
    }
}

/// A reference in an update input: left out keeps it, null clears it.
pub fn reference_change(value: MaybeUndefined<ID>, kind: NodeKind) -> Ref {
    match value {
        MaybeUndefined::Undefined => Ref::Absent,
        MaybeUndefined::Null => Ref::Null,
        MaybeUndefined::Value(id) => reference(Some(&id), kind),
    }
}

/// A nullable field in an update input: `None` keeps it, `Some(None)` clears it.
pub fn change<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

/// The target of an update, move or archive: NOT_FOUND on `field` for an ID of anything else.
pub fn target(
    id: &ID,
    kind: NodeKind,
    field: &str,
    what: &str,
) -> Result<uuid::Uuid, crate::error::AppError> {
    node::decode_as(id, kind).ok_or_else(|| Ref::not_found(field, what))
}

/// A list of references: each ID of `kind`, anything else names nothing.
pub fn references(ids: Option<Vec<ID>>, kind: NodeKind) -> Option<Vec<Ref>> {
    ids.map(|ids| ids.iter().map(|id| reference(Some(id), kind)).collect())
}

/// An ID filter: an ID that names nothing matches nothing (the nil UUID is no row's id).
pub fn id_filter(id: Option<ID>, kind: NodeKind) -> Option<uuid::Uuid> {
    id.map(|id| node::decode_as(&id, kind).unwrap_or_default())
}
