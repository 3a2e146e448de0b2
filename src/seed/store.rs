//! Writing rows in multi-row INSERTs, each under the bind-variable limits of both stores
//! (SQLite 32,766, PostgreSQL 65,535), without RETURNING.

use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, EntityTrait, InsertMany,
    IntoActiveModel, Iterable, QueryTrait, Statement,
};

use super::{
    graph::{Graph, account_graph},
    progress::Progress,
    world::World,
};

/// Bound values per statement: under SQLite's limit, the lower of the two.
const MAX_BINDS: usize = 32_000;

/// How many rows of this table one statement carries.
fn rows_per_statement<A: ActiveModelTrait>() -> usize {
    let columns = <<A::Entity as EntityTrait>::Column as Iterable>::iter().count();
    (MAX_BINDS / columns.max(1)).max(1)
}

async fn flush<A, M>(txn: &DatabaseTransaction, rows: Vec<M>) -> Result<u64, DbErr>
where
    A: ActiveModelTrait + Send,
    M: IntoActiveModel<A>,
{
    if rows.is_empty() {
        return Ok(0);
    }
    let n = rows.len() as u64;
    InsertMany::<A>::many(rows).exec_without_returning(txn).await?;
    Ok(n)
}

/// Writes rows already in memory (personas, users, content and its tags).
pub async fn insert<A, M>(
    txn: &DatabaseTransaction,
    progress: &mut Progress,
    table: &'static str,
    rows: Vec<M>,
) -> Result<u64, DbErr>
where
    A: ActiveModelTrait + Send,
    M: IntoActiveModel<A> + Send,
{
    progress.start(table);
    let per = rows_per_statement::<A>();
    let total = rows.len() as u64;
    let mut written = 0;
    let mut rest = rows.into_iter();
    loop {
        let batch: Vec<M> = rest.by_ref().take(per).collect();
        if batch.is_empty() {
            break;
        }
        written += flush::<A, M>(txn, batch).await?;
        progress.tick(written, written, total);
    }
    progress.finish(written);
    Ok(written)
}

/// The tables of the account graphs, parents first: the order statements are written in.
pub const GRAPH_TABLES: [&str; 11] = [
    "account",
    "opportunity",
    "opportunity_competitor",
    "stakeholder",
    "deal_participant",
    "deal_risk",
    "engagement",
    "stage_change",
    "stage_interval",
    "lead_feedback",
    "score_contribution",
];

/// Accounts generated at a time: their rows are written, table by table, before the next ones.
const CHUNK_ACCOUNTS: u64 = 250;

/// The rows of a run of accounts that are not written yet, by table.
#[derive(Default)]
struct Batch {
    account: Vec<entity::account::Model>,
    opportunity: Vec<entity::opportunity::Model>,
    competitor: Vec<entity::opportunity_competitor::Model>,
    stakeholder: Vec<entity::stakeholder::Model>,
    participant: Vec<entity::deal_participant::Model>,
    risk: Vec<entity::deal_risk::Model>,
    engagement: Vec<entity::engagement::Model>,
    change: Vec<entity::stage_change::Model>,
    interval: Vec<entity::stage_interval::Model>,
    feedback: Vec<entity::lead_feedback::Model>,
    score: Vec<entity::score_contribution::Model>,
}

/// One statement of at most a statement's worth of `rows`, taken from their front.
fn statement<A, M>(rows: &mut Vec<M>, backend: DbBackend) -> (Statement, u64)
where
    A: ActiveModelTrait + Send,
    M: IntoActiveModel<A> + Send,
{
    let per = rows_per_statement::<A>();
    let rest = rows.split_off(per.min(rows.len()));
    let batch = std::mem::replace(rows, rest);
    let n = batch.len() as u64;
    (InsertMany::<A>::many(batch).build(backend), n)
}

impl Batch {
    fn push(&mut self, g: Graph) {
        self.account.push(g.account);
        self.opportunity.extend(g.opportunities);
        self.competitor.extend(g.competitors);
        self.stakeholder.extend(g.stakeholders);
        self.participant.extend(g.participants);
        self.risk.extend(g.risks);
        self.engagement.extend(g.engagements);
        self.change.extend(g.changes);
        self.interval.extend(g.intervals);
        self.feedback.extend(g.feedback);
        self.score.extend(g.scores);
    }

    /// The next statement, parents first (the position of its table in [`GRAPH_TABLES`] and
    /// its row count); `None` when everything is written.
    fn next(&mut self, backend: DbBackend) -> Option<(usize, Statement, u64)> {
        use entity::*;
        macro_rules! from {
            ($($i:expr => $field:ident: $active:ty),+ $(,)?) => {
                $(
                    if !self.$field.is_empty() {
                        let (s, n) = statement::<$active, _>(&mut self.$field, backend);
                        return Some(($i, s, n));
                    }
                )+
            };
        }
        from!(
            0 => account: account::ActiveModel,
            1 => opportunity: opportunity::ActiveModel,
            2 => competitor: opportunity_competitor::ActiveModel,
            3 => stakeholder: stakeholder::ActiveModel,
            4 => participant: deal_participant::ActiveModel,
            5 => risk: deal_risk::ActiveModel,
            6 => engagement: engagement::ActiveModel,
            7 => change: stage_change::ActiveModel,
            8 => interval: stage_interval::ActiveModel,
            9 => feedback: lead_feedback::ActiveModel,
            10 => score: score_contribution::ActiveModel,
        );
        None
    }
}

/// Writes every table of the account graphs in one pass: each account is generated once, a run
/// of accounts at a time, and the run's rows are written table by table, parents first, so
/// foreign keys hold; memory stays flat whatever the size. The next statement is generated and
/// built while the database runs the current one. Returns the rows written per table (the
/// progress has them too).
pub async fn graph_tables(
    txn: &DatabaseTransaction,
    world: &World,
    progress: &mut Progress,
) -> Result<Vec<(&'static str, u64)>, DbErr> {
    progress.start("accounts and history");
    let mut indexes = Vec::new();
    for table in GRAPH_TABLES {
        indexes.extend(drop_indexes(txn, table).await?);
    }
    let backend = txn.get_database_backend();
    let total = world.plan.accounts;
    let mut next_account = 0;
    let mut batch = Batch::default();
    let mut pending: Option<(usize, Statement, u64)> = None;
    let mut written = [0u64; GRAPH_TABLES.len()];
    loop {
        let run = async {
            match pending.take() {
                Some((table, statement, n)) => txn.execute_raw(statement).await.map(|_| Some((table, n))),
                None => Ok(None),
            }
        };
        let produce = async {
            let mut next = batch.next(backend);
            if next.is_none() && next_account < total {
                let end = (next_account + CHUNK_ACCOUNTS).min(total);
                for i in next_account..end {
                    batch.push(account_graph(world, i));
                }
                next_account = end;
                next = batch.next(backend);
            }
            next
        };
        let (done, next) = tokio::join!(run, produce);
        if let Some((table, n)) = done? {
            written[table] += n;
        }
        progress.tick(written.iter().sum(), next_account, total);
        match next {
            Some(statement) => pending = Some(statement),
            None => break,
        }
    }
    create_indexes(txn, indexes).await?;
    let tables: Vec<(&'static str, u64)> = GRAPH_TABLES.into_iter().zip(written).collect();
    progress.finish_tables(&tables);
    Ok(tables)
}

/// Drops the secondary indexes of `table` and returns the statements that create them again.
///
/// A bulk load into indexed tables spends most of its time inserting into index b-trees at
/// random places; building each index once, from sorted data, after the load is several times
/// faster (the way `pg_restore` does it). The table's primary key stays, so foreign keys are
/// checked row by row as usual, and the unique indexes (one primary participant per deal, one
/// live account per domain) are checked when they are built again: a violation fails the seed.
/// All of it happens inside the seed's transaction, so a failure leaves the indexes as they were.
pub async fn drop_indexes(txn: &DatabaseTransaction, table: &str) -> Result<Vec<String>, DbErr> {
    let backend = txn.get_database_backend();
    let query = match backend {
        DbBackend::Sqlite => {
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL"
        }
        // Indexes that back a constraint (the primary key) stay.
        DbBackend::Postgres => {
            "SELECT i.indexname, i.indexdef FROM pg_indexes i \
             WHERE i.schemaname = current_schema() AND i.tablename = $1 AND NOT EXISTS \
             (SELECT 1 FROM pg_constraint c WHERE c.conindid = \
             format('%I.%I', i.schemaname, i.indexname)::regclass)"
        }
        _ => return Ok(Vec::new()),
    };
    let rows = txn
        .query_all_raw(Statement::from_sql_and_values(backend, query, [table.into()]))
        .await?;
    let mut creates = Vec::with_capacity(rows.len());
    for row in rows {
        let name: String = row.try_get_by_index(0)?;
        let create: String = row.try_get_by_index(1)?;
        txn.execute_unprepared(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))
            .await?;
        creates.push(create);
    }
    Ok(creates)
}

/// Builds the indexes [`drop_indexes`] dropped.
pub async fn create_indexes(txn: &DatabaseTransaction, creates: Vec<String>) -> Result<(), DbErr> {
    for create in creates {
        txn.execute_unprepared(&create).await?;
    }
    Ok(())
}

/// SQLite keeps 2 MiB of pages by default; a bulk load into indexed tables then spends its time
/// re-reading evicted index pages. This widens the cache of the loading connection to 256 MiB
/// and returns the setting to put back (with [`restore_cache`]) before the connection goes back
/// to the pool.
pub async fn widen_cache(txn: &DatabaseTransaction) -> Result<Option<i64>, DbErr> {
    if txn.get_database_backend() != DbBackend::Sqlite {
        return Ok(None);
    }
    let before = txn
        .query_one_raw(Statement::from_string(DbBackend::Sqlite, "PRAGMA cache_size"))
        .await?
        .map(|row| row.try_get_by_index::<i64>(0))
        .transpose()?;
    txn.execute_unprepared("PRAGMA cache_size = -262144").await?;
    Ok(before)
}

pub async fn restore_cache(txn: &DatabaseTransaction, before: Option<i64>) -> Result<(), DbErr> {
    if let Some(n) = before {
        txn.execute_unprepared(&format!("PRAGMA cache_size = {n}"))
            .await?;
    }
    Ok(())
}
