//! `handoffPerformance`: every entry into MQL in the period is a handoff to sales; its decision
//! is the lead's next stage change by `asOf`. One statement (plus the SLA setting and the
//! owners' names).

use std::collections::BTreeMap;

use entity::enums::LeadStage;
use sea_orm::{ActiveEnum, ConnectionTrait, DatabaseConnection};

use super::{GroupKey, KeyKind, Sql, Window, get, labels, names, open, owned_people, rows, snapshot};
use crate::{domain::authz::Principal, error::AppError, service::scoring};

/// How handoffs are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandoffGroupBy {
    None,
    /// The lead's current owner.
    Owner,
}

/// The handoffs of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct HandoffGroup {
    pub key: GroupKey,
    pub label: Option<String>,
    pub handed_off: i64,
    pub accepted_in_sla: i64,
    pub accepted_late: i64,
    pub rejected: i64,
    pub open: i64,
    pub open_overdue: i64,
    pub median_hours_to_decision: Option<f64>,
}

/// SQLite reads times to the millisecond: a decision that many hours after its deadline still
/// counts as in time, so a decision exactly at the deadline is never counted late by rounding.
const SLA_TOLERANCE_HOURS: f64 = 1e-6;

/// Follows the period's handoffs in one snapshot of the history.
pub async fn handoff_performance(
    db: &DatabaseConnection,
    principal: &Principal,
    window: Window,
    group_by: HandoffGroupBy,
) -> Result<Vec<HandoffGroup>, AppError> {
    let txn = snapshot(db).await?;
    let out = compute(&txn, principal, window, group_by).await?;
    txn.commit().await?;
    Ok(out)
}

async fn compute(
    db: &impl ConnectionTrait,
    principal: &Principal,
    window: Window,
    group_by: HandoffGroupBy,
) -> Result<Vec<HandoffGroup>, AppError> {
    let (visibility, period) = open(principal, window)?;
    let sla = f64::from(scoring::settings(db).await?.handoff_sla_hours) + SLA_TOLERANCE_HOURS;
    let (g, kind) = match group_by {
        HandoffGroupBy::None => ("NULL", KeyKind::None),
        HandoffGroupBy::Owner => ("s.owner_id", KeyKind::User),
    };
    let mut sql = Sql::new(db.get_database_backend());
    let (from, end, as_of, sla) = (
        sql.bind(period.from),
        sql.bind(period.end),
        sql.bind(period.as_of),
        sql.bind(sla),
    );
    let people = owned_people(&mut sql, visibility);
    let accepted = names(&[
        LeadStage::Sal,
        LeadStage::Sql,
        LeadStage::Opportunity,
        LeadStage::Customer,
    ]);
    let rejected = names(&[LeadStage::Nurture, LeadStage::Disqualified]);
    let mql = LeadStage::Mql.to_value();
    let (decided, waited) = (sql.hours("t", "l"), sql.hours("t", &as_of));
    sql.text = format!(
        "WITH h AS (SELECT {g} AS g, i.entered_at AS t, n.entered_at AS l, n.stage AS nx \
           FROM stage_interval i JOIN stakeholder s ON s.id = i.subject_id \
           LEFT JOIN stage_interval n ON n.subject_id = i.subject_id AND n.entered_at = i.left_at \
             AND n.entered_at < {as_of} \
           WHERE i.kind = 'LEAD' AND i.stage = '{mql}' AND i.entered_at >= {from} \
           AND i.entered_at < {end}{people}), \
         d AS (SELECT g, CASE WHEN nx IN {accepted} THEN 'A' WHEN nx IN {rejected} THEN 'R' \
           ELSE 'O' END AS st, {decided} AS hd, {waited} AS ho FROM h), \
         m AS (SELECT g, hd, ROW_NUMBER() OVER (PARTITION BY g ORDER BY hd) AS rn, \
           COUNT(*) OVER (PARTITION BY g) AS cnt FROM d WHERE st <> 'O') \
         SELECT 'C' AS f, g, COUNT(*) AS n, \
           SUM(CASE WHEN st = 'A' AND hd <= {sla} THEN 1 ELSE 0 END) AS in_sla, \
           SUM(CASE WHEN st = 'A' AND hd > {sla} THEN 1 ELSE 0 END) AS late, \
           SUM(CASE WHEN st = 'R' THEN 1 ELSE 0 END) AS rejected, \
           SUM(CASE WHEN st = 'O' THEN 1 ELSE 0 END) AS open, \
           SUM(CASE WHEN st = 'O' AND ho > {sla} THEN 1 ELSE 0 END) AS overdue, \
           CAST(NULL AS DOUBLE PRECISION) AS x FROM d GROUP BY g \
         UNION ALL SELECT 'M', g, COUNT(*), 0, 0, 0, 0, 0, AVG(hd) FROM m \
           WHERE rn IN ((cnt + 1) / 2, (cnt + 2) / 2) GROUP BY g"
    );
    let mut groups: BTreeMap<GroupKey, HandoffGroup> = BTreeMap::new();
    for row in rows(db, sql).await? {
        let key = kind.read(&row)?;
        let group = groups.entry(key.clone()).or_insert_with(|| HandoffGroup {
            key,
            label: None,
            handed_off: 0,
            accepted_in_sla: 0,
            accepted_late: 0,
            rejected: 0,
            open: 0,
            open_overdue: 0,
            median_hours_to_decision: None,
        });
        if get::<String>(&row, "f")? == "M" {
            group.median_hours_to_decision = get(&row, "x")?;
            continue;
        }
        let count = |column: &str| get::<Option<i64>>(&row, column).map(Option::unwrap_or_default);
        group.handed_off = get(&row, "n")?;
        group.accepted_in_sla = count("in_sla")?;
        group.accepted_late = count("late")?;
        group.rejected = count("rejected")?;
        group.open = count("open")?;
        group.open_overdue = count("overdue")?;
    }
    if group_by == HandoffGroupBy::None && groups.is_empty() {
        groups.insert(
            GroupKey::Nothing,
            HandoffGroup {
                key: GroupKey::Nothing,
                label: None,
                handed_off: 0,
                accepted_in_sla: 0,
                accepted_late: 0,
                rejected: 0,
                open: 0,
                open_overdue: 0,
                median_hours_to_decision: None,
            },
        );
    }
    let names = labels(db, kind, groups.keys()).await?;
    let empty = match group_by {
        HandoffGroupBy::None => "All",
        HandoffGroupBy::Owner => "No owner",
    };
    Ok(super::ordered(groups, &names, &[], empty)
        .into_iter()
        .map(|(_, label, mut group)| {
            group.label = label;
            group
        })
        .collect())
}
