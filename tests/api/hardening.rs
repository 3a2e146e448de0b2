//! Hostile and malformed input: every bad request answers a clear code, changes nothing and
//! never answers INTERNAL_SERVER_ERROR.

use serde_json::json;

use crate::helpers::{Store, TestApp, first_code, on_both_stores};

async fn app() -> TestApp {
    TestApp::spawn(Store::Sqlite).await.unwrap()
}

#[tokio::test]
async fn a_missing_required_variable_is_bad_user_input() {
    let app = app().await;
    for token in [Some(app.admin_token.as_str()), None] {
        let res = app
            .post_as(token, "query($id: ID!) { node(id: $id) { id } }", json!({}))
            .await;
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");
    }
}

#[tokio::test]
async fn one_request_signs_in_once() {
    let app = app().await;
    let guesses: String = (0..3)
        .map(|i| format!("g{i}: login(input: {{ email: \"a@example.com\", password: \"guess number {i}\" }}) {{ accessToken }} "))
        .collect();
    let body = app
        .gql_as(None, &format!("mutation {{ {guesses} }}"), json!({}))
        .await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");
    assert!(body.get("data").is_none(), "nothing ran: {body}");
}

#[tokio::test]
async fn thousands_of_faults_answer_a_bounded_list_of_errors() {
    let app = app().await;
    let fields: String = (0..2000).map(|i| format!("unknown{i} ")).collect();
    let body = app.gql(&format!("{{ {fields} }}"), json!({})).await;
    let errors = body["errors"].as_array().unwrap_or_else(|| panic!("{body}"));
    assert!(errors.len() <= 51, "{} errors", errors.len());
    assert_eq!(first_code(&body), "GRAPHQL_VALIDATION_FAILED");
    assert!(
        errors.last().unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("left out")
    );
}

const FAN_OUT: &str = "engagements(first: 100) { nodes { stakeholder { deals { opportunity { participants { stakeholder { deals { opportunity { participants { stakeholder { id } } } } } } } } } } }";

/// Plain lists cost their assumed size, so a chain of them fans out in the cost as it would in
/// the response: the 200-byte query that once returned 199 MB is refused before it runs, also
/// through `node` and a named fragment, while a real deal room passes.
#[tokio::test]
async fn lists_are_costed_so_fan_out_is_refused_and_a_deal_room_is_not() {
    let app = app().await;
    let (_, viewer) = app.user_with_role("viewer").await;
    let direct = format!("{{ contents(first: 3) {{ nodes {{ {FAN_OUT} }} }} }}");
    let body = app.gql_as(Some(&viewer), &direct, json!({})).await;
    assert_eq!(first_code(&body), "MAX_COMPLEXITY_EXCEEDED", "{body}");
    let through_node =
        format!("query($id: ID!) {{ node(id: $id) {{ ...F }} }} fragment F on Content {{ {FAN_OUT} }}");
    let body = app
        .gql_as(Some(&viewer), &through_node, json!({ "id": "Q29udGVudDox" }))
        .await;
    assert_eq!(first_code(&body), "MAX_COMPLEXITY_EXCEEDED", "{body}");
    let through_nodes = format!(
        "query($ids: [ID!]!) {{ nodes(ids: $ids) {{ ...F }} }} fragment F on Content {{ {FAN_OUT} }}"
    );
    let body = app
        .gql_as(Some(&viewer), &through_nodes, json!({ "ids": ["Q29udGVudDox"] }))
        .await;
    assert_eq!(first_code(&body), "MAX_COMPLEXITY_EXCEEDED", "{body}");

    let deal_room = "query($id: ID!) { account(id: $id) { name
        stakeholders(first: 20) { nodes { fullName leadStage deals { role buyingStage }
          engagements(first: 10) { nodes { kind occurredAt content { title } } } } }
        opportunities(first: 10) { nodes { name stage participants { role isPrimary buyingStage stakeholder { fullName } }
          risks { kind severity description } } } } }";
    let body = app
        .gql_as(Some(&viewer), deal_room, json!({ "id": "QWNjb3VudDox" }))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
}

/// A NUL character anywhere in a request (a variable, a literal, a filter) is refused before
/// anything runs: PostgreSQL cannot store it (it was an internal error) and SQLite would.
#[tokio::test]
async fn a_nul_character_is_refused_wherever_it_is_and_writes_nothing() {
    let app = app().await;
    let create = "mutation($n: String!) { createAccount(input: { name: $n }) { account { id } } }";
    let body = app.gql(create, json!({ "n": "Acme\u{0}Corp" })).await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");
    let literal = "mutation { createAccount(input: { name: \"Acme\\u0000Corp\" }) { account { id } } }";
    let body = app.gql(literal, json!({})).await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");
    let filter = "query($s: String) { accounts(first: 5, filter: { search: $s }) { totalCount } }";
    let body = app.gql(filter, json!({ "s": "\u{0}" })).await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");
    let count = app.data("{ accounts(first: 1) { totalCount } }", json!({})).await;
    assert_eq!(count["accounts"]["totalCount"], 0, "nothing was written");
}

#[tokio::test]
async fn a_search_of_a_million_characters_is_refused() {
    let app = app().await;
    let filter = "query($s: String) { accounts(first: 5, filter: { search: $s }) { totalCount } }";
    let body = app.gql(filter, json!({ "s": "a".repeat(1_000_000) })).await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");
    let body = app.gql(filter, json!({ "s": "a".repeat(200) })).await;
    assert!(body.get("errors").is_none(), "{body}");
}

/// bench/ e, a real board (20 accounts, their people and their deals' committees), stays inside
/// the default limits.
#[tokio::test]
async fn twenty_accounts_with_their_committees_pass_the_default_limits() {
    let app = app().await;
    let (_, viewer) = app.user_with_role("viewer").await;
    let board = "{ accounts(first: 20) { nodes { id name stakeholders(first: 5) { nodes { id fullName title } } opportunities(first: 5) { nodes { id name stage participants { id role isPrimary buyingStage stakeholder { id fullName } } } } } } }";
    let body = app.gql_as(Some(&viewer), board, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
}

/// The response size is bounded as well as its cost: past `TRAPEZE_MAX_RESPONSE_BYTES` the
/// serialization stops and the caller is told to ask for less.
#[tokio::test]
async fn a_response_past_the_size_bound_is_refused() {
    let app = TestApp::spawn_with(Store::Sqlite, &[("TRAPEZE_MAX_RESPONSE_BYTES", "4000")])
        .await
        .unwrap();
    let name = "n".repeat(190);
    for i in 0..30 {
        let data = app
            .data(
                "mutation($i: CreateAccountInput!) { createAccount(input: $i) { userErrors { code } } }",
                json!({ "i": { "name": format!("{name}{i}"), "domain": format!("a{i}.example") } }),
            )
            .await;
        assert_eq!(data["createAccount"]["userErrors"], json!([]), "{data}");
    }
    let small = app
        .gql("{ accounts(first: 5) { nodes { id } } }", json!({}))
        .await;
    assert!(small.get("errors").is_none(), "{small}");
    let res = app
        .post("{ accounts(first: 30) { nodes { id name } } }", json!({}))
        .await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(text.len() < 4000, "{} bytes", text.len());
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(first_code(&body), "MAX_COMPLEXITY_EXCEEDED", "{body}");
}

/// A control character other than a line break or a tab in free text (an escape sequence that
/// would colour a terminal, a bell, a C1 control) is refused as INVALID on its field and writes
/// nothing, on both stores, as names always were (schemathesis stored them before).
async fn a_control_character_in_free_text_is_invalid(app: TestApp) {
    let create = "mutation($i: CreateAccountInput!) { createAccount(input: $i) { account { industry } userErrors { field code } } }";
    for bad in ["Soft\u{1b}[31mware", "bell\u{7}", "c1\u{85}x"] {
        let data = app
            .data(create, json!({ "i": { "name": "Acme", "industry": bad } }))
            .await;
        assert_eq!(
            data["createAccount"]["userErrors"],
            json!([{ "field": ["industry"], "code": "INVALID" }]),
            "{bad:?}: {data}"
        );
    }
    let count = app.data("{ accounts(first: 1) { totalCount } }", json!({})).await;
    assert_eq!(count["accounts"]["totalCount"], 0, "nothing was written");
    let data = app
        .data(
            create,
            json!({ "i": { "name": "Acme", "industry": "Soft\tware" } }),
        )
        .await;
    assert_eq!(
        data["createAccount"]["account"]["industry"], "Soft\tware",
        "{data}"
    );
}

on_both_stores!(a_control_character_in_free_text_is_invalid);

/// POSTs `query` asking for the GraphQL response media type; returns the status and the body.
async fn graphql_response(
    app: &TestApp,
    query: &str,
    variables: serde_json::Value,
) -> (u16, serde_json::Value) {
    let res = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&app.admin_token)
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

/// The spec's directive rules, which async-graphql 7.2 let through (an unknown directive on
/// `__typename` ran; `@skip(if: 3)` and `@include` without `if` reached execution): each is a
/// validation failure, HTTP 400 for the GraphQL media type, naming the directive and where it is.
#[tokio::test]
async fn misused_directives_are_validation_failures_with_a_location() {
    let app = app().await;
    let cases = [
        (
            "{ __typename @unknown }",
            "Unknown directive \"@unknown\"",
            (1, 14),
        ),
        (
            "{ __typename @skip(if: 3) }",
            "expects a value of type \"Boolean!\", found 3",
            (1, 14),
        ),
        (
            "{ __typename @include }",
            "\"if\" of type \"Boolean!\" is required",
            (1, 14),
        ),
        (
            "{ __typename @include(if: true, not: 1) }",
            "Unknown argument \"not\"",
            (1, 14),
        ),
        (
            "{ __typename @skip(if: false) @skip(if: true) }",
            "only be used once",
            (1, 31),
        ),
        (
            "query @skip(if: true) { __typename }",
            "may not be used on QUERY",
            (1, 7),
        ),
        ("{ __typename @deprecated }", "may not be used on FIELD", (1, 14)),
        (
            "{ ...F } fragment F on Query @include(if: true) { __typename }",
            "FRAGMENT_DEFINITION",
            (1, 30),
        ),
        (
            "query($b: Boolean) { __typename @skip(if: $b) }",
            "is of type \"Boolean\"",
            (1, 33),
        ),
        (
            "{ __typename @skip(if: $nope) }",
            "\"$nope\", which is not defined",
            (1, 14),
        ),
    ];
    for (query, message, (line, column)) in cases {
        let (status, body) = graphql_response(&app, query, json!({})).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(first_code(&body), "GRAPHQL_VALIDATION_FAILED", "{query}: {body}");
        assert!(body.get("data").is_none(), "{query}: {body}");
        let error = &body["errors"][0];
        assert!(
            error["message"].as_str().unwrap().contains(message),
            "{query}: {body}"
        );
        assert_eq!(
            error["locations"][0],
            json!({ "line": line, "column": column }),
            "{query}: {body}"
        );
    }
    // Nothing ran: a mutation behind a bad directive writes nothing.
    let create = "mutation { createAccount(input: { name: \"Acme\" }) @unknown { account { id } } }";
    let (status, _) = graphql_response(&app, create, json!({})).await;
    assert_eq!(status, 400);
    let count = app.data("{ accounts(first: 1) { totalCount } }", json!({})).await;
    assert_eq!(count["accounts"]["totalCount"], 0, "nothing was written");
}

/// Thousands of unknown directives answer a bounded list of errors, as other faults do.
#[tokio::test]
async fn thousands_of_unknown_directives_answer_a_bounded_list_of_errors() {
    let app = app().await;
    let directives: String = (0..2000).map(|i| format!("@unknown{i} ")).collect();
    let (status, body) = graphql_response(&app, &format!("{{ __typename {directives} }}"), json!({})).await;
    assert_eq!(status, 400);
    assert!(body["errors"].as_array().unwrap().len() <= 51, "bounded");
    assert_eq!(first_code(&body), "GRAPHQL_VALIDATION_FAILED");
}

/// What the rules must not refuse: @skip and @include with literals, required and defaulted
/// variables, on fields, spreads and inline fragments, and they still decide what runs.
/// (The conditions stand on `viewer`, not `__typename`: async-graphql's own rules do not see a
/// variable used only on `__typename` and call it unused.)
#[tokio::test]
async fn skip_and_include_still_work_everywhere_they_may_stand() {
    let app = app().await;
    let query = "query($yes: Boolean!, $no: Boolean = false) {
        a: viewer @include(if: $yes) { __typename }
        b: viewer @skip(if: $yes) { __typename }
        ...F @include(if: $no)
        ... on Query @skip(if: false) { d: __typename @include(if: true) }
    } fragment F on Query { c: viewer @include(if: $no) { __typename } }";
    let keys = |data: serde_json::Value| {
        let mut keys: Vec<String> = data.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys.join(",")
    };
    let data = app.data(query, json!({ "yes": true })).await;
    assert_eq!(keys(data), "a,d");
    let data = app.data(query, json!({ "yes": false, "no": true })).await;
    assert_eq!(keys(data), "b,c,d");
}

/// `nodes(ids:)` costs one item per ID, as a page of that size: a selection the limit admits for
/// a few IDs is refused for a hundred (it once cost what one ID did, a hundredth of its reads).
#[tokio::test]
async fn nodes_by_id_cost_each_id() {
    let app = app().await;
    let query = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Account {
        stakeholders(first: 100) { nodes { engagements(first: 10) { nodes { id kind } } } } } } }";
    let ids = |n: usize| json!({ "ids": vec!["QWNjb3VudDox"; n] });
    let body = app.gql(query, ids(100)).await;
    assert_eq!(first_code(&body), "MAX_COMPLEXITY_EXCEEDED", "{body}");
    let body = app.gql(query, ids(5)).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["nodes"].as_array().unwrap().len(), 5);
}
