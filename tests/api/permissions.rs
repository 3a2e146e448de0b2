//! The permission matrix: every operation so far, tried by every built-in role, an API token
//! and an anonymous caller. The expected table is written out here, not derived from the grants
//! the server uses, so a wrong grant fails the test.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{PASSWORD, TestApp, first_code, on_both_stores};

/// Y: allowed; N: FORBIDDEN; U: UNAUTHENTICATED.
/// Columns: admin, marketing, sales, sales_manager, viewer (user), viewer API token, anonymous.
const EXPECTED: &[(&str, &str)] = &[
    ("personas", "YYYYYYU"),
    ("permissionCatalog", "YYYYYYU"),
    ("viewer", "YYYYYYU"),
    ("createPersona", "YYNNNNU"),
    ("updatePersona", "YYNNNNU"),
    ("users", "YNNNNNU"),
    ("createUser", "YNNNNNU"),
    ("updateUser", "YNNNNNU"),
    ("deactivateUser", "YNNNNNU"),
    ("roles", "YNNNNNU"),
    ("createRole", "YNNNNNU"),
    ("updateRole", "YNNNNNU"),
    ("deleteRole", "YNNNNNU"),
    ("apiTokens", "YNNNNNU"),
    ("createApiToken", "YNNNNNU"),
    ("revokeApiToken", "YNNNNNU"),
    ("accounts", "YYYYYYU"),
    ("createAccount", "YYYYNNU"),
    ("updateAccount", "YYYYNNU"),
    ("archiveAccount", "YNNNNNU"),
    ("stakeholders", "YYYYYYU"),
    ("createStakeholder", "YYYYNNU"),
    ("updateStakeholder", "YYYYNNU"),
    ("archiveStakeholder", "YNNNNNU"),
    // Deals made by the admin: sales hold update and deal.manage only on their own deals.
    ("opportunities", "YYYYYYU"),
    ("createOpportunity", "YNYYNNU"),
    ("updateOpportunity", "YNNYNNU"),
    ("archiveOpportunity", "YNNYNNU"),
    ("addDealParticipant", "YNNYNNU"),
    ("raiseDealRisk", "YNNYNNU"),
    ("contents", "YYYYYYU"),
    ("createContent", "YYNNNNU"),
    ("updateContent", "YYNNNNU"),
    ("publishContent", "YYNNNNU"),
    ("archiveContent", "YYNNNNU"),
    ("engagements", "YYYYYYU"),
    ("stageHistory", "YYYYYYU"),
    // Viewers hold every `.read`, audit.read too (the log redacts contact fields).
    ("auditLog", "YNNNYYU"),
    ("leadFunnel", "YYYYYYU"),
    ("dealFunnel", "YYYYYYU"),
    ("leadSourceQuality", "YYYYYYU"),
    ("handoffPerformance", "YYYYYYU"),
    ("scoringRules", "YYNNNNU"),
    ("scoringSettings", "YYNNNNU"),
    ("createScoringRule", "YYNNNNU"),
    ("updateScoringRule", "YYNNNNU"),
    ("deleteScoringRule", "YYNNNNU"),
    ("updateScoringSettings", "YYNNNNU"),
    ("recordEngagement", "YYYYNNU"),
    ("shareContent", "YYYYNNU"),
    ("recordLeadFeedback", "YNYYNNU"),
    // A new lead qualified by marketing; an MQL accepted by sales.
    ("moveLeadStage:qualify", "YYNNNNU"),
    ("moveLeadStage:accept", "YNYYNNU"),
    // On the admin's deal: sales hold these only on their own.
    ("moveOpportunityStage", "YNNYNNU"),
    ("updateDealParticipant", "YNNYNNU"),
    ("removeDealParticipant", "YNNYNNU"),
    ("moveBuyingStage", "YNNYNNU"),
    ("updateDealRisk", "YNNYNNU"),
    // Rows that create: the create permission of each type decides.
    ("upsertAccounts", "YYYYNNU"),
    ("upsertStakeholders", "YYYYNNU"),
    ("upsertOpportunities", "YNYYNNU"),
    ("reactivateUser", "YNNNNNU"),
    ("rotateApiToken", "YNNNNNU"),
    // Marketing lists whom it may hand an MQL to.
    ("assignableOwners", "YYNNNNU"),
];

/// A deal made by the admin with one participant and one risk: (deal, person, participant, risk).
/// A person made by the admin at a new account, on no deal: (account, person).
async fn admin_person(app: &TestApp) -> (Value, Value) {
    let account = app
        .data(
            "mutation($n: String!) { createAccount(input: { name: $n }) { account { id } } }",
            json!({ "n": unique("a") }),
        )
        .await["createAccount"]["account"]["id"]
        .clone();
    let person = app
        .data("mutation($a: ID!) { createStakeholder(input: { accountId: $a, firstName: \"A\", lastName: \"B\" }) { stakeholder { id } } }", json!({ "a": account }))
        .await["createStakeholder"]["stakeholder"]["id"]
        .clone();
    (account, person)
}

async fn admin_deal(app: &TestApp) -> (Value, Value, Value, Value) {
    let (account, person) = admin_person(app).await;
    let deal = app
        .data("mutation($a: ID!) { createOpportunity(input: { accountId: $a, name: \"D\" }) { opportunity { id } } }", json!({ "a": account }))
        .await["createOpportunity"]["opportunity"]["id"]
        .clone();
    let participant = app
        .data("mutation($d: ID!, $p: ID!) { addDealParticipant(input: { opportunityId: $d, stakeholderId: $p }) { participant { id } } }", json!({ "d": deal, "p": person }))
        .await["addDealParticipant"]["participant"]["id"]
        .clone();
    let risk = app
        .data("mutation($d: ID!, $p: ID!) { raiseDealRisk(input: { opportunityId: $d, kind: TIMING, raisedById: $p }) { risk { id } } }", json!({ "d": deal, "p": person }))
        .await["raiseDealRisk"]["risk"]["id"]
        .clone();
    (deal, person, participant, risk)
}

/// A published content made by the admin.
async fn admin_content(app: &TestApp) -> Value {
    let id = app
        .data(
            "mutation { createContent(input: { title: \"T\", kind: EBOOK }) { content { id } } }",
            json!({}),
        )
        .await["createContent"]["content"]["id"]
        .clone();
    app.data(
        "mutation($id: ID!) { publishContent(input: { id: $id }) { userErrors { code } } }",
        json!({ "id": id }),
    )
    .await;
    id
}

/// The operations added to the matrix with the analytics, scoring, touches and moves.
async fn attempt_more(app: &TestApp, operation: &str, token: Option<&str>) -> Option<char> {
    let period = json!({ "from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z" });
    let (query, vars): (&str, Value) = match operation {
        "stageHistory" => ("{ stageHistory(first: 1) { totalCount } }", json!({})),
        "auditLog" => ("{ auditLog(first: 1) { totalCount } }", json!({})),
        "leadFunnel" => (
            "query($i: LeadFunnelInput!) { leadFunnel(input: $i) { __typename } }",
            json!({ "i": period }),
        ),
        "dealFunnel" => (
            "query($i: DealFunnelInput!) { dealFunnel(input: $i) { __typename } }",
            json!({ "i": period }),
        ),
        "leadSourceQuality" => (
            "query($i: LeadSourceQualityInput!) { leadSourceQuality(input: $i) { __typename } }",
            json!({ "i": period }),
        ),
        "handoffPerformance" => (
            "query($i: HandoffPerformanceInput!) { handoffPerformance(input: $i) { __typename } }",
            json!({ "i": period }),
        ),
        "upsertAccounts" => (
            "mutation($k: String!) { upsertAccounts(input: { rows: [{ externalId: $k, name: \"A\" }] }) { userErrors { code } } }",
            json!({ "k": unique("a") }),
        ),
        "upsertStakeholders" | "upsertOpportunities" => {
            let (account, _) = admin_person(app).await;
            let query = if operation == "upsertStakeholders" {
                "mutation($a: ID!, $k: String!) { upsertStakeholders(input: { rows: [{ externalId: $k, accountId: $a, firstName: \"A\", lastName: \"B\" }] }) { userErrors { code } } }"
            } else {
                "mutation($a: ID!, $k: String!) { upsertOpportunities(input: { rows: [{ externalId: $k, accountId: $a, name: \"D\" }] }) { userErrors { code } } }"
            };
            (query, json!({ "a": account, "k": unique("k") }))
        }
        "scoringRules" => ("{ scoringRules(first: 1) { totalCount } }", json!({})),
        "scoringSettings" => ("{ scoringSettings { mqlThreshold } }", json!({})),
        "createScoringRule" => (
            "mutation($n: String!) { createScoringRule(input: { name: $n, points: 3 }) { userErrors { code } } }",
            json!({ "n": unique("r") }),
        ),
        "updateScoringRule" | "deleteScoringRule" => {
            let id = app
                .data(
                    "mutation($n: String!) { createScoringRule(input: { name: $n, points: 3 }) { rule { id } } }",
                    json!({ "n": unique("r") }),
                )
                .await["createScoringRule"]["rule"]["id"]
                .clone();
            let query = if operation == "updateScoringRule" {
                "mutation($id: ID!) { updateScoringRule(input: { id: $id, points: 4 }) { userErrors { code } } }"
            } else {
                "mutation($id: ID!) { deleteScoringRule(input: { id: $id }) { userErrors { code } } }"
            };
            (query, json!({ "id": id }))
        }
        "updateScoringSettings" => (
            "mutation { updateScoringSettings(input: { handoffSlaHours: 24 }) { userErrors { code } } }",
            json!({}),
        ),
        "recordEngagement"
        | "shareContent"
        | "recordLeadFeedback"
        | "moveLeadStage:qualify"
        | "moveLeadStage:accept" => {
            // A person on no deal: a participant's lead moves along with the deal.
            let (_, person) = admin_person(app).await;
            match operation {
                "recordEngagement" => (
                    "mutation($p: ID!) { recordEngagement(input: { stakeholderId: $p, kind: EMAIL_OPENED }) { userErrors { code } } }",
                    json!({ "p": person }),
                ),
                "shareContent" => (
                    "mutation($c: ID!, $p: ID!) { shareContent(input: { contentId: $c, stakeholderIds: [$p] }) { userErrors { code } } }",
                    json!({ "c": admin_content(app).await, "p": person }),
                ),
                "recordLeadFeedback" => (
                    "mutation($p: ID!) { recordLeadFeedback(input: { stakeholderId: $p, rating: GOOD }) { userErrors { code } } }",
                    json!({ "p": person }),
                ),
                "moveLeadStage:qualify" => (
                    "mutation($p: ID!) { moveLeadStage(input: { stakeholderId: $p, to: MQL }) { userErrors { code } } }",
                    json!({ "p": person }),
                ),
                _ => {
                    let to_mql = "mutation($p: ID!) { moveLeadStage(input: { stakeholderId: $p, to: MQL }) { userErrors { code } } }";
                    let moved = app.data(to_mql, json!({ "p": person })).await;
                    assert_eq!(moved["moveLeadStage"]["userErrors"], json!([]), "{moved}");
                    (
                        "mutation($p: ID!) { moveLeadStage(input: { stakeholderId: $p, to: SAL }) { userErrors { code } } }",
                        json!({ "p": person }),
                    )
                }
            }
        }
        "moveOpportunityStage"
        | "updateDealParticipant"
        | "removeDealParticipant"
        | "moveBuyingStage"
        | "updateDealRisk" => {
            let (deal, _, participant, risk) = admin_deal(app).await;
            match operation {
                "moveOpportunityStage" => (
                    "mutation($id: ID!) { moveOpportunityStage(input: { opportunityId: $id, to: QUALIFICATION }) { userErrors { code } } }",
                    json!({ "id": deal }),
                ),
                "updateDealParticipant" => (
                    "mutation($id: ID!) { updateDealParticipant(input: { id: $id, role: CHAMPION }) { userErrors { code } } }",
                    json!({ "id": participant }),
                ),
                "removeDealParticipant" => (
                    "mutation($id: ID!) { removeDealParticipant(input: { id: $id }) { userErrors { code } } }",
                    json!({ "id": participant }),
                ),
                "moveBuyingStage" => (
                    "mutation($id: ID!) { moveBuyingStage(input: { participantId: $id, to: SOLUTION_EXPLORATION }) { userErrors { code } } }",
                    json!({ "id": participant }),
                ),
                _ => (
                    "mutation($id: ID!) { updateDealRisk(input: { id: $id, severity: HIGH }) { userErrors { code } } }",
                    json!({ "id": risk }),
                ),
            }
        }
        _ => return None,
    };
    Some(outcome(app, operation, token, query, vars).await)
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", Uuid::now_v7().simple())
}

/// Runs `operation` as the holder of `token` and returns Y, N or U. Targets (a user to
/// deactivate, a role to delete...) are made fresh by the admin for every attempt.
async fn attempt(app: &TestApp, operation: &str, token: Option<&str>, viewer_role: &str) -> char {
    if let Some(got) = attempt_more(app, operation, token).await {
        return got;
    }
    let (query, vars): (&str, Value) = match operation {
        "personas" => ("{ personas(first: 1) { totalCount } }", json!({})),
        "permissionCatalog" => ("{ permissionCatalog { permission } }", json!({})),
        "viewer" => ("{ viewer { role { name } } }", json!({})),
        "createPersona" => (
            "mutation($n: String!) { createPersona(input: { name: $n }) { userErrors { code } } }",
            json!({ "n": unique("p") }),
        ),
        "updatePersona" => {
            let id = app
                .data(
                    "mutation($n: String!) { createPersona(input: { name: $n }) { persona { id } } }",
                    json!({ "n": unique("p") }),
                )
                .await["createPersona"]["persona"]["id"]
                .clone();
            (
                "mutation($id: ID!, $n: String!) { updatePersona(input: { id: $id, name: $n }) { userErrors { code } } }",
                json!({ "id": id, "n": unique("p") }),
            )
        }
        "users" => ("{ users(first: 1) { totalCount } }", json!({})),
        "createUser" => (
            "mutation($i: CreateUserInput!) { createUser(input: $i) { userErrors { code } } }",
            json!({ "i": { "email": format!("{}@example.com", unique("u")), "displayName": "U", "roleId": viewer_role, "password": PASSWORD } }),
        ),
        "reactivateUser" => {
            let (id, _) = app.user_with_role("viewer").await;
            app.data(
                "mutation($id: ID!) { deactivateUser(input: { id: $id }) { userErrors { code } } }",
                json!({ "id": id }),
            )
            .await;
            (
                "mutation($id: ID!) { reactivateUser(input: { id: $id }) { userErrors { code } } }",
                json!({ "id": id }),
            )
        }
        "assignableOwners" => ("{ assignableOwners { id displayName } }", json!({})),
        "updateUser" | "deactivateUser" => {
            let (id, _) = app.user_with_role("viewer").await;
            if operation == "updateUser" {
                (
                    "mutation($id: ID!) { updateUser(input: { id: $id, displayName: \"New\" }) { userErrors { code } } }",
                    json!({ "id": id }),
                )
            } else {
                (
                    "mutation($id: ID!) { deactivateUser(input: { id: $id }) { userErrors { code } } }",
                    json!({ "id": id }),
                )
            }
        }
        "roles" => ("{ roles(first: 1) { totalCount } }", json!({})),
        "createRole" => (
            "mutation($n: String!) { createRole(input: { name: $n, grants: [] }) { userErrors { code } } }",
            json!({ "n": unique("r") }),
        ),
        "updateRole" | "deleteRole" => {
            let id = app
                .data(
                    "mutation($n: String!) { createRole(input: { name: $n, grants: [] }) { role { id } } }",
                    json!({ "n": unique("r") }),
                )
                .await["createRole"]["role"]["id"]
                .clone();
            if operation == "updateRole" {
                (
                    "mutation($id: ID!) { updateRole(input: { id: $id, description: \"d\" }) { userErrors { code } } }",
                    json!({ "id": id }),
                )
            } else {
                (
                    "mutation($id: ID!) { deleteRole(input: { id: $id }) { userErrors { code } } }",
                    json!({ "id": id }),
                )
            }
        }
        "apiTokens" => ("{ apiTokens(first: 1) { totalCount } }", json!({})),
        // Live token names are unique: every attempt names its own.
        "createApiToken" => (
            "mutation($r: ID!, $n: String!) { createApiToken(input: { name: $n, roleId: $r }) { userErrors { code } } }",
            json!({ "r": viewer_role, "n": unique("t") }),
        ),
        "revokeApiToken" | "rotateApiToken" => {
            let id = app
                .data("mutation($r: ID!, $n: String!) { createApiToken(input: { name: $n, roleId: $r }) { apiToken { id } } }", json!({ "r": viewer_role, "n": unique("t") }))
                .await["createApiToken"]["apiToken"]["id"]
                .clone();
            (
                if operation == "revokeApiToken" {
                    "mutation($id: ID!) { revokeApiToken(input: { id: $id }) { userErrors { code } } }"
                } else {
                    "mutation($id: ID!) { rotateApiToken(input: { id: $id }) { userErrors { code } } }"
                },
                json!({ "id": id }),
            )
        }
        "accounts" => (
            "{ accounts(first: 1) { totalCount nodes { name owner { id } } } }",
            json!({}),
        ),
        "createAccount" => (
            "mutation($n: String!) { createAccount(input: { name: $n }) { userErrors { code } } }",
            json!({ "n": unique("a") }),
        ),
        "updateAccount" | "archiveAccount" => {
            let id = app
                .data(
                    "mutation($n: String!) { createAccount(input: { name: $n }) { account { id } } }",
                    json!({ "n": unique("a") }),
                )
                .await["createAccount"]["account"]["id"]
                .clone();
            if operation == "updateAccount" {
                (
                    "mutation($id: ID!) { updateAccount(input: { id: $id, industry: \"Retail\" }) { userErrors { code } } }",
                    json!({ "id": id }),
                )
            } else {
                (
                    "mutation($id: ID!) { archiveAccount(input: { id: $id }) { userErrors { code } } }",
                    json!({ "id": id }),
                )
            }
        }
        "stakeholders" => (
            "{ stakeholders(first: 1) { totalCount nodes { fullName } } }",
            json!({}),
        ),
        "createStakeholder" | "updateStakeholder" | "archiveStakeholder" => {
            let account = app
                .data(
                    "mutation($n: String!) { createAccount(input: { name: $n }) { account { id } } }",
                    json!({ "n": unique("a") }),
                )
                .await["createAccount"]["account"]["id"]
                .clone();
            if operation == "createStakeholder" {
                (
                    "mutation($a: ID!) { createStakeholder(input: { accountId: $a, firstName: \"A\", lastName: \"B\" }) { userErrors { code } } }",
                    json!({ "a": account }),
                )
            } else {
                let id = app
                    .data("mutation($a: ID!) { createStakeholder(input: { accountId: $a, firstName: \"A\", lastName: \"B\" }) { stakeholder { id } } }", json!({ "a": account }))
                    .await["createStakeholder"]["stakeholder"]["id"]
                    .clone();
                if operation == "updateStakeholder" {
                    (
                        "mutation($id: ID!) { updateStakeholder(input: { id: $id, title: \"VP\" }) { userErrors { code } } }",
                        json!({ "id": id }),
                    )
                } else {
                    (
                        "mutation($id: ID!) { archiveStakeholder(input: { id: $id }) { userErrors { code } } }",
                        json!({ "id": id }),
                    )
                }
            }
        }
        "opportunities" => (
            "{ opportunities(first: 1) { totalCount nodes { name owner { id } participants { role } } } }",
            json!({}),
        ),
        "contents" => (
            "{ contents(first: 1) { totalCount nodes { title topics } } }",
            json!({}),
        ),
        "engagements" => (
            "{ engagements(first: 1) { totalCount nodes { kind } } }",
            json!({}),
        ),
        "createContent" => (
            "mutation { createContent(input: { title: \"T\", kind: EBOOK }) { userErrors { code } } }",
            json!({}),
        ),
        "updateContent" | "publishContent" | "archiveContent" => {
            let id = app
                .data(
                    "mutation { createContent(input: { title: \"T\", kind: EBOOK }) { content { id } } }",
                    json!({}),
                )
                .await["createContent"]["content"]["id"]
                .clone();
            let query = match operation {
                "updateContent" => {
                    "mutation($id: ID!) { updateContent(input: { id: $id, topics: [\"ai\"] }) { userErrors { code } } }"
                }
                "publishContent" => {
                    "mutation($id: ID!) { publishContent(input: { id: $id }) { userErrors { code } } }"
                }
                _ => "mutation($id: ID!) { archiveContent(input: { id: $id }) { userErrors { code } } }",
            };
            (query, json!({ "id": id }))
        }
        "createOpportunity" | "updateOpportunity" | "archiveOpportunity" | "addDealParticipant"
        | "raiseDealRisk" => {
            let account = app
                .data(
                    "mutation($n: String!) { createAccount(input: { name: $n }) { account { id } } }",
                    json!({ "n": unique("a") }),
                )
                .await["createAccount"]["account"]["id"]
                .clone();
            if operation == "createOpportunity" {
                return outcome(app, operation, token, "mutation($a: ID!) { createOpportunity(input: { accountId: $a, name: \"D\" }) { userErrors { code } } }", json!({ "a": account })).await;
            }
            let deal = app
                .data("mutation($a: ID!) { createOpportunity(input: { accountId: $a, name: \"D\" }) { opportunity { id } } }", json!({ "a": account }))
                .await["createOpportunity"]["opportunity"]["id"]
                .clone();
            let person = app
                .data("mutation($a: ID!) { createStakeholder(input: { accountId: $a, firstName: \"A\", lastName: \"B\" }) { stakeholder { id } } }", json!({ "a": account }))
                .await["createStakeholder"]["stakeholder"]["id"]
                .clone();
            let query = match operation {
                "updateOpportunity" => {
                    "mutation($id: ID!) { updateOpportunity(input: { id: $id, name: \"E\" }) { userErrors { code } } }"
                }
                "archiveOpportunity" => {
                    "mutation($id: ID!) { archiveOpportunity(input: { id: $id }) { userErrors { code } } }"
                }
                "addDealParticipant" => {
                    "mutation($id: ID!, $p: ID!) { addDealParticipant(input: { opportunityId: $id, stakeholderId: $p }) { userErrors { code } } }"
                }
                _ => {
                    "mutation($id: ID!, $p: ID!) { raiseDealRisk(input: { opportunityId: $id, kind: TIMING, raisedById: $p }) { userErrors { code } } }"
                }
            };
            let vars = if query.contains("$p") {
                json!({ "id": deal, "p": person })
            } else {
                json!({ "id": deal })
            };
            (query, vars)
        }
        other => panic!("no such operation {other}"),
    };
    outcome(app, operation, token, query, vars).await
}

/// Y when `query` was allowed, N when FORBIDDEN, U when UNAUTHENTICATED.
async fn outcome(app: &TestApp, operation: &str, token: Option<&str>, query: &str, vars: Value) -> char {
    let body = app.gql_as(token, query, vars).await;
    match first_code(&body) {
        "FORBIDDEN" => 'N',
        "UNAUTHENTICATED" => 'U',
        "<no code>" => {
            let data = body["data"].as_object().unwrap();
            let payload = data.values().next().unwrap();
            if let Some(errors) = payload.get("userErrors") {
                assert_eq!(
                    errors,
                    &json!([]),
                    "{operation} was allowed but refused its input: {body}"
                );
            }
            'Y'
        }
        code => panic!("{operation}: unexpected {code}: {body}"),
    }
}

async fn every_role_gets_exactly_its_permissions(app: TestApp) {
    let viewer_role = app.role_id("viewer").await;
    let mut tokens: Vec<Option<String>> = vec![Some(app.admin_token.clone())];
    for role in ["marketing", "sales", "sales_manager", "viewer"] {
        tokens.push(Some(app.user_with_role(role).await.1));
    }
    let api_token = app
        .data(
            "mutation($r: ID!) { createApiToken(input: { name: \"bi\", roleId: $r }) { token } }",
            json!({ "r": viewer_role }),
        )
        .await["createApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    tokens.push(Some(api_token));
    tokens.push(None);

    let mut mismatches = Vec::new();
    for (operation, expected) in EXPECTED {
        let mut got = String::new();
        for token in &tokens {
            got.push(attempt(&app, operation, token.as_deref(), &viewer_role).await);
        }
        if got != *expected {
            mismatches.push(format!("{operation}: expected {expected}, got {got}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "admin,marketing,sales,sales_manager,viewer,token,anonymous\n{}",
        mismatches.join("\n")
    );
}

on_both_stores!(every_role_gets_exactly_its_permissions);

mod edges;
