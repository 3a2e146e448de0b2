//! Engagements: read newest first, at the root and under accounts, people, deals and content.
//! Recording them is the lifecycle's (`recordEngagement`); these tests write the rows directly.

use chrono::{Duration, TimeZone, Utc};
use entity::engagement::{ActiveModel, EngagementKind};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    helpers::{TestApp, on_both_stores},
    opportunity::{account, deal, person},
};

/// The UUID inside a global ID (`Kind:uuid`, base64).
fn uuid_of(id: &str) -> Uuid {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(id)
        .unwrap();
    let text = String::from_utf8(raw).unwrap();
    Uuid::parse_str(text.split_once(':').unwrap().1).unwrap()
}

async fn touch(
    app: &TestApp,
    account: &str,
    person: &str,
    kind: EngagementKind,
    days_ago: i64,
    deal: Option<&str>,
) {
    let at = Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap() - Duration::days(days_ago);
    ActiveModel {
        id: Set(Uuid::now_v7()),
        stakeholder_id: Set(uuid_of(person)),
        account_id: Set(uuid_of(account)),
        kind: Set(kind),
        content_id: Set(None),
        opportunity_id: Set(deal.map(uuid_of)),
        occurred_at: Set(at),
        duration_seconds: Set(Some(60)),
        recorded_by_id: Set(None),
        created_at: Set(at),
        note: Set(None),
    }
    .insert(&app.db)
    .await
    .unwrap();
}

fn kinds(connection: &Value) -> Vec<String> {
    connection["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

async fn engagements_read_newest_first_wherever_they_hang(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let globex = account(&app, "Globex").await;
    let ana = person(&app, &acme, "Ana").await;
    let ben = person(&app, &acme, "Ben").await;
    let sam = person(&app, &globex, "Sam").await;
    let d = deal(&app, json!({ "accountId": acme, "name": "Deal" })).await;
    touch(&app, &acme, &ana, EngagementKind::EmailOpened, 30, None).await;
    touch(&app, &acme, &ana, EngagementKind::Meeting, 2, Some(&d)).await;
    touch(&app, &acme, &ben, EngagementKind::WebinarAttended, 10, None).await;
    touch(&app, &globex, &sam, EngagementKind::Call, 1, None).await;

    let root = app
        .data("{ engagements(first: 10) { totalCount nodes { kind stakeholder { fullName } opportunity { name } durationSeconds } } }", json!({}))
        .await;
    assert_eq!(
        kinds(&root["engagements"]),
        vec!["CALL", "MEETING", "WEBINAR_ATTENDED", "EMAIL_OPENED"]
    );
    assert_eq!(root["engagements"]["nodes"][1]["opportunity"]["name"], "Deal");
    assert_eq!(
        root["engagements"]["nodes"][1]["stakeholder"]["fullName"],
        "Ana Doe"
    );

    let filtered = app
        .data(
            "query($s: ID!) { engagements(first: 10, filter: { stakeholderId: $s, kinds: [MEETING, EMAIL_OPENED], since: \"2026-10-15T00:00:00Z\" }) { nodes { kind } } }",
            json!({ "s": ana }),
        )
        .await;
    assert_eq!(kinds(&filtered["engagements"]), vec!["MEETING"]);

    let nested = app
        .data(
            "query($a: ID!, $d: ID!) {
                account(id: $a) { engagements(first: 2) { totalCount nodes { kind } pageInfo { hasNextPage } }
                  stakeholders(first: 5) { nodes { fullName engagements(first: 5) { totalCount nodes { kind } } } } }
                opportunity(id: $d) { engagements(first: 5) { nodes { kind } } }
            }",
            json!({ "a": acme, "d": d }),
        )
        .await;
    let a = &nested["account"];
    assert_eq!(kinds(&a["engagements"]), vec!["MEETING", "WEBINAR_ATTENDED"]);
    assert_eq!(a["engagements"]["totalCount"], 3);
    assert_eq!(a["engagements"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(
        kinds(&a["stakeholders"]["nodes"][0]["engagements"]),
        vec!["MEETING", "EMAIL_OPENED"]
    );
    assert_eq!(a["stakeholders"]["nodes"][0]["engagements"]["totalCount"], 2);
    assert_eq!(
        kinds(&a["stakeholders"]["nodes"][1]["engagements"]),
        vec!["WEBINAR_ATTENDED"]
    );
    assert_eq!(kinds(&nested["opportunity"]["engagements"]), vec!["MEETING"]);
}

on_both_stores!(engagements_read_newest_first_wherever_they_hang);
