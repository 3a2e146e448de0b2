//! Marketing content: what buyers read, watch and share. Its tags live in `content_tag`.

use sea_orm::entity::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ContentKind {
    #[sea_orm(string_value = "BLOG_POST")]
    BlogPost,
    #[sea_orm(string_value = "VIDEO")]
    Video,
    #[sea_orm(string_value = "EBOOK")]
    Ebook,
    #[sea_orm(string_value = "WHITEPAPER")]
    Whitepaper,
    #[sea_orm(string_value = "WEBINAR")]
    Webinar,
    #[sea_orm(string_value = "INFOGRAPHIC")]
    Infographic,
    #[sea_orm(string_value = "CASE_STUDY")]
    CaseStudy,
    #[sea_orm(string_value = "BATTLECARD")]
    Battlecard,
    #[sea_orm(string_value = "PRESENTATION")]
    Presentation,
    #[sea_orm(string_value = "DEMO")]
    Demo,
    #[sea_orm(string_value = "PRICING")]
    Pricing,
    #[sea_orm(string_value = "ROI_CALCULATOR")]
    RoiCalculator,
    #[sea_orm(string_value = "EMAIL_TEMPLATE")]
    EmailTemplate,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ContentStatus {
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    #[sea_orm(string_value = "PUBLISHED")]
    Published,
    #[sea_orm(string_value = "ARCHIVED")]
    Archived,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "content")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title: String,
    pub kind: ContentKind,
    pub url: Option<String>,
    pub summary: Option<String>,
    pub status: ContentStatus,
    pub owner_id: Option<Uuid>,
    pub published_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub archived_at: Option<DateTimeUtc>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
