//! What the transport needs to know of a parsed document before running it: which operation
//! runs, its type, how many aliases it expands to, and whether it introspects.

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, OperationType, Selection, SelectionSet,
};

use crate::metrics;

/// The facts about one request's operation.
#[derive(Debug, Clone)]
pub struct Operation {
    pub name: Option<String>,
    pub ty: metrics::OperationType,
    /// Aliased fields the operation executes, counting fragments at every place they are spread.
    pub aliases: usize,
    /// The operation selects `__schema` or `__type`.
    pub introspects: bool,
    /// Every root field is `__schema`, `__type` or `__typename` (a schema download).
    pub introspection_only: bool,
    /// Root `login` and `refreshSession` fields it runs (distinct response keys): more than one
    /// would let one request try many passwords (aliases) past any per-request throttle.
    pub sign_ins: usize,
}

/// Picks the operation to run, as the GraphQL spec's GetOperation does; the error is the message
/// for a GRAPHQL_VALIDATION_FAILED answer.
pub fn analyze(doc: &ExecutableDocument, operation_name: Option<&str>) -> Result<Operation, String> {
    let (name, op) = select(doc, operation_name)?;
    let roots = root_fields(doc, &op.selection_set.node);
    let sign_ins = roots
        .iter()
        .filter(|(name, _)| matches!(name.as_str(), "login" | "refreshSession"))
        .map(|(_, key)| key)
        .collect::<HashSet<_>>()
        .len();
    let roots: Vec<String> = roots.into_iter().map(|(name, _)| name).collect();
    let introspects = roots.iter().any(|n| n == "__schema" || n == "__type");
    let introspection_only = !roots.is_empty()
        && roots
            .iter()
            .all(|n| matches!(n.as_str(), "__schema" | "__type" | "__typename"));
    let mut memo = HashMap::new();
    let aliases = count_aliases(doc, &op.selection_set.node, &mut memo, &mut HashSet::new());
    Ok(Operation {
        name,
        ty: match op.ty {
            OperationType::Query => metrics::OperationType::Query,
            OperationType::Mutation => metrics::OperationType::Mutation,
            OperationType::Subscription => metrics::OperationType::Subscription,
        },
        aliases,
        introspects,
        introspection_only,
        sign_ins,
    })
}

/// The variables the operation requires (non-null, without a default) that `given` lacks or
/// sets to null: the spec's variable coercion refuses the request before anything runs
/// (async-graphql would only notice in the resolver that reads it, as an internal error).
pub fn missing_variables(
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
    given: Option<&serde_json::Map<String, serde_json::Value>>,
) -> Vec<String> {
    let Ok((_, op)) = select(doc, operation_name) else {
        return Vec::new();
    };
    op.variable_definitions
        .iter()
        .map(|d| &d.node)
        .filter(|d| !d.var_type.node.nullable && d.default_value.is_none())
        .filter(|d| {
            given
                .and_then(|g| g.get(d.name.node.as_str()))
                .is_none_or(serde_json::Value::is_null)
        })
        .map(|d| d.name.node.to_string())
        .collect()
}

/// Whether any string the request carries (in the document's arguments, defaults and directives,
/// or in its variables) holds a NUL character. No store keeps one faithfully (PostgreSQL refuses
/// it in text, which surfaced as an internal error; SQLite stores it and C strings cut it off),
/// so every such request is refused at the edge, whatever field the string was meant for.
pub fn carries_nul(
    doc: &ExecutableDocument,
    variables: Option<&serde_json::Map<String, serde_json::Value>>,
) -> bool {
    fn json(v: &serde_json::Value) -> bool {
        match v {
            serde_json::Value::String(s) => s.contains('\0'),
            serde_json::Value::Array(items) => items.iter().any(json),
            serde_json::Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || json(v)),
            _ => false,
        }
    }
    fn value(v: &async_graphql::Value) -> bool {
        match v {
            async_graphql::Value::String(s) => s.contains('\0'),
            async_graphql::Value::List(items) => items.iter().any(value),
            async_graphql::Value::Object(map) => map.values().any(value),
            _ => false,
        }
    }
    // A literal may hold variables: they are looked at in `variables`, so they count as null.
    macro_rules! literal {
        ($v:expr) => {
            $v.clone()
                .into_const_with(|_| Ok::<_, ()>(async_graphql::Value::Null))
                .is_ok_and(|c| value(&c))
        };
    }
    fn directives(ds: &[async_graphql::Positioned<async_graphql::parser::types::Directive>]) -> bool {
        ds.iter()
            .any(|d| d.node.arguments.iter().any(|(_, v)| literal!(v.node)))
    }
    fn set(s: &SelectionSet) -> bool {
        s.items.iter().any(|item| match &item.node {
            Selection::Field(f) => {
                f.node.arguments.iter().any(|(_, v)| literal!(v.node))
                    || directives(&f.node.directives)
                    || set(&f.node.selection_set.node)
            }
            Selection::InlineFragment(f) => directives(&f.node.directives) || set(&f.node.selection_set.node),
            Selection::FragmentSpread(s) => directives(&s.node.directives),
        })
    }
    let operations: Vec<&OperationDefinition> = match &doc.operations {
        DocumentOperations::Single(op) => vec![&op.node],
        DocumentOperations::Multiple(ops) => ops.values().map(|op| &op.node).collect(),
    };
    variables.is_some_and(|vars| vars.iter().any(|(k, v)| k.contains('\0') || json(v)))
        || operations.iter().any(|op| {
            set(&op.selection_set.node)
                || directives(&op.directives)
                || op
                    .variable_definitions
                    .iter()
                    .any(|d| d.node.default_value.as_ref().is_some_and(|v| value(&v.node)))
        })
        || doc
            .fragments
            .values()
            .any(|f| directives(&f.node.directives) || set(&f.node.selection_set.node))
}

/// The root selection set of the operation that runs (after [`analyze`] accepted the document).
pub fn root_selection<'d>(
    doc: &'d ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<&'d SelectionSet> {
    select(doc, operation_name)
        .ok()
        .map(|(_, op)| &op.selection_set.node)
}

fn select<'d>(
    doc: &'d ExecutableDocument,
    operation_name: Option<&str>,
) -> Result<(Option<String>, &'d OperationDefinition), String> {
    match (&doc.operations, operation_name) {
        (DocumentOperations::Single(op), None) => Ok((None, &op.node)),
        (DocumentOperations::Single(_), Some(name)) => Err(format!("Unknown operation named \"{name}\".")),
        (DocumentOperations::Multiple(ops), Some(name)) => ops
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(n, op)| (Some(n.to_string()), &op.node))
            .ok_or_else(|| format!("Unknown operation named \"{name}\".")),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops
            .iter()
            .next()
            .map(|(n, op)| (Some(n.to_string()), &op.node))
            .ok_or_else(|| "The document has no operation.".to_owned()),
        (DocumentOperations::Multiple(_), None) => {
            Err("The document has several operations: name one with operationName.".to_owned())
        }
    }
}

/// The fields selected at the root, looking through fragments: (name, response key).
fn root_fields(doc: &ExecutableDocument, set: &SelectionSet) -> Vec<(String, String)> {
    let mut names = Vec::new();
    let mut seen = HashSet::new();
    let mut stack = vec![set];
    while let Some(set) = stack.pop() {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => names.push((
                    f.node.name.node.to_string(),
                    f.node.response_key().node.to_string(),
                )),
                Selection::InlineFragment(f) => stack.push(&f.node.selection_set.node),
                Selection::FragmentSpread(s) => {
                    let name = &s.node.fragment_name.node;
                    if seen.insert(name.clone())
                        && let Some(frag) = doc.fragments.get(name)
                    {
                        stack.push(&frag.node.selection_set.node);
                    }
                }
            }
        }
    }
    names
}

/// Counts aliased fields, expanding each fragment spread; a fragment cycle (refused later by
/// validation) counts as nothing instead of recursing forever.
fn count_aliases(
    doc: &ExecutableDocument,
    set: &SelectionSet,
    memo: &mut HashMap<String, usize>,
    in_progress: &mut HashSet<String>,
) -> usize {
    let mut total = 0usize;
    for item in &set.items {
        let n = match &item.node {
            Selection::Field(f) => usize::from(f.node.alias.is_some()).saturating_add(count_aliases(
                doc,
                &f.node.selection_set.node,
                memo,
                in_progress,
            )),
            Selection::InlineFragment(f) => count_aliases(doc, &f.node.selection_set.node, memo, in_progress),
            Selection::FragmentSpread(s) => {
                let name = s.node.fragment_name.node.to_string();
                if let Some(n) = memo.get(&name) {
                    *n
                } else if !in_progress.insert(name.clone()) {
                    0
                } else {
                    let n = doc
                        .fragments
                        .get(s.node.fragment_name.node.as_str())
                        .map_or(0, |frag| {
                            count_aliases(doc, &frag.node.selection_set.node, memo, in_progress)
                        });
                    in_progress.remove(&name);
                    memo.insert(name, n);
                    n
                }
            }
        };
        total = total.saturating_add(n);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn op(q: &str, name: Option<&str>) -> Result<Operation, String> {
        analyze(&parse_query(q).unwrap(), name)
    }

    #[test]
    fn aliases_in_a_fragment_count_at_every_spread() {
        let q = "query { a: x { ...F } b: x { ...F } } fragment F on T { p: y q: y }";
        assert_eq!(op(q, None).unwrap().aliases, 2 + 2 * 2);
    }

    #[test]
    fn a_fragment_cycle_does_not_recurse_forever() {
        let q = "{ ...A } fragment A on Q { a: x ...B } fragment B on Q { ...A }";
        assert_eq!(op(q, None).unwrap().aliases, 1);
    }

    #[test]
    fn several_operations_need_a_name() {
        let q = "query A { x } mutation B { y }";
        assert!(op(q, None).is_err());
        assert_eq!(op(q, Some("B")).unwrap().ty, metrics::OperationType::Mutation);
        assert!(op(q, Some("C")).is_err());
    }

    #[test]
    fn a_schema_download_is_introspection_only() {
        let o = op(
            "query { __typename ...F } fragment F on Query { __schema { types { name } } }",
            None,
        )
        .unwrap();
        assert!(o.introspects && o.introspection_only);
        let o = op(
            "{ __schema { types { name } } personas(first: 1) { totalCount } }",
            None,
        )
        .unwrap();
        assert!(o.introspects && !o.introspection_only);
        assert!(!op("{ __typename }", None).unwrap().introspects);
    }
}
