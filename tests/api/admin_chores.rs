//! Admin chores: reactivating a user, rotating an API token's secret (with its grace period),
//! unique live token names, and the owners marketing may hand an MQL to.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{PASSWORD, TestApp, first_code, on_both_stores};

const ME: &str = "{ viewer { role { name } } }";

async fn a_reactivated_user_signs_in_again(app: TestApp) {
    let email = format!("back-{}@example.com", Uuid::now_v7().simple());
    let role = app.role_id("sales").await;
    let id = app
        .data(
            "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }",
            json!({ "i": { "email": email, "displayName": "Back", "roleId": role, "password": PASSWORD } }),
        )
        .await["createUser"]["user"]["id"]
        .clone();
    let token = app.login(&email, PASSWORD).await;
    app.data(
        "mutation($id: ID!) { deactivateUser(input: { id: $id }) { userErrors { code } } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        first_code(&app.gql_as(Some(&token), ME, json!({})).await),
        "UNAUTHENTICATED"
    );

    let back = app
        .data(
            "mutation($id: ID!) { reactivateUser(input: { id: $id }) { user { id active } userErrors { code } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        back["reactivateUser"]["user"],
        json!({ "id": id, "active": true })
    );
    let token = app.login(&email, PASSWORD).await;
    let me = app.data_as(Some(&token), ME, json!({})).await;
    assert_eq!(me["viewer"]["role"]["name"], "sales");
    // The audit log tells the reactivation, like the deactivation before it.
    let log = app
        .data(
            "query($s: ID!) { auditLog(first: 5, filter: { subjectId: $s, types: [\"user.reactivated\", \"user.deactivated\"] }) { nodes { type changes { field before after } } } }",
            json!({ "s": id }),
        )
        .await;
    let events = &log["auditLog"]["nodes"];
    assert_eq!(events[0]["type"], "user.reactivated", "{log}");
    assert_eq!(
        events[0]["changes"][0],
        json!({ "field": "active", "before": false, "after": true }),
        "{log}"
    );
    assert_eq!(events[1]["type"], "user.deactivated", "{log}");

    let missing = app
        .data(
            "mutation { reactivateUser(input: { id: \"nope\" }) { userErrors { field code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        missing["reactivateUser"]["userErrors"],
        json!([{ "field": ["id"], "code": "NOT_FOUND" }])
    );
}

async fn create_token(app: &TestApp, name: &str) -> Value {
    let role = app.role_id("viewer").await;
    app.data(
        "mutation($r: ID!, $n: String!) { createApiToken(input: { name: $n, roleId: $r }) { apiToken { id prefix } token userErrors { field code } } }",
        json!({ "r": role, "n": name }),
    )
    .await["createApiToken"]
        .clone()
}

async fn works(app: &TestApp, token: &Value) -> bool {
    let body = app.gql_as(Some(token.as_str().unwrap()), ME, json!({})).await;
    match first_code(&body) {
        "<no code>" => true,
        "UNAUTHENTICATED" => false,
        other => panic!("unexpected {other}: {body}"),
    }
}

async fn a_rotated_token_keeps_its_previous_secret_for_the_grace_period(app: TestApp) {
    let created = create_token(&app, "BI loader").await;
    let first = created["token"].clone();
    assert!(works(&app, &first).await);
    let rotate = "mutation($id: ID!) { rotateApiToken(input: { id: $id }) { apiToken { id prefix } token userErrors { field code } } }";
    let id = created["apiToken"]["id"].clone();
    let rotated = app.data(rotate, json!({ "id": id })).await["rotateApiToken"].clone();
    assert_eq!(rotated["userErrors"], json!([]));
    assert_eq!(rotated["apiToken"], created["apiToken"]);
    let second = rotated["token"].clone();
    assert_ne!(second, first);
    // Both work while the previous secret is in its grace period.
    assert!(works(&app, &second).await);
    assert!(works(&app, &first).await);
    // Rotating again ends the grace of the first secret: only one previous secret is kept.
    let third = app.data(rotate, json!({ "id": id })).await["rotateApiToken"]["token"].clone();
    assert!(works(&app, &third).await);
    assert!(works(&app, &second).await);
    assert!(!works(&app, &first).await);

    app.data(
        "mutation($id: ID!) { revokeApiToken(input: { id: $id }) { userErrors { code } } }",
        json!({ "id": id }),
    )
    .await;
    assert!(!works(&app, &third).await);
    assert!(!works(&app, &second).await);
    let refused = app.data(rotate, json!({ "id": id })).await["rotateApiToken"].clone();
    assert_eq!(
        refused["userErrors"],
        json!([{ "field": ["id"], "code": "INVALID" }])
    );
    assert_eq!(refused["token"], Value::Null);
}

/// Rotating hands out a working secret of the token's role, so a token manager rotates only
/// tokens whose role they could have given a new token: never one that grants more than they hold.
async fn no_one_rotates_a_token_that_grants_more_than_they_hold(app: TestApp) {
    let admin_role = app.role_id("admin").await;
    let mighty = app
        .data(
            "mutation($r: ID!) { createApiToken(input: { name: \"Mighty\", roleId: $r }) { apiToken { id } token } }",
            json!({ "r": admin_role }),
        )
        .await["createApiToken"]
        .clone();
    let role = app
        .data(
            "mutation { createRole(input: { name: \"token keeper\", grants: [{ permission: \"token.manage\", scope: ALL }] }) { role { id } } }",
            json!({}),
        )
        .await["createRole"]["role"]["id"]
        .clone();
    let email = format!("keeper-{}@example.com", Uuid::now_v7().simple());
    app.data(
        "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }",
        json!({ "i": { "email": email, "displayName": "Keeper", "roleId": role, "password": PASSWORD } }),
    )
    .await;
    let keeper = app.login(&email, PASSWORD).await;
    let refused = app
        .data_as(
            Some(&keeper),
            "mutation($id: ID!) { rotateApiToken(input: { id: $id }) { token userErrors { field code } } }",
            json!({ "id": mighty["apiToken"]["id"] }),
        )
        .await;
    assert_eq!(
        refused["rotateApiToken"],
        json!({ "token": null, "userErrors": [{ "field": ["id"], "code": "FORBIDDEN" }] })
    );
    // The token's secret is unchanged.
    assert!(works(&app, &mighty["token"]).await);
}

async fn live_api_token_names_are_unique(app: TestApp) {
    let first = create_token(&app, "Warehouse").await;
    assert_eq!(first["userErrors"], json!([]));
    let again = create_token(&app, " warehouse ").await;
    assert_eq!(
        again["userErrors"],
        json!([{ "field": ["name"], "code": "TAKEN" }])
    );
    assert_eq!(again["token"], Value::Null);
    app.data(
        "mutation($id: ID!) { revokeApiToken(input: { id: $id }) { userErrors { code } } }",
        json!({ "id": first["apiToken"]["id"] }),
    )
    .await;
    let after = create_token(&app, "Warehouse").await;
    assert_eq!(after["userErrors"], json!([]));
}

async fn marketing_lists_the_sales_users_it_may_assign_an_mql_to(app: TestApp) {
    let (_, marketing) = app.user_with_role("marketing").await;
    let (sales_id, _) = app.user_with_role("sales").await;
    let (manager_id, _) = app.user_with_role("sales_manager").await;
    let (viewer_id, _) = app.user_with_role("viewer").await;
    let (gone_id, _) = app.user_with_role("sales").await;
    app.data(
        "mutation($id: ID!) { deactivateUser(input: { id: $id }) { userErrors { code } } }",
        json!({ "id": gone_id }),
    )
    .await;
    let listed = app
        .data_as(
            Some(&marketing),
            "{ assignableOwners { id displayName } }",
            json!({}),
        )
        .await["assignableOwners"]
        .clone();
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&sales_id.as_str()), "{listed}");
    assert!(ids.contains(&manager_id.as_str()), "{listed}");
    assert!(!ids.contains(&viewer_id.as_str()), "{listed}");
    assert!(!ids.contains(&gone_id.as_str()), "{listed}");
    let sales = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == sales_id.as_str())
        .unwrap();
    assert_eq!(sales["displayName"], "sales");
    // A public profile only: nothing more can be asked of it.
    let body = app
        .gql_as(Some(&marketing), "{ assignableOwners { id email } }", json!({}))
        .await;
    assert_eq!(first_code(&body), "GRAPHQL_VALIDATION_FAILED");
    // The listed owner can be assigned.
    let account = app
        .data(
            "mutation { createAccount(input: { name: \"Acme\" }) { account { id } } }",
            json!({}),
        )
        .await["createAccount"]["account"]["id"]
        .clone();
    let person = app
        .data_as(
            Some(&marketing),
            "mutation($a: ID!) { createStakeholder(input: { accountId: $a, firstName: \"A\", lastName: \"B\" }) { stakeholder { id } } }",
            json!({ "a": account }),
        )
        .await["createStakeholder"]["stakeholder"]["id"]
        .clone();
    let moved = app
        .data_as(
            Some(&marketing),
            "mutation($p: ID!, $o: ID!) { moveLeadStage(input: { stakeholderId: $p, to: MQL, assignOwnerId: $o }) { stakeholder { owner { id } } userErrors { code } } }",
            json!({ "p": person, "o": sales_id }),
        )
        .await;
    assert_eq!(
        moved["moveLeadStage"]["stakeholder"]["owner"]["id"],
        sales_id.as_str()
    );
}

on_both_stores!(
    no_one_rotates_a_token_that_grants_more_than_they_hold,
    a_reactivated_user_signs_in_again,
    a_rotated_token_keeps_its_previous_secret_for_the_grace_period,
    live_api_token_names_are_unique,
    marketing_lists_the_sales_users_it_may_assign_an_mql_to,
);
