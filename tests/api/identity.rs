//! Sessions, API tokens, roles as data and the rules that keep an admin in charge.

use serde_json::{Value, json};

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, TestApp, first_code, on_both_stores};

const LOGIN: &str = "mutation($e: String!, $p: String!) {
  login(input: { email: $e, password: $p }) { accessToken refreshToken accessTokenExpiresAt user { email } userErrors { field message code } }
}";
const REFRESH: &str = "mutation($t: String!) {
  refreshSession(input: { refreshToken: $t }) { accessToken refreshToken userErrors { code } }
}";
const VIEWER: &str = "{ viewer { user { email role { name } } apiToken { name } role { name } permissions { permission scope } } }";
const CREATE_ROLE: &str = "mutation($i: CreateRoleInput!) { createRole(input: $i) { role { id name version grants { permission scope } } userErrors { field code message } } }";
const UPDATE_ROLE: &str = "mutation($i: UpdateRoleInput!) { updateRole(input: $i) { role { id version grants { permission } } userErrors { field code } } }";
const CREATE_USER: &str = "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id email } userErrors { field code } } }";

async fn login(app: &TestApp, email: &str, password: &str) -> Value {
    app.data_as(None, LOGIN, json!({ "e": email, "p": password }))
        .await["login"]
        .clone()
}

async fn sign_in_and_see_yourself(app: TestApp) {
    let session = login(&app, "ADMIN@example.com", ADMIN_PASSWORD).await;
    assert_eq!(session["user"]["email"], ADMIN_EMAIL, "emails ignore case");
    assert!(session["accessTokenExpiresAt"].is_string());
    let token = session["accessToken"].as_str().unwrap();
    let viewer = app.data_as(Some(token), VIEWER, json!({})).await["viewer"].clone();
    assert_eq!(viewer["user"]["email"], ADMIN_EMAIL);
    assert_eq!(viewer["role"]["name"], "admin");
    assert_eq!(viewer["apiToken"], Value::Null);
    assert_eq!(viewer["permissions"].as_array().unwrap().len(), 33);
}

async fn a_wrong_email_and_a_wrong_password_look_the_same(app: TestApp) {
    let wrong_password = login(&app, ADMIN_EMAIL, "not the password at all").await;
    let wrong_email = login(&app, "nobody@example.com", ADMIN_PASSWORD).await;
    assert_eq!(wrong_password["accessToken"], Value::Null);
    assert_eq!(wrong_password["userErrors"], wrong_email["userErrors"]);
    assert_eq!(wrong_password["userErrors"][0]["code"], "INVALID");
}

async fn a_refresh_token_works_once_and_its_reuse_revokes_the_family(app: TestApp) {
    let first = login(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = app.data_as(None, REFRESH, json!({ "t": first })).await["refreshSession"].clone();
    let second_token = second["refreshToken"].as_str().unwrap().to_owned();
    assert_ne!(second_token, first);
    app.data_as(Some(second["accessToken"].as_str().unwrap()), VIEWER, json!({}))
        .await;

    let reuse = app.data_as(None, REFRESH, json!({ "t": first })).await["refreshSession"].clone();
    assert_eq!(reuse["userErrors"][0]["code"], "INVALID");
    let after = app.data_as(None, REFRESH, json!({ "t": second_token })).await["refreshSession"].clone();
    assert_eq!(
        after["userErrors"][0]["code"], "INVALID",
        "the whole family is revoked"
    );
}

async fn logout_ends_the_session(app: TestApp) {
    let token = login(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let data = app
        .data_as(
            None,
            "mutation($t: String!) { logout(input: { refreshToken: $t }) { userErrors { code } } }",
            json!({ "t": token }),
        )
        .await;
    assert_eq!(data["logout"]["userErrors"], json!([]));
    let after = app.data_as(None, REFRESH, json!({ "t": token })).await["refreshSession"].clone();
    assert_eq!(after["userErrors"][0]["code"], "INVALID");
}

async fn an_api_token_works_until_revoked(app: TestApp) {
    let viewer_role = app.role_id("viewer").await;
    let created = app
        .data(
            "mutation($r: ID!) { createApiToken(input: { name: \"BI loader\", roleId: $r }) { token apiToken { id prefix lastUsedAt role { name } } userErrors { code } } }",
            json!({ "r": viewer_role }),
        )
        .await["createApiToken"]
        .clone();
    let token = created["token"].as_str().unwrap().to_owned();
    let prefix = created["apiToken"]["prefix"].as_str().unwrap();
    assert!(token.starts_with(&format!("trp_{prefix}_")));
    assert_eq!(created["apiToken"]["lastUsedAt"], Value::Null);

    let viewer = app.data_as(Some(&token), VIEWER, json!({})).await["viewer"].clone();
    assert_eq!(viewer["apiToken"]["name"], "BI loader");
    assert_eq!(viewer["user"], Value::Null);
    assert_eq!(viewer["role"]["name"], "viewer");

    let listed = app
        .data(
            "{ apiTokens(first: 10) { nodes { name lastUsedAt } } }",
            json!({}),
        )
        .await;
    assert!(
        listed["apiTokens"]["nodes"][0]["lastUsedAt"].is_string(),
        "last use is recorded: {listed}"
    );
    assert!(
        !listed.to_string().contains(&token),
        "the secret is never shown again"
    );

    let id = created["apiToken"]["id"].clone();
    let revoked = app
        .data(
            "mutation($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { revokedAt } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(revoked["revokeApiToken"]["apiToken"]["revokedAt"].is_string());
    let body = app.gql_as(Some(&token), VIEWER, json!({})).await;
    assert_eq!(first_code(&body), "UNAUTHENTICATED");
    let listed = app
        .data("{ apiTokens(first: 10) { totalCount } }", json!({}))
        .await;
    assert_eq!(
        listed["apiTokens"]["totalCount"], 0,
        "revoked tokens leave the list"
    );
}

/// An API token does not outlive the deactivation of the user who created it.
async fn deactivating_a_user_revokes_the_api_tokens_they_created(app: TestApp) {
    let (creator_id, creator) = app.user_with_role("admin").await;
    let viewer_role = app.role_id("viewer").await;
    // Live token names are unique: each creator names their own.
    let create =
        "mutation($r: ID!, $n: String!) { createApiToken(input: { name: $n, roleId: $r }) { token } }";
    let token = app
        .data_as(Some(&creator), create, json!({ "r": viewer_role, "n": "loader" }))
        .await["createApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mine = app
        .data(create, json!({ "r": viewer_role, "n": "loader 2" }))
        .await["createApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(app.data_as(Some(&token), VIEWER, json!({})).await["viewer"]["apiToken"].is_object());
    let deactivate =
        "mutation($id: ID!) { deactivateUser(input: { id: $id }) { user { active } userErrors { code } } }";
    let data = app.data(deactivate, json!({ "id": creator_id })).await;
    assert_eq!(data["deactivateUser"]["user"]["active"], false, "{data}");
    let body = app.gql_as(Some(&token), VIEWER, json!({})).await;
    assert_eq!(first_code(&body), "UNAUTHENTICATED", "{body}");
    // Tokens created by others are untouched.
    assert!(app.data_as(Some(&mine), VIEWER, json!({})).await["viewer"]["apiToken"].is_object());
}

async fn the_last_role_manager_stays_in_charge(app: TestApp) {
    let me = app.data("{ viewer { user { id } } }", json!({})).await["viewer"]["user"]["id"].clone();
    let deactivate = "mutation($id: ID!) { deactivateUser(input: { id: $id }) { user { active } userErrors { field code } } }";
    let data = app.data(deactivate, json!({ "id": me })).await;
    assert_eq!(
        data["deactivateUser"]["userErrors"],
        json!([{ "field": ["id"], "code": "LAST_ADMIN" }])
    );

    let viewer_role = app.role_id("viewer").await;
    let demote = "mutation($id: ID!, $r: ID!) { updateUser(input: { id: $id, roleId: $r }) { user { id } userErrors { field code } } }";
    let data = app.data(demote, json!({ "id": me, "r": viewer_role })).await;
    assert_eq!(data["updateUser"]["userErrors"][0]["code"], "LAST_ADMIN");

    let admin_role = app.role_id("admin").await;
    let data = app.data(UPDATE_ROLE, json!({ "i": { "id": admin_role, "grants": [{ "permission": "account.read", "scope": "ALL" }] } })).await;
    assert_eq!(data["updateRole"]["userErrors"][0]["code"], "LAST_ADMIN");
    let still = app.data(VIEWER, json!({})).await;
    assert_eq!(
        still["viewer"]["permissions"].as_array().unwrap().len(),
        33,
        "nothing was written"
    );

    // With a second admin, the first may step down.
    app.user_with_role("admin").await;
    let data = app.data(deactivate, json!({ "id": me })).await;
    assert_eq!(data["deactivateUser"]["user"]["active"], false);
}

async fn a_role_in_use_cannot_be_deleted_and_built_in_roles_never(app: TestApp) {
    let created = app
        .data(CREATE_ROLE, json!({ "i": { "name": "analyst", "grants": [{ "permission": "account.read", "scope": "ALL" }] } }))
        .await;
    let role = created["createRole"]["role"]["id"].as_str().unwrap().to_owned();
    let delete =
        "mutation($id: ID!) { deleteRole(input: { id: $id }) { deletedRoleId userErrors { field code } } }";
    let data = app
        .data(CREATE_USER, json!({ "i": { "email": "ana@example.com", "displayName": "Ana", "roleId": role, "password": PASSWORD } }))
        .await;
    assert_eq!(data["createUser"]["userErrors"], json!([]));
    let data = app.data(delete, json!({ "id": role })).await;
    assert_eq!(data["deleteRole"]["userErrors"][0]["code"], "IN_USE");

    let admin_role = app.role_id("admin").await;
    let data = app.data(delete, json!({ "id": admin_role })).await;
    assert_eq!(data["deleteRole"]["userErrors"][0]["code"], "FORBIDDEN");

    let spare = app
        .data(CREATE_ROLE, json!({ "i": { "name": "spare", "grants": [] } }))
        .await["createRole"]["role"]["id"]
        .clone();
    let data = app.data(delete, json!({ "id": spare })).await;
    assert_eq!(data["deleteRole"]["deletedRoleId"], spare);
}

async fn a_grant_change_applies_on_the_next_request(app: TestApp) {
    let created = app
        .data(CREATE_ROLE, json!({ "i": { "name": "writer", "grants": [] } }))
        .await;
    let role = created["createRole"]["role"].clone();
    let email = "writer@example.com";
    app.data(
        CREATE_USER,
        json!({ "i": { "email": email, "displayName": "W", "roleId": role["id"], "password": PASSWORD } }),
    )
    .await;
    let token = app.login(email, PASSWORD).await;
    let create = "mutation { createPersona(input: { name: \"Buyer\" }) { persona { name } } }";
    assert_eq!(
        first_code(&app.gql_as(Some(&token), create, json!({})).await),
        "FORBIDDEN"
    );

    let grants = json!([{ "permission": "persona.manage", "scope": "ALL" }]);
    let data = app
        .data(
            UPDATE_ROLE,
            json!({ "i": { "id": role["id"], "grants": grants, "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(data["updateRole"]["role"]["version"], 2);
    let data = app.data_as(Some(&token), create, json!({})).await;
    assert_eq!(data["createPersona"]["persona"]["name"], "Buyer");
}

async fn bad_identity_input_is_reported_per_field(app: TestApp) {
    let role = app.role_id("viewer").await;
    let data = app
        .data(CREATE_USER, json!({ "i": { "email": "not-an-email", "displayName": " ", "roleId": role, "password": "short" } }))
        .await;
    let fields: Vec<Value> = data["createUser"]["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].clone())
        .collect();
    assert_eq!(
        fields,
        vec![json!(["email"]), json!(["displayName"]), json!(["password"])]
    );

    let data = app
        .data(CREATE_USER, json!({ "i": { "email": "Admin@Example.com", "displayName": "Dup", "roleId": role, "password": PASSWORD } }))
        .await;
    assert_eq!(
        data["createUser"]["userErrors"],
        json!([{ "field": ["email"], "code": "TAKEN" }])
    );

    let grants = json!([{ "permission": "account.read", "scope": "ALL" }, { "permission": "account.destroy", "scope": "ALL" }]);
    let data = app
        .data(CREATE_ROLE, json!({ "i": { "name": "odd", "grants": grants } }))
        .await;
    assert_eq!(
        data["createRole"]["userErrors"],
        json!([{ "field": ["grants", "1", "permission"], "code": "INVALID", "message": "`account.destroy` is not in the permission catalog" }])
    );
    let data = app
        .data(CREATE_ROLE, json!({ "i": { "name": "ADMIN", "grants": [] } }))
        .await;
    assert_eq!(data["createRole"]["userErrors"][0]["code"], "TAKEN");
}

async fn the_built_in_roles_grant_what_the_contract_says(app: TestApp) {
    let data = app
        .data(
            "{ roles(first: 10) { nodes { name builtIn grants { permission scope } } } }",
            json!({}),
        )
        .await;
    let roles = data["roles"]["nodes"].as_array().unwrap();
    let grants = |name: &str| -> Vec<String> {
        let role = roles.iter().find(|r| r["name"] == name).unwrap();
        assert_eq!(role["builtIn"], true);
        role["grants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                format!(
                    "{} {}",
                    g["permission"].as_str().unwrap(),
                    g["scope"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(grants("admin").len(), 33);
    assert!(grants("admin").iter().all(|g| g.ends_with(" ALL")));
    let sales = grants("sales");
    for own in [
        "opportunity.update OWN",
        "opportunity.move_stage OWN",
        "deal.manage OWN",
    ] {
        assert!(sales.contains(&own.to_owned()), "{own}");
    }
    assert!(!sales.iter().any(|g| g.starts_with("opportunity.delete")));
    let manager = grants("sales_manager");
    for all in [
        "opportunity.update ALL",
        "opportunity.move_stage ALL",
        "opportunity.delete ALL",
        "deal.manage ALL",
    ] {
        assert!(manager.contains(&all.to_owned()), "{all}");
    }
    let viewer = grants("viewer");
    assert!(!viewer.iter().any(|g| g.starts_with("stakeholder.read_contact")));
    assert!(viewer.contains(&"analytics.read ALL".to_owned()));
    assert!(viewer.iter().all(|g| g.contains(".read ")));
    let marketing = grants("marketing");
    assert!(marketing.contains(&"persona.manage ALL".to_owned()));
    assert!(!marketing.iter().any(|g| g.starts_with("lead.accept")));
}

async fn no_one_hands_out_more_than_they_hold(app: TestApp) {
    let manager_role = app
        .data(CREATE_ROLE, json!({ "i": { "name": "token desk", "grants": [{ "permission": "token.manage", "scope": "ALL" }, { "permission": "account.read", "scope": "ALL" }] } }))
        .await["createRole"]["role"]["id"]
        .clone();
    app.data(CREATE_USER, json!({ "i": { "email": "desk@example.com", "displayName": "Desk", "roleId": manager_role, "password": PASSWORD } }))
        .await;
    let desk = app.login("desk@example.com", PASSWORD).await;
    let create = "mutation($r: ID!) { createApiToken(input: { name: \"t\", roleId: $r }) { token userErrors { field code } } }";
    let admin_role = app.role_id("admin").await;
    let data = app.data_as(Some(&desk), create, json!({ "r": admin_role })).await;
    assert_eq!(
        data["createApiToken"]["userErrors"],
        json!([{ "field": ["roleId"], "code": "FORBIDDEN" }])
    );
    assert_eq!(data["createApiToken"]["token"], Value::Null);
}

async fn what_a_caller_may_not_read_answers_like_a_missing_id(app: TestApp) {
    let admin_id = app.data("{ viewer { user { id } } }", json!({})).await["viewer"]["user"]["id"].clone();
    let admin_role = app.role_id("admin").await;
    let (me, marketing) = app.user_with_role("marketing").await;
    let query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }";
    let data = app
        .data_as(
            Some(&marketing),
            query,
            json!({ "ids": [admin_id, admin_role, me] }),
        )
        .await;
    assert_eq!(data["nodes"], json!([null, null, { "id": me }]), "only themself");
    let data = app.data(query, json!({ "ids": [admin_id, admin_role] })).await;
    assert_eq!(data["nodes"], json!([{ "id": admin_id }, { "id": admin_role }]));
}

async fn roles_page_one_by_one_through_the_built_in_ones(app: TestApp) {
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = app
            .data("query($a: String) { roles(first: 1, after: $a) { nodes { name } pageInfo { hasNextPage endCursor } } }", json!({ "a": after }))
            .await;
        seen.extend(
            page["roles"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["name"].as_str().unwrap().to_owned()),
        );
        if page["roles"]["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["roles"]["pageInfo"]["endCursor"].clone();
    }
    seen.sort();
    assert_eq!(
        seen,
        vec!["admin", "marketing", "sales", "sales_manager", "viewer"]
    );
}

async fn a_user_manager_cannot_reach_an_admin(app: TestApp) {
    let desk = app
        .data(CREATE_ROLE, json!({ "i": { "name": "helpdesk", "grants": [{ "permission": "user.manage", "scope": "ALL" }] } }))
        .await["createRole"]["role"]["id"]
        .clone();
    app.data(CREATE_USER, json!({ "i": { "email": "help@example.com", "displayName": "Help", "roleId": desk, "password": PASSWORD } }))
        .await;
    let help = app.login("help@example.com", PASSWORD).await;
    let admin = app.data("{ viewer { user { id } } }", json!({})).await["viewer"]["user"]["id"].clone();
    let reset = "mutation($id: ID!) { updateUser(input: { id: $id, password: \"taken over, finally\" }) { userErrors { field code } } }";
    let data = app.data_as(Some(&help), reset, json!({ "id": admin })).await;
    assert_eq!(
        data["updateUser"]["userErrors"],
        json!([{ "field": ["id"], "code": "FORBIDDEN" }])
    );
    let off = "mutation($id: ID!) { deactivateUser(input: { id: $id }) { userErrors { code } } }";
    assert_eq!(
        app.data_as(Some(&help), off, json!({ "id": admin })).await["deactivateUser"]["userErrors"][0]["code"],
        "FORBIDDEN"
    );
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    // Nor can a role manager give a role more than they hold, not even their own.
    let rm = app
        .data(CREATE_ROLE, json!({ "i": { "name": "role desk", "grants": [{ "permission": "role.manage", "scope": "ALL" }] } }))
        .await["createRole"]["role"]["id"]
        .clone();
    app.data(CREATE_USER, json!({ "i": { "email": "roles@example.com", "displayName": "R", "roleId": rm, "password": PASSWORD } }))
        .await;
    let roles = app.login("roles@example.com", PASSWORD).await;
    let grants = json!([{ "permission": "role.manage", "scope": "ALL" }, { "permission": "user.manage", "scope": "ALL" }]);
    let grow = app
        .data_as(
            Some(&roles),
            UPDATE_ROLE,
            json!({ "i": { "id": rm, "grants": grants } }),
        )
        .await;
    assert_eq!(
        grow["updateRole"]["userErrors"],
        json!([{ "field": ["grants"], "code": "FORBIDDEN" }])
    );
    let admin_role = app.role_id("admin").await;
    let shrink = app
        .data_as(
            Some(&roles),
            UPDATE_ROLE,
            json!({ "i": { "id": admin_role, "grants": [] } }),
        )
        .await;
    assert_eq!(
        shrink["updateRole"]["userErrors"],
        json!([{ "field": ["id"], "code": "FORBIDDEN" }])
    );
}

async fn a_password_change_ends_the_users_sessions(app: TestApp) {
    let (id, _) = app.user_with_role("sales").await;
    let email = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on User { email } } }",
            json!({ "id": id }),
        )
        .await["node"]["email"]
        .as_str()
        .unwrap()
        .to_owned();
    let refresh = login(&app, &email, PASSWORD).await["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    app.data("mutation($id: ID!) { updateUser(input: { id: $id, password: \"a brand new password\" }) { userErrors { code } } }", json!({ "id": id }))
        .await;
    let after = app.data_as(None, REFRESH, json!({ "t": refresh })).await["refreshSession"].clone();
    assert_eq!(after["userErrors"][0]["code"], "INVALID");
}

on_both_stores!(
    roles_page_one_by_one_through_the_built_in_ones,
    a_user_manager_cannot_reach_an_admin,
    a_password_change_ends_the_users_sessions,
    what_a_caller_may_not_read_answers_like_a_missing_id,
    sign_in_and_see_yourself,
    a_wrong_email_and_a_wrong_password_look_the_same,
    a_refresh_token_works_once_and_its_reuse_revokes_the_family,
    logout_ends_the_session,
    an_api_token_works_until_revoked,
    deactivating_a_user_revokes_the_api_tokens_they_created,
    the_last_role_manager_stays_in_charge,
    a_role_in_use_cannot_be_deleted_and_built_in_roles_never,
    a_grant_change_applies_on_the_next_request,
    bad_identity_input_is_reported_per_field,
    the_built_in_roles_grant_what_the_contract_says,
    no_one_hands_out_more_than_they_hold,
);
