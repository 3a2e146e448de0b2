//! The closed loop between marketing and sales: touches score a lead into MQL by itself, sales
//! reject it with a reason (feedback recorded), marketing nurtures and re-qualifies it, sales
//! accept and qualify it, it joins a deal whose buyers move their own stages and the deal is won.

use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, first_code, on_both_stores},
    opportunity::{account, deal, person},
};

const MOVE_LEAD: &str = "mutation($i: MoveLeadStageInput!) {
  moveLeadStage(input: $i) { stakeholder { leadStage version owner { id } handoff { assignedAt acceptBy overdue } } userErrors { field code } }
}";
const TOUCH: &str = "mutation($i: RecordEngagementInput!) {
  recordEngagement(input: $i) { engagement { id kind recordedBy { id } } userErrors { field code } }
}";

async fn lead(app: &TestApp, id: &str) -> Value {
    app.data(
        "query($id: ID!) { node(id: $id) { ... on Stakeholder { leadStage leadScore lastEngagedAt
            handoff { overdue } feedback { rating reasonCode leadSource givenBy { displayName } }
            scoreBreakdown { ruleName points behaviour rule { name } } } } }",
        json!({ "id": id }),
    )
    .await["node"]
        .clone()
}

async fn history(app: &TestApp, id: &str) -> Vec<String> {
    let data = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Stakeholder { stageHistory(first: 50, filter: { kinds: [LEAD] }) { nodes {
                changedBy { displayName } reasonCode note ... on LeadStageChange { from to } } } } } }",
            json!({ "id": id }),
        )
        .await;
    let mut lines: Vec<String> = data["node"]["stageHistory"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            format!(
                "{}>{} by {} {}",
                n["from"].as_str().unwrap(),
                n["to"].as_str().unwrap(),
                n["changedBy"]["displayName"].as_str().unwrap_or("-"),
                n["reasonCode"].as_str().unwrap_or("-")
            )
        })
        .collect();
    lines.reverse();
    lines
}

async fn a_lead_goes_round_the_loop_and_closes_won(app: TestApp) {
    let (_, marketing) = app.user_with_role("marketing").await;
    let (sales_id, sales) = app.user_with_role("sales").await;
    let acme = account(&app, "Acme").await;
    let ana = person(&app, &acme, "Ana").await;
    let ben = person(&app, &acme, "Ben").await;

    // Marketing sets up scoring: 60 points for attending a webinar, a threshold of 100.
    let rule = "mutation($i: CreateScoringRuleInput!) { createScoringRule(input: $i) { rule { id behaviour } userErrors { code } } }";
    let webinar = app
        .data_as(Some(&marketing), rule, json!({ "i": { "name": "Webinar attended", "points": 60, "engagementKind": "WEBINAR_ATTENDED" } }))
        .await;
    assert_eq!(webinar["createScoringRule"]["rule"]["behaviour"], true);
    let champion = app
        .data_as(
            Some(&marketing),
            rule,
            json!({ "i": { "name": "Champion", "points": 10, "buyingRole": "CHAMPION" } }),
        )
        .await;
    assert_eq!(champion["createScoringRule"]["rule"]["behaviour"], false);
    let settings = app
        .data_as(
            Some(&marketing),
            "mutation { updateScoringSettings(input: { mqlThreshold: 100, handoffSlaHours: 48 }) { settings { mqlThreshold handoffSlaHours decayHalfLifeDays } userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        settings["updateScoringSettings"]["settings"],
        json!({ "mqlThreshold": 100, "handoffSlaHours": 48, "decayHalfLifeDays": 30 })
    );
    // The fit rule applied to everyone at once.
    assert_eq!(lead(&app, &ana).await["leadScore"], 10);

    // Two webinars: the second lifts Ana to the threshold, and she becomes an MQL by herself.
    for _ in 0..2 {
        let touched = app
            .data_as(
                Some(&marketing),
                TOUCH,
                json!({ "i": { "stakeholderId": ana, "kind": "WEBINAR_ATTENDED", "durationSeconds": 3600 } }),
            )
            .await;
        assert_eq!(touched["recordEngagement"]["userErrors"], json!([]));
    }
    let after = lead(&app, &ana).await;
    assert_eq!(after["leadStage"], "MQL");
    assert_eq!(after["leadScore"], 130);
    assert!(after["lastEngagedAt"].is_string());
    assert_eq!(after["handoff"]["overdue"], false);
    assert_eq!(
        after["scoreBreakdown"],
        json!([
            { "ruleName": "Webinar attended", "points": 120, "behaviour": true, "rule": { "name": "Webinar attended" } },
            { "ruleName": "Champion", "points": 10, "behaviour": false, "rule": { "name": "Champion" } },
        ])
    );
    let automatic = app
        .data(
            "query($id: ID!) { stageHistory(first: 1, filter: { subjectId: $id }) { nodes { changedBy { id } note } } }",
            json!({ "id": ana }),
        )
        .await;
    let note = automatic["stageHistory"]["nodes"][0]["note"].as_str().unwrap();
    assert!(note.contains("Webinar attended"), "{note}");
    assert_eq!(automatic["stageHistory"]["nodes"][0]["changedBy"], Value::Null);
    let overdue = app
        .data("{ stakeholders(first: 10, filter: { handoffOverdue: false, leadStages: [MQL] }) { totalCount } }", json!({}))
        .await;
    assert_eq!(overdue["stakeholders"]["totalCount"], 1);

    // Marketing may not accept; sales reject without a reason: refused; with one: back to nurture.
    let by_marketing = app
        .gql_as(
            Some(&marketing),
            MOVE_LEAD,
            json!({ "i": { "stakeholderId": ana, "to": "SAL" } }),
        )
        .await;
    assert_eq!(first_code(&by_marketing), "FORBIDDEN");
    let no_reason = app
        .data_as(
            Some(&sales),
            MOVE_LEAD,
            json!({ "i": { "stakeholderId": ana, "to": "NURTURE" } }),
        )
        .await;
    assert_eq!(
        no_reason["moveLeadStage"]["userErrors"],
        json!([{ "field": ["reasonCode"], "code": "REASON_REQUIRED" }])
    );
    let rejected = app
        .data_as(Some(&sales), MOVE_LEAD, json!({ "i": { "stakeholderId": ana, "to": "NURTURE", "reasonCode": "BAD_TIMING", "note": "next quarter" } }))
        .await;
    assert_eq!(rejected["moveLeadStage"]["stakeholder"]["handoff"], Value::Null);
    let feedback = lead(&app, &ana).await["feedback"].clone();
    assert_eq!(
        feedback,
        json!([{ "rating": "POOR", "reasonCode": "BAD_TIMING", "leadSource": null, "givenBy": { "displayName": "sales" } }])
    );

    // Sales may not qualify; marketing re-qualifies and hands her to a sales owner.
    let by_sales = app
        .gql_as(
            Some(&sales),
            MOVE_LEAD,
            json!({ "i": { "stakeholderId": ana, "to": "MQL" } }),
        )
        .await;
    assert_eq!(first_code(&by_sales), "FORBIDDEN");
    let requalified = app
        .data_as(
            Some(&marketing),
            MOVE_LEAD,
            json!({ "i": { "stakeholderId": ana, "to": "MQL", "assignOwnerId": sales_id } }),
        )
        .await;
    let s = &requalified["moveLeadStage"]["stakeholder"];
    assert_eq!(s["owner"]["id"], sales_id.as_str());
    assert!(s["handoff"]["acceptBy"].is_string());
    let skip = app
        .data_as(
            Some(&sales),
            MOVE_LEAD,
            json!({ "i": { "stakeholderId": ana, "to": "SQL" } }),
        )
        .await;
    assert_eq!(
        skip["moveLeadStage"]["userErrors"],
        json!([{ "field": ["to"], "code": "INVALID_TRANSITION" }])
    );
    for to in ["SAL", "SQL"] {
        let moved = app
            .data_as(
                Some(&sales),
                MOVE_LEAD,
                json!({ "i": { "stakeholderId": ana, "to": to } }),
            )
            .await;
        assert_eq!(moved["moveLeadStage"]["stakeholder"]["leadStage"], to);
    }
    let good = app
        .data_as(
            Some(&sales),
            "mutation($id: ID!) { recordLeadFeedback(input: { stakeholderId: $id, rating: GOOD, comment: \"ready to buy\" }) { feedback { rating comment } userErrors { code } } }",
            json!({ "id": ana }),
        )
        .await;
    assert_eq!(
        good["recordLeadFeedback"]["feedback"],
        json!({ "rating": "GOOD", "comment": "ready to buy" })
    );
    let feedback_id = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Stakeholder { feedback { id } } } }",
            json!({ "id": ana }),
        )
        .await["node"]["feedback"][0]["id"]
        .clone();
    let refetched = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on LeadFeedback { rating } } }",
            json!({ "id": feedback_id }),
        )
        .await;
    assert_eq!(refetched["node"]["rating"], "GOOD");

    // She joins a deal with Ben; each moves through their own buying stage, one backwards.
    let d = deal(&app, json!({ "accountId": acme, "name": "Platform" })).await;
    let add = "mutation($o: ID!, $s: ID!) { addDealParticipant(input: { opportunityId: $o, stakeholderId: $s }) { participant { id } } }";
    let pa =
        app.data(add, json!({ "o": d, "s": ana })).await["addDealParticipant"]["participant"]["id"].clone();
    let pb =
        app.data(add, json!({ "o": d, "s": ben })).await["addDealParticipant"]["participant"]["id"].clone();
    let buy = "mutation($p: ID!, $to: BuyingStage!) { moveBuyingStage(input: { participantId: $p, to: $to }) { participant { buyingStage } userErrors { code } } }";
    for (p, to) in [
        (&pa, "VALIDATION"),
        (&pb, "REQUIREMENTS_BUILDING"),
        (&pb, "PROBLEM_IDENTIFICATION"),
        (&pa, "COMMITTED"),
    ] {
        let moved = app.data(buy, json!({ "p": p, "to": to })).await;
        assert_eq!(moved["moveBuyingStage"]["participant"]["buyingStage"], to);
    }
    let won = app
        .data("mutation($id: ID!) { moveOpportunityStage(input: { opportunityId: $id, to: CLOSED_WON }) { userErrors { code } } }", json!({ "id": d }))
        .await;
    assert_eq!(won["moveOpportunityStage"]["userErrors"], json!([]));

    assert_eq!(
        history(&app, &ana).await,
        vec![
            "INQUIRY>MQL by - -",
            "MQL>NURTURE by sales BAD_TIMING",
            "NURTURE>MQL by marketing -",
            "MQL>SAL by sales -",
            "SAL>SQL by sales -",
            "SQL>OPPORTUNITY by - -",
            "OPPORTUNITY>CUSTOMER by - -",
        ]
    );
    let buyers = app
        .data(
            "query($id: ID!) { stageHistory(first: 10, filter: { subjectId: $id, kinds: [BUYING] }) { nodes { ... on BuyingStageChange { from to stakeholder { firstName } } } } }",
            json!({ "id": d }),
        )
        .await;
    assert_eq!(buyers["stageHistory"]["nodes"].as_array().unwrap().len(), 4);
    assert_eq!(lead(&app, &ben).await["leadStage"], "CUSTOMER");
}

async fn shared_content_reaches_every_recipient(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let people = [
        person(&app, &acme, "A").await,
        person(&app, &acme, "B").await,
        person(&app, &acme, "C").await,
    ];
    let content = app
        .data(
            "mutation { createContent(input: { title: \"Guide\", kind: EBOOK }) { content { id } } }",
            json!({}),
        )
        .await["createContent"]["content"]["id"]
        .clone();
    let share = "mutation($i: ShareContentInput!) { shareContent(input: $i) { engagements { kind note stakeholder { firstName } content { title } } userErrors { field code } } }";
    let shared = app
        .data(
            share,
            json!({ "i": { "contentId": content, "stakeholderIds": people, "note": "worth a read" } }),
        )
        .await;
    let engagements = shared["shareContent"]["engagements"].as_array().unwrap();
    assert_eq!(engagements.len(), 3);
    assert!(
        engagements
            .iter()
            .all(|e| e["kind"] == "CONTENT_SHARED" && e["note"] == "worth a read")
    );
    let counted = app
        .data(
            "query($c: ID!) { content(id: $c) { engagements(first: 10) { totalCount } } }",
            json!({ "c": content }),
        )
        .await;
    assert_eq!(counted["content"]["engagements"]["totalCount"], 3);
    // One unknown recipient: nothing is recorded.
    let bad = app
        .data(
            share,
            json!({ "i": { "contentId": content, "stakeholderIds": [people[0], "nope"] } }),
        )
        .await;
    assert_eq!(
        bad["shareContent"]["userErrors"][0]["field"],
        json!(["stakeholderIds"])
    );
    let still = app
        .data(
            "query($c: ID!) { content(id: $c) { engagements(first: 10) { totalCount } } }",
            json!({ "c": content }),
        )
        .await;
    assert_eq!(still["content"]["engagements"]["totalCount"], 3);
}

/// Behaviour points decay in stored scores between touches: the server's periodic refresh
/// rescores leads last scored over an hour ago.
async fn behaviour_points_halve_every_half_life_in_stored_scores(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let ana = person(&app, &acme, "Ana").await;
    app.data(
        "mutation { createScoringRule(input: { name: \"Meeting\", points: 80, engagementKind: MEETING }) { userErrors { code } } }",
        json!({}),
    )
    .await;
    app.data(TOUCH, json!({ "i": { "stakeholderId": ana, "kind": "MEETING" } }))
        .await;
    assert_eq!(lead(&app, &ana).await["leadScore"], 80);
    let min = "query($m: Int!) { stakeholders(first: 5, filter: { minScore: $m }) { totalCount } }";
    assert_eq!(
        app.data(min, json!({ "m": 50 })).await["stakeholders"]["totalCount"],
        1
    );

    let later = chrono::Utc::now() + chrono::Duration::days(30);
    let rescored = trapeze::service::scoring::refresh_decayed(&app.db, later, 100)
        .await
        .unwrap();
    assert_eq!(rescored, 1);
    assert_eq!(
        lead(&app, &ana).await["leadScore"],
        40,
        "one half-life (30 days) later"
    );
    assert_eq!(
        app.data(min, json!({ "m": 50 })).await["stakeholders"]["totalCount"],
        0
    );
}

on_both_stores!(
    a_lead_goes_round_the_loop_and_closes_won,
    shared_content_reaches_every_recipient,
    behaviour_points_halve_every_half_life_in_stored_scores,
);
