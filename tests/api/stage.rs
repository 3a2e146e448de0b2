//! Stage moves: the pipeline and the buyers' own stages, their history, their consequences and
//! simultaneous moves of one record.

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, first_code, on_both_stores},
    opportunity::{account, deal, person},
};

const MOVE_DEAL: &str = "mutation($i: MoveOpportunityStageInput!) {
  moveOpportunityStage(input: $i) { opportunity { stage closedAt closeReason probability version } userErrors { field code } }
}";
const MOVE_BUYER: &str = "mutation($i: MoveBuyingStageInput!) {
  moveBuyingStage(input: $i) { participant { buyingStage version } userErrors { field code } }
}";
const ADD: &str = "mutation($o: ID!, $s: ID!) { addDealParticipant(input: { opportunityId: $o, stakeholderId: $s }) { participant { id } userErrors { code } } }";

async fn join(app: &TestApp, deal: &str, person: &str) -> String {
    let data = app.data(ADD, json!({ "o": deal, "s": person })).await;
    data["addDealParticipant"]["participant"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{data}"))
        .to_owned()
}

async fn lead_stage(app: &TestApp, id: &str) -> String {
    let data = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Stakeholder { leadStage } } }",
            json!({ "id": id }),
        )
        .await;
    data["node"]["leadStage"].as_str().unwrap().to_owned()
}

/// The subject's history, newest first, as `from>to` with who and why.
async fn history(app: &TestApp, subject: &str) -> Vec<String> {
    let data = app
        .data(
            "query($s: ID!) { stageHistory(first: 50, filter: { subjectId: $s }) { nodes {
                __typename changedBy { displayName } reasonCode note
                ... on LeadStageChange { leadFrom: from leadTo: to }
                ... on OpportunityStageChange { dealFrom: from dealTo: to }
                ... on BuyingStageChange { buyFrom: from buyTo: to }
            } } }",
            json!({ "s": subject }),
        )
        .await;
    data["stageHistory"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let pick = |a: &str, b: &str, c: &str| {
                n[a].as_str()
                    .or(n[b].as_str())
                    .or(n[c].as_str())
                    .unwrap_or("?")
                    .to_owned()
            };
            format!(
                "{} {}>{} by {} {}",
                n["__typename"].as_str().unwrap(),
                pick("leadFrom", "dealFrom", "buyFrom"),
                pick("leadTo", "dealTo", "buyTo"),
                n["changedBy"]["displayName"].as_str().unwrap_or("-"),
                n["reasonCode"].as_str().unwrap_or("-"),
            )
        })
        .collect()
}

async fn a_deal_moves_through_the_pipeline_and_closing_moves_its_people(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let ana = person(&app, &acme, "Ana").await;
    let ben = person(&app, &acme, "Ben").await;
    let won = deal(&app, json!({ "accountId": acme, "name": "Won deal" })).await;
    let lost = deal(&app, json!({ "accountId": acme, "name": "Lost deal" })).await;
    let other = deal(&app, json!({ "accountId": acme, "name": "Other deal" })).await;
    join(&app, &lost, &ana).await;
    join(&app, &lost, &ben).await;
    join(&app, &other, &ben).await;
    // Joining an open deal made both leads opportunities, automatically.
    assert_eq!(lead_stage(&app, &ana).await, "OPPORTUNITY");
    assert_eq!(
        history(&app, &ana).await,
        vec!["LeadStageChange INQUIRY>OPPORTUNITY by - -"]
    );

    let same = app
        .data(
            MOVE_DEAL,
            json!({ "i": { "opportunityId": lost, "to": "DISCOVERY" } }),
        )
        .await;
    assert_eq!(
        same["moveOpportunityStage"]["userErrors"],
        json!([{ "field": ["to"], "code": "INVALID_TRANSITION" }])
    );
    let proposal = app
        .data(
            MOVE_DEAL,
            json!({ "i": { "opportunityId": lost, "to": "PROPOSAL", "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(proposal["moveOpportunityStage"]["opportunity"]["probability"], 60);
    let no_reason = app
        .data(
            MOVE_DEAL,
            json!({ "i": { "opportunityId": lost, "to": "CLOSED_LOST" } }),
        )
        .await;
    assert_eq!(
        no_reason["moveOpportunityStage"]["userErrors"],
        json!([{ "field": ["reasonCode"], "code": "REASON_REQUIRED" }])
    );
    let closed = app
        .data(MOVE_DEAL, json!({ "i": { "opportunityId": lost, "to": "CLOSED_LOST", "reasonCode": "LOST_TO_COMPETITOR", "note": "price" } }))
        .await;
    let o = &closed["moveOpportunityStage"]["opportunity"];
    assert_eq!(
        (o["stage"].as_str(), o["closeReason"].as_str()),
        (Some("CLOSED_LOST"), Some("LOST_TO_COMPETITOR"))
    );
    assert!(o["closedAt"].is_string());
    // Ana is on no other open deal: back to nurture with the loss reason. Ben still has one.
    assert_eq!(lead_stage(&app, &ana).await, "NURTURE");
    assert_eq!(lead_stage(&app, &ben).await, "OPPORTUNITY");
    assert_eq!(
        history(&app, &ana).await,
        vec![
            "LeadStageChange OPPORTUNITY>NURTURE by - LOST_TO_COMPETITOR",
            "LeadStageChange INQUIRY>OPPORTUNITY by - -"
        ]
    );
    assert_eq!(
        history(&app, &lost).await,
        vec![
            "OpportunityStageChange PROPOSAL>CLOSED_LOST by Administrator LOST_TO_COMPETITOR",
            "OpportunityStageChange DISCOVERY>PROPOSAL by Administrator -"
        ]
    );

    join(&app, &won, &ana).await;
    let won_now = app
        .data(
            MOVE_DEAL,
            json!({ "i": { "opportunityId": won, "to": "CLOSED_WON" } }),
        )
        .await;
    assert_eq!(won_now["moveOpportunityStage"]["opportunity"]["probability"], 100);
    assert_eq!(lead_stage(&app, &ana).await, "CUSTOMER");
    let status = app
        .data(
            "query($id: ID!) { account(id: $id) { status } }",
            json!({ "id": acme }),
        )
        .await;
    assert_eq!(status["account"]["status"], "CUSTOMER");
}

async fn only_managers_reopen_a_closed_deal(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let (_, sales) = app.user_with_role("sales").await;
    let (_, manager) = app.user_with_role("sales_manager").await;
    let created = app
        .data_as(Some(&sales), "mutation($a: ID!) { createOpportunity(input: { accountId: $a, name: \"Mine\" }) { opportunity { id } } }", json!({ "a": acme }))
        .await;
    let id = created["createOpportunity"]["opportunity"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let closed = app
        .data_as(
            Some(&sales),
            MOVE_DEAL,
            json!({ "i": { "opportunityId": id, "to": "CLOSED_WON" } }),
        )
        .await;
    assert_eq!(closed["moveOpportunityStage"]["userErrors"], json!([]));
    let reopen = app
        .gql_as(
            Some(&sales),
            MOVE_DEAL,
            json!({ "i": { "opportunityId": id, "to": "NEGOTIATION" } }),
        )
        .await;
    assert_eq!(first_code(&reopen), "FORBIDDEN");
    let reopened = app
        .data_as(
            Some(&manager),
            MOVE_DEAL,
            json!({ "i": { "opportunityId": id, "to": "NEGOTIATION" } }),
        )
        .await;
    let o = &reopened["moveOpportunityStage"]["opportunity"];
    assert_eq!(
        (o["stage"].as_str(), o["closedAt"].as_str()),
        (Some("NEGOTIATION"), None)
    );
    // Someone else's deal: sales may not move it at all.
    let (_, other_sales) = app.user_with_role("sales").await;
    let theirs = app
        .gql_as(
            Some(&other_sales),
            MOVE_DEAL,
            json!({ "i": { "opportunityId": id, "to": "PROPOSAL" } }),
        )
        .await;
    assert_eq!(first_code(&theirs), "FORBIDDEN");
    let (_, marketing) = app.user_with_role("marketing").await;
    let by_marketing = app
        .gql_as(
            Some(&marketing),
            MOVE_DEAL,
            json!({ "i": { "opportunityId": id, "to": "PROPOSAL" } }),
        )
        .await;
    assert_eq!(first_code(&by_marketing), "FORBIDDEN");
}

async fn buyers_move_their_own_stage_both_ways(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let ana = person(&app, &acme, "Ana").await;
    let d = deal(&app, json!({ "accountId": acme, "name": "Deal" })).await;
    let p = join(&app, &d, &ana).await;
    for to in ["SOLUTION_EXPLORATION", "VALIDATION", "PROBLEM_IDENTIFICATION"] {
        let moved = app
            .data(MOVE_BUYER, json!({ "i": { "participantId": p, "to": to } }))
            .await;
        assert_eq!(moved["moveBuyingStage"]["participant"]["buyingStage"], to);
    }
    let same = app
        .data(
            MOVE_BUYER,
            json!({ "i": { "participantId": p, "to": "PROBLEM_IDENTIFICATION" } }),
        )
        .await;
    assert_eq!(
        same["moveBuyingStage"]["userErrors"][0]["code"],
        "INVALID_TRANSITION"
    );
    assert_eq!(
        history(&app, &p).await,
        vec![
            "BuyingStageChange VALIDATION>PROBLEM_IDENTIFICATION by Administrator -",
            "BuyingStageChange SOLUTION_EXPLORATION>VALIDATION by Administrator -",
            "BuyingStageChange UNAWARE>SOLUTION_EXPLORATION by Administrator -",
        ]
    );
    // The person's and the deal's own histories include the buyer's moves.
    let nested = app
        .data(
            "query($s: ID!, $d: ID!) {
                s: node(id: $s) { ... on Stakeholder { stageHistory(first: 10, filter: { kinds: [BUYING] }) { totalCount } } }
                d: node(id: $d) { ... on Opportunity { stageHistory(first: 10) { totalCount nodes { ... on BuyingStageChange { participant { id } opportunity { name } } } } } }
            }",
            json!({ "s": ana, "d": d }),
        )
        .await;
    assert_eq!(nested["s"]["stageHistory"]["totalCount"], 3);
    assert_eq!(nested["d"]["stageHistory"]["totalCount"], 3);
    assert_eq!(
        nested["d"]["stageHistory"]["nodes"][0]["participant"]["id"],
        p.as_str()
    );
    assert_eq!(
        nested["d"]["stageHistory"]["nodes"][0]["opportunity"]["name"],
        "Deal"
    );
}

async fn ten_simultaneous_moves_leave_exactly_one_history_row(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let d = deal(&app, json!({ "accountId": acme, "name": "Contested" })).await;
    let moves = (0..10).map(|i| {
        let to = if i % 2 == 0 { "QUALIFICATION" } else { "EVALUATION" };
        app.gql(
            MOVE_DEAL,
            json!({ "i": { "opportunityId": d, "to": to, "expectedVersion": 1 } }),
        )
    });
    let bodies: Vec<Value> = join_all(moves).await;
    let mut outcomes: Vec<String> = bodies
        .iter()
        .map(|b| {
            assert!(b.get("errors").is_none(), "{b}");
            let payload = &b["data"]["moveOpportunityStage"];
            payload["userErrors"][0]["code"]
                .as_str()
                .unwrap_or("MOVED")
                .to_owned()
        })
        .collect();
    outcomes.sort();
    assert_eq!(
        outcomes.iter().filter(|o| *o == "MOVED").count(),
        1,
        "{outcomes:?}"
    );
    assert!(
        outcomes.iter().all(|o| o == "MOVED" || o == "STALE_VERSION"),
        "{outcomes:?}"
    );
    assert_eq!(history(&app, &d).await.len(), 1);
    let version = app
        .data(
            "query($id: ID!) { opportunity(id: $id) { version } }",
            json!({ "id": d }),
        )
        .await;
    assert_eq!(version["opportunity"]["version"], 2);
}

async fn history_is_filtered_by_kind_actor_and_period(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let (manager_id, manager) = app.user_with_role("sales_manager").await;
    let d = deal(&app, json!({ "accountId": acme, "name": "Deal" })).await;
    app.data(
        MOVE_DEAL,
        json!({ "i": { "opportunityId": d, "to": "QUALIFICATION" } }),
    )
    .await;
    app.data_as(
        Some(&manager),
        MOVE_DEAL,
        json!({ "i": { "opportunityId": d, "to": "EVALUATION" } }),
    )
    .await;
    let list = "query($f: StageHistoryFilter) { stageHistory(first: 10, filter: $f) { totalCount nodes { ... on OpportunityStageChange { to } } } }";
    let by_manager = app.data(list, json!({ "f": { "actorId": manager_id } })).await;
    assert_eq!(
        by_manager["stageHistory"]["nodes"],
        json!([{ "to": "EVALUATION" }])
    );
    let leads = app.data(list, json!({ "f": { "kinds": ["LEAD"] } })).await;
    assert_eq!(leads["stageHistory"]["totalCount"], 0);
    let future = app
        .data(list, json!({ "f": { "since": "2999-01-01T00:00:00Z" } }))
        .await;
    assert_eq!(future["stageHistory"]["totalCount"], 0);
    let all = app
        .data(list, json!({ "f": { "until": "2999-01-01T00:00:00Z" } }))
        .await;
    assert_eq!(all["stageHistory"]["totalCount"], 2);
    // History is refetchable by its ID, like every node.
    let id = app
        .data("{ stageHistory(first: 1) { nodes { id } } }", json!({}))
        .await["stageHistory"]["nodes"][0]["id"]
        .clone();
    let node = app
        .data(
            "query($id: ID!) { node(id: $id) { __typename } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(node["node"]["__typename"], "OpportunityStageChange");
}

on_both_stores!(
    a_deal_moves_through_the_pipeline_and_closing_moves_its_people,
    only_managers_reopen_a_closed_deal,
    buyers_move_their_own_stage_both_ways,
    ten_simultaneous_moves_leave_exactly_one_history_row,
    history_is_filtered_by_kind_actor_and_period,
);
