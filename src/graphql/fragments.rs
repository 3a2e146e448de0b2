//! Named fragments become inline fragments before validation: `...F` turns into
//! `... on T @directives { F's selection }`, which means the same to execution.
//!
//! Why: async-graphql 7.2's complexity visitor walks a named fragment without entering its type
//! condition, so inside `node(id:) { ...F }` the fields of `F` were costed against the `Node`
//! interface, where no field has a cost: `engagements(first: 100)` counted 1 and a fan-out query
//! passed the limit. An inline fragment does enter its type, and is costed right.
//!
//! What validation would have said of the named fragments is said here instead: an unknown
//! fragment, a fragment spread within itself, a fragment never used. Expanding is bounded: a
//! document whose fragments multiply (each spreading the next one twice) is refused before it
//! can grow.

use std::collections::{HashMap, HashSet};

use async_graphql::{
    Name, Positioned,
    parser::types::{
        DocumentOperations, ExecutableDocument, FragmentDefinition, InlineFragment, Selection, SelectionSet,
    },
};

/// The most selections a document may expand to (every field and fragment, spreads expanded).
pub const MAX_EXPANDED_SELECTIONS: usize = 50_000;

/// Inlines every named fragment spread of every operation; the error is the message of a
/// GRAPHQL_VALIDATION_FAILED answer.
pub fn inline(doc: &mut ExecutableDocument) -> Result<(), String> {
    let fragments = std::mem::take(&mut doc.fragments);
    let mut state = State {
        fragments: &fragments,
        used: HashSet::new(),
        stack: Vec::new(),
        budget: MAX_EXPANDED_SELECTIONS,
    };
    match &mut doc.operations {
        DocumentOperations::Single(op) => state.set(&mut op.node.selection_set.node)?,
        DocumentOperations::Multiple(ops) => {
            for op in ops.values_mut() {
                state.set(&mut op.node.selection_set.node)?;
            }
        }
    }
    let mut unused: Vec<&str> = fragments
        .keys()
        .map(Name::as_str)
        .filter(|name| !state.used.contains(name))
        .collect();
    unused.sort_unstable();
    match unused.first() {
        Some(name) => Err(format!("Fragment \"{name}\" is never used.")),
        None => Ok(()),
    }
}

struct State<'f> {
    fragments: &'f HashMap<Name, Positioned<FragmentDefinition>>,
    used: HashSet<&'f str>,
    stack: Vec<&'f str>,
    budget: usize,
}

impl<'f> State<'f> {
    fn spend(&mut self, n: usize) -> Result<(), String> {
        self.budget = self.budget.checked_sub(n).ok_or_else(|| {
            format!("The document expands to more than {MAX_EXPANDED_SELECTIONS} selections.")
        })?;
        Ok(())
    }

    fn set(&mut self, set: &mut SelectionSet) -> Result<(), String> {
        self.spend(set.items.len())?;
        for item in &mut set.items {
            let inlined = match &mut item.node {
                Selection::Field(field) => {
                    self.set(&mut field.node.selection_set.node)?;
                    None
                }
                Selection::InlineFragment(fragment) => {
                    self.set(&mut fragment.node.selection_set.node)?;
                    None
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    let Some((key, definition)) = self.fragments.get_key_value(name) else {
                        return Err(format!("Unknown fragment \"{name}\"."));
                    };
                    if self.stack.contains(&key.as_str()) {
                        return Err(format!("Cannot spread fragment \"{name}\" within itself."));
                    }
                    self.used.insert(key.as_str());
                    self.stack.push(key.as_str());
                    let mut selection_set = definition.node.selection_set.clone();
                    self.set(&mut selection_set.node)?;
                    self.stack.pop();
                    let mut directives = spread.node.directives.clone();
                    directives.extend(definition.node.directives.iter().cloned());
                    Some(Positioned::new(
                        InlineFragment {
                            type_condition: Some(definition.node.type_condition.clone()),
                            directives,
                            selection_set,
                        },
                        spread.pos,
                    ))
                }
            };
            if let Some(inline) = inlined {
                item.node = Selection::InlineFragment(inline);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn inlined(query: &str) -> Result<ExecutableDocument, String> {
        let mut doc = parse_query(query).map_err(|e| e.to_string())?;
        inline(&mut doc).map(|()| doc)
    }

    #[test]
    fn a_named_spread_becomes_an_inline_fragment_on_its_type() {
        let doc = inlined("{ node(id: 1) { ...F @include(if: true) } } fragment F on Content { title ...G } fragment G on Content { url }").unwrap();
        assert!(doc.fragments.is_empty());
        let DocumentOperations::Single(op) = &doc.operations else {
            panic!("one operation")
        };
        let Selection::Field(node) = &op.node.selection_set.node.items[0].node else {
            panic!("a field")
        };
        let Selection::InlineFragment(f) = &node.node.selection_set.node.items[0].node else {
            panic!("inlined")
        };
        assert_eq!(
            f.node.type_condition.as_ref().unwrap().node.on.node.as_str(),
            "Content"
        );
        assert_eq!(f.node.directives.len(), 1);
        assert!(matches!(
            f.node.selection_set.node.items[1].node,
            Selection::InlineFragment(_)
        ));
    }

    #[test]
    fn unknown_cyclic_and_unused_fragments_are_refused() {
        assert!(inlined("{ ...Nope }").unwrap_err().contains("Unknown fragment"));
        let cycle = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }";
        assert!(inlined(cycle).unwrap_err().contains("within itself"));
        let unused = "{ __typename } fragment Lonely on Query { __typename }";
        assert!(inlined(unused).unwrap_err().contains("never used"));
    }

    #[test]
    fn fragments_that_multiply_are_refused_before_they_grow() {
        let mut query = String::from("{ ...F0 }");
        for i in 0..30 {
            query.push_str(&format!(
                " fragment F{i} on Query {{ ...F{n} ...F{n} }}",
                n = i + 1
            ));
        }
        query.push_str(" fragment F30 on Query { __typename }");
        assert!(inlined(&query).unwrap_err().contains("expands to more than"));
    }
}
