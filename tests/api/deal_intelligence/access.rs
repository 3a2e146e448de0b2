//! Who sees which recommendations and influence (content and people the caller may not read are
//! left out; OWN grants count only the caller's own), and bad input: BAD_USER_INPUT, never an
//! internal error.

use serde_json::{Value, json};

use super::{DEAL_RECOMMENDATIONS, PERSON_RECOMMENDATIONS, content, join, listed, person, touch};
use crate::{
    deal_intelligence::influence::INFLUENCE,
    helpers::{PASSWORD, TestApp, first_code, on_both_stores},
    opportunity::{account, deal},
};

/// A user of a new role with these grants (`permission:SCOPE`); their id and token.
async fn user_with(app: &TestApp, name: &str, grants: &[&str]) -> (String, String) {
    let grants: Vec<Value> = grants
        .iter()
        .map(|g| {
            let (permission, scope) = g.split_once(':').unwrap();
            json!({ "permission": permission, "scope": scope })
        })
        .collect();
    let role = app
        .data(
            "mutation($i: CreateRoleInput!) { createRole(input: $i) { role { id } userErrors { field code } } }",
            json!({ "i": { "name": name, "grants": grants } }),
        )
        .await["createRole"]["role"]["id"]
        .clone();
    let email = format!("{name}@example.com");
    let user = app
        .data(
            "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }",
            json!({ "i": { "email": email, "displayName": name, "roleId": role, "password": PASSWORD } }),
        )
        .await["createUser"]["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (user, app.login(&email, PASSWORD).await)
}

async fn recommendations_leave_out_content_and_people_the_caller_may_not_read(app: TestApp) {
    let (me, token) = user_with(
        &app,
        "deal-reader",
        &["opportunity.read:ALL", "stakeholder.read:OWN", "content.read:OWN"],
    )
    .await;
    let acme = account(&app, "Acme").await;
    let d = deal(&app, json!({ "accountId": acme, "name": "Platform" })).await;
    let ann = person(&app, &acme, "Ann", "CHAMPION", None).await;
    let ola = app
        .data(
            "mutation($a: ID!, $o: ID!) { createStakeholder(input: { accountId: $a, firstName: \"Ola\", lastName: \"Doe\", buyingRole: CHAMPION, ownerId: $o }) { stakeholder { id } } }",
            json!({ "a": acme, "o": me }),
        )
        .await["createStakeholder"]["stakeholder"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    join(&app, &d, &ann, None).await;
    join(&app, &d, &ola, None).await;
    content(
        &app,
        "Theirs",
        "BLOG_POST",
        json!({ "buyingRoles": ["CHAMPION"] }),
    )
    .await;
    content(
        &app,
        "Mine",
        "BLOG_POST",
        json!({ "buyingRoles": ["CHAMPION"], "ownerId": me }),
    )
    .await;

    let all = app.data(DEAL_RECOMMENDATIONS, json!({ "id": d })).await;
    assert_eq!(listed(&all["node"]["recommendations"]).len(), 4);
    let mine = app
        .data_as(Some(&token), DEAL_RECOMMENDATIONS, json!({ "id": d }))
        .await;
    let mine: Vec<(String, String)> = listed(&mine["node"]["recommendations"])
        .into_iter()
        .map(|r| (r.0, r.1))
        .collect();
    assert_eq!(mine, vec![("Ola".to_owned(), "Mine".to_owned())]);

    // Without content.read nothing is recommended (and nothing fails).
    let (_, blind) = user_with(
        &app,
        "no-content",
        &["opportunity.read:ALL", "stakeholder.read:ALL"],
    )
    .await;
    let data = app
        .data_as(Some(&blind), DEAL_RECOMMENDATIONS, json!({ "id": d }))
        .await;
    assert_eq!(data["node"]["recommendations"], json!([]));
    let body = app
        .gql_as(
            Some(&blind),
            INFLUENCE,
            json!({ "i": { "from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z" } }),
        )
        .await;
    assert_eq!(first_code(&body), "FORBIDDEN", "{body}");

    // Without opportunity.read a person's recommendations are refused.
    let (_, no_deals) = user_with(&app, "no-deals", &["stakeholder.read:ALL", "content.read:ALL"]).await;
    let body = app
        .gql_as(Some(&no_deals), PERSON_RECOMMENDATIONS, json!({ "id": ann }))
        .await;
    assert_eq!(first_code(&body), "FORBIDDEN", "{body}");
}

async fn influence_under_own_grants_counts_the_callers_deals_and_content(app: TestApp) {
    let (me, token) = user_with(&app, "own-deals", &["opportunity.read:OWN", "content.read:OWN"]).await;
    let acme = account(&app, "Acme").await;
    let mine = deal(&app, json!({ "accountId": acme, "name": "Mine", "ownerId": me })).await;
    let theirs = deal(&app, json!({ "accountId": acme, "name": "Theirs" })).await;
    let ann = person(&app, &acme, "Ann", "CHAMPION", None).await;
    join(&app, &mine, &ann, None).await;
    join(&app, &theirs, &ann, None).await;
    let my_piece = content(&app, "My piece", "BLOG_POST", json!({ "ownerId": me })).await;
    let other = content(&app, "Other", "BLOG_POST", json!({})).await;
    touch(&app, &ann, Some(&my_piece), None, 0).await;
    touch(&app, &ann, Some(&other), None, 0).await;
    let input = json!({ "i": { "from": "2020-01-01T00:00:00Z", "to": "2029-01-01T00:00:00Z" } });
    let all = app.data(INFLUENCE, input.clone()).await;
    assert_eq!(all["contentInfluence"].as_array().unwrap().len(), 2);
    assert_eq!(all["contentInfluence"][0]["opportunitiesInfluenced"], 2);
    let own = app.data_as(Some(&token), INFLUENCE, input).await;
    let rows = own["contentInfluence"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "only my content: {own}");
    assert_eq!(rows[0]["content"]["title"], "My piece");
    assert_eq!(rows[0]["opportunitiesInfluenced"], 1, "only my deal");
}

async fn bad_input_is_bad_user_input(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let d = deal(&app, json!({ "accountId": acme, "name": "Platform" })).await;
    let ann = person(&app, &acme, "Ann", "CHAMPION", None).await;
    join(&app, &d, &ann, None).await;
    for first in [0, -3, 101] {
        let body = app
            .gql(DEAL_RECOMMENDATIONS, json!({ "id": d, "first": first }))
            .await;
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{first}: {body}");
        let body = app
            .gql(PERSON_RECOMMENDATIONS, json!({ "id": ann, "first": first }))
            .await;
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{first}: {body}");
        let body = app
            .gql(INFLUENCE, json!({ "i": { "from": "2026-01-01T00:00:00Z", "to": "2026-02-01T00:00:00Z", "first": first } }))
            .await;
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{first}: {body}");
    }
    // null takes the default.
    let data = app
        .data(DEAL_RECOMMENDATIONS, json!({ "id": d, "first": null }))
        .await;
    assert_eq!(data["node"]["recommendations"], json!([]));
    let backwards = json!({ "i": { "from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z" } });
    let body = app.gql(INFLUENCE, backwards).await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");
    let too_long = json!({ "i": { "from": "2000-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z" } });
    assert_eq!(first_code(&app.gql(INFLUENCE, too_long).await), "BAD_USER_INPUT");
    let ids: Vec<String> = (0..101).map(|i| format!("x{i}")).collect();
    let many =
        json!({ "i": { "from": "2026-01-01T00:00:00Z", "to": "2026-02-01T00:00:00Z", "contentIds": ids } });
    assert_eq!(first_code(&app.gql(INFLUENCE, many).await), "BAD_USER_INPUT");
    // An ID of something else recommends nothing.
    let data = app
        .data(PERSON_RECOMMENDATIONS, json!({ "id": ann, "deal": ann }))
        .await;
    assert_eq!(data["node"]["recommendations"], json!([]));
}

on_both_stores!(
    recommendations_leave_out_content_and_people_the_caller_may_not_read,
    influence_under_own_grants_counts_the_callers_deals_and_content,
    bad_input_is_bad_user_input,
);
