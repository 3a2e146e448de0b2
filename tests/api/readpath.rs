//! The read path: the caller is read once and then cached until who may do what changes, every
//! edge reads through the scoped finders, and responses keep the order of the selection.

use serde_json::{Value, json};

use crate::helpers::{PASSWORD, Store, TestApp, first_code, on_both_stores};

const CREATE_ROLE: &str =
    "mutation($i: CreateRoleInput!) { createRole(input: $i) { role { id } userErrors { field code } } }";
const UPDATE_ROLE: &str =
    "mutation($i: UpdateRoleInput!) { updateRole(input: $i) { role { version } userErrors { field code } } }";
const CREATE_USER: &str =
    "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } userErrors { field code } } }";

/// A user of a new role with `grants`; returns the role's id and the user's token.
async fn user_with_grants(app: &TestApp, name: &str, grants: Value) -> (Value, String) {
    let role = app
        .data(CREATE_ROLE, json!({ "i": { "name": name, "grants": grants } }))
        .await["createRole"]["role"]["id"]
        .clone();
    let email = format!("{name}@example.com");
    app.data(
        CREATE_USER,
        json!({ "i": { "email": email, "displayName": name, "roleId": role, "password": PASSWORD } }),
    )
    .await;
    (role, app.login(&email, PASSWORD).await)
}

async fn statements_as(app: &TestApp, token: &str, query: &str) -> (u64, Value) {
    let before = app.statements().await;
    let body = app.gql_as(Some(token), query, json!({})).await;
    (app.statements().await - before, body)
}

async fn a_caller_is_read_once_until_their_grants_change(app: TestApp) {
    let grants = json!([{ "permission": "account.read", "scope": "ALL" }]);
    let (role, token) = user_with_grants(&app, "reader", grants).await;
    let (first, _) = statements_as(&app, &token, "{ __typename }").await;
    let (second, _) = statements_as(&app, &token, "{ __typename }").await;
    assert_eq!((first, second), (2, 0), "the caller is read, then cached");

    let (_, body) = statements_as(&app, &token, "{ accounts(first: 1) { totalCount } }").await;
    assert!(body.get("errors").is_none(), "{body}");
    let data = app
        .data(
            UPDATE_ROLE,
            json!({ "i": { "id": role, "grants": [], "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(data["updateRole"]["role"]["version"], 2);
    // The very next request reads the new grants.
    let (read_again, body) = statements_as(&app, &token, "{ accounts(first: 1) { totalCount } }").await;
    assert_eq!(first_code(&body), "FORBIDDEN", "{body}");
    assert_eq!(read_again, 2, "the change made the cached caller stale");
}

async fn a_deactivated_caller_is_refused_on_the_next_request_though_cached(app: TestApp) {
    let (id, token) = app.user_with_role("viewer").await;
    let (_, body) = statements_as(&app, &token, "{ viewer { role { name } } }").await;
    assert_eq!(body["data"]["viewer"]["role"]["name"], "viewer");
    let deactivate =
        "mutation($id: ID!) { deactivateUser(input: { id: $id }) { user { active } userErrors { code } } }";
    let data = app.data(deactivate, json!({ "id": id })).await;
    assert_eq!(data["deactivateUser"]["user"]["active"], false);
    let body = app
        .gql_as(Some(&token), "{ viewer { role { name } } }", json!({}))
        .await;
    assert_eq!(first_code(&body), "UNAUTHENTICATED", "{body}");
}

async fn a_revoked_api_token_is_refused_on_the_next_request_though_cached(app: TestApp) {
    let role = app.role_id("viewer").await;
    let created = app
        .data(
            "mutation($r: ID!) { createApiToken(input: { name: \"bi\", roleId: $r }) { apiToken { id } token } }",
            json!({ "r": role }),
        )
        .await;
    let token = created["createApiToken"]["token"].as_str().unwrap().to_owned();
    let id = created["createApiToken"]["apiToken"]["id"].clone();
    let (first, _) = statements_as(&app, &token, "{ __typename }").await;
    let (second, _) = statements_as(&app, &token, "{ __typename }").await;
    // The first request also records the token's first use.
    assert_eq!((first, second), (3, 0));
    app.data(
        "mutation($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { id } } }",
        json!({ "id": id }),
    )
    .await;
    let body = app
        .gql_as(Some(&token), "{ accounts(first: 1) { totalCount } }", json!({}))
        .await;
    assert_eq!(first_code(&body), "UNAUTHENTICATED", "{body}");
}

/// `Stakeholder.account` and `Opportunity.account` read through the account finder: a role that
/// reads every stakeholder and deal but only its own accounts does not see the others' accounts
/// through them.
async fn an_account_edge_shows_only_what_the_account_finder_allows(app: TestApp) {
    let account = app
        .data(
            "mutation { createAccount(input: { name: \"Hidden Corp\" }) { account { id } } }",
            json!({}),
        )
        .await["createAccount"]["account"]["id"]
        .clone();
    app.data(
        "mutation($a: ID!) { createStakeholder(input: { accountId: $a, firstName: \"Ann\", lastName: \"Lee\" }) { stakeholder { id } } }",
        json!({ "a": account }),
    )
    .await;
    app.data(
        "mutation($a: ID!) { createOpportunity(input: { accountId: $a, name: \"Deal\" }) { opportunity { id } } }",
        json!({ "a": account }),
    )
    .await;
    let grants = json!([
        { "permission": "stakeholder.read", "scope": "ALL" },
        { "permission": "opportunity.read", "scope": "ALL" },
        { "permission": "account.read", "scope": "OWN" }
    ]);
    let (_, token) = user_with_grants(&app, "narrow", grants).await;
    let by_id = app
        .data_as(
            Some(&token),
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": account }),
        )
        .await;
    assert_eq!(by_id["node"], Value::Null, "the by-ID read refuses the account");
    for query in [
        "{ stakeholders(first: 5) { nodes { fullName account { name } } } }",
        "{ opportunities(first: 5) { nodes { name account { name } } } }",
    ] {
        let body = app.gql_as(Some(&token), query, json!({})).await;
        assert_eq!(first_code(&body), "FORBIDDEN", "{body}");
        assert!(
            body["errors"][0]["path"].to_string().contains("account"),
            "{body}"
        );
        assert!(!body.to_string().contains("Hidden Corp"), "{body}");
    }
    // The admin reads the same edges.
    let data = app
        .data(
            "{ stakeholders(first: 5) { nodes { account { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["stakeholders"]["nodes"][0]["account"]["name"], "Hidden Corp");
}

/// Staff seen through an edge (an account's owner) show their public profile only: the id and
/// display name; email, active flag and last sign-in are for user managers and the user.
async fn staff_through_an_edge_show_a_public_profile(app: TestApp) {
    app.data(
        "mutation { createAccount(input: { name: \"Owned\" }) { account { id } } }",
        json!({}),
    )
    .await;
    let (_, viewer) = app.user_with_role("viewer").await;
    let query = "{ accounts(first: 1) { nodes { owner { id displayName email active lastLoginAt } } } }";
    let body = app.gql_as(Some(&viewer), query, json!({})).await;
    let owner = &body["data"]["accounts"]["nodes"][0]["owner"];
    assert_eq!(owner["displayName"], "Administrator", "{body}");
    assert!(owner["id"].is_string());
    for private in ["email", "active", "lastLoginAt"] {
        assert_eq!(owner[private], Value::Null, "{private}: {body}");
    }
    let codes: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["extensions"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["FORBIDDEN"; 3], "{body}");
    assert!(!body.to_string().contains(crate::helpers::ADMIN_EMAIL), "{body}");
    // The admin, who manages users, sees the whole record.
    let data = app.data(query, json!({})).await;
    assert_eq!(
        data["accounts"]["nodes"][0]["owner"]["email"],
        crate::helpers::ADMIN_EMAIL
    );
}

/// A deal's people (joined to its participants in one statement), a person's deals and a deal's
/// risks are read through the scoped finders of the people and the deals: a list edge never
/// shows what the by-ID read refuses.
async fn list_edges_show_only_what_their_finders_allow(app: TestApp) {
    let account = app
        .data(
            "mutation { createAccount(input: { name: \"Acme\" }) { account { id } } }",
            json!({}),
        )
        .await["createAccount"]["account"]["id"]
        .clone();
    let person = |token: Option<String>, name: &'static str| {
        let (app, account) = (&app, account.clone());
        async move {
            let body = app
                .gql_as(
                    Some(token.as_deref().unwrap_or(&app.admin_token)),
                    "mutation($a: ID!, $n: String!) { createStakeholder(input: { accountId: $a, firstName: $n, lastName: \"X\" }) { stakeholder { id } } }",
                    json!({ "a": account, "n": name }),
                )
                .await;
            body["data"]["createStakeholder"]["stakeholder"]["id"].clone()
        }
    };
    let deal = |token: Option<String>, name: &'static str| {
        let (app, account) = (&app, account.clone());
        async move {
            let body = app
                .gql_as(
                    Some(token.as_deref().unwrap_or(&app.admin_token)),
                    "mutation($a: ID!, $n: String!) { createOpportunity(input: { accountId: $a, name: $n }) { opportunity { id } } }",
                    json!({ "a": account, "n": name }),
                )
                .await;
            assert!(
                body["data"]["createOpportunity"]["opportunity"]["id"].is_string(),
                "{body}"
            );
            body["data"]["createOpportunity"]["opportunity"]["id"].clone()
        }
    };
    let join = |deal: Value, person: Value| {
        let app = &app;
        async move {
            let data = app
                .data(
                    "mutation($d: ID!, $p: ID!) { addDealParticipant(input: { opportunityId: $d, stakeholderId: $p }) { participant { id } userErrors { code } } }",
                    json!({ "d": deal, "p": person }),
                )
                .await;
            data["addDealParticipant"]["participant"]["id"].clone()
        }
    };

    // Someone who reads every deal but only their own people.
    let (_, own_people) = user_with_grants(
        &app,
        "ownpeople",
        json!([
            { "permission": "opportunity.read", "scope": "ALL" },
            { "permission": "stakeholder.read", "scope": "OWN" },
            { "permission": "stakeholder.create", "scope": "ALL" },
            { "permission": "account.read", "scope": "ALL" }
        ]),
    )
    .await;
    let mine = person(Some(own_people.clone()), "Mine").await;
    let theirs = person(None, "Theirs").await;
    let admins_deal = deal(None, "Admins deal").await;
    join(admins_deal.clone(), mine.clone()).await;
    join(admins_deal.clone(), theirs.clone()).await;
    let room = app
        .data_as(
            Some(&own_people),
            "query($d: ID!) { opportunity(id: $d) { participants { stakeholder { firstName } } } }",
            json!({ "d": admins_deal }),
        )
        .await;
    let names: Vec<Value> = room["opportunity"]["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["stakeholder"].clone())
        .collect();
    assert_eq!(names.len(), 2, "{room}");
    assert!(names.contains(&json!({ "firstName": "Mine" })), "{room}");
    assert!(
        names.contains(&Value::Null),
        "the admin's person stays hidden: {room}"
    );
    assert!(!room.to_string().contains("Theirs"), "{room}");
    let by_id = app
        .data_as(
            Some(&own_people),
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": theirs }),
        )
        .await;
    assert_eq!(
        by_id["node"],
        Value::Null,
        "the by-ID read refuses the person too"
    );

    // Someone who reads every person but only their own deals.
    let (_, own_deals) = user_with_grants(
        &app,
        "owndeals",
        json!([
            { "permission": "stakeholder.read", "scope": "ALL" },
            { "permission": "opportunity.read", "scope": "OWN" },
            { "permission": "opportunity.create", "scope": "ALL" },
            { "permission": "account.read", "scope": "ALL" }
        ]),
    )
    .await;
    let their_deal = deal(Some(own_deals.clone()), "Own deal").await;
    join(their_deal.clone(), theirs.clone()).await;
    app.data(
        "mutation($d: ID!) { raiseDealRisk(input: { opportunityId: $d, kind: DO_NOTHING }) { risk { id } } }",
        json!({ "d": admins_deal }),
    )
    .await;
    let deals = app
        .data_as(
            Some(&own_deals),
            "query($p: ID!) { stakeholder(id: $p) { deals { opportunity { name } } } }",
            json!({ "p": theirs }),
        )
        .await;
    assert_eq!(
        deals["stakeholder"]["deals"],
        json!([{ "opportunity": { "name": "Own deal" } }]),
        "the admin's deal is left out: {deals}"
    );
    // The admin sees both.
    let all = app
        .data(
            "query($p: ID!) { stakeholder(id: $p) { deals { opportunity { name } } } }",
            json!({ "p": theirs }),
        )
        .await;
    assert_eq!(all["stakeholder"]["deals"].as_array().unwrap().len(), 2, "{all}");
}

on_both_stores!(
    list_edges_show_only_what_their_finders_allow,
    staff_through_an_edge_show_a_public_profile,
    a_caller_is_read_once_until_their_grants_change,
    a_deactivated_caller_is_refused_on_the_next_request_though_cached,
    a_revoked_api_token_is_refused_on_the_next_request_though_cached,
    an_account_edge_shows_only_what_the_account_finder_allows,
);

/// The spec's serialization: the fields of a response come in the order of the selection set,
/// aliases and nested objects included (a sorted map used to put them in alphabetical order).
#[tokio::test]
async fn fields_come_back_in_the_order_they_were_selected() {
    let app = TestApp::spawn(Store::Sqlite).await.unwrap();
    let query =
        "{ zeta: __typename viewer { role { name id } permissions { scope permission } } alpha: __typename }";
    let res = app.post(query, json!({})).await;
    let text = res.text().await.unwrap();
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle} missing from {text}"))
    };
    assert!(at("\"zeta\"") < at("\"viewer\""), "{text}");
    assert!(at("\"viewer\"") < at("\"alpha\""), "{text}");
    assert!(at("\"name\"") < at("\"id\""), "{text}");
    assert!(at("\"scope\"") < at("\"permission\""), "{text}");
}
