//! The permission matrix through every edge: each object field that returns another record,
//! followed by callers who may read the parent but not the child, must never show what
//! `node(id:)` of that child refuses them. Staff seen through an edge may show their public
//! profile (id, display name), and nothing more, to a caller who may not read users.
//!
//! How: the admin builds one of everything, linked to each other. Each restricted caller reads
//! every record through `nodes(ids:)` with every edge selected (`EDGES`); every record the answer
//! holds is then asked for by ID as the same caller. A record the by-ID read refuses is a leak,
//! except a user's public profile. The admin's walk reaches every record the restricted callers
//! are refused, so a refusal that hides nothing cannot pass for a sound one.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, on_both_stores};

const REF: &str = "__typename id";
const USER: &str = "__typename id displayName email active lastLoginAt role { __typename id }";

/// Every edge of every record type (from schema.graphql), each child with its ID.
fn edges() -> String {
    let page = |field: &str, child: &str| format!("{field}(first: 10) {{ nodes {{ {child} }} }}");
    let recommendation = format!("stakeholder {{ {REF} }} content {{ {REF} }}");
    let stage_change = format!(
        "{REF} changedBy {{ {USER} }} ... on LeadStageChange {{ stakeholder {{ {REF} }} }}
         ... on OpportunityStageChange {{ opportunity {{ {REF} }} }}
         ... on BuyingStageChange {{ participant {{ {REF} }} stakeholder {{ {REF} }} opportunity {{ {REF} }} }}"
    );
    let participant = format!("{REF} opportunity {{ {REF} }} stakeholder {{ {REF} }}");
    let risk = format!("{REF} opportunity {{ {REF} }} raisedBy {{ {REF} }} answeredBy {{ {REF} }}");
    let feedback = format!("{REF} stakeholder {{ {REF} }} givenBy {{ {USER} }}");
    let engagement = format!(
        "{REF} stakeholder {{ {REF} }} content {{ {REF} }} opportunity {{ {REF} }} recordedBy {{ {USER} }}"
    );
    [
        format!(
            "... on Stakeholder {{ account {{ {REF} }} persona {{ {REF} }} reportsTo {{ {REF} }}
             directReports {{ {REF} }} referredBy {{ {REF} }} owner {{ {USER} }} marketingOwner {{ {USER} }}
             recommendations {{ {recommendation} }} feedback {{ {feedback} }} scoreBreakdown {{ rule {{ {REF} }} }}
             deals {{ {participant} }} {} {} }}",
            page("engagements", &engagement),
            page("stageHistory", &stage_change)
        ),
        format!(
            "... on Opportunity {{ account {{ {REF} }} owner {{ {USER} }} participants {{ {participant} }}
             risks {{ {risk} }} coverage {{ roles {{ participants {{ {participant} }} }} }}
             recommendations {{ {recommendation} }} {} {} }}",
            page("engagements", &engagement),
            page("stageHistory", &stage_change)
        ),
        format!(
            "... on Account {{ owner {{ {USER} }} marketingOwner {{ {USER} }} {} {} {} }}",
            page("stakeholders", REF),
            page("opportunities", REF),
            page("engagements", &engagement)
        ),
        format!(
            "... on Content {{ personas {{ {REF} }} owner {{ {USER} }} {} }}",
            page("engagements", &engagement)
        ),
        format!("... on Engagement {{ {engagement} }}"),
        format!("... on DealParticipant {{ {participant} }}"),
        format!("... on DealRisk {{ {risk} }}"),
        format!("... on LeadFeedback {{ {feedback} }}"),
        format!("... on StageChange {{ {stage_change} }}"),
    ]
    .join("\n")
}

/// The IDs of everything the admin builds, linked so that every edge has a child.
struct World {
    ids: Vec<Value>,
    account: Value,
    stakeholder: Value,
    opportunity: Value,
    content: Value,
    engagement: Value,
}

async fn world(app: &TestApp) -> World {
    let data = |q: &'static str, v: Value| async move { app.data(q, v).await };
    let persona = data(
        "mutation { createPersona(input: { name: \"Edge CFO\" }) { persona { id } } }",
        json!({}),
    )
    .await["createPersona"]["persona"]["id"]
        .clone();
    data(
        "mutation { createScoringRule(input: { name: \"meetings\", points: 5, engagementKind: MEETING }) { rule { id } } }",
        json!({}),
    )
    .await;
    // A second member of staff, so the owner edges show two different users.
    let (marketer, _) = app.user_with_role("marketing").await;
    let account = data(
        "mutation($m: ID!) { createAccount(input: { name: \"Edge Corp\", marketingOwnerId: $m }) { account { id } } }",
        json!({ "m": marketer }),
    )
    .await["createAccount"]["account"]["id"]
        .clone();
    let person = |extra: Value| {
        let mut input = json!({ "accountId": account, "firstName": "E", "lastName": "P" });
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        async move {
            app.data(
                "mutation($i: CreateStakeholderInput!) { createStakeholder(input: $i) { stakeholder { id } } }",
                json!({ "i": input }),
            )
            .await["createStakeholder"]["stakeholder"]["id"]
                .clone()
        }
    };
    let boss = person(json!({})).await;
    let stakeholder = person(json!({
        "reportsToId": boss, "referredById": boss, "personaId": persona, "marketingOwnerId": marketer,
    }))
    .await;
    // First, while the lead is new (joining a deal moves it on by itself).
    let body = data(
        "mutation($id: ID!) { moveLeadStage(input: { stakeholderId: $id, to: MQL }) { userErrors { code } } }",
        json!({ "id": stakeholder }),
    )
    .await;
    assert_eq!(body["moveLeadStage"]["userErrors"], json!([]), "{body}");
    let content = data(
        "mutation { createContent(input: { title: \"Edge paper\", kind: WHITEPAPER }) { content { id } } }",
        json!({}),
    )
    .await["createContent"]["content"]["id"]
        .clone();
    data(
        "mutation($id: ID!) { publishContent(input: { id: $id }) { userErrors { code } } }",
        json!({ "id": content }),
    )
    .await;
    let opportunity = data(
        "mutation($a: ID!) { createOpportunity(input: { accountId: $a, name: \"Edge deal\" }) { opportunity { id } } }",
        json!({ "a": account }),
    )
    .await["createOpportunity"]["opportunity"]["id"]
        .clone();
    let participant = data(
        "mutation($d: ID!, $p: ID!) { addDealParticipant(input: { opportunityId: $d, stakeholderId: $p, role: DECISION_MAKER }) { participant { id } } }",
        json!({ "d": opportunity, "p": stakeholder }),
    )
    .await["addDealParticipant"]["participant"]["id"]
        .clone();
    let risk = data(
        "mutation($d: ID!, $p: ID!, $c: ID!) { raiseDealRisk(input: { opportunityId: $d, kind: TIMING, raisedById: $p, answeredById: $c }) { risk { id } } }",
        json!({ "d": opportunity, "p": stakeholder, "c": content }),
    )
    .await["raiseDealRisk"]["risk"]["id"]
        .clone();
    let engagement = data(
        "mutation($p: ID!, $c: ID!, $d: ID!) { recordEngagement(input: { stakeholderId: $p, kind: MEETING, contentId: $c, opportunityId: $d }) { engagement { id } } }",
        json!({ "p": stakeholder, "c": content, "d": opportunity }),
    )
    .await["recordEngagement"]["engagement"]["id"]
        .clone();
    let feedback = data(
        "mutation($p: ID!) { recordLeadFeedback(input: { stakeholderId: $p, rating: GOOD }) { feedback { id } } }",
        json!({ "p": stakeholder }),
    )
    .await["recordLeadFeedback"]["feedback"]["id"]
        .clone();
    for (q, v) in [
        (
            "mutation($id: ID!) { moveOpportunityStage(input: { opportunityId: $id, to: QUALIFICATION }) { userErrors { code } } }",
            json!({ "id": opportunity }),
        ),
        (
            "mutation($id: ID!) { moveBuyingStage(input: { participantId: $id, to: SOLUTION_EXPLORATION }) { userErrors { code } } }",
            json!({ "id": participant }),
        ),
    ] {
        let body = data(q, v).await;
        let payload = body.as_object().unwrap().values().next().unwrap();
        assert_eq!(payload["userErrors"], json!([]), "{body}");
    }
    let history = data(
        "query($p: ID!, $d: ID!) { p: node(id: $p) { ... on Stakeholder { stageHistory(first: 10) { nodes { id } } } }
          d: node(id: $d) { ... on Opportunity { stageHistory(first: 10) { nodes { id } } } } }",
        json!({ "p": stakeholder, "d": opportunity }),
    )
    .await;
    let mut ids = vec![
        account.clone(),
        boss,
        stakeholder.clone(),
        content.clone(),
        opportunity.clone(),
        participant,
        risk,
        engagement.clone(),
        feedback,
    ];
    for side in ["p", "d"] {
        for change in history[side]["stageHistory"]["nodes"].as_array().unwrap() {
            ids.push(change["id"].clone());
        }
    }
    World {
        ids,
        account,
        stakeholder,
        opportunity,
        content,
        engagement,
    }
}

/// Every object of `value` that has an ID, by ID (each place it shows), below the top.
fn records(value: &Value, depth: usize, out: &mut BTreeMap<String, Vec<Value>>) {
    match value {
        Value::Object(map) => {
            if depth > 0
                && let Some(Value::String(id)) = map.get("id")
            {
                out.entry(id.clone()).or_default().push(value.clone());
            }
            map.values().for_each(|v| records(v, depth + 1, out));
        }
        Value::Array(items) => items.iter().for_each(|v| records(v, depth, out)),
        _ => {}
    }
}

/// What `token` reaches through the edges of every record of the world (one record a request:
/// all the edges of one record cost well inside the limit, of many not): every error must be
/// FORBIDDEN (a refused non-null edge), never anything else.
async fn walk(app: &TestApp, token: &str, world: &World) -> BTreeMap<String, Vec<Value>> {
    let query = format!("query($id: ID!) {{ node(id: $id) {{ {REF} {} }} }}", edges());
    let mut found = BTreeMap::new();
    for id in &world.ids {
        let body = app.gql_as(Some(token), &query, json!({ "id": id })).await;
        for error in body["errors"].as_array().into_iter().flatten() {
            assert_eq!(error["extensions"]["code"], "FORBIDDEN", "{error}");
        }
        records(&body["data"], 0, &mut found);
    }
    found
}

/// The IDs among `ids` that `node(id:)` refuses `token` (answers null).
async fn refused_by_id(app: &TestApp, token: &str, ids: &[&String]) -> BTreeSet<String> {
    let body = app
        .gql_as(
            Some(token),
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": ids }),
        )
        .await;
    ids.iter()
        .zip(
            body["data"]["nodes"]
                .as_array()
                .unwrap_or_else(|| panic!("{body}")),
        )
        .filter(|(_, node)| node.is_null())
        .map(|(id, _)| (*id).clone())
        .collect()
}

async fn token_with_grants(app: &TestApp, name: &str, grants: &[(&str, &str)]) -> String {
    let grants: Vec<Value> = grants
        .iter()
        .map(|(permission, scope)| json!({ "permission": permission, "scope": scope }))
        .collect();
    let role = app
        .data(
            "mutation($n: String!, $g: [GrantInput!]!) { createRole(input: { name: $n, grants: $g }) { role { id } } }",
            json!({ "n": name, "g": grants }),
        )
        .await["createRole"]["role"]["id"]
        .clone();
    let email = format!("{name}@example.com");
    app.data(
        "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }",
        json!({ "i": { "email": email, "displayName": name, "roleId": role, "password": PASSWORD } }),
    )
    .await;
    app.login(&email, PASSWORD).await
}

const READS: &[&str] = &[
    "account.read",
    "stakeholder.read",
    "opportunity.read",
    "content.read",
    "engagement.read",
];

/// Every read at ALL, except `permission`: at OWN when `own`, else not granted.
fn reads_but(permission: &str, own: bool) -> Vec<(&'static str, &'static str)> {
    READS
        .iter()
        .filter(|p| own || **p != permission)
        .map(|p| (*p, if *p == permission { "OWN" } else { "ALL" }))
        .collect()
}

async fn no_edge_shows_what_the_read_by_id_refuses(app: TestApp) {
    let world = world(&app).await;
    let everything = walk(&app, &app.admin_token, &world).await;
    for id in [
        &world.account,
        &world.stakeholder,
        &world.opportunity,
        &world.content,
        &world.engagement,
    ] {
        let id = id.as_str().unwrap();
        assert!(
            everything.contains_key(id),
            "the admin reaches {id} through an edge"
        );
    }

    let viewer_role = app.role_id("viewer").await;
    let api_token = app
        .data(
            "mutation($r: ID!) { createApiToken(input: { name: \"edges\", roleId: $r }) { token } }",
            json!({ "r": viewer_role }),
        )
        .await["createApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    // (caller, its token, the record of the world it must be refused by ID)
    let mut callers = vec![
        ("viewer", app.user_with_role("viewer").await.1, None),
        ("sales", app.user_with_role("sales").await.1, None),
        ("viewer API token", api_token, None),
    ];
    for (name, permission, own, hidden) in [
        ("account_own", "account.read", true, &world.account),
        ("no_account", "account.read", false, &world.account),
        ("stakeholder_own", "stakeholder.read", true, &world.stakeholder),
        ("no_stakeholder", "stakeholder.read", false, &world.stakeholder),
        ("opportunity_own", "opportunity.read", true, &world.opportunity),
        ("no_opportunity", "opportunity.read", false, &world.opportunity),
        ("content_own", "content.read", true, &world.content),
        ("no_content", "content.read", false, &world.content),
        ("no_engagement", "engagement.read", false, &world.engagement),
    ] {
        let token = token_with_grants(&app, name, &reads_but(permission, own)).await;
        callers.push((name, token, Some(hidden.as_str().unwrap().to_owned())));
    }

    let mut leaks = Vec::new();
    for (name, token, hidden) in &callers {
        let reached = walk(&app, token, &world).await;
        assert!(!reached.is_empty(), "{name} reads the world through some edges");
        if let Some(hidden) = hidden {
            let all: Vec<&String> = everything.keys().collect();
            let refused = refused_by_id(&app, token, &all).await;
            assert!(refused.contains(hidden), "{name} is refused {hidden} by ID");
        }
        let ids: Vec<&String> = reached.keys().collect();
        for id in refused_by_id(&app, token, &ids).await {
            for record in &reached[&id] {
                let public_profile = record["__typename"] == "User"
                    && ["email", "active", "lastLoginAt", "role"]
                        .iter()
                        .all(|field| record[field].is_null());
                if !public_profile {
                    leaks.push(format!("{name} reaches {record}"));
                }
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "edges show what node(id:) refuses:\n{}",
        leaks.join("\n")
    );
}

on_both_stores!(no_edge_shows_what_the_read_by_id_refuses);
