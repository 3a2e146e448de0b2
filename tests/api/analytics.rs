//! The funnel reports: small histories built through the API with answers worked out by hand
//! (moves exactly at `from` and at `to`, `asOf` in the past), refusals, scopes, and a property
//! test comparing every figure with a plain recomputation from the raw rows.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::helpers::{TestApp, first_code, on_both_stores};

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
const HANDOFF: &str = "query($i: HandoffPerformanceInput!) { handoffPerformance(input: $i) {
  key label handedOff acceptedInSla acceptedLate rejected open openOverdue medianHoursToDecision } }";
const MOVE_LEAD: &str =
    "mutation($i: MoveLeadStageInput!) { moveLeadStage(input: $i) { userErrors { field code } } }";
pub fn time(raw: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(raw.as_str().unwrap_or_else(|| panic!("not a time: {raw}")))
        .unwrap()
        .with_timezone(&Utc)
}

pub fn text(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

async fn account_in(app: &TestApp, name: &str, tier: &str) -> String {
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
async fn lead_as(
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

async fn lead(app: &TestApp, account: &str, name: &str, source: Option<&str>) -> (String, DateTime<Utc>) {
    lead_as(app, &app.admin_token, account, name, source).await
}

/// The newest history row of a subject: when its last move happened.
async fn last_move(app: &TestApp, subject: &str) -> DateTime<Utc> {
    let data = app
        .data(
            "query($id: ID!) { stageHistory(first: 1, filter: { subjectId: $id }) { nodes { changedAt } } }",
            json!({ "id": subject }),
        )
        .await;
    time(&data["stageHistory"]["nodes"][0]["changedAt"])
}

/// Moves a lead (as the admin) and returns when.
async fn move_lead(app: &TestApp, id: &str, to: &str, reason: Option<&str>) -> DateTime<Utc> {
    let data = app
        .data(
            MOVE_LEAD,
            json!({ "i": { "stakeholderId": id, "to": to, "reasonCode": reason } }),
        )
        .await;
    assert_eq!(data["moveLeadStage"]["userErrors"], json!([]), "{id} to {to}");
    last_move(app, id).await
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

async fn funnel(
    app: &TestApp,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    as_of: Option<DateTime<Utc>>,
    extra: Value,
) -> Value {
    app.data(LEAD_FUNNEL, input(from, to, as_of, extra)).await["leadFunnel"].clone()
}

/// `STAGE:entered/inStageAtEnd` for every stage with a figure, in enum order.
fn volumes(group: &Value) -> String {
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
fn steps(group: &Value) -> String {
    group["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{}/{}", s["entered"], s["converted"]))
        .collect::<Vec<_>>()
        .join(" ")
}

fn hours(a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    (b - a).num_microseconds().unwrap() as f64 / 3_600_000_000.0
}

fn close(actual: &Value, expected: f64) {
    let actual = actual
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {actual}"));
    assert!((actual - expected).abs() < 1e-5, "{actual} != {expected}");
}

async fn the_lead_funnel_counts_a_small_history_exactly(app: TestApp) {
    let acme = account_in(&app, "Acme", "TIER_1").await;
    let beta = account_in(&app, "Beta", "TIER_2").await;
    let (ana, start) = lead(&app, &acme, "Ana", Some("WEBINAR")).await;
    let (ben, _) = lead(&app, &acme, "Ben", Some("WEBINAR")).await;
    let (cy, _) = lead(&app, &acme, "Cy", None).await;
    let (dee, _) = lead(&app, &beta, "Dee", Some("EVENT")).await;
    let ana_mql = move_lead(&app, &ana, "MQL", None).await;
    let ana_sal = move_lead(&app, &ana, "SAL", None).await;
    let ana_sql = move_lead(&app, &ana, "SQL", None).await;
    let ben_mql = move_lead(&app, &ben, "MQL", None).await;
    move_lead(&app, &ben, "NURTURE", Some("NO_BUDGET")).await;
    move_lead(&app, &cy, "DISQUALIFIED", Some("NOT_A_FIT")).await;
    let dee_mql = move_lead(&app, &dee, "MQL", None).await;
    let later = Utc::now() + Duration::days(1);

    // Everything, per lead.
    let all = funnel(&app, start, later, None, json!({})).await;
    assert_eq!(all["unit"], "LEAD");
    assert_eq!(time(&all["from"]), start);
    let groups = all["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1);
    let g = &groups[0];
    assert_eq!(g["key"], Value::Null);
    assert_eq!(g["stages"].as_array().unwrap().len(), 8);
    assert_eq!(
        volumes(g),
        "INQUIRY:4/0 MQL:3/1 SAL:1/0 SQL:1/1 NURTURE:1/1 DISQUALIFIED:1/1"
    );
    assert_eq!(steps(g), "4/3 3/1 1/1 1/0 0/0");
    assert_eq!(g["steps"][0]["from"], "INQUIRY");
    assert_eq!(g["steps"][4]["to"], "CUSTOMER");
    close(&g["steps"][1]["rate"], 1.0 / 3.0);
    assert_eq!(g["steps"][4]["rate"], Value::Null);
    close(&g["steps"][2]["averageHours"], hours(ana_sal, ana_sql));
    close(&g["steps"][2]["medianHours"], hours(ana_sal, ana_sql));
    assert_eq!(g["steps"][3]["medianHours"], Value::Null);
    assert_eq!(
        (
            g["rejected"].clone(),
            g["recycled"].clone(),
            g["disqualified"].clone()
        ),
        (json!(1), json!(0), json!(1))
    );
    assert_eq!(
        g["reasons"],
        json!([{ "reasonCode": "NOT_A_FIT", "count": 1 }, { "reasonCode": "NO_BUDGET", "count": 1 }])
    );

    // Per buying group: Ana, Ben and Cy are one unit.
    let accounts = funnel(&app, start, later, None, json!({ "unit": "ACCOUNT" })).await;
    let g = &accounts["groups"][0];
    assert_eq!(
        volumes(g),
        "INQUIRY:2/0 MQL:2/1 SAL:1/0 SQL:1/1 NURTURE:1/1 DISQUALIFIED:1/1"
    );
    assert_eq!(steps(g), "2/2 2/1 1/1 1/0 0/0");

    // A move exactly at `from` counts, one exactly at `to` does not: the end is just before `to`.
    // A cohort converts up to `asOf` (now), not only inside the period.
    let window = funnel(&app, ana_sal, ana_sql, None, json!({})).await;
    let g = &window["groups"][0];
    assert_eq!(volumes(g), "INQUIRY:0/3 SAL:1/1");
    assert_eq!(steps(g), "0/0 0/0 1/1 0/0 0/0");
    let window = funnel(&app, ana_sal, ana_sql, Some(ana_sql), json!({})).await;
    assert_eq!(volumes(&window["groups"][0]), "INQUIRY:0/3 SAL:1/1");
    assert_eq!(steps(&window["groups"][0]), "0/0 0/0 1/0 0/0 0/0");

    // `asOf` ignores rows at or after it: as of Ana's SQL move, she is still SAL.
    let past = funnel(&app, start, later, Some(ana_sql), json!({})).await;
    assert_eq!(time(&past["asOf"]), ana_sql);
    let g = &past["groups"][0];
    assert_eq!(volumes(g), "INQUIRY:4/3 MQL:1/0 SAL:1/1");
    assert_eq!(steps(g), "4/1 1/1 1/0 0/0 0/0");
    // As of Ben's MQL: Ana, Ben MQL; Dee not yet.
    let past = funnel(
        &app,
        start,
        later,
        Some(ben_mql + Duration::microseconds(1)),
        json!({}),
    )
    .await;
    assert_eq!(volumes(&past["groups"][0]), "INQUIRY:4/2 MQL:2/1 SAL:1/0 SQL:1/1");
    assert!(dee_mql > ben_mql && ana_mql < ana_sal);

    // Grouped by source, in enum order, leads without a source last.
    let by_source = funnel(&app, start, later, None, json!({ "groupBy": "LEAD_SOURCE" })).await;
    let keys: Vec<Value> = by_source["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["key"].clone())
        .collect();
    assert_eq!(keys, vec![json!("WEBINAR"), json!("EVENT"), Value::Null]);
    assert_eq!(by_source["groups"][0]["label"], "Webinar");
    assert_eq!(
        volumes(&by_source["groups"][0]),
        "INQUIRY:2/0 MQL:2/0 SAL:1/0 SQL:1/1 NURTURE:1/1"
    );
    assert_eq!(by_source["groups"][0]["rejected"], 1);
    assert_eq!(volumes(&by_source["groups"][2]), "INQUIRY:1/0 DISQUALIFIED:1/1");

    // Accounts by tier; filtered to one account; archived records count unless excluded.
    let by_tier = funnel(
        &app,
        start,
        later,
        None,
        json!({ "unit": "ACCOUNT", "groupBy": "ACCOUNT_TIER" }),
    )
    .await;
    let keys: Vec<Value> = by_tier["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["key"].clone())
        .collect();
    assert_eq!(keys, vec![json!("TIER_1"), json!("TIER_2")]);
    let only_beta = funnel(
        &app,
        start,
        later,
        None,
        json!({ "filter": { "accountIds": [beta] } }),
    )
    .await;
    assert_eq!(volumes(&only_beta["groups"][0]), "INQUIRY:1/0 MQL:1/1");
    let archived = app
        .data(
            "mutation($id: ID!) { archiveStakeholder(input: { id: $id }) { userErrors { code } } }",
            json!({ "id": dee }),
        )
        .await;
    assert_eq!(archived["archiveStakeholder"]["userErrors"], json!([]));
    let with = funnel(
        &app,
        start,
        later,
        None,
        json!({ "filter": { "leadSources": ["EVENT"] } }),
    )
    .await;
    assert_eq!(volumes(&with["groups"][0]), "INQUIRY:1/0 MQL:1/1");
    let without = funnel(
        &app,
        start,
        later,
        None,
        json!({ "filter": { "leadSources": ["EVENT"], "excludeArchived": true } }),
    )
    .await;
    assert_eq!(volumes(&without["groups"][0]), "");
}

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

on_both_stores!(
    the_lead_funnel_counts_a_small_history_exactly,
    bad_periods_and_groupings_are_refused,
    a_role_without_analytics_read_is_refused_and_a_viewer_token_reads,
    an_own_grant_counts_only_ones_own_records,
);
