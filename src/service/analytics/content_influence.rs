//! `contentInfluence`: for a period, per content, the touches, the people reached, the deals the
//! touches influenced (a touch naming the deal, or by one of its participants while it was
//! open), those of them now won, and their money per currency. One statement, counted and
//! summed in the database; ordered and cut by `domain::influence`.
//!
//! Readable with `opportunity.read` and `content.read`: content the caller may not read is left
//! out, and only deals they may read are counted (their own under an OWN grant).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use entity::opportunity::OpportunityStage;
use sea_orm::{ActiveEnum, ConnectionTrait, DatabaseConnection};
use uuid::Uuid;

use super::{CENTS, Sql, get, money_sum, no_money_sum, owned_deals, read_sum, rows, snapshot};
use crate::{
    domain::{
        analytics::Period,
        authz::{self, Principal, Visibility},
        influence::{self, Influence},
        permission::Permission,
    },
    error::AppError,
    service::content as content_service,
};

/// What a content team asks.
#[derive(Debug, Clone)]
pub struct InfluenceQuery {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Only these (none: every content).
    pub content_ids: Option<Vec<Uuid>>,
    pub first: usize,
}

/// The influence of content in the period, most won first.
pub async fn content_influence(
    db: &DatabaseConnection,
    principal: &Principal,
    query: InfluenceQuery,
) -> Result<Vec<Influence>, AppError> {
    let deals = authz::visibility(principal, Permission::OpportunityRead)?;
    let contents = authz::visibility(principal, Permission::ContentRead)?;
    let period = Period::new(query.from, query.to, None, Utc::now())
        .map_err(|e| AppError::BadUserInput(e.message()))?;
    if query.content_ids.as_ref().is_some_and(Vec::is_empty) {
        return Ok(Vec::new());
    }
    let txn = snapshot(db).await?;
    let mut out = compute(&txn, deals, contents, period, &query).await?;
    // Content asked for by id is listed even when nothing touched it, if the caller may read it.
    if let Some(ids) = &query.content_ids {
        let missing: Vec<Uuid> = ids
            .iter()
            .filter(|id| !out.iter().any(|r| r.content_id == **id))
            .copied()
            .collect();
        for content in content_service::find_many(&txn, principal, &missing).await? {
            out.push(Influence {
                content_id: content.id,
                ..Influence::default()
            });
        }
    }
    txn.commit().await?;
    Ok(influence::rank(out, query.first))
}

/// The caller's scope over the content of engagement rows `e`.
fn owned_content(sql: &mut Sql, visibility: Visibility) -> String {
    match visibility {
        Visibility::All => String::new(),
        Visibility::OwnedBy(me) => format!(
            " AND e.content_id IN (SELECT k.id FROM content k WHERE k.owner_id = {})",
            sql.bind(me)
        ),
        Visibility::Nothing => " AND 1 = 0".into(),
    }
}

async fn compute(
    db: &impl ConnectionTrait,
    deals: Visibility,
    contents: Visibility,
    period: Period,
    query: &InfluenceQuery,
) -> Result<Vec<Influence>, AppError> {
    let mut sql = Sql::new(db.get_database_backend());
    let (from, to) = (sql.bind(period.from), sql.bind(period.to));
    let scope = owned_content(&mut sql, contents);
    let only = query
        .content_ids
        .as_deref()
        .and_then(|ids| sql.list(ids))
        .map(|list| format!(" AND e.content_id {list}"))
        .unwrap_or_default();
    let readable = owned_deals(&mut sql, deals);
    let won = format!("o.stage = '{}'", OpportunityStage::ClosedWon.to_value());
    let influenced = money_sum(CENTS, None, "a");
    let won_amount = money_sum(
        &format!("(CASE WHEN {won} THEN {CENTS} ELSE NULL END)"),
        None,
        "wa",
    );
    let (no_a, no_wa) = (no_money_sum("a"), no_money_sum("wa"));
    sql.text = format!(
        "WITH e AS (SELECT e.content_id AS c, e.stakeholder_id AS s, e.opportunity_id AS d, \
           e.occurred_at AS t FROM engagement e \
           WHERE e.content_id IS NOT NULL AND e.occurred_at >= {from} AND e.occurred_at < {to}{scope}{only}), \
         inf AS (SELECT e.c AS c, e.d AS d FROM e WHERE e.d IS NOT NULL \
           UNION SELECT e.c, p.opportunity_id FROM e \
           JOIN deal_participant p ON p.stakeholder_id = e.s \
           JOIN opportunity o ON o.id = p.opportunity_id \
           WHERE o.created_at <= e.t AND (o.closed_at IS NULL OR e.t < o.closed_at)) \
         SELECT 'T' AS f, e.c AS c, CAST(NULL AS TEXT) AS cur, COUNT(*) AS n, \
           COUNT(DISTINCT e.s) AS m, {no_a}, {no_wa} \
           FROM e GROUP BY e.c \
         UNION ALL SELECT 'I', inf.c, o.currency, COUNT(*), \
           SUM(CASE WHEN {won} THEN 1 ELSE 0 END), {influenced}, {won_amount} \
           FROM inf JOIN opportunity o ON o.id = inf.d WHERE 1 = 1{readable} GROUP BY inf.c, o.currency"
    );
    let mut by_content: BTreeMap<Uuid, Influence> = BTreeMap::new();
    for row in rows(db, sql).await? {
        let content_id: Uuid = get(&row, "c")?;
        let entry = by_content.entry(content_id).or_insert_with(|| Influence {
            content_id,
            ..Influence::default()
        });
        let n: i64 = get(&row, "n")?;
        let m: i64 = get::<Option<i64>>(&row, "m")?.unwrap_or(0);
        if get::<String>(&row, "f")? == "T" {
            entry.touches = n;
            entry.stakeholders_reached = m;
            continue;
        }
        entry.opportunities_influenced += n;
        entry.opportunities_won += m;
        if let Some(currency) = get::<Option<String>>(&row, "cur")? {
            if let Some(a) = read_sum(&row, "a")? {
                entry.influenced_cents.insert(currency.clone(), a);
            }
            if let Some(wa) = read_sum(&row, "wa")? {
                entry.won_cents.insert(currency, wa);
            }
        }
    }
    Ok(by_content.into_values().collect())
}
