//! Sorting vocabulary shared by every `orderBy` input.

use async_graphql::Enum;

#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderDirection {
    #[default]
    Asc,
    Desc,
}
