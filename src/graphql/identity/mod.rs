//! Identity in the API: sessions, the viewer, users, roles, grants and API tokens.

mod chores;
mod mutation;
mod query;
mod types;

pub use chores::{ChoresMutation, ChoresQuery};
pub use mutation::IdentityMutation;
pub use query::IdentityQuery;
pub use types::{ApiToken, Role, User};
