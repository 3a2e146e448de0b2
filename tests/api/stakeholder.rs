//! Stakeholders: the People Map, contact details behind their own permission, reporting lines.

use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_stores};

const CREATE: &str = "mutation($i: CreateStakeholderInput!) {
  createStakeholder(input: $i) {
    stakeholder { id fullName leadStage leadScore buyingRole influence owner { id } marketingOwner { id } account { name } }
    userErrors { field code message }
  }
}";
const UPDATE: &str = "mutation($i: UpdateStakeholderInput!) {
  updateStakeholder(input: $i) { stakeholder { id version reportsTo { fullName } } userErrors { field code } }
}";
const LIST: &str = "query($first: Int, $filter: StakeholderFilter, $order: StakeholderOrder) {
  stakeholders(first: $first, filter: $filter, orderBy: $order) { totalCount nodes { fullName } }
}";

async fn account(app: &TestApp, name: &str) -> String {
    let data = app
        .data(
            "mutation($n: String!) { createAccount(input: { name: $n }) { account { id } } }",
            json!({ "n": name }),
        )
        .await;
    data["createAccount"]["account"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn person(app: &TestApp, token: Option<&str>, input: Value) -> Value {
    app.data_as(token.or(Some(&app.admin_token)), CREATE, json!({ "i": input }))
        .await["createStakeholder"]
        .clone()
}

async fn person_id(app: &TestApp, input: Value) -> String {
    let created = person(app, None, input).await;
    created["stakeholder"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_owned()
}

fn names(data: &Value) -> Vec<String> {
    data["stakeholders"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["fullName"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_new_stakeholder_starts_as_an_inquiry_owned_by_their_creator(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let (marketing_id, marketing) = app.user_with_role("marketing").await;
    let created = person(&app, Some(&marketing), json!({ "accountId": acme, "firstName": "Ana", "lastName": "Lima", "influence": 4, "buyingRole": "CHAMPION" })).await;
    let s = &created["stakeholder"];
    assert_eq!(s["fullName"], "Ana Lima");
    assert_eq!(
        (s["leadStage"].clone(), s["leadScore"].clone()),
        (json!("INQUIRY"), json!(0))
    );
    assert_eq!(s["marketingOwner"]["id"], marketing_id.as_str());
    assert_eq!(s["owner"], Value::Null);
    assert_eq!(s["account"]["name"], "Acme");
    assert_eq!(s["buyingRole"], "CHAMPION");

    let nowhere = person(
        &app,
        None,
        json!({ "accountId": "bm9wZQ", "firstName": "A", "lastName": "B" }),
    )
    .await;
    assert_eq!(nowhere["userErrors"][0]["field"], json!(["accountId"]));
    assert_eq!(nowhere["userErrors"][0]["code"], "NOT_FOUND");
    let bad = person(
        &app,
        None,
        json!({ "accountId": acme, "firstName": " ", "lastName": "B", "email": "nope", "influence": 9 }),
    )
    .await;
    let fields: Vec<Value> = bad["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].clone())
        .collect();
    assert_eq!(
        fields,
        vec![json!(["firstName"]), json!(["email"]), json!(["influence"])]
    );
}

async fn contact_details_need_their_own_permission(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let id = person_id(&app, json!({ "accountId": acme, "firstName": "Ana", "lastName": "Lima", "email": "ana@acme.com", "phone": "+1 555 0100" })).await;
    let query = "query($id: ID!) { stakeholder(id: $id) { fullName email phone } }";
    let (_, marketing) = app.user_with_role("marketing").await;
    let data = app.data_as(Some(&marketing), query, json!({ "id": id })).await;
    assert_eq!(
        data["stakeholder"],
        json!({ "fullName": "Ana Lima", "email": "ana@acme.com", "phone": "+1 555 0100" })
    );

    let (_, viewer) = app.user_with_role("viewer").await;
    let body = app.gql_as(Some(&viewer), query, json!({ "id": id })).await;
    assert_eq!(
        body["data"]["stakeholder"],
        json!({ "fullName": "Ana Lima", "email": null, "phone": null }),
        "the rest still comes"
    );
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["extensions"]["code"], "FORBIDDEN");
    assert_eq!(errors[0]["path"], json!(["stakeholder", "email"]));
    assert_eq!(errors[1]["path"], json!(["stakeholder", "phone"]));
}

async fn reporting_lines_stay_within_an_account_and_never_loop(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let other = account(&app, "Other").await;
    let ceo = person_id(
        &app,
        json!({ "accountId": acme, "firstName": "Cleo", "lastName": "Chief" }),
    )
    .await;
    let cfo = person_id(
        &app,
        json!({ "accountId": acme, "firstName": "Finn", "lastName": "Money", "reportsToId": ceo }),
    )
    .await;
    let analyst = person_id(
        &app,
        json!({ "accountId": acme, "firstName": "Ana", "lastName": "Lyst", "reportsToId": cfo }),
    )
    .await;
    let outsider = person_id(
        &app,
        json!({ "accountId": other, "firstName": "Otto", "lastName": "Side" }),
    )
    .await;

    let tree = app
        .data("query($id: ID!) { stakeholder(id: $id) { directReports { fullName directReports { fullName reportsTo { fullName } } } } }", json!({ "id": ceo }))
        .await;
    assert_eq!(
        tree["stakeholder"]["directReports"],
        json!([{ "fullName": "Finn Money", "directReports": [{ "fullName": "Ana Lyst", "reportsTo": { "fullName": "Finn Money" } }] }])
    );

    let cycle = app
        .data(UPDATE, json!({ "i": { "id": ceo, "reportsToId": analyst } }))
        .await;
    assert_eq!(
        cycle["updateStakeholder"]["userErrors"],
        json!([{ "field": ["reportsToId"], "code": "INVALID" }])
    );
    let own = app
        .data(UPDATE, json!({ "i": { "id": cfo, "reportsToId": cfo } }))
        .await;
    assert_eq!(own["updateStakeholder"]["userErrors"][0]["code"], "INVALID");
    let across = app
        .data(UPDATE, json!({ "i": { "id": analyst, "reportsToId": outsider } }))
        .await;
    assert_eq!(across["updateStakeholder"]["userErrors"][0]["code"], "INVALID");
    let cleared = app
        .data(
            UPDATE,
            json!({ "i": { "id": analyst, "reportsToId": null, "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(
        cleared["updateStakeholder"]["stakeholder"]["reportsTo"],
        Value::Null
    );
    assert_eq!(cleared["updateStakeholder"]["stakeholder"]["version"], 2);
    let stale = app
        .data(
            UPDATE,
            json!({ "i": { "id": analyst, "firstName": "X", "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(
        stale["updateStakeholder"]["userErrors"][0]["code"],
        "STALE_VERSION"
    );
}

async fn stakeholders_filter_order_and_archive(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let other = account(&app, "Other").await;
    let persona = app
        .data(
            "mutation { createPersona(input: { name: \"CFO\" }) { persona { id } } }",
            json!({}),
        )
        .await["createPersona"]["persona"]["id"]
        .clone();
    person_id(&app, json!({ "accountId": acme, "firstName": "Zoe", "lastName": "Adams", "buyingRole": "ECONOMIC_BUYER", "personaId": persona })).await;
    let bo = person_id(
        &app,
        json!({ "accountId": acme, "firstName": "Bo", "lastName": "Young" }),
    )
    .await;
    person_id(
        &app,
        json!({ "accountId": other, "firstName": "Al", "lastName": "Mid" }),
    )
    .await;

    let at_acme = app
        .data(LIST, json!({ "first": 10, "filter": { "accountId": acme } }))
        .await;
    assert_eq!(names(&at_acme), vec!["Zoe Adams", "Bo Young"]);
    let by_name = app
        .data(LIST, json!({ "first": 10, "order": { "field": "NAME" } }))
        .await;
    assert_eq!(names(&by_name), vec!["Zoe Adams", "Al Mid", "Bo Young"]);
    let buyers = app
        .data(
            LIST,
            json!({ "first": 10, "filter": { "buyingRole": "ECONOMIC_BUYER" } }),
        )
        .await;
    assert_eq!(names(&buyers), vec!["Zoe Adams"]);
    let cfos = app
        .data(LIST, json!({ "first": 10, "filter": { "personaId": persona } }))
        .await;
    assert_eq!(names(&cfos), vec!["Zoe Adams"]);
    let inquiries = app
        .data(
            LIST,
            json!({ "first": 10, "filter": { "leadStages": ["INQUIRY", "MQL"], "minScore": 0 } }),
        )
        .await;
    assert_eq!(inquiries["stakeholders"]["totalCount"], 3);
    let none = app
        .data(LIST, json!({ "first": 10, "filter": { "minScore": 1 } }))
        .await;
    assert_eq!(none["stakeholders"]["totalCount"], 0);

    let archived = app
        .data(
            "mutation($id: ID!) { archiveStakeholder(input: { id: $id }) { stakeholder { archivedAt } } }",
            json!({ "id": bo }),
        )
        .await;
    assert!(archived["archiveStakeholder"]["stakeholder"]["archivedAt"].is_string());
    let live = app
        .data(LIST, json!({ "first": 10, "filter": { "accountId": acme } }))
        .await;
    assert_eq!(names(&live), vec!["Zoe Adams"]);
    let all = app
        .data(
            LIST,
            json!({ "first": 10, "filter": { "accountId": acme, "includeArchived": true } }),
        )
        .await;
    assert_eq!(all["stakeholders"]["totalCount"], 2);
}

async fn relations_cost_the_same_statements_for_any_page_size(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let other = account(&app, "Other").await;
    let persona = app
        .data(
            "mutation { createPersona(input: { name: \"CTO\" }) { persona { id } } }",
            json!({}),
        )
        .await["createPersona"]["persona"]["id"]
        .clone();
    let boss = person_id(
        &app,
        json!({ "accountId": acme, "firstName": "Boss", "lastName": "One" }),
    )
    .await;
    for i in 0..30 {
        let (account_id, manager) = if i % 2 == 0 {
            (&acme, Some(boss.clone()))
        } else {
            (&other, None)
        };
        person_id(&app, json!({ "accountId": account_id, "firstName": format!("P{i}"), "lastName": "X", "personaId": persona, "reportsToId": manager })).await;
    }
    let query = "query($n: Int) { stakeholders(first: $n) { nodes { fullName email account { name owner { displayName } } persona { name } reportsTo { fullName } directReports { fullName } owner { displayName } } } }";
    let small = app.statements_for(query, json!({ "n": 5 })).await;
    let large = app.statements_for(query, json!({ "n": 30 })).await;
    assert_eq!(small, large);
}

on_both_stores!(
    a_new_stakeholder_starts_as_an_inquiry_owned_by_their_creator,
    contact_details_need_their_own_permission,
    reporting_lines_stay_within_an_account_and_never_loop,
    stakeholders_filter_order_and_archive,
    relations_cost_the_same_statements_for_any_page_size,
);

/// The statement counts the README lists for the main query shapes; each includes the two
/// statements that authenticate the caller (their user and their role's grants).
#[tokio::test]
async fn main_query_shapes_cost_what_the_readme_says() {
    let app = TestApp::spawn(crate::helpers::Store::Sqlite).await.unwrap();
    let acme = account(&app, "Acme").await;
    let persona = app
        .data(
            "mutation { createPersona(input: { name: \"CIO\" }) { persona { id } } }",
            json!({}),
        )
        .await["createPersona"]["persona"]["id"]
        .clone();
    let boss = person_id(
        &app,
        json!({ "accountId": acme, "firstName": "Boss", "lastName": "One" }),
    )
    .await;
    for i in 0..10 {
        let input = json!({ "accountId": acme, "firstName": format!("P{i}"), "lastName": "X", "reportsToId": boss, "personaId": persona });
        person_id(&app, input).await;
    }
    let shapes = [
        ("{ __typename }", 0),
        (
            "query($id: ID!) { node(id: $id) { ... on Stakeholder { fullName } } }",
            1,
        ),
        (
            "{ accounts(first: 50) { nodes { name owner { displayName role { name } } marketingOwner { displayName } } } }",
            3,
        ),
        ("{ accounts(first: 50) { totalCount nodes { name } } }", 2),
        (
            "{ stakeholders(first: 50) { nodes { fullName email account { name owner { displayName } } persona { name } reportsTo { fullName } directReports { fullName } owner { displayName } } } }",
            7,
        ),
    ];
    let mut got = Vec::new();
    for (query, _) in &shapes {
        got.push(app.statements_for(query, json!({ "id": boss })).await);
    }
    let expected: Vec<u64> = shapes.iter().map(|(_, n)| *n).collect();
    assert_eq!(got, expected);
}
