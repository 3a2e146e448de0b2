//! Demo data: `trapeze seed` writes a realistic, deterministic data set an integrator can page
//! through, and refuses a database that already has accounts.

use std::{collections::HashSet, process::Command};

use serde_json::{Value, json};
use trapeze::seed::{Options, Size};

use crate::helpers::{TestApp, on_both_stores};

async fn every_stakeholder_is_paged_exactly_once(app: TestApp) {
    let mut options = Options::new(Size::Small, 7);
    options.today = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let report = trapeze::seed::run(&app.db, options).await.unwrap();
    assert!(report.rows("account") >= 40, "{}", report.render());
    let total = app
        .data("{ stakeholders(first: 1) { totalCount } }", json!({}))
        .await["stakeholders"]["totalCount"]
        .as_u64()
        .unwrap();
    assert_eq!(total, report.rows("stakeholder"));
    for order in ["NAME", "LEAD_SCORE", "CREATED_AT"] {
        let mut seen = HashSet::new();
        let mut after = Value::Null;
        loop {
            let page = app
                .data(
                    "query($after: String, $f: StakeholderOrderField!) { stakeholders(first: 100, after: $after, orderBy: { field: $f, direction: DESC }) { nodes { id } pageInfo { hasNextPage endCursor } } }",
                    json!({ "after": after, "f": order }),
                )
                .await["stakeholders"]
                .clone();
            for n in page["nodes"].as_array().unwrap() {
                assert!(
                    seen.insert(n["id"].as_str().unwrap().to_owned()),
                    "{order}: seen twice"
                );
            }
            if page["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(seen.len() as u64, total, "{order}");
    }
    // Seeded records have their stage intervals, and the data holds together.
    let deal_room = app
        .data(
            "{ accounts(first: 20) { nodes { opportunities(first: 5) { nodes { participants { isPrimary stakeholder { account { id } } } } } } } }",
            json!({}),
        )
        .await;
    let primaries: Vec<usize> = deal_room["accounts"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["opportunities"]["nodes"].as_array().unwrap().clone())
        .map(|o| {
            o["participants"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["isPrimary"] == true)
                .count()
        })
        .collect();
    assert!(
        !primaries.is_empty() && primaries.iter().all(|n| *n <= 1),
        "{primaries:?}"
    );
    assert!(
        trapeze::seed::run(&app.db, options).await.is_err(),
        "a second seed is refused"
    );
}

on_both_stores!(every_stakeholder_is_paged_exactly_once);

#[test]
fn the_seed_command_prints_the_demo_sign_ins_and_refuses_to_seed_twice() {
    let path = std::env::temp_dir().join(format!("trapeze-seed-{}.db", uuid::Uuid::now_v7().simple()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let seed = || {
        Command::new(env!("CARGO_BIN_EXE_trapeze"))
            .args(["seed", "--size", "small"])
            .env("DATABASE_URL", &url)
            .env("TRAPEZE_DEMO_PASSWORD", "demo password of some length")
            .output()
            .unwrap()
    };
    let first = seed();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let stdout = String::from_utf8(first.stdout).unwrap();
    for role in ["admin", "marketing", "sales", "sales_manager", "viewer"] {
        assert!(stdout.contains(&format!("{role}@demo.trapeze.dev")), "{stdout}");
    }
    let second = seed();
    assert_eq!(second.status.code(), Some(2));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
