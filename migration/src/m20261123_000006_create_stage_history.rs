//! Stages and their history: the append-only log of stage moves, the stage intervals analytics
//! read (one row per stage a record entered, with when it entered and left), lead feedback, lead
//! scoring (rules, settings, each rule's points per person) and the handoff deadline.
//!
//! Every record already in a stage gets its open interval, entered when the record was created.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::prelude::ChronoUtc};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Stakeholder {
    Table,
    Id,
    FitScore,
    BehaviourPoints,
    BehaviourAt,
    ScoredAt,
    HandoffAssignedAt,
    HandoffAcceptBy,
    LeadStage,
}

#[derive(DeriveIden)]
enum StageChange {
    Table,
    Id,
    Kind,
    SubjectId,
    StakeholderId,
    OpportunityId,
    ParticipantId,
    AccountId,
    FromStage,
    ToStage,
    ReasonCode,
    Note,
    ChangedById,
    ChangedAt,
}

#[derive(DeriveIden)]
enum StageInterval {
    Table,
    SubjectId,
    EnteredAt,
    Kind,
    AccountId,
    Stage,
    LeftAt,
}

#[derive(DeriveIden)]
enum LeadFeedback {
    Table,
    Id,
    StakeholderId,
    AccountId,
    Rating,
    ReasonCode,
    Comment,
    LeadSource,
    GivenById,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ScoringRule {
    Table,
    Id,
    Name,
    Points,
    EngagementKind,
    ContentKind,
    BuyingStage,
    BuyingRole,
    AccountTier,
    LeadSource,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum ScoringSettings {
    Table,
    Id,
    MqlThreshold,
    DecayHalfLifeDays,
    HandoffSlaHours,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum ScoreContribution {
    Table,
    StakeholderId,
    RuleId,
    Points,
    AsOf,
}

fn fk(
    from: impl IntoIden,
    col: impl IntoIden,
    to: impl IntoIden,
    to_col: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from, col).to(to, to_col).to_owned()
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    cols: Vec<DynIden>,
) -> Result<(), DbErr> {
    let mut index = Index::create().name(name).table(table).to_owned();
    for col in cols {
        index.col(col);
    }
    manager.create_index(index).await
}

macro_rules! cols {
    ($($c:expr),+ $(,)?) => { vec![$($c.into_iden()),+] };
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [
            integer(Stakeholder::FitScore).default(0).to_owned(),
            double(Stakeholder::BehaviourPoints).default(0.0).to_owned(),
            timestamp_with_time_zone_null(Stakeholder::BehaviourAt),
            timestamp_with_time_zone_null(Stakeholder::ScoredAt),
            timestamp_with_time_zone_null(Stakeholder::HandoffAssignedAt),
            timestamp_with_time_zone_null(Stakeholder::HandoffAcceptBy),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Stakeholder::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        index(
            manager,
            "ix_stakeholder_lead_stage_accept_by",
            Stakeholder::Table,
            cols![Stakeholder::LeadStage, Stakeholder::HandoffAcceptBy],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(StageChange::Table)
                    .col(pk_uuid(StageChange::Id))
                    .col(string_len(StageChange::Kind, 16))
                    .col(uuid(StageChange::SubjectId))
                    .col(uuid_null(StageChange::StakeholderId))
                    .col(uuid_null(StageChange::OpportunityId))
                    // No foreign key: a participant taken off a deal keeps their history.
                    .col(uuid_null(StageChange::ParticipantId))
                    .col(uuid(StageChange::AccountId))
                    .col(string_len(StageChange::FromStage, 32))
                    .col(string_len(StageChange::ToStage, 32))
                    .col(string_len_null(StageChange::ReasonCode, 24))
                    .col(text_null(StageChange::Note))
                    .col(uuid_null(StageChange::ChangedById))
                    .col(timestamp_with_time_zone(StageChange::ChangedAt))
                    .foreign_key(&mut fk(
                        StageChange::Table,
                        StageChange::AccountId,
                        Account::Table,
                        Account::Id,
                    ))
                    .foreign_key(&mut fk(
                        StageChange::Table,
                        StageChange::ChangedById,
                        AppUser::Table,
                        AppUser::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        let c = StageChange::Table;
        index(
            manager,
            "ix_stage_change_subject",
            c,
            cols![StageChange::SubjectId, StageChange::ChangedAt, StageChange::Id],
        )
        .await?;
        index(
            manager,
            "ix_stage_change_kind",
            StageChange::Table,
            cols![StageChange::Kind, StageChange::ChangedAt, StageChange::Id],
        )
        .await?;
        index(
            manager,
            "ix_stage_change_changed_at",
            StageChange::Table,
            cols![StageChange::ChangedAt, StageChange::Id],
        )
        .await?;
        index(
            manager,
            "ix_stage_change_actor",
            StageChange::Table,
            cols![StageChange::ChangedById, StageChange::ChangedAt],
        )
        .await?;
        index(
            manager,
            "ix_stage_change_stakeholder",
            StageChange::Table,
            cols![StageChange::StakeholderId],
        )
        .await?;
        index(
            manager,
            "ix_stage_change_opportunity",
            StageChange::Table,
            cols![StageChange::OpportunityId],
        )
        .await?;
        index(
            manager,
            "ix_stage_change_account",
            StageChange::Table,
            cols![StageChange::AccountId],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(StageInterval::Table)
                    .col(uuid(StageInterval::SubjectId))
                    .col(timestamp_with_time_zone(StageInterval::EnteredAt))
                    .col(string_len(StageInterval::Kind, 16))
                    .col(uuid(StageInterval::AccountId))
                    .col(string_len(StageInterval::Stage, 32))
                    .col(timestamp_with_time_zone_null(StageInterval::LeftAt))
                    .primary_key(
                        Index::create()
                            .col(StageInterval::SubjectId)
                            .col(StageInterval::EnteredAt),
                    )
                    .foreign_key(&mut fk(
                        StageInterval::Table,
                        StageInterval::AccountId,
                        Account::Table,
                        Account::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        // "Who reached stage X by date Y" and "who is in X now" are range scans of these.
        index(
            manager,
            "ix_stage_interval_stage_entered",
            StageInterval::Table,
            cols![
                StageInterval::Kind,
                StageInterval::Stage,
                StageInterval::EnteredAt
            ],
        )
        .await?;
        index(
            manager,
            "ix_stage_interval_stage_left",
            StageInterval::Table,
            cols![StageInterval::Kind, StageInterval::Stage, StageInterval::LeftAt],
        )
        .await?;
        index(
            manager,
            "ix_stage_interval_account",
            StageInterval::Table,
            cols![StageInterval::AccountId],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(LeadFeedback::Table)
                    .col(pk_uuid(LeadFeedback::Id))
                    .col(uuid(LeadFeedback::StakeholderId))
                    .col(uuid(LeadFeedback::AccountId))
                    .col(string_len(LeadFeedback::Rating, 8))
                    .col(string_len_null(LeadFeedback::ReasonCode, 24))
                    .col(text_null(LeadFeedback::Comment))
                    .col(string_len_null(LeadFeedback::LeadSource, 24))
                    .col(uuid_null(LeadFeedback::GivenById))
                    .col(timestamp_with_time_zone(LeadFeedback::CreatedAt))
                    .foreign_key(&mut fk(
                        LeadFeedback::Table,
                        LeadFeedback::StakeholderId,
                        Stakeholder::Table,
                        Stakeholder::Id,
                    ))
                    .foreign_key(&mut fk(
                        LeadFeedback::Table,
                        LeadFeedback::AccountId,
                        Account::Table,
                        Account::Id,
                    ))
                    .foreign_key(&mut fk(
                        LeadFeedback::Table,
                        LeadFeedback::GivenById,
                        AppUser::Table,
                        AppUser::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_lead_feedback_stakeholder",
            LeadFeedback::Table,
            cols![LeadFeedback::StakeholderId, LeadFeedback::CreatedAt],
        )
        .await?;
        index(
            manager,
            "ix_lead_feedback_source",
            LeadFeedback::Table,
            cols![LeadFeedback::LeadSource, LeadFeedback::Rating],
        )
        .await?;
        index(
            manager,
            "ix_lead_feedback_account",
            LeadFeedback::Table,
            cols![LeadFeedback::AccountId],
        )
        .await?;
        index(
            manager,
            "ix_lead_feedback_given_by",
            LeadFeedback::Table,
            cols![LeadFeedback::GivenById],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(ScoringRule::Table)
                    .col(pk_uuid(ScoringRule::Id))
                    .col(string_len(ScoringRule::Name, 200))
                    .col(integer(ScoringRule::Points))
                    .col(string_len_null(ScoringRule::EngagementKind, 32))
                    .col(string_len_null(ScoringRule::ContentKind, 32))
                    .col(string_len_null(ScoringRule::BuyingStage, 32))
                    .col(string_len_null(ScoringRule::BuyingRole, 32))
                    .col(string_len_null(ScoringRule::AccountTier, 16))
                    .col(string_len_null(ScoringRule::LeadSource, 24))
                    .col(timestamp_with_time_zone(ScoringRule::CreatedAt))
                    .col(timestamp_with_time_zone(ScoringRule::UpdatedAt))
                    .col(integer(ScoringRule::Version).default(1))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_scoring_rule_created_at",
            ScoringRule::Table,
            cols![ScoringRule::CreatedAt, ScoringRule::Id],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(ScoringSettings::Table)
                    .col(integer(ScoringSettings::Id).primary_key())
                    .col(integer(ScoringSettings::MqlThreshold))
                    .col(integer(ScoringSettings::DecayHalfLifeDays))
                    .col(integer(ScoringSettings::HandoffSlaHours))
                    .col(timestamp_with_time_zone(ScoringSettings::UpdatedAt))
                    .col(integer(ScoringSettings::Version).default(1))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(ScoringSettings::Table)
                    .columns([
                        ScoringSettings::Id,
                        ScoringSettings::MqlThreshold,
                        ScoringSettings::DecayHalfLifeDays,
                        ScoringSettings::HandoffSlaHours,
                        ScoringSettings::UpdatedAt,
                        ScoringSettings::Version,
                    ])
                    .values_panic([
                        1.into(),
                        100.into(),
                        30.into(),
                        24.into(),
                        ChronoUtc::now().into(),
                        1.into(),
                    ])
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ScoreContribution::Table)
                    .col(uuid(ScoreContribution::StakeholderId))
                    .col(uuid(ScoreContribution::RuleId))
                    // Fit points as they are; behaviour points as they were at `as_of`.
                    .col(double(ScoreContribution::Points))
                    .col(timestamp_with_time_zone(ScoreContribution::AsOf))
                    .primary_key(
                        Index::create()
                            .col(ScoreContribution::StakeholderId)
                            .col(ScoreContribution::RuleId),
                    )
                    .foreign_key(
                        &mut fk(
                            ScoreContribution::Table,
                            ScoreContribution::StakeholderId,
                            Stakeholder::Table,
                            Stakeholder::Id,
                        )
                        .on_delete(ForeignKeyAction::Cascade)
                        .to_owned(),
                    )
                    .foreign_key(
                        &mut fk(
                            ScoreContribution::Table,
                            ScoreContribution::RuleId,
                            ScoringRule::Table,
                            ScoringRule::Id,
                        )
                        .on_delete(ForeignKeyAction::Cascade)
                        .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_score_contribution_rule",
            ScoreContribution::Table,
            cols![ScoreContribution::RuleId],
        )
        .await?;

        // Records already in a stage entered it when they were created.
        let db = manager.get_connection();
        db.execute_unprepared(
            "INSERT INTO stage_interval (subject_id, entered_at, kind, account_id, stage, left_at) \
             SELECT id, created_at, 'LEAD', account_id, lead_stage, NULL FROM stakeholder",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO stage_interval (subject_id, entered_at, kind, account_id, stage, left_at) \
             SELECT id, created_at, 'OPPORTUNITY', account_id, stage, NULL FROM opportunity",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO stage_interval (subject_id, entered_at, kind, account_id, stage, left_at) \
             SELECT id, created_at, 'BUYING', account_id, buying_stage, NULL FROM deal_participant",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ScoreContribution::Table.into_iden(),
            ScoringSettings::Table.into_iden(),
            ScoringRule::Table.into_iden(),
            LeadFeedback::Table.into_iden(),
            StageInterval::Table.into_iden(),
            StageChange::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("ix_stakeholder_lead_stage_accept_by")
                    .table(Stakeholder::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Stakeholder::HandoffAcceptBy,
            Stakeholder::HandoffAssignedAt,
            Stakeholder::ScoredAt,
            Stakeholder::BehaviourAt,
            Stakeholder::BehaviourPoints,
            Stakeholder::FitScore,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Stakeholder::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
