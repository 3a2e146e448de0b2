//! The revenue graph: accounts, stakeholders (the People Map), opportunities with their
//! competitors, deal participants and risks, content with its tags, and engagements.
//!
//! Enumerations are stored as text (portable across SQLite and PostgreSQL, readable in SQL).
//! Every table that grows with activity carries `account_id`, the key it would be sharded by.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Persona {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
    Name,
    NameKey,
    Domain,
    Industry,
    EmployeeCount,
    Tier,
    Status,
    OwnerId,
    MarketingOwnerId,
    CreatedAt,
    UpdatedAt,
    ArchivedAt,
    Version,
}

#[derive(DeriveIden)]
enum Stakeholder {
    Table,
    Id,
    AccountId,
    FirstName,
    LastName,
    Title,
    Department,
    Email,
    Phone,
    PersonaId,
    BuyingRole,
    Influence,
    Sentiment,
    ReportsToId,
    LeadStage,
    LeadSource,
    ReferredById,
    LeadScore,
    OwnerId,
    MarketingOwnerId,
    LastEngagedAt,
    CreatedAt,
    UpdatedAt,
    ArchivedAt,
    Version,
}

#[derive(DeriveIden)]
enum Opportunity {
    Table,
    Id,
    AccountId,
    Name,
    Amount,
    Currency,
    Stage,
    Probability,
    ExpectedCloseDate,
    OwnerId,
    LeadSource,
    CloseReason,
    ClosedAt,
    CreatedAt,
    UpdatedAt,
    ArchivedAt,
    Version,
}

#[derive(DeriveIden)]
enum OpportunityCompetitor {
    Table,
    OpportunityId,
    Name,
}

#[derive(DeriveIden)]
enum DealParticipant {
    Table,
    Id,
    OpportunityId,
    StakeholderId,
    AccountId,
    Role,
    IsPrimary,
    BuyingStage,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum Content {
    Table,
    Id,
    Title,
    Kind,
    Url,
    Summary,
    Status,
    OwnerId,
    PublishedAt,
    CreatedAt,
    UpdatedAt,
    ArchivedAt,
    Version,
}

#[derive(DeriveIden)]
enum DealRisk {
    Table,
    Id,
    OpportunityId,
    AccountId,
    Kind,
    Severity,
    Description,
    Competitor,
    RaisedById,
    AnsweredById,
    Status,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum Engagement {
    Table,
    Id,
    StakeholderId,
    AccountId,
    Kind,
    ContentId,
    OpportunityId,
    OccurredAt,
    DurationSeconds,
    RecordedById,
    CreatedAt,
}

/// The tag tables of content: (content_id, value), one row per tag.
#[derive(DeriveIden)]
enum ContentTag {
    ContentId,
    Value,
}

const CONTENT_TAGS: [&str; 5] = [
    "content_buying_stage",
    "content_persona",
    "content_buying_role",
    "content_topic",
    "content_competitor",
];

fn fk(
    from_table: impl IntoIden,
    from_col: impl IntoIden,
    to_table: impl IntoIden,
    to_col: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, to_col)
        .to_owned()
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
        manager
            .create_table(
                Table::create()
                    .table(Account::Table)
                    .col(pk_uuid(Account::Id))
                    .col(string_len(Account::Name, 200))
                    .col(string_len(Account::NameKey, 200))
                    .col(string_len_null(Account::Domain, 253))
                    .col(string_len_null(Account::Industry, 100))
                    .col(integer_null(Account::EmployeeCount))
                    .col(string_len(Account::Tier, 16).default("UNTIERED"))
                    .col(string_len(Account::Status, 24).default("PROSPECT"))
                    .col(uuid_null(Account::OwnerId))
                    .col(uuid_null(Account::MarketingOwnerId))
                    .col(timestamp_with_time_zone(Account::CreatedAt))
                    .col(timestamp_with_time_zone(Account::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Account::ArchivedAt))
                    .col(integer(Account::Version).default(1))
                    .foreign_key(&mut fk(
                        Account::Table,
                        Account::OwnerId,
                        AppUser::Table,
                        AppUser::Id,
                    ))
                    .foreign_key(&mut fk(
                        Account::Table,
                        Account::MarketingOwnerId,
                        AppUser::Table,
                        AppUser::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        // A domain is unique among live accounts only: an archived account frees its domain.
        manager
            .create_index(
                Index::create()
                    .name("ux_account_domain_live")
                    .table(Account::Table)
                    .col(Account::Domain)
                    .unique()
                    .and_where(Expr::col(Account::ArchivedAt).is_null())
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_account_name_key_id",
            Account::Table,
            cols![Account::NameKey, Account::Id],
        )
        .await?;
        index(
            manager,
            "ix_account_created_at_id",
            Account::Table,
            cols![Account::CreatedAt, Account::Id],
        )
        .await?;
        index(
            manager,
            "ix_account_updated_at_id",
            Account::Table,
            cols![Account::UpdatedAt, Account::Id],
        )
        .await?;
        index(
            manager,
            "ix_account_owner_id",
            Account::Table,
            cols![Account::OwnerId],
        )
        .await?;
        index(
            manager,
            "ix_account_marketing_owner_id",
            Account::Table,
            cols![Account::MarketingOwnerId],
        )
        .await?;
        index(manager, "ix_account_tier", Account::Table, cols![Account::Tier]).await?;
        index(
            manager,
            "ix_account_status",
            Account::Table,
            cols![Account::Status],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Stakeholder::Table)
                    .col(pk_uuid(Stakeholder::Id))
                    .col(uuid(Stakeholder::AccountId))
                    .col(string_len(Stakeholder::FirstName, 100))
                    .col(string_len(Stakeholder::LastName, 100))
                    .col(string_len_null(Stakeholder::Title, 200))
                    .col(string_len_null(Stakeholder::Department, 100))
                    .col(string_len_null(Stakeholder::Email, 320))
                    .col(string_len_null(Stakeholder::Phone, 50))
                    .col(uuid_null(Stakeholder::PersonaId))
                    .col(string_len(Stakeholder::BuyingRole, 32).default("UNKNOWN"))
                    .col(small_integer_null(Stakeholder::Influence))
                    .col(string_len(Stakeholder::Sentiment, 16).default("UNKNOWN"))
                    .col(uuid_null(Stakeholder::ReportsToId))
                    .col(string_len(Stakeholder::LeadStage, 16).default("INQUIRY"))
                    .col(string_len_null(Stakeholder::LeadSource, 24))
                    .col(uuid_null(Stakeholder::ReferredById))
                    .col(integer(Stakeholder::LeadScore).default(0))
                    .col(uuid_null(Stakeholder::OwnerId))
                    .col(uuid_null(Stakeholder::MarketingOwnerId))
                    .col(timestamp_with_time_zone_null(Stakeholder::LastEngagedAt))
                    .col(timestamp_with_time_zone(Stakeholder::CreatedAt))
                    .col(timestamp_with_time_zone(Stakeholder::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Stakeholder::ArchivedAt))
                    .col(integer(Stakeholder::Version).default(1))
                    .foreign_key(&mut fk(
                        Stakeholder::Table,
                        Stakeholder::AccountId,
                        Account::Table,
                        Account::Id,
                    ))
                    .foreign_key(&mut fk(
                        Stakeholder::Table,
                        Stakeholder::PersonaId,
                        Persona::Table,
                        Persona::Id,
                    ))
                    .foreign_key(&mut fk(
                        Stakeholder::Table,
                        Stakeholder::ReportsToId,
                        Stakeholder::Table,
                        Stakeholder::Id,
                    ))
                    .foreign_key(&mut fk(
                        Stakeholder::Table,
                        Stakeholder::ReferredById,
                        Stakeholder::Table,
                        Stakeholder::Id,
                    ))
                    .foreign_key(&mut fk(
                        Stakeholder::Table,
                        Stakeholder::OwnerId,
                        AppUser::Table,
                        AppUser::Id,
                    ))
                    .foreign_key(&mut fk(
                        Stakeholder::Table,
                        Stakeholder::MarketingOwnerId,
                        AppUser::Table,
                        AppUser::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        let s = Stakeholder::Table;
        index(
            manager,
            "ix_stakeholder_account_id_created_at",
            s,
            cols![Stakeholder::AccountId, Stakeholder::CreatedAt, Stakeholder::Id],
        )
        .await?;
        index(
            manager,
            "ix_stakeholder_created_at_id",
            Stakeholder::Table,
            cols![Stakeholder::CreatedAt, Stakeholder::Id],
        )
        .await?;
        index(
            manager,
            "ix_stakeholder_updated_at_id",
            Stakeholder::Table,
            cols![Stakeholder::UpdatedAt, Stakeholder::Id],
        )
        .await?;
        index(
            manager,
            "ix_stakeholder_name_id",
            Stakeholder::Table,
            cols![Stakeholder::LastName, Stakeholder::FirstName, Stakeholder::Id],
        )
        .await?;
        index(
            manager,
            "ix_stakeholder_lead_score_id",
            Stakeholder::Table,
            cols![Stakeholder::LeadScore, Stakeholder::Id],
        )
        .await?;
        index(
            manager,
            "ix_stakeholder_lead_stage",
            Stakeholder::Table,
            cols![Stakeholder::LeadStage],
        )
        .await?;
        index(
            manager,
            "ix_stakeholder_buying_role",
            Stakeholder::Table,
            cols![Stakeholder::BuyingRole],
        )
        .await?;
        index(
            manager,
            "ix_stakeholder_persona_id",
            Stakeholder::Table,
            cols![Stakeholder::PersonaId],
        )
        .await?;
        index(
            manager,
            "ix_stakeholder_reports_to_id",
            Stakeholder::Table,
            cols![Stakeholder::ReportsToId],
        )
        .await?;
        index(
            manager,
            "ix_stakeholder_referred_by_id",
            Stakeholder::Table,
            cols![Stakeholder::ReferredById],
        )
        .await?;
        index(
            manager,
            "ix_stakeholder_owner_id",
            Stakeholder::Table,
            cols![Stakeholder::OwnerId],
        )
        .await?;
        index(
            manager,
            "ix_stakeholder_marketing_owner_id",
            Stakeholder::Table,
            cols![Stakeholder::MarketingOwnerId],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Opportunity::Table)
                    .col(pk_uuid(Opportunity::Id))
                    .col(uuid(Opportunity::AccountId))
                    .col(string_len(Opportunity::Name, 200))
                    .col(decimal_len_null(Opportunity::Amount, 18, 2))
                    .col(char_len_null(Opportunity::Currency, 3))
                    .col(string_len(Opportunity::Stage, 16).default("DISCOVERY"))
                    .col(small_integer_null(Opportunity::Probability))
                    .col(date_null(Opportunity::ExpectedCloseDate))
                    .col(uuid_null(Opportunity::OwnerId))
                    .col(string_len_null(Opportunity::LeadSource, 24))
                    .col(string_len_null(Opportunity::CloseReason, 24))
                    .col(timestamp_with_time_zone_null(Opportunity::ClosedAt))
                    .col(timestamp_with_time_zone(Opportunity::CreatedAt))
                    .col(timestamp_with_time_zone(Opportunity::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Opportunity::ArchivedAt))
                    .col(integer(Opportunity::Version).default(1))
                    .foreign_key(&mut fk(
                        Opportunity::Table,
                        Opportunity::AccountId,
                        Account::Table,
                        Account::Id,
                    ))
                    .foreign_key(&mut fk(
                        Opportunity::Table,
                        Opportunity::OwnerId,
                        AppUser::Table,
                        AppUser::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        let o = Opportunity::Table;
        index(
            manager,
            "ix_opportunity_account_id_created_at",
            o,
            cols![Opportunity::AccountId, Opportunity::CreatedAt, Opportunity::Id],
        )
        .await?;
        index(
            manager,
            "ix_opportunity_created_at_id",
            Opportunity::Table,
            cols![Opportunity::CreatedAt, Opportunity::Id],
        )
        .await?;
        index(
            manager,
            "ix_opportunity_updated_at_id",
            Opportunity::Table,
            cols![Opportunity::UpdatedAt, Opportunity::Id],
        )
        .await?;
        index(
            manager,
            "ix_opportunity_name_id",
            Opportunity::Table,
            cols![Opportunity::Name, Opportunity::Id],
        )
        .await?;
        index(
            manager,
            "ix_opportunity_amount_id",
            Opportunity::Table,
            cols![Opportunity::Amount, Opportunity::Id],
        )
        .await?;
        index(
            manager,
            "ix_opportunity_close_date_id",
            Opportunity::Table,
            cols![Opportunity::ExpectedCloseDate, Opportunity::Id],
        )
        .await?;
        index(
            manager,
            "ix_opportunity_stage",
            Opportunity::Table,
            cols![Opportunity::Stage],
        )
        .await?;
        index(
            manager,
            "ix_opportunity_owner_id",
            Opportunity::Table,
            cols![Opportunity::OwnerId],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(OpportunityCompetitor::Table)
                    .col(uuid(OpportunityCompetitor::OpportunityId))
                    .col(string_len(OpportunityCompetitor::Name, 100))
                    .primary_key(
                        Index::create()
                            .col(OpportunityCompetitor::OpportunityId)
                            .col(OpportunityCompetitor::Name),
                    )
                    .foreign_key(
                        &mut fk(
                            OpportunityCompetitor::Table,
                            OpportunityCompetitor::OpportunityId,
                            Opportunity::Table,
                            Opportunity::Id,
                        )
                        .on_delete(ForeignKeyAction::Cascade)
                        .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DealParticipant::Table)
                    .col(pk_uuid(DealParticipant::Id))
                    .col(uuid(DealParticipant::OpportunityId))
                    .col(uuid(DealParticipant::StakeholderId))
                    .col(uuid(DealParticipant::AccountId))
                    .col(string_len(DealParticipant::Role, 32).default("UNKNOWN"))
                    .col(boolean(DealParticipant::IsPrimary).default(false))
                    .col(string_len(DealParticipant::BuyingStage, 32).default("UNAWARE"))
                    .col(timestamp_with_time_zone(DealParticipant::CreatedAt))
                    .col(timestamp_with_time_zone(DealParticipant::UpdatedAt))
                    .col(integer(DealParticipant::Version).default(1))
                    .foreign_key(&mut fk(
                        DealParticipant::Table,
                        DealParticipant::OpportunityId,
                        Opportunity::Table,
                        Opportunity::Id,
                    ))
                    .foreign_key(&mut fk(
                        DealParticipant::Table,
                        DealParticipant::StakeholderId,
                        Stakeholder::Table,
                        Stakeholder::Id,
                    ))
                    .foreign_key(&mut fk(
                        DealParticipant::Table,
                        DealParticipant::AccountId,
                        Account::Table,
                        Account::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_deal_participant_opportunity_stakeholder")
                    .table(DealParticipant::Table)
                    .col(DealParticipant::OpportunityId)
                    .col(DealParticipant::StakeholderId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // At most one primary participant per opportunity, held by the database itself.
        manager
            .create_index(
                Index::create()
                    .name("ux_deal_participant_primary")
                    .table(DealParticipant::Table)
                    .col(DealParticipant::OpportunityId)
                    .unique()
                    .and_where(Expr::col(DealParticipant::IsPrimary).eq(true))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_deal_participant_stakeholder_id",
            DealParticipant::Table,
            cols![DealParticipant::StakeholderId],
        )
        .await?;
        index(
            manager,
            "ix_deal_participant_account_id",
            DealParticipant::Table,
            cols![DealParticipant::AccountId],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Content::Table)
                    .col(pk_uuid(Content::Id))
                    .col(string_len(Content::Title, 300))
                    .col(string_len(Content::Kind, 32))
                    .col(string_len_null(Content::Url, 2048))
                    .col(text_null(Content::Summary))
                    .col(string_len(Content::Status, 16).default("DRAFT"))
                    .col(uuid_null(Content::OwnerId))
                    .col(timestamp_with_time_zone_null(Content::PublishedAt))
                    .col(timestamp_with_time_zone(Content::CreatedAt))
                    .col(timestamp_with_time_zone(Content::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Content::ArchivedAt))
                    .col(integer(Content::Version).default(1))
                    .foreign_key(&mut fk(
                        Content::Table,
                        Content::OwnerId,
                        AppUser::Table,
                        AppUser::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_content_created_at_id",
            Content::Table,
            cols![Content::CreatedAt, Content::Id],
        )
        .await?;
        index(
            manager,
            "ix_content_updated_at_id",
            Content::Table,
            cols![Content::UpdatedAt, Content::Id],
        )
        .await?;
        index(
            manager,
            "ix_content_title_id",
            Content::Table,
            cols![Content::Title, Content::Id],
        )
        .await?;
        index(manager, "ix_content_kind", Content::Table, cols![Content::Kind]).await?;
        index(
            manager,
            "ix_content_status",
            Content::Table,
            cols![Content::Status],
        )
        .await?;
        index(
            manager,
            "ix_content_owner_id",
            Content::Table,
            cols![Content::OwnerId],
        )
        .await?;
        for table in CONTENT_TAGS {
            let value = if table == "content_persona" {
                uuid(ContentTag::Value)
            } else {
                string_len(ContentTag::Value, 100)
            };
            let mut create = Table::create()
                .table(Alias::new(table))
                .col(uuid(ContentTag::ContentId))
                .col(value)
                .primary_key(Index::create().col(ContentTag::ContentId).col(ContentTag::Value))
                .foreign_key(
                    &mut fk(
                        Alias::new(table),
                        ContentTag::ContentId,
                        Content::Table,
                        Content::Id,
                    )
                    .on_delete(ForeignKeyAction::Cascade)
                    .to_owned(),
                )
                .to_owned();
            if table == "content_persona" {
                create.foreign_key(&mut fk(
                    Alias::new(table),
                    ContentTag::Value,
                    Persona::Table,
                    Persona::Id,
                ));
            }
            manager.create_table(create).await?;
            // Filters look content up by tag value.
            index(
                manager,
                &format!("ix_{table}_value"),
                Alias::new(table),
                cols![ContentTag::Value, ContentTag::ContentId],
            )
            .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(DealRisk::Table)
                    .col(pk_uuid(DealRisk::Id))
                    .col(uuid(DealRisk::OpportunityId))
                    .col(uuid(DealRisk::AccountId))
                    .col(string_len(DealRisk::Kind, 24))
                    .col(string_len(DealRisk::Severity, 8).default("MEDIUM"))
                    .col(text_null(DealRisk::Description))
                    .col(string_len_null(DealRisk::Competitor, 100))
                    .col(uuid_null(DealRisk::RaisedById))
                    .col(uuid_null(DealRisk::AnsweredById))
                    .col(string_len(DealRisk::Status, 16).default("OPEN"))
                    .col(timestamp_with_time_zone(DealRisk::CreatedAt))
                    .col(timestamp_with_time_zone(DealRisk::UpdatedAt))
                    .col(integer(DealRisk::Version).default(1))
                    .foreign_key(&mut fk(
                        DealRisk::Table,
                        DealRisk::OpportunityId,
                        Opportunity::Table,
                        Opportunity::Id,
                    ))
                    .foreign_key(&mut fk(
                        DealRisk::Table,
                        DealRisk::AccountId,
                        Account::Table,
                        Account::Id,
                    ))
                    .foreign_key(&mut fk(
                        DealRisk::Table,
                        DealRisk::RaisedById,
                        Stakeholder::Table,
                        Stakeholder::Id,
                    ))
                    .foreign_key(&mut fk(
                        DealRisk::Table,
                        DealRisk::AnsweredById,
                        Content::Table,
                        Content::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_deal_risk_opportunity_id",
            DealRisk::Table,
            cols![DealRisk::OpportunityId],
        )
        .await?;
        index(
            manager,
            "ix_deal_risk_account_id",
            DealRisk::Table,
            cols![DealRisk::AccountId],
        )
        .await?;
        index(
            manager,
            "ix_deal_risk_raised_by_id",
            DealRisk::Table,
            cols![DealRisk::RaisedById],
        )
        .await?;
        index(
            manager,
            "ix_deal_risk_answered_by_id",
            DealRisk::Table,
            cols![DealRisk::AnsweredById],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Engagement::Table)
                    .col(pk_uuid(Engagement::Id))
                    .col(uuid(Engagement::StakeholderId))
                    .col(uuid(Engagement::AccountId))
                    .col(string_len(Engagement::Kind, 32))
                    .col(uuid_null(Engagement::ContentId))
                    .col(uuid_null(Engagement::OpportunityId))
                    .col(timestamp_with_time_zone(Engagement::OccurredAt))
                    .col(integer_null(Engagement::DurationSeconds))
                    .col(uuid_null(Engagement::RecordedById))
                    .col(timestamp_with_time_zone(Engagement::CreatedAt))
                    .foreign_key(&mut fk(
                        Engagement::Table,
                        Engagement::StakeholderId,
                        Stakeholder::Table,
                        Stakeholder::Id,
                    ))
                    .foreign_key(&mut fk(
                        Engagement::Table,
                        Engagement::AccountId,
                        Account::Table,
                        Account::Id,
                    ))
                    .foreign_key(&mut fk(
                        Engagement::Table,
                        Engagement::ContentId,
                        Content::Table,
                        Content::Id,
                    ))
                    .foreign_key(&mut fk(
                        Engagement::Table,
                        Engagement::OpportunityId,
                        Opportunity::Table,
                        Opportunity::Id,
                    ))
                    .foreign_key(&mut fk(
                        Engagement::Table,
                        Engagement::RecordedById,
                        AppUser::Table,
                        AppUser::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        let e = Engagement::Table;
        index(
            manager,
            "ix_engagement_stakeholder_occurred",
            e,
            cols![Engagement::StakeholderId, Engagement::OccurredAt, Engagement::Id],
        )
        .await?;
        index(
            manager,
            "ix_engagement_account_occurred",
            Engagement::Table,
            cols![Engagement::AccountId, Engagement::OccurredAt, Engagement::Id],
        )
        .await?;
        index(
            manager,
            "ix_engagement_content_occurred",
            Engagement::Table,
            cols![Engagement::ContentId, Engagement::OccurredAt, Engagement::Id],
        )
        .await?;
        index(
            manager,
            "ix_engagement_opportunity_occurred",
            Engagement::Table,
            cols![Engagement::OpportunityId, Engagement::OccurredAt, Engagement::Id],
        )
        .await?;
        index(
            manager,
            "ix_engagement_occurred_id",
            Engagement::Table,
            cols![Engagement::OccurredAt, Engagement::Id],
        )
        .await?;
        index(
            manager,
            "ix_engagement_recorded_by_id",
            Engagement::Table,
            cols![Engagement::RecordedById],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut tables: Vec<DynIden> = vec![Engagement::Table.into_iden(), DealRisk::Table.into_iden()];
        tables.extend(CONTENT_TAGS.iter().map(|t| Alias::new(*t).into_iden()));
        tables.extend([
            Content::Table.into_iden(),
            DealParticipant::Table.into_iden(),
            OpportunityCompetitor::Table.into_iden(),
            Opportunity::Table.into_iden(),
            Stakeholder::Table.into_iden(),
            Account::Table.into_iden(),
        ]);
        for table in tables {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
