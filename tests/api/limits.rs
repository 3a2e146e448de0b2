//! Query limits, each with its code, checked before any resolver runs.

use serde_json::json;

use crate::helpers::{Store, TestApp, first_code};

const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType {
    kind name ofType { kind name ofType { kind name } } } } } } }
}"#;

#[tokio::test]
async fn depth_is_limited_through_fragments() {
    let app = TestApp::spawn_with(Store::Sqlite, &[("TRAPEZE_MAX_DEPTH", "3")])
        .await
        .unwrap();
    let before = app.statements().await;
    let body = app
        .gql(
            "{ ...F } fragment F on Query { personas(first: 1) { edges { node { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(first_code(&body), "MAX_DEPTH_EXCEEDED");
    assert!(body.get("data").is_none());
    assert_eq!(app.statements().await, before, "no resolver ran");
    app.data("{ personas(first: 1) { totalCount } }", json!({}))
        .await;
}

#[tokio::test]
async fn complexity_grows_with_the_page_size() {
    let app = TestApp::spawn_with(Store::Sqlite, &[("TRAPEZE_MAX_COMPLEXITY", "50")])
        .await
        .unwrap();
    let page = "query($n: Int, $l: Int) { personas(first: $n, last: $l) { nodes { id name description } } }";
    app.data(page, json!({ "n": 5 })).await;
    let before = app.statements().await;
    assert_eq!(
        first_code(&app.gql(page, json!({ "n": 100 })).await),
        "MAX_COMPLEXITY_EXCEEDED"
    );
    assert_eq!(
        first_code(&app.gql(page, json!({ "l": 100 })).await),
        "MAX_COMPLEXITY_EXCEEDED"
    );
    assert_eq!(app.statements().await, before, "no resolver ran");
}

#[tokio::test]
async fn aliases_are_limited_counting_every_fragment_spread() {
    let app = app_with_defaults().await;
    let many: String = (0..31).map(|i| format!("a{i}: __typename ")).collect();
    assert_eq!(
        first_code(&app.gql(&format!("{{ {many} }}"), json!({})).await),
        "MAX_ALIASES_EXCEEDED"
    );
    // 4 spreads of a fragment with 8 aliases: 32 executed aliases, though only 8 are written.
    let fragment: String = (0..8).map(|i| format!("f{i}: __typename ")).collect();
    let query = format!(
        "{{ ...F ... on Query {{ ...F }} x: personas(first: 1) {{ totalCount }} ...F ...F }} fragment F on Query {{ {fragment} }}"
    );
    assert_eq!(
        first_code(&app.gql(&query, json!({})).await),
        "MAX_ALIASES_EXCEEDED"
    );
    let few: String = (0..30).map(|i| format!("a{i}: __typename ")).collect();
    app.data(&format!("{{ {few} }}"), json!({})).await;
}

#[tokio::test]
async fn directives_are_limited() {
    let app = app_with_defaults().await;
    let directives = "@skip(if: false) ".repeat(51);
    let body = app
        .gql(&format!("{{ __typename {directives} }}"), json!({}))
        .await;
    assert_eq!(first_code(&body), "GRAPHQL_VALIDATION_FAILED");
}

#[tokio::test]
async fn the_standard_introspection_query_passes_the_limits_when_allowed() {
    let app = TestApp::spawn_with(
        Store::Sqlite,
        &[
            ("TRAPEZE_MAX_DEPTH", "5"),
            ("TRAPEZE_MAX_COMPLEXITY", "100"),
        ],
    )
    .await
    .unwrap();
    let data = app.data(INTROSPECTION, json!({})).await;
    assert_eq!(data["__schema"]["queryType"]["name"], "Query");
    // The exemption is for schema downloads only: data fields beside them are limited as usual.
    let mixed = "{ __schema { queryType { name } } personas(first: 100) { nodes { id name } } }";
    assert_eq!(
        first_code(&app.gql(mixed, json!({})).await),
        "MAX_COMPLEXITY_EXCEEDED"
    );
}

#[tokio::test]
async fn introspection_is_refused_when_off_and_by_default_in_production() {
    for env in [
        [
            ("TRAPEZE_INTROSPECTION", "off"),
            ("TRAPEZE_ENV", "development"),
        ],
        [
            ("TRAPEZE_INTROSPECTION", "admin"),
            ("TRAPEZE_ENV", "production"),
        ],
    ] {
        let app = TestApp::spawn_with(Store::Sqlite, &env).await.unwrap();
        let body = app.gql(INTROSPECTION, json!({})).await;
        assert_eq!(first_code(&body), "GRAPHQL_VALIDATION_FAILED", "{env:?}");
        let body = app
            .gql("{ __type(name: \"Persona\") { name } }", json!({}))
            .await;
        assert_eq!(first_code(&body), "GRAPHQL_VALIDATION_FAILED", "{env:?}");
        // __typename is not introspection: clients use it to read unions.
        app.data("{ __typename }", json!({})).await;
    }
}

#[tokio::test]
async fn a_production_server_refuses_introspection_without_settings() {
    let app = TestApp::spawn_with(Store::Sqlite, &[("TRAPEZE_ENV", "production")])
        .await
        .unwrap();
    assert_eq!(
        first_code(&app.gql(INTROSPECTION, json!({})).await),
        "GRAPHQL_VALIDATION_FAILED"
    );
}

async fn app_with_defaults() -> TestApp {
    TestApp::spawn(Store::Sqlite).await.unwrap()
}
