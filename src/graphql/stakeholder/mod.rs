//! Stakeholders in the API: the People Map.

mod mutation;
mod query;
mod types;

pub use mutation::StakeholderMutation;
pub use query::StakeholderQuery;
pub use types::{Stakeholder, StakeholderFilter, StakeholderOrder, stakeholder_filter};
