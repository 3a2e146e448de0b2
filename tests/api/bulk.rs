//! Bulk data: external ids on accounts, stakeholders and opportunities, and the three upserts
//! (matching, all or nothing, row order, the row limit, permissions).

use serde_json::{Value, json};

use crate::helpers::{TestApp, first_code, on_both_stores};

const ACCOUNTS: &str = "mutation($rows: [UpsertAccountRow!]!) {
  upsertAccounts(input: { rows: $rows }) {
    accounts { id name domain externalId } created updated userErrors { field code message }
  }
}";
const STAKEHOLDERS: &str = "mutation($rows: [UpsertStakeholderRow!]!) {
  upsertStakeholders(input: { rows: $rows }) {
    stakeholders { id firstName email externalId leadStage account { id } }
    created updated userErrors { field code message }
  }
}";
const OPPORTUNITIES: &str = "mutation($rows: [UpsertOpportunityRow!]!) {
  upsertOpportunities(input: { rows: $rows }) {
    opportunities { id name stage externalId amount { amount currency } competitors account { id } }
    created updated userErrors { field code message }
  }
}";

async fn upsert(app: &TestApp, token: Option<&str>, query: &str, rows: Value) -> Value {
    let data = app
        .data_as(token.or(Some(&app.admin_token)), query, json!({ "rows": rows }))
        .await;
    data.as_object().unwrap().values().next().unwrap().clone()
}

fn ids(payload: &Value, list: &str) -> Vec<String> {
    payload[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn count(app: &TestApp, list: &str) -> u64 {
    let query = format!("{{ {list}(first: 1) {{ totalCount }} }}");
    app.data(&query, json!({})).await[list]["totalCount"]
        .as_u64()
        .unwrap()
}

async fn account(app: &TestApp, name: &str, extra: Value) -> String {
    let mut input = json!({ "name": name });
    input
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let data = app
        .data(
            "mutation($i: CreateAccountInput!) { createAccount(input: $i) { account { id } userErrors { field code } } }",
            json!({ "i": input }),
        )
        .await;
    assert_eq!(data["createAccount"]["userErrors"], json!([]), "{data}");
    data["createAccount"]["account"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn an_external_id_is_set_read_filtered_and_unique_among_live_records(app: TestApp) {
    let first = account(&app, "Acme", json!({ "externalId": " crm-1 " })).await;
    let dup = app
        .data(
            "mutation { createAccount(input: { name: \"Other\", externalId: \"crm-1\" }) { account { id } userErrors { field code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        dup["createAccount"]["userErrors"],
        json!([{ "field": ["externalId"], "code": "TAKEN" }])
    );
    let long = "x".repeat(201);
    let refused = app
        .data(
            "mutation($k: String!) { createAccount(input: { name: \"Other\", externalId: $k }) { userErrors { field code } } }",
            json!({ "k": long }),
        )
        .await;
    assert_eq!(
        refused["createAccount"]["userErrors"],
        json!([{ "field": ["externalId"], "code": "INVALID" }])
    );
    let control = app
        .data(
            "mutation { createAccount(input: { name: \"Other\", externalId: \"a\\u0007b\" }) { userErrors { field code } } }",
            json!({}),
        )
        .await;
    assert_eq!(control["createAccount"]["userErrors"][0]["code"], "INVALID");

    let list = "query($k: [String!]) { accounts(first: 10, filter: { externalIds: $k }) { nodes { id externalId } } }";
    let found = app.data(list, json!({ "k": ["crm-1", "nope"] })).await;
    assert_eq!(
        found["accounts"]["nodes"],
        json!([{ "id": first, "externalId": "crm-1" }])
    );
    let none = app.data(list, json!({ "k": [] })).await;
    assert_eq!(none["accounts"]["nodes"], json!([]));
    let too_many: Vec<String> = (0..501).map(|i| i.to_string()).collect();
    let body = app.gql(list, json!({ "k": too_many })).await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");

    // Archiving frees the external id; an update can set and clear it.
    app.data(
        "mutation($id: ID!) { archiveAccount(input: { id: $id }) { account { id } } }",
        json!({ "id": first }),
    )
    .await;
    let second = account(&app, "Acme II", json!({ "externalId": "crm-1" })).await;
    let cleared = app
        .data(
            "mutation($id: ID!) { updateAccount(input: { id: $id, externalId: null }) { account { externalId } } }",
            json!({ "id": second }),
        )
        .await;
    assert_eq!(cleared["updateAccount"]["account"]["externalId"], Value::Null);

    // The same column on people and deals.
    let person = app
        .data(
            "mutation($a: ID!) { createStakeholder(input: { accountId: $a, firstName: \"Ann\", lastName: \"Lee\", externalId: \"p-1\" }) { stakeholder { externalId } } }",
            json!({ "a": second }),
        )
        .await;
    assert_eq!(person["createStakeholder"]["stakeholder"]["externalId"], "p-1");
    let deal = app
        .data(
            "mutation($a: ID!) { createOpportunity(input: { accountId: $a, name: \"Deal\", externalId: \"d-1\" }) { opportunity { id } } }",
            json!({ "a": second }),
        )
        .await;
    let deal_id = deal["createOpportunity"]["opportunity"]["id"].clone();
    let renamed = app
        .data(
            "mutation($id: ID!) { updateOpportunity(input: { id: $id, externalId: \"d-2\" }) { opportunity { externalId } } }",
            json!({ "id": deal_id }),
        )
        .await;
    assert_eq!(renamed["updateOpportunity"]["opportunity"]["externalId"], "d-2");
    let people = app
        .data("{ stakeholders(first: 5, filter: { externalIds: [\"p-1\"] }) { totalCount } opportunities(first: 5, filter: { externalIds: [\"d-1\"] }) { totalCount } }", json!({}))
        .await;
    assert_eq!(people["stakeholders"]["totalCount"], 1);
    assert_eq!(people["opportunities"]["totalCount"], 0);
}

async fn upserting_twice_creates_then_updates_the_same_records(app: TestApp) {
    let rows = json!([
        { "externalId": "a-3", "name": "Gamma" },
        { "externalId": "a-1", "name": "Alpha", "domain": "alpha.io" },
        { "externalId": "a-2", "name": "Beta" },
    ]);
    let first = upsert(&app, None, ACCOUNTS, rows).await;
    assert_eq!(first["userErrors"], json!([]));
    assert_eq!(
        (first["created"].clone(), first["updated"].clone()),
        (json!(3), json!(0))
    );
    let names: Vec<&str> = first["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Gamma", "Alpha", "Beta"]);

    let again = json!([
        { "externalId": "a-2", "name": "Beta 2" },
        { "externalId": "a-3", "name": "Gamma 2" },
        { "externalId": "a-1", "name": "Alpha 2" },
    ]);
    let second = upsert(&app, None, ACCOUNTS, again).await;
    assert_eq!(
        (second["created"].clone(), second["updated"].clone()),
        (json!(0), json!(3))
    );
    let before = ids(&first, "accounts");
    assert_eq!(
        ids(&second, "accounts"),
        [before[2].clone(), before[0].clone(), before[1].clone()]
    );
    // Fields left out of an update stay as they were.
    assert_eq!(second["accounts"][2]["domain"], "alpha.io");
    assert_eq!(count(&app, "accounts").await, 3);

    // People under accounts named by external id, then deals.
    let people = json!([
        { "externalId": "p-1", "accountExternalId": "a-1", "firstName": "Ann", "lastName": "Lee", "email": "ann@alpha.io" },
        { "externalId": "p-2", "accountExternalId": "a-2", "firstName": "Bob", "lastName": "Ray" },
    ]);
    let made = upsert(&app, None, STAKEHOLDERS, people.clone()).await;
    assert_eq!(made["userErrors"], json!([]));
    assert_eq!(made["created"], 2);
    // A create is createStakeholder's: the person starts as an INQUIRY.
    assert_eq!(made["stakeholders"][0]["leadStage"], "INQUIRY");
    assert_eq!(made["stakeholders"][0]["account"]["id"], before[1].as_str());
    let remade = upsert(&app, None, STAKEHOLDERS, people).await;
    assert_eq!(
        (remade["created"].clone(), remade["updated"].clone()),
        (json!(0), json!(2))
    );
    assert_eq!(ids(&remade, "stakeholders"), ids(&made, "stakeholders"));
    assert_eq!(count(&app, "stakeholders").await, 2);

    let deals = json!([
        { "externalId": "d-1", "accountExternalId": "a-1", "name": "Renewal",
          "amount": { "amount": "1200.50", "currency": "EUR" }, "competitors": ["Initech"] },
    ]);
    let opened = upsert(&app, None, OPPORTUNITIES, deals).await;
    assert_eq!(opened["userErrors"], json!([]));
    assert_eq!(opened["opportunities"][0]["stage"], "DISCOVERY");
    let changed = json!([{ "externalId": "d-1", "accountId": before[1], "name": "Renewal 2027" }]);
    let updated = upsert(&app, None, OPPORTUNITIES, changed).await;
    assert_eq!(updated["updated"], 1);
    assert_eq!(
        updated["opportunities"][0]["id"],
        opened["opportunities"][0]["id"]
    );
    assert_eq!(updated["opportunities"][0]["name"], "Renewal 2027");
    assert_eq!(
        updated["opportunities"][0]["amount"],
        json!({ "amount": "1200.50", "currency": "EUR" })
    );
    assert_eq!(updated["opportunities"][0]["competitors"], json!(["Initech"]));
    assert_eq!(count(&app, "opportunities").await, 1);

    // A deal cannot move to another account through an upsert.
    let moved = json!([{ "externalId": "d-1", "accountExternalId": "a-2", "name": "Renewal" }]);
    let refused = upsert(&app, None, OPPORTUNITIES, moved).await;
    assert_eq!(
        refused["userErrors"][0]["field"],
        json!(["rows", "0", "accountExternalId"])
    );
}

async fn a_bad_row_writes_nothing_and_is_named_by_its_index(app: TestApp) {
    let acme = account(&app, "Acme", json!({ "externalId": "a-1" })).await;
    let rows = json!([
        { "externalId": "p-1", "accountId": acme, "firstName": "Ann", "lastName": "Lee" },
        { "externalId": "p-2", "accountId": acme, "firstName": "Bob", "lastName": "Ray", "email": "not an email" },
        { "externalId": "p-3", "accountExternalId": "missing", "firstName": "Cy", "lastName": "Dee" },
        { "externalId": "p-1", "accountId": acme, "firstName": "Ann", "lastName": "Again" },
    ]);
    let refused = upsert(&app, None, STAKEHOLDERS, rows).await;
    assert_eq!(refused["stakeholders"], json!([]));
    assert_eq!(
        (refused["created"].clone(), refused["updated"].clone()),
        (json!(0), json!(0))
    );
    let fields: Vec<Value> = refused["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| json!([e["field"], e["code"]]))
        .collect();
    assert_eq!(
        fields,
        [
            json!([["rows", "1", "email"], "INVALID"]),
            json!([["rows", "2", "accountExternalId"], "NOT_FOUND"]),
            json!([["rows", "3", "externalId"], "INVALID"]),
        ]
    );
    assert_eq!(count(&app, "stakeholders").await, 0);

    // A unique index refusing a row in the middle (a live domain) leaves nothing either, and the
    // rows after it are still checked (PostgreSQL aborts only the row's savepoint).
    account(&app, "Taken", json!({ "domain": "taken.io" })).await;
    let rows = json!([
        { "externalId": "a-2", "name": "New" },
        { "externalId": "a-3", "name": "Clash", "domain": "new.io" },
        { "externalId": "a-4", "name": "Clash again", "domain": "new.io" },
        { "externalId": "a-5", "name": "" },
    ]);
    let refused = upsert(&app, None, ACCOUNTS, rows).await;
    let fields: Vec<Value> = refused["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| json!([e["field"], e["code"]]))
        .collect();
    assert_eq!(
        fields,
        [
            json!([["rows", "2", "domain"], "TAKEN"]),
            json!([["rows", "3", "name"], "INVALID"])
        ]
    );
    assert_eq!(count(&app, "accounts").await, 2);
}

async fn rows_match_a_live_domain_and_an_email_within_the_account(app: TestApp) {
    let acme = account(&app, "Acme", json!({ "domain": "acme.com" })).await;
    let other = account(&app, "Other", json!({})).await;
    let matched = upsert(
        &app,
        None,
        ACCOUNTS,
        json!([{ "externalId": "crm-acme", "name": "Acme Corp", "domain": "https://www.ACME.com" }]),
    )
    .await;
    assert_eq!(matched["updated"], 1);
    assert_eq!(matched["accounts"][0]["id"], acme.as_str());
    assert_eq!(matched["accounts"][0]["externalId"], "crm-acme");

    let person = app
        .data(
            "mutation($a: ID!) { createStakeholder(input: { accountId: $a, firstName: \"Ann\", lastName: \"Lee\", email: \"ann@acme.com\" }) { stakeholder { id } } }",
            json!({ "a": acme }),
        )
        .await["createStakeholder"]["stakeholder"]["id"]
        .clone();
    let rows = json!([
        { "externalId": "p-ann", "accountExternalId": "crm-acme", "firstName": "Ann", "lastName": "Lee-Smith", "email": "ANN@acme.com" },
        // The same email at another account is another person.
        { "externalId": "p-ann-2", "accountId": other, "firstName": "Ann", "lastName": "Lee", "email": "ann@acme.com" },
    ]);
    let done = upsert(&app, None, STAKEHOLDERS, rows).await;
    assert_eq!(done["userErrors"], json!([]));
    assert_eq!(
        (done["created"].clone(), done["updated"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(done["stakeholders"][0]["id"], person);
    assert_eq!(done["stakeholders"][0]["externalId"], "p-ann");
    assert_ne!(done["stakeholders"][1]["id"], person);
    assert_eq!(count(&app, "stakeholders").await, 2);

    // A second system's key never replaces the first's: a row that matches by domain or email
    // a record already named otherwise is TAKEN, and nothing is written.
    let second = upsert(
        &app,
        None,
        ACCOUNTS,
        json!([{ "externalId": "hub-9", "name": "Acme", "domain": "acme.com" }]),
    )
    .await;
    assert_eq!(
        second["userErrors"],
        json!([{ "field": ["rows", "0", "externalId"], "code": "TAKEN",
                 "message": "the record this row matches already has another externalId" }])
    );
    let again = json!([{ "externalId": "hub-ann", "accountId": acme, "firstName": "Ann", "lastName": "Lee", "email": "ann@acme.com" }]);
    let second = upsert(&app, None, STAKEHOLDERS, again).await;
    assert_eq!(
        second["userErrors"][0]["field"],
        json!(["rows", "0", "externalId"]),
        "{second}"
    );
    assert_eq!(second["userErrors"][0]["code"], "TAKEN", "{second}");
    let kept = app
        .data(
            "query($a: ID!, $p: ID!) { a: node(id: $a) { ... on Account { externalId } } p: node(id: $p) { ... on Stakeholder { externalId } } }",
            json!({ "a": acme, "p": person }),
        )
        .await;
    assert_eq!(
        kept,
        json!({ "a": { "externalId": "crm-acme" }, "p": { "externalId": "p-ann" } })
    );
}

async fn more_than_five_hundred_rows_are_refused(app: TestApp) {
    let rows: Vec<Value> = (0..501)
        .map(|i| json!({ "externalId": format!("a-{i}"), "name": format!("A {i}") }))
        .collect();
    let body = app.gql(ACCOUNTS, json!({ "rows": rows })).await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(count(&app, "accounts").await, 0);
    let rows: Vec<Value> = rows.into_iter().take(500).collect();
    let done = upsert(&app, None, ACCOUNTS, Value::Array(rows)).await;
    assert_eq!(done["created"], 500);
}

async fn upserts_need_the_permissions_of_create_and_update(app: TestApp) {
    let (_, viewer) = app.user_with_role("viewer").await;
    let body = app
        .gql_as(
            Some(&viewer),
            ACCOUNTS,
            json!({ "rows": [{ "externalId": "a", "name": "A" }] }),
        )
        .await;
    assert_eq!(first_code(&body), "FORBIDDEN");
    // Marketing may create and update people but not deals.
    let (_, marketing) = app.user_with_role("marketing").await;
    let acme = account(&app, "Acme", json!({ "externalId": "a-1" })).await;
    let body = app
        .gql_as(
            Some(&marketing),
            OPPORTUNITIES,
            json!({ "rows": [{ "externalId": "d", "accountId": acme, "name": "D" }] }),
        )
        .await;
    assert_eq!(first_code(&body), "FORBIDDEN");
    // A salesperson updates only their own deals: someone else's is refused at its row.
    let (_, sales) = app.user_with_role("sales").await;
    upsert(
        &app,
        None,
        OPPORTUNITIES,
        json!([{ "externalId": "d-admin", "accountId": acme, "name": "Admin's" }]),
    )
    .await;
    let rows = json!([
        { "externalId": "d-sales", "accountId": acme, "name": "Mine" },
        { "externalId": "d-admin", "accountId": acme, "name": "Taken over" },
    ]);
    let refused = upsert(&app, Some(&sales), OPPORTUNITIES, rows).await;
    assert_eq!(
        refused["userErrors"][0]["field"],
        json!(["rows", "1", "externalId"])
    );
    assert_eq!(count(&app, "opportunities").await, 1);
}

const DEAL: &str = "query($id: ID!) { node(id: $id) { ... on Opportunity { updatedAt version } } }";

async fn deal_state(app: &TestApp, id: &Value) -> (String, i64) {
    let node = app.data(DEAL, json!({ "id": id })).await["node"].clone();
    (
        node["updatedAt"].as_str().unwrap().to_owned(),
        node["version"].as_i64().unwrap(),
    )
}

async fn participants_and_risks_move_their_deals_updated_at(app: TestApp) {
    let acme = account(&app, "Acme", json!({})).await;
    let deal = app
        .data(
            "mutation($a: ID!) { createOpportunity(input: { accountId: $a, name: \"D\" }) { opportunity { id } } }",
            json!({ "a": acme }),
        )
        .await["createOpportunity"]["opportunity"]["id"]
        .clone();
    let person = app
        .data(
            "mutation($a: ID!) { createStakeholder(input: { accountId: $a, firstName: \"A\", lastName: \"B\" }) { stakeholder { id } } }",
            json!({ "a": acme }),
        )
        .await["createStakeholder"]["stakeholder"]["id"]
        .clone();
    let (created, version) = deal_state(&app, &deal).await;

    let added = app
        .data(
            "mutation($d: ID!, $p: ID!) { addDealParticipant(input: { opportunityId: $d, stakeholderId: $p }) { participant { id } } }",
            json!({ "d": deal, "p": person }),
        )
        .await["addDealParticipant"]["participant"]["id"]
        .clone();
    let (after_add, v) = deal_state(&app, &deal).await;
    assert!(after_add > created, "{after_add} after {created}");
    // The version guards the deal's own fields: a change read before the join still applies.
    assert_eq!(v, version);
    let renamed = app
        .data(
            "mutation($d: ID!, $v: Int!) { updateOpportunity(input: { id: $d, name: \"E\", expectedVersion: $v }) { userErrors { code } } }",
            json!({ "d": deal, "v": version }),
        )
        .await;
    assert_eq!(renamed["updateOpportunity"]["userErrors"], json!([]));
    let (after_rename, _) = deal_state(&app, &deal).await;

    app.data(
        "mutation($id: ID!) { updateDealParticipant(input: { id: $id, role: CHAMPION }) { userErrors { code } } }",
        json!({ "id": added }),
    )
    .await;
    let (after_change, _) = deal_state(&app, &deal).await;
    assert!(after_change > after_rename, "{after_change} after {after_rename}");

    let risk = app
        .data(
            "mutation($d: ID!) { raiseDealRisk(input: { opportunityId: $d, kind: TIMING }) { risk { id createdAt } } }",
            json!({ "d": deal }),
        )
        .await["raiseDealRisk"]["risk"]
        .clone();
    assert_eq!(
        deal_state(&app, &deal).await.0,
        risk["createdAt"].as_str().unwrap()
    );
    let changed = app
        .data(
            "mutation($id: ID!) { updateDealRisk(input: { id: $id, severity: HIGH }) { risk { updatedAt } } }",
            json!({ "id": risk["id"] }),
        )
        .await["updateDealRisk"]["risk"]["updatedAt"]
        .clone();
    assert_eq!(deal_state(&app, &deal).await.0, changed.as_str().unwrap());

    let removed = app
        .data(
            "mutation($id: ID!) { removeDealParticipant(input: { id: $id }) { opportunity { updatedAt } } }",
            json!({ "id": added }),
        )
        .await["removeDealParticipant"]["opportunity"]["updatedAt"]
        .clone();
    assert!(removed.as_str().unwrap() > changed.as_str().unwrap());
    assert_eq!(deal_state(&app, &deal).await.0, removed.as_str().unwrap());
}

async fn engagements_filter_by_when_they_were_recorded(app: TestApp) {
    let acme = account(&app, "Acme", json!({})).await;
    let person = app
        .data(
            "mutation($a: ID!) { createStakeholder(input: { accountId: $a, firstName: \"A\", lastName: \"B\" }) { stakeholder { id } } }",
            json!({ "a": acme }),
        )
        .await["createStakeholder"]["stakeholder"]["id"]
        .clone();
    let touch = app
        .data(
            "mutation($p: ID!) { recordEngagement(input: { stakeholderId: $p, kind: EMAIL_OPENED, occurredAt: \"2024-01-01T00:00:00Z\" }) { engagement { id createdAt } } }",
            json!({ "p": person }),
        )
        .await["recordEngagement"]["engagement"]
        .clone();
    let recorded = touch["createdAt"].as_str().unwrap();
    let list = "query($f: EngagementFilter) { engagements(first: 10, filter: $f) { nodes { id } } }";
    let found = app
        .data(list, json!({ "f": { "recordedSince": recorded } }))
        .await;
    assert_eq!(found["engagements"]["nodes"], json!([{ "id": touch["id"] }]));
    // Back-dated: it occurred long before it was recorded.
    let by_occurrence = app.data(list, json!({ "f": { "since": recorded } })).await;
    assert_eq!(by_occurrence["engagements"]["nodes"], json!([]));
    let later = app
        .data(list, json!({ "f": { "recordedSince": "9999-01-01T00:00:00Z" } }))
        .await;
    assert_eq!(later["engagements"]["nodes"], json!([]));
}

async fn stakeholders_filter_by_lead_source_and_search_by_name_and_allowed_email(app: TestApp) {
    let acme = account(&app, "Acme", json!({ "externalId": "a-1" })).await;
    upsert(
        &app,
        None,
        STAKEHOLDERS,
        json!([
            { "externalId": "p-1", "accountId": acme, "firstName": "Ann", "lastName": "Lee", "email": "ann@acme.com", "leadSource": "WEBINAR" },
            { "externalId": "p-2", "accountId": acme, "firstName": "Bob", "lastName": "Ray", "email": "zed@acme.com", "leadSource": "REFERRAL" },
            { "externalId": "p-3", "accountId": acme, "firstName": "Annika", "lastName": "Zed" },
        ]),
    )
    .await;
    let list = "query($f: StakeholderFilter) { stakeholders(first: 10, filter: $f) { nodes { firstName } } }";
    let names = |data: Value| -> Vec<String> {
        data["stakeholders"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["firstName"].as_str().unwrap().to_owned())
            .collect()
    };
    let by = |f: Value| app.data(list, json!({ "f": f }));
    assert_eq!(
        names(by(json!({ "leadSources": ["REFERRAL", "PAID"] })).await),
        ["Bob"]
    );
    assert_eq!(names(by(json!({ "search": "ANN" })).await), ["Ann", "Annika"]);
    assert_eq!(names(by(json!({ "search": "lee" })).await), ["Ann"]);
    assert_eq!(names(by(json!({ "search": "ann l" })).await), ["Ann"]);
    assert_eq!(names(by(json!({ "search": "50%" })).await), Vec::<String>::new());
    // By email for whoever may read contact details: the admin finds Bob by his address.
    assert_eq!(names(by(json!({ "search": "zed" })).await), ["Bob", "Annika"]);
    // A viewer may not read emails: the same search finds Annika by her name only.
    let (_, viewer) = app.user_with_role("viewer").await;
    let seen = app
        .data_as(Some(&viewer), list, json!({ "f": { "search": "zed" } }))
        .await;
    assert_eq!(names(seen), ["Annika"]);
    let seen = app
        .data_as(Some(&viewer), list, json!({ "f": { "search": "ann@" } }))
        .await;
    assert_eq!(names(seen), Vec::<String>::new());
}

on_both_stores!(
    participants_and_risks_move_their_deals_updated_at,
    engagements_filter_by_when_they_were_recorded,
    stakeholders_filter_by_lead_source_and_search_by_name_and_allowed_email,
    an_external_id_is_set_read_filtered_and_unique_among_live_records,
    upserting_twice_creates_then_updates_the_same_records,
    a_bad_row_writes_nothing_and_is_named_by_its_index,
    rows_match_a_live_domain_and_an_email_within_the_account,
    more_than_five_hundred_rows_are_refused,
    upserts_need_the_permissions_of_create_and_update,
);
