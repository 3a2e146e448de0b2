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

/// Writes one table of the account graphs: every account is generated again and only this
/// table's rows are kept, so memory stays flat whatever the size. The next statement is
/// generated and built while the database runs the current one.
pub async fn graph_table<A, M>(
    txn: &DatabaseTransaction,
    world: &World,
    progress: &mut Progress,
    table: &'static str,
    take: fn(Graph) -> Vec<M>,
) -> Result<u64, DbErr>
where
    A: ActiveModelTrait + Send,
    M: IntoActiveModel<A> + Send,
{
    progress.start(table);
    let indexes = drop_indexes(txn, table).await?;
    let backend = txn.get_database_backend();
    let per = rows_per_statement::<A>();
    let total = world.plan.accounts;
    let mut next_account = 0;
    let mut carry: Vec<M> = Vec::with_capacity(per * 2);
    let mut pending: Option<(Statement, u64)> = None;
    let mut written = 0;
    loop {
        let run = async {
            match pending.take() {
                Some((statement, n)) => txn.execute_raw(statement).await.map(|_| n),
                None => Ok(0),
            }
        };
        let produce = async {
            while carry.len() < per && next_account < total {
                carry.extend(take(account_graph(world, next_account)));
                next_account += 1;
            }
            let rest = carry.split_off(per.min(carry.len()));
            let batch = std::mem::replace(&mut carry, rest);
            let n = batch.len() as u64;
            (n > 0).then(|| (InsertMany::<A>::many(batch).build(backend), n))
        };
        let (done, next) = tokio::join!(run, produce);
        written += done?;
        progress.tick(written, next_account, total);
        match next {
            Some(statement) => pending = Some(statement),
            None => break,
        }
    }
    create_indexes(txn, indexes).await?;
    progress.finish(written);
    Ok(written)
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
