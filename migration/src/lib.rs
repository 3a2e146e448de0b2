//! The schema of trapeze as ordered, frozen migrations. They use their own identifiers and never
//! import the `entity` crate, so later model changes cannot rewrite history.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_persona;
mod m20261123_000002_create_identity;
mod m20261123_000003_create_revenue_graph;
mod m20261123_000004_bind_role_timestamps;
mod m20261123_000005_index_content_and_engagement_reads;
mod m20261123_000006_create_stage_history;
mod m20261123_000007_add_engagement_note;
mod m20261123_000008_index_live_stages;
mod m20261201_000001_count_stages_from_the_index;
mod m20261201_000002_index_funnel_reads;
mod m20261201_000003_cover_funnel_reads;
mod m20261201_000004_page_live_records_by_stage_from_the_index;
mod m20261202_000001_add_committee_roles;
mod m20261202_000010_throttle_failed_logins;
mod m20261202_000011_store_money_in_minor_units;
mod m20261202_000020_create_event_outbox;
mod m20261202_000030_add_external_ids;
mod m20261202_000031_index_engagements_by_recorded_at;
mod m20261202_000032_rotate_api_token_secrets;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_persona::Migration),
            Box::new(m20261123_000002_create_identity::Migration),
            Box::new(m20261123_000003_create_revenue_graph::Migration),
            Box::new(m20261123_000004_bind_role_timestamps::Migration),
            Box::new(m20261123_000005_index_content_and_engagement_reads::Migration),
            Box::new(m20261123_000006_create_stage_history::Migration),
            Box::new(m20261123_000007_add_engagement_note::Migration),
            Box::new(m20261123_000008_index_live_stages::Migration),
            Box::new(m20261201_000001_count_stages_from_the_index::Migration),
            Box::new(m20261201_000002_index_funnel_reads::Migration),
            Box::new(m20261201_000003_cover_funnel_reads::Migration),
            Box::new(m20261201_000004_page_live_records_by_stage_from_the_index::Migration),
            Box::new(m20261202_000001_add_committee_roles::Migration),
            Box::new(m20261202_000010_throttle_failed_logins::Migration),
            Box::new(m20261202_000011_store_money_in_minor_units::Migration),
            Box::new(m20261202_000020_create_event_outbox::Migration),
            Box::new(m20261202_000030_add_external_ids::Migration),
            Box::new(m20261202_000031_index_engagements_by_recorded_at::Migration),
            Box::new(m20261202_000032_rotate_api_token_secrets::Migration),
        ]
    }
}
