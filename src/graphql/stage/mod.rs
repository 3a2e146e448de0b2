//! Stages in the API: the three move mutations and the history they write.

mod mutation;
mod types;

pub use mutation::StageMutation;
pub use types::{
    BuyingStageChange, LeadStageChange, OpportunityStageChange, StageChange, StageHistoryFilter, StageQuery,
    history_filter, stage_change,
};
