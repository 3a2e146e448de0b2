//! Deal intelligence: committee coverage and its setting, recommendations (what is never
//! recommended, the reasons, the score, the order, the statements a deal room costs), and the
//! helpers that build small deals through the API. `influence` checks `contentInfluence` on
//! a known case and against a recount of a random history, `access` permissions and bad input.

mod access;
mod influence;

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, first_code, on_both_stores},
    opportunity::{account, deal},
};

pub const COVERAGE: &str = "query($id: ID!, $days: Int) { node(id: $id) { ... on Opportunity {
  coverage(engagedWithinDays: $days) { roles { role participants { stakeholder { firstName } } engaged lastEngagedAt }
    missingRoles unengagedRoles coveredShare } } } }";
pub const DEAL_RECOMMENDATIONS: &str = "query($id: ID!, $first: Int) { node(id: $id) { ... on Opportunity {
  recommendations(first: $first) { stakeholder { firstName } content { title } score reasons } } } }";
pub const PERSON_RECOMMENDATIONS: &str = "query($id: ID!, $deal: ID, $first: Int) { node(id: $id) { ... on Stakeholder {
  recommendations(opportunityId: $deal, first: $first) { stakeholder { firstName } content { title } score reasons } } } }";

/// A new stakeholder with a buying role (and a persona); their id.
pub async fn person_as(
    app: &TestApp,
    token: &str,
    account: &str,
    name: &str,
    role: &str,
    persona: Option<&str>,
) -> String {
    let data = app
        .data_as(
            Some(token),
            "mutation($a: ID!, $f: String!, $r: BuyingRole, $p: ID) { createStakeholder(input: { accountId: $a, firstName: $f, lastName: \"Doe\", buyingRole: $r, personaId: $p }) { stakeholder { id } userErrors { field code } } }",
            json!({ "a": account, "f": name, "r": role, "p": persona }),
        )
        .await;
    data["createStakeholder"]["stakeholder"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{data}"))
        .to_owned()
}

pub async fn person(app: &TestApp, account: &str, name: &str, role: &str, persona: Option<&str>) -> String {
    person_as(app, &app.admin_token, account, name, role, persona).await
}

pub async fn persona(app: &TestApp, name: &str) -> String {
    let data = app
        .data(
            "mutation($n: String!) { createPersona(input: { name: $n }) { persona { id } } }",
            json!({ "n": name }),
        )
        .await;
    data["createPersona"]["persona"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Puts a person on a deal in a role; the participant's id.
pub async fn join(app: &TestApp, deal: &str, person: &str, role: Option<&str>) -> String {
    let data = app
        .data(
            "mutation($i: AddDealParticipantInput!) { addDealParticipant(input: $i) { participant { id } userErrors { field code } } }",
            json!({ "i": { "opportunityId": deal, "stakeholderId": person, "role": role } }),
        )
        .await;
    data["addDealParticipant"]["participant"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{data}"))
        .to_owned()
}

pub async fn move_buyer(app: &TestApp, participant: &str, to: &str) {
    let data = app
        .data(
            "mutation($p: ID!, $to: BuyingStage!) { moveBuyingStage(input: { participantId: $p, to: $to }) { userErrors { code } } }",
            json!({ "p": participant, "to": to }),
        )
        .await;
    assert_eq!(data["moveBuyingStage"]["userErrors"], json!([]));
}

/// A draft with these tags (`{ buyingRoles, buyingStages, personaIds, competitors }`); its id.
pub async fn draft_as(app: &TestApp, token: &str, title: &str, kind: &str, tags: Value) -> String {
    let mut input = json!({ "title": title, "kind": kind });
    if let (Some(input), Some(tags)) = (input.as_object_mut(), tags.as_object()) {
        input.extend(tags.clone());
    }
    let data = app
        .data_as(
            Some(token),
            "mutation($i: CreateContentInput!) { createContent(input: $i) { content { id } userErrors { field code } } }",
            json!({ "i": input }),
        )
        .await;
    data["createContent"]["content"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{data}"))
        .to_owned()
}

pub async fn publish_as(app: &TestApp, token: &str, id: &str) {
    let data = app
        .data_as(
            Some(token),
            "mutation($id: ID!) { publishContent(input: { id: $id }) { userErrors { code } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(data["publishContent"]["userErrors"], json!([]));
}

/// Published content with these tags; its id.
pub async fn content(app: &TestApp, title: &str, kind: &str, tags: Value) -> String {
    let id = draft_as(app, &app.admin_token, title, kind, tags).await;
    publish_as(app, &app.admin_token, &id).await;
    id
}

/// Records a touch (`at` in the past, or now); with content and a deal when given.
pub async fn touch(app: &TestApp, person: &str, content: Option<&str>, deal: Option<&str>, days_ago: i64) {
    let at = (Utc::now() - Duration::days(days_ago)).to_rfc3339();
    let data = app
        .data(
            "mutation($i: RecordEngagementInput!) { recordEngagement(input: $i) { userErrors { field code } } }",
            json!({ "i": { "stakeholderId": person, "kind": "CONTENT_VIEWED", "contentId": content, "opportunityId": deal, "occurredAt": at } }),
        )
        .await;
    assert_eq!(data["recordEngagement"]["userErrors"], json!([]), "{data}");
}

/// Raises a risk on a deal, answered by `answer`; its id.
pub async fn risk(
    app: &TestApp,
    deal: &str,
    kind: &str,
    competitor: Option<&str>,
    answer: Option<&str>,
) -> String {
    let data = app
        .data(
            "mutation($i: RaiseDealRiskInput!) { raiseDealRisk(input: $i) { risk { id } userErrors { field code } } }",
            json!({ "i": { "opportunityId": deal, "kind": kind, "competitor": competitor, "answeredById": answer } }),
        )
        .await;
    data["raiseDealRisk"]["risk"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{data}"))
        .to_owned()
}

/// (first name, title, score, reasons) of each recommendation, in order.
pub fn listed(recommendations: &Value) -> Vec<(String, String, i64, Vec<String>)> {
    recommendations
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {recommendations}"))
        .iter()
        .map(|r| {
            (
                r["stakeholder"]["firstName"].as_str().unwrap().to_owned(),
                r["content"]["title"].as_str().unwrap().to_owned(),
                r["score"].as_i64().unwrap(),
                r["reasons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

fn rec(name: &str, title: &str, score: i64, reasons: &[&str]) -> (String, String, i64, Vec<String>) {
    (
        name.to_owned(),
        title.to_owned(),
        score,
        reasons.iter().map(|r| (*r).to_owned()).collect(),
    )
}

async fn coverage_tells_missing_silent_and_covered_roles(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let d = deal(&app, json!({ "accountId": acme, "name": "Platform" })).await;
    let dana = person(&app, &acme, "Dana", "DECISION_MAKER", None).await;
    let eve = person(&app, &acme, "Eve", "ECONOMIC_BUYER", None).await;
    let chris = person(&app, &acme, "Chris", "CHAMPION", None).await;
    let cleo = person(&app, &acme, "Cleo", "END_USER", None).await;
    let uma = person(&app, &acme, "Uma", "END_USER", None).await;
    for (p, role) in [
        (&dana, None),
        (&eve, None),
        (&chris, None),
        (&cleo, Some("CHAMPION")),
        (&uma, None),
    ] {
        join(&app, &d, p, role).await;
    }
    touch(&app, &dana, None, None, 0).await;
    touch(&app, &eve, None, Some(&d), 40).await;
    touch(&app, &chris, None, None, 10).await;

    let data = app.data(COVERAGE, json!({ "id": d })).await;
    let c = &data["node"]["coverage"];
    let roles: Vec<&str> = c["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        [
            "DECISION_MAKER",
            "ECONOMIC_BUYER",
            "CHAMPION",
            "TECHNICAL_EVALUATOR",
            "END_USER"
        ],
        "expected roles first, in the setting's order, then the others present"
    );
    assert_eq!(c["missingRoles"], json!(["TECHNICAL_EVALUATOR"]));
    assert_eq!(
        c["unengagedRoles"],
        json!(["ECONOMIC_BUYER"]),
        "Eve's touch is 40 days old"
    );
    assert_eq!(c["coveredShare"], 0.5);
    let champion = &c["roles"][2];
    assert_eq!(
        champion["participants"],
        json!([{ "stakeholder": { "firstName": "Chris" } }, { "stakeholder": { "firstName": "Cleo" } }]),
        "Cleo is CHAMPION on this deal, whatever her own role"
    );
    assert_eq!(champion["engaged"], 1);
    assert!(champion["lastEngagedAt"].is_string());
    assert_eq!(c["roles"][3]["participants"], json!([]));
    assert_eq!(c["roles"][3]["lastEngagedAt"], Value::Null);
    assert_eq!(c["roles"][4]["engaged"], 0);
    assert_eq!(c["roles"][1]["engaged"], 0);
    assert!(
        c["roles"][1]["lastEngagedAt"].is_string(),
        "the last touch, however old"
    );

    // A longer window takes in Eve's touch.
    let data = app.data(COVERAGE, json!({ "id": d, "days": 60 })).await;
    let c = &data["node"]["coverage"];
    assert_eq!(c["unengagedRoles"], json!([]));
    assert_eq!(c["coveredShare"], 0.75);
    assert_eq!(c["roles"][1]["engaged"], 1);

    for days in [0, -1, 3651] {
        let body = app.gql(COVERAGE, json!({ "id": d, "days": days })).await;
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{days}: {body}");
    }
}

async fn the_committee_roles_are_a_setting(app: TestApp) {
    let settings = "{ scoringSettings { committeeRoles } }";
    let data = app.data(settings, json!({})).await;
    assert_eq!(
        data["scoringSettings"]["committeeRoles"],
        json!([
            "DECISION_MAKER",
            "ECONOMIC_BUYER",
            "CHAMPION",
            "TECHNICAL_EVALUATOR"
        ])
    );
    let update = "mutation($r: [BuyingRole!]) { updateScoringSettings(input: { committeeRoles: $r }) {
      settings { committeeRoles mqlThreshold version } userErrors { field code } } }";
    let data = app
        .data(update, json!({ "r": ["END_USER", "CHAMPION", "END_USER"] }))
        .await;
    let payload = &data["updateScoringSettings"];
    assert_eq!(payload["userErrors"], json!([]));
    assert_eq!(
        payload["settings"]["committeeRoles"],
        json!(["END_USER", "CHAMPION"])
    );
    assert_eq!(payload["settings"]["mqlThreshold"], 100, "other settings stay");

    let data = app.data(update, json!({ "r": [] })).await;
    let payload = &data["updateScoringSettings"];
    assert_eq!(payload["settings"], Value::Null);
    assert_eq!(
        payload["userErrors"],
        json!([{ "field": ["committeeRoles"], "code": "INVALID" }])
    );
    let (_, sales) = app.user_with_role("sales").await;
    let body = app
        .gql_as(Some(&sales), update, json!({ "r": ["CHAMPION"] }))
        .await;
    assert_eq!(first_code(&body), "FORBIDDEN", "{body}");

    // Coverage follows the setting.
    let acme = account(&app, "Acme").await;
    let d = deal(&app, json!({ "accountId": acme, "name": "Platform" })).await;
    let chris = person(&app, &acme, "Chris", "CHAMPION", None).await;
    let dana = person(&app, &acme, "Dana", "DECISION_MAKER", None).await;
    join(&app, &d, &chris, None).await;
    join(&app, &d, &dana, None).await;
    touch(&app, &chris, None, None, 1).await;
    let data = app.data(COVERAGE, json!({ "id": d })).await;
    let c = &data["node"]["coverage"];
    let roles: Vec<&str> = c["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["END_USER", "CHAMPION", "DECISION_MAKER"]);
    assert_eq!(c["missingRoles"], json!(["END_USER"]));
    assert_eq!(
        c["unengagedRoles"],
        json!([]),
        "DECISION_MAKER is no longer expected"
    );
    assert_eq!(c["coveredShare"], 0.5);
}

/// A deal with two buyers, an open and a mitigated risk, a competitor, and content of every
/// kind that must or must not be recommended.
async fn recommendations_follow_the_rules_and_their_order(app: TestApp) {
    let cfo = persona(&app, "CFO").await;
    let acme = account(&app, "Acme").await;
    let d = deal(
        &app,
        json!({ "accountId": acme, "name": "Platform", "competitors": ["Globex"] }),
    )
    .await;
    let ann = person(&app, &acme, "Ann", "CHAMPION", Some(&cfo)).await;
    let bob = person(&app, &acme, "Bob", "TECHNICAL_EVALUATOR", None).await;
    let ann_on_deal = join(&app, &d, &ann, None).await;
    join(&app, &d, &bob, None).await;
    move_buyer(&app, &ann_on_deal, "SOLUTION_EXPLORATION").await;

    let answer = content(&app, "Answer", "CASE_STUDY", json!({})).await;
    let battlecard = content(
        &app,
        "Battlecard",
        "BATTLECARD",
        json!({ "competitors": ["globex "] }),
    )
    .await;
    let fit = content(
        &app,
        "Fit",
        "WHITEPAPER",
        json!({ "buyingRoles": ["CHAMPION"], "buyingStages": ["SOLUTION_EXPLORATION"], "personaIds": [cfo] }),
    )
    .await;
    let stage_only = content(
        &app,
        "Stage",
        "BLOG_POST",
        json!({ "buyingStages": ["SOLUTION_EXPLORATION"] }),
    )
    .await;
    let _draft = draft_as(
        &app,
        &app.admin_token,
        "Draft",
        "BLOG_POST",
        json!({ "buyingRoles": ["CHAMPION", "TECHNICAL_EVALUATOR"] }),
    )
    .await;
    let archived = content(
        &app,
        "Archived",
        "BLOG_POST",
        json!({ "buyingRoles": ["CHAMPION"] }),
    )
    .await;
    app.data(
        "mutation($id: ID!) { archiveContent(input: { id: $id }) { userErrors { code } } }",
        json!({ "id": archived }),
    )
    .await;
    let settled = content(&app, "Settled", "OTHER", json!({})).await;
    let _unrelated = content(
        &app,
        "Unrelated",
        "BLOG_POST",
        json!({ "buyingRoles": ["BLOCKER"], "competitors": ["Initech"] }),
    )
    .await;
    risk(&app, &d, "DO_NOTHING", None, Some(&answer)).await;
    let mitigated = risk(&app, &d, "BUDGET", None, Some(&settled)).await;
    app.data(
        "mutation($id: ID!) { updateDealRisk(input: { id: $id, status: MITIGATED }) { userErrors { code } } }",
        json!({ "id": mitigated }),
    )
    .await;
    // Bob already read the answer: never again to him; he has been sent something.
    touch(&app, &bob, Some(&answer), Some(&d), 3).await;

    let data = app.data(DEAL_RECOMMENDATIONS, json!({ "id": d })).await;
    let expected = vec![
        rec("Ann", "Answer", 40, &["ANSWERS_OPEN_RISK", "NOTHING_SENT_YET"]),
        rec(
            "Ann",
            "Battlecard",
            30,
            &["COMPETITOR_ON_DEAL", "NOTHING_SENT_YET"],
        ),
        rec(
            "Ann",
            "Fit",
            30,
            &["ROLE_MATCH", "STAGE_MATCH", "PERSONA_MATCH", "NOTHING_SENT_YET"],
        ),
        rec("Bob", "Battlecard", 30, &["COMPETITOR_ON_DEAL"]),
        rec("Ann", "Stage", 10, &["STAGE_MATCH", "NOTHING_SENT_YET"]),
    ];
    assert_eq!(listed(&data["node"]["recommendations"]), expected);
    let data = app
        .data(DEAL_RECOMMENDATIONS, json!({ "id": d, "first": 2 }))
        .await;
    assert_eq!(listed(&data["node"]["recommendations"]), expected[..2].to_vec());

    // One person, on this deal or on all of theirs.
    let data = app
        .data(PERSON_RECOMMENDATIONS, json!({ "id": bob, "deal": d }))
        .await;
    assert_eq!(
        listed(&data["node"]["recommendations"]),
        vec![expected[3].clone()]
    );
    let data = app.data(PERSON_RECOMMENDATIONS, json!({ "id": ann })).await;
    let ann_only: Vec<_> = expected.iter().filter(|r| r.0 == "Ann").cloned().collect();
    assert_eq!(listed(&data["node"]["recommendations"]), ann_only);

    // Once Ann has read the fit, it leaves her list, and she is no longer new.
    touch(&app, &ann, Some(&fit), None, 0).await;
    let data = app
        .data(
            PERSON_RECOMMENDATIONS,
            json!({ "id": ann, "deal": d, "first": 5 }),
        )
        .await;
    assert_eq!(
        listed(&data["node"]["recommendations"]),
        vec![
            rec("Ann", "Answer", 40, &["ANSWERS_OPEN_RISK"]),
            rec("Ann", "Battlecard", 30, &["COMPETITOR_ON_DEAL"]),
            rec("Ann", "Stage", 10, &["STAGE_MATCH"]),
        ]
    );
    let _ = (battlecard, stage_only);
}

async fn a_person_on_two_deals_gets_each_content_once(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let one = deal(
        &app,
        json!({ "accountId": acme, "name": "One", "competitors": ["Globex"] }),
    )
    .await;
    let two = deal(&app, json!({ "accountId": acme, "name": "Two" })).await;
    let ann = person(&app, &acme, "Ann", "CHAMPION", None).await;
    join(&app, &one, &ann, None).await;
    join(&app, &two, &ann, Some("DECISION_MAKER")).await;
    let card = content(
        &app,
        "Card",
        "BATTLECARD",
        json!({ "competitors": ["Globex"], "buyingRoles": ["DECISION_MAKER"] }),
    )
    .await;
    let data = app.data(PERSON_RECOMMENDATIONS, json!({ "id": ann })).await;
    assert_eq!(
        listed(&data["node"]["recommendations"]),
        vec![rec(
            "Ann",
            "Card",
            40,
            &["COMPETITOR_ON_DEAL", "ROLE_MATCH", "NOTHING_SENT_YET"]
        )],
        "the competitor of one deal and the role on the other"
    );
    let data = app
        .data(PERSON_RECOMMENDATIONS, json!({ "id": ann, "deal": two }))
        .await;
    assert_eq!(
        listed(&data["node"]["recommendations"]),
        vec![rec("Ann", "Card", 10, &["ROLE_MATCH", "NOTHING_SENT_YET"])]
    );
    // A closed deal leaves the person's list unless asked for by id.
    crate::analytics::move_deal(&app, &one, "CLOSED_LOST", Some("NO_BUDGET")).await;
    let data = app.data(PERSON_RECOMMENDATIONS, json!({ "id": ann })).await;
    assert_eq!(listed(&data["node"]["recommendations"]).len(), 1);
    assert_eq!(listed(&data["node"]["recommendations"])[0].2, 10);
    // Asked together at one level, the closed deal's list and the person's open-deal list stay
    // apart.
    let both = "query($d: ID!, $p: ID!) { nodes(ids: [$d, $p]) {
      ... on Opportunity { recommendations { score } } ... on Stakeholder { recommendations { score } } } }";
    let data = app.data(both, json!({ "d": one, "p": ann })).await;
    assert_eq!(data["nodes"][0]["recommendations"], json!([{ "score": 30 }]));
    assert_eq!(data["nodes"][1]["recommendations"], json!([{ "score": 10 }]));
    let _ = card;
}

const DEAL_ROOM: &str = "query($id: ID!) { node(id: $id) { ... on Opportunity { name
  participants { role buyingStage stakeholder { fullName } }
  coverage { roles { role engaged participants { stakeholder { fullName } } } missingRoles unengagedRoles coveredShare }
  recommendations(first: 20) { stakeholder { fullName } content { title kind } score reasons } } } }";

/// A deal with `people` participants in various roles, each with something to be recommended.
async fn deal_room(app: &TestApp, name: &str, people: usize, contents: usize) -> String {
    const ROLES: [&str; 5] = [
        "CHAMPION",
        "DECISION_MAKER",
        "END_USER",
        "INFLUENCER",
        "ECONOMIC_BUYER",
    ];
    let a = account(app, name).await;
    let d = deal(
        app,
        json!({ "accountId": a, "name": name, "competitors": ["Globex"] }),
    )
    .await;
    for i in 0..people {
        let p = person(app, &a, &format!("P{i}"), ROLES[i % ROLES.len()], None).await;
        join(app, &d, &p, None).await;
        if i % 2 == 0 {
            touch(app, &p, None, None, 1).await;
        }
    }
    for i in 0..contents {
        let roles = [ROLES[i % ROLES.len()]];
        let c = content(
            app,
            &format!("{name} C{i}"),
            "BLOG_POST",
            json!({ "buyingRoles": roles, "competitors": ["Globex"] }),
        )
        .await;
        if i == 0 {
            risk(app, &d, "DO_NOTHING", None, Some(&c)).await;
        }
    }
    d
}

async fn a_deal_room_costs_the_same_statements_whatever_its_size(app: TestApp) {
    let small = deal_room(&app, "Small", 3, 2).await;
    let large = deal_room(&app, "Large", 15, 12).await;
    let data = app.data(DEAL_ROOM, json!({ "id": large })).await;
    assert_eq!(data["node"]["participants"].as_array().unwrap().len(), 15);
    assert_eq!(data["node"]["recommendations"].as_array().unwrap().len(), 20);
    let at_small = app.statements_for(DEAL_ROOM, json!({ "id": small })).await;
    let at_large = app.statements_for(DEAL_ROOM, json!({ "id": large })).await;
    assert_eq!(
        at_small, at_large,
        "the statements do not grow with participants or content"
    );
    // The node, its participants with their people (one statement), the setting, the latest
    // touches, six for the recommendations, the people one level down for the recommendations
    // and the content.
    assert_eq!(at_large, 12);
}

on_both_stores!(
    coverage_tells_missing_silent_and_covered_roles,
    the_committee_roles_are_a_setting,
    recommendations_follow_the_rules_and_their_order,
    a_person_on_two_deals_gets_each_content_once,
    a_deal_room_costs_the_same_statements_whatever_its_size,
);
