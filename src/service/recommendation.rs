//! What to send to whom next: the facts behind `Opportunity.recommendations` and
//! `Stakeholder.recommendations`, read in six statements for any number of asks of one kind,
//! participants and content (the participants, the people, the deals' open risks, their
//! competitors, the tags of published content that could match, and who engaged with what),
//! then ranked by the rules of `domain::recommendation`.
//!
//! Reads start from the scoped finders: only deals the caller may read, only people they may
//! read (a person they may not read is left out), only content they may read (the rest is left
//! out, all of it without `content.read`).

use std::collections::{BTreeMap, HashMap, HashSet};

use entity::{
    content::{self, ContentStatus},
    content_tag::{buying_role, buying_stage, competitor, persona},
    deal_participant::{self as participant, Entity as Participant},
    deal_risk::{self, RiskStatus},
    engagement,
    enums::{BuyingRole, BuyingStage},
    opportunity::{self, OpportunityStage},
};
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, ConnectionTrait, EntityName, EntityTrait, QueryFilter, QuerySelect,
    QueryTrait,
    sea_query::{Alias, Expr, ExprTrait, SelectStatement, UnionType},
};
use uuid::Uuid;

use crate::{
    domain::{
        authz::Principal,
        recommendation::{self as rules, ContentTags, DealNeeds, Recommendation, Seen},
    },
    error::AppError,
    service::{content as contents, opportunity as deals, stakeholder as people},
};

/// One list of recommendations asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ask {
    /// For everyone on a deal.
    Deal { opportunity_id: Uuid, first: usize },
    /// For one person: on one deal, or on every open, live deal they take part in.
    Person {
        stakeholder_id: Uuid,
        opportunity_id: Option<Uuid>,
        first: usize,
    },
}

/// The ranked recommendations of each ask. Asks about a person's open deals are read apart from
/// the asks naming their deals, so that a closed deal asked for by id in the same batch never
/// leaks into a person's open-deal list; each group is one pass over the facts of all its asks.
pub async fn recommendations(
    db: &impl ConnectionTrait,
    principal: &Principal,
    asks: &[Ask],
) -> Result<HashMap<Ask, Vec<Recommendation>>, AppError> {
    let (open_deals, named): (Vec<Ask>, Vec<Ask>) = asks.iter().partition(|a| {
        matches!(
            a,
            Ask::Person {
                opportunity_id: None,
                ..
            }
        )
    });
    let mut out = HashMap::new();
    for group in [named, open_deals] {
        if !group.is_empty() {
            out.extend(recommend_group(db, principal, &group).await?);
        }
    }
    Ok(out)
}

/// The ranked recommendations of asks of one group, in one pass over the facts of them all.
async fn recommend_group(
    db: &impl ConnectionTrait,
    principal: &Principal,
    asks: &[Ask],
) -> Result<HashMap<Ask, Vec<Recommendation>>, AppError> {
    let mut out: HashMap<Ask, Vec<Recommendation>> = asks.iter().map(|a| (*a, Vec::new())).collect();
    let Some(participants) = participants(db, principal, asks).await? else {
        return Ok(out);
    };
    if participants.is_empty() {
        return Ok(out);
    }
    let deal_ids: Vec<Uuid> = unique(participants.iter().map(|p| p.opportunity_id));
    let needs = needs_of(db, &deal_ids).await?;
    let Some(tags) = candidate_tags(db, principal, &participants, &needs).await? else {
        return Ok(out);
    };
    let seen = seen_by(db, &participants).await?;
    let all = rules::recommend(&participants, &needs, &tags, &seen);
    for (ask, list) in &mut out {
        *list = match *ask {
            Ask::Deal {
                opportunity_id,
                first,
            } => rules::rank(
                all.iter()
                    .filter(|(deal, _)| *deal == opportunity_id)
                    .map(|(_, r)| r.clone())
                    .collect(),
                first,
            ),
            Ask::Person {
                stakeholder_id,
                opportunity_id,
                first,
            } => {
                let mine = all.iter().filter(|(deal, r)| {
                    r.stakeholder_id == stakeholder_id && opportunity_id.is_none_or(|d| d == *deal)
                });
                rules::rank(rules::merge(mine.map(|(_, r)| r.clone())), first)
            }
        };
    }
    Ok(out)
}

fn unique<T: Ord + Copy>(values: impl Iterator<Item = T>) -> Vec<T> {
    let mut v: Vec<T> = values.collect();
    v.sort();
    v.dedup();
    v
}

/// The participants the asks are about, on deals the caller may read, who are live people the
/// caller may read (two statements); `None` without `opportunity.read` or `stakeholder.read`.
async fn participants(
    db: &impl ConnectionTrait,
    principal: &Principal,
    asks: &[Ask],
) -> Result<Option<Vec<rules::Participant>>, AppError> {
    let (Ok(visible_deals), Ok(visible_people)) = (deals::visible(principal), people::visible(principal))
    else {
        return Ok(None);
    };
    let mut wanted = Condition::any();
    let mut whole_deals = Vec::new();
    let mut on_open_deals = Vec::new();
    for ask in asks {
        match *ask {
            Ask::Deal { opportunity_id, .. } => whole_deals.push(opportunity_id),
            Ask::Person {
                stakeholder_id,
                opportunity_id: Some(deal),
                ..
            } => {
                wanted = wanted.add(
                    Condition::all()
                        .add(participant::Column::StakeholderId.eq(stakeholder_id))
                        .add(participant::Column::OpportunityId.eq(deal)),
                );
            }
            Ask::Person {
                stakeholder_id,
                opportunity_id: None,
                ..
            } => on_open_deals.push(stakeholder_id),
        }
    }
    if !whole_deals.is_empty() {
        wanted = wanted.add(participant::Column::OpportunityId.is_in(whole_deals));
    }
    if !on_open_deals.is_empty() {
        let open = opportunity::Entity::find()
            .select_only()
            .column(opportunity::Column::Id)
            .filter(
                opportunity::Column::Stage
                    .is_not_in([OpportunityStage::ClosedWon, OpportunityStage::ClosedLost]),
            )
            .filter(opportunity::Column::ArchivedAt.is_null())
            .into_query();
        wanted = wanted.add(
            Condition::all()
                .add(participant::Column::StakeholderId.is_in(on_open_deals))
                .add(participant::Column::OpportunityId.in_subquery(open)),
        );
    }
    let readable = visible_deals
        .select_only()
        .column(opportunity::Column::Id)
        .into_query();
    let rows = Participant::find()
        .filter(wanted)
        .filter(participant::Column::OpportunityId.in_subquery(readable))
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let ids = unique(rows.iter().map(|p| p.stakeholder_id));
    let personas: HashMap<Uuid, Option<Uuid>> = visible_people
        .filter(entity::stakeholder::Column::Id.is_in(ids))
        .filter(entity::stakeholder::Column::ArchivedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.persona_id))
        .collect();
    Ok(Some(
        rows.into_iter()
            .filter_map(|p| {
                personas.get(&p.stakeholder_id).map(|persona| rules::Participant {
                    opportunity_id: p.opportunity_id,
                    stakeholder_id: p.stakeholder_id,
                    role: p.role,
                    stage: p.buying_stage,
                    persona_id: *persona,
                })
            })
            .collect(),
    ))
}

/// What each deal asks content to answer: the content of its open risks, its competitors (the
/// deal's own list and the competitors of its open COMPETITOR risks). Two statements.
async fn needs_of(
    db: &impl ConnectionTrait,
    deal_ids: &[Uuid],
) -> Result<HashMap<Uuid, DealNeeds>, AppError> {
    let mut needs: HashMap<Uuid, DealNeeds> = HashMap::new();
    let risks = deal_risk::Entity::find()
        .filter(deal_risk::Column::OpportunityId.is_in(deal_ids.iter().copied()))
        .filter(deal_risk::Column::Status.eq(RiskStatus::Open))
        .all(db)
        .await?;
    for risk in risks {
        let deal = needs.entry(risk.opportunity_id).or_default();
        if let Some(answer) = risk.answered_by_id {
            deal.answers.insert(answer);
        }
        if let Some(name) = risk.competitor {
            deal.competitors.insert(rules::competitor_key(&name));
        }
    }
    for c in deals::competitors_of(db, deal_ids).await? {
        needs
            .entry(c.opportunity_id)
            .or_default()
            .competitors
            .insert(rules::competitor_key(&c.name));
    }
    Ok(needs)
}

/// One branch of the candidate union: `(content_id, k, t, p)` rows of one tag table.
fn branch(
    table: &str,
    kind: &str,
    text_value: bool,
    published: &SelectStatement,
    values: Option<Vec<sea_orm::Value>>,
) -> SelectStatement {
    let mut q = SelectStatement::new();
    q.from(Alias::new(table))
        .expr_as(Expr::col(Alias::new("content_id")), Alias::new("content_id"))
        .expr_as(Expr::cust(format!("'{kind}'")), Alias::new("k"));
    if text_value {
        q.expr_as(Expr::col(Alias::new("value")), Alias::new("t"))
            .expr_as(Expr::cust("CAST(NULL AS uuid)"), Alias::new("p"));
    } else {
        q.expr_as(Expr::cust("CAST(NULL AS TEXT)"), Alias::new("t"))
            .expr_as(Expr::col(Alias::new("value")), Alias::new("p"));
    }
    q.and_where(Expr::col(Alias::new("content_id")).in_subquery(published.clone()));
    if let Some(values) = values {
        q.and_where(Expr::col(Alias::new("value")).is_in(values));
    }
    q
}

/// The tags of every published, live content the caller may read that could be recommended to
/// one of `participants`: tagged with one of their roles, stages or personas, with a competitor
/// (compared by key here, not in SQL), or answering an open risk. One statement; `None` without
/// `content.read`.
async fn candidate_tags(
    db: &impl ConnectionTrait,
    principal: &Principal,
    participants: &[rules::Participant],
    needs: &HashMap<Uuid, DealNeeds>,
) -> Result<Option<BTreeMap<Uuid, ContentTags>>, AppError> {
    let Ok(visible) = contents::visible(principal) else {
        return Ok(None);
    };
    let published = visible
        .select_only()
        .column(content::Column::Id)
        .filter(content::Column::Status.eq(ContentStatus::Published))
        .filter(content::Column::ArchivedAt.is_null())
        .into_query();
    let values = |v: Vec<sea_orm::Value>| Some(v);
    let roles: Vec<sea_orm::Value> = unique_by_name(participants.iter().map(|p| p.role));
    let stages: Vec<sea_orm::Value> = unique_by_name(participants.iter().map(|p| p.stage));
    let personas: Vec<sea_orm::Value> = unique(participants.iter().filter_map(|p| p.persona_id))
        .into_iter()
        .map(Into::into)
        .collect();
    let answers: Vec<Uuid> = unique(needs.values().flat_map(|n| n.answers.iter().copied()));
    let mut query = branch(
        buying_role::Entity.table_name(),
        "ROLE",
        true,
        &published,
        values(roles),
    );
    query.union(
        UnionType::All,
        branch(
            buying_stage::Entity.table_name(),
            "STAGE",
            true,
            &published,
            values(stages),
        ),
    );
    if !personas.is_empty() {
        query.union(
            UnionType::All,
            branch(
                persona::Entity.table_name(),
                "PERSONA",
                false,
                &published,
                values(personas),
            ),
        );
    }
    if needs.values().any(|n| !n.competitors.is_empty()) {
        query.union(
            UnionType::All,
            branch(
                competitor::Entity.table_name(),
                "COMPETITOR",
                true,
                &published,
                None,
            ),
        );
    }
    if !answers.is_empty() {
        let mut risk = SelectStatement::new();
        risk.from(content::Entity)
            .expr_as(Expr::col(content::Column::Id), Alias::new("content_id"))
            .expr_as(Expr::cust("'RISK'"), Alias::new("k"))
            .expr_as(Expr::cust("CAST(NULL AS TEXT)"), Alias::new("t"))
            .expr_as(Expr::cust("CAST(NULL AS uuid)"), Alias::new("p"))
            .and_where(Expr::col(content::Column::Id).is_in(answers))
            .and_where(Expr::col(content::Column::Id).in_subquery(published.clone()));
        query.union(UnionType::All, risk);
    }
    let statement = db.get_database_backend().build(&query);
    let mut out: BTreeMap<Uuid, ContentTags> = BTreeMap::new();
    let competitors: HashSet<&String> = needs.values().flat_map(|n| n.competitors.iter()).collect();
    for row in db.query_all_raw(statement).await? {
        let id: Uuid = row.try_get("", "content_id")?;
        let kind: String = row.try_get("", "k")?;
        let text: Option<String> = row.try_get("", "t")?;
        match kind.as_str() {
            "ROLE" => {
                if let Some(role) = text.and_then(|t| BuyingRole::try_from_value(&t).ok()) {
                    out.entry(id).or_default().roles.push(role);
                }
            }
            "STAGE" => {
                if let Some(stage) = text.and_then(|t| BuyingStage::try_from_value(&t).ok()) {
                    out.entry(id).or_default().stages.push(stage);
                }
            }
            "PERSONA" => {
                if let Some(persona) = row.try_get::<Option<Uuid>>("", "p")? {
                    out.entry(id).or_default().personas.push(persona);
                }
            }
            "COMPETITOR" => {
                let key = text.map(|t| rules::competitor_key(&t)).unwrap_or_default();
                if competitors.contains(&key) {
                    out.entry(id).or_default().competitors.push(key);
                }
            }
            // RISK: content answering an open risk, whatever its tags.
            _ => {
                out.entry(id).or_default();
            }
        }
    }
    Ok(Some(out))
}

/// Enum values as bound values, each once.
fn unique_by_name<T: ActiveEnum<Value = String>>(values: impl Iterator<Item = T>) -> Vec<sea_orm::Value> {
    let names: Vec<String> = unique_names(values);
    names.into_iter().map(Into::into).collect()
}

fn unique_names<T: ActiveEnum<Value = String>>(values: impl Iterator<Item = T>) -> Vec<String> {
    let mut names: Vec<String> = values.map(|v| v.to_value()).collect();
    names.sort();
    names.dedup();
    names
}

/// Who of `participants` engaged at all, and with which content. One statement.
async fn seen_by(db: &impl ConnectionTrait, participants: &[rules::Participant]) -> Result<Seen, AppError> {
    let ids = unique(participants.iter().map(|p| p.stakeholder_id));
    let rows: Vec<(Uuid, Option<Uuid>)> = engagement::Entity::find()
        .select_only()
        .column(engagement::Column::StakeholderId)
        .column(engagement::Column::ContentId)
        .distinct()
        .filter(engagement::Column::StakeholderId.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    let mut seen = Seen::default();
    for (person, content) in rows {
        seen.people.insert(person);
        if let Some(content) = content {
            seen.pairs.insert((person, content));
        }
    }
    Ok(seen)
}
