//! `contentInfluence`: a small case worked out by hand, and a random history (fixed seed, deals
//! back-dated in the database) compared for many periods with a recount written here from the
//! contract's definitions over the rows read back through the API.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use entity::opportunity;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{content, join, person, touch};
use crate::{
    analytics::move_deal,
    helpers::{TestApp, on_both_stores},
    opportunity::{account, deal},
};

pub const INFLUENCE: &str = "query($i: ContentInfluenceInput!) { contentInfluence(input: $i) {
  content { id title } touches stakeholdersReached opportunitiesInfluenced opportunitiesWon
  influencedAmount { amount currency } wonAmount { amount currency } } }";

fn period(days_back: i64) -> Value {
    json!({ "from": (Utc::now() - Duration::days(days_back)).to_rfc3339(), "to": (Utc::now() + Duration::hours(1)).to_rfc3339() })
}

fn with(mut input: Value, key: &str, value: Value) -> Value {
    input[key] = value;
    input
}

async fn influence_counts_touches_named_deals_and_participants_while_open(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let won = deal(
        &app,
        json!({ "accountId": acme, "name": "Won", "amount": { "amount": "1000", "currency": "EUR" } }),
    )
    .await;
    let open = deal(
        &app,
        json!({ "accountId": acme, "name": "Open", "amount": { "amount": "500.25", "currency": "USD" } }),
    )
    .await;
    let p1 = person(&app, &acme, "P1", "CHAMPION", None).await;
    let p2 = person(&app, &acme, "P2", "CHAMPION", None).await;
    let p3 = person(&app, &acme, "P3", "CHAMPION", None).await;
    join(&app, &won, &p1, None).await;
    join(&app, &open, &p2, None).await;
    let x = content(&app, "X", "CASE_STUDY", json!({})).await;
    let y = content(&app, "Y", "WHITEPAPER", json!({})).await;
    let z = content(&app, "Z", "BLOG_POST", json!({})).await;
    let w = content(&app, "W", "BLOG_POST", json!({})).await;

    touch(&app, &p1, Some(&x), None, 0).await; // Won, as its participant
    touch(&app, &p3, Some(&x), Some(&open), 0).await; // Open, named
    touch(&app, &p1, Some(&x), None, 10).await; // before Won existed: no deal
    touch(&app, &p2, Some(&y), None, 0).await; // Open
    touch(&app, &p1, Some(&y), None, 0).await; // Won
    touch(&app, &p1, Some(&y), None, 0).await;
    touch(&app, &p1, Some(&y), None, 0).await;
    touch(&app, &p3, Some(&z), None, 0).await; // on no deal
    touch(&app, &p1, None, Some(&won), 0).await; // no content
    move_deal(&app, &won, "CLOSED_WON", None).await;
    touch(&app, &p1, Some(&z), None, 0).await; // Won is closed by now

    let data = app.data(INFLUENCE, json!({ "i": period(30) })).await;
    let rows = data["contentInfluence"].as_array().unwrap();
    let titles: Vec<&str> = rows
        .iter()
        .map(|r| r["content"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["Y", "X", "Z"],
        "as much won: more touches first; untouched content is not listed"
    );
    let money =
        json!([{ "amount": "1000.00", "currency": "EUR" }, { "amount": "500.25", "currency": "USD" }]);
    assert_eq!(rows[0]["touches"], 4);
    assert_eq!(rows[0]["stakeholdersReached"], 2);
    assert_eq!(rows[0]["opportunitiesInfluenced"], 2);
    assert_eq!(rows[0]["opportunitiesWon"], 1);
    assert_eq!(rows[0]["influencedAmount"], money);
    assert_eq!(
        rows[0]["wonAmount"],
        json!([{ "amount": "1000.00", "currency": "EUR" }])
    );
    assert_eq!(rows[1]["touches"], 3);
    assert_eq!(rows[1]["stakeholdersReached"], 2);
    assert_eq!(rows[1]["opportunitiesInfluenced"], 2);
    assert_eq!(rows[1]["influencedAmount"], money);
    assert_eq!(rows[2]["touches"], 2);
    assert_eq!(rows[2]["opportunitiesInfluenced"], 0);
    assert_eq!(rows[2]["influencedAmount"], json!([]));

    // The last week only leaves out the old touch of X.
    let data = app.data(INFLUENCE, json!({ "i": period(7) })).await;
    assert_eq!(data["contentInfluence"][1]["touches"], 2);
    // Filtered by content (untouched content listed with nothing), cut by `first`.
    let input = with(period(30), "contentIds", json!([z, w, "not an id"]));
    let data = app.data(INFLUENCE, json!({ "i": input })).await;
    let titles: Vec<&str> = data["contentInfluence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["content"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Z", "W"]);
    assert_eq!(data["contentInfluence"][1]["touches"], 0);
    let data = app
        .data(INFLUENCE, json!({ "i": with(period(30), "first", json!(1)) }))
        .await;
    assert_eq!(data["contentInfluence"].as_array().unwrap().len(), 1);
    let data = app
        .data(
            INFLUENCE,
            json!({ "i": with(period(30), "contentIds", json!([])) }),
        )
        .await;
    assert_eq!(data["contentInfluence"], json!([]));
}

/// A small deterministic generator (the tests' own, so no dependency decides the history).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn uuid_of(id: &str) -> Uuid {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(id)
        .unwrap();
    let text = String::from_utf8(raw).unwrap();
    Uuid::parse_str(text.split_once(':').unwrap().1).unwrap()
}

fn time(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str()
        .map(|s| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc))
}

fn cents(amount: &str) -> i64 {
    let (whole, frac) = amount.split_once('.').unwrap_or((amount, "0"));
    whole.parse::<i64>().unwrap() * 100 + format!("{frac:0<2}")[..2].parse::<i64>().unwrap()
}

struct Deal {
    created: DateTime<Utc>,
    closed: Option<DateTime<Utc>>,
    won: bool,
    money: Option<(String, i64)>,
    people: BTreeSet<String>,
}

struct Touch {
    person: String,
    content: String,
    deal: Option<String>,
    at: DateTime<Utc>,
}

/// The contract's definitions, row by row.
fn recount(
    deals: &BTreeMap<String, Deal>,
    touches: &[Touch],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Value> {
    let mut per: BTreeMap<String, (i64, BTreeSet<&str>, BTreeSet<&str>)> = BTreeMap::new();
    for t in touches.iter().filter(|t| t.at >= from && t.at < to) {
        let e = per.entry(t.content.clone()).or_default();
        e.0 += 1;
        e.1.insert(&t.person);
        for (id, d) in deals {
            let named = t.deal.as_deref() == Some(id.as_str());
            let open_then =
                d.people.contains(&t.person) && d.created <= t.at && d.closed.is_none_or(|c| t.at < c);
            if named || open_then {
                e.2.insert(id);
            }
        }
    }
    let mut rows: Vec<(String, i64, i64, Value)> = per
        .into_iter()
        .map(|(content, (touches, people, influenced))| {
            let mut all: BTreeMap<String, i64> = BTreeMap::new();
            let mut won: BTreeMap<String, i64> = BTreeMap::new();
            let mut wins = 0;
            for id in &influenced {
                let d = &deals[*id];
                wins += i64::from(d.won);
                if let Some((currency, c)) = &d.money {
                    *all.entry(currency.clone()).or_default() += c;
                    if d.won {
                        *won.entry(currency.clone()).or_default() += c;
                    }
                }
            }
            let money = |m: &BTreeMap<String, i64>| {
                m.iter()
                    .map(|(cur, c)| json!({ "amount": format!("{}.{:02}", c / 100, c % 100), "currency": cur }))
                    .collect::<Vec<_>>()
            };
            let row = json!({ "content": { "id": content }, "touches": touches, "stakeholdersReached": people.len(),
                "opportunitiesInfluenced": influenced.len(), "opportunitiesWon": wins,
                "influencedAmount": money(&all), "wonAmount": money(&won) });
            (content, touches, 0, row)
        })
        .collect();
    let first_currency = rows
        .iter()
        .filter_map(|r| r.3["wonAmount"][0]["currency"].as_str().map(str::to_owned))
        .min();
    for r in &mut rows {
        r.2 = r.3["wonAmount"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| Some(m["currency"].as_str().unwrap().to_owned()) == first_currency)
            .map_or(0, |m| cents(m["amount"].as_str().unwrap()));
    }
    rows.sort_by(|a, b| {
        b.2.cmp(&a.2)
            .then(b.1.cmp(&a.1))
            .then(uuid_of(&a.0).cmp(&uuid_of(&b.0)))
    });
    rows.into_iter().map(|r| r.3).collect()
}

async fn influence_agrees_with_a_recount_of_a_random_history(app: TestApp) {
    let mut rng = Rng(7);
    let now = Utc::now();
    let mut people_of: Vec<(String, Vec<String>)> = Vec::new();
    let mut deal_ids: Vec<(String, usize)> = Vec::new();
    for a in 0..2 {
        let acc = account(&app, &format!("A{a}")).await;
        let mut people = Vec::new();
        for i in 0..4 {
            people.push(person(&app, &acc, &format!("A{a}P{i}"), "CHAMPION", None).await);
        }
        for k in 0..3 {
            let money = match rng.below(3) {
                0 => json!(null),
                1 => {
                    json!({ "amount": format!("{}.{:02}", 100 + rng.below(900), rng.below(100)), "currency": "EUR" })
                }
                _ => json!({ "amount": format!("{}", 50 + rng.below(500)), "currency": "USD" }),
            };
            let d = deal(
                &app,
                json!({ "accountId": acc, "name": format!("A{a}D{k}"), "amount": money }),
            )
            .await;
            for p in &people {
                if rng.chance(50) {
                    join(&app, &d, p, None).await;
                }
            }
            match k {
                0 => {
                    move_deal(&app, &d, "CLOSED_WON", None).await;
                }
                1 => {
                    move_deal(&app, &d, "CLOSED_LOST", Some("NO_BUDGET")).await;
                }
                _ => {}
            }
            deal_ids.push((d, people_of.len()));
        }
        people_of.push((acc, people));
    }
    // Deals are back-dated: created 10 to 70 days ago, closed (if closed) some days later.
    for (d, _) in &deal_ids {
        let created = now - Duration::days(10 + rng.below(60) as i64);
        let closed = created + Duration::days(1 + rng.below(9) as i64);
        let id = opportunity::Column::Id.eq(uuid_of(d));
        opportunity::Entity::update_many()
            .col_expr(opportunity::Column::CreatedAt, Expr::value(created))
            .filter(id.clone())
            .exec(&app.db)
            .await
            .unwrap();
        opportunity::Entity::update_many()
            .col_expr(opportunity::Column::ClosedAt, Expr::value(closed))
            .filter(id)
            .filter(opportunity::Column::ClosedAt.is_not_null())
            .exec(&app.db)
            .await
            .unwrap();
    }
    let mut contents = Vec::new();
    for i in 0..5 {
        contents.push(content(&app, &format!("C{i}"), "BLOG_POST", json!({})).await);
    }
    for _ in 0..45 {
        let (a, people) = &people_of[rng.below(2) as usize];
        let p = &people[rng.below(4) as usize];
        let c = &contents[rng.below(5) as usize];
        let named: Vec<&String> = deal_ids
            .iter()
            .filter(|(_, owner)| people_of[*owner].0 == *a)
            .map(|(d, _)| d)
            .collect();
        let d = rng
            .chance(30)
            .then(|| named[rng.below(named.len() as u64) as usize].as_str());
        touch(&app, p, Some(c), d, rng.below(80) as i64).await;
    }
    // The rows, read back through the API.
    let read = app
        .data(
            "{ opportunities(first: 100, filter: { includeArchived: true }) { nodes { id stage createdAt closedAt amount { amount currency } participants { stakeholder { id } } } }
               engagements(first: 100) { nodes { occurredAt stakeholder { id } content { id } opportunity { id } } } }",
            json!({}),
        )
        .await;
    let deals: BTreeMap<String, Deal> = read["opportunities"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let deal = Deal {
                created: time(&o["createdAt"]).unwrap(),
                closed: time(&o["closedAt"]),
                won: o["stage"] == "CLOSED_WON",
                money: o["amount"]["amount"]
                    .as_str()
                    .map(|a| (o["amount"]["currency"].as_str().unwrap().to_owned(), cents(a))),
                people: o["participants"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["stakeholder"]["id"].as_str().unwrap().to_owned())
                    .collect(),
            };
            (o["id"].as_str().unwrap().to_owned(), deal)
        })
        .collect();
    let touches: Vec<Touch> = read["engagements"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| Touch {
            person: e["stakeholder"]["id"].as_str().unwrap().to_owned(),
            content: e["content"]["id"].as_str().unwrap().to_owned(),
            deal: e["opportunity"]["id"].as_str().map(str::to_owned),
            at: time(&e["occurredAt"]).unwrap(),
        })
        .collect();
    assert_eq!(touches.len(), 45);
    let mut checked_influence = false;
    for round in 0..12 {
        let (a, b) = (rng.below(90) as i64, rng.below(90) as i64);
        let (from, to) = if round == 0 {
            (now - Duration::days(100), now + Duration::days(1))
        } else {
            (
                now - Duration::days(a.max(b)),
                now - Duration::days(a.min(b)) + Duration::hours(1),
            )
        };
        let expected = recount(&deals, &touches, from, to);
        checked_influence |= expected.iter().any(|r| r["opportunitiesWon"].as_i64() > Some(0));
        let data = app
            .data(
                INFLUENCE,
                json!({ "i": { "from": from.to_rfc3339(), "to": to.to_rfc3339(), "first": 100 } }),
            )
            .await;
        let actual: Vec<Value> = data["contentInfluence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r["content"] = json!({ "id": r["content"]["id"] });
                r
            })
            .collect();
        assert_eq!(actual, expected, "period {from} to {to}");
    }
    assert!(checked_influence, "the history has influenced wins to check");
}

on_both_stores!(
    influence_counts_touches_named_deals_and_participants_while_open,
    influence_agrees_with_a_recount_of_a_random_history,
);
