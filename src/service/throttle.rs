//! Throttled sign-in: each attempt is admitted or refused against its email's and its client
//! address's history in `login_throttle`, in one write transaction that locks both rows, so
//! concurrent guesses and other replicas see one count (the rule is `domain::throttle`).

use std::net::IpAddr;

use chrono::Utc;
use entity::login_throttle;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Set,
    TransactionTrait, TryInsertResult, sea_query::Expr,
};

use crate::{
    auth::secret,
    domain::throttle::{self, Attempts, Rule, Verdict},
    error::AppError,
};

/// The keys one attempt is counted under, with their rules.
pub struct Attempt {
    keys: Vec<(String, Rule)>,
}

impl Attempt {
    /// An attempt to sign in as `email` from `client` (unknown when the transport gives none).
    pub fn new(email: &str, client: Option<IpAddr>, first_delay_ms: i64) -> Self {
        let mut keys = vec![(
            secret::digest(&throttle::email_subject(email)),
            Rule::per_email(first_delay_ms),
        )];
        if let Some(addr) = client {
            keys.push((
                secret::digest(&throttle::client_subject(addr)),
                Rule::per_client(first_delay_ms),
            ));
        }
        Self { keys }
    }
}

/// Counts the attempt, or refuses it with THROTTLED (and changes nothing) while a key must wait.
pub async fn admit(db: &DatabaseConnection, attempt: &Attempt) -> Result<(), AppError> {
    let now = Utc::now().timestamp_millis();
    let txn = super::write(db).await?;
    let blank = attempt.keys.iter().map(|(key, _)| login_throttle::ActiveModel {
        key: Set(key.clone()),
        failures: Set(0),
        last_attempt_ms: Set(now),
        blocked_until_ms: Set(0),
    });
    // Every key gets a row first, so the lock below has a row to hold.
    let inserted = login_throttle::Entity::insert_many(blank)
        .on_conflict_do_nothing_on([login_throttle::Column::Key])
        .exec_without_returning(&txn)
        .await?;
    let rows = login_throttle::Entity::find()
        .filter(login_throttle::Column::Key.is_in(attempt.keys.iter().map(|(k, _)| k.clone())))
        .lock_exclusive()
        .all(&txn)
        .await?;
    let mut admitted = Vec::with_capacity(rows.len());
    for (key, rule) in &attempt.keys {
        let current = rows
            .iter()
            .find(|r| &r.key == key)
            .map(|r| Attempts {
                failures: r.failures.max(0) as u32,
                last_attempt_ms: r.last_attempt_ms,
                blocked_until_ms: r.blocked_until_ms,
            })
            .unwrap_or_default();
        match rule.judge(now, current) {
            Verdict::Admit(next) => admitted.push((key, next)),
            Verdict::Wait { retry_after_ms } => {
                txn.rollback().await?;
                return Err(AppError::Throttled {
                    retry_after_seconds: throttle::retry_after_seconds(retry_after_ms),
                });
            }
        }
    }
    for (key, next) in admitted {
        login_throttle::Entity::update_many()
            .col_expr(
                login_throttle::Column::Failures,
                Expr::value(i32::try_from(next.failures).unwrap_or(i32::MAX)),
            )
            .col_expr(
                login_throttle::Column::LastAttemptMs,
                Expr::value(next.last_attempt_ms),
            )
            .col_expr(
                login_throttle::Column::BlockedUntilMs,
                Expr::value(next.blocked_until_ms),
            )
            .filter(login_throttle::Column::Key.eq(key.as_str()))
            .exec(&txn)
            .await?;
    }
    if matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
        prune(&txn, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A success forgives: the email's count starts again; the client's attempt is taken back, so
/// colleagues signing in from one office address do not add up to a block.
pub async fn succeeded(db: &DatabaseConnection, attempt: &Attempt) -> Result<(), AppError> {
    let Some((email_key, _)) = attempt.keys.first() else {
        return Ok(());
    };
    let txn = db.begin().await?;
    login_throttle::Entity::delete_many()
        .filter(login_throttle::Column::Key.eq(email_key.as_str()))
        .exec(&txn)
        .await?;
    if let Some((client_key, _)) = attempt.keys.get(1) {
        login_throttle::Entity::update_many()
            .col_expr(
                login_throttle::Column::Failures,
                sea_orm::sea_query::ExprTrait::sub(Expr::col(login_throttle::Column::Failures), 1),
            )
            .filter(login_throttle::Column::Key.eq(client_key.as_str()))
            .filter(login_throttle::Column::Failures.gt(0))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Removes keys quiet for longer than any rule remembers: the table holds about one hour of
/// attempts, however many addresses and emails an attacker makes up. Run when a key is new.
async fn prune(db: &impl ConnectionTrait, now: i64) -> Result<(), AppError> {
    let forget = Rule::per_email(0)
        .forget_after_ms
        .max(Rule::per_client(0).forget_after_ms);
    login_throttle::Entity::delete_many()
        .filter(login_throttle::Column::LastAttemptMs.lt(now - forget))
        .filter(login_throttle::Column::BlockedUntilMs.lt(now))
        .exec(db)
        .await?;
    Ok(())
}
