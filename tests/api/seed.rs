//! Demo data: `trapeze seed` writes a realistic, deterministic data set an integrator can page
//! through, and refuses a database that already has accounts.

use std::{collections::HashSet, process::Command};

use entity::stage_change;
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder, Statement};
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

async fn count(app: &TestApp, sql: &str) -> i64 {
    let backend = app.db.get_database_backend();
    let row = app
        .db
        .query_one_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// The history the seed writes holds together in the database as it does in memory: every
/// record has one open stay, in its current stage; every lead's first stay is INQUIRY from its
/// creation and every deal's DISCOVERY; there is one stay per change plus one per record; and
/// the API pages through the history and the handoffs.
async fn the_seeded_history_is_consistent_in_the_database(app: TestApp) {
    let mut options = Options::new(Size::Small, 3);
    options.today = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let report = trapeze::seed::run(&app.db, options).await.unwrap();
    for table in [
        "stage_change",
        "stage_interval",
        "lead_feedback",
        "score_contribution",
        "scoring_rule",
    ] {
        assert!(report.rows(table) > 0, "{table}: {}", report.render());
    }
    let changes = report.rows("stage_change") as i64;
    let subjects =
        (report.rows("stakeholder") + report.rows("opportunity") + report.rows("deal_participant")) as i64;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM stage_change").await, changes);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM stage_interval").await,
        changes + subjects
    );
    for (table, stage) in [
        ("stakeholder", "lead_stage"),
        ("opportunity", "stage"),
        ("deal_participant", "buying_stage"),
    ] {
        let wrong = count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM {table} t WHERE 1 <> (SELECT COUNT(*) FROM stage_interval i \
                 WHERE i.subject_id = t.id AND i.left_at IS NULL AND i.stage = t.{stage})"
            ),
        )
        .await;
        assert_eq!(wrong, 0, "{table}: one open stay, in the current stage");
    }
    for (table, first) in [("stakeholder", "INQUIRY"), ("opportunity", "DISCOVERY")] {
        let wrong = count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM stage_interval i \
                 WHERE i.subject_id = t.id AND i.entered_at = t.created_at AND i.stage = '{first}')"
            ),
        )
        .await;
        assert_eq!(wrong, 0, "{table}: the first stay is {first} from the creation");
    }
    // Every change closes the stay it leaves and opens the next one at the same instant.
    let unmatched = count(
        &app,
        "SELECT COUNT(*) FROM stage_change c WHERE NOT EXISTS (SELECT 1 FROM stage_interval i \
         WHERE i.subject_id = c.subject_id AND i.left_at = c.changed_at AND i.stage = c.from_stage) \
         OR NOT EXISTS (SELECT 1 FROM stage_interval i WHERE i.subject_id = c.subject_id \
         AND i.entered_at = c.changed_at AND i.stage = c.to_stage)",
    )
    .await;
    assert_eq!(unmatched, 0);
    let last = stage_change::Entity::find()
        .order_by_desc(stage_change::Column::ChangedAt)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    assert!(last.changed_at <= day.and_hms_opt(0, 0, 0).unwrap().and_utc());
    assert!(last.changed_at > day.and_hms_opt(0, 0, 0).unwrap().and_utc() - chrono::Duration::days(30));
    let history = app
        .data(
            "{ stageHistory(first: 50) { totalCount nodes { changedAt note ... on LeadStageChange { from to } ... on OpportunityStageChange { from to } } } }",
            json!({}),
        )
        .await;
    assert_eq!(history["stageHistory"]["totalCount"].as_i64(), Some(changes));
    assert_eq!(history["stageHistory"]["nodes"].as_array().unwrap().len(), 50);
}

on_both_stores!(
    every_stakeholder_is_paged_exactly_once,
    the_seeded_history_is_consistent_in_the_database
);

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
