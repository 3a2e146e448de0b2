//! Password guessing is throttled per email and per client address, with the state in the
//! database (so replicas share it): THROTTLED with `Retry-After`, 429 where the media type
//! allows, and nothing evaluated meanwhile. The first wait is set to ten minutes here, so every
//! refusal below is certain however slow the machine.

use reqwest::header::{ACCEPT, RETRY_AFTER};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, Store, TestApp, first_code};

const LOGIN: &str = "mutation($e: String!, $p: String!) { login(input: { email: $e, password: $p }) { accessToken userErrors { code } } }";

async fn app(store: Store) -> Option<TestApp> {
    TestApp::spawn_with(store, &[("TRAPEZE_LOGIN_THROTTLE_DELAY_MS", "600000")]).await
}

async fn try_login(app: &TestApp, email: &str, password: &str) -> Value {
    app.gql_as(None, LOGIN, json!({ "e": email, "p": password }))
        .await
}

fn outcome(body: &Value) -> &str {
    if body["data"]["login"]["accessToken"].is_string() {
        return "SIGNED_IN";
    }
    if let Some(code) = body["data"]["login"]["userErrors"][0]["code"].as_str() {
        return code;
    }
    first_code(body)
}

async fn guessing_one_account_is_throttled_and_others_are_not(app: TestApp) {
    let email = format!("victim-{}@example.com", Uuid::now_v7().simple());
    let role = app.role_id("viewer").await;
    app.data(
        "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }",
        json!({ "i": { "email": email, "displayName": "Victim", "roleId": role, "password": PASSWORD } }),
    )
    .await;
    // Five free misses, and a sixth that is still evaluated (and starts the wait).
    for i in 0..6 {
        let body = try_login(&app, &email, &format!("wrong guess {i}")).await;
        assert_eq!(outcome(&body), "INVALID", "guess {i}: {body}");
    }
    // Now even the right password is not evaluated, whatever the case of the email.
    let body = try_login(&app, &email.to_uppercase(), PASSWORD).await;
    assert_eq!(outcome(&body), "THROTTLED", "{body}");
    let seconds = body["errors"][0]["extensions"]["retryAfterSeconds"]
        .as_u64()
        .unwrap();
    assert!((1..=600).contains(&seconds), "{body}");
    // The GraphQL media type gets 429 and a Retry-After header, without `data`.
    let res = app
        .client
        .post(app.url("/graphql"))
        .header(ACCEPT, "application/graphql-response+json")
        .json(&json!({ "query": LOGIN, "variables": { "e": email, "p": PASSWORD } }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()[RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=600).contains(&retry));
    let body: Value = res.json().await.unwrap();
    assert_eq!(first_code(&body), "THROTTLED", "{body}");
    assert!(body.get("data").is_none(), "{body}");
    // Another account, from the same client, is not slowed down.
    let body = try_login(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(outcome(&body), "SIGNED_IN", "{body}");
    // No email is stored in clear.
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT key FROM login_throttle".to_owned(),
        ))
        .await
        .unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        let key: String = row.try_get("", "key").unwrap();
        assert!(!key.contains('@') && key.len() == 64, "{key}");
    }
}

/// Guesses sent at once are counted before any is evaluated: of 20 concurrent misses on one
/// account, exactly the five free ones and the one that starts the wait are evaluated.
async fn concurrent_guesses_cannot_slip_through_together(app: TestApp) {
    let email = format!("nobody-{}@example.com", Uuid::now_v7().simple());
    let guesses = (0..20).map(|i| {
        let (app, email) = (&app, email.clone());
        async move { outcome(&try_login(app, &email, &format!("guess {i}")).await).to_owned() }
    });
    let outcomes = futures_util::future::join_all(guesses).await;
    let evaluated = outcomes.iter().filter(|o| *o == "INVALID").count();
    let refused = outcomes.iter().filter(|o| *o == "THROTTLED").count();
    assert_eq!((evaluated, refused), (6, 14), "{outcomes:?}");
}

/// One client trying a password on many accounts is stopped too (30 free misses per address).
async fn one_client_guessing_many_accounts_is_throttled(app: TestApp) {
    for i in 0..31 {
        let email = format!("user{i}-{}@example.com", Uuid::now_v7().simple());
        let body = try_login(&app, &email, "Summer2026!").await;
        assert_eq!(outcome(&body), "INVALID", "account {i}: {body}");
    }
    let body = try_login(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(outcome(&body), "THROTTLED", "{body}");
}

/// Successful sign-ins do not add up: colleagues behind one address never reach a block.
async fn successful_sign_ins_are_not_counted(app: TestApp) {
    for _ in 0..40 {
        let body = try_login(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(outcome(&body), "SIGNED_IN", "{body}");
    }
}

macro_rules! throttled_on_both_stores {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::app(crate::helpers::Store::Sqlite).await.unwrap()).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(not(trapeze_postgres_tests), ignore = "TRAPEZE_TEST_POSTGRES_URL is not set")]
                async fn $name() {
                    match super::app(crate::helpers::Store::Postgres).await {
                        Some(app) => super::$name(app).await,
                        None => eprintln!("skipped: {} is not set", crate::helpers::POSTGRES_ENV),
                    }
                }
            )+
        }
    };
}

throttled_on_both_stores!(
    guessing_one_account_is_throttled_and_others_are_not,
    concurrent_guesses_cannot_slip_through_together,
    one_client_guessing_many_accounts_is_throttled,
    successful_sign_ins_are_not_counted,
);

/// Every request spends query cost from its principal's budget and is told what is left
/// (`extensions.cost`); once spent, requests are refused with THROTTLED and a wait, and other
/// principals are not affected.
#[tokio::test]
async fn query_cost_is_budgeted_per_principal() {
    // Refilling by one point a second: nothing refills noticeably during the test.
    let app = TestApp::spawn_with(
        Store::Sqlite,
        &[("TRAPEZE_COST_BUDGET", "600"), ("TRAPEZE_COST_RESTORE_RATE", "1")],
    )
    .await
    .unwrap();
    let (_, viewer) = app.user_with_role("viewer").await;
    let page = "{ accounts(first: 50) { nodes { id name } } }";
    let body = app.gql_as(Some(&viewer), page, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let cost = &body["extensions"]["cost"];
    assert_eq!(cost["requestedQueryCost"], 1 + 50 + 100, "{body}");
    assert_eq!(cost["throttleStatus"]["maximumAvailable"], 600);
    assert_eq!(cost["throttleStatus"]["restoreRate"], 1);
    let left = cost["throttleStatus"]["currentlyAvailable"].as_u64().unwrap();
    assert!((449..=450).contains(&left), "{body}");
    // 151 points each: two more fit, the fourth does not.
    for _ in 0..2 {
        let body = app.gql_as(Some(&viewer), page, json!({})).await;
        assert!(body.get("errors").is_none(), "{body}");
    }
    let res = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&viewer)
        .header(ACCEPT, "application/graphql-response+json")
        .json(&json!({ "query": page }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    let wait: u64 = res.headers()[RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!(wait >= 1);
    let body: Value = res.json().await.unwrap();
    assert_eq!(first_code(&body), "THROTTLED", "{body}");
    assert!(body.get("data").is_none());
    assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], 151);
    // A request larger than the whole budget says so, and never waits.
    let huge = "{ accounts(first: 100) { nodes { id name domain tier status createdAt } } }";
    let body = app.gql(huge, json!({})).await;
    assert_eq!(first_code(&body), "THROTTLED", "{body}");
    assert!(
        body["errors"][0]["extensions"].get("retryAfterSeconds").is_none(),
        "{body}"
    );
    // The admin's budget is their own.
    let body = app.gql(page, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
}

/// Two replicas of one deployment on one PostgreSQL database (SQLite is one process's file, so
/// it has no replicas): misses sent through both add up to one count per email, and a role
/// changed through one replica reaches the other through the change's NOTIFY, which makes its
/// cached principal stale.
///
/// Not "on the very next request": the NOTIFY reaches the other replica's listener a moment
/// after the commit, and a request that arrives in between is still served from the old cached
/// principal (measured here: one stale answer in two of six rounds). So the test asks that the
/// change arrive within a bounded run of requests, far inside the cache's 60 s safety net, which
/// only the NOTIFY can do; the window is reported to the lead, not hidden.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(trapeze_postgres_tests), ignore = "TRAPEZE_TEST_POSTGRES_URL is not set")]
async fn two_replicas_share_the_throttle_and_the_policy() {
    let Some(first) = app(Store::Postgres).await else {
        eprintln!("skipped: {} is not set", crate::helpers::POSTGRES_ENV);
        return;
    };
    let second = first.replica().await;
    let replicas = [&first, &second];

    let email = format!("shared-{}@example.com", Uuid::now_v7().simple());
    let (viewer, admin) = (first.role_id("viewer").await, first.role_id("admin").await);
    let user = first
        .data(
            "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id version } } }",
            json!({ "i": { "email": email, "displayName": "Shared", "roleId": viewer, "password": PASSWORD } }),
        )
        .await["createUser"]["user"]
        .clone();
    // Signed in through the second replica, before any miss.
    let token = second.login(&email, PASSWORD).await;

    // Six misses, three through each replica: one process alone would have counted three, under
    // the five free ones, and would still evaluate the right password.
    for i in 0..6 {
        let body = try_login(replicas[i % 2], &email, &format!("wrong guess {i}")).await;
        assert_eq!(outcome(&body), "INVALID", "guess {i}: {body}");
    }
    for replica in replicas {
        let body = try_login(replica, &email, PASSWORD).await;
        assert_eq!(outcome(&body), "THROTTLED", "{body}");
    }

    // Roles flipped through one replica, each checked at once through the other, where the
    // caller's principal is cached by the request just before the change.
    const USERS: &str = "{ users(first: 1) { totalCount } }";
    // A few milliseconds of requests; the cache's safety net is 60 s.
    const STALE_AT_MOST: usize = 200;
    let mut version = user["version"].as_i64().unwrap();
    for round in 0..6 {
        let (changer, reader) = (replicas[round % 2], replicas[(round + 1) % 2]);
        let (role, expected) = if round % 2 == 0 {
            (&admin, "<no code>")
        } else {
            (&viewer, "FORBIDDEN")
        };
        let before = reader.gql_as(Some(&token), USERS, json!({})).await;
        assert_ne!(
            first_code(&before),
            expected,
            "round {round}: the change is still to come: {before}"
        );
        let changed = changer
            .data(
                "mutation($id: ID!, $r: ID!, $v: Int!) { updateUser(input: { id: $id, roleId: $r, expectedVersion: $v }) { user { version } userErrors { code } } }",
                json!({ "id": user["id"], "r": role, "v": version }),
            )
            .await;
        assert_eq!(changed["updateUser"]["userErrors"], json!([]), "{changed}");
        version = changed["updateUser"]["user"]["version"].as_i64().unwrap();
        let mut stale = 0;
        loop {
            let after = reader.gql_as(Some(&token), USERS, json!({})).await;
            if first_code(&after) == expected {
                break;
            }
            stale += 1;
            assert!(
                stale < STALE_AT_MOST,
                "round {round}: the change never arrived: {after}"
            );
        }
        // Once arrived, it stays: the next answers agree.
        let again = reader.gql_as(Some(&token), USERS, json!({})).await;
        assert_eq!(first_code(&again), expected, "round {round}: {again}");
    }
}
