//! Demo and load-test data: `trapeze seed --size small|medium|large [--seed N]` and
//! `trapeze serve --demo`.
//!
//! The data is deterministic: one seed and one day of seeding give the same rows, ids included,
//! on every run, because every value comes from a seeded generator and a clock that starts at
//! 00:00 UTC of the day of seeding (`--today`, by default the current day), never from the
//! system time as such. About two years of history end there: every lead starts at INQUIRY when
//! it is created and every deal at DISCOVERY, and their stage moves (`stage_change`), stays
//! (`stage_interval`) and the feedback sales gave lead to where they stand now. It is written in
//! one transaction, so a failed run leaves nothing behind, and only into a database without
//! accounts, so demo rows never mix with real ones.

mod activity;
mod content;
mod graph;
mod history;
mod people;
mod progress;
mod rng;
mod scoring;
mod store;
mod users;
mod words;
mod world;

use std::{
    fmt::Write as _,
    time::{Duration, Instant},
};

use chrono::NaiveDate;
use entity::{account, content as content_entity, content_tag, scoring_rule};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryOrder, TransactionTrait,
};

pub use users::{DEMO_USERS, DemoPassword, Logins, PASSWORD_VAR, demo_email};
pub use world::{Plan, Size};

use progress::Progress;
use world::World;

/// What to seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    pub size: Size,
    pub seed: u64,
    /// The day of seeding: every timestamp lies before its start (00:00 UTC), and "the last 30
    /// days" of the data are the 30 days before it.
    pub today: NaiveDate,
    /// Report each table on standard error as it is written.
    pub progress: bool,
}

/// Why seeding stopped; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(
        "the database already has {0} account(s); seeding fills only a database without accounts, \
         so demo data never mixes with real data (point DATABASE_URL at a new database)"
    )]
    NotEmpty(u64),
    #[error("{PASSWORD_VAR}: {0}")]
    Password(String),
    #[error("database error while seeding: {0}")]
    Db(#[from] DbErr),
    #[error("{0}")]
    Other(String),
}

/// What a seed run wrote.
#[derive(Clone, Debug)]
pub struct Report {
    pub options: Options,
    /// Rows per table, in the order they were written.
    pub tables: Vec<(&'static str, u64)>,
    pub elapsed: Duration,
    pub logins: Logins,
}

impl Options {
    /// `size` and `seed`, seeded as of the current UTC day.
    pub fn new(size: Size, seed: u64) -> Self {
        Self {
            size,
            seed,
            today: chrono::Utc::now().date_naive(),
            progress: false,
        }
    }
}

impl Report {
    pub fn rows(&self, table: &str) -> u64 {
        self.tables
            .iter()
            .filter(|(t, _)| *t == table)
            .map(|(_, n)| n)
            .sum()
    }

    /// The summary and the demo sign-ins, for standard output. It holds the generated password:
    /// never send it to a log.
    pub fn render(&self) -> String {
        let total: u64 = self.tables.iter().map(|(_, n)| n).sum();
        let mut out = String::new();
        let size = format!("{:?}", self.options.size).to_lowercase();
        let _ = writeln!(
            out,
            "Seeded {total} rows ({size}, seed {}, as of {}) in {:.1} s:",
            self.options.seed,
            self.options.today,
            self.elapsed.as_secs_f64()
        );
        for (table, rows) in &self.tables {
            let _ = writeln!(out, "  {table:<24} {rows:>10}");
        }
        let _ = writeln!(out, "\nDemo sign-ins:");
        for (email, role, created) in &self.logins.users {
            let kept = if *created { "" } else { "  (existed already, kept)" };
            let _ = writeln!(out, "  {email:<34} {role}{kept}");
        }
        let _ = match &self.logins.password {
            DemoPassword::Generated(p) => writeln!(
                out,
                "  password: {p}\n  (generated for this run and shown only now; set {PASSWORD_VAR} to choose it)"
            ),
            DemoPassword::FromEnvironment => writeln!(out, "  password: the value of {PASSWORD_VAR}"),
            DemoPassword::Unchanged => writeln!(out, "  password: unchanged"),
        };
        out
    }
}

/// Whether the database holds any account, archived ones included.
pub async fn has_accounts(db: &DatabaseConnection) -> Result<bool, DbErr> {
    Ok(account::Entity::find().count(db).await? > 0)
}

/// Writes the data set of `options` into a database without accounts (the schema must be
/// migrated). Everything happens in one transaction.
pub async fn run(db: &DatabaseConnection, options: Options) -> Result<Report, SeedError> {
    let started = Instant::now();
    let txn = db.begin().await?;
    let accounts = account::Entity::find().count(&txn).await?;
    if accounts > 0 {
        return Err(SeedError::NotEmpty(accounts));
    }
    let cache = store::widen_cache(&txn).await?;
    let mut progress = Progress::new(options.progress);
    let seed = options.seed;
    let now = rng::midnight(options.today);
    let personas = users::personas(&txn, seed, now, &mut progress).await?;
    let (owners, logins) = users::demo_users(&txn, seed, now, &mut progress).await?;
    let mut world = World::new(seed, options.size.plan(), owners, personas, now);
    use_scoring(&txn, &mut world, &mut progress).await?;
    write_content(&txn, &world, &mut progress).await?;
    write_accounts(&txn, &world, &mut progress).await?;
    store::restore_cache(&txn, cache).await?;
    txn.commit().await?;
    // Fresh planner statistics: without them PostgreSQL guessed 2 rows for a stage filter that
    // matches 30,000 (found by the benchmark) and SQLite sorted whole tables.
    db.execute_unprepared("ANALYZE").await?;
    Ok(Report {
        options,
        tables: progress.tables,
        elapsed: started.elapsed(),
        logins,
    })
}

/// Scores follow the settings and the rules of the database; the demo rules are created when
/// it has none.
async fn use_scoring(
    txn: &sea_orm::DatabaseTransaction,
    world: &mut World,
    progress: &mut Progress,
) -> Result<(), SeedError> {
    let settings = crate::service::scoring::settings(txn).await.map_err(|e| {
        SeedError::Other(format!(
            "reading the scoring settings failed: {}",
            e.public_cause()
        ))
    })?;
    world.sla_ms = i64::from(settings.handoff_sla_hours.max(1)) * rng::HOUR_MS;
    let existing = scoring_rule::Entity::find()
        .order_by_asc(scoring_rule::Column::CreatedAt)
        .order_by_asc(scoring_rule::Column::Id)
        .all(txn)
        .await?;
    let rules = if existing.is_empty() {
        let rules = world.scoring.rules.clone();
        store::insert::<scoring_rule::ActiveModel, _>(txn, progress, "scoring_rule", rules.clone()).await?;
        rules
    } else {
        existing
    };
    world.scoring = scoring::Scoring::new(
        rules,
        settings.decay_half_life_days,
        settings.mql_threshold,
        &world.library,
    );
    Ok(())
}

async fn write_content(
    txn: &sea_orm::DatabaseTransaction,
    world: &World,
    progress: &mut Progress,
) -> Result<(), DbErr> {
    let rows = world.library.rows.clone();
    store::insert::<content_entity::ActiveModel, _>(txn, progress, "content", rows.items).await?;
    use content_tag::{buying_role, buying_stage, competitor, persona, topic};
    store::insert::<buying_stage::ActiveModel, _>(txn, progress, "content_buying_stage", rows.buying_stages)
        .await?;
    store::insert::<persona::ActiveModel, _>(txn, progress, "content_persona", rows.personas).await?;
    store::insert::<buying_role::ActiveModel, _>(txn, progress, "content_buying_role", rows.buying_roles)
        .await?;
    store::insert::<topic::ActiveModel, _>(txn, progress, "content_topic", rows.topics).await?;
    store::insert::<competitor::ActiveModel, _>(txn, progress, "content_competitor", rows.competitors)
        .await?;
    Ok(())
}

/// One pass over the accounts writes every table of their graphs, parents first.
async fn write_accounts(
    txn: &sea_orm::DatabaseTransaction,
    world: &World,
    progress: &mut Progress,
) -> Result<(), DbErr> {
    store::graph_tables(txn, world, progress).await?;
    Ok(())
}

/// `serve --demo`: seeds `small` with seed 1 when the database has no account, and returns
/// what it wrote; `None` when there were accounts already.
pub async fn demo(db: &DatabaseConnection) -> Result<Option<Report>, SeedError> {
    if has_accounts(db).await? {
        tracing::info!("--demo: the database already has accounts, so no demo data is loaded");
        return Ok(None);
    }
    let report = run(db, Options::new(Size::Small, 1)).await?;
    tracing::info!(
        rows = report.tables.iter().map(|(_, n)| n).sum::<u64>(),
        "--demo: loaded the small demo data set"
    );
    Ok(Some(report))
}

#[cfg(test)]
mod tests;
