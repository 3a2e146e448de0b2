//! The tags of content, one table per kind of tag, one row per (content, value).

macro_rules! tag_table {
    ($module:ident, $table:literal, $value:ty, $doc:literal) => {
        #[doc = $doc]
        pub mod $module {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
            #[sea_orm(table_name = $table)]
            pub struct Model {
                #[sea_orm(primary_key, auto_increment = false)]
                pub content_id: Uuid,
                #[sea_orm(primary_key, auto_increment = false)]
                pub value: $value,
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}

            impl ActiveModelBehavior for ActiveModel {}
        }
    };
}

tag_table!(
    buying_stage,
    "content_buying_stage",
    crate::enums::BuyingStage,
    "The buying stages a piece of content serves."
);
tag_table!(
    persona,
    "content_persona",
    Uuid,
    "The personas a piece of content speaks to."
);
tag_table!(
    buying_role,
    "content_buying_role",
    crate::enums::BuyingRole,
    "The buying roles a piece of content is for."
);
tag_table!(topic, "content_topic", String, "Free-form topics, in lower case.");
tag_table!(
    competitor,
    "content_competitor",
    String,
    "Competitors a piece of content answers."
);
