//! `leadSourceQuality`: for each lead source, what became of the leads it brought in the
//! period, what sales said about its leads, and the money won from it. Two statements.

use std::collections::BTreeMap;

use entity::{
    enums::{LeadSource, LeadStage, ReasonCode},
    opportunity::OpportunityStage,
};
use sea_orm::{ActiveEnum, ConnectionTrait, DatabaseConnection};

use super::{
    CENTS, MoneyByCurrency, Sql, Window, get, money_sum, no_money_sum, open, owned_deals, owned_people,
    rank_case, read_sum, reason_counts, rows, snapshot,
};
use crate::{
    domain::{
        analytics::{WATERFALL, from_cents, rank, rate},
        authz::Principal,
    },
    error::AppError,
};

/// Lead feedback counted by rating.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedbackCounts {
    pub good: i64,
    pub fair: i64,
    pub poor: i64,
}

/// The quality of one source (`None`: leads without a source).
#[derive(Debug, Clone, PartialEq)]
pub struct SourceQuality {
    pub lead_source: Option<LeadSource>,
    pub leads: i64,
    pub mqls: i64,
    pub accepted: i64,
    pub rejected: i64,
    pub acceptance_rate: Option<f64>,
    pub opportunities: i64,
    pub customers: i64,
    pub rejection_reasons: Vec<(ReasonCode, i64)>,
    pub feedback: FeedbackCounts,
    pub won_amount: MoneyByCurrency,
}

#[derive(Default)]
struct Acc {
    /// leads, mqls, accepted, rejected, opportunities, customers
    cohort: [i64; 6],
    reasons: BTreeMap<String, i64>,
    feedback: FeedbackCounts,
    wins: i64,
    won: BTreeMap<String, i128>,
}

fn reached(stage: LeadStage) -> usize {
    rank(stage).unwrap_or(usize::MAX)
}

/// Computes each source's quality in one snapshot of the history.
pub async fn source_quality(
    db: &DatabaseConnection,
    principal: &Principal,
    window: Window,
) -> Result<Vec<SourceQuality>, AppError> {
    let txn = snapshot(db).await?;
    let out = compute(&txn, principal, window).await?;
    txn.commit().await?;
    Ok(out)
}

async fn compute(
    db: &impl ConnectionTrait,
    principal: &Principal,
    window: Window,
) -> Result<Vec<SourceQuality>, AppError> {
    let (visibility, period) = open(principal, window)?;
    let backend = db.get_database_backend();
    let mut sources: BTreeMap<Option<String>, Acc> = BTreeMap::new();
    let (mql, nurture) = (LeadStage::Mql.to_value(), LeadStage::Nurture.to_value());

    // The cohort: leads created in the period, and the furthest each got by `asOf`.
    let mut sql = Sql::new(backend);
    let (from, end, as_of) = (
        sql.bind(period.from),
        sql.bind(period.end),
        sql.bind(period.as_of),
    );
    let people = owned_people(&mut sql, visibility);
    let rank_sql = rank_case("i.stage", &WATERFALL);
    let at_least = |stage: LeadStage| format!("SUM(CASE WHEN r.top >= {} THEN 1 ELSE 0 END)", reached(stage));
    let (mqls, accepted, opportunities, customers) = (
        at_least(LeadStage::Mql),
        at_least(LeadStage::Sal),
        at_least(LeadStage::Opportunity),
        at_least(LeadStage::Customer),
    );
    sql.text = format!(
        "WITH c AS (SELECT s.id AS id, s.lead_source AS g FROM stakeholder s \
           WHERE s.created_at >= {from} AND s.created_at < {end}{people}), \
         r AS (SELECT i.subject_id AS id, MAX({rank_sql}) AS top FROM stage_interval i \
           JOIN c ON c.id = i.subject_id WHERE i.kind = 'LEAD' AND i.entered_at < {as_of} \
           GROUP BY i.subject_id), \
         j AS (SELECT x.stakeholder_id AS id FROM stage_change x JOIN c ON c.id = x.stakeholder_id \
           WHERE x.kind = 'LEAD' AND x.from_stage = '{mql}' AND x.to_stage = '{nurture}' \
           AND x.changed_at < {as_of} GROUP BY x.stakeholder_id) \
         SELECT c.g AS g, COUNT(*) AS leads, {mqls} AS mqls, {accepted} AS accepted, \
           SUM(CASE WHEN j.id IS NOT NULL THEN 1 ELSE 0 END) AS rejected, \
           {opportunities} AS opportunities, {customers} AS customers \
         FROM c LEFT JOIN r ON r.id = c.id LEFT JOIN j ON j.id = c.id GROUP BY c.g"
    );
    for row in rows(db, sql).await? {
        let acc = sources.entry(get(&row, "g")?).or_default();
        for (i, column) in [
            "leads",
            "mqls",
            "accepted",
            "rejected",
            "opportunities",
            "customers",
        ]
        .into_iter()
        .enumerate()
        {
            acc.cohort[i] = get::<Option<i64>>(&row, column)?.unwrap_or(0);
        }
    }

    // The cohort's rejection reasons, feedback in the period, wins in the period.
    let mut sql = Sql::new(backend);
    let (from, end, as_of) = (
        sql.bind(period.from),
        sql.bind(period.end),
        sql.bind(period.as_of),
    );
    let people_reasons = owned_people(&mut sql, visibility);
    let people_feedback = owned_people(&mut sql, visibility);
    let deals = owned_deals(&mut sql, visibility);
    let (amount, sum, no_sum) = (CENTS, money_sum("cents", None, "a"), no_money_sum("a"));
    let won = OpportunityStage::ClosedWon.to_value();
    sql.text = format!(
        "WITH rr AS (SELECT s.lead_source AS g, x.reason_code AS k FROM stage_change x \
           JOIN stakeholder s ON s.id = x.stakeholder_id \
           WHERE x.kind = 'LEAD' AND x.from_stage = '{mql}' AND x.to_stage = '{nurture}' \
           AND x.changed_at < {as_of} AND s.created_at >= {from} AND s.created_at < {end}{people_reasons}), \
         fb AS (SELECT s.lead_source AS g, f.rating AS k FROM lead_feedback f \
           JOIN stakeholder s ON s.id = f.stakeholder_id \
           WHERE f.created_at >= {from} AND f.created_at < {end}{people_feedback}), \
         wn AS (SELECT o.lead_source AS g, o.currency AS k, {amount} AS cents FROM stage_change c \
           JOIN opportunity o ON o.id = c.opportunity_id \
           WHERE c.kind = 'OPPORTUNITY' AND c.to_stage = '{won}' \
           AND c.changed_at >= {from} AND c.changed_at < {end}{deals}) \
         SELECT 'REASON' AS f, g, k, COUNT(*) AS n, {no_sum} FROM rr GROUP BY g, k \
         UNION ALL SELECT 'FEEDBACK', g, k, COUNT(*), NULL, NULL FROM fb GROUP BY g, k \
         UNION ALL SELECT 'WON', g, k, COUNT(*), {sum} FROM wn GROUP BY g, k"
    );
    for row in rows(db, sql).await? {
        let acc = sources.entry(get(&row, "g")?).or_default();
        let k: Option<String> = get(&row, "k")?;
        let n: i64 = get(&row, "n")?;
        match (get::<String>(&row, "f")?.as_str(), k) {
            ("REASON", Some(reason)) => *acc.reasons.entry(reason).or_default() += n,
            ("FEEDBACK", Some(rating)) => match rating.as_str() {
                "GOOD" => acc.feedback.good += n,
                "FAIR" => acc.feedback.fair += n,
                _ => acc.feedback.poor += n,
            },
            ("WON", currency) => {
                acc.wins += n;
                if let (Some(currency), Some(sum)) = (currency, read_sum(&row, "a")?) {
                    acc.won.insert(currency, sum);
                }
            }
            _ => {}
        }
    }

    let mut out: Vec<SourceQuality> = sources
        .into_iter()
        .filter(|(_, acc)| {
            let f = acc.feedback;
            acc.cohort[0] > 0 || f.good + f.fair + f.poor > 0 || acc.wins > 0
        })
        .map(|(source, acc)| {
            let [leads, mqls, accepted, rejected, opportunities, customers] = acc.cohort;
            SourceQuality {
                lead_source: source.and_then(|s| LeadSource::try_from_value(&s).ok()),
                leads,
                mqls,
                accepted,
                rejected,
                acceptance_rate: rate(accepted, accepted + rejected),
                opportunities,
                customers,
                rejection_reasons: reason_counts(&acc.reasons),
                feedback: acc.feedback,
                won_amount: acc.won.into_iter().map(|(c, sum)| (c, from_cents(sum))).collect(),
            }
        })
        .collect();
    // Most leads first, then by source name; leads without a source last.
    out.sort_by_cached_key(|q| {
        (
            q.lead_source.is_none(),
            std::cmp::Reverse(q.leads),
            q.lead_source.map(|s| s.to_value()),
        )
    });
    Ok(out)
}
