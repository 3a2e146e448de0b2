//! Puts a response's fields in the order of the selection set, as the GraphQL spec's
//! serialization asks. async-graphql resolves the fields of an object concurrently and keeps them
//! in the order they finished, so `{ b a }` could come back as `{ "a", "b" }`.
//!
//! The order of an object is the order in which its response keys first appear in the selection
//! sets that produced it, fragments expanded where they are spread (the spec's CollectFields).
//! Type conditions are not looked at: a key the object's type did not select is not in it. (One
//! case this cannot tell apart: two fragments on different types that select the same keys in
//! different orders; the first order wins.)

use std::collections::HashSet;

use async_graphql::{
    Name, Value,
    indexmap::IndexMap,
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

/// Reorders `data` (the response of the operation whose root selection set is `root`).
pub fn reorder(data: &mut Value, doc: &ExecutableDocument, root: &SelectionSet) {
    let mut visiting = HashSet::new();
    reorder_value(data, doc, &[root], &mut visiting);
}

fn reorder_value<'d>(
    value: &mut Value,
    doc: &'d ExecutableDocument,
    sets: &[&'d SelectionSet],
    visiting: &mut HashSet<&'d str>,
) {
    match value {
        Value::List(items) => {
            for item in items {
                reorder_value(item, doc, sets, visiting);
            }
        }
        Value::Object(map) => {
            let mut keys: Vec<(&'d str, Vec<&'d SelectionSet>)> = Vec::new();
            for set in sets {
                collect(doc, set, &mut keys, visiting);
            }
            let mut old = std::mem::take(map);
            let mut ordered = IndexMap::with_capacity(old.len());
            for (key, children) in keys {
                if let Some((name, mut child)) = old.shift_remove_entry(key) {
                    if !children.is_empty() {
                        reorder_value(&mut child, doc, &children, visiting);
                    }
                    ordered.insert(name, child);
                }
            }
            // Whatever the selection does not name (nothing, normally) keeps its place at the end.
            ordered.extend(old);
            *map = ordered;
        }
        _ => {}
    }
}

/// The response keys of `set` in order of first appearance, each with the selection sets of
/// its fields (a key selected twice merges both sub-selections, as execution does).
fn collect<'d>(
    doc: &'d ExecutableDocument,
    set: &'d SelectionSet,
    keys: &mut Vec<(&'d str, Vec<&'d SelectionSet>)>,
    visiting: &mut HashSet<&'d str>,
) {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                let field = &field.node;
                let key = field.response_key().node.as_str();
                let sub = (!field.selection_set.node.items.is_empty()).then_some(&field.selection_set.node);
                match keys.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, children)) => children.extend(sub),
                    None => keys.push((key, sub.into_iter().collect())),
                }
            }
            Selection::InlineFragment(fragment) => {
                collect(doc, &fragment.node.selection_set.node, keys, visiting);
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                // Validation refuses fragment cycles; the guard keeps this total anyway.
                if let Some(fragment) = doc.fragments.get(&Name::new(name))
                    && visiting.insert(name)
                {
                    collect(doc, &fragment.node.selection_set.node, keys, visiting);
                    visiting.remove(name);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{parser::parse_query, parser::types::DocumentOperations};

    use super::*;

    fn object(pairs: &[(&str, Value)]) -> Value {
        Value::Object(pairs.iter().map(|(k, v)| (Name::new(k), v.clone())).collect())
    }

    fn keys(value: &Value) -> Vec<String> {
        match value {
            Value::Object(map) => map.keys().map(|k| k.to_string()).collect(),
            _ => Vec::new(),
        }
    }

    fn get<'v>(value: &'v Value, key: &str) -> &'v Value {
        match value {
            Value::Object(map) => map.get(key).unwrap(),
            _ => panic!("an object"),
        }
    }

    fn reordered(query: &str, mut data: Value) -> Value {
        let doc = parse_query(query).unwrap();
        let DocumentOperations::Single(op) = &doc.operations else {
            panic!("one operation");
        };
        reorder(&mut data, &doc, &op.node.selection_set.node);
        data
    }

    #[test]
    fn fields_follow_the_selection_through_aliases_fragments_and_lists() {
        let query = "query { z: a ...F list { y x } } fragment F on Query { m { ... on M { q p } } }";
        let item = object(&[("x", Value::from(1)), ("y", Value::from(2))]);
        let data = object(&[
            ("list", Value::List(vec![item.clone(), item])),
            ("m", object(&[("p", Value::from(1)), ("q", Value::from(2))])),
            ("z", Value::from(0)),
        ]);
        let data = reordered(query, data);
        assert_eq!(keys(&data), ["z", "m", "list"]);
        assert_eq!(keys(get(&data, "m")), ["q", "p"]);
        let Value::List(items) = get(&data, "list") else {
            panic!("a list")
        };
        assert!(items.iter().all(|i| keys(i) == ["y", "x"]));
    }

    #[test]
    fn a_key_selected_twice_merges_its_sub_selections_in_order() {
        let query = "{ a { c } b a { d c } }";
        let data = object(&[
            ("b", Value::from(1)),
            ("a", object(&[("d", Value::from(1)), ("c", Value::from(2))])),
        ]);
        let data = reordered(query, data);
        assert_eq!(keys(&data), ["a", "b"]);
        assert_eq!(keys(get(&data, "a")), ["c", "d"]);
    }
}
