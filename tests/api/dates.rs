//! Dates and times outside 1900-01-01 .. 9999-12-31 (UTC) are refused wherever a caller sends
//! one: mutation inputs, filters and report periods. Each is BAD_USER_INPUT, as an unparsable
//! value is, and nothing is written. (Year 0000 and -4714 were stored on SQLite and failed on
//! PostgreSQL.)

use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, first_code, on_both_stores},
    opportunity::{account, person},
};

/// Days a parser takes but the API does not.
const BAD_DAYS: [&str; 5] = [
    "0000-01-01",
    "-4714-11-24",
    "1899-12-31",
    "10000-01-01",
    "+10000-01-01",
];

/// Moments a parser may take but the API does not.
const BAD_MOMENTS: [&str; 5] = [
    "0000-01-01T00:00:00Z",
    "-4714-11-24T12:00:00Z",
    "1899-12-31T23:59:59Z",
    "10000-01-01T00:00:00Z",
    "9999-12-31T23:00:00-02:00",
];

async fn refused(app: &TestApp, query: &str, variables: Value) {
    let body = app.gql(query, variables.clone()).await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT", "{variables}: {body}");
}

async fn deal_count(app: &TestApp) -> Value {
    app.data("{ opportunities(first: 1) { totalCount } }", json!({}))
        .await["opportunities"]["totalCount"]
        .clone()
}

async fn days_out_of_range_are_refused(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let create = "mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) {
        opportunity { expectedCloseDate } userErrors { field code } } }";
    for day in BAD_DAYS {
        let i = json!({ "accountId": acme, "name": "Deal", "expectedCloseDate": day });
        refused(&app, create, json!({ "i": i })).await;
        refused(
            &app,
            "query($d: Date!) { opportunities(first: 5, filter: { closingAfter: $d }) { totalCount } }",
            json!({ "d": day }),
        )
        .await;
    }
    assert_eq!(deal_count(&app).await, 0, "nothing was written");

    // The edges of the range are taken and read back.
    for day in ["1900-01-01", "9999-12-31"] {
        let i = json!({ "accountId": acme, "name": "Deal", "expectedCloseDate": day });
        let data = app.data(create, json!({ "i": i })).await;
        assert_eq!(data["createOpportunity"]["opportunity"]["expectedCloseDate"], day);
    }
    let id = app
        .data("{ opportunities(first: 1) { nodes { id } } }", json!({}))
        .await["opportunities"]["nodes"][0]["id"]
        .clone();
    let update = "mutation($i: UpdateOpportunityInput!) { updateOpportunity(input: $i) {
        opportunity { expectedCloseDate } userErrors { field code } } }";
    refused(
        &app,
        update,
        json!({ "i": { "id": id, "expectedCloseDate": "0000-01-01" } }),
    )
    .await;
}

async fn moments_out_of_range_are_refused(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let ann = person(&app, &acme, "Ann").await;
    let record = "mutation($i: RecordEngagementInput!) { recordEngagement(input: $i) {
        engagement { id } userErrors { field code } } }";
    let viewer = app.role_id("viewer").await;
    for at in BAD_MOMENTS {
        refused(
            &app,
            record,
            json!({ "i": { "stakeholderId": ann, "kind": "MEETING", "occurredAt": at } }),
        )
        .await;
        refused(
            &app,
            "query($t: DateTime!) { engagements(first: 5, filter: { since: $t }) { totalCount } }",
            json!({ "t": at }),
        )
        .await;
        refused(
            &app,
            "query($t: DateTime!) { stageHistory(first: 5, filter: { until: $t }) { totalCount } }",
            json!({ "t": at }),
        )
        .await;
        refused(
            &app,
            "mutation($r: ID!, $t: DateTime!) { createApiToken(input: { name: \"BI\", roleId: $r, expiresAt: $t }) { token userErrors { code } } }",
            json!({ "r": viewer, "t": at }),
        )
        .await;
        for report in [
            "leadFunnel",
            "dealFunnel",
            "leadSourceQuality",
            "handoffPerformance",
        ] {
            let input = format!("{}Input", capitalized(report));
            let query = format!("query($i: {input}!) {{ {report}(input: $i) {{ __typename }} }}");
            for i in [
                json!({ "from": at, "to": "2026-01-01T00:00:00Z" }),
                json!({ "from": "2026-01-01T00:00:00Z", "to": "2026-02-01T00:00:00Z", "asOf": at }),
            ] {
                refused(&app, &query, json!({ "i": i })).await;
            }
        }
    }
    let touches = app
        .data("{ engagements(first: 1) { totalCount } }", json!({}))
        .await;
    assert_eq!(touches["engagements"]["totalCount"], 0, "nothing was written");
    let tokens = app
        .data("{ apiTokens(first: 1) { totalCount } }", json!({}))
        .await;
    assert_eq!(tokens["apiTokens"]["totalCount"], 0, "nothing was written");

    // The last moment of the range is a valid period end.
    let edge = app
        .gql(
            "query($i: DealFunnelInput!) { dealFunnel(input: $i) { to } }",
            json!({ "i": { "from": "9990-01-01T00:00:00Z", "to": "9999-12-31T23:59:59Z" } }),
        )
        .await;
    assert!(edge.get("errors").is_none(), "{edge}");
}

fn capitalized(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

on_both_stores!(days_out_of_range_are_refused, moments_out_of_range_are_refused);
