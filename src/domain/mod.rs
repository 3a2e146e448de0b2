//! Pure rules: no I/O, unit-tested beside the code.

pub mod account;
pub mod analytics;
pub mod authz;
pub mod budget;
pub mod content;
pub mod coverage;
pub mod influence;
pub mod money;
pub mod opportunity;
pub mod permission;
pub mod persona;
pub mod recommendation;
pub mod scoring;
pub mod stage;
pub mod stakeholder;
pub mod text;
pub mod throttle;
pub mod time;
pub mod version;
