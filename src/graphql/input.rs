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
