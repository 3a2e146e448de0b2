//! trapeze: a GraphQL API on which B2B marketing and sales work the same buyers together.
//!
//! Layers, each calling only the one below: `http` (transport) -> `graphql` (thin resolvers) ->
//! `service` (transactions) -> `domain` (pure rules) -> `entity` (sea-orm models).

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod graphql;
pub mod http;
pub mod metrics;
pub mod seed;
pub mod service;
pub mod telemetry;
