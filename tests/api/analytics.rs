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
const MOVE_DEAL: &str = "mutation($i: MoveOpportunityStageInput!) { moveOpportunityStage(input: $i) { userErrors { field code } } }";

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

async fn move_deal(app: &TestApp, id: &str, to: &str, reason: Option<&str>) -> DateTime<Utc> {
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
async fn deal(
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

/// `STAGE:entered/inStageAtEnd amount weighted` for the stages with a figure.
fn deal_volumes(group: &Value) -> String {
    let money = |list: &Value| {
        list.as_array()
            .unwrap()
            .iter()
            .map(|m| {
                format!(
                    "{} {}",
                    m["amount"].as_str().unwrap(),
                    m["currency"].as_str().unwrap()
                )
            })
            .collect::<Vec<_>>()
            .join("+")
    };
    group["stages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["entered"] != 0 || s["inStageAtEnd"] != 0)
        .map(|s| {
            format!(
                "{}:{}/{} [{}] [{}]",
                s["stage"].as_str().unwrap(),
                s["entered"],
                s["inStageAtEnd"],
                money(&s["amountAtEnd"]),
                money(&s["weightedAmountAtEnd"])
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

async fn the_deal_funnel_sums_money_per_currency_to_the_cent(app: TestApp) {
    let acme = account_in(&app, "Acme", "TIER_1").await;
    let (d1, c1) = deal(&app, &acme, Some(("1000.10", "EUR")), None).await;
    let (d2, c2) = deal(&app, &acme, Some(("2500.05", "EUR")), None).await;
    let (d3, c3) = deal(&app, &acme, Some(("300", "USD")), None).await;
    let (d4, c4) = deal(&app, &acme, None, None).await;
    let (_d5, _) = deal(&app, &acme, Some(("10.05", "USD")), None).await;
    let (d6, c6) = deal(&app, &acme, Some(("50", "GBP")), None).await;
    let t1 = move_deal(&app, &d1, "PROPOSAL", None).await;
    let t2 = move_deal(&app, &d1, "CLOSED_WON", None).await;
    let t3 = move_deal(&app, &d2, "CLOSED_WON", None).await;
    let t4 = move_deal(&app, &d3, "CLOSED_WON", None).await;
    let t5 = move_deal(&app, &d4, "NEGOTIATION", None).await;
    let t6 = move_deal(&app, &d6, "CLOSED_LOST", Some("LOST_TO_COMPETITOR")).await;
    let later = Utc::now() + Duration::days(1);

    let all = app.data(DEAL_FUNNEL, input(c1, later, None, json!({}))).await["dealFunnel"].clone();
    let g = &all["groups"][0];
    assert_eq!(all["groups"].as_array().unwrap().len(), 1);
    assert_eq!(g["stages"].as_array().unwrap().len(), 7);
    assert_eq!(
        deal_volumes(g),
        "DISCOVERY:6/1 [10.05 USD] [1.01 USD] PROPOSAL:1/0 [] [] NEGOTIATION:1/1 [] [] \
         CLOSED_WON:3/3 [3500.15 EUR+300.00 USD] [3500.15 EUR+300.00 USD] CLOSED_LOST:1/1 [50.00 GBP] [0.00 GBP]"
    );
    assert_eq!(
        (g["created"].clone(), g["won"].clone(), g["lost"].clone()),
        (json!(6), json!(3), json!(1))
    );
    close(&g["winRate"], 0.75);
    assert_eq!(
        g["wonAmount"],
        json!([{ "amount": "3500.15", "currency": "EUR" }, { "amount": "300.00", "currency": "USD" }])
    );
    assert_eq!(
        g["averageWonAmount"],
        json!([{ "amount": "1750.08", "currency": "EUR" }, { "amount": "300.00", "currency": "USD" }])
    );
    assert_eq!(
        g["lostReasons"],
        json!([{ "reasonCode": "LOST_TO_COMPETITOR", "count": 1 }])
    );
    let days = |a: DateTime<Utc>, b: DateTime<Utc>| hours(a, b) / 24.0;
    close(
        &g["medianCycleDays"],
        median(vec![days(c1, t2), days(c2, t3), days(c3, t4)]),
    );
    close(
        &g["stages"][0]["medianHoursInStage"],
        median(vec![
            hours(c1, t1),
            hours(c2, t3),
            hours(c3, t4),
            hours(c4, t5),
            hours(c6, t6),
        ]),
    );
    close(&g["stages"][3]["medianHoursInStage"], hours(t1, t2));

    // The win exactly at `from` counts, the one exactly at `to` does not.
    let window = app.data(DEAL_FUNNEL, input(t2, t4, None, json!({}))).await["dealFunnel"].clone();
    let g = &window["groups"][0];
    assert_eq!(
        (g["created"].clone(), g["won"].clone(), g["lost"].clone()),
        (json!(0), json!(2), json!(0))
    );
    assert_eq!(
        g["wonAmount"],
        json!([{ "amount": "3500.15", "currency": "EUR" }])
    );
    assert_eq!(
        deal_volumes(g),
        "DISCOVERY:0/4 [50.00 GBP+310.05 USD] [5.00 GBP+31.01 USD] CLOSED_WON:2/2 [3500.15 EUR] [3500.15 EUR]"
    );

    // As of the second win: only the first has happened.
    let past = app.data(DEAL_FUNNEL, input(c1, later, Some(t3), json!({}))).await["dealFunnel"].clone();
    let g = &past["groups"][0];
    assert_eq!(g["won"], 1);
    assert_eq!(g["stages"][0]["inStageAtEnd"], 5);
    assert_eq!(g["stages"][5]["inStageAtEnd"], 1);

    // By owner: the admin made them all.
    let admin = app
        .data("{ viewer { user { id displayName } } }", json!({}))
        .await["viewer"]["user"]
        .clone();
    let by_owner = app
        .data(DEAL_FUNNEL, input(c1, later, None, json!({ "groupBy": "OWNER" })))
        .await["dealFunnel"]
        .clone();
    assert_eq!(by_owner["groups"].as_array().unwrap().len(), 1);
    assert_eq!(by_owner["groups"][0]["key"], admin["id"]);
    assert_eq!(by_owner["groups"][0]["label"], admin["displayName"]);
}

async fn lead_source_quality_follows_each_sources_cohort(app: TestApp) {
    let acme = account_in(&app, "Acme", "TIER_1").await;
    let (ana, start) = lead(&app, &acme, "Ana", Some("WEBINAR")).await;
    let (ben, _) = lead(&app, &acme, "Ben", Some("WEBINAR")).await;
    let (cy, _) = lead(&app, &acme, "Cy", Some("EVENT")).await;
    lead(&app, &acme, "Dee", None).await;
    move_lead(&app, &ana, "MQL", None).await;
    move_lead(&app, &ana, "SAL", None).await;
    let ben_mql = move_lead(&app, &ben, "MQL", None).await;
    move_lead(&app, &ben, "NURTURE", Some("NO_BUDGET")).await;
    let feedback = app
        .data(
            "mutation($id: ID!) { recordLeadFeedback(input: { stakeholderId: $id, rating: GOOD }) { userErrors { code } } }",
            json!({ "id": cy }),
        )
        .await;
    assert_eq!(feedback["recordLeadFeedback"]["userErrors"], json!([]));
    let (won, _) = deal(&app, &acme, Some(("100", "EUR")), Some("WEBINAR")).await;
    move_deal(&app, &won, "CLOSED_WON", None).await;
    let later = Utc::now() + Duration::days(1);

    let rows = app
        .data(SOURCE_QUALITY, input(start, later, None, json!({})))
        .await["leadSourceQuality"]
        .clone();
    let sources: Vec<Value> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["leadSource"].clone())
        .collect();
    assert_eq!(sources, vec![json!("WEBINAR"), json!("EVENT"), Value::Null]);
    assert_eq!(
        rows[0],
        json!({ "leadSource": "WEBINAR", "leads": 2, "mqls": 2, "accepted": 1, "rejected": 1, "acceptanceRate": 0.5,
            "opportunities": 0, "customers": 0, "rejectionReasons": [{ "reasonCode": "NO_BUDGET", "count": 1 }],
            "feedback": { "good": 0, "fair": 0, "poor": 1 }, "wonAmount": [{ "amount": "100.00", "currency": "EUR" }] })
    );
    assert_eq!(rows[1]["leads"], 1);
    assert_eq!(rows[1]["acceptanceRate"], Value::Null);
    assert_eq!(rows[1]["feedback"], json!({ "good": 1, "fair": 0, "poor": 0 }));
    assert_eq!(rows[2]["leads"], 1);

    // Before Ben was rejected: no rejection, no POOR feedback yet, nothing won.
    let past = app
        .data(
            SOURCE_QUALITY,
            input(start, later, Some(ben_mql + Duration::microseconds(1)), json!({})),
        )
        .await["leadSourceQuality"]
        .clone();
    assert_eq!(past[0]["rejected"], 0);
    assert_eq!(past[0]["mqls"], 2);
    assert_eq!(past[0]["feedback"]["poor"], 0);
    assert_eq!(past[0]["wonAmount"], json!([]));
    // A period after the leads were created: no cohort; the feedback and the win remain.
    let after = app
        .data(SOURCE_QUALITY, input(ben_mql, later, None, json!({})))
        .await["leadSourceQuality"]
        .clone();
    // Equal leads (none): by source name.
    let sources: Vec<Value> = after
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["leadSource"].clone())
        .collect();
    assert_eq!(sources, vec![json!("EVENT"), json!("WEBINAR")], "{after}");
    assert_eq!(after[1]["leads"], 0);
    assert_eq!(after[1]["feedback"]["poor"], 1);
    assert_eq!(
        after[1]["wonAmount"],
        json!([{ "amount": "100.00", "currency": "EUR" }])
    );
}

async fn handoff_performance_follows_each_mql_to_its_decision(app: TestApp) {
    let (sales_id, _) = app.user_with_role("sales").await;
    let acme = account_in(&app, "Acme", "TIER_1").await;
    let (ana, start) = lead(&app, &acme, "Ana", None).await;
    let (ben, _) = lead(&app, &acme, "Ben", None).await;
    let (cy, _) = lead(&app, &acme, "Cy", None).await;
    let assigned = app
        .data(
            MOVE_LEAD,
            json!({ "i": { "stakeholderId": ana, "to": "MQL", "assignOwnerId": sales_id } }),
        )
        .await;
    assert_eq!(assigned["moveLeadStage"]["userErrors"], json!([]));
    let ana_mql = last_move(&app, &ana).await;
    let ana_sal = move_lead(&app, &ana, "SAL", None).await;
    let ben_mql = move_lead(&app, &ben, "MQL", None).await;
    let ben_nurture = move_lead(&app, &ben, "NURTURE", Some("BAD_TIMING")).await;
    let cy_mql = move_lead(&app, &cy, "MQL", None).await;
    let later = Utc::now() + Duration::days(1);

    let all = app.data(HANDOFF, input(start, later, None, json!({}))).await["handoffPerformance"].clone();
    assert_eq!(all.as_array().unwrap().len(), 1);
    let g = &all[0];
    assert_eq!(
        (
            g["handedOff"].clone(),
            g["acceptedInSla"].clone(),
            g["acceptedLate"].clone(),
            g["rejected"].clone(),
            g["open"].clone(),
            g["openOverdue"].clone()
        ),
        (json!(3), json!(1), json!(0), json!(1), json!(1), json!(0))
    );
    close(
        &g["medianHoursToDecision"],
        median(vec![hours(ana_mql, ana_sal), hours(ben_mql, ben_nurture)]),
    );

    // Seen from a day later, Cy's handoff is overdue (the SLA is 24 hours by default).
    let ahead = app
        .data(
            HANDOFF,
            input(start, later, Some(cy_mql + Duration::hours(25)), json!({})),
        )
        .await["handoffPerformance"]
        .clone();
    assert_eq!(ahead[0]["openOverdue"], 1);
    // As of Ana's acceptance, hers is still open; Ben's and Cy's have not happened.
    let past = app
        .data(HANDOFF, input(start, later, Some(ana_sal), json!({})))
        .await["handoffPerformance"]
        .clone();
    assert_eq!(
        (past[0]["handedOff"].clone(), past[0]["open"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(past[0]["medianHoursToDecision"], Value::Null);
    // The entry exactly at `from` counts, the one exactly at `to` does not.
    let window =
        app.data(HANDOFF, input(ben_mql, cy_mql, None, json!({}))).await["handoffPerformance"].clone();
    assert_eq!(
        (window[0]["handedOff"].clone(), window[0]["rejected"].clone()),
        (json!(1), json!(1))
    );

    // By owner: Ana's was handed to the sales user.
    let by_owner = app
        .data(HANDOFF, input(start, later, None, json!({ "groupBy": "OWNER" })))
        .await["handoffPerformance"]
        .clone();
    let sales = by_owner
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == sales_id.as_str())
        .unwrap_or_else(|| panic!("{by_owner}"));
    assert_eq!(
        (sales["handedOff"].clone(), sales["label"].clone()),
        (json!(1), json!("sales"))
    );
    let total: i64 = by_owner
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["handedOff"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 3);
}

async fn lead_funnels_group_by_persona_owner_and_marketing_owner(app: TestApp) {
    let (sales_id, _) = app.user_with_role("sales").await;
    let (marketing_id, marketing) = app.user_with_role("marketing").await;
    let persona = |name: &str| {
        let name = name.to_owned();
        let app = &app;
        async move {
            app.data(
                "mutation($n: String!) { createPersona(input: { name: $n }) { persona { id } } }",
                json!({ "n": name }),
            )
            .await["createPersona"]["persona"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let (cfo, cto) = (persona("CFO").await, persona("CTO").await);
    let owned = app
        .data(
            "mutation($o: ID!) { createAccount(input: { name: \"Owned\", ownerId: $o }) { account { id } } }",
            json!({ "o": sales_id }),
        )
        .await["createAccount"]["account"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let create = "mutation($a: ID!, $f: String!, $p: ID) { createStakeholder(input: { accountId: $a, firstName: $f, lastName: \"Doe\", personaId: $p }) { stakeholder { id createdAt } } }";
    let first = app
        .data(create, json!({ "a": owned, "f": "Ana", "p": cto }))
        .await["createStakeholder"]["stakeholder"]
        .clone();
    let start = time(&first["createdAt"]);
    app.data(create, json!({ "a": owned, "f": "Ben", "p": cfo }))
        .await;
    app.data_as(
        Some(&marketing),
        create,
        json!({ "a": owned, "f": "Cy", "p": cfo }),
    )
    .await;
    let other = account_in(&app, "Other", "TIER_3").await;
    app.data(create, json!({ "a": other, "f": "Dee", "p": null }))
        .await;
    let later = Utc::now() + Duration::days(1);

    let by_persona = funnel(&app, start, later, None, json!({ "groupBy": "PERSONA" })).await;
    let groups: Vec<(Value, Value, Value)> = by_persona["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["key"].clone(),
                g["label"].clone(),
                g["stages"][0]["entered"].clone(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        vec![
            (json!(cfo), json!("CFO"), json!(2)),
            (json!(cto), json!("CTO"), json!(1)),
            (Value::Null, json!("No persona"), json!(1)),
        ]
    );
    let by_marketer = funnel(&app, start, later, None, json!({ "groupBy": "MARKETING_OWNER" })).await;
    let marketer = by_marketer["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == marketing_id.as_str())
        .unwrap_or_else(|| panic!("{by_marketer}"));
    assert_eq!(
        (
            marketer["label"].clone(),
            marketer["stages"][0]["entered"].clone()
        ),
        (json!("marketing"), json!(1))
    );
    let filtered = funnel(
        &app,
        start,
        later,
        None,
        json!({ "filter": { "personaIds": [cfo], "marketingOwnerIds": [marketing_id] } }),
    )
    .await;
    assert_eq!(volumes(&filtered["groups"][0]), "INQUIRY:1/1");
    // Accounts by their owner: the owned account and one without the sales owner.
    let by_owner = funnel(
        &app,
        start,
        later,
        None,
        json!({ "unit": "ACCOUNT", "groupBy": "OWNER" }),
    )
    .await;
    let sales = by_owner["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == sales_id.as_str())
        .unwrap_or_else(|| panic!("{by_owner}"));
    assert_eq!(
        (sales["label"].clone(), volumes(sales)),
        (json!("sales"), "INQUIRY:1/1".to_owned())
    );
    let owned_only = funnel(
        &app,
        start,
        later,
        None,
        json!({ "unit": "ACCOUNT", "filter": { "ownerIds": [sales_id] } }),
    )
    .await;
    assert_eq!(volumes(&owned_only["groups"][0]), "INQUIRY:1/1");
}

/// The example queries of the README's Analytics section: indented blocks starting with `{`.
fn readme_examples() -> Vec<String> {
    let readme = include_str!("../../README.md");
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

/// The statements of each report do not grow with the data (two more authenticate the caller).
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
        (LEAD_FUNNEL, vars.clone(), 4),
        (LEAD_FUNNEL, owner.clone(), 5),
        (DEAL_FUNNEL, vars.clone(), 4),
        (DEAL_FUNNEL, owner.clone(), 5),
        (SOURCE_QUALITY, vars.clone(), 4),
        (HANDOFF, vars.clone(), 4),
        (HANDOFF, owner.clone(), 5),
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
            let n = app.statements_for(query, vars.clone()).await;
            assert_eq!(n, *expected, "{query}");
            round.push(n);
        }
        costs.push(round);
    }
    assert_eq!(costs[0], costs[1]);
}

on_both_stores!(
    lead_funnels_group_by_persona_owner_and_marketing_owner,
    the_readme_examples_run,
    each_report_costs_a_fixed_number_of_statements,
    the_deal_funnel_sums_money_per_currency_to_the_cent,
    lead_source_quality_follows_each_sources_cohort,
    handoff_performance_follows_each_mql_to_its_decision,
    the_lead_funnel_counts_a_small_history_exactly,
    bad_periods_and_groupings_are_refused,
    a_role_without_analytics_read_is_refused_and_a_viewer_token_reads,
    an_own_grant_counts_only_ones_own_records,
);
