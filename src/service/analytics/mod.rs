//! The funnel reports, computed in the database from the append-only history (`stage_interval`
//! for entries and stays, `stage_change` for moves with their reasons, `lead_feedback`,
//! `opportunity`). Each report is a fixed, small number of statements whatever the size of the
//! data: the grouping, counting, averaging and medians happen in SQL, and only grouped figures
//! come back. The same SQL runs on SQLite and PostgreSQL; the few places where they differ
//! (time arithmetic) are the functions of this module.

pub mod content_influence;
pub mod deal_funnel;
pub mod handoff;
pub mod lead_funnel;
pub mod source_quality;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use entity::{app_user, enums::ReasonCode, persona};
use sea_orm::{
    AccessMode, ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend,
    EntityTrait, IsolationLevel, QueryFilter, QueryResult, Statement, TransactionTrait, Value,
};
use uuid::Uuid;

use crate::{
    domain::{
        analytics::{Period, order_reasons},
        authz::{self, Principal, Visibility},
        permission::Permission,
    },
    error::AppError,
};

pub use crate::domain::analytics::{FunnelUnit, LeadGroupBy};

/// The period a request asks for, before it is checked.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Default: now.
    pub as_of: Option<DateTime<Utc>>,
}

/// The first step of every report: the caller's `analytics.read` scope (FORBIDDEN without it),
/// then the period, checked (BAD_USER_INPUT when it ends before it starts or is too long).
pub(crate) fn open(principal: &Principal, window: Window) -> Result<(Visibility, Period), AppError> {
    let visibility = authz::visibility(principal, Permission::AnalyticsRead)?;
    let period = Period::new(window.from, window.to, window.as_of, Utc::now())
        .map_err(|e| AppError::BadUserInput(e.message()))?;
    Ok((visibility, period))
}

/// A read-only snapshot for one report, so its few statements see the same history even while
/// moves are written: REPEATABLE READ on PostgreSQL; on SQLite (WAL) a deferred transaction
/// already reads one snapshot.
pub(crate) async fn snapshot(db: &DatabaseConnection) -> Result<DatabaseTransaction, AppError> {
    let txn = match db.get_database_backend() {
        DbBackend::Postgres => {
            db.begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly))
                .await?
        }
        _ => db.begin().await?,
    };
    Ok(txn)
}

/// One raw statement being written, with its bound values. Placeholders are numbered (`$1`),
/// which both PostgreSQL and SQLite (through sqlx) accept, so a value can be used twice.
pub(crate) struct Sql {
    backend: DbBackend,
    pub text: String,
    values: Vec<Value>,
}

impl Sql {
    pub fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            text: String::new(),
            values: Vec::new(),
        }
    }

    /// Binds a value and returns its placeholder.
    pub fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        format!("${}", self.values.len())
    }

    /// `IN (...)` of bound values, or `None` for an empty list (no condition).
    pub fn list<V: Into<Value> + Clone>(&mut self, values: &[V]) -> Option<String> {
        if values.is_empty() {
            return None;
        }
        let marks: Vec<String> = values.iter().map(|v| self.bind(v.clone())).collect();
        Some(format!("IN ({})", marks.join(", ")))
    }

    /// Hours from `a` to `b` as a float: the one time-arithmetic fragment of the reports.
    /// SQLite keeps times as RFC 3339 text (read to the millisecond); PostgreSQL as timestamptz.
    pub fn hours(&self, a: &str, b: &str) -> String {
        match self.backend {
            DbBackend::Postgres => {
                format!("(CAST(EXTRACT(EPOCH FROM ({b} - {a})) AS DOUBLE PRECISION) / 3600.0)")
            }
            _ => format!("((unixepoch({b}, 'subsec') - unixepoch({a}, 'subsec')) / 3600.0)"),
        }
    }

    pub fn statement(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
}

/// A deal's amount in cents: money is stored as whole minor units (`amount_minor`, see
/// `domain::money`), so every sum of it is an integer sum, exact on both stores.
pub(crate) const CENTS: &str = "o.amount_minor";

/// Splits a sum of cents into two: 10^9 is far above any count of rows and far below 2^63.
const SPLIT: i64 = 1_000_000_000;

/// `SUM(cents * factor)` as two BIGINT columns, `{name}_hi` and `{name}_lo`, that `read_sum`
/// joins. One sum would overflow 64 bits (SQLite's SUM fails, PostgreSQL's cast back to
/// BIGINT fails) from ten deals at the largest amount, or one weighted at 100 %; summing the
/// billions of cents and the rest apart keeps each part below 2^63 for any real row count.
/// `cents` is never negative, so `/` and `%` split it the same way on both stores.
pub(crate) fn money_sum(cents: &str, factor: Option<&str>, name: &str) -> String {
    let times = factor.map(|f| format!(" * {f}")).unwrap_or_default();
    format!(
        "CAST(SUM(({cents} / {SPLIT}){times}) AS BIGINT) AS {name}_hi, \
         CAST(SUM(({cents} % {SPLIT}){times}) AS BIGINT) AS {name}_lo"
    )
}

/// The placeholder columns of `money_sum` for the parts of a `UNION` that sum no money.
pub(crate) fn no_money_sum(name: &str) -> String {
    format!("CAST(NULL AS BIGINT) AS {name}_hi, CAST(NULL AS BIGINT) AS {name}_lo")
}

/// The sum `money_sum` computed as `name`, or `None` where it summed no amount.
pub(crate) fn read_sum(row: &QueryResult, name: &str) -> Result<Option<i128>, AppError> {
    let hi: Option<i64> = get(row, &format!("{name}_hi"))?;
    let lo: Option<i64> = get(row, &format!("{name}_lo"))?;
    Ok(hi
        .zip(lo)
        .map(|(hi, lo)| i128::from(hi) * i128::from(SPLIT) + i128::from(lo)))
}

/// `CASE` mapping a stage column to its place in `order` (0, 1, ...), NULL for other stages.
pub(crate) fn rank_case<T: ActiveEnum<Value = String>>(column: &str, order: &[T]) -> String {
    let arms: String = order
        .iter()
        .enumerate()
        .map(|(i, s)| format!(" WHEN '{}' THEN {i}", s.to_value()))
        .collect();
    format!("(CASE {column}{arms} ELSE NULL END)")
}

/// A quoted list of stage names, for `IN (...)`: stage names are our own constants, never input.
pub(crate) fn names<T: ActiveEnum<Value = String>>(stages: &[T]) -> String {
    let quoted: Vec<String> = stages.iter().map(|s| format!("'{}'", s.to_value())).collect();
    format!("({})", quoted.join(", "))
}

/// Runs a statement and returns its rows.
pub(crate) async fn rows(db: &impl ConnectionTrait, sql: Sql) -> Result<Vec<QueryResult>, AppError> {
    Ok(db.query_all_raw(sql.statement()).await?)
}

/// Column readers that turn a database error into an internal one.
pub(crate) fn get<T: sea_orm::TryGetable>(row: &QueryResult, column: &str) -> Result<T, AppError> {
    Ok(row.try_get::<T>("", column)?)
}

/// The group a row belongs to, as read from its `g` column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupKey {
    /// The whole report (no grouping), or rows without a value for the attribute.
    Nothing,
    /// An enum attribute, by its stored name (`WEBINAR`, `TIER_1`).
    Name(String),
    /// A persona or a user.
    Id(Uuid),
}

/// What the `g` column of a grouped statement holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    None,
    Name,
    Persona,
    User,
}

impl KeyKind {
    pub(crate) fn read(self, row: &QueryResult) -> Result<GroupKey, AppError> {
        Ok(match self {
            Self::None => GroupKey::Nothing,
            Self::Name => get::<Option<String>>(row, "g")?.map_or(GroupKey::Nothing, GroupKey::Name),
            Self::Persona | Self::User => {
                get::<Option<Uuid>>(row, "g")?.map_or(GroupKey::Nothing, GroupKey::Id)
            }
        })
    }
}

/// The names of the personas or users that key groups, in one statement.
pub(crate) async fn labels(
    db: &impl ConnectionTrait,
    kind: KeyKind,
    keys: impl Iterator<Item = &GroupKey>,
) -> Result<BTreeMap<Uuid, String>, AppError> {
    let ids: Vec<Uuid> = keys
        .filter_map(|k| match k {
            GroupKey::Id(id) => Some(*id),
            _ => None,
        })
        .collect();
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    Ok(match kind {
        KeyKind::Persona => persona::Entity::find()
            .filter(persona::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect(),
        KeyKind::User => app_user::Entity::find()
            .filter(app_user::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect(),
        KeyKind::None | KeyKind::Name => BTreeMap::new(),
    })
}

/// Reason codes counted, most frequent first, ties by code name.
pub(crate) fn reason_counts(counts: &BTreeMap<String, i64>) -> Vec<(ReasonCode, i64)> {
    let mut named: Vec<(String, i64)> = counts.iter().map(|(k, v)| (k.clone(), *v)).collect();
    order_reasons(&mut named);
    named
        .into_iter()
        .filter_map(|(code, n)| ReasonCode::try_from_value(&code).ok().map(|c| (c, n)))
        .collect()
}

/// Money per currency, sorted by currency (a `BTreeMap` keeps that order).
pub type MoneyByCurrency = BTreeMap<String, sea_orm::prelude::Decimal>;

/// The caller's scope over stakeholder rows `s`: under an OWN grant, the people they own or
/// market to; an API token with an OWN grant owns nothing.
pub(crate) fn owned_people(sql: &mut Sql, visibility: Visibility) -> String {
    match visibility {
        Visibility::All => String::new(),
        Visibility::OwnedBy(me) => {
            let me = sql.bind(me);
            format!(" AND (s.owner_id = {me} OR s.marketing_owner_id = {me})")
        }
        Visibility::Nothing => " AND 1 = 0".into(),
    }
}

/// The caller's scope over opportunity rows `o`: under an OWN grant, the deals they own.
pub(crate) fn owned_deals(sql: &mut Sql, visibility: Visibility) -> String {
    match visibility {
        Visibility::All => String::new(),
        Visibility::OwnedBy(me) => format!(" AND o.owner_id = {}", sql.bind(me)),
        Visibility::Nothing => " AND 1 = 0".into(),
    }
}

/// An enum name as a label: `SALES_GENERATED` reads "Sales generated", `TIER_1` "Tier 1".
pub(crate) fn humanize(name: &str) -> String {
    let lower = name.replace('_', " ").to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => lower,
    }
}

/// Groups in the order a reader expects: enum values in enum order, personas and users by
/// name, the group without a value last; each with its label.
pub(crate) fn ordered<T>(
    groups: BTreeMap<GroupKey, T>,
    names: &BTreeMap<Uuid, String>,
    enum_order: &[String],
    empty_label: &str,
) -> Vec<(GroupKey, Option<String>, T)> {
    let mut out: Vec<(GroupKey, Option<String>, T)> = groups
        .into_iter()
        .map(|(key, value)| {
            let label = match &key {
                GroupKey::Nothing => empty_label.to_owned(),
                GroupKey::Name(name) => humanize(name),
                GroupKey::Id(id) => names.get(id).cloned().unwrap_or_default(),
            };
            (key, Some(label), value)
        })
        .collect();
    let place = |key: &GroupKey, label: &Option<String>| match key {
        GroupKey::Nothing => (2, usize::MAX, String::new()),
        GroupKey::Name(name) => (
            0,
            enum_order.iter().position(|n| n == name).unwrap_or(usize::MAX),
            name.clone(),
        ),
        GroupKey::Id(id) => (
            1,
            0,
            format!("{}\u{0}{id}", label.as_deref().unwrap_or_default().to_lowercase()),
        ),
    };
    out.sort_by_cached_key(|(key, label, _)| place(key, label));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_names_read_as_labels() {
        assert_eq!(humanize("SALES_GENERATED"), "Sales generated");
        assert_eq!(humanize("TIER_1"), "Tier 1");
    }

    #[test]
    fn groups_come_in_enum_order_then_by_name_and_the_empty_group_last() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let groups: BTreeMap<GroupKey, ()> = [
            (GroupKey::Nothing, ()),
            (GroupKey::Name("EVENT".into()), ()),
            (GroupKey::Name("WEBINAR".into()), ()),
        ]
        .into_iter()
        .collect();
        let order = vec!["WEBINAR".to_owned(), "EVENT".to_owned()];
        let keys: Vec<GroupKey> = ordered(groups, &BTreeMap::new(), &order, "None")
            .into_iter()
            .map(|(k, _, _)| k)
            .collect();
        assert_eq!(
            keys,
            vec![
                GroupKey::Name("WEBINAR".into()),
                GroupKey::Name("EVENT".into()),
                GroupKey::Nothing
            ]
        );
        let names: BTreeMap<Uuid, String> = [(a, "zed".to_owned()), (b, "Amy".to_owned())].into();
        let people: BTreeMap<GroupKey, ()> = [(GroupKey::Id(a), ()), (GroupKey::Id(b), ())].into();
        let labels: Vec<Option<String>> = ordered(people, &names, &[], "No owner")
            .into_iter()
            .map(|(_, l, _)| l)
            .collect();
        assert_eq!(labels, vec![Some("Amy".to_owned()), Some("zed".to_owned())]);
    }

    #[test]
    fn placeholders_are_numbered_and_empty_lists_add_no_condition() {
        let mut sql = Sql::new(DbBackend::Sqlite);
        assert_eq!(sql.bind(1), "$1");
        assert_eq!(sql.list::<i32>(&[]), None);
        assert_eq!(sql.list(&[5, 6]), Some("IN ($2, $3)".to_owned()));
        assert_eq!(
            money_sum("c", Some("p"), "w"),
            "CAST(SUM((c / 1000000000) * p) AS BIGINT) AS w_hi, \
             CAST(SUM((c % 1000000000) * p) AS BIGINT) AS w_lo"
        );
    }
}
