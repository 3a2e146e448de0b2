//! `leadFunnel` on small histories built through the API: every figure worked out by hand,
//! moves exactly at `from` and at `to`, past `asOf`, units, groupings, filters, archived records.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use super::{account_in, close, funnel, hours, lead, move_lead, steps, time, volumes};
use crate::helpers::{TestApp, on_both_stores};

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

on_both_stores!(
    the_lead_funnel_counts_a_small_history_exactly,
    lead_funnels_group_by_persona_owner_and_marketing_owner,
);
