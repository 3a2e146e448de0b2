//! Marketing content in the API, with its tags.

mod mutation;
mod query;
mod types;

pub use mutation::ContentMutation;
pub use query::ContentQuery;
pub use types::Content;
