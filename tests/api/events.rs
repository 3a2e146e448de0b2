//! Events: every write records its events in its own transaction (a refused write none), and
//! `auditLog` reads them newest first for `audit.read`, with who, when, which request and what
//! changed; secrets never appear and contact fields only as "changed".

use serde_json::{Value, json};

use crate::{
    helpers::{PASSWORD, TestApp, first_code, on_both_stores},
    opportunity::{account, person},
};

const LOG: &str =
    "query($f: EventFilter, $n: Int, $after: String) { auditLog(first: $n, after: $after, filter: $f) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id type occurredAt subjectId subjectType requestId
      actor { id displayName } apiToken { id }
      changes { field before after } } } }";

/// The events the admin reads through `filter`, newest first (at most 100).
async fn events(app: &TestApp, filter: Value) -> Vec<Value> {
    let data = app.data(LOG, json!({ "f": filter, "n": 100 })).await;
    data["auditLog"]["nodes"].as_array().unwrap().clone()
}

fn types(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

/// The change of `field` in an event.
fn change<'a>(event: &'a Value, field: &str) -> &'a Value {
    event["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == field)
        .unwrap_or_else(|| panic!("no change of {field} in {event}"))
}

async fn total(app: &TestApp) -> i64 {
    app.data("{ auditLog(first: 1) { totalCount } }", json!({})).await["auditLog"]["totalCount"]
        .as_i64()
        .unwrap()
}

const UPDATE_DEAL: &str = "mutation($i: UpdateOpportunityInput!) { updateOpportunity(input: $i) {
    opportunity { version } userErrors { field code } } }";

async fn an_admin_reads_who_changed_a_deals_amount_and_when(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let created = app
        .data(
            "mutation($a: ID!) { createOpportunity(input: { accountId: $a, name: \"Platform\", amount: { amount: \"10000\", currency: \"EUR\" } }) { opportunity { id } } }",
            json!({ "a": acme }),
        )
        .await;
    let deal = created["createOpportunity"]["opportunity"]["id"].clone();
    let (manager_id, manager) = app.user_with_role("sales_manager").await;
    let response = app
        .post_as(
            Some(&manager),
            UPDATE_DEAL,
            json!({ "i": { "id": deal, "amount": { "amount": "12500.50", "currency": "EUR" } } }),
        )
        .await;
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["data"]["updateOpportunity"]["userErrors"],
        json!([]),
        "{body}"
    );

    let log = events(&app, json!({ "subjectId": deal })).await;
    assert_eq!(types(&log), ["opportunity.updated", "opportunity.created"]);
    let updated = &log[0];
    assert_eq!(updated["type"], "opportunity.updated");
    assert_eq!(updated["actor"]["id"], json!(manager_id));
    assert_eq!(updated["subjectId"], deal);
    assert_eq!(updated["subjectType"], "Opportunity");
    assert_eq!(
        updated["requestId"],
        json!(request_id),
        "the request that made it"
    );
    assert!(
        updated["occurredAt"].as_str().unwrap().starts_with("20"),
        "{updated}"
    );
    assert_eq!(
        change(updated, "amount"),
        &json!({ "field": "amount", "before": "10000.00", "after": "12500.50" })
    );
    assert_eq!(
        updated["changes"].as_array().unwrap().len(),
        1,
        "only what changed: {updated}"
    );
    let first = log.last().unwrap();
    assert_eq!(first["type"], "opportunity.created");
    assert_eq!(change(first, "name")["after"], "Platform");
    assert_eq!(
        change(first, "accountId")["after"],
        json!(acme),
        "references are global IDs"
    );
}

async fn a_write_refused_with_a_user_error_records_nothing(app: TestApp) {
    let acme = app
        .data(
            "mutation { createAccount(input: { name: \"Acme\", domain: \"acme.com\" }) { account { id } } }",
            json!({}),
        )
        .await["createAccount"]["account"]["id"]
        .clone();
    let before = total(&app).await;
    // A domain already taken: the insert fails inside the transaction.
    let taken = app
        .data(
            "mutation { createAccount(input: { name: \"Other\", domain: \"acme.com\" }) { userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(taken["createAccount"]["userErrors"][0]["code"], "TAKEN");
    // A stale version: the update is refused after the row was locked.
    let stale = app
        .data(
            "mutation($id: ID!) { updateAccount(input: { id: $id, name: \"New\", expectedVersion: 7 }) { userErrors { code } } }",
            json!({ "id": acme }),
        )
        .await;
    assert_eq!(stale["updateAccount"]["userErrors"][0]["code"], "STALE_VERSION");
    // A forbidden lead move and a role that would grant nothing known.
    let lead = person(&app, acme.as_str().unwrap(), "Ann").await;
    let after_person = total(&app).await;
    assert_eq!(after_person, before + 1, "only the person's creation");
    let refused = app
        .data(
            "mutation($p: ID!) { moveLeadStage(input: { stakeholderId: $p, to: SAL }) { userErrors { code } } }",
            json!({ "p": lead }),
        )
        .await;
    assert_eq!(
        refused["moveLeadStage"]["userErrors"][0]["code"],
        "INVALID_TRANSITION"
    );
    let role = app
        .data(
            "mutation { createRole(input: { name: \"x\", grants: [{ permission: \"no.such\", scope: ALL }] }) { userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_ne!(role["createRole"]["userErrors"], json!([]));
    assert_eq!(total(&app).await, after_person, "refused writes left no event");
    let none = events(&app, json!({ "subjectId": acme, "types": ["account.updated"] })).await;
    assert!(none.is_empty(), "{none:?}");
}

async fn every_kind_of_write_records_its_events(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let ann = app
        .data(
            "mutation($a: ID!) { createStakeholder(input: { accountId: $a, firstName: \"Ann\", lastName: \"Lee\", email: \"ann@acme.com\", phone: \"+1 555 0100\" }) { stakeholder { id } } }",
            json!({ "a": acme }),
        )
        .await["createStakeholder"]["stakeholder"]["id"]
        .clone();
    app.data(
        "mutation($p: ID!) { updateStakeholder(input: { id: $p, email: \"ann.lee@acme.com\", title: \"CTO\" }) { userErrors { code } } }",
        json!({ "p": ann }),
    )
    .await;
    let deal = app
        .data(
            "mutation($a: ID!) { createOpportunity(input: { accountId: $a, name: \"D\" }) { opportunity { id } } }",
            json!({ "a": acme }),
        )
        .await["createOpportunity"]["opportunity"]["id"]
        .clone();
    app.data(
        "mutation($d: ID!, $p: ID!) { addDealParticipant(input: { opportunityId: $d, stakeholderId: $p }) { userErrors { code } } }",
        json!({ "d": deal, "p": ann }),
    )
    .await;
    app.data(
        "mutation($d: ID!, $p: ID!) { raiseDealRisk(input: { opportunityId: $d, kind: TIMING, raisedById: $p }) { userErrors { code } } }",
        json!({ "d": deal, "p": ann }),
    )
    .await;
    app.data(
        "mutation($p: ID!) { recordEngagement(input: { stakeholderId: $p, kind: CALL }) { userErrors { code } } }",
        json!({ "p": ann }),
    )
    .await;
    app.data(
        "mutation($p: ID!) { recordLeadFeedback(input: { stakeholderId: $p, rating: GOOD }) { userErrors { code } } }",
        json!({ "p": ann }),
    )
    .await;
    let won = app
        .data(
            "mutation($d: ID!) { moveOpportunityStage(input: { opportunityId: $d, to: CLOSED_WON }) { userErrors { code } } }",
            json!({ "d": deal }),
        )
        .await;
    assert_eq!(won["moveOpportunityStage"]["userErrors"], json!([]));
    let content = app
        .data(
            "mutation { createContent(input: { title: \"T\", kind: EBOOK, topics: [\"security\"] }) { content { id } } }",
            json!({}),
        )
        .await["createContent"]["content"]["id"]
        .clone();
    app.data(
        "mutation($c: ID!) { updateContent(input: { id: $c, topics: [\"security\", \"cloud\"] }) { userErrors { code } } }",
        json!({ "c": content }),
    )
    .await;
    app.data(
        "mutation($c: ID!) { publishContent(input: { id: $c }) { userErrors { code } } }",
        json!({ "c": content }),
    )
    .await;
    let role = app
        .data(
            "mutation { createRole(input: { name: \"writer\", grants: [{ permission: \"account.create\", scope: ALL }] }) { role { id } } }",
            json!({}),
        )
        .await["createRole"]["role"]["id"]
        .clone();
    let created = app
        .data(
            "mutation($r: ID!) { createApiToken(input: { name: \"loader\", roleId: $r }) { apiToken { id } token } }",
            json!({ "r": role }),
        )
        .await;
    let token_id = created["createApiToken"]["apiToken"]["id"].clone();
    let secret = created["createApiToken"]["token"].as_str().unwrap().to_owned();
    // A write made with the API token: its event names the token, and no user.
    let by_token = app
        .data_as(
            Some(&secret),
            "mutation { createAccount(input: { name: \"Via token\" }) { account { id } } }",
            json!({}),
        )
        .await["createAccount"]["account"]["id"]
        .clone();
    app.data(
        "mutation($t: ID!) { revokeApiToken(input: { id: $t }) { userErrors { code } } }",
        json!({ "t": token_id }),
    )
    .await;
    let (user_id, _) = app.user_with_role("viewer").await;
    app.data(
        "mutation($u: ID!, $pw: String!) { updateUser(input: { id: $u, password: $pw }) { userErrors { code } } }",
        json!({ "u": user_id, "pw": format!("{PASSWORD}-new") }),
    )
    .await;
    let failed = app
        .gql_as(
            None,
            "mutation { login(input: { email: \"nobody@example.com\", password: \"wrong password\" }) { userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(failed["data"]["login"]["userErrors"][0]["code"], "INVALID");

    let log = events(&app, json!({})).await;
    let seen: std::collections::BTreeSet<&str> = types(&log).into_iter().collect();
    for expected in [
        "account.created",
        "account.updated",
        "stakeholder.created",
        "stakeholder.updated",
        "opportunity.created",
        "participant.added",
        "risk.raised",
        "engagement.recorded",
        "feedback.recorded",
        "lead.stage_changed",
        "opportunity.stage_changed",
        "content.created",
        "content.updated",
        "content.published",
        "role.created",
        "api_token.created",
        "api_token.revoked",
        "user.created",
        "user.updated",
        "login.succeeded",
        "login.failed",
    ] {
        assert!(seen.contains(expected), "no {expected} in {seen:?}");
    }

    // Winning moved the person to CUSTOMER and the account too, automatically: no actor.
    let automatic = events(&app, json!({ "subjectId": ann, "types": ["lead.stage_changed"] })).await;
    let customer = &automatic[0];
    assert_eq!(change(customer, "leadStage")["after"], "CUSTOMER");
    assert_eq!(customer["actor"], Value::Null, "{customer}");
    let account_won = events(&app, json!({ "subjectId": acme, "types": ["account.updated"] })).await;
    assert_eq!(change(&account_won[0], "status")["after"], "CUSTOMER");

    // Tags: the whole list before and after.
    let retagged = events(
        &app,
        json!({ "subjectId": content, "types": ["content.updated"] }),
    )
    .await;
    assert_eq!(
        change(&retagged[0], "topics"),
        &json!({ "field": "topics", "before": ["security"], "after": ["cloud", "security"] })
    );

    let made_by_token = events(&app, json!({ "subjectId": by_token })).await;
    assert_eq!(made_by_token[0]["apiToken"]["id"], token_id);
    assert_eq!(made_by_token[0]["actor"], Value::Null);

    // Contact fields: changed, never their values; the title shows in full.
    let updated = events(
        &app,
        json!({ "subjectId": ann, "types": ["stakeholder.updated"] }),
    )
    .await;
    assert_eq!(
        change(&updated[0], "email"),
        &json!({ "field": "email", "before": null, "after": null })
    );
    assert_eq!(change(&updated[0], "title")["after"], "CTO");
    let password_change = events(&app, json!({ "subjectId": user_id, "types": ["user.updated"] })).await;
    assert_eq!(change(&password_change[0], "password")["after"], Value::Null);

    let text = serde_json::to_string(&log).unwrap();
    for secret_text in [
        "ann@acme.com",
        "ann.lee@acme.com",
        "555 0100",
        "hash",
        &secret,
        PASSWORD,
    ] {
        assert!(!text.contains(secret_text), "{secret_text} leaked into the log");
    }
}

async fn the_log_pages_newest_first_and_filters(app: TestApp) {
    let acme = account(&app, "Acme").await;
    for n in 1..=4 {
        app.data(
            "mutation($id: ID!, $n: String!) { updateAccount(input: { id: $id, name: $n }) { userErrors { code } } }",
            json!({ "id": acme, "n": format!("Acme {n}") }),
        )
        .await;
    }
    let filter = json!({ "subjectId": acme, "types": ["account.updated"] });
    let page = app.data(LOG, json!({ "f": filter, "n": 3 })).await["auditLog"].clone();
    assert_eq!(page["totalCount"], 4);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let names: Vec<Value> = page["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| change(e, "name")["after"].clone())
        .collect();
    assert_eq!(names, [json!("Acme 4"), json!("Acme 3"), json!("Acme 2")]);
    let cursor = page["pageInfo"]["endCursor"].clone();
    let rest = app
        .data(LOG, json!({ "f": filter, "n": 3, "after": cursor }))
        .await["auditLog"]
        .clone();
    assert_eq!(rest["nodes"].as_array().unwrap().len(), 1);
    assert_eq!(change(&rest["nodes"][0], "name")["before"], "Acme");
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);

    // Time: `since` takes the moment of the newest, `until` leaves it out.
    let newest = page["nodes"][0]["occurredAt"].clone();
    let since = events(&app, json!({ "subjectId": acme, "since": newest })).await;
    assert!(since.iter().all(|e| e["occurredAt"].as_str() >= newest.as_str()));
    assert!(since.iter().any(|e| e["id"] == page["nodes"][0]["id"]));
    let until = events(&app, json!({ "subjectId": acme, "until": newest })).await;
    assert!(until.iter().all(|e| e["id"] != page["nodes"][0]["id"]));

    // Actor: the admin made all of these, a new user none.
    let admin = app.data("{ viewer { user { id } } }", json!({})).await["viewer"]["user"]["id"].clone();
    let by_admin = events(&app, json!({ "actorId": admin, "types": ["account.updated"] })).await;
    assert_eq!(by_admin.len(), 4);
    let (someone, _) = app.user_with_role("viewer").await;
    assert!(
        events(&app, json!({ "actorId": someone, "types": ["account.updated"] }))
            .await
            .is_empty()
    );
    // An ID that names nothing matches nothing; so does an unknown type.
    assert!(events(&app, json!({ "subjectId": "nonsense" })).await.is_empty());
    assert!(events(&app, json!({ "types": ["no.such"] })).await.is_empty());
}

async fn only_auditors_read_the_log_and_its_events(app: TestApp) {
    account(&app, "Acme").await;
    let event = events(&app, json!({ "types": ["account.created"] })).await[0]["id"].clone();
    let node = "query($id: ID!) { node(id: $id) { __typename ... on Event { type subjectType } } }";
    let admin = app.data(node, json!({ "id": event })).await;
    assert_eq!(admin["node"]["type"], "account.created");
    assert_eq!(admin["node"]["__typename"], "Event");

    let (_, sales) = app.user_with_role("sales").await;
    let refused = app
        .gql_as(Some(&sales), "{ auditLog(first: 5) { nodes { id } } }", json!({}))
        .await;
    assert_eq!(first_code(&refused), "FORBIDDEN", "{refused}");
    let hidden = app.data_as(Some(&sales), node, json!({ "id": event })).await;
    assert_eq!(hidden["node"], Value::Null, "like an ID of nothing");
}

/// The outbox's cost on the write path: one statement per event. `updateOpportunity` without
/// competitors is 4 statements with its event (lock and read, write, read back; 3 before the
/// outbox).
async fn an_update_costs_one_statement_more_for_its_event(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let deal = app
        .data(
            "mutation($a: ID!) { createOpportunity(input: { accountId: $a, name: \"D\" }) { opportunity { id } } }",
            json!({ "a": acme }),
        )
        .await["createOpportunity"]["opportunity"]["id"]
        .clone();
    let statements = app
        .statements_for(UPDATE_DEAL, json!({ "i": { "id": deal, "name": "E" } }))
        .await;
    assert_eq!(statements, 4);
}

on_both_stores!(
    an_admin_reads_who_changed_a_deals_amount_and_when,
    a_write_refused_with_a_user_error_records_nothing,
    every_kind_of_write_records_its_events,
    the_log_pages_newest_first_and_filters,
    only_auditors_read_the_log_and_its_events,
    an_update_costs_one_statement_more_for_its_event,
);
