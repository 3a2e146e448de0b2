//! Nothing waits for ever: a request that cannot finish is answered THROTTLED at its deadline
//! and leaves nothing written; a connection that never finishes its headers, or sits idle
//! between requests, is closed.
//!
//! The stuck request is made certain rather than slow: the test holds a write lock on the
//! accounts, so the server's update can only end by its timeout.

use std::time::Duration;

use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{Store, TestApp};

const CREATE: &str = "mutation { createAccount(input: { name: \"Before\", domain: \"before.example\" }) { account { id version } } }";
const RENAME: &str = "mutation($id: ID!) { updateAccount(input: { id: $id, name: \"After\" }) { account { name } userErrors { code } } }";

async fn a_stuck_request_times_out_and_writes_nothing(store: Store) {
    let Some(app) = TestApp::spawn_with(store, &[("TRAPEZE_REQUEST_TIMEOUT_MS", "2000")]).await else {
        return eprintln!("skipped: no PostgreSQL");
    };
    let id = app.data(CREATE, json!({})).await["createAccount"]["account"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let lock = app.db.begin().await.unwrap();
    lock.execute_unprepared("UPDATE account SET name = name")
        .await
        .unwrap();
    let res = app.post(RENAME, json!({ "id": id })).await;
    assert_eq!(res.status(), 503);
    assert_eq!(res.headers()["retry-after"], "1");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "THROTTLED", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["timeoutMs"], 2000, "{body}");
    lock.rollback().await.unwrap();
    let name = |body: Value| body["node"]["name"].as_str().unwrap().to_owned();
    let read = "query($id: ID!) { node(id: $id) { ... on Account { name } } }";
    assert_eq!(name(app.data(read, json!({ "id": id })).await), "Before");
    // The server is not left holding anything: the same change now goes through.
    let data = app.data(RENAME, json!({ "id": id })).await;
    assert_eq!(data["updateAccount"]["account"]["name"], "After", "{data}");
    assert_eq!(name(app.data(read, json!({ "id": id })).await), "After");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stuck_request_times_out_and_writes_nothing_on_sqlite() {
    a_stuck_request_times_out_and_writes_nothing(Store::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(trapeze_postgres_tests), ignore = "TRAPEZE_TEST_POSTGRES_URL is not set")]
async fn a_stuck_request_times_out_and_writes_nothing_on_postgres() {
    a_stuck_request_times_out_and_writes_nothing(Store::Postgres).await;
}

/// Reads until the server closes the connection; the guard only keeps a broken server from
/// hanging the suite.
async fn read_until_closed(stream: &mut tokio::net::TcpStream) -> Vec<u8> {
    let mut seen = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut seen)).await;
    assert!(closed.is_ok(), "the server kept the connection open");
    seen
}

#[tokio::test]
async fn unfinished_headers_and_idle_connections_are_closed() {
    let app = TestApp::spawn_with(Store::Sqlite, &[("TRAPEZE_HEADER_TIMEOUT_MS", "300")])
        .await
        .unwrap();
    // Slowloris: headers that never end.
    let mut slow = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    slow.write_all(b"POST /graphql HTTP/1.1\r\nHost: trapeze\r\nX-Slow: 1\r\n")
        .await
        .unwrap();
    read_until_closed(&mut slow).await;
    // Keep-alive: one request answered, then nothing more.
    let mut idle = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: trapeze\r\n\r\n")
        .await
        .unwrap();
    let answered = String::from_utf8(read_until_closed(&mut idle).await).unwrap();
    assert!(answered.starts_with("HTTP/1.1 200"), "{answered}");
    assert!(answered.contains("\"ok\""), "{answered}");
}
