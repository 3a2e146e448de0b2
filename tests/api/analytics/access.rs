//! Who may read the reports and what they cost: refused periods and groupings, a role
//! without `analytics.read`, a viewer API token, OWN scope, the README's examples, and a fixed
//! number of statements whatever the data.

use chrono::{Duration, Utc};
use serde_json::json;

use super::{
    DEAL_FUNNEL, HANDOFF, LEAD_FUNNEL, MOVE_LEAD, SOURCE_QUALITY, account_in, deal, input, lead, lead_as,
    move_deal, move_lead, volumes,
};
use crate::helpers::{TestApp, first_code, on_both_stores};

async fn bad_periods_and_groupings_are_refused(app: TestApp) {
    let now = Utc::now();
    let cases = [
        input(now, now - Duration::seconds(1), None, json!({})),
        input(now - Duration::days(3653 + 3), now, None, json!({})),
        input(
            now - Duration::days(1),
            now,
            None,
            json!({ "unit": "ACCOUNT", "groupBy": "LEAD_SOURCE" }),
        ),
        input(
            now - Duration::days(1),
            now,
            None,
            json!({ "unit": "ACCOUNT", "groupBy": "PERSONA" }),
        ),
        input(
            now - Duration::days(1),
            now,
            None,
            json!({ "unit": "ACCOUNT", "groupBy": "MARKETING_OWNER" }),
        ),
    ];
    for vars in cases {
        let body = app.gql(LEAD_FUNNEL, vars.clone()).await;
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{vars}: {body}");
    }
    let vars = input(now, now - Duration::seconds(1), None, json!({}));
    for query in [DEAL_FUNNEL, SOURCE_QUALITY, HANDOFF] {
        assert_eq!(first_code(&app.gql(query, vars.clone()).await), "BAD_USER_INPUT");
    }
    // Exactly ten years is allowed, and so is an empty period.
    let ten = input(now - Duration::days(3650), now, None, json!({}));
    app.data(LEAD_FUNNEL, ten).await;
    app.data(LEAD_FUNNEL, input(now, now, None, json!({}))).await;
}

async fn a_role_without_analytics_read_is_refused_and_a_viewer_token_reads(app: TestApp) {
    let created = app
        .data(
            "mutation { createRole(input: { name: \"blind\", grants: [{ permission: \"stakeholder.read\", scope: ALL }] }) { role { id } userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(created["createRole"]["userErrors"], json!([]));
    let (_, blind) = app.user_with_role("blind").await;
    let viewer_role = app.role_id("viewer").await;
    let token = app
        .data(
            "mutation($r: ID!) { createApiToken(input: { name: \"BI\", roleId: $r }) { token } }",
            json!({ "r": viewer_role }),
        )
        .await["createApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let now = Utc::now();
    let vars = input(now - Duration::days(30), now, None, json!({}));
    for query in [LEAD_FUNNEL, DEAL_FUNNEL, SOURCE_QUALITY, HANDOFF] {
        assert_eq!(
            first_code(&app.gql_as(Some(&blind), query, vars.clone()).await),
            "FORBIDDEN"
        );
        assert_eq!(
            first_code(&app.gql_as(None, query, vars.clone()).await),
            "UNAUTHENTICATED"
        );
        app.data_as(Some(&token), query, vars.clone()).await;
    }
}

async fn an_own_grant_counts_only_ones_own_records(app: TestApp) {
    let created = app
        .data(
            "mutation { createRole(input: { name: \"own\", grants: [
                { permission: \"analytics.read\", scope: OWN }, { permission: \"account.read\", scope: ALL },
                { permission: \"stakeholder.read\", scope: ALL }, { permission: \"stakeholder.create\", scope: ALL }] }) { role { id } userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(created["createRole"]["userErrors"], json!([]));
    let (_, mine) = app.user_with_role("own").await;
    let acme = account_in(&app, "Acme", "TIER_1").await;
    let (_, start) = lead(&app, &acme, "Theirs", None).await;
    lead_as(&app, &mine, &acme, "Mine", None).await;
    let vars = input(start, Utc::now() + Duration::days(1), None, json!({}));
    let everyone = app.data(LEAD_FUNNEL, vars.clone()).await;
    assert_eq!(volumes(&everyone["leadFunnel"]["groups"][0]), "INQUIRY:2/2");
    let own = app.data_as(Some(&mine), LEAD_FUNNEL, vars.clone()).await;
    assert_eq!(volumes(&own["leadFunnel"]["groups"][0]), "INQUIRY:1/1");
    let quality = app.data_as(Some(&mine), SOURCE_QUALITY, vars).await;
    assert_eq!(quality["leadSourceQuality"][0]["leads"], 1);
}

/// The example queries of the README's Analytics section: indented blocks starting with `{`.
fn readme_examples() -> Vec<String> {
    let readme = include_str!("../../../README.md");
    let start = readme.find("## Analytics").expect("an Analytics section");
    let section = &readme[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in section.lines() {
        match (line.strip_prefix("    "), current.as_mut()) {
            (Some(code), Some(block)) => {
                block.push('\n');
                block.push_str(code);
            }
            (Some(code), None) if code.starts_with('{') => current = Some(code.to_owned()),
            (None, _) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks.extend(current);
    blocks
}

async fn the_readme_examples_run(app: TestApp) {
    let examples = readme_examples();
    assert_eq!(examples.len(), 4);
    for query in examples {
        app.data(&query, json!({})).await;
    }
}

/// The statements of each report do not grow with the data (counted beyond authentication).
async fn each_report_costs_a_fixed_number_of_statements(app: TestApp) {
    let (sales_id, _) = app.user_with_role("sales").await;
    let start = Utc::now() - Duration::hours(1);
    let vars = input(start, Utc::now() + Duration::days(1), None, json!({}));
    let owner = input(
        start,
        Utc::now() + Duration::days(1),
        None,
        json!({ "groupBy": "OWNER" }),
    );
    let cases = [
        (LEAD_FUNNEL, vars.clone(), 2),
        (LEAD_FUNNEL, owner.clone(), 3),
        (DEAL_FUNNEL, vars.clone(), 2),
        (DEAL_FUNNEL, owner.clone(), 3),
        (SOURCE_QUALITY, vars.clone(), 2),
        (HANDOFF, vars.clone(), 2),
        (HANDOFF, owner.clone(), 3),
    ];
    let mut costs = Vec::new();
    for size in [1, 6] {
        let acme = account_in(&app, &format!("Acme {size}"), "TIER_1").await;
        for n in 0..size {
            let (id, _) = lead(&app, &acme, &format!("P{n}"), Some("WEBINAR")).await;
            app.data(
                MOVE_LEAD,
                json!({ "i": { "stakeholderId": id, "to": "MQL", "assignOwnerId": sales_id } }),
            )
            .await;
            move_lead(&app, &id, "SAL", None).await;
            let (d, _) = deal(&app, &acme, Some(("10", "EUR")), Some("WEBINAR")).await;
            move_deal(&app, &d, "CLOSED_WON", None).await;
        }
        let mut round = Vec::new();
        for (query, vars, expected) in &cases {
            // Beyond what authenticating the caller costs (`{ __typename }` reaches no resolver).
            let base = app.statements_for("{ __typename }", json!({})).await;
            let n = app.statements_for(query, vars.clone()).await - base;
            assert_eq!(n, *expected, "{query}");
            round.push(n);
        }
        costs.push(round);
    }
    assert_eq!(costs[0], costs[1]);
}

on_both_stores!(
    bad_periods_and_groupings_are_refused,
    a_role_without_analytics_read_is_refused_and_a_viewer_token_reads,
    an_own_grant_counts_only_ones_own_records,
    the_readme_examples_run,
    each_report_costs_a_fixed_number_of_statements,
);
