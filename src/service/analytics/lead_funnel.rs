//! `leadFunnel`: the demand waterfall for a period, per lead or per buying group. Two
//! statements answer every figure (entries, stays at the end, cohort steps with their hours;
//! then the rejections, recycles and disqualifications with their reasons), plus one for the
//! names of persona or owner groups.

use std::collections::BTreeMap;

use entity::{
    account::AccountTier,
    enums::{LeadSource, LeadStage, ReasonCode},
};
use sea_orm::{ActiveEnum, ConnectionTrait, DatabaseConnection, DbBackend, Iterable};
use uuid::Uuid;

use super::{
    FunnelUnit, GroupKey, KeyKind, LeadGroupBy, Sql, Window, get, labels, names, open, rank_case,
    reason_counts, rows, snapshot,
};
use crate::{
    domain::{
        analytics::{Period, WATERFALL, group_allowed, rate, steps},
        authz::{Principal, Visibility},
    },
    error::AppError,
};

/// What to count: leads or accounts of these attributes (an empty list: any).
#[derive(Debug, Clone, Default)]
pub struct LeadFunnelFilter {
    pub lead_sources: Vec<LeadSource>,
    pub account_tiers: Vec<AccountTier>,
    pub persona_ids: Vec<Uuid>,
    /// The lead's owner; for ACCOUNT, the account's.
    pub owner_ids: Vec<Uuid>,
    /// The lead's marketing owner; for ACCOUNT, the account's.
    pub marketing_owner_ids: Vec<Uuid>,
    pub account_ids: Vec<Uuid>,
    pub exclude_archived: bool,
}

/// A stage's volume: units that entered it in the period, and units in it at the end.
#[derive(Debug, Clone, PartialEq)]
pub struct StageVolume {
    pub stage: LeadStage,
    pub entered: i64,
    pub in_stage_at_end: i64,
}

/// One cohort step of the ladder.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub from: LeadStage,
    pub to: LeadStage,
    pub entered: i64,
    pub converted: i64,
    pub rate: Option<f64>,
    pub median_hours: Option<f64>,
    pub average_hours: Option<f64>,
}

/// The funnel of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadFunnelGroup {
    pub key: GroupKey,
    pub label: Option<String>,
    pub stages: Vec<StageVolume>,
    pub steps: Vec<Step>,
    pub rejected: i64,
    pub recycled: i64,
    pub disqualified: i64,
    pub reasons: Vec<(ReasonCode, i64)>,
}

#[derive(Debug, Clone)]
pub struct LeadFunnel {
    pub period: Period,
    pub unit: FunnelUnit,
    pub groups: Vec<LeadFunnelGroup>,
}

/// The figures of one group as the rows bring them.
#[derive(Default)]
struct Acc {
    /// (figure, stage) -> count
    counts: BTreeMap<(&'static str, String), i64>,
    /// (figure, stage) -> hours
    hours: BTreeMap<(&'static str, String), f64>,
    rejected: i64,
    recycled: i64,
    disqualified: i64,
    reasons: BTreeMap<String, i64>,
}

const FIGURES: [&str; 5] = ["ENTERED", "AT_END", "COHORT", "CONVERTED", "MEDIAN"];

/// The group column, and what it holds.
fn group_column(unit: FunnelUnit, group_by: LeadGroupBy) -> (&'static str, KeyKind) {
    match (unit, group_by) {
        (_, LeadGroupBy::None) => ("NULL", KeyKind::None),
        (_, LeadGroupBy::LeadSource) => ("s.lead_source", KeyKind::Name),
        (_, LeadGroupBy::AccountTier) => ("a.tier", KeyKind::Name),
        (_, LeadGroupBy::Persona) => ("s.persona_id", KeyKind::Persona),
        (FunnelUnit::Lead, LeadGroupBy::Owner) => ("s.owner_id", KeyKind::User),
        (FunnelUnit::Account, LeadGroupBy::Owner) => ("a.owner_id", KeyKind::User),
        (_, LeadGroupBy::MarketingOwner) => ("s.marketing_owner_id", KeyKind::User),
    }
}

/// The conditions on `s` (stakeholder) and `a` (its account) every statement shares: the
/// filter and the caller's scope.
fn conditions(sql: &mut Sql, unit: FunnelUnit, filter: &LeadFunnelFilter, visibility: Visibility) -> String {
    let mut out = String::new();
    let sources: Vec<String> = filter.lead_sources.iter().map(|s| s.to_value()).collect();
    let tiers: Vec<String> = filter.account_tiers.iter().map(|t| t.to_value()).collect();
    let (owner, marketing_owner) = match unit {
        FunnelUnit::Lead => ("s.owner_id", "s.marketing_owner_id"),
        FunnelUnit::Account => ("a.owner_id", "a.marketing_owner_id"),
    };
    let lists = [
        ("s.lead_source", sql.list(&sources)),
        ("a.tier", sql.list(&tiers)),
        ("s.persona_id", sql.list(&filter.persona_ids)),
        (owner, sql.list(&filter.owner_ids)),
        (marketing_owner, sql.list(&filter.marketing_owner_ids)),
        ("s.account_id", sql.list(&filter.account_ids)),
    ];
    for (column, list) in lists {
        if let Some(list) = list {
            out.push_str(&format!(" AND {column} {list}"));
        }
    }
    if filter.exclude_archived {
        out.push_str(" AND s.archived_at IS NULL AND a.archived_at IS NULL");
    }
    out.push_str(&super::owned_people(sql, visibility));
    out
}

/// Computes the funnel in one snapshot of the history. BAD_USER_INPUT for a grouping the unit
/// does not have.
pub async fn lead_funnel(
    db: &DatabaseConnection,
    principal: &Principal,
    window: Window,
    unit: FunnelUnit,
    group_by: LeadGroupBy,
    filter: LeadFunnelFilter,
) -> Result<LeadFunnel, AppError> {
    let txn = snapshot(db).await?;
    let out = compute(&txn, principal, window, unit, group_by, filter).await?;
    txn.commit().await?;
    Ok(out)
}

async fn compute(
    db: &impl ConnectionTrait,
    principal: &Principal,
    window: Window,
    unit: FunnelUnit,
    group_by: LeadGroupBy,
    filter: LeadFunnelFilter,
) -> Result<LeadFunnel, AppError> {
    let (visibility, period) = open(principal, window)?;
    if !group_allowed(unit, group_by) {
        return Err(AppError::BadUserInput(
            "an ACCOUNT funnel groups only by NONE, ACCOUNT_TIER or OWNER".into(),
        ));
    }
    let (g, kind) = group_column(unit, group_by);
    let backend = db.get_database_backend();
    let mut groups: BTreeMap<GroupKey, Acc> = BTreeMap::new();

    // Entries, stays at the end and the cohort steps.
    let mut sql = Sql::new(backend);
    let (from, end, as_of) = (
        sql.bind(period.from),
        sql.bind(period.end),
        sql.bind(period.as_of),
    );
    let rank = rank_case("i.stage", &WATERFALL);
    let later_rank = rank_case("x.stage", &WATERFALL);
    let cond = conditions(&mut sql, unit, &filter, visibility);
    // A funnel of every lead, ungrouped, needs neither the person nor the account; the account
    // is joined only when a figure or a condition reads it.
    let needs_account = g.starts_with("a.") || cond.contains(" a.");
    let account = if needs_account {
        " JOIN account a ON a.id = s.account_id"
    } else {
        ""
    };
    let lead_only = unit == FunnelUnit::Lead && group_by == LeadGroupBy::None && cond.is_empty();
    let unit_column = match unit {
        FunnelUnit::Lead => "i.subject_id",
        FunnelUnit::Account => "s.account_id",
    };
    let rows_from = if lead_only {
        "stage_interval i".to_owned()
    } else {
        format!("stage_interval i JOIN stakeholder s ON s.id = i.subject_id{account}")
    };
    // The first later entry of the unit into a higher waterfall stage, up to `asOf`: for a
    // lead, its own entries (by the subject index); for an account, those of its people that
    // the filter keeps.
    let later = |sql: &mut Sql| match unit {
        FunnelUnit::Lead => format!(
            "SELECT MIN(x.entered_at) FROM stage_interval x WHERE x.subject_id = c.u \
             AND x.kind = 'LEAD' AND x.entered_at > c.t0 AND x.entered_at < {as_of} \
             AND {later_rank} > c.r"
        ),
        FunnelUnit::Account => {
            let cond = conditions(sql, unit, &filter, visibility);
            format!(
                "SELECT MIN(x.entered_at) FROM stakeholder s{account} \
                 JOIN stage_interval x ON x.subject_id = s.id \
                 WHERE s.account_id = c.u AND x.kind = 'LEAD' AND x.entered_at > c.t0 \
                 AND x.entered_at < {as_of} AND {later_rank} > c.r{cond}"
            )
        }
    };
    // An account's probe reads every person of it: on PostgreSQL, where a probe costs more, one
    // join of the cohort with the account entries up to `asOf` is faster (SQLite: the probes).
    let k = if unit == FunnelUnit::Account && backend == DbBackend::Postgres {
        let cond = conditions(&mut sql, unit, &filter, visibility);
        format!(
            "x AS (SELECT s.account_id AS u, {rank} AS r, i.entered_at AS t \
               FROM stage_interval i JOIN stakeholder s ON s.id = i.subject_id{account} \
               WHERE i.kind = 'LEAD' AND i.entered_at >= {from} AND i.entered_at < {as_of}{cond}), \
             k AS (SELECT c.g AS g, c.stage AS stage, c.t0 AS t0, MIN(x.t) AS t1 FROM c \
               LEFT JOIN x ON x.u = c.u AND x.r > c.r AND x.t > c.t0 WHERE c.r < 5 \
               GROUP BY c.g, c.u, c.stage, c.t0)"
        )
    } else {
        let later = later(&mut sql);
        // MATERIALIZED: PostgreSQL would otherwise inline `k` into `d` and run the probe twice.
        format!(
            "k AS MATERIALIZED (SELECT c.g AS g, c.stage AS stage, c.t0 AS t0, ({later}) AS t1 FROM c WHERE c.r < 5)"
        )
    };
    // The stays that cover the end: still open, or left at or after it (two index ranges).
    let (z, z_cond) = if lead_only {
        (
            "SELECT y.u AS u, NULL AS g, y.stage AS stage FROM y".to_owned(),
            String::new(),
        )
    } else {
        let cond = conditions(&mut sql, unit, &filter, visibility);
        let unit_column = match unit {
            FunnelUnit::Lead => "s.id",
            FunnelUnit::Account => "s.account_id",
        };
        (
            format!(
                "SELECT {unit_column} AS u, {g} AS g, y.stage AS stage FROM y \
                 JOIN stakeholder s ON s.id = y.u{account} WHERE 1 = 1"
            ),
            cond,
        )
    };
    let hours = sql.hours("k.t0", "k.t1");
    // A lead is in one stay at a time; an account may have several people in one stage.
    let at_end = match unit {
        FunnelUnit::Lead => "COUNT(*)",
        FunnelUnit::Account => "COUNT(DISTINCT u)",
    };
    // `e`: the entries of the period only; the conversions look up each cohort unit's later
    // entries by index instead of reading every entry up to `asOf`.
    sql.text = format!(
        "WITH e AS (SELECT {unit_column} AS u, {g} AS g, i.stage AS stage, {rank} AS r, \
           i.entered_at AS t FROM {rows_from} \
           WHERE i.kind = 'LEAD' AND i.entered_at >= {from} AND i.entered_at < {end}{cond}), \
         y AS (SELECT i.subject_id AS u, i.stage AS stage FROM stage_interval i \
           WHERE i.kind = 'LEAD' AND i.left_at IS NULL AND i.entered_at < {end} \
           UNION ALL SELECT i.subject_id, i.stage FROM stage_interval i \
           WHERE i.kind = 'LEAD' AND i.left_at >= {end} AND i.entered_at < {end}), \
         z AS ({z}{z_cond}), \
         c AS (SELECT g, u, stage, r, MIN(t) AS t0 FROM e GROUP BY g, u, stage, r), \
         {k}, \
         d AS (SELECT k.g AS g, k.stage AS stage, {hours} AS h FROM k WHERE k.t1 IS NOT NULL), \
         m AS (SELECT g, stage, h, ROW_NUMBER() OVER (PARTITION BY g, stage ORDER BY h) AS rn, \
           COUNT(*) OVER (PARTITION BY g, stage) AS cnt FROM d) \
         SELECT 'ENTERED' AS f, g, stage, COUNT(*) AS n, CAST(NULL AS DOUBLE PRECISION) AS x \
           FROM c GROUP BY g, stage \
         UNION ALL SELECT 'AT_END', g, stage, {at_end}, NULL FROM z GROUP BY g, stage \
         UNION ALL SELECT 'CONVERTED', g, stage, COUNT(*), AVG(h) FROM d GROUP BY g, stage \
         UNION ALL SELECT 'MEDIAN', g, stage, COUNT(*), AVG(h) FROM m \
           WHERE rn IN ((cnt + 1) / 2, (cnt + 2) / 2) GROUP BY g, stage"
    );
    for row in rows(db, sql).await? {
        let figure: String = get(&row, "f")?;
        let Some(figure) = FIGURES.into_iter().find(|f| *f == figure) else {
            continue;
        };
        let acc = groups.entry(kind.read(&row)?).or_default();
        let stage: String = get(&row, "stage")?;
        let n: i64 = get(&row, "n")?;
        // Every unit that entered a ladder stage below CUSTOMER in the period is in that step's
        // cohort, at its first entry: the cohort counts are the entry counts.
        if figure == "ENTERED" && WATERFALL[..5].iter().any(|s| s.to_value() == stage) {
            acc.counts.insert(("COHORT", stage.clone()), n);
        }
        acc.counts.insert((figure, stage.clone()), n);
        if let Some(h) = get::<Option<f64>>(&row, "x")? {
            acc.hours.insert((figure, stage), h);
        }
    }

    // Rejections, recycles and disqualifications, with their reasons.
    let mut sql = Sql::new(backend);
    let (from, end) = (sql.bind(period.from), sql.bind(period.end));
    let cond = conditions(&mut sql, unit, &filter, visibility);
    let (mql, nurture, disqualified) = (
        LeadStage::Mql.to_value(),
        LeadStage::Nurture.to_value(),
        LeadStage::Disqualified.to_value(),
    );
    let recycled_from = names(&[LeadStage::Sal, LeadStage::Sql]);
    sql.text = format!(
        "WITH x AS (SELECT {g} AS g, \
           CASE WHEN c.to_stage = '{disqualified}' THEN 'DISQUALIFIED' \
             WHEN c.from_stage = '{mql}' THEN 'REJECTED' ELSE 'RECYCLED' END AS f, \
           c.reason_code AS reason \
           FROM stage_change c JOIN stakeholder s ON s.id = c.stakeholder_id \
           JOIN account a ON a.id = s.account_id \
           WHERE c.kind = 'LEAD' AND c.changed_at >= {from} AND c.changed_at < {end} \
           AND (c.to_stage = '{disqualified}' OR (c.to_stage = '{nurture}' \
             AND (c.from_stage = '{mql}' OR c.from_stage IN {recycled_from}))){cond}) \
         SELECT g, f, reason, COUNT(*) AS n FROM x GROUP BY g, f, reason"
    );
    for row in rows(db, sql).await? {
        let acc = groups.entry(kind.read(&row)?).or_default();
        let n: i64 = get(&row, "n")?;
        match get::<String>(&row, "f")?.as_str() {
            "REJECTED" => acc.rejected += n,
            "RECYCLED" => acc.recycled += n,
            _ => acc.disqualified += n,
        }
        if let Some(reason) = get::<Option<String>>(&row, "reason")? {
            *acc.reasons.entry(reason).or_default() += n;
        }
    }

    if group_by == LeadGroupBy::None {
        groups.entry(GroupKey::Nothing).or_default();
    }
    let names = labels(db, kind, groups.keys()).await?;
    let order = match group_by {
        LeadGroupBy::LeadSource => LeadSource::iter().map(|s| s.to_value()).collect(),
        LeadGroupBy::AccountTier => AccountTier::iter().map(|t| t.to_value()).collect(),
        _ => Vec::new(),
    };
    let groups = super::ordered(groups, &names, &order, group_by_empty_label(group_by))
        .into_iter()
        .map(|(key, label, acc)| finish(key, label, &acc))
        .collect();
    Ok(LeadFunnel { period, unit, groups })
}

/// The label of the group of units without a value.
fn group_by_empty_label(group_by: LeadGroupBy) -> &'static str {
    match group_by {
        LeadGroupBy::None => "All",
        LeadGroupBy::LeadSource => "No lead source",
        LeadGroupBy::AccountTier => "No tier",
        LeadGroupBy::Persona => "No persona",
        LeadGroupBy::Owner => "No owner",
        LeadGroupBy::MarketingOwner => "No marketing owner",
    }
}

fn finish(key: GroupKey, label: Option<String>, acc: &Acc) -> LeadFunnelGroup {
    let count = |figure: &'static str, stage: LeadStage| {
        acc.counts.get(&(figure, stage.to_value())).copied().unwrap_or(0)
    };
    let hours = |figure: &'static str, stage: LeadStage| acc.hours.get(&(figure, stage.to_value())).copied();
    let stages = LeadStage::iter()
        .map(|stage| StageVolume {
            stage,
            entered: count("ENTERED", stage),
            in_stage_at_end: count("AT_END", stage),
        })
        .collect();
    let steps = steps()
        .map(|(from, to)| {
            let entered = count("COHORT", from);
            let converted = count("CONVERTED", from);
            Step {
                from,
                to,
                entered,
                converted,
                rate: rate(converted, entered),
                median_hours: hours("MEDIAN", from),
                average_hours: hours("CONVERTED", from),
            }
        })
        .collect();
    LeadFunnelGroup {
        key,
        label,
        stages,
        steps,
        rejected: acc.rejected,
        recycled: acc.recycled,
        disqualified: acc.disqualified,
        reasons: reason_counts(&acc.reasons),
    }
}
