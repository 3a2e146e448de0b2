//! Forged and stale bearer tokens: each one answers UNAUTHENTICATED, as an anonymous caller.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use trapeze::auth::jwt::{AUDIENCE, ISSUER, key_id};

use crate::helpers::{JWT_SECRET, Store, TestApp, first_code};

const VIEWER: &str = "{ viewer { user { email } } }";

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Claims of a token that would be valid for `sub`; tests remove or change one thing.
fn claims(sub: &str) -> serde_json::Map<String, Value> {
    let t = now();
    json!({ "iss": ISSUER, "aud": AUDIENCE, "sub": sub, "exp": t + 600, "iat": t, "nbf": t, "typ": "access" })
        .as_object()
        .unwrap()
        .clone()
}

fn sign(
    alg: Algorithm,
    secret: &[u8],
    kid: Option<String>,
    claims: &serde_json::Map<String, Value>,
) -> String {
    let mut header = Header::new(alg);
    header.kid = kid;
    encode(&header, claims, &EncodingKey::from_secret(secret)).unwrap()
}

fn signed(claims: &serde_json::Map<String, Value>) -> String {
    sign(
        Algorithm::HS256,
        JWT_SECRET.as_bytes(),
        Some(key_id(JWT_SECRET.as_bytes())),
        claims,
    )
}

fn without(mut c: serde_json::Map<String, Value>, key: &str) -> serde_json::Map<String, Value> {
    c.remove(key);
    c
}

fn with(mut c: serde_json::Map<String, Value>, key: &str, value: Value) -> serde_json::Map<String, Value> {
    c.insert(key.into(), value);
    c
}

/// The admin's user id, read from their own token.
fn subject(token: &str) -> String {
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    claims["sub"].as_str().unwrap().to_owned()
}

async fn assert_refused(app: &TestApp, name: &str, token: &str) {
    let body = app.gql_as(Some(token), VIEWER, json!({})).await;
    assert_eq!(first_code(&body), "UNAUTHENTICATED", "{name}: {body}");
}

#[tokio::test]
async fn every_forged_or_stale_token_is_unauthenticated() {
    let app = TestApp::spawn(Store::Sqlite).await.unwrap();
    let sub = subject(&app.admin_token);
    let kid = Some(key_id(JWT_SECRET.as_bytes()));

    // The control: a token made the way the server makes them is accepted.
    let body = app.gql_as(Some(&signed(&claims(&sub))), VIEWER, json!({})).await;
    assert_eq!(
        body["data"]["viewer"]["user"]["email"], "admin@example.com",
        "{body}"
    );

    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let none_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(&sub)).unwrap());
    let other_secret = b"another-secret-of-at-least-thirty-two-bytes";
    let cases: Vec<(&str, String)> = vec![
        ("alg none", format!("{none_header}.{none_payload}.")),
        (
            "another algorithm (HS512)",
            sign(
                Algorithm::HS512,
                JWT_SECRET.as_bytes(),
                kid.clone(),
                &claims(&sub),
            ),
        ),
        (
            "another key under our kid",
            sign(Algorithm::HS256, other_secret, kid.clone(), &claims(&sub)),
        ),
        (
            "an unknown kid",
            sign(
                Algorithm::HS256,
                other_secret,
                Some(key_id(other_secret)),
                &claims(&sub),
            ),
        ),
        (
            "no kid",
            sign(Algorithm::HS256, JWT_SECRET.as_bytes(), None, &claims(&sub)),
        ),
        (
            "expired beyond the leeway",
            signed(&with(claims(&sub), "exp", json!(now() - 60))),
        ),
        (
            "nbf in the future",
            signed(&with(claims(&sub), "nbf", json!(now() + 600))),
        ),
        (
            "iat a day in the future",
            signed(&with(claims(&sub), "iat", json!(now() + 86_400))),
        ),
        ("missing iss", signed(&without(claims(&sub), "iss"))),
        ("missing aud", signed(&without(claims(&sub), "aud"))),
        ("missing exp", signed(&without(claims(&sub), "exp"))),
        ("missing iat", signed(&without(claims(&sub), "iat"))),
        ("missing sub", signed(&without(claims(&sub), "sub"))),
        (
            "wrong iss",
            signed(&with(claims(&sub), "iss", json!("someone-else"))),
        ),
        (
            "wrong aud",
            signed(&with(claims(&sub), "aud", json!("another-api"))),
        ),
        (
            "typ refresh",
            signed(&with(claims(&sub), "typ", json!("refresh"))),
        ),
        (
            "an unknown user",
            signed(&claims("01935a00-0000-7000-8000-00000000ffff")),
        ),
        ("garbage", "not.a.token".to_owned()),
        ("an unknown API token", "trp_nothing_here".to_owned()),
    ];
    for (name, token) in &cases {
        assert_refused(&app, name, token).await;
    }
}

#[tokio::test]
async fn a_refresh_token_is_no_access_token() {
    let app = TestApp::spawn(Store::Sqlite).await.unwrap();
    let data = app
        .data_as(
            None,
            "mutation { login(input: { email: \"admin@example.com\", password: \"admin password 123\" }) { refreshToken } }",
            json!({}),
        )
        .await;
    assert_refused(
        &app,
        "a refresh token",
        data["login"]["refreshToken"].as_str().unwrap(),
    )
    .await;
}

#[tokio::test]
async fn a_deactivated_users_token_stops_working_on_the_next_request() {
    let app = TestApp::spawn(Store::Sqlite).await.unwrap();
    let (id, token) = app.user_with_role("marketing").await;
    app.data_as(Some(&token), VIEWER, json!({})).await;
    let data = app
        .data("mutation($id: ID!) { deactivateUser(input: { id: $id }) { user { active } userErrors { code } } }", json!({ "id": id }))
        .await;
    assert_eq!(data["deactivateUser"]["user"]["active"], false);
    assert_refused(&app, "a deactivated user's token", &token).await;
}

#[tokio::test]
async fn a_token_signed_with_a_previous_key_works_until_the_key_is_removed() {
    let old = "the-previous-secret-of-at-least-32-bytes";
    let app = TestApp::spawn_with(Store::Sqlite, &[("TRAPEZE_JWT_PREVIOUS_SECRETS", old)])
        .await
        .unwrap();
    let sub = subject(&app.admin_token);
    let token = sign(
        Algorithm::HS256,
        old.as_bytes(),
        Some(key_id(old.as_bytes())),
        &claims(&sub),
    );
    app.data_as(Some(&token), VIEWER, json!({})).await;

    let rotated = TestApp::spawn(Store::Sqlite).await.unwrap();
    let token = sign(
        Algorithm::HS256,
        old.as_bytes(),
        Some(key_id(old.as_bytes())),
        &claims(&subject(&rotated.admin_token)),
    );
    assert_refused(&rotated, "a removed key", &token).await;
}

#[tokio::test]
async fn anonymous_callers_may_only_sign_in() {
    let app = TestApp::spawn(Store::Sqlite).await.unwrap();
    for query in [
        VIEWER,
        "{ personas(first: 1) { totalCount } }",
        "{ permissionCatalog { permission } }",
    ] {
        let body = app.gql_as(None, query, json!({})).await;
        assert_eq!(first_code(&body), "UNAUTHENTICATED", "{query}");
    }
    let body = app
        .gql_as(
            None,
            "mutation { createPersona(input: { name: \"X\" }) { persona { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(first_code(&body), "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_generated_development_key_survives_a_restart() {
    use std::collections::HashMap;
    use trapeze::{app::App, config::Settings};

    let path = std::env::temp_dir().join(format!("trapeze-restart-{}.db", uuid::Uuid::now_v7().simple()));
    let env: HashMap<String, String> = [
        ("DATABASE_URL", format!("sqlite://{}?mode=rwc", path.display())),
        ("TRAPEZE_ADDR", "127.0.0.1:0".to_owned()),
        ("TRAPEZE_ADMIN_EMAIL", "admin@example.com".to_owned()),
        ("TRAPEZE_ADMIN_PASSWORD", "admin password 123".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let settings = Settings::from_sources(None, &env).unwrap();
    assert!(
        settings.auth.jwt_secret.is_none(),
        "no configured key: development generates one"
    );
    let client = reqwest::Client::new();
    let post = |addr: std::net::SocketAddr, token: Option<String>, query: &'static str| {
        let client = client.clone();
        async move {
            let mut request = client
                .post(format!("http://{addr}/graphql"))
                .json(&json!({ "query": query }));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            request.send().await.unwrap().json::<Value>().await.unwrap()
        }
    };

    let first = App::build(settings.clone(), true).await.unwrap();
    let addr = first.addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(first.run_until(async {
        let _ = stopped.await;
    }));
    let login = post(
        addr,
        None,
        "mutation { login(input: { email: \"admin@example.com\", password: \"admin password 123\" }) { accessToken } }",
    )
    .await;
    let token = login["data"]["login"]["accessToken"].as_str().unwrap().to_owned();
    stop.send(()).unwrap();
    running.await.unwrap().unwrap();

    let second = App::build(settings, true).await.unwrap();
    let addr = second.addr();
    tokio::spawn(second.run_until(std::future::pending()));
    let body = post(addr, Some(token), "{ viewer { user { email } } }").await;
    assert_eq!(
        body["data"]["viewer"]["user"]["email"], "admin@example.com",
        "{body}"
    );
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
