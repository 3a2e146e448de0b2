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
    let baseline = app.statements_for("{ __typename }", json!({})).await;
    let deep = "{ ...F } fragment F on Query { personas(first: 1) { edges { node { name } } } }";
    let before = app.statements().await;
    let body = app.gql(deep, json!({})).await;
    assert_eq!(first_code(&body), "MAX_DEPTH_EXCEEDED");
    assert!(body.get("data").is_none());
    assert_eq!(app.statements().await - before, baseline, "no resolver ran");
    app.data("{ personas(first: 1) { totalCount } }", json!({})).await;
}

#[tokio::test]
async fn complexity_grows_with_the_page_size() {
    let app = TestApp::spawn_with(Store::Sqlite, &[("TRAPEZE_MAX_COMPLEXITY", "50")])
        .await
        .unwrap();
    let baseline = app.statements_for("{ __typename }", json!({})).await;
    let page = "query($n: Int, $l: Int) { personas(first: $n, last: $l) { nodes { id name description } } }";
    app.data(page, json!({ "n": 5 })).await;
    for vars in [json!({ "n": 100 }), json!({ "l": 100 })] {
        let before = app.statements().await;
        assert_eq!(first_code(&app.gql(page, vars).await), "MAX_COMPLEXITY_EXCEEDED");
        assert_eq!(app.statements().await - before, baseline, "no resolver ran");
    }
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
        &[("TRAPEZE_MAX_DEPTH", "5"), ("TRAPEZE_MAX_COMPLEXITY", "100")],
    )
    .await
    .unwrap();
    let data = app.data(INTROSPECTION, json!({})).await;
    assert_eq!(data["__schema"]["queryType"]["name"], "Query");
    // Wider is not unlimited: self-nesting of __Type.fields past 20 levels is refused.
    let nested = format!(
        "{{ __type(name: \"Query\") {{ {} name {} }} }}",
        "fields { type { ".repeat(11),
        "} } ".repeat(11)
    );
    assert_eq!(
        first_code(&app.gql(&nested, json!({})).await),
        "MAX_DEPTH_EXCEEDED"
    );
    // The exemption is for schema downloads only: data fields beside them are limited as usual.
    let mixed = "{ __schema { queryType { name } } personas(first: 100) { nodes { id name } } }";
    assert_eq!(
        first_code(&app.gql(mixed, json!({})).await),
        "MAX_COMPLEXITY_EXCEEDED"
    );
}

#[tokio::test]
async fn introspection_is_refused_to_everyone_when_off() {
    let app = TestApp::spawn_with(Store::Sqlite, &[("TRAPEZE_INTROSPECTION", "off")])
        .await
        .unwrap();
    let body = app.gql(INTROSPECTION, json!({})).await;
    assert_eq!(
        first_code(&body),
        "GRAPHQL_VALIDATION_FAILED",
        "not even the admin"
    );
    let body = app.gql("{ __type(name: \"Persona\") { name } }", json!({})).await;
    assert_eq!(first_code(&body), "GRAPHQL_VALIDATION_FAILED");
    // __typename is not introspection: clients use it to read unions.
    app.data("{ __typename }", json!({})).await;
}

#[tokio::test]
async fn development_lets_any_authenticated_caller_introspect() {
    let app = app_with_defaults().await;
    let (_, viewer) = app.user_with_role("viewer").await;
    app.data_as(Some(&viewer), INTROSPECTION, json!({})).await;
    let body = app.gql_as(None, INTROSPECTION, json!({})).await;
    assert_eq!(
        first_code(&body),
        "GRAPHQL_VALIDATION_FAILED",
        "anonymous callers may not"
    );
}

#[tokio::test]
async fn production_lets_only_role_managers_introspect() {
    let app = TestApp::spawn_with(Store::Sqlite, &[("TRAPEZE_ENV", "production")])
        .await
        .unwrap();
    let data = app.data(INTROSPECTION, json!({})).await;
    assert_eq!(data["__schema"]["queryType"]["name"], "Query");
    let (_, marketing) = app.user_with_role("marketing").await;
    let body = app.gql_as(Some(&marketing), INTROSPECTION, json!({})).await;
    assert_eq!(first_code(&body), "GRAPHQL_VALIDATION_FAILED");
    let body = app.gql_as(None, INTROSPECTION, json!({})).await;
    assert_eq!(first_code(&body), "GRAPHQL_VALIDATION_FAILED");
}

async fn app_with_defaults() -> TestApp {
    TestApp::spawn(Store::Sqlite).await.unwrap()
}
