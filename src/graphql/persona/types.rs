//! The `Persona` object and the inputs that order and filter lists of it.

use async_graphql::{Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entity::persona::Model;

use crate::{
    graphql::{
        node::{self, NodeKind},
        order::OrderDirection,
    },
    service::persona::{PersonaFilter as Filter, PersonaOrder as Order, PersonaOrderField as Field},
};

/// A buyer persona ("CFO of a mid-market manufacturer") that content and people are tagged with.
#[derive(Clone)]
pub struct Persona(pub Model);

#[Object]
impl Persona {
    pub async fn id(&self) -> ID {
        node::encode(NodeKind::Persona, self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// Grows by one with every change; send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Narrows a list of personas.
#[derive(InputObject, Default)]
pub struct PersonaFilter {
    /// Personas whose name starts with this text, ignoring case.
    pub search: Option<String>,
}

impl From<PersonaFilter> for Filter {
    fn from(f: PersonaFilter) -> Self {
        Self { search: f.search }
    }
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum PersonaOrderField {
    Name,
    CreatedAt,
    UpdatedAt,
}

/// The order of a list of personas; ties are broken by ID.
#[derive(InputObject)]
pub struct PersonaOrder {
    pub field: PersonaOrderField,
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
}

impl From<PersonaOrder> for Order {
    fn from(o: PersonaOrder) -> Self {
        Self {
            field: match o.field {
                PersonaOrderField::Name => Field::Name,
                PersonaOrderField::CreatedAt => Field::CreatedAt,
                PersonaOrderField::UpdatedAt => Field::UpdatedAt,
            },
            descending: o.direction == OrderDirection::Desc,
        }
    }
}
