//! The policy generation: who may do what changes only when a user, a role, a grant or an API
//! token changes. Authentication caches principals (`service::auth`) and trusts an entry only
//! while the generation it was read at is still the current one, so a change applies to the very
//! next request without a database read on every request.
//!
//! A service that changes a principal calls [`Policy::announce`] inside its transaction and
//! [`Policy::changed`] after the commit. `changed` bumps this server's generation; `announce`
//! reaches the other replicas: on PostgreSQL a `NOTIFY`, which the database delivers at commit
//! and only at commit (a rolled-back change announces nothing), and which [`listen`] turns into
//! a bump. SQLite is one process's file, so the in-process bump is all it needs.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};

use crate::error::AppError;

/// The PostgreSQL channel that carries policy changes between replicas.
pub const CHANNEL: &str = "trapeze_policy";

/// One server's view of the policy: its generation, and whether it hears every change.
#[derive(Debug)]
pub struct Policy {
    generation: AtomicU64,
    listening: AtomicBool,
}

impl Policy {
    /// Coherent from the start on SQLite; on PostgreSQL once [`listen`] is subscribed.
    pub fn new(backend: DatabaseBackend) -> Self {
        Self {
            generation: AtomicU64::new(0),
            listening: AtomicBool::new(backend != DatabaseBackend::Postgres),
        }
    }

    /// The current generation.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Marks every cached principal stale. Call it after the commit of a change to users, roles,
    /// grants or API tokens (before it, a request could read the old rows again and cache them).
    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Tells the other replicas, inside the transaction of the change: PostgreSQL delivers the
    /// notification when (and only if) the transaction commits.
    pub async fn announce(&self, db: &impl ConnectionTrait) -> Result<(), AppError> {
        if db.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_raw(Statement::from_string(
                DatabaseBackend::Postgres,
                format!("SELECT pg_notify('{CHANNEL}', '')"),
            ))
            .await?;
        }
        Ok(())
    }

    /// Whether cached principals may be used: always on SQLite; on PostgreSQL only while this
    /// server listens for the changes of the other replicas.
    pub fn coherent(&self) -> bool {
        self.listening.load(Ordering::SeqCst)
    }

    fn set_listening(&self, on: bool) {
        self.listening.store(on, Ordering::SeqCst);
    }
}

/// Follows the other replicas' changes on PostgreSQL until the task is aborted. While the
/// connection is down the cache is bypassed (a change could be missed); after every
/// (re)subscription the generation is bumped, for the changes made while nobody listened.
pub async fn listen(db: DatabaseConnection, policy: Arc<Policy>) {
    use sea_orm::sqlx::postgres::PgListener;
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return;
    }
    let pool = db.get_postgres_connection_pool().clone();
    loop {
        let subscribed = async {
            let mut listener = PgListener::connect_with(&pool).await?;
            listener.listen(CHANNEL).await?;
            Ok::<_, sea_orm::sqlx::Error>(listener)
        };
        let mut listener = match subscribed.await {
            Ok(listener) => listener,
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for policy changes; principals are read on every request");
                policy.set_listening(false);
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        policy.changed();
        policy.set_listening(true);
        loop {
            match listener.try_recv().await {
                Ok(Some(_)) => policy.changed(),
                // `None`: the connection was lost; what was sent meanwhile is gone. Listen anew.
                Ok(None) => break,
                Err(err) => {
                    tracing::warn!(error = %err, "lost the policy-change listener; reconnecting");
                    break;
                }
            }
        }
        policy.set_listening(false);
    }
}
