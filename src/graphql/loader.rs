//! DataLoaders: relations are fetched in one statement per kind and nesting level, whatever the
//! page size. They are built per request and load without permission checks: the resolver that
//! follows a relation decides what the caller may see, through the rulebook.
//!
//! Batches run on the request's own task, in rounds (`LoadQueue::drive`), not on spawned tasks:
//! with `tokio::spawn`, a batch could start on the other worker thread after the first key and
//! split a level in two, or take keys of the next level, so the statement count of a request
//! depended on timing (found by the statement-count tests).

use std::{collections::HashMap, future::Future, task::Poll, time::Duration};

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{account, app_user, persona, role, stakeholder};
use futures_util::future::{BoxFuture, join_all, poll_fn};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::{
    domain::permission::{Permission, Scope},
    error::AppError,
    service,
};

/// The loaders of one request.
pub struct Loaders {
    pub accounts: DataLoader<ById<account::Entity>>,
    pub personas: DataLoader<ById<persona::Entity>>,
    pub stakeholders: DataLoader<ById<stakeholder::Entity>>,
    pub direct_reports: DataLoader<DirectReportsLoader>,
    pub roles: DataLoader<RoleLoader>,
    pub grants: DataLoader<GrantLoader>,
    pub users: DataLoader<UserLoader>,
}

/// The batches the loaders of one request have queued.
pub struct LoadQueue(mpsc::UnboundedReceiver<BoxFuture<'static, ()>>);

impl LoadQueue {
    /// Runs `work` and, on the same task, every batch it queues, in rounds: execution runs until
    /// it waits, every batch it queued meanwhile runs to the end, then execution goes on. A round
    /// is one nesting level, so each batch holds every key of its level and never a key of the
    /// next one: the statements a request sends depend on its shape, not on timing.
    pub async fn drive<T>(mut self, work: impl Future<Output = T>) -> T {
        tokio::pin!(work);
        loop {
            if let Poll::Ready(out) = poll_fn(|cx| Poll::Ready(work.as_mut().poll(cx))).await {
                return out;
            }
            let mut round = Vec::new();
            while let Ok(batch) = self.0.try_recv() {
                round.push(batch);
            }
            if round.is_empty() {
                // Execution waits on something else (a resolver's own query): wait for it to
                // finish or to queue a batch.
                tokio::select! {
                    biased;
                    out = &mut work => return out,
                    Some(batch) = self.0.recv() => round.push(batch),
                }
                while let Ok(batch) = self.0.try_recv() {
                    round.push(batch);
                }
            }
            join_all(round).await;
        }
    }
}

impl Loaders {
    /// The loaders of one request, and the queue their batches run from.
    pub fn new(db: &DatabaseConnection) -> (Self, LoadQueue) {
        let (tx, rx) = mpsc::unbounded_channel::<BoxFuture<'static, ()>>();
        let queue = move || {
            let tx = tx.clone();
            // A send fails only once the request is over, when nobody waits for the batch.
            move |batch: BoxFuture<'static, ()>| drop(tx.send(batch))
        };
        let loaders = Self::with_spawner(db, queue);
        (loaders, LoadQueue(rx))
    }

    fn with_spawner<S, F>(db: &DatabaseConnection, spawner: F) -> Self
    where
        F: Fn() -> S,
        S: Fn(BoxFuture<'static, ()>) + Send + Sync + 'static,
    {
        // Every key of a level is known when the level resolves, so there is nothing to wait for.
        Self {
            accounts: DataLoader::new(ById::<account::Entity>::new(db), spawner()).delay(Duration::ZERO),
            personas: DataLoader::new(ById::<persona::Entity>::new(db), spawner()).delay(Duration::ZERO),
            stakeholders: DataLoader::new(ById::<stakeholder::Entity>::new(db), spawner())
                .delay(Duration::ZERO),
            direct_reports: DataLoader::new(DirectReportsLoader(db.clone()), spawner()).delay(Duration::ZERO),
            roles: DataLoader::new(RoleLoader(db.clone()), spawner()).delay(Duration::ZERO),
            grants: DataLoader::new(GrantLoader(db.clone()), spawner()).delay(Duration::ZERO),
            users: DataLoader::new(UserLoader(db.clone()), spawner()).delay(Duration::ZERO),
        }
    }
}

/// A loader failure; the cause stays internal.
#[derive(Clone, Debug)]
pub struct LoadError(pub String);

impl From<LoadError> for AppError {
    fn from(e: LoadError) -> Self {
        AppError::Internal(e.0)
    }
}

fn load_error(e: impl std::fmt::Debug) -> LoadError {
    LoadError(format!("{e:?}"))
}

/// Rows of any table with a single UUID primary key named `id`, by id.
pub struct ById<E>(DatabaseConnection, std::marker::PhantomData<E>);

impl<E> ById<E> {
    fn new(db: &DatabaseConnection) -> Self {
        Self(db.clone(), std::marker::PhantomData)
    }
}

/// The models a `ById` loader can load: their id column and id.
pub trait HasId: EntityTrait {
    fn id_column() -> Self::Column;
    fn id_of(model: &Self::Model) -> Uuid;
}

macro_rules! has_id {
    ($($module:ident),+) => {
        $(impl HasId for $module::Entity {
            fn id_column() -> Self::Column {
                $module::Column::Id
            }
            fn id_of(model: &Self::Model) -> Uuid {
                model.id
            }
        })+
    };
}
has_id!(account, persona, stakeholder);

impl<E> Loader<Uuid> for ById<E>
where
    E: HasId + Send + Sync + 'static,
    E::Model: Send + Sync + Clone,
{
    type Value = E::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = E::find()
            .filter(E::id_column().is_in(keys.iter().copied()))
            .all(&self.0)
            .await;
        Ok(rows
            .map_err(load_error)?
            .into_iter()
            .map(|m| (E::id_of(&m), m))
            .collect())
    }
}

/// The live stakeholders who report to each manager.
pub struct DirectReportsLoader(DatabaseConnection);

impl Loader<Uuid> for DirectReportsLoader {
    type Value = Vec<stakeholder::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = stakeholder::Entity::find()
            .filter(stakeholder::Column::ReportsToId.is_in(keys.iter().copied()))
            .filter(stakeholder::Column::ArchivedAt.is_null())
            .all(&self.0)
            .await
            .map_err(load_error)?;
        let mut out: HashMap<Uuid, Self::Value> = HashMap::new();
        for row in rows {
            if let Some(manager) = row.reports_to_id {
                out.entry(manager).or_default().push(row);
            }
        }
        Ok(out)
    }
}

pub struct RoleLoader(DatabaseConnection);

impl Loader<Uuid> for RoleLoader {
    type Value = role::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = role::Entity::find()
            .filter(role::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await;
        Ok(rows.map_err(load_error)?.into_iter().map(|r| (r.id, r)).collect())
    }
}

pub struct GrantLoader(DatabaseConnection);

impl Loader<Uuid> for GrantLoader {
    type Value = Vec<(Permission, Scope)>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        service::role::grants_of_many(&self.0, keys)
            .await
            .map_err(load_error)
    }
}

pub struct UserLoader(DatabaseConnection);

impl Loader<Uuid> for UserLoader {
    type Value = app_user::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = app_user::Entity::find()
            .filter(app_user::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await;
        Ok(rows.map_err(load_error)?.into_iter().map(|u| (u.id, u)).collect())
    }
}

/// The loaders of the request.
pub fn loaders<'a>(ctx: &async_graphql::Context<'a>) -> Result<&'a Loaders, AppError> {
    ctx.data::<Loaders>().map_err(|e| AppError::internal(e.message))
}
