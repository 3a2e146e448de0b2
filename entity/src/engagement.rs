//! One touch a person has with marketing or sales: their "digital body language".

use sea_orm::entity::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum EngagementKind {
    #[sea_orm(string_value = "CONTENT_SHARED")]
    ContentShared,
    #[sea_orm(string_value = "CONTENT_VIEWED")]
    ContentViewed,
    #[sea_orm(string_value = "CONTENT_DOWNLOADED")]
    ContentDownloaded,
    #[sea_orm(string_value = "WEBINAR_REGISTERED")]
    WebinarRegistered,
    #[sea_orm(string_value = "WEBINAR_ATTENDED")]
    WebinarAttended,
    #[sea_orm(string_value = "EMAIL_OPENED")]
    EmailOpened,
    #[sea_orm(string_value = "EMAIL_CLICKED")]
    EmailClicked,
    #[sea_orm(string_value = "EMAIL_REPLIED")]
    EmailReplied,
    #[sea_orm(string_value = "FORM_SUBMITTED")]
    FormSubmitted,
    #[sea_orm(string_value = "MEETING")]
    Meeting,
    #[sea_orm(string_value = "CALL")]
    Call,
    #[sea_orm(string_value = "SOCIAL_INTERACTION")]
    SocialInteraction,
    #[sea_orm(string_value = "EVENT_VISIT")]
    EventVisit,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "engagement")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub stakeholder_id: Uuid,
    /// The stakeholder's account, kept here for account-wide reads.
    pub account_id: Uuid,
    pub kind: EngagementKind,
    pub content_id: Option<Uuid>,
    pub opportunity_id: Option<Uuid>,
    pub occurred_at: DateTimeUtc,
    pub duration_seconds: Option<i32>,
    /// Who recorded it; null for touches that came in by themselves.
    pub recorded_by_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    /// What whoever shared content said with it.
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
