//! sea-orm models of trapeze, one file per table. The schema itself is owned by `migration`.

pub mod account;
pub mod api_token;
pub mod app_user;
pub mod content;
pub mod content_tag;
pub mod deal_participant;
pub mod deal_risk;
pub mod engagement;
pub mod enums;
pub mod event;
pub mod lead_feedback;
pub mod login_throttle;
pub mod opportunity;
pub mod opportunity_competitor;
pub mod persona;
pub mod refresh_token;
pub mod role;
pub mod role_grant;
pub mod score_contribution;
pub mod scoring_rule;
pub mod scoring_settings;
pub mod server_secret;
pub mod stage_change;
pub mod stage_interval;
pub mod stakeholder;
