//! Pure rules: no I/O, unit-tested beside the code.

pub mod account;
pub mod analytics;
pub mod authz;
pub mod budget;
pub mod content;
pub mod opportunity;
pub mod permission;
pub mod persona;
pub mod scoring;
pub mod stage;
pub mod stakeholder;
pub mod text;
pub mod throttle;
pub mod version;
