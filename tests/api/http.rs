//! GraphQL over HTTP: media types, methods, bodies and the endpoints beside /graphql.
//! Transport behaviour does not depend on the store, so these run on SQLite.

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{Store, TestApp, first_code, log_lines_with};

const CREATE: &str = r#"mutation { createPersona(input: { name: "CFO" }) { persona { id } } }"#;

async fn app() -> TestApp {
    TestApp::spawn(Store::Sqlite).await.unwrap()
}

async fn persona_count(app: &TestApp) -> i64 {
    app.data("{ personas(first: 1) { totalCount } }", json!({})).await["personas"]["totalCount"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_text_plain_post_is_415_and_runs_nothing() {
    let app = app().await;
    let res = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "text/plain")
        .body(json!({ "query": CREATE }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    let body: Value = res.json().await.unwrap();
    assert_eq!(first_code(&body), "BAD_USER_INPUT");
    assert_eq!(persona_count(&app).await, 0);
}

#[tokio::test]
async fn a_post_without_content_type_is_415() {
    let app = app().await;
    let res = app
        .client
        .post(app.url("/graphql"))
        .body(json!({ "query": CREATE }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    assert_eq!(persona_count(&app).await, 0);
}

#[tokio::test]
async fn a_mutation_over_get_is_405_and_runs_nothing() {
    let app = app().await;
    let res = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", CREATE)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "POST");
    assert_eq!(persona_count(&app).await, 0);
}

#[tokio::test]
async fn a_query_runs_over_get() {
    let app = app().await;
    let res = app
        .client
        .get(app.url("/graphql"))
        .bearer_auth(&app.admin_token)
        .query(&[
            ("query", "query Q($n: Int) { personas(first: $n) { totalCount } }"),
            ("variables", r#"{"n": 3}"#),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["data"]["personas"]["totalCount"], 0);
}

#[tokio::test]
async fn a_batch_is_400() {
    let app = app().await;
    let res = app
        .client
        .post(app.url("/graphql"))
        .json(&json!([{ "query": "{ __typename }" }]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("batched"));
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_413_with_a_json_error() {
    let app = app().await;
    let padding = " ".repeat(1024 * 1024);
    let res = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(format!("{{\"query\": \"{{ __typename }}\"{padding}}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let body: Value = res.json().await.unwrap();
    assert_eq!(first_code(&body), "BAD_USER_INPUT");
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_413_with_a_json_error() {
    let app = app().await;
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = "POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b' '; 64 * 1024];
    for _ in 0..17 {
        let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
        frame.extend_from_slice(&chunk);
        frame.extend_from_slice(b"\r\n");
        if stream.write_all(&frame).await.is_err() {
            break; // the server may answer and close before the whole body is sent
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("\"code\":\"BAD_USER_INPUT\""), "{text}");
    assert!(
        !text.contains("Custom") && !text.contains("Io("),
        "no Debug text: {text}"
    );
}

#[tokio::test]
async fn invalid_json_is_400_without_debug_text() {
    let app = app().await;
    let res = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body("{\"query\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["message"], "the request body is not valid JSON");
}

#[tokio::test]
async fn the_graphql_media_type_answers_a_parse_error_with_400_and_no_data() {
    let app = app().await;
    let res = app
        .client
        .post(app.url("/graphql"))
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": "{ personas(" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/graphql-response+json")
    );
    let body: Value = res.json().await.unwrap();
    assert!(body.get("data").is_none());
    assert_eq!(first_code(&body), "GRAPHQL_PARSE_FAILED");
}

#[tokio::test]
async fn legacy_json_answers_a_validation_error_with_200() {
    let app = app().await;
    let res = app
        .client
        .post(app.url("/graphql"))
        .header("accept", "application/json")
        .json(&json!({ "query": "{ personaz(first: 1) { totalCount } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(first_code(&body), "GRAPHQL_VALIDATION_FAILED");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(!message.contains("Did you mean"), "no suggestions: {message}");
}

#[tokio::test]
async fn an_unacceptable_accept_header_is_406() {
    let app = app().await;
    let res = app
        .client
        .post(app.url("/graphql"))
        .header("accept", "text/csv")
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 406);
}

#[tokio::test]
async fn an_unknown_operation_name_is_a_validation_error() {
    let app = app().await;
    let body = app
        .gql("query A { __typename } query B { __typename }", json!({}))
        .await;
    assert_eq!(first_code(&body), "GRAPHQL_VALIDATION_FAILED");
    let res = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": "query A { __typename }", "operationName": "C" }))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(first_code(&body), "GRAPHQL_VALIDATION_FAILED");
}

#[tokio::test]
async fn an_internal_error_shows_only_a_request_id_which_the_log_ties_to_the_cause() {
    let app = app().await;
    use sea_orm::ConnectionTrait;
    app.db.execute_unprepared("DROP TABLE persona").await.unwrap();
    let res = app
        .post("{ personas(first: 5) { nodes { name } } }", json!({}))
        .await;
    let header_id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: Value = res.json().await.unwrap();
    let error = &body["errors"][0];
    assert_eq!(error["message"], "Internal server error");
    assert_eq!(error["extensions"]["code"], "INTERNAL_SERVER_ERROR");
    assert_eq!(error["extensions"]["requestId"], header_id.as_str());
    assert!(
        !body.to_string().contains("no such table"),
        "the cause stays in the log: {body}"
    );
    let lines = log_lines_with(&header_id);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("internal error") && l.contains("no such table")),
        "the log line carries the id and the cause: {lines:?}"
    );
}

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = app().await;
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    app.data("{ personas(first: 1) { totalCount } }", json!({})).await;
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert!(
        metrics.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains("trapeze_graphql_requests_total{operation_type=\"query\"} 1"),
        "{text}"
    );
    assert!(text.contains("trapeze_graphql_request_duration_seconds_count{operation_type=\"query\"} 1"));
    assert!(text.contains("# TYPE trapeze_db_statements_total counter"));
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = app().await;
    app.db.clone().close().await.unwrap();
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
}

#[tokio::test]
async fn graphiql_is_served_to_browsers_in_development_only() {
    let dev = app().await;
    let page = dev
        .client
        .get(dev.url("/graphql"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("graphiql"));

    let prod = TestApp::spawn_with(Store::Sqlite, &[("TRAPEZE_ENV", "production")])
        .await
        .unwrap();
    let page = prod
        .client
        .get(prod.url("/graphql"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    assert!(!page.text().await.unwrap().contains("<script"));
}

#[tokio::test]
async fn an_unknown_route_is_a_json_404() {
    let app = app().await;
    let res = app.client.get(app.url("/nope")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let body: Value = res.json().await.unwrap();
    assert_eq!(first_code(&body), "NOT_FOUND");
}
