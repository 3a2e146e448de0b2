//! Opening the store: SQLite (embedded default) or PostgreSQL, with every statement counted.

use std::{sync::Arc, time::Duration};

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

use crate::{config::Settings, metrics::Metrics};

/// Connects to the configured database and hooks the statement counter into the connection.
/// With `statement_timeout`, PostgreSQL cancels any statement that runs longer (the serving pool
/// passes the request timeout, so a request given up does not leave its query running);
/// migrations and the command line pass `None`.
pub async fn connect(
    settings: &Settings,
    metrics: Arc<Metrics>,
    statement_timeout: Option<Duration>,
) -> Result<DatabaseConnection, DbErr> {
    let url = &settings.database_url;
    let mut opts = ConnectOptions::new(url.clone());
    opts.max_connections(settings.db_max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        // sqlx pings a connection on every checkout by default: a round trip per statement.
        // Only a connection idle long enough to have been dropped by a server, proxy or
        // firewall is tested; a broken hot connection fails its statement and leaves the pool.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        // Statements are counted by the callback below; logging them would leak bound values.
        .sqlx_logging(false)
        // WAL lets readers run beside the one writer; the busy timeout makes writers queue for
        // the lock instead of failing at once; SQLite leaves foreign keys off unless asked.
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
        });
    if let Some(limit) = statement_timeout {
        let ms = limit.as_millis().to_string();
        opts.map_sqlx_postgres_opts(move |o| o.options([("statement_timeout", ms.as_str())]));
    }
    let mut db = Database::connect(opts).await?;
    db.set_metric_callback(move |_| metrics.db_statement());
    Ok(db)
}

/// Checks that the database answers (for `/readyz`).
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared("SELECT 1").await.map(|_| ())
}
