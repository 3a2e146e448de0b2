//! The funnel reports. This module holds the queries and the helpers that build small
//! histories through the API; `lead_funnel` and `deals` check figures worked out by hand,
//! `access` refusals, scopes and costs, `property` every figure of a random history against a
//! recomputation from the raw rows.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::helpers::TestApp;

mod access;
mod deals;
mod lead_funnel;
mod property;

pub const LEAD_FUNNEL: &str = "query($i: LeadFunnelInput!) { leadFunnel(input: $i) { from to asOf unit
  groups { key label stages { stage entered inStageAtEnd }
    steps { from to entered converted rate medianHours averageHours }
    rejected recycled disqualified reasons { reasonCode count } } } }";
pub const DEAL_FUNNEL: &str = "query($i: DealFunnelInput!) { dealFunnel(input: $i) { from to asOf
  groups { key label created won lost winRate medianCycleDays
    wonAmount { amount currency } averageWonAmount { amount currency } lostReasons { reasonCode count }
    stages { stage entered inStageAtEnd amountAtEnd { amount currency }
      weightedAmountAtEnd { amount currency } medianHoursInStage } } } }";
pub const SOURCE_QUALITY: &str = "query($i: LeadSourceQualityInput!) { leadSourceQuality(input: $i) {
  leadSource leads mqls accepted rejected acceptanceRate opportunities customers
  rejectionReasons { reasonCode count } feedback { good fair poor } wonAmount { amount currency } } }";
pub const HANDOFF: &str = "query($i: HandoffPerformanceInput!) { handoffPerformance(input: $i) {
  key label handedOff acceptedInSla acceptedLate rejected open openOverdue medianHoursToDecision } }";
pub const MOVE_LEAD: &str =
    "mutation($i: MoveLeadStageInput!) { moveLeadStage(input: $i) { userErrors { field code } } }";
pub const MOVE_DEAL: &str = "mutation($i: MoveOpportunityStageInput!) { moveOpportunityStage(input: $i) { userErrors { field code } } }";

pub fn time(raw: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(raw.as_str().unwrap_or_else(|| panic!("not a time: {raw}")))
        .unwrap()
        .with_timezone(&Utc)
}

pub fn text(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

pub async fn account_in(app: &TestApp, name: &str, tier: &str) -> String {
    let data = app
        .data(
            "mutation($n: String!, $t: AccountTier!) { createAccount(input: { name: $n, tier: $t }) { account { id } } }",
            json!({ "n": name, "t": tier }),
        )
        .await;
    data["createAccount"]["account"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A new lead and the moment it was created.
pub async fn lead_as(
    app: &TestApp,
    token: &str,
    account: &str,
    name: &str,
    source: Option<&str>,
) -> (String, DateTime<Utc>) {
    let data = app
        .data_as(
            Some(token),
            "mutation($a: ID!, $f: String!, $s: LeadSource) { createStakeholder(input: { accountId: $a, firstName: $f, lastName: \"Doe\", leadSource: $s }) { stakeholder { id createdAt } userErrors { code } } }",
            json!({ "a": account, "f": name, "s": source }),
        )
        .await;
    let s = &data["createStakeholder"]["stakeholder"];
    (
        s["id"].as_str().unwrap_or_else(|| panic!("{data}")).to_owned(),
        time(&s["createdAt"]),
    )
}

pub async fn lead(app: &TestApp, account: &str, name: &str, source: Option<&str>) -> (String, DateTime<Utc>) {
    lead_as(app, &app.admin_token, account, name, source).await
}

/// The newest history row of a subject: when its last move happened.
pub async fn last_move(app: &TestApp, subject: &str) -> DateTime<Utc> {
    let data = app
        .data(
            "query($id: ID!) { stageHistory(first: 1, filter: { subjectId: $id }) { nodes { changedAt } } }",
            json!({ "id": subject }),
        )
        .await;
    time(&data["stageHistory"]["nodes"][0]["changedAt"])
}

/// Moves a lead (as the admin) and returns when.
pub async fn move_lead(app: &TestApp, id: &str, to: &str, reason: Option<&str>) -> DateTime<Utc> {
    let data = app
        .data(
            MOVE_LEAD,
            json!({ "i": { "stakeholderId": id, "to": to, "reasonCode": reason } }),
        )
        .await;
    assert_eq!(data["moveLeadStage"]["userErrors"], json!([]), "{id} to {to}");
    last_move(app, id).await
}

pub async fn move_deal(app: &TestApp, id: &str, to: &str, reason: Option<&str>) -> DateTime<Utc> {
    let data = app
        .data(
            MOVE_DEAL,
            json!({ "i": { "opportunityId": id, "to": to, "reasonCode": reason } }),
        )
        .await;
    assert_eq!(
        data["moveOpportunityStage"]["userErrors"],
        json!([]),
        "{id} to {to}"
    );
    last_move(app, id).await
}

/// A new deal (as the admin) and the moment it was created.
pub async fn deal(
    app: &TestApp,
    account: &str,
    amount: Option<(&str, &str)>,
    source: Option<&str>,
) -> (String, DateTime<Utc>) {
    let mut i = json!({ "accountId": account, "name": "Deal", "leadSource": source });
    if let Some((amount, currency)) = amount {
        i["amount"] = json!({ "amount": amount, "currency": currency });
    }
    let data = app
        .data(
            "mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { opportunity { id createdAt } userErrors { field code } } }",
            json!({ "i": i }),
        )
        .await;
    let o = &data["createOpportunity"]["opportunity"];
    (
        o["id"].as_str().unwrap_or_else(|| panic!("{data}")).to_owned(),
        time(&o["createdAt"]),
    )
}

pub fn input(from: DateTime<Utc>, to: DateTime<Utc>, as_of: Option<DateTime<Utc>>, extra: Value) -> Value {
    let mut i = json!({ "from": text(from), "to": text(to) });
    if let Some(as_of) = as_of {
        i["asOf"] = json!(text(as_of));
    }
    if let Value::Object(extra) = extra {
        for (k, v) in extra {
            i[k] = v;
        }
    }
    json!({ "i": i })
}

pub async fn funnel(
    app: &TestApp,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    as_of: Option<DateTime<Utc>>,
    extra: Value,
) -> Value {
    app.data(LEAD_FUNNEL, input(from, to, as_of, extra)).await["leadFunnel"].clone()
}

/// `STAGE:entered/inStageAtEnd` for every stage with a figure, in enum order.
pub fn volumes(group: &Value) -> String {
    group["stages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["entered"] != 0 || s["inStageAtEnd"] != 0)
        .map(|s| {
            format!(
                "{}:{}/{}",
                s["stage"].as_str().unwrap(),
                s["entered"],
                s["inStageAtEnd"]
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `entered/converted` of the five steps.
pub fn steps(group: &Value) -> String {
    group["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{}/{}", s["entered"], s["converted"]))
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn hours(a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    (b - a).num_microseconds().unwrap() as f64 / 3_600_000_000.0
}

pub fn close(actual: &Value, expected: f64) {
    let actual = actual
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {actual}"));
    assert!((actual - expected).abs() < 1e-5, "{actual} != {expected}");
}
