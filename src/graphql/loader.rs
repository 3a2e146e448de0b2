//! DataLoaders: relations are fetched in one statement per kind and nesting level, whatever the
//! page size. They are built per request and load without permission checks: the resolver that
//! follows a relation decides what the caller may see, through the rulebook.

use std::{collections::HashMap, time::Duration};

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{app_user, role};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    domain::permission::{Permission, Scope},
    error::AppError,
    service,
};

/// The loaders of one request.
pub struct Loaders {
    pub roles: DataLoader<RoleLoader>,
    pub grants: DataLoader<GrantLoader>,
    pub users: DataLoader<UserLoader>,
}

impl Loaders {
    pub fn new(db: &DatabaseConnection) -> Self {
        // Every key of a level is known when the level resolves, so there is nothing to wait for.
        Self {
            roles: DataLoader::new(RoleLoader(db.clone()), tokio::spawn).delay(Duration::ZERO),
            grants: DataLoader::new(GrantLoader(db.clone()), tokio::spawn).delay(Duration::ZERO),
            users: DataLoader::new(UserLoader(db.clone()), tokio::spawn).delay(Duration::ZERO),
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
