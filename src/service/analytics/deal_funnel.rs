//! `dealFunnel`: the opportunity pipeline for a period, with money per currency. Two
//! statements: stage volumes, amounts at the end and time in stage; then creations, wins,
//! losses, won amounts and cycle times. Money is summed as whole cents (see `super::money_sum`), per
//! currency, never across.

use std::collections::BTreeMap;

use entity::{account::AccountTier, enums::LeadSource, enums::ReasonCode, opportunity::OpportunityStage};
use sea_orm::{ActiveEnum, ConnectionTrait, DatabaseConnection, Iterable};
use uuid::Uuid;

use super::{
    CENTS, GroupKey, KeyKind, MoneyByCurrency, Sql, Window, get, labels, money_sum, no_money_sum, open,
    owned_deals, read_sum, reason_counts, rows, snapshot,
};
use crate::{
    domain::{
        analytics::{Period, average, from_cents, rate, weighted},
        authz::{Principal, Visibility},
        opportunity::default_probability,
    },
    error::AppError,
};

/// What a deal funnel is grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DealGroupBy {
    None,
    Owner,
    LeadSource,
    AccountTier,
}

/// Which deals count (an empty list: any).
#[derive(Debug, Clone, Default)]
pub struct DealFunnelFilter {
    pub owner_ids: Vec<Uuid>,
    pub account_ids: Vec<Uuid>,
    pub lead_sources: Vec<LeadSource>,
    pub account_tiers: Vec<AccountTier>,
    pub exclude_archived: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DealStageVolume {
    pub stage: OpportunityStage,
    pub entered: i64,
    pub in_stage_at_end: i64,
    pub amount_at_end: MoneyByCurrency,
    pub weighted_amount_at_end: MoneyByCurrency,
    pub median_hours_in_stage: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DealFunnelGroup {
    pub key: GroupKey,
    pub label: Option<String>,
    pub stages: Vec<DealStageVolume>,
    pub created: i64,
    pub won: i64,
    pub lost: i64,
    pub win_rate: Option<f64>,
    pub won_amount: MoneyByCurrency,
    pub average_won_amount: MoneyByCurrency,
    pub median_cycle_days: Option<f64>,
    pub lost_reasons: Vec<(ReasonCode, i64)>,
}

#[derive(Debug, Clone)]
pub struct DealFunnel {
    pub period: Period,
    pub groups: Vec<DealFunnelGroup>,
}

#[derive(Default)]
struct Acc {
    entered: BTreeMap<String, i64>,
    at_end: BTreeMap<String, i64>,
    /// stage -> currency -> (cents, cents x percent)
    amounts: BTreeMap<String, BTreeMap<String, (i128, i128)>>,
    stay_median: BTreeMap<String, f64>,
    created: i64,
    won: i64,
    lost: i64,
    /// currency -> (wins, cents)
    won_amount: BTreeMap<String, (i64, i128)>,
    cycle_median: Option<f64>,
    lost_reasons: BTreeMap<String, i64>,
}

fn group_column(group_by: DealGroupBy) -> (&'static str, KeyKind) {
    match group_by {
        DealGroupBy::None => ("NULL", KeyKind::None),
        DealGroupBy::Owner => ("o.owner_id", KeyKind::User),
        DealGroupBy::LeadSource => ("o.lead_source", KeyKind::Name),
        DealGroupBy::AccountTier => ("a.tier", KeyKind::Name),
    }
}

/// The filter and the caller's scope, over `o` (opportunity) and `a` (its account).
fn conditions(sql: &mut Sql, filter: &DealFunnelFilter, visibility: Visibility) -> String {
    let sources: Vec<String> = filter.lead_sources.iter().map(|s| s.to_value()).collect();
    let tiers: Vec<String> = filter.account_tiers.iter().map(|t| t.to_value()).collect();
    let lists = [
        ("o.owner_id", sql.list(&filter.owner_ids)),
        ("o.account_id", sql.list(&filter.account_ids)),
        ("o.lead_source", sql.list(&sources)),
        ("a.tier", sql.list(&tiers)),
    ];
    let mut out = String::new();
    for (column, list) in lists {
        if let Some(list) = list {
            out.push_str(&format!(" AND {column} {list}"));
        }
    }
    if filter.exclude_archived {
        out.push_str(" AND o.archived_at IS NULL AND a.archived_at IS NULL");
    }
    out.push_str(&owned_deals(sql, visibility));
    out
}

/// The probability of a deal during a stay: set by hand, or else that stage's own (a deal that
/// was in DISCOVERY at the end weighs 10 % there, even if it is won today).
fn probability_sql(stage: &str) -> String {
    let arms: String = OpportunityStage::iter()
        .map(|s| format!(" WHEN '{}' THEN {}", s.to_value(), default_probability(s)))
        .collect();
    format!("COALESCE(o.probability, CASE {stage}{arms} ELSE 0 END)")
}

/// Stays joined to their deal and its account.
const MIDDLE: &str = "rn IN ((cnt + 1) / 2, (cnt + 2) / 2)";

/// Computes the deal funnel in one snapshot of the history.
pub async fn deal_funnel(
    db: &DatabaseConnection,
    principal: &Principal,
    window: Window,
    group_by: DealGroupBy,
    filter: DealFunnelFilter,
) -> Result<DealFunnel, AppError> {
    let txn = snapshot(db).await?;
    let out = compute(&txn, principal, window, group_by, filter).await?;
    txn.commit().await?;
    Ok(out)
}

async fn compute(
    db: &impl ConnectionTrait,
    principal: &Principal,
    window: Window,
    group_by: DealGroupBy,
    filter: DealFunnelFilter,
) -> Result<DealFunnel, AppError> {
    let (visibility, period) = open(principal, window)?;
    let (g, kind) = group_column(group_by);
    let backend = db.get_database_backend();
    let mut groups: BTreeMap<GroupKey, Acc> = BTreeMap::new();

    // Stage volumes, amounts at the end, time in stage.
    let mut sql = Sql::new(backend);
    let (from, end) = (sql.bind(period.from), sql.bind(period.end));
    let cond = conditions(&mut sql, &filter, visibility);
    let (amount, sum, no_sum) = (CENTS, money_sum("cents", None, "a"), no_money_sum("a"));
    let (weighted_sum, no_weighted_sum) = (money_sum("cents", Some("p"), "w"), no_money_sum("w"));
    let probability = probability_sql("y.stage");
    let stay = sql.hours("i.entered_at", "i.left_at");
    // The account is joined only when the grouping or a condition reads it.
    let account = if g.starts_with("a.") || cond.contains(" a.") {
        " JOIN account a ON a.id = o.account_id"
    } else {
        ""
    };
    let deals = format!("stage_interval i JOIN opportunity o ON o.id = i.subject_id{account}");
    // `y`: the stays that cover the end, still open or left at or after it (two index ranges),
    // joined to their deal afterwards. A deal is in one stay at a time.
    sql.text = format!(
        "WITH e AS (SELECT o.id AS u, {g} AS g, i.stage AS stage FROM {deals} \
           WHERE i.kind = 'OPPORTUNITY' AND i.entered_at >= {from} AND i.entered_at < {end}{cond}), \
         y AS (SELECT i.subject_id AS u, i.stage AS stage FROM stage_interval i \
           WHERE i.kind = 'OPPORTUNITY' AND i.left_at IS NULL AND i.entered_at < {end} \
           UNION ALL SELECT i.subject_id, i.stage FROM stage_interval i \
           WHERE i.kind = 'OPPORTUNITY' AND i.left_at >= {end} AND i.entered_at < {end}), \
         z AS (SELECT o.id AS u, {g} AS g, y.stage AS stage, o.currency AS cur, {amount} AS cents, \
           {probability} AS p FROM y JOIN opportunity o ON o.id = y.u{account} WHERE 1 = 1{cond}), \
         s AS (SELECT {g} AS g, i.stage AS stage, {stay} AS h FROM {deals} \
           WHERE i.kind = 'OPPORTUNITY' AND i.left_at >= {from} AND i.left_at < {end}{cond}), \
         m AS (SELECT g, stage, h, ROW_NUMBER() OVER (PARTITION BY g, stage ORDER BY h) AS rn, \
           COUNT(*) OVER (PARTITION BY g, stage) AS cnt FROM s) \
         SELECT 'ENTERED' AS f, g, stage, CAST(NULL AS TEXT) AS cur, COUNT(DISTINCT u) AS n, \
           {no_sum}, {no_weighted_sum}, CAST(NULL AS DOUBLE PRECISION) AS x \
           FROM e GROUP BY g, stage \
         UNION ALL SELECT 'AT_END', g, stage, NULL, COUNT(*), NULL, NULL, NULL, NULL, NULL \
           FROM z GROUP BY g, stage \
         UNION ALL SELECT 'AMOUNT', g, stage, cur, COUNT(*), {sum}, {weighted_sum}, NULL FROM z \
           WHERE cur IS NOT NULL AND cents IS NOT NULL GROUP BY g, stage, cur \
         UNION ALL SELECT 'MEDIAN', g, stage, NULL, COUNT(*), NULL, NULL, NULL, NULL, AVG(h) FROM m \
           WHERE {MIDDLE} GROUP BY g, stage"
    );
    for row in rows(db, sql).await? {
        let acc = groups.entry(kind.read(&row)?).or_default();
        let stage: String = get(&row, "stage")?;
        let n: i64 = get(&row, "n")?;
        match get::<String>(&row, "f")?.as_str() {
            "ENTERED" => {
                acc.entered.insert(stage, n);
            }
            "AT_END" => {
                acc.at_end.insert(stage, n);
            }
            "AMOUNT" => {
                let currency: String = get(&row, "cur")?;
                let sum = read_sum(&row, "a")?.unwrap_or_default();
                let weighted = read_sum(&row, "w")?.unwrap_or_default();
                acc.amounts
                    .entry(stage)
                    .or_default()
                    .insert(currency, (sum, weighted));
            }
            _ => {
                if let Some(h) = get::<Option<f64>>(&row, "x")? {
                    acc.stay_median.insert(stage, h);
                }
            }
        }
    }

    // Creations, wins and losses in the period.
    let mut sql = Sql::new(backend);
    let (from, end) = (sql.bind(period.from), sql.bind(period.end));
    let cond = conditions(&mut sql, &filter, visibility);
    let (won, lost) = (
        OpportunityStage::ClosedWon.to_value(),
        OpportunityStage::ClosedLost.to_value(),
    );
    let cycle = sql.hours("o.created_at", "c.changed_at");
    sql.text = format!(
        "WITH w AS (SELECT {g} AS g, c.to_stage AS stage, c.reason_code AS reason, \
           o.currency AS cur, {amount} AS cents, {cycle} / 24.0 AS days \
           FROM stage_change c JOIN opportunity o ON o.id = c.opportunity_id{account} \
           WHERE c.kind = 'OPPORTUNITY' AND c.to_stage IN ('{won}', '{lost}') \
           AND c.changed_at >= {from} AND c.changed_at < {end}{cond}), \
         m AS (SELECT g, days, ROW_NUMBER() OVER (PARTITION BY g ORDER BY days) AS rn, \
           COUNT(*) OVER (PARTITION BY g) AS cnt FROM w WHERE stage = '{won}'), \
         cr AS (SELECT {g} AS g FROM opportunity o{account} \
           WHERE o.created_at >= {from} AND o.created_at < {end}{cond}) \
         SELECT 'WON' AS f, g, CAST(NULL AS TEXT) AS k, COUNT(*) AS n, {no_sum}, \
           CAST(NULL AS DOUBLE PRECISION) AS x FROM w WHERE stage = '{won}' GROUP BY g \
         UNION ALL SELECT 'LOST', g, reason, COUNT(*), NULL, NULL, NULL FROM w \
           WHERE stage = '{lost}' GROUP BY g, reason \
         UNION ALL SELECT 'WON_AMOUNT', g, cur, COUNT(*), {sum}, NULL FROM w \
           WHERE stage = '{won}' AND cur IS NOT NULL AND cents IS NOT NULL GROUP BY g, cur \
         UNION ALL SELECT 'CYCLE', g, NULL, COUNT(*), NULL, NULL, AVG(days) FROM m WHERE {MIDDLE} GROUP BY g \
         UNION ALL SELECT 'CREATED', g, NULL, COUNT(*), NULL, NULL, NULL FROM cr GROUP BY g"
    );
    for row in rows(db, sql).await? {
        let acc = groups.entry(kind.read(&row)?).or_default();
        let n: i64 = get(&row, "n")?;
        let k: Option<String> = get(&row, "k")?;
        match get::<String>(&row, "f")?.as_str() {
            "WON" => acc.won += n,
            "LOST" => {
                acc.lost += n;
                if let Some(reason) = k {
                    *acc.lost_reasons.entry(reason).or_default() += n;
                }
            }
            "WON_AMOUNT" => {
                if let Some(currency) = k {
                    acc.won_amount
                        .insert(currency, (n, read_sum(&row, "a")?.unwrap_or_default()));
                }
            }
            "CYCLE" => acc.cycle_median = get(&row, "x")?,
            _ => acc.created += n,
        }
    }

    if group_by == DealGroupBy::None {
        groups.entry(GroupKey::Nothing).or_default();
    }
    let names = labels(db, kind, groups.keys()).await?;
    let order: Vec<String> = match group_by {
        DealGroupBy::LeadSource => LeadSource::iter().map(|s| s.to_value()).collect(),
        DealGroupBy::AccountTier => AccountTier::iter().map(|t| t.to_value()).collect(),
        _ => Vec::new(),
    };
    let empty = match group_by {
        DealGroupBy::None => "All",
        DealGroupBy::Owner => "No owner",
        DealGroupBy::LeadSource => "No lead source",
        DealGroupBy::AccountTier => "No tier",
    };
    let groups = super::ordered(groups, &names, &order, empty)
        .into_iter()
        .map(|(key, label, acc)| finish(key, label, acc))
        .collect();
    Ok(DealFunnel { period, groups })
}

fn finish(key: GroupKey, label: Option<String>, acc: Acc) -> DealFunnelGroup {
    let stages = OpportunityStage::iter()
        .map(|stage| {
            let name = stage.to_value();
            let amounts = acc.amounts.get(&name);
            DealStageVolume {
                stage,
                entered: acc.entered.get(&name).copied().unwrap_or(0),
                in_stage_at_end: acc.at_end.get(&name).copied().unwrap_or(0),
                amount_at_end: amounts
                    .map(|m| {
                        m.iter()
                            .map(|(c, (sum, _))| (c.clone(), from_cents(*sum)))
                            .collect()
                    })
                    .unwrap_or_default(),
                weighted_amount_at_end: amounts
                    .map(|m| m.iter().map(|(c, (_, w))| (c.clone(), weighted(*w))).collect())
                    .unwrap_or_default(),
                median_hours_in_stage: acc.stay_median.get(&name).copied(),
            }
        })
        .collect();
    DealFunnelGroup {
        key,
        label,
        stages,
        created: acc.created,
        won: acc.won,
        lost: acc.lost,
        win_rate: rate(acc.won, acc.won + acc.lost),
        won_amount: acc
            .won_amount
            .iter()
            .map(|(c, (_, sum))| (c.clone(), from_cents(*sum)))
            .collect(),
        average_won_amount: acc
            .won_amount
            .iter()
            .filter_map(|(c, (n, sum))| average(*sum, *n).map(|a| (c.clone(), a)))
            .collect(),
        median_cycle_days: acc.cycle_median,
        lost_reasons: reason_counts(&acc.lost_reasons),
    }
}
