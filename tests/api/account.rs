//! Accounts: owners by default, domains, archiving, filters and orders, optimistic concurrency.

use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_stores};

const CREATE: &str = "mutation($i: CreateAccountInput!) {
  createAccount(input: $i) {
    account { id name domain tier status version owner { id } marketingOwner { id } }
    userErrors { field code message }
  }
}";
const UPDATE: &str = "mutation($i: UpdateAccountInput!) {
  updateAccount(input: $i) { account { id name domain industry version } userErrors { field code } }
}";
const LIST: &str = "query($first: Int, $after: String, $filter: AccountFilter, $order: AccountOrder) {
  accounts(first: $first, after: $after, filter: $filter, orderBy: $order) {
    totalCount nodes { name } pageInfo { hasNextPage endCursor }
  }
}";

async fn create(app: &TestApp, token: Option<&str>, input: Value) -> Value {
    app.data_as(token.or(Some(&app.admin_token)), CREATE, json!({ "i": input }))
        .await["createAccount"]
        .clone()
}

fn names(data: &Value) -> Vec<String> {
    data["accounts"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn owners_default_to_the_creator_on_their_side(app: TestApp) {
    let (sales_id, sales) = app.user_with_role("sales").await;
    let (marketing_id, marketing) = app.user_with_role("marketing").await;
    let by_sales = create(&app, Some(&sales), json!({ "name": "Acme" })).await;
    assert_eq!(by_sales["account"]["owner"]["id"], sales_id.as_str());
    assert_eq!(by_sales["account"]["marketingOwner"], Value::Null);
    let by_marketing = create(&app, Some(&marketing), json!({ "name": "Globex" })).await;
    assert_eq!(
        by_marketing["account"]["marketingOwner"]["id"],
        marketing_id.as_str()
    );
    assert_eq!(by_marketing["account"]["owner"], Value::Null);
    let explicit = create(
        &app,
        Some(&marketing),
        json!({ "name": "Initech", "ownerId": sales_id, "marketingOwnerId": marketing_id }),
    )
    .await;
    assert_eq!(explicit["account"]["owner"]["id"], sales_id.as_str());
    assert_eq!(explicit["account"]["marketingOwner"]["id"], marketing_id.as_str());
    assert_eq!(explicit["account"]["tier"], "UNTIERED");
    assert_eq!(explicit["account"]["status"], "PROSPECT");
}

async fn a_live_domain_is_taken_until_its_account_is_archived(app: TestApp) {
    let first = create(
        &app,
        None,
        json!({ "name": "Acme", "domain": "https://www.ACME.com/about" }),
    )
    .await;
    assert_eq!(first["account"]["domain"], "acme.com");
    let dup = create(&app, None, json!({ "name": "Acme again", "domain": "acme.com" })).await;
    assert_eq!(
        dup["userErrors"],
        json!([{ "field": ["domain"], "code": "TAKEN", "message": "a live account already has this domain" }])
    );

    let id = first["account"]["id"].clone();
    let archived = app
        .data(
            "mutation($id: ID!) { archiveAccount(input: { id: $id }) { account { archivedAt } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(archived["archiveAccount"]["account"]["archivedAt"].is_string());
    let again = create(&app, None, json!({ "name": "Acme reborn", "domain": "acme.com" })).await;
    assert_eq!(again["userErrors"], json!([]));

    let live = app.data(LIST, json!({ "first": 10 })).await;
    assert_eq!(names(&live), vec!["Acme reborn"], "archived accounts leave lists");
    let all = app
        .data(
            LIST,
            json!({ "first": 10, "filter": { "includeArchived": true } }),
        )
        .await;
    assert_eq!(names(&all), vec!["Acme", "Acme reborn"]);
    let node = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Account { name } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        node["node"]["name"], "Acme",
        "an archived account is still reachable by ID"
    );
}

async fn bad_account_input_is_reported_per_field(app: TestApp) {
    let data = create(
        &app,
        None,
        json!({ "name": " ", "domain": "localhost", "employeeCount": 0, "ownerId": "bm9wZQ" }),
    )
    .await;
    let fields: Vec<Value> = data["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].clone())
        .collect();
    assert_eq!(
        fields,
        vec![
            json!(["name"]),
            json!(["domain"]),
            json!(["employeeCount"]),
            json!(["ownerId"])
        ]
    );
    assert_eq!(
        app.data(LIST, json!({ "first": 1 })).await["accounts"]["totalCount"],
        0,
        "nothing was written"
    );
}

async fn an_update_checks_the_version_and_can_clear_fields(app: TestApp) {
    let id =
        create(&app, None, json!({ "name": "Acme", "domain": "acme.com" })).await["account"]["id"].clone();
    let data = app
        .data(
            UPDATE,
            json!({ "i": { "id": id, "industry": "Manufacturing", "domain": null, "expectedVersion": 1 } }),
        )
        .await;
    let account = &data["updateAccount"]["account"];
    assert_eq!(
        (
            account["industry"].clone(),
            account["domain"].clone(),
            account["version"].clone()
        ),
        (json!("Manufacturing"), Value::Null, json!(2))
    );
    let stale = app
        .data(
            UPDATE,
            json!({ "i": { "id": id, "name": "Other", "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(stale["updateAccount"]["userErrors"][0]["code"], "STALE_VERSION");
    let unknown = app
        .data(UPDATE, json!({ "i": { "id": "bm9wZQ", "name": "X" } }))
        .await;
    assert_eq!(unknown["updateAccount"]["userErrors"][0]["code"], "NOT_FOUND");
}

async fn accounts_filter_and_order(app: TestApp) {
    let (sales_id, sales) = app.user_with_role("sales").await;
    create(
        &app,
        None,
        json!({ "name": "Umbrella", "domain": "umbrella.io", "tier": "TIER_1" }),
    )
    .await;
    create(
        &app,
        Some(&sales),
        json!({ "name": "acme", "domain": "zeta.com", "status": "CUSTOMER" }),
    )
    .await;
    create(
        &app,
        None,
        json!({ "name": "Zed", "domain": "acme-holdings.com", "tier": "TIER_1" }),
    )
    .await;
    let search = app
        .data(LIST, json!({ "first": 10, "filter": { "search": "ACM" } }))
        .await;
    assert_eq!(names(&search), vec!["acme", "Zed"], "name or domain prefix");
    let tier = app
        .data(LIST, json!({ "first": 10, "filter": { "tier": "TIER_1" } }))
        .await;
    assert_eq!(names(&tier), vec!["Umbrella", "Zed"]);
    let status = app
        .data(LIST, json!({ "first": 10, "filter": { "status": "CUSTOMER" } }))
        .await;
    assert_eq!(names(&status), vec!["acme"]);
    let owned = app
        .data(LIST, json!({ "first": 10, "filter": { "ownerId": sales_id } }))
        .await;
    assert_eq!(names(&owned), vec!["acme"]);
    let by_name = app
        .data(
            LIST,
            json!({ "first": 2, "order": { "field": "NAME", "direction": "DESC" } }),
        )
        .await;
    assert_eq!(names(&by_name), vec!["Zed", "Umbrella"], "case-insensitive");
    let cursor = by_name["accounts"]["pageInfo"]["endCursor"].clone();
    let rest = app
        .data(
            LIST,
            json!({ "first": 2, "after": cursor, "order": { "field": "NAME", "direction": "DESC" } }),
        )
        .await;
    assert_eq!(names(&rest), vec!["acme"]);
}

async fn owners_cost_the_same_statements_for_any_page_size(app: TestApp) {
    let (_, sales) = app.user_with_role("sales").await;
    let (_, marketing) = app.user_with_role("marketing").await;
    for i in 0..30 {
        let token = if i % 2 == 0 { &sales } else { &marketing };
        create(&app, Some(token), json!({ "name": format!("Account {i:02}") })).await;
    }
    let query = "query($n: Int) { accounts(first: $n) { nodes { name owner { displayName role { name } } marketingOwner { displayName } } } }";
    let small = app.statements_for(query, json!({ "n": 5 })).await;
    let large = app.statements_for(query, json!({ "n": 30 })).await;
    assert_eq!(small, large);
}

on_both_stores!(
    owners_default_to_the_creator_on_their_side,
    a_live_domain_is_taken_until_its_account_is_archived,
    bad_account_input_is_reported_per_field,
    an_update_checks_the_version_and_can_clear_fields,
    accounts_filter_and_order,
    owners_cost_the_same_statements_for_any_page_size,
);
