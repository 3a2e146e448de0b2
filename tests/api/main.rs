//! Integration tests: the real server on port 0, real HTTP, a real database per test.
//! `TRAPEZE_TEST_POSTGRES_URL` adds a PostgreSQL run of every store-backed test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod hardening;

mod account;
mod admin_chores;
mod analytics;
mod bulk;
mod cli;
mod content;
mod cursors;
mod dates;
mod deal_intelligence;
mod engagement;
mod events;
mod http;
mod identity;
mod jwt;
mod lead;
mod limits;
mod money;
mod opportunity;
mod permissions;
mod persona;
mod readpath;
mod schema;
mod seed;
mod stage;
mod stakeholder;
mod throttle;
mod timeouts;
