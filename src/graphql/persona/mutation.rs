//! `createPersona` and `updatePersona`.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};

use super::types::Persona;
use crate::{
    error::{AppError, UserErrorCode},
    graphql::{
        db,
        error::{UserError, payload},
        node::{self, NodeKind},
        principal,
    },
    service::persona::{self as service, NewPersona, PersonaChanges},
};

#[derive(InputObject)]
pub struct CreatePersonaInput {
    pub name: String,
    pub description: Option<String>,
}

#[derive(SimpleObject)]
pub struct CreatePersonaPayload {
    pub persona: Option<Persona>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct UpdatePersonaInput {
    pub id: ID,
    pub name: Option<String>,
    /// Null clears the description; leaving it out keeps it.
    pub description: MaybeUndefined<String>,
    /// The `version` you read; the update is refused with STALE_VERSION if it changed since.
    pub expected_version: Option<i32>,
}

#[derive(SimpleObject)]
pub struct UpdatePersonaPayload {
    pub persona: Option<Persona>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct PersonaMutation;

#[Object]
impl PersonaMutation {
    async fn create_persona(
        &self,
        ctx: &Context<'_>,
        input: CreatePersonaInput,
    ) -> async_graphql::Result<CreatePersonaPayload> {
        let result = service::create(
            db(ctx)?,
            principal(ctx)?,
            NewPersona {
                name: input.name,
                description: input.description,
            },
        )
        .await;
        let (persona, user_errors) = payload(result)?;
        Ok(CreatePersonaPayload {
            persona: persona.map(Persona),
            user_errors,
        })
    }

    async fn update_persona(
        &self,
        ctx: &Context<'_>,
        input: UpdatePersonaInput,
    ) -> async_graphql::Result<UpdatePersonaPayload> {
        let result = match node::decode_as(&input.id, NodeKind::Persona) {
            None => Err(AppError::rejected(
                &["id"],
                UserErrorCode::NotFound,
                "no persona has this id",
            )),
            Some(id) => {
                let changes = PersonaChanges {
                    id,
                    name: input.name,
                    description: match input.description {
                        MaybeUndefined::Undefined => None,
                        MaybeUndefined::Null => Some(None),
                        MaybeUndefined::Value(d) => Some(Some(d)),
                    },
                    expected_version: input.expected_version,
                };
                service::update(db(ctx)?, principal(ctx)?, changes).await
            }
        };
        let (persona, user_errors) = payload(result)?;
        Ok(UpdatePersonaPayload {
            persona: persona.map(Persona),
            user_errors,
        })
    }
}
