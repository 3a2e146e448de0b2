//! A random history (fixed seed), written straight into the database with chosen timestamps
//! (moves through the API all happen "now"), and every figure of `leadFunnel`, `dealFunnel`,
//! `leadSourceQuality` and `handoffPerformance` compared, for many random periods, with a plain
//! recomputation from the raw rows read back: entries from `createdAt` and the stage changes
//! (not from the interval table the server reads), written from the contract's definitions.

mod history;
mod recount;
mod world;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use history::{Rng, base, build};
use recount::{deal_funnel, handoffs, lead_funnel, source_quality};
use world::{By, Unit, Window, World};

use super::{DEAL_FUNNEL, LEAD_FUNNEL, SOURCE_QUALITY, input};
use crate::helpers::{TestApp, on_both_stores};

/// Equal JSON, numbers within a rounding error (SQLite reads times to the millisecond; sums of
/// floats run in another order).
fn same(actual: &Value, expected: &Value, path: &str) {
    match (actual, expected) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!((a - b).abs() <= 1e-6 * b.abs().max(1.0), "{path}: {a} != {b}");
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{path}: {actual} != {expected}");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                same(x, y, &format!("{path}[{i}]"));
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            for (k, y) in b {
                same(a.get(k).unwrap_or(&Value::Null), y, &format!("{path}.{k}"));
            }
        }
        _ => assert_eq!(actual, expected, "{path}"),
    }
}

fn window(rng: &mut Rng, times: &[DateTime<Utc>]) -> Window {
    let at = |rng: &mut Rng| {
        if rng.chance(50) {
            rng.pick(times)
        } else {
            base() - Duration::days(20) + Duration::seconds(rng.below(480 * 86_400) as i64)
        }
    };
    let (a, b) = (at(rng), at(rng));
    let (from, to) = if a <= b { (a, b) } else { (b, a) };
    let as_of = match rng.below(3) {
        0 => None,
        1 => Some(at(rng)),
        _ => Some(to + Duration::seconds(rng.below(90 * 86_400) as i64)),
    };
    Window { from, to, as_of }
}

fn by_key(groups: &Value) -> BTreeMap<Option<String>, Value> {
    groups
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["key"].as_str().map(str::to_owned), g.clone()))
        .collect()
}

async fn every_figure_agrees_with_a_recomputation_from_the_raw_rows(app: TestApp) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let times = build(&app, &mut rng).await;
    let world = World::read(&app).await;
    const HANDOFF: &str = "query($i: HandoffPerformanceInput!) { handoffPerformance(input: $i) {
      handedOff acceptedInSla acceptedLate rejected open openOverdue medianHoursToDecision } }";
    for round in 0..30 {
        let p = window(&mut rng, &times);
        let label = format!("round {round}: {} .. {} as of {:?}", p.from, p.to, p.as_of);
        for (unit, by, exclude) in [
            (Unit::Lead, By::None, false),
            (Unit::Lead, By::Source, false),
            (Unit::Lead, By::None, true),
            (Unit::Account, By::None, false),
            (Unit::Account, By::Tier, true),
        ] {
            let extra = json!({
                "unit": if unit == Unit::Lead { "LEAD" } else { "ACCOUNT" },
                "groupBy": match by { By::None => "NONE", By::Source => "LEAD_SOURCE", By::Tier => "ACCOUNT_TIER" },
                "filter": { "excludeArchived": exclude },
            });
            let data = app.data(LEAD_FUNNEL, input(p.from, p.to, p.as_of, extra)).await;
            let actual = by_key(&data["leadFunnel"]["groups"]);
            let expected = lead_funnel(&world, p, unit, by, exclude);
            assert_eq!(
                actual.keys().collect::<Vec<_>>(),
                expected.keys().collect::<Vec<_>>(),
                "{label}"
            );
            for (k, e) in &expected {
                same(&actual[k], e, &format!("{label} leadFunnel {k:?}"));
            }
        }
        for (by_source, exclude) in [(false, false), (true, false), (false, true)] {
            let extra = json!({
                "groupBy": if by_source { "LEAD_SOURCE" } else { "NONE" },
                "filter": { "excludeArchived": exclude },
            });
            let data = app.data(DEAL_FUNNEL, input(p.from, p.to, p.as_of, extra)).await;
            let actual = by_key(&data["dealFunnel"]["groups"]);
            let expected = deal_funnel(&world, p, by_source, exclude);
            assert_eq!(
                actual.keys().collect::<Vec<_>>(),
                expected.keys().collect::<Vec<_>>(),
                "{label}"
            );
            for (k, e) in &expected {
                same(&actual[k], e, &format!("{label} dealFunnel {k:?}"));
            }
        }
        let data = app
            .data(SOURCE_QUALITY, input(p.from, p.to, p.as_of, json!({})))
            .await;
        same(
            &data["leadSourceQuality"],
            &Value::Array(source_quality(&world, p)),
            &format!("{label} leadSourceQuality"),
        );
        let data = app.data(HANDOFF, input(p.from, p.to, p.as_of, json!({}))).await;
        same(
            &data["handoffPerformance"][0],
            &handoffs(&world, p),
            &format!("{label} handoffPerformance"),
        );
    }
}

on_both_stores!(every_figure_agrees_with_a_recomputation_from_the_raw_rows);
