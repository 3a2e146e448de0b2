//! Lead scoring: rules and settings (`scoring.manage`), fit points kept on the stakeholder row,
//! behaviour points added per touch with a half-life, and the automatic move to MQL.

use chrono::{DateTime, Duration, Utc};
use entity::{
    account, content, content_tag, engagement, score_contribution as contribution,
    scoring_rule::{ActiveModel, Column, Entity as Rule, Model},
    scoring_settings, stakeholder,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, Set, Statement, sea_query::OnConflict,
};
use uuid::Uuid;

use crate::{
    domain::{
        authz::{self, Principal, Resource},
        coverage,
        permission::Permission,
        scoring::{self as rules, Fit, Touch},
        text, version,
    },
    error::AppError,
    service::{
        Ref, collect, outbox,
        page::{self, Page, PageArgs, SortKey, SortValue},
        update_at_version, write,
    },
};

/// The settings, for a caller holding `scoring.manage` (the contract puts them with the rules).
pub async fn settings_for(
    db: &impl ConnectionTrait,
    principal: &Principal,
) -> Result<scoring_settings::Model, AppError> {
    authz::authorize(principal, Permission::ScoringManage, Resource::Any)?;
    settings(db).await
}

/// The roles a buying committee should have, in the setting's order.
pub async fn committee_roles(db: &impl ConnectionTrait) -> Result<Vec<entity::enums::BuyingRole>, AppError> {
    Ok(coverage::parse_roles(&settings(db).await?.committee_roles))
}

/// The one settings row.
pub async fn settings(db: &impl ConnectionTrait) -> Result<scoring_settings::Model, AppError> {
    scoring_settings::Entity::find_by_id(1)
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("the scoring settings row is missing"))
}

#[derive(Default)]
pub struct SettingsChanges {
    pub mql_threshold: Option<i32>,
    pub decay_half_life_days: Option<i32>,
    pub handoff_sla_hours: Option<i32>,
    /// Replaces the whole list.
    pub committee_roles: Option<Vec<entity::enums::BuyingRole>>,
    pub expected_version: Option<i32>,
}

pub async fn update_settings(
    db: &DatabaseConnection,
    principal: &Principal,
    changes: SettingsChanges,
) -> Result<scoring_settings::Model, AppError> {
    authz::authorize(principal, Permission::ScoringManage, Resource::Any)?;
    let txn = write(db).await?;
    let current = settings(&txn).await?;
    version::check_version(changes.expected_version, current.version)
        .map_err(|e| AppError::Rejected(vec![e]))?;
    let threshold = changes.mql_threshold.unwrap_or(current.mql_threshold);
    let half_life = changes
        .decay_half_life_days
        .unwrap_or(current.decay_half_life_days);
    let sla = changes.handoff_sla_hours.unwrap_or(current.handoff_sla_hours);
    let mut errors = rules::check_settings(threshold, half_life, sla);
    let committee = match &changes.committee_roles {
        Some(roles) => collect(&mut errors, coverage::check_committee_roles(roles)),
        None => None,
    };
    if !errors.is_empty() {
        return Err(AppError::Rejected(errors));
    }
    let mut row = current.clone().into_active_model();
    row.mql_threshold = Set(threshold);
    row.decay_half_life_days = Set(half_life);
    row.handoff_sla_hours = Set(sla);
    if let Some(roles) = committee {
        row.committee_roles = Set(coverage::format_roles(&roles));
    }
    row.updated_at = Set(Utc::now());
    row.version = Set(current.version + 1);
    let at = (scoring_settings::Column::Version, current.version);
    let id = scoring_settings::Column::Id;
    let written = scoring_settings::Entity::update_many()
        .set(row)
        .filter(id.eq(1))
        .filter(at.0.eq(at.1))
        .exec(&txn)
        .await?;
    if written.rows_affected == 0 {
        return Err(AppError::Rejected(vec![version::stale(current.version + 1)]));
    }
    let model = settings(&txn).await?;
    let subject = outbox::Subject::new("ScoringSettings", Uuid::nil(), None);
    let by = principal.into();
    outbox::record_diff(
        &txn,
        by,
        "scoring_settings.updated",
        subject,
        Some(&current),
        &model,
        &[],
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

pub struct RuleInput {
    pub name: Option<String>,
    pub points: Option<i32>,
    pub engagement_kind: Option<Option<entity::engagement::EngagementKind>>,
    pub content_kind: Option<Option<entity::content::ContentKind>>,
    pub buying_stage: Option<Option<entity::enums::BuyingStage>>,
    pub buying_role: Option<Option<entity::enums::BuyingRole>>,
    pub account_tier: Option<Option<entity::account::AccountTier>>,
    pub lead_source: Option<Option<entity::enums::LeadSource>>,
}

fn sort_key() -> SortKey<Rule> {
    SortKey::oldest_first(Column::CreatedAt, Column::Id, |m: &Model| {
        (SortValue::Time(m.created_at), m.id)
    })
}

pub async fn list_rules(
    db: &DatabaseConnection,
    principal: &Principal,
    args: PageArgs,
) -> Result<Page<Model>, AppError> {
    authz::authorize(principal, Permission::ScoringManage, Resource::Any)?;
    let key = sort_key();
    let window = args.window(&key)?;
    page::fetch(db, Rule::find(), &key, window).await
}

pub async fn find_rules(
    db: &impl ConnectionTrait,
    principal: &Principal,
    ids: &[Uuid],
) -> Result<Vec<Model>, AppError> {
    let visible = authz::authorize(principal, Permission::ScoringManage, Resource::Any)
        .map(|()| Rule::find())
        .map_err(AppError::from);
    super::visible_by_ids(db, visible, Column::Id, ids).await
}

fn apply(row: &mut ActiveModel, input: RuleInput, errors: &mut Vec<crate::error::UserError>) {
    if let Some(name) = input.name
        && let Some(v) = collect(errors, text::required_name("name", &name, 200))
    {
        row.name = Set(v);
    }
    if let Some(points) = input.points
        && collect(errors, rules::check_points(points)).is_some()
    {
        row.points = Set(points);
    }
    if let Some(v) = input.engagement_kind {
        row.engagement_kind = Set(v);
    }
    if let Some(v) = input.content_kind {
        row.content_kind = Set(v);
    }
    if let Some(v) = input.buying_stage {
        row.buying_stage = Set(v);
    }
    if let Some(v) = input.buying_role {
        row.buying_role = Set(v);
    }
    if let Some(v) = input.account_tier {
        row.account_tier = Set(v);
    }
    if let Some(v) = input.lead_source {
        row.lead_source = Set(v);
    }
}

/// Creates a rule; a fit rule rescores every lead's fit points at once.
pub async fn create_rule(
    db: &DatabaseConnection,
    principal: &Principal,
    input: RuleInput,
) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::ScoringManage, Resource::Any)?;
    let now = Utc::now();
    let mut row = ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(String::new()),
        points: Set(0),
        engagement_kind: Set(None),
        content_kind: Set(None),
        buying_stage: Set(None),
        buying_role: Set(None),
        account_tier: Set(None),
        lead_source: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    };
    let mut errors = Vec::new();
    if input.name.is_none() {
        errors.push(crate::error::UserError::new(
            &["name"],
            crate::error::UserErrorCode::Invalid,
            "name must not be blank",
        ));
    }
    if input.points.is_none() {
        collect(&mut errors, rules::check_points(0));
    }
    apply(&mut row, input, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Rejected(errors));
    }
    let txn = write(db).await?;
    let model = row.insert(&txn).await?;
    rescore_fit(&txn, None).await?;
    let subject = rule_subject(model.id);
    outbox::record_diff(
        &txn,
        principal.into(),
        "scoring_rule.created",
        subject,
        None,
        &model,
        &[],
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

pub async fn update_rule(
    db: &DatabaseConnection,
    principal: &Principal,
    id: Uuid,
    input: RuleInput,
    expected_version: Option<i32>,
) -> Result<Model, AppError> {
    authz::authorize(principal, Permission::ScoringManage, Resource::Any)?;
    let txn = write(db).await?;
    let current = Rule::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| Ref::not_found("id", "scoring rule"))?;
    version::check_version(expected_version, current.version).map_err(|e| AppError::Rejected(vec![e]))?;
    let mut row = current.clone().into_active_model();
    let mut errors = Vec::new();
    apply(&mut row, input, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Rejected(errors));
    }
    row.updated_at = Set(Utc::now());
    row.version = Set(current.version + 1);
    update_at_version::<Rule>(
        &txn,
        row,
        (Column::Id, id),
        (Column::Version, current.version),
        AppError::from,
    )
    .await?;
    rescore_fit(&txn, None).await?;
    let model = Rule::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| Ref::not_found("id", "scoring rule"))?;
    let (by, subject) = (principal.into(), rule_subject(id));
    outbox::record_diff(
        &txn,
        by,
        "scoring_rule.updated",
        subject,
        Some(&current),
        &model,
        &[],
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// What a scoring rule's events are about.
fn rule_subject(id: Uuid) -> outbox::Subject {
    outbox::Subject::new("ScoringRule", id, None)
}

/// Deletes a rule: its fit points leave every score at once; behaviour points it gave stay
/// where they are and decay like the rest.
pub async fn delete_rule(db: &DatabaseConnection, principal: &Principal, id: Uuid) -> Result<Uuid, AppError> {
    authz::authorize(principal, Permission::ScoringManage, Resource::Any)?;
    let txn = write(db).await?;
    let deleted = Rule::delete_by_id(id).exec(&txn).await?;
    if deleted.rows_affected == 0 {
        return Err(Ref::not_found("id", "scoring rule"));
    }
    rescore_fit(&txn, None).await?;
    outbox::record(
        &txn,
        principal.into(),
        "scoring_rule.deleted",
        rule_subject(id),
        &[],
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Recomputes fit points (and with them lead scores) of every stakeholder, or of one account's,
/// in one statement: a correlated sum of the matching fit rules.
pub(crate) async fn rescore_fit(db: &impl ConnectionTrait, account: Option<Uuid>) -> Result<(), AppError> {
    let backend = db.get_database_backend();
    let fit = "(SELECT COALESCE(SUM(r.points), 0) FROM scoring_rule r, account a \
        WHERE a.id = stakeholder.account_id \
        AND r.engagement_kind IS NULL AND r.content_kind IS NULL AND r.buying_stage IS NULL \
        AND (r.buying_role IS NULL OR r.buying_role = stakeholder.buying_role) \
        AND (r.lead_source IS NULL OR r.lead_source = stakeholder.lead_source) \
        AND (r.account_tier IS NULL OR r.account_tier = a.tier))";
    // Right-hand sides see the row as it was, so the old fit points leave the score.
    let mut sql =
        format!("UPDATE stakeholder SET lead_score = lead_score - fit_score + {fit}, fit_score = {fit}");
    let statement = match account {
        Some(id) => {
            sql.push_str(" WHERE account_id = $1");
            let sql = if backend == sea_orm::DbBackend::Sqlite {
                sql.replace("$1", "?")
            } else {
                sql
            };
            Statement::from_sql_and_values(backend, sql, [id.into()])
        }
        None => Statement::from_string(backend, sql),
    };
    db.execute_raw(statement).await?;
    Ok(())
}

/// What fit rules look at for one person: their role, their source and their account's tier.
async fn fit_facts(db: &impl ConnectionTrait, person: &stakeholder::Model) -> Result<Fit, AppError> {
    let tier = account::Entity::find_by_id(person.account_id)
        .one(db)
        .await?
        .map_or(account::AccountTier::Untiered, |a| a.tier);
    Ok(Fit {
        buying_role: person.buying_role,
        lead_source: person.lead_source,
        account_tier: tier,
    })
}

/// The fit points of one person now.
pub(crate) async fn fit_of(db: &impl ConnectionTrait, person: &stakeholder::Model) -> Result<i32, AppError> {
    let fit = fit_facts(db, person).await?;
    let rules = Rule::find().all(db).await?;
    Ok(rules
        .iter()
        .filter(|r| rules::fit_matches(r, fit))
        .map(|r| r.points)
        .sum())
}

/// What a touch did to a score.
pub(crate) struct Scored {
    pub score: i32,
    /// The score lifts the lead to MQL by itself.
    pub qualifies: bool,
    /// The behaviour rules that matched.
    pub rules: Vec<String>,
}

/// Adds the points of the behaviour rules a touch matches, decayed from when it happened, and
/// writes the person's new score (no version change: scores are derived, not edited).
pub(crate) async fn score_touch(
    db: &impl ConnectionTrait,
    person: &stakeholder::Model,
    touch: &engagement::Model,
    now: DateTime<Utc>,
) -> Result<Scored, AppError> {
    let settings = settings(db).await?;
    let half_life = settings.decay_half_life_days;
    let fit = fit_facts(db, person).await?;
    let (content_kind, stages) = match touch.content_id {
        Some(id) => {
            let kind = content::Entity::find_by_id(id).one(db).await?.map(|c| c.kind);
            let stages = content_tag::buying_stage::Entity::find()
                .filter(content_tag::buying_stage::Column::ContentId.eq(id))
                .all(db)
                .await?
                .into_iter()
                .map(|t| t.value)
                .collect();
            (kind, stages)
        }
        None => (None, Vec::new()),
    };
    let t = Touch {
        kind: touch.kind,
        content_kind,
        content_stages: &stages,
    };
    let matched: Vec<Model> = Rule::find()
        .all(db)
        .await?
        .into_iter()
        .filter(|r| rules::touch_matches(r, fit, &t))
        .collect();
    let anchor = person.behaviour_at.unwrap_or(now);
    let mut behaviour = rules::decayed(person.behaviour_points, anchor, now, half_life);
    for rule in &matched {
        let points = rules::decayed(f64::from(rule.points), touch.occurred_at, now, half_life);
        behaviour += points;
        let previous = contribution::Entity::find_by_id((person.id, rule.id))
            .one(db)
            .await?;
        let kept = previous.map_or(0.0, |c| rules::decayed(c.points, c.as_of, now, half_life));
        contribution::Entity::insert(contribution::ActiveModel {
            stakeholder_id: Set(person.id),
            rule_id: Set(rule.id),
            points: Set(kept + points),
            as_of: Set(now),
        })
        .on_conflict(
            OnConflict::columns([contribution::Column::StakeholderId, contribution::Column::RuleId])
                .update_columns([contribution::Column::Points, contribution::Column::AsOf])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    let score = rules::lead_score(person.fit_score, behaviour);
    let last = person
        .last_engaged_at
        .map_or(touch.occurred_at, |l| l.max(touch.occurred_at));
    stakeholder::Entity::update_many()
        .set(stakeholder::ActiveModel {
            behaviour_points: Set(behaviour),
            behaviour_at: Set(Some(now)),
            scored_at: Set(Some(now)),
            lead_score: Set(score),
            last_engaged_at: Set(Some(last)),
            ..Default::default()
        })
        .filter(stakeholder::Column::Id.eq(person.id))
        .exec(db)
        .await?;
    Ok(Scored {
        score,
        qualifies: rules::qualifies(person.lead_stage, score, settings.mql_threshold),
        rules: matched.into_iter().map(|r| r.name).collect(),
    })
}

/// One line of a score's breakdown.
pub struct BreakdownLine {
    pub rule: Model,
    /// Points as they stand now (behaviour points decayed).
    pub points: f64,
    pub behaviour: bool,
}

/// Which rules give a person which points now: matching fit rules, and the decayed points each
/// behaviour rule has given.
pub async fn breakdown(
    db: &impl ConnectionTrait,
    person: &stakeholder::Model,
) -> Result<Vec<BreakdownLine>, AppError> {
    let now = Utc::now();
    let half_life = settings(db).await?.decay_half_life_days;
    let fit = fit_facts(db, person).await?;
    let all = Rule::find().all(db).await?;
    let given = contribution::Entity::find()
        .filter(contribution::Column::StakeholderId.eq(person.id))
        .all(db)
        .await?;
    let mut lines = Vec::new();
    for rule in all {
        if rules::fit_matches(&rule, fit) {
            lines.push(BreakdownLine {
                points: f64::from(rule.points),
                rule,
                behaviour: false,
            });
        } else if let Some(c) = given.iter().find(|c| c.rule_id == rule.id) {
            lines.push(BreakdownLine {
                points: rules::decayed(c.points, c.as_of, now, half_life),
                rule,
                behaviour: true,
            });
        }
    }
    Ok(lines)
}

/// The acceptance deadline of a lead that becomes an MQL at `at`.
pub(crate) async fn accept_by(
    db: &impl ConnectionTrait,
    at: DateTime<Utc>,
) -> Result<DateTime<Utc>, AppError> {
    Ok(at + Duration::hours(i64::from(settings(db).await?.handoff_sla_hours)))
}

/// Leads rescored by one statement (three bound values each, well inside every store's limit).
const RESCORE_CHUNK: usize = 500;

/// Lets behaviour points decay in stored scores: rescores up to `batch` leads that still carry
/// behaviour points and were last scored more than an hour before `now`. Returns how many it
/// rescored; the server runs it periodically, so `leadScore` (and `minScore`) stay current
/// between touches.
pub async fn refresh_decayed(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    batch: u64,
) -> Result<usize, AppError> {
    use sea_orm::{QueryOrder, QuerySelect};
    let half_life = settings(db).await?.decay_half_life_days;
    let stale = stakeholder::Entity::find()
        .filter(stakeholder::Column::BehaviourPoints.gt(0.5))
        .filter(stakeholder::Column::ScoredAt.lt(now - Duration::hours(1)))
        .order_by_asc(stakeholder::Column::ScoredAt)
        .limit(batch)
        .all(db)
        .await?;
    // One statement per chunk, not one per lead: the new values travel as a VALUES list.
    let txn = write(db).await?;
    let backend = txn.get_database_backend();
    let param = |n: usize| match backend {
        sea_orm::DbBackend::Sqlite => format!("?{n}"),
        _ => format!("${n}"),
    };
    for chunk in stale.chunks(RESCORE_CHUNK) {
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 3 + 1);
        values.push(now.into());
        let mut rows = Vec::with_capacity(chunk.len());
        for person in chunk {
            let behaviour = rules::decayed(
                person.behaviour_points,
                person.behaviour_at.unwrap_or(now),
                now,
                half_life,
            );
            let n = values.len();
            rows.push(format!("({}, {}, {})", param(n + 1), param(n + 2), param(n + 3)));
            values.push(person.id.into());
            values.push(behaviour.into());
            values.push(rules::lead_score(person.fit_score, behaviour).into());
        }
        let sql = format!(
            "WITH decayed (id, points, score) AS (VALUES {rows}) \
             UPDATE stakeholder SET behaviour_points = decayed.points, behaviour_at = {now}, \
             scored_at = {now}, lead_score = decayed.score FROM decayed WHERE stakeholder.id = decayed.id",
            rows = rows.join(", "),
            now = param(1),
        );
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    txn.commit().await?;
    Ok(stale.len())
}
