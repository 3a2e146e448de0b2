//! Accounts in the API: the type, `account`, `accounts` and the write mutations.

mod mutation;
mod query;
mod types;

pub use mutation::AccountMutation;
pub use query::AccountQuery;
pub(crate) use types::user;
pub use types::{Account, AccountStatus, AccountTier};
