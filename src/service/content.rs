//! Marketing content and its tags. Marketing writes it (`content.*`); readers see every status
//! but archived content leaves lists unless asked for.

use chrono::Utc;
use entity::{
    content::{ActiveModel, Column, ContentKind, ContentStatus, Entity as Content, Model},
    content_tag,
    enums::{BuyingRole, BuyingStage},
    persona,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select, Set,
};
use uuid::Uuid;

use crate::{
    domain::{
        authz::{self, Principal, Resource, Visibility},
        content as rules,
        permission::Permission,
        text, version,
    },
    error::{AppError, UserErrorCode},
    service::{
        Ref, collect, gather, outbox,
        page::{self, KeyFn, Page, PageArgs, SortKey, SortValue},
        update_at_version, user,
    },
};

#[derive(Debug, Clone, Default)]
pub struct ContentFilter {
    pub kind: Option<ContentKind>,
    pub status: Option<ContentStatus>,
    pub buying_stage: Option<BuyingStage>,
    pub persona_id: Option<Uuid>,
    pub buying_role: Option<BuyingRole>,
    pub topic: Option<String>,
    pub competitor: Option<String>,
    pub include_archived: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContentOrderField {
    Title,
    #[default]
    CreatedAt,
    UpdatedAt,
    PublishedAt,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ContentOrder {
    pub field: ContentOrderField,
    pub descending: bool,
}

/// The tags of a piece of content, as an input gave them.
#[derive(Debug, Clone, Default)]
pub struct Tags {
    pub buying_stages: Option<Vec<BuyingStage>>,
    pub persona_ids: Option<Vec<Ref>>,
    pub buying_roles: Option<Vec<BuyingRole>>,
    pub topics: Option<Vec<String>>,
    pub competitors: Option<Vec<String>>,
}

pub struct NewContent {
    pub title: String,
    pub kind: ContentKind,
    pub url: Option<String>,
    pub summary: Option<String>,
    pub tags: Tags,
    pub owner_id: Ref,
}

#[derive(Default)]
pub struct ContentChanges {
    pub id: Uuid,
    pub title: Option<String>,
    pub kind: Option<ContentKind>,
    pub url: Option<Option<String>>,
    pub summary: Option<Option<String>>,
    /// Each list given replaces that kind of tag.
    pub tags: Tags,
    pub owner_id: Ref,
    pub expected_version: Option<i32>,
}

/// Every tag of a batch of content, by kind.
#[derive(Debug, Default)]
pub struct TagRows {
    pub buying_stages: Vec<(Uuid, BuyingStage)>,
    pub personas: Vec<(Uuid, Uuid)>,
    pub buying_roles: Vec<(Uuid, BuyingRole)>,
    pub topics: Vec<(Uuid, String)>,
    pub competitors: Vec<(Uuid, String)>,
}

/// The content the caller may read: the scoped finder every read starts from.
pub fn visible(principal: &Principal) -> Result<Select<Content>, AppError> {
    Ok(match authz::visibility(principal, Permission::ContentRead)? {
        Visibility::All => Content::find(),
        Visibility::OwnedBy(me) => Content::find().filter(Column::OwnerId.eq(me)),
        Visibility::Nothing => Content::find().filter(Column::Id.is_null()),
    })
}

fn sort_key(order: ContentOrder) -> SortKey<Content> {
    let (column, name, nullable, key_of): (Column, &str, bool, KeyFn<Model>) = match order.field {
        ContentOrderField::Title => (Column::Title, "title", false, |m| {
            (SortValue::Text(m.title.clone()), m.id)
        }),
        ContentOrderField::CreatedAt => (Column::CreatedAt, "created_at", false, |m| {
            (SortValue::Time(m.created_at), m.id)
        }),
        ContentOrderField::UpdatedAt => (Column::UpdatedAt, "updated_at", false, |m| {
            (SortValue::Time(m.updated_at), m.id)
        }),
        ContentOrderField::PublishedAt => (Column::PublishedAt, "published_at", true, |m| {
            (m.published_at.map_or(SortValue::Null, SortValue::Time), m.id)
        }),
    };
    let direction = if order.descending { "desc" } else { "asc" };
    SortKey {
        name: format!("{name}:{direction}"),
        column,
        id_column: Column::Id,
        descending: order.descending,
        nullable,
        key_of,
    }
}

/// Content carrying the tag `value` in the tag table of `E`.
fn tagged<E, V>(
    select: Select<Content>,
    content_id: E::Column,
    value_column: E::Column,
    value: V,
) -> Select<Content>
where
    E: EntityTrait,
    V: Into<sea_orm::Value>,
{
    let ids = E::find()
        .select_only()
        .column(content_id)
        .filter(value_column.eq(value))
        .into_query();
    select.filter(Column::Id.in_subquery(ids))
}

pub async fn list(
    db: &DatabaseConnection,
    principal: &Principal,
    filter: ContentFilter,
    order: ContentOrder,
    args: PageArgs,
) -> Result<Page<Model>, AppError> {
    use content_tag::{buying_role, buying_stage, competitor, persona as tag_persona, topic};
    let mut select = visible(principal)?;
    let key = sort_key(order);
    let window = args.window(&key)?;
    if let Some(kind) = filter.kind {
        select = select.filter(Column::Kind.eq(kind));
    }
    match filter.status {
        Some(status) => select = select.filter(Column::Status.eq(status)),
        None if !filter.include_archived => select = select.filter(Column::ArchivedAt.is_null()),
        None => {}
    }
    if let Some(stage) = filter.buying_stage {
        select = tagged::<buying_stage::Entity, _>(
            select,
            buying_stage::Column::ContentId,
            buying_stage::Column::Value,
            stage,
        );
    }
    if let Some(id) = filter.persona_id {
        select = tagged::<tag_persona::Entity, _>(
            select,
            tag_persona::Column::ContentId,
            tag_persona::Column::Value,
            id,
        );
    }
    if let Some(role) = filter.buying_role {
        select = tagged::<buying_role::Entity, _>(
            select,
            buying_role::Column::ContentId,
            buying_role::Column::Value,
            role,
        );
    }
    if let Some(t) = filter.topic {
        let t = t.trim().to_lowercase();
        select = tagged::<topic::Entity, _>(select, topic::Column::ContentId, topic::Column::Value, t);
    }
    if let Some(c) = filter.competitor {
        let c = c.trim().to_owned();
        select = tagged::<competitor::Entity, _>(
            select,
            competitor::Column::ContentId,
            competitor::Column::Value,
            c,
        );
    }
    page::fetch(db, select, &key, window).await
}

pub async fn find_many(
    db: &impl ConnectionTrait,
    principal: &Principal,
    ids: &[Uuid],
) -> Result<Vec<Model>, AppError> {
    super::visible_by_ids(db, visible(principal), Column::Id, ids).await
}

/// Readers of one kind of tag for a batch of content: `(content id, value)` pairs in a stable
/// order, in one statement.
macro_rules! tags_of {
    ($($name:ident: $module:ident -> $value:ty;)+) => {
        $(pub async fn $name(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<(Uuid, $value)>, sea_orm::DbErr> {
            use content_tag::$module::{Column as C, Entity};
            let rows = Entity::find()
                .filter(C::ContentId.is_in(ids.iter().copied()))
                .order_by_asc(C::Value)
                .all(db)
                .await?;
            Ok(rows.into_iter().map(|r| (r.content_id, r.value)).collect())
        })+
    };
}

tags_of! {
    buying_stages_of: buying_stage -> BuyingStage;
    personas_of: persona -> Uuid;
    buying_roles_of: buying_role -> BuyingRole;
    topics_of: topic -> String;
    competitors_of: competitor -> String;
}

fn not_found() -> AppError {
    AppError::rejected(&["id"], UserErrorCode::NotFound, "no content has this id")
}

/// Validated tags: `None` for a kind the input left alone.
#[derive(Default)]
struct CheckedTags {
    buying_stages: Option<Vec<BuyingStage>>,
    personas: Option<Vec<Uuid>>,
    buying_roles: Option<Vec<BuyingRole>>,
    topics: Option<Vec<String>>,
    competitors: Option<Vec<String>>,
}

fn dedup<T: PartialEq>(values: Vec<T>) -> Vec<T> {
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

async fn check_tags(
    db: &impl ConnectionTrait,
    tags: Tags,
    errors: &mut Vec<crate::error::UserError>,
) -> Result<CheckedTags, AppError> {
    let mut checked = CheckedTags {
        buying_stages: tags.buying_stages.map(dedup),
        buying_roles: tags.buying_roles.map(dedup),
        ..CheckedTags::default()
    };
    if let Some(refs) = tags.persona_ids {
        let mut ids = Vec::new();
        for r in refs {
            match r {
                Ref::Id(id) => ids.push(id),
                _ => {
                    errors.push(crate::error::UserError::new(
                        &["personaIds"],
                        UserErrorCode::NotFound,
                        "no persona has this id",
                    ));
                }
            }
        }
        let ids = dedup(ids);
        let found = persona::Entity::find()
            .filter(persona::Column::Id.is_in(ids.iter().copied()))
            .count(db)
            .await?;
        if found != ids.len() as u64 {
            errors.push(crate::error::UserError::new(
                &["personaIds"],
                UserErrorCode::NotFound,
                "no persona has this id",
            ));
        }
        checked.personas = Some(ids);
    }
    if let Some(t) = tags.topics {
        checked.topics = collect(errors, rules::tags("topics", &t, true));
    }
    if let Some(c) = tags.competitors {
        checked.competitors = collect(errors, rules::tags("competitors", &c, false));
    }
    for (field, n) in [
        ("buyingStages", checked.buying_stages.as_ref().map_or(0, Vec::len)),
        ("buyingRoles", checked.buying_roles.as_ref().map_or(0, Vec::len)),
        ("personaIds", checked.personas.as_ref().map_or(0, Vec::len)),
    ] {
        if n > rules::MAX_TAGS {
            errors.push(crate::error::UserError::new(
                &[field],
                UserErrorCode::Invalid,
                format!("at most {} values", rules::MAX_TAGS),
            ));
        }
    }
    Ok(checked)
}

macro_rules! replace_tags {
    ($db:expr, $id:expr, $values:expr, $module:ident) => {
        if let Some(values) = $values {
            use content_tag::$module::{ActiveModel as Row, Column as C, Entity};
            Entity::delete_many()
                .filter(C::ContentId.eq($id))
                .exec($db)
                .await?;
            if !values.is_empty() {
                let rows = values.into_iter().map(|value| Row {
                    content_id: Set($id),
                    value: Set(value),
                });
                Entity::insert_many(rows).exec_without_returning($db).await?;
            }
        }
    };
}

/// The tag lists `tags` changes on the content `id` (`None`: a new content, which had none), as
/// event changes, sorted; a list given but left as it was is no change. Reads each given kind
/// once, before the tags are written.
async fn tag_changes(
    db: &impl ConnectionTrait,
    id: Option<Uuid>,
    tags: &CheckedTags,
) -> Result<Vec<outbox::Change>, AppError> {
    use serde_json::Value;
    fn names<T: sea_orm::ActiveEnum<Value = String>>(values: Vec<T>) -> Vec<String> {
        values.into_iter().map(|v| v.to_value()).collect()
    }
    fn ids(values: Vec<Uuid>) -> Vec<String> {
        values.into_iter().map(|u| u.to_string()).collect()
    }
    fn plain(values: Vec<String>) -> Vec<String> {
        values
    }
    let mut changes = Vec::new();
    macro_rules! kind {
        ($field:literal, $given:expr, $reader:ident, $show:expr, $reference:expr) => {
            if let Some(given) = $given.clone() {
                let mut before: Vec<String> = match id {
                    Some(id) => $show(
                        $reader(db, &[id])
                            .await?
                            .into_iter()
                            .map(|(_, v)| v)
                            .collect(),
                    ),
                    None => Vec::new(),
                };
                before.sort();
                let mut after: Vec<String> = $show(given);
                after.sort();
                if before != after {
                    let mut change = outbox::Change::new($field, Value::from(before), Value::from(after));
                    change.reference = $reference;
                    changes.push(change);
                }
            }
        };
    }
    kind!("buyingStages", tags.buying_stages, buying_stages_of, names, None);
    kind!("personaIds", tags.personas, personas_of, ids, Some("Persona"));
    kind!("buyingRoles", tags.buying_roles, buying_roles_of, names, None);
    kind!("topics", tags.topics, topics_of, plain, None);
    kind!("competitors", tags.competitors, competitors_of, plain, None);
    Ok(changes)
}

async fn write_tags(db: &impl ConnectionTrait, id: Uuid, tags: CheckedTags) -> Result<(), AppError> {
    replace_tags!(db, id, tags.buying_stages, buying_stage);
    replace_tags!(db, id, tags.personas, persona);
    replace_tags!(db, id, tags.buying_roles, buying_role);
    replace_tags!(db, id, tags.topics, topic);
    replace_tags!(db, id, tags.competitors, competitor);
    Ok(())
}

pub async fn create(
    db: &DatabaseConnection,
    principal: &Principal,
    input: NewContent,
) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::ContentCreate, Resource::Any)?;
    let mut errors = Vec::new();
    let title = collect(&mut errors, text::required_name("title", &input.title, 300));
    let url = collect(&mut errors, rules::url(input.url.as_deref()));
    let summary = collect(
        &mut errors,
        text::optional_text("summary", input.summary.as_deref(), 10_000),
    );
    let owner = gather(
        &mut errors,
        user::active_user(db, input.owner_id, "ownerId").await,
    )?;
    let tags = check_tags(db, input.tags, &mut errors).await?;
    if !errors.is_empty() {
        return Err(AppError::Rejected(errors));
    }
    let (Some(title), Some(url), Some(summary), Some(owner)) = (title, url, summary, owner) else {
        return Err(AppError::internal("validated content fields went missing"));
    };
    let now = Utc::now();
    let id = Uuid::now_v7();
    let txn = super::write(db).await?;
    ActiveModel {
        id: Set(id),
        title: Set(title),
        kind: Set(input.kind),
        url: Set(url),
        summary: Set(summary),
        status: Set(ContentStatus::Draft),
        // Content is marketing's: its owner defaults to whoever writes it.
        owner_id: Set(owner.unwrap_or_else(|| principal.user_id())),
        published_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        archived_at: Set(None),
        version: Set(1),
    }
    .insert(&txn)
    .await?;
    let tagged = tag_changes(&txn, None, &tags).await?;
    write_tags(&txn, id, tags).await?;
    let model = Content::find_by_id(id).one(&txn).await?.ok_or_else(not_found)?;
    let mut changes = outbox::diff(None, &model, &[]);
    changes.extend(tagged);
    outbox::record(
        &txn,
        principal.into(),
        "content.created",
        subject(&model),
        &changes,
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// What a content's events are about.
fn subject(m: &Model) -> outbox::Subject {
    outbox::Subject::new("Content", m.id, None)
}

async fn for_change(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
    permission: Permission,
) -> Result<Model, AppError> {
    let current = super::lock_visible(db, visible(principal), Column::Id, id)
        .await?
        .ok_or_else(not_found)?;
    authz::authorize(principal, permission, Resource::Owned(&[current.owner_id]))?;
    Ok(current)
}

pub async fn update(
    db: &DatabaseConnection,
    principal: &Principal,
    changes: ContentChanges,
) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::ContentUpdate, Resource::Any)?;
    let txn = super::write(db).await?;
    let current = for_change(&txn, principal, changes.id, Permission::ContentUpdate).await?;
    version::check_version(changes.expected_version, current.version)
        .map_err(|e| AppError::Rejected(vec![e]))?;
    let mut errors = Vec::new();
    let mut row: ActiveModel = current.clone().into();
    if let Some(v) = changes
        .title
        .as_deref()
        .and_then(|t| collect(&mut errors, text::required_name("title", t, 300)))
    {
        row.title = Set(v);
    }
    if let Some(kind) = changes.kind {
        row.kind = Set(kind);
    }
    if let Some(u) = changes.url
        && let Some(v) = collect(&mut errors, rules::url(u.as_deref()))
    {
        row.url = Set(v);
    }
    if let Some(s) = changes.summary
        && let Some(v) = collect(&mut errors, text::optional_text("summary", s.as_deref(), 10_000))
    {
        row.summary = Set(v);
    }
    if let Some(Some(o)) = gather(
        &mut errors,
        user::active_user(&txn, changes.owner_id, "ownerId").await,
    )? {
        row.owner_id = Set(o);
    }
    let tags = check_tags(&txn, changes.tags, &mut errors).await?;
    if !errors.is_empty() {
        return Err(AppError::Rejected(errors));
    }
    row.updated_at = Set(Utc::now());
    row.version = Set(current.version + 1);
    let at = (Column::Version, current.version);
    update_at_version::<Content>(&txn, row, (Column::Id, current.id), at, AppError::from).await?;
    let tagged = tag_changes(&txn, Some(current.id), &tags).await?;
    write_tags(&txn, current.id, tags).await?;
    let model = Content::find_by_id(current.id)
        .one(&txn)
        .await?
        .ok_or_else(not_found)?;
    let mut changes = outbox::diff(Some(&current), &model, &[]);
    changes.extend(tagged);
    if !changes.is_empty() {
        outbox::record(
            &txn,
            principal.into(),
            "content.updated",
            subject(&model),
            &changes,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(model)
}

/// Publishes a draft (publishing published content changes nothing).
pub async fn publish(
    db: &DatabaseConnection,
    principal: &Principal,
    id: Uuid,
    expected_version: Option<i32>,
) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::ContentPublish, Resource::Any)?;
    let txn = super::write(db).await?;
    let current = for_change(&txn, principal, id, Permission::ContentPublish).await?;
    version::check_version(expected_version, current.version).map_err(|e| AppError::Rejected(vec![e]))?;
    if !rules::may_publish(current.status).map_err(|e| AppError::Rejected(vec![e]))? {
        return Ok(current);
    }
    let now = Utc::now();
    let version = current.version;
    let mut row: ActiveModel = current.clone().into();
    row.status = Set(ContentStatus::Published);
    row.published_at = Set(Some(now));
    row.updated_at = Set(now);
    row.version = Set(version + 1);
    update_at_version::<Content>(
        &txn,
        row,
        (Column::Id, id),
        (Column::Version, version),
        AppError::from,
    )
    .await?;
    let model = Content::find_by_id(id).one(&txn).await?.ok_or_else(not_found)?;
    let by = principal.into();
    outbox::record_diff(
        &txn,
        by,
        "content.published",
        subject(&model),
        Some(&current),
        &model,
        &[],
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Retires content: it leaves lists and cannot be published again; engagements keep it.
pub async fn archive(db: &DatabaseConnection, principal: &Principal, id: Uuid) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::ContentDelete, Resource::Any)?;
    let txn = super::write(db).await?;
    let current = for_change(&txn, principal, id, Permission::ContentDelete).await?;
    if current.archived_at.is_some() {
        return Ok(current);
    }
    let version = current.version;
    let mut row: ActiveModel = current.clone().into();
    let now = Utc::now();
    row.status = Set(ContentStatus::Archived);
    row.archived_at = Set(Some(now));
    row.updated_at = Set(now);
    row.version = Set(version + 1);
    let model = row.update(&txn).await?;
    let by = principal.into();
    outbox::record_diff(
        &txn,
        by,
        "content.archived",
        subject(&model),
        Some(&current),
        &model,
        &[],
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}
