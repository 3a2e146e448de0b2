//! Personas in the API: the type, the `personas` connection and the write mutations.

mod mutation;
mod query;
mod types;

pub use mutation::PersonaMutation;
pub use query::PersonaQuery;
pub use types::Persona;
