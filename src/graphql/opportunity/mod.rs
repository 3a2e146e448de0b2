//! Opportunities in the API: the deals, with their money, competitors, participants and risks.

mod mutation;
mod query;
mod types;

pub use mutation::OpportunityMutation;
pub use query::OpportunityQuery;
pub use types::{Money, MoneyInput, Opportunity, OpportunityFilter, OpportunityOrder, opportunity_filter};
