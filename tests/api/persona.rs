//! Personas: the first real type, proving the Node, connection and mutation patterns.

use serde_json::{Value, json};

use crate::helpers::{TestApp, first_code, on_both_stores};

const CREATE: &str = "mutation($name: String!, $description: String) {
  createPersona(input: { name: $name, description: $description }) {
    persona { id name description version createdAt }
    userErrors { field message code }
  }
}";

const UPDATE: &str = "mutation($input: UpdatePersonaInput!) {
  updatePersona(input: $input) { persona { id name description version } userErrors { field message code } }
}";

const PAGE: &str = "query($first: Int, $after: String, $last: Int, $before: String, $filter: PersonaFilter, $order: PersonaOrder) {
  personas(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $order) {
    edges { cursor node { id name } }
    nodes { name }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}";

async fn create(app: &TestApp, name: &str) -> Value {
    let data = app.data(CREATE, json!({ "name": name })).await;
    assert_eq!(data["createPersona"]["userErrors"], json!([]), "{data}");
    data["createPersona"]["persona"].clone()
}

fn names(page: &Value) -> Vec<String> {
    page["personas"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn creates_and_refetches_by_global_id(app: TestApp) {
    let created = create(&app, "  Chief Financial Officer ").await;
    assert_eq!(created["name"], "Chief Financial Officer", "names are trimmed");
    assert_eq!(created["version"], 1);
    let id = created["id"].as_str().unwrap();
    assert!(
        !id.contains("Persona") && uuid::Uuid::parse_str(id).is_err(),
        "IDs are opaque: {id}"
    );

    let data = app
        .data(
            "query($id: ID!) { node(id: $id) { __typename id ... on Persona { name } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(data["node"]["__typename"], "Persona");
    assert_eq!(data["node"]["name"], "Chief Financial Officer");
}

async fn nodes_keep_order_and_answer_null_for_unknown_ids(app: TestApp) {
    let a = create(&app, "A").await["id"].as_str().unwrap().to_owned();
    let b = create(&app, "B").await["id"].as_str().unwrap().to_owned();
    let data = app
        .data(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": [b, "garbage", a] }),
        )
        .await;
    assert_eq!(data["nodes"], json!([{ "id": b }, null, { "id": a }]));
    let too_many: Vec<String> = (0..101).map(|_| a.clone()).collect();
    let body = app
        .gql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": too_many }),
        )
        .await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT");
}

async fn a_duplicate_name_is_taken_whatever_its_case(app: TestApp) {
    create(&app, "CFO").await;
    let data = app.data(CREATE, json!({ "name": "cfo" })).await;
    assert_eq!(data["createPersona"]["persona"], Value::Null);
    assert_eq!(
        data["createPersona"]["userErrors"],
        json!([{ "field": ["name"], "message": "a persona with this name already exists", "code": "TAKEN" }])
    );
    let page = app.data(PAGE, json!({ "first": 10 })).await;
    assert_eq!(names(&page), vec!["CFO"], "nothing was written");
}

async fn invalid_input_is_reported_per_field(app: TestApp) {
    let data = app
        .data(CREATE, json!({ "name": " ", "description": "x".repeat(2001) }))
        .await;
    let errors = data["createPersona"]["userErrors"].as_array().unwrap();
    let fields: Vec<&Value> = errors.iter().map(|e| &e["field"]).collect();
    assert_eq!(fields, vec![&json!(["name"]), &json!(["description"])]);
    assert!(errors.iter().all(|e| e["code"] == "INVALID"));
}

async fn an_update_with_a_stale_version_is_refused_and_writes_nothing(app: TestApp) {
    let id = create(&app, "CTO").await["id"].clone();
    let data = app
        .data(
            UPDATE,
            json!({ "input": { "id": id, "name": "Chief Technology Officer", "expectedVersion": 1 } }),
        )
        .await;
    let updated = &data["updatePersona"]["persona"];
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["name"], "Chief Technology Officer");

    let data = app
        .data(
            UPDATE,
            json!({ "input": { "id": id, "name": "CTO again", "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(data["updatePersona"]["userErrors"][0]["code"], "STALE_VERSION");
    assert_eq!(
        data["updatePersona"]["userErrors"][0]["field"],
        json!(["expectedVersion"])
    );
    let node = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Persona { name version } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        node["node"],
        json!({ "name": "Chief Technology Officer", "version": 2 })
    );
}

async fn an_update_can_clear_the_description_and_keep_the_rest(app: TestApp) {
    let created = app
        .data(CREATE, json!({ "name": "CMO", "description": "Owns the brand" }))
        .await;
    let id = created["createPersona"]["persona"]["id"].clone();
    let data = app
        .data(UPDATE, json!({ "input": { "id": id, "description": null } }))
        .await;
    assert_eq!(data["updatePersona"]["persona"]["description"], Value::Null);
    assert_eq!(data["updatePersona"]["persona"]["name"], "CMO");
}

async fn an_update_of_an_unknown_id_is_not_found(app: TestApp) {
    let data = app
        .data(UPDATE, json!({ "input": { "id": "bm9wZQ", "name": "X" } }))
        .await;
    assert_eq!(data["updatePersona"]["userErrors"][0]["code"], "NOT_FOUND");
    assert_eq!(data["updatePersona"]["userErrors"][0]["field"], json!(["id"]));
}

async fn an_update_to_a_taken_name_is_refused(app: TestApp) {
    create(&app, "CEO").await;
    let id = create(&app, "COO").await["id"].clone();
    let data = app
        .data(UPDATE, json!({ "input": { "id": id, "name": "ceo" } }))
        .await;
    assert_eq!(data["updatePersona"]["userErrors"][0]["code"], "TAKEN");
}

async fn pages_forward_and_backward_see_each_item_once(app: TestApp) {
    for name in ["P1", "P2", "P3", "P4", "P5"] {
        create(&app, name).await;
    }
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = app.data(PAGE, json!({ "first": 2, "after": after })).await;
        seen.extend(names(&page));
        let info = &page["personas"]["pageInfo"];
        if seen.len() == 2 {
            // A row inserted mid-way appears once, at the end, and never shifts a page.
            create(&app, "P6").await;
            assert_eq!(info["hasPreviousPage"], false);
        }
        if info["hasNextPage"] == false {
            break;
        }
        after = info["endCursor"].clone();
    }
    assert_eq!(seen, vec!["P1", "P2", "P3", "P4", "P5", "P6"]);

    let last = app.data(PAGE, json!({ "last": 2 })).await;
    assert_eq!(names(&last), vec!["P5", "P6"]);
    assert_eq!(last["personas"]["pageInfo"]["hasPreviousPage"], true);
    let before = last["personas"]["pageInfo"]["startCursor"].clone();
    let earlier = app.data(PAGE, json!({ "last": 3, "before": before })).await;
    assert_eq!(names(&earlier), vec!["P2", "P3", "P4"]);
    assert_eq!(earlier["personas"]["pageInfo"]["hasNextPage"], true);
}

async fn lists_order_and_filter(app: TestApp) {
    for name in ["beta", "Alpha", "gamma", "alpine", "50% off"] {
        create(&app, name).await;
    }
    let by_name = app
        .data(
            PAGE,
            json!({ "first": 10, "order": { "field": "NAME", "direction": "DESC" } }),
        )
        .await;
    let sorted = names(&by_name);
    let mut expected = sorted.clone();
    expected.sort();
    expected.reverse();
    assert_eq!(sorted, expected);
    let cursor = by_name["personas"]["edges"][1]["cursor"].clone();
    let next = app
        .data(
            PAGE,
            json!({ "first": 10, "after": cursor, "order": { "field": "NAME", "direction": "DESC" } }),
        )
        .await;
    assert_eq!(names(&next), sorted[2..].to_vec());

    let alp = app
        .data(PAGE, json!({ "first": 10, "filter": { "search": "ALP" } }))
        .await;
    assert_eq!(names(&alp), vec!["Alpha", "alpine"]);
    let percent = app
        .data(PAGE, json!({ "first": 10, "filter": { "search": "50%" } }))
        .await;
    assert_eq!(names(&percent), vec!["50% off"]);
    let wildcard = app
        .data(PAGE, json!({ "first": 10, "filter": { "search": "%" } }))
        .await;
    assert_eq!(
        names(&wildcard),
        Vec::<String>::new(),
        "% is literal, not a wildcard"
    );
}

async fn bad_page_arguments_are_bad_user_input(app: TestApp) {
    create(&app, "X").await;
    for vars in [
        json!({}),
        json!({ "first": 0 }),
        json!({ "first": 101 }),
        json!({ "last": -1 }),
        json!({ "first": 1, "last": 1 }),
        json!({ "first": 1, "after": "not-a-cursor" }),
    ] {
        let body = app.gql(PAGE, vars.clone()).await;
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{vars}");
    }
    let by_name = app
        .data(PAGE, json!({ "first": 1, "order": { "field": "NAME" } }))
        .await;
    let name_cursor = by_name["personas"]["pageInfo"]["endCursor"].clone();
    let body = app.gql(PAGE, json!({ "first": 1, "after": name_cursor })).await;
    assert_eq!(
        first_code(&body),
        "BAD_USER_INPUT",
        "a cursor of another ordering"
    );
}

async fn total_count_costs_a_statement_only_when_asked(app: TestApp) {
    for name in ["A", "B", "C"] {
        create(&app, name).await;
    }
    let baseline = app.statements_for("{ __typename }", json!({})).await;
    let without = app
        .statements_for("{ personas(first: 2) { nodes { name } } }", json!({}))
        .await;
    let with = app
        .statements_for("{ personas(first: 2) { totalCount nodes { name } } }", json!({}))
        .await;
    let data = app.data("{ personas(first: 2) { totalCount } }", json!({})).await;
    assert_eq!(data["personas"]["totalCount"], 3);
    assert_eq!((without - baseline, with - baseline), (1, 2));
}

async fn statements_do_not_grow_with_the_page_size(app: TestApp) {
    for i in 0..30 {
        create(&app, &format!("P{i:02}")).await;
    }
    let mut counts = Vec::new();
    for first in [5, 30] {
        let before = app.statements().await;
        app.data(
            "query($n: Int) { personas(first: $n) { edges { node { id name } } } }",
            json!({ "n": first }),
        )
        .await;
        counts.push(app.statements().await - before);
    }
    assert_eq!(counts[0], counts[1]);
}

on_both_stores!(
    creates_and_refetches_by_global_id,
    nodes_keep_order_and_answer_null_for_unknown_ids,
    a_duplicate_name_is_taken_whatever_its_case,
    invalid_input_is_reported_per_field,
    an_update_with_a_stale_version_is_refused_and_writes_nothing,
    an_update_can_clear_the_description_and_keep_the_rest,
    an_update_of_an_unknown_id_is_not_found,
    an_update_to_a_taken_name_is_refused,
    pages_forward_and_backward_see_each_item_once,
    lists_order_and_filter,
    bad_page_arguments_are_bad_user_input,
    total_count_costs_a_statement_only_when_asked,
    statements_do_not_grow_with_the_page_size,
);
