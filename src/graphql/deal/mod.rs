//! Deals in the API: the stakeholders on each opportunity and the risks to it.

mod mutation;
mod types;

pub use mutation::DealMutation;
pub use types::{DealParticipant, DealRisk};
