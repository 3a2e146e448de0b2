//! Pure rules: no I/O, unit-tested beside the code.

pub mod account;
pub mod analytics;
pub mod authz;
pub mod content;
pub mod money;
pub mod opportunity;
pub mod permission;
pub mod persona;
pub mod scoring;
pub mod stage;
pub mod stakeholder;
pub mod text;
pub mod time;
pub mod version;
