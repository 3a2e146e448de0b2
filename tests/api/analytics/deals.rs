//! `dealFunnel`, `leadSourceQuality` and `handoffPerformance` on small histories built through
//! the API, with answers worked out by hand.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::{
    DEAL_FUNNEL, HANDOFF, MOVE_LEAD, SOURCE_QUALITY, account_in, close, deal, hours, input, last_move, lead,
    move_deal, move_lead,
};
use crate::helpers::{TestApp, on_both_stores};

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

on_both_stores!(
    the_deal_funnel_sums_money_per_currency_to_the_cent,
    lead_source_quality_follows_each_sources_cohort,
    handoff_performance_follows_each_mql_to_its_decision,
);
