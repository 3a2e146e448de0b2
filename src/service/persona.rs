//! Personas: reference data every authenticated caller reads; `persona.manage` writes it.

use chrono::Utc;
use entity::persona::{ActiveModel, Column, Entity as Persona, Model};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, sea_query::LikeExpr,
};
use uuid::Uuid;

use crate::{
    domain::{
        authz::{self, Principal, Resource},
        permission::Permission,
        persona as rules, version,
    },
    error::{AppError, UserErrorCode, is_unique_violation},
    service::{
        page::{self, KeyFn, Page, PageArgs, SortKey, SortValue},
        update_at_version,
    },
};

/// What a list of personas can be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct PersonaFilter {
    /// Matches the start of the name, ignoring case.
    pub search: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PersonaOrderField {
    Name,
    #[default]
    CreatedAt,
    UpdatedAt,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct PersonaOrder {
    pub field: PersonaOrderField,
    pub descending: bool,
}

pub struct NewPersona {
    pub name: String,
    pub description: Option<String>,
}

/// A change to a persona; `None` leaves a field as it is.
pub struct PersonaChanges {
    pub id: Uuid,
    pub name: Option<String>,
    /// `Some(None)` clears the description.
    pub description: Option<Option<String>>,
    pub expected_version: Option<i32>,
}

fn sort_key(order: PersonaOrder) -> SortKey<Persona> {
    let (column, name, key_of): (Column, &str, KeyFn<Model>) = match order.field {
        PersonaOrderField::Name => (Column::Name, "name", |m| (SortValue::Text(m.name.clone()), m.id)),
        PersonaOrderField::CreatedAt => (Column::CreatedAt, "created_at", |m| {
            (SortValue::Time(m.created_at), m.id)
        }),
        PersonaOrderField::UpdatedAt => (Column::UpdatedAt, "updated_at", |m| {
            (SortValue::Time(m.updated_at), m.id)
        }),
    };
    let direction = if order.descending { "desc" } else { "asc" };
    SortKey {
        name: format!("{name}:{direction}"),
        column,
        id_column: Column::Id,
        descending: order.descending,
        nullable: false,
        key_of,
    }
}

/// One page of personas.
pub async fn list(
    db: &DatabaseConnection,
    principal: &Principal,
    filter: PersonaFilter,
    order: PersonaOrder,
    args: PageArgs,
) -> Result<Page<Model>, AppError> {
    authz::authorize_reference_read(principal)?;
    let key = sort_key(order);
    let window = args.window(&key)?;
    let mut select = Persona::find();
    if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = LikeExpr::new(super::search_pattern(search)?).escape('\\');
        select = select.filter(Column::NameKey.like(pattern));
    }
    page::fetch(db, select, &key, window).await
}

/// The personas with these ids, in one statement; missing ids are simply absent.
pub async fn find_many(
    db: &DatabaseConnection,
    principal: &Principal,
    ids: &[Uuid],
) -> Result<Vec<Model>, AppError> {
    if ids.is_empty() || authz::authorize_reference_read(principal).is_err() {
        return Ok(Vec::new());
    }
    Ok(Persona::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// Creates a persona; a name already in use (in any case) is TAKEN.
pub async fn create(
    db: &DatabaseConnection,
    principal: &Principal,
    input: NewPersona,
) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::PersonaManage, Resource::Any)?;
    let fields = rules::validate(&input.name, input.description.as_deref()).map_err(AppError::Rejected)?;
    let now = Utc::now();
    let row = ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(fields.name),
        name_key: Set(fields.name_key),
        description: Set(fields.description),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    };
    let txn = super::write(db).await?;
    let model = row.insert(&txn).await.map_err(name_taken)?;
    super::outbox::record_diff(
        &txn,
        principal.into(),
        "persona.created",
        subject(&model),
        None,
        &model,
        &[],
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// What a persona's events are about.
fn subject(m: &Model) -> super::outbox::Subject {
    super::outbox::Subject::new("Persona", m.id, None)
}

/// Updates a persona in one transaction; the write itself checks the version it read, so two
/// concurrent updates cannot both win.
pub async fn update(
    db: &DatabaseConnection,
    principal: &Principal,
    changes: PersonaChanges,
) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::PersonaManage, Resource::Any)?;
    let txn = super::write(db).await?;
    let current = Persona::find_by_id(changes.id)
        .one(&txn)
        .await?
        .ok_or_else(not_found)?;
    version::check_version(changes.expected_version, current.version)
        .map_err(|e| AppError::Rejected(vec![e]))?;

    let name = changes.name.as_deref().unwrap_or(&current.name);
    let description = match &changes.description {
        Some(d) => d.as_deref(),
        None => current.description.as_deref(),
    };
    let fields = rules::validate(name, description).map_err(AppError::Rejected)?;
    let row = ActiveModel {
        name: Set(fields.name),
        name_key: Set(fields.name_key),
        description: Set(fields.description),
        updated_at: Set(Utc::now()),
        version: Set(current.version + 1),
        ..Default::default()
    };
    let at = (Column::Version, current.version);
    update_at_version::<Persona>(&txn, row, (Column::Id, current.id), at, name_taken).await?;
    let updated = Persona::find_by_id(current.id)
        .one(&txn)
        .await?
        .ok_or_else(not_found)?;
    let (by, subject) = (principal.into(), subject(&updated));
    super::outbox::record_diff(
        &txn,
        by,
        "persona.updated",
        subject,
        Some(&current),
        &updated,
        &[],
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

fn not_found() -> AppError {
    AppError::rejected(&["id"], UserErrorCode::NotFound, "no persona has this id")
}

fn name_taken(err: sea_orm::DbErr) -> AppError {
    if is_unique_violation(&err, &crate::error::PERSONA_NAME) {
        AppError::rejected(
            &["name"],
            UserErrorCode::Taken,
            "a persona with this name already exists",
        )
    } else {
        err.into()
    }
}
