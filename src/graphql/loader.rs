//! DataLoaders: relations are fetched in one statement per kind and nesting level, whatever the
//! page size. They are built per request with its caller: a record loaded by id (an account,
//! a stakeholder, an opportunity, a content, a participant) is read through the service's scoped
//! finder, so an edge never shows what the by-ID read refuses, whichever resolver follows it.
//!
//! Batches run on the request's own task, in rounds (`LoadQueue::drive`), not on spawned tasks:
//! with `tokio::spawn`, a batch could start on the other worker thread after the first key and
//! split a level in two, or take keys of the next level, so the statement count of a request
//! depended on timing (found by the statement-count tests).

use std::{
    collections::HashMap,
    future::Future,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll, Wake, Waker},
    time::Duration,
};

use async_graphql::dataloader::{DataLoader, Loader};
use chrono::{DateTime, Utc};
use entity::{
    account, api_token, app_user, content, deal_participant, deal_risk, engagement,
    enums::{BuyingRole, BuyingStage},
    opportunity, persona, role, scoring_settings, stage_change, stakeholder,
};
use futures_util::future::{BoxFuture, join_all, poll_fn};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::{
    domain::{
        authz::Principal,
        permission::{Permission, Scope},
        recommendation::Recommendation,
    },
    error::AppError,
    service::{
        self,
        page::{self, Nested, PageRows},
        recommendation::Ask,
    },
};

/// The loaders of one request.
pub struct Loaders {
    pub accounts: DataLoader<ById<account::Entity>>,
    pub personas: DataLoader<ById<persona::Entity>>,
    pub stakeholders: DataLoader<ById<stakeholder::Entity>>,
    pub direct_reports: DataLoader<Grouped<stakeholder::Model>>,
    pub roles: DataLoader<RoleLoader>,
    pub grants: DataLoader<GrantLoader>,
    pub users: DataLoader<UserLoader>,
    pub api_tokens: DataLoader<ById<api_token::Entity>>,
    pub opportunities: DataLoader<ById<opportunity::Entity>>,
    pub contents: DataLoader<ById<content::Entity>>,
    pub participants: DataLoader<Grouped<deal_participant::Model>>,
    /// A deal's participants, their people read in the same statement, when the selection
    /// follows them: the people are primed for `stakeholders`, which then reads none of them.
    pub participants_with_people: DataLoader<ParticipantsWithPeople>,
    pub participants_by_id: DataLoader<ById<deal_participant::Entity>>,
    pub deals: DataLoader<Grouped<deal_participant::Model>>,
    pub risks: DataLoader<Grouped<deal_risk::Model>>,
    pub competitors: DataLoader<Grouped<String>>,
    pub content_buying_stages: DataLoader<Grouped<BuyingStage>>,
    pub content_personas: DataLoader<Grouped<Uuid>>,
    pub content_buying_roles: DataLoader<Grouped<BuyingRole>>,
    pub content_topics: DataLoader<Grouped<String>>,
    pub content_competitors: DataLoader<Grouped<String>>,
    pub stakeholder_pages: DataLoader<NestedPages<stakeholder::Entity>>,
    pub stakeholder_counts: Arc<DataLoader<NestedCounts<stakeholder::Entity>>>,
    pub opportunity_pages: DataLoader<NestedPages<opportunity::Entity>>,
    pub opportunity_counts: Arc<DataLoader<NestedCounts<opportunity::Entity>>>,
    pub engagement_pages: DataLoader<NestedPages<engagement::Entity>>,
    pub engagement_counts: Arc<DataLoader<NestedCounts<engagement::Entity>>>,
    pub feedback: DataLoader<Grouped<entity::lead_feedback::Model>>,
    pub history_pages: DataLoader<NestedPages<stage_change::Entity>>,
    pub history_counts: Arc<DataLoader<NestedCounts<stage_change::Entity>>>,
    /// Each stakeholder's latest touch (committee coverage).
    pub last_touches: DataLoader<Grouped<DateTime<Utc>>>,
    pub settings: DataLoader<SettingsLoader>,
    pub recommendations: DataLoader<RecommendationLoader>,
    /// Where a statement that joins a parent's references (a page of deals with their
    /// accounts) leaves them for the next level's loaders; `None` in mutations.
    primed: Option<PrimedRows>,
}

/// The rows one level's statements read for the next level's loaders.
#[derive(Clone, Default)]
struct PrimedRows {
    people: Primed<stakeholder::Model>,
    accounts: Primed<account::Model>,
    users: Primed<app_user::Model>,
}

/// The batches the loaders of one request have queued.
pub struct LoadQueue(mpsc::UnboundedReceiver<BoxFuture<'static, ()>>);

impl LoadQueue {
    /// Runs `work` and, on the same task, every batch it queues, in rounds: execution runs until
    /// it waits, every batch it queued meanwhile runs to the end, then execution goes on. A round
    /// is one nesting level, so each batch holds every key of its level and never a key of the
    /// next one: the statements a request sends depend on its shape, not on timing or list sizes.
    pub async fn drive<T>(mut self, work: impl Future<Output = T>) -> T {
        // Tokio's co-operative budget would make execution yield by itself mid-level.
        let work = tokio::task::unconstrained(work);
        tokio::pin!(work);
        loop {
            if let Some(out) = until_quiet(work.as_mut()).await {
                return out;
            }
            let mut round = Vec::new();
            while let Ok(batch) = self.0.try_recv() {
                round.push(batch);
            }
            if round.is_empty() {
                // Execution waits on something else (a resolver's own query): wait for it to
                // finish or to queue a batch, then let it finish the level before the batch runs.
                tokio::select! {
                    biased;
                    out = &mut work => return out,
                    Some(batch) = self.0.recv() => round.push(batch),
                }
                if let Some(out) = until_quiet(work.as_mut()).await {
                    return out;
                }
                while let Ok(batch) = self.0.try_recv() {
                    round.push(batch);
                }
            }
            // Execution goes on being polled while the round runs: a resolver's own query that
            // holds a pooled connection must be able to finish and give it back, or the batches
            // could wait for connections it holds (a deadlock seen on a pool of four). Execution
            // that waits only on the batches registers no keys meanwhile.
            tokio::select! {
                biased;
                _ = join_all(round) => {}
                out = &mut work => return out,
            }
        }
    }
}

/// Records whether a future woke itself while it was polled.
struct WakeFlag {
    woken: AtomicBool,
    inner: Waker,
}

impl Wake for WakeFlag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        self.inner.wake_by_ref();
    }
}

/// Polls `work` until it finishes (`Some`) or waits on something other than itself (`None`).
/// A list of more than 30 fields is resolved through `FuturesUnordered`, which returns `Pending`
/// and wakes itself after every two completions to stay fair: without polling again at once, a
/// level's keys would reach the loaders two at a time, one batch each (found by the benchmark).
async fn until_quiet<T>(mut work: Pin<&mut impl Future<Output = T>>) -> Option<T> {
    poll_fn(|cx| {
        // A bound, in case something wakes itself forever without waiting on anything.
        for _ in 0..100_000 {
            let flag = Arc::new(WakeFlag {
                woken: AtomicBool::new(false),
                inner: cx.waker().clone(),
            });
            let waker = Waker::from(flag.clone());
            if let Poll::Ready(out) = work.as_mut().poll(&mut Context::from_waker(&waker)) {
                return Poll::Ready(Some(out));
            }
            if !flag.woken.load(Ordering::SeqCst) {
                return Poll::Ready(None);
            }
        }
        Poll::Ready(None)
    })
    .await
}

impl Loaders {
    /// The loaders of one request for its caller (none: anonymous, who may read no record), and
    /// the queue their batches run from.
    ///
    /// Only a query primes loaders with rows read by another loader's statement: a mutation's
    /// payloads must show the rows as its own writes left them, so its loaders read every time.
    pub fn new(db: &DatabaseConnection, caller: Option<&Principal>, query: bool) -> (Self, LoadQueue) {
        let (tx, rx) = mpsc::unbounded_channel::<BoxFuture<'static, ()>>();
        let queue = move || {
            let tx = tx.clone();
            // A send fails only once the request is over, when nobody waits for the batch.
            move |batch: BoxFuture<'static, ()>| drop(tx.send(batch))
        };
        let loaders = Self::with_spawner(db, caller.map(|p| Arc::new(p.clone())), queue, query);
        (loaders, LoadQueue(rx))
    }

    fn with_spawner<S, F>(
        db: &DatabaseConnection,
        caller: Option<Arc<Principal>>,
        spawner: F,
        prime: bool,
    ) -> Self
    where
        F: Fn() -> S,
        S: Fn(BoxFuture<'static, ()>) + Send + Sync + 'static,
    {
        // Every key of a level is known when the level resolves, so there is nothing to wait for.
        macro_rules! dl {
            ($loader:expr) => {
                DataLoader::new($loader, spawner()).delay(Duration::ZERO)
            };
        }
        macro_rules! grouped {
            (|$db:ident, $caller:ident, $keys:ident| $fetch:expr) => {
                dl!(Grouped::new(db, &caller, |$db, $caller, $keys| Box::pin(
                    async move { $fetch }
                )))
            };
        }
        let primed = PrimedRows::default();
        Self {
            accounts: dl!(ById::new(db, &caller).primed_by(&primed.accounts)),
            personas: dl!(ById::new(db, &caller)),
            stakeholders: dl!(ById::new(db, &caller).primed_by(&primed.people)),
            direct_reports: grouped!(|db, caller, keys| {
                let rows = service::stakeholder::direct_reports_of(&db, &caller, &keys).await?;
                Ok(rows
                    .into_iter()
                    .filter_map(|s| Some((s.reports_to_id?, s)))
                    .collect())
            }),
            roles: dl!(RoleLoader(db.clone())),
            grants: dl!(GrantLoader(db.clone())),
            users: dl!(UserLoader {
                db: db.clone(),
                primed: primed.users.clone(),
            }),
            api_tokens: dl!(ById::new(db, &caller)),
            opportunities: dl!(ById::new(db, &caller)),
            contents: dl!(ById::new(db, &caller)),
            participants_by_id: dl!(ById::new(db, &caller)),
            participants: grouped!(|db, caller, keys| {
                let rows = service::deal::participants_of(&db, &caller, &keys).await?;
                Ok(rows.into_iter().map(|p| (p.opportunity_id, p)).collect())
            }),
            participants_with_people: dl!(ParticipantsWithPeople {
                db: db.clone(),
                caller: caller.clone(),
                people: prime.then(|| primed.people.clone()),
            }),
            deals: grouped!(|db, caller, keys| {
                let rows = service::deal::deals_of(&db, &caller, &keys).await?;
                Ok(rows.into_iter().map(|p| (p.stakeholder_id, p)).collect())
            }),
            risks: grouped!(|db, caller, keys| {
                let rows = service::deal::risks_of(&db, &caller, &keys).await?;
                Ok(rows.into_iter().map(|r| (r.opportunity_id, r)).collect())
            }),
            competitors: grouped!(|db, _caller, keys| {
                let rows = service::opportunity::competitors_of(&db, &keys).await?;
                Ok(rows.into_iter().map(|c| (c.opportunity_id, c.name)).collect())
            }),
            content_buying_stages: grouped!(|db, _caller, keys| Ok(service::content::buying_stages_of(
                &db, &keys
            )
            .await?)),
            content_personas: grouped!(|db, _caller, keys| Ok(
                service::content::personas_of(&db, &keys).await?
            )),
            content_buying_roles: grouped!(|db, _caller, keys| Ok(service::content::buying_roles_of(
                &db, &keys
            )
            .await?)),
            content_topics: grouped!(|db, _caller, keys| Ok(service::content::topics_of(&db, &keys).await?)),
            content_competitors: grouped!(|db, _caller, keys| Ok(service::content::competitors_of(
                &db, &keys
            )
            .await?)),
            stakeholder_pages: dl!(NestedPages::new(db)),
            stakeholder_counts: Arc::new(dl!(NestedCounts::new(db))),
            opportunity_pages: dl!(NestedPages::new(db)),
            opportunity_counts: Arc::new(dl!(NestedCounts::new(db))),
            engagement_pages: dl!(NestedPages::new(db)),
            engagement_counts: Arc::new(dl!(NestedCounts::new(db))),
            feedback: grouped!(|db, _caller, keys| {
                let rows = service::lead::feedback_of(&db, &keys).await?;
                Ok(rows.into_iter().map(|f| (f.stakeholder_id, f)).collect())
            }),
            history_pages: dl!(NestedPages::new(db)),
            history_counts: Arc::new(dl!(NestedCounts::new(db))),
            last_touches: grouped!(|db, _caller, keys| Ok(
                service::engagement::last_touches_of(&db, &keys).await?
            )),
            settings: dl!(SettingsLoader(db.clone())),
            recommendations: dl!(RecommendationLoader {
                db: db.clone(),
                caller: caller.clone(),
            }),
            primed: prime.then_some(primed),
        }
    }

    /// Leaves the accounts and owners read with a page of deals for the next level (queries
    /// only): its `account` and `owner` edges then read none of them.
    pub fn prime_accounts_and_users(&self, accounts: Vec<account::Model>, users: Vec<app_user::Model>) {
        if let Some(primed) = &self.primed {
            primed.accounts.add(accounts.into_iter().map(|a| (a.id, a)));
            primed.users.add(users.into_iter().map(|u| (u.id, u)));
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

/// Records by id, as far as the request's caller may read them: through the scoped finder of
/// their service ([`Scoped`]). A record the caller may not read loads as missing.
pub struct ById<E: EntityTrait> {
    db: DatabaseConnection,
    caller: Option<Arc<Principal>>,
    primed: Option<Primed<E::Model>>,
}

impl<E: EntityTrait> ById<E> {
    fn new(db: &DatabaseConnection, caller: &Option<Arc<Principal>>) -> Self {
        Self {
            db: db.clone(),
            caller: caller.clone(),
            primed: None,
        }
    }

    /// Takes rows already read through the same finder from `primed` before reading any.
    fn primed_by(mut self, primed: &Primed<E::Model>) -> Self {
        self.primed = Some(primed.clone());
        self
    }
}

/// Rows of one kind that a statement of another loader already read through their scoped
/// finder (a deal's people, joined to its participants), for the loader of that kind. A batch
/// fills it before the next level's batches run (they run in rounds), so what a level reads
/// does not depend on timing.
#[derive(Clone)]
pub struct Primed<M>(Arc<std::sync::Mutex<HashMap<Uuid, M>>>);

impl<M> Default for Primed<M> {
    fn default() -> Self {
        Self(Arc::default())
    }
}

impl<M: Clone> Primed<M> {
    fn add(&self, rows: impl IntoIterator<Item = (Uuid, M)>) {
        // A poisoned map only means a panic elsewhere mid-insert: the rows in it are whole.
        self.0.lock().unwrap_or_else(|e| e.into_inner()).extend(rows);
    }

    /// Moves the primed rows of `keys` into `out`; returns the keys still to read.
    fn take(&self, keys: &[Uuid], out: &mut HashMap<Uuid, M>) -> Vec<Uuid> {
        let primed = self.0.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter()
            .filter(|k| match primed.get(k) {
                Some(row) => {
                    out.insert(**k, row.clone());
                    false
                }
                None => true,
            })
            .copied()
            .collect()
    }
}

/// The scoped finder a [`ById`] loader reads through: the rows `principal` may read.
pub trait Scoped: HasId {
    fn visible_to(principal: &Principal) -> Result<sea_orm::Select<Self>, AppError>;
}

/// Each entity's finder is its service's `visible` (or, for participants, `visible_participants`).
macro_rules! scoped_by {
    ($($entity:ident => $finder:path),+ $(,)?) => {
        $(impl Scoped for $entity::Entity {
            fn visible_to(principal: &Principal) -> Result<sea_orm::Select<Self>, AppError> {
                $finder(principal)
            }
        })+
    };
}
scoped_by!(
    account => service::account::visible,
    stakeholder => service::stakeholder::visible,
    opportunity => service::opportunity::visible,
    content => service::content::visible,
    deal_participant => service::deal::visible_participants,
    api_token => service::api_token::visible,
);

/// Personas are reference data: every authenticated caller reads them.
impl Scoped for persona::Entity {
    fn visible_to(_: &Principal) -> Result<sea_orm::Select<Self>, AppError> {
        Ok(persona::Entity::find())
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
has_id!(
    account,
    api_token,
    persona,
    stakeholder,
    opportunity,
    content,
    deal_participant
);

impl<E> Loader<Uuid> for ById<E>
where
    E: Scoped + Send + Sync + 'static,
    E::Model: Send + Sync + Clone,
{
    type Value = E::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        // Anonymous callers and callers without the read permission see nothing.
        let Some(finder) = self.caller.as_deref().and_then(|p| E::visible_to(p).ok()) else {
            return Ok(HashMap::new());
        };
        let mut out = HashMap::new();
        let keys = match &self.primed {
            Some(primed) => primed.take(keys, &mut out),
            None => keys.to_vec(),
        };
        if keys.is_empty() {
            return Ok(out);
        }
        let rows = finder.filter(E::id_column().is_in(keys)).all(&self.db).await;
        out.extend(rows.map_err(load_error)?.into_iter().map(|m| (E::id_of(&m), m)));
        Ok(out)
    }
}

/// The one row of scoring settings, read once per request.
pub struct SettingsLoader(DatabaseConnection);

impl Loader<()> for SettingsLoader {
    type Value = scoring_settings::Model;
    type Error = LoadError;

    async fn load(&self, _: &[()]) -> Result<HashMap<(), Self::Value>, Self::Error> {
        let settings = service::scoring::settings(&self.0).await.map_err(load_error)?;
        Ok([((), settings)].into())
    }
}

/// Recommendations of a level's asks (deals, people), computed together in a fixed number of
/// statements (`service::recommendation`), as far as the caller may read.
pub struct RecommendationLoader {
    db: DatabaseConnection,
    caller: Option<Arc<Principal>>,
}

impl Loader<Ask> for RecommendationLoader {
    type Value = Vec<Recommendation>;
    type Error = LoadError;

    async fn load(&self, keys: &[Ask]) -> Result<HashMap<Ask, Self::Value>, Self::Error> {
        let Some(caller) = self.caller.as_deref() else {
            return Ok(HashMap::new());
        };
        service::recommendation::recommendations(&self.db, caller, keys)
            .await
            .map_err(load_error)
    }
}

/// A deal's participants with their people in one statement (the people's scoped finder is
/// the join's condition); the people go to the stakeholder loader's primed rows in queries.
pub struct ParticipantsWithPeople {
    db: DatabaseConnection,
    caller: Option<Arc<Principal>>,
    people: Option<Primed<stakeholder::Model>>,
}

impl Loader<Uuid> for ParticipantsWithPeople {
    type Value = Vec<deal_participant::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let Some(caller) = self.caller.as_deref() else {
            return Ok(HashMap::new());
        };
        let rows = service::deal::participants_with_people_of(&self.db, caller, keys)
            .await
            .map_err(load_error)?;
        let mut out: HashMap<Uuid, Self::Value> = HashMap::new();
        let mut people = Vec::new();
        for (participant, person) in rows {
            people.extend(person.map(|p| (p.id, p)));
            out.entry(participant.opportunity_id)
                .or_default()
                .push(participant);
        }
        if let Some(primed) = &self.people {
            primed.add(people);
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

/// Staff by id, as rows: what of them a caller sees is the GraphQL user type's rule.
pub struct UserLoader {
    db: DatabaseConnection,
    primed: Primed<app_user::Model>,
}

impl Loader<Uuid> for UserLoader {
    type Value = app_user::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut out = HashMap::new();
        let keys = self.primed.take(keys, &mut out);
        if keys.is_empty() {
            return Ok(out);
        }
        let rows = app_user::Entity::find()
            .filter(app_user::Column::Id.is_in(keys))
            .all(&self.db)
            .await;
        out.extend(rows.map_err(load_error)?.into_iter().map(|u| (u.id, u)));
        Ok(out)
    }
}

/// Reads the rows of a batch of parents that the caller may read: `(parent id, row)` pairs in
/// display order.
pub type FetchGrouped<V> =
    fn(DatabaseConnection, Arc<Principal>, Vec<Uuid>) -> BoxFuture<'static, Result<Vec<(Uuid, V)>, AppError>>;

/// A list relation (a deal's participants, a content's topics): every parent's rows in one
/// statement, read through the scoped finder of their service with the request's caller, and
/// grouped by parent in the order the statement returned them.
pub struct Grouped<V> {
    db: DatabaseConnection,
    caller: Option<Arc<Principal>>,
    fetch: FetchGrouped<V>,
}

impl<V> Grouped<V> {
    fn new(db: &DatabaseConnection, caller: &Option<Arc<Principal>>, fetch: FetchGrouped<V>) -> Self {
        Self {
            db: db.clone(),
            caller: caller.clone(),
            fetch,
        }
    }
}

impl<V: Send + Sync + Clone + 'static> Loader<Uuid> for Grouped<V> {
    type Value = Vec<V>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        // Anonymous callers read no record.
        let Some(caller) = self.caller.clone() else {
            return Ok(HashMap::new());
        };
        let rows = (self.fetch)(self.db.clone(), caller, keys.to_vec())
            .await
            .map_err(load_error)?;
        let mut out: HashMap<Uuid, Vec<V>> = HashMap::new();
        for (parent, row) in rows {
            out.entry(parent).or_default().push(row);
        }
        Ok(out)
    }
}

/// A nested connection's key: the parent and the page asked of it.
pub type NestedKey<E> = (Uuid, Arc<Nested<E>>);

/// Pages of a nested connection (an account's stakeholders): one statement per distinct page
/// query and level, whatever the number of parents (`page::fetch_per_parent`).
pub struct NestedPages<E>(DatabaseConnection, std::marker::PhantomData<E>);

impl<E> NestedPages<E> {
    fn new(db: &DatabaseConnection) -> Self {
        Self(db.clone(), std::marker::PhantomData)
    }
}

/// Groups keys by the query they ask: one statement per group.
fn by_query<E: sea_orm::EntityTrait>(
    keys: &[NestedKey<E>],
    fingerprint: impl Fn(&Nested<E>) -> String,
) -> Vec<(Arc<Nested<E>>, Vec<Uuid>)> {
    let mut groups: Vec<(String, Arc<Nested<E>>, Vec<Uuid>)> = Vec::new();
    for (parent, nested) in keys {
        let print = fingerprint(nested);
        match groups.iter_mut().find(|(p, _, _)| *p == print) {
            Some((_, _, parents)) => parents.push(*parent),
            None => groups.push((print, nested.clone(), vec![*parent])),
        }
    }
    groups.into_iter().map(|(_, n, p)| (n, p)).collect()
}

impl<E> Loader<NestedKey<E>> for NestedPages<E>
where
    E: sea_orm::EntityTrait + Send + Sync + 'static,
    E::Model: Send + Sync + Clone,
{
    type Value = Arc<PageRows<E::Model>>;
    type Error = LoadError;

    async fn load(&self, keys: &[NestedKey<E>]) -> Result<HashMap<NestedKey<E>, Self::Value>, Self::Error> {
        let mut out = HashMap::new();
        for (nested, parents) in by_query(keys, |n| n.fingerprint().to_owned()) {
            let mut pages = page::fetch_per_parent(&self.0, &nested, &parents)
                .await
                .map_err(load_error)?;
            for parent in parents {
                let rows = pages.remove(&parent).unwrap_or_default();
                out.insert((parent, nested.clone()), Arc::new(rows));
            }
        }
        Ok(out)
    }
}

/// `totalCount` of a nested connection for every parent of a level, in one statement.
pub struct NestedCounts<E>(DatabaseConnection, std::marker::PhantomData<E>);

impl<E> NestedCounts<E> {
    fn new(db: &DatabaseConnection) -> Self {
        Self(db.clone(), std::marker::PhantomData)
    }
}

impl<E> Loader<NestedKey<E>> for NestedCounts<E>
where
    E: sea_orm::EntityTrait + Send + Sync + 'static,
    E::Model: Send + Sync,
{
    type Value = u64;
    type Error = LoadError;

    async fn load(&self, keys: &[NestedKey<E>]) -> Result<HashMap<NestedKey<E>, Self::Value>, Self::Error> {
        let mut out = HashMap::new();
        let groups = by_query(keys, |n| n.count_fingerprint().to_owned());
        for (nested, parents) in groups {
            let counts = page::count_per_parent(&self.0, &nested, &parents)
                .await
                .map_err(load_error)?;
            for (parent, key) in keys {
                if parents.contains(parent) && key.count_fingerprint() == nested.count_fingerprint() {
                    out.insert((*parent, key.clone()), counts.get(parent).copied().unwrap_or(0));
                }
            }
        }
        Ok(out)
    }
}

/// One parent's page of a nested connection, loaded with every other parent of its level; its
/// `totalCount` is likewise counted for the whole level, and only when asked for.
pub async fn nested_page<E>(
    pages: &DataLoader<NestedPages<E>>,
    counts: &Arc<DataLoader<NestedCounts<E>>>,
    parent: Uuid,
    nested: Nested<E>,
) -> Result<page::Page<E::Model>, AppError>
where
    E: sea_orm::EntityTrait + Send + Sync + 'static,
    E::Model: Send + Sync + Clone,
{
    let key = (parent, Arc::new(nested));
    let rows = pages.load_one(key.clone()).await?.unwrap_or_default();
    let counts = counts.clone();
    let total_count: page::CountFn = Arc::new(move || {
        let (counts, key) = (counts.clone(), key.clone());
        Box::pin(async move { Ok(counts.load_one(key).await?.unwrap_or(0)) })
    });
    Ok(page::Page {
        items: rows.items.clone(),
        has_next_page: rows.has_next_page,
        has_previous_page: rows.has_previous_page,
        total_count,
    })
}

/// The loaders of the request.
pub fn loaders<'a>(ctx: &async_graphql::Context<'a>) -> Result<&'a Loaders, AppError> {
    ctx.data::<Loaders>().map_err(|e| AppError::internal(e.message))
}
