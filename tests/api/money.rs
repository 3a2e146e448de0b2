//! Money is exact on both stores: what is written reads back to the cent, through create,
//! update, the by-ID read, lists ordered by amount and every analytics sum, up to the largest
//! amount. (SQLite once kept amounts as floats: 123456789012345.67 read back as .70.)

use chrono::{Duration, Utc};
use migration::{Migrator, MigratorTrait};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::{
    analytics::{DEAL_FUNNEL, SOURCE_QUALITY, input, move_deal},
    helpers::{TestApp, on_both_stores},
    opportunity::account,
};

const CREATE: &str = "mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) {
  opportunity { id createdAt amount { amount currency } } userErrors { field code } } }";
const UPDATE: &str = "mutation($i: UpdateOpportunityInput!) { updateOpportunity(input: $i) {
  opportunity { amount { amount currency } } userErrors { field code } } }";
const READ: &str = "query($id: ID!) { opportunity(id: $id) { amount { amount currency } } }";

/// Amounts that a float cannot hold exactly, or that sit at the cent.
const AWKWARD: [&str; 4] = ["123456789012345.67", "0.01", "0.10", "99999999999999.99"];

fn money(amount: &str, currency: &str) -> Value {
    json!({ "amount": amount, "currency": currency })
}

/// Creates a deal with `amount` and checks the payload shows it as written.
async fn create(app: &TestApp, account: &str, amount: &str, currency: &str, source: &str) -> Value {
    let data = app
        .data(
            CREATE,
            json!({ "i": { "accountId": account, "name": "Deal", "leadSource": source,
                "amount": money(amount, currency) } }),
        )
        .await;
    let created = &data["createOpportunity"];
    assert_eq!(created["userErrors"], json!([]), "{amount}");
    assert_eq!(created["opportunity"]["amount"], money(amount, currency));
    created["opportunity"].clone()
}

async fn read(app: &TestApp, id: &Value) -> Value {
    app.data(READ, json!({ "id": id })).await["opportunity"]["amount"].clone()
}

async fn update(app: &TestApp, id: &Value, amount: &str, currency: &str) {
    let data = app
        .data(
            UPDATE,
            json!({ "i": { "id": id, "amount": money(amount, currency) } }),
        )
        .await;
    assert_eq!(data["updateOpportunity"]["userErrors"], json!([]));
    assert_eq!(
        data["updateOpportunity"]["opportunity"]["amount"],
        money(amount, currency)
    );
}

/// One figure of a report's `[Money!]!` list, by currency.
fn in_currency<'a>(list: &'a Value, currency: &str) -> &'a Value {
    list.as_array()
        .and_then(|l| l.iter().find(|m| m["currency"] == currency))
        .map_or(&Value::Null, |m| &m["amount"])
}

async fn amounts_round_trip_exactly_through_writes_reads_and_sums(app: TestApp) {
    let acme = account(&app, "Acme").await;
    // One currency per awkward amount, so each report figure is that amount alone; CHF holds
    // two of them, so its figures are a sum.
    let currencies = ["EUR", "USD", "GBP", "JPY"];
    let mut ids = Vec::new();
    let mut from = None;
    for (amount, currency) in AWKWARD.iter().zip(currencies) {
        let o = create(&app, &acme, amount, currency, "WEBINAR").await;
        from.get_or_insert_with(|| crate::analytics::time(&o["createdAt"]));
        assert_eq!(read(&app, &o["id"]).await, money(amount, currency));
        ids.push(o["id"].clone());
    }
    let from = from.unwrap();
    // Updates write exactly too: each deal takes the next awkward amount, then its own back.
    for (i, id) in ids.iter().enumerate() {
        let other = AWKWARD[(i + 1) % AWKWARD.len()];
        update(&app, id, other, currencies[i]).await;
        assert_eq!(read(&app, id).await, money(other, currencies[i]));
        update(&app, id, AWKWARD[i], currencies[i]).await;
        assert_eq!(read(&app, id).await, money(AWKWARD[i], currencies[i]));
    }
    let chf = [
        create(&app, &acme, AWKWARD[0], "CHF", "EVENT").await,
        create(&app, &acme, AWKWARD[1], "CHF", "EVENT").await,
    ];

    // Lists show the same, ordered by amount.
    let list = app
        .data(
            "{ opportunities(first: 10, orderBy: { field: AMOUNT, direction: DESC }) { nodes { amount { amount } } } }",
            json!({}),
        )
        .await;
    let shown: Vec<&str> = list["opportunities"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["amount"]["amount"].as_str().unwrap())
        .collect();
    assert_eq!(
        shown,
        vec![
            "123456789012345.67",
            "123456789012345.67",
            "99999999999999.99",
            "0.10",
            "0.01",
            "0.01"
        ]
    );

    for id in ids.iter().chain(chf.iter().map(|o| &o["id"])) {
        move_deal(&app, id.as_str().unwrap(), "CLOSED_WON", None).await;
    }
    let later = Utc::now() + Duration::days(1);
    let funnel = app.data(DEAL_FUNNEL, input(from, later, None, json!({}))).await;
    let group = &funnel["dealFunnel"]["groups"][0];
    let won_stage = group["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "CLOSED_WON")
        .unwrap()
        .clone();
    for (amount, currency) in AWKWARD.iter().zip(currencies) {
        assert_eq!(in_currency(&group["wonAmount"], currency), amount, "{currency}");
        assert_eq!(in_currency(&group["averageWonAmount"], currency), amount);
        assert_eq!(in_currency(&won_stage["amountAtEnd"], currency), amount);
        assert_eq!(in_currency(&won_stage["weightedAmountAtEnd"], currency), amount);
    }
    assert_eq!(in_currency(&group["wonAmount"], "CHF"), "123456789012345.68");
    assert_eq!(
        in_currency(&won_stage["amountAtEnd"], "CHF"),
        "123456789012345.68"
    );
    // Half of 123456789012345.68, exact.
    assert_eq!(
        in_currency(&group["averageWonAmount"], "CHF"),
        "61728394506172.84"
    );

    let quality = app
        .data(SOURCE_QUALITY, input(from, later, None, json!({})))
        .await;
    let rows = quality["leadSourceQuality"].as_array().unwrap();
    let by_source = |source: &str| {
        rows.iter()
            .find(|r| r["leadSource"] == source)
            .map(|r| r["wonAmount"].clone())
            .unwrap_or_else(|| panic!("no {source} row in {quality}"))
    };
    let webinar = by_source("WEBINAR");
    for (amount, currency) in AWKWARD.iter().zip(currencies) {
        assert_eq!(in_currency(&webinar, currency), amount);
    }
    assert_eq!(
        by_source("EVENT"),
        json!([{ "amount": "123456789012345.68", "currency": "CHF" }])
    );
}

/// The largest amount is taken, a cent more is not; and sums of many of the largest amounts
/// (past 64 bits in cents times percent) come out exact rather than overflowing.
async fn the_largest_amounts_are_summed_without_overflow(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let too_large = app
        .data(
            CREATE,
            json!({ "i": { "accountId": acme, "name": "Deal",
                "amount": money("10000000000000000.00", "EUR") } }),
        )
        .await;
    assert_eq!(
        too_large["createOpportunity"]["userErrors"],
        json!([{ "field": ["amount", "amount"], "code": "INVALID" }])
    );

    let mut from = None;
    for _ in 0..10 {
        let o = create(&app, &acme, "9999999999999999.99", "EUR", "WEBINAR").await;
        from.get_or_insert_with(|| crate::analytics::time(&o["createdAt"]));
    }
    let later = Utc::now() + Duration::days(1);
    let body = app
        .gql(DEAL_FUNNEL, input(from.unwrap(), later, None, json!({})))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let discovery = &body["data"]["dealFunnel"]["groups"][0]["stages"][0];
    assert_eq!(discovery["stage"], "DISCOVERY");
    assert_eq!(
        in_currency(&discovery["amountAtEnd"], "EUR"),
        "99999999999999999.90"
    );
    // At DISCOVERY's 10 %.
    assert_eq!(
        in_currency(&discovery["weightedAmountAtEnd"], "EUR"),
        "9999999999999999.99"
    );
}

/// The migration to integer cents carries existing amounts over, and its `down` restores
/// them (12.34 goes down and up again). The old column held floats on SQLite: 0.29 is
/// 0.28999999999999998 there and must still come back as 29 cents.
async fn existing_amounts_are_carried_over_as_cents(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let kept = create(&app, &acme, "12.34", "EUR", "WEBINAR").await;
    let small = create(&app, &acme, "1.00", "EUR", "WEBINAR").await;
    let large = create(&app, &acme, "7.00", "USD", "WEBINAR").await;
    let cleared = create(&app, &acme, "5.00", "EUR", "WEBINAR").await;
    // Back to the DECIMAL column, undoing the migrations from this one on (the server is not
    // asked anything meanwhile), where the rows get the amounts the old column held.
    let applied = Migrator::get_applied_migrations(&app.db).await.unwrap();
    let at = applied
        .iter()
        .position(|m| m.name() == "m20261202_000011_store_money_in_minor_units")
        .expect("the money migration is applied");
    let steps = u32::try_from(applied.len() - at).unwrap();
    Migrator::down(&app.db, Some(steps)).await.unwrap();
    for sql in [
        "UPDATE opportunity SET amount = 0.29 WHERE amount = 1",
        "UPDATE opportunity SET amount = 1234567890123.45 WHERE amount = 7",
        "UPDATE opportunity SET amount = NULL, currency = NULL WHERE amount = 5",
    ] {
        let done = app.db.execute_unprepared(sql).await.unwrap();
        assert_eq!(done.rows_affected(), 1, "{sql}");
    }
    Migrator::up(&app.db, None).await.unwrap();

    assert_eq!(read(&app, &kept["id"]).await, money("12.34", "EUR"));
    assert_eq!(read(&app, &small["id"]).await, money("0.29", "EUR"));
    assert_eq!(read(&app, &large["id"]).await, money("1234567890123.45", "USD"));
    assert_eq!(read(&app, &cleared["id"]).await, Value::Null);
}

on_both_stores!(
    amounts_round_trip_exactly_through_writes_reads_and_sums,
    the_largest_amounts_are_summed_without_overflow,
    existing_amounts_are_carried_over_as_cents,
);
