//! What a request may make the server do, in points, for the per-principal rate limit: every
//! field costs one, times the size of every list above it (a connection's `first`/`last`, a
//! plain list's assumed size from [`super::assumed`]), the same model as the complexity limit.
//! It is read from the document before execution (fragments already inlined), so a request is
//! charged, or refused, before it runs.

use async_graphql::{
    Name, Variables,
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

use super::assumed;
use crate::{graphql::node::MAX_NODES, service::page::MAX_PAGE_SIZE};

/// The plain lists (not connections) with their assumed sizes, by field name.
const PLAIN_LISTS: [(&str, usize); 13] = [
    ("participants", assumed::PARTICIPANTS),
    ("deals", assumed::DEALS_PER_PERSON),
    ("risks", assumed::RISKS),
    ("directReports", assumed::DIRECT_REPORTS),
    ("feedback", assumed::FEEDBACK),
    ("scoreBreakdown", assumed::SCORE_LINES),
    ("competitors", assumed::TAGS),
    ("buyingStages", assumed::TAGS),
    ("personas", assumed::TAGS),
    ("buyingRoles", assumed::TAGS),
    ("topics", assumed::TAGS),
    ("changes", assumed::CHANGES),
    ("nodes", 1),
];

/// The points the operation that runs costs (saturating: a hostile document cannot wrap it).
pub fn of(doc: &ExecutableDocument, operation_name: Option<&str>, variables: &Variables) -> u64 {
    super::document::root_selection(doc, operation_name)
        .map(|set| of_set(set, 1, variables))
        .unwrap_or(0)
}

fn of_set(set: &SelectionSet, times: u64, variables: &Variables) -> u64 {
    set.items.iter().fold(0u64, |total, item| {
        let cost = match &item.node {
            Selection::Field(f) => {
                let field = &f.node;
                let name = field.name.node.as_str();
                if name.starts_with("__") {
                    0
                } else {
                    let inner = times.saturating_mul(size(field, variables));
                    times.saturating_add(of_set(&field.selection_set.node, inner, variables))
                }
            }
            Selection::InlineFragment(f) => of_set(&f.node.selection_set.node, times, variables),
            // Inlined before this runs; a spread left over costs nothing it could hide.
            Selection::FragmentSpread(_) => 0,
        };
        total.saturating_add(cost)
    })
}

/// How many items one value of `field` holds at most.
fn size(field: &async_graphql::parser::types::Field, variables: &Variables) -> u64 {
    let page = ["first", "last"].iter().find_map(|arg| {
        let value = field.get_argument(arg)?;
        let value = value
            .node
            .clone()
            .into_const_with(|name: Name| variables.get(&name).cloned().ok_or(()));
        match value.ok()? {
            async_graphql::Value::Number(n) => n.as_i64(),
            _ => None,
        }
    });
    if let Some(n) = page {
        return n.clamp(1, i64::from(MAX_PAGE_SIZE)) as u64;
    }
    // `nodes(ids:)` holds one item per ID (at most `MAX_NODES`; more is refused when it runs).
    if let Some(ids) = field.get_argument("ids") {
        let ids = ids
            .node
            .clone()
            .into_const_with(|name: Name| variables.get(&name).cloned().ok_or(()));
        if let Ok(async_graphql::Value::List(ids)) = ids {
            return ids.len().min(MAX_NODES) as u64;
        }
    }
    let name = field.name.node.as_str();
    PLAIN_LISTS
        .iter()
        .find(|(list, _)| *list == name)
        .map_or(1, |(_, n)| *n as u64)
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn cost(query: &str, variables: serde_json::Value) -> u64 {
        let doc = parse_query(query).unwrap();
        of(&doc, None, &Variables::from_json(variables))
    }

    #[test]
    fn a_field_costs_one() {
        assert_eq!(cost("{ viewer { role { name } } }", serde_json::json!({})), 3);
    }

    #[test]
    fn a_page_multiplies_what_is_under_it() {
        let q = "{ accounts(first: 50) { nodes { id name owner { id } } } }";
        // accounts 1 + nodes 50 + 50 × (id, name, owner, owner.id).
        assert_eq!(cost(q, serde_json::json!({})), 1 + 50 + 50 * 4);
    }

    #[test]
    fn page_sizes_come_from_variables_and_are_capped() {
        let q = "query($n: Int) { accounts(first: $n) { nodes { id } } }";
        assert_eq!(cost(q, serde_json::json!({ "n": 10 })), 1 + 10 + 10);
        assert_eq!(cost(q, serde_json::json!({ "n": 100000 })), 1 + 100 + 100);
    }

    #[test]
    fn plain_lists_fan_out_at_their_assumed_size() {
        let q =
            "{ node(id: \"x\") { ... on Opportunity { participants { stakeholder { deals { id } } } } } }";
        // node 1, participants 1, 15 × stakeholder, 15 × deals, 150 × id.
        assert_eq!(cost(q, serde_json::json!({})), 1 + 1 + 15 + 15 + 150);
    }

    #[test]
    fn nodes_by_id_cost_one_item_per_id() {
        let q = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }";
        assert_eq!(cost(q, serde_json::json!({ "ids": ["a", "b", "c"] })), 1 + 3);
        let ids: Vec<String> = (0..500).map(|i| i.to_string()).collect();
        assert_eq!(cost(q, serde_json::json!({ "ids": ids })), 1 + 100);
    }

    #[test]
    fn introspection_fields_are_free() {
        assert_eq!(cost("{ __typename }", serde_json::json!({})), 0);
    }
}
