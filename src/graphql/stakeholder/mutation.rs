//! `createStakeholder`, `updateStakeholder` and `archiveStakeholder`.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};

use super::types::Stakeholder;
use crate::{
    error::{AppError, UserErrorCode},
    graphql::{
        db,
        enums::{BuyingRole, LeadSource, Sentiment},
        error::{UserError, payload},
        input::{change, reference, reference_change},
        node::{self, NodeKind},
        principal,
    },
    service::stakeholder::{self as service, NewStakeholder, StakeholderChanges},
};

#[derive(InputObject)]
pub struct CreateStakeholderInput {
    pub account_id: ID,
    pub first_name: String,
    pub last_name: String,
    pub title: Option<String>,
    pub department: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub persona_id: Option<ID>,
    /// UNKNOWN when absent.
    pub buying_role: Option<BuyingRole>,
    /// 1 to 5.
    pub influence: Option<i32>,
    pub sentiment: Option<Sentiment>,
    /// A stakeholder of the same account.
    pub reports_to_id: Option<ID>,
    pub lead_source: Option<LeadSource>,
    pub referred_by_id: Option<ID>,
    /// When neither owner is given, the creator becomes the owner (sales) or the marketing owner.
    pub owner_id: Option<ID>,
    pub marketing_owner_id: Option<ID>,
    /// The key your own system keeps for this record (at most 200 characters, unique among live
    /// records of the type: TAKEN otherwise).
    pub external_id: Option<String>,
}

#[derive(SimpleObject)]
pub struct CreateStakeholderPayload {
    pub stakeholder: Option<Stakeholder>,
    pub user_errors: Vec<UserError>,
}

/// Fields left out stay as they are; nullable fields sent as null are cleared. The lead stage
/// changes only through `moveLeadStage`.
#[derive(InputObject)]
pub struct UpdateStakeholderInput {
    pub id: ID,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub title: MaybeUndefined<String>,
    pub department: MaybeUndefined<String>,
    pub email: MaybeUndefined<String>,
    pub phone: MaybeUndefined<String>,
    pub persona_id: MaybeUndefined<ID>,
    pub buying_role: Option<BuyingRole>,
    pub influence: MaybeUndefined<i32>,
    pub sentiment: Option<Sentiment>,
    pub reports_to_id: MaybeUndefined<ID>,
    pub lead_source: MaybeUndefined<LeadSource>,
    pub referred_by_id: MaybeUndefined<ID>,
    pub owner_id: MaybeUndefined<ID>,
    pub marketing_owner_id: MaybeUndefined<ID>,
    /// Null clears it.
    pub external_id: MaybeUndefined<String>,
    pub expected_version: Option<i32>,
}

#[derive(SimpleObject)]
pub struct UpdateStakeholderPayload {
    pub stakeholder: Option<Stakeholder>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct ArchiveStakeholderInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct ArchiveStakeholderPayload {
    pub stakeholder: Option<Stakeholder>,
    pub user_errors: Vec<UserError>,
}

fn target(id: &ID) -> Result<uuid::Uuid, AppError> {
    node::decode_as(id, NodeKind::Stakeholder)
        .ok_or_else(|| AppError::rejected(&["id"], UserErrorCode::NotFound, "no stakeholder has this id"))
}

#[derive(Default)]
pub struct StakeholderMutation;

#[Object]
impl StakeholderMutation {
    async fn create_stakeholder(
        &self,
        ctx: &Context<'_>,
        input: CreateStakeholderInput,
    ) -> async_graphql::Result<CreateStakeholderPayload> {
        let new = NewStakeholder {
            account_id: node::decode_as(&input.account_id, NodeKind::Account),
            persona_id: reference(input.persona_id.as_ref(), NodeKind::Persona),
            reports_to_id: reference(input.reports_to_id.as_ref(), NodeKind::Stakeholder),
            referred_by_id: reference(input.referred_by_id.as_ref(), NodeKind::Stakeholder),
            owner_id: reference(input.owner_id.as_ref(), NodeKind::User),
            marketing_owner_id: reference(input.marketing_owner_id.as_ref(), NodeKind::User),
            first_name: input.first_name,
            last_name: input.last_name,
            title: input.title,
            department: input.department,
            email: input.email,
            phone: input.phone,
            buying_role: input.buying_role.map(Into::into),
            influence: input.influence,
            sentiment: input.sentiment.map(Into::into),
            lead_source: input.lead_source.map(Into::into),
            external_id: input.external_id,
        };
        let (stakeholder, user_errors) = payload(service::create(db(ctx)?, principal(ctx)?, new).await)?;
        Ok(CreateStakeholderPayload {
            stakeholder: stakeholder.map(Stakeholder),
            user_errors,
        })
    }

    async fn update_stakeholder(
        &self,
        ctx: &Context<'_>,
        input: UpdateStakeholderInput,
    ) -> async_graphql::Result<UpdateStakeholderPayload> {
        let p = principal(ctx)?;
        let result = match target(&input.id) {
            Ok(id) => {
                let changes = StakeholderChanges {
                    id,
                    first_name: input.first_name,
                    last_name: input.last_name,
                    title: change(input.title),
                    department: change(input.department),
                    email: change(input.email),
                    phone: change(input.phone),
                    persona_id: reference_change(input.persona_id, NodeKind::Persona),
                    buying_role: input.buying_role.map(Into::into),
                    influence: change(input.influence),
                    sentiment: input.sentiment.map(Into::into),
                    reports_to_id: reference_change(input.reports_to_id, NodeKind::Stakeholder),
                    lead_source: change(input.lead_source).map(|s| s.map(Into::into)),
                    referred_by_id: reference_change(input.referred_by_id, NodeKind::Stakeholder),
                    owner_id: reference_change(input.owner_id, NodeKind::User),
                    marketing_owner_id: reference_change(input.marketing_owner_id, NodeKind::User),
                    external_id: change(input.external_id),
                    expected_version: input.expected_version,
                };
                service::update(db(ctx)?, p, changes).await
            }
            Err(e) => Err(e),
        };
        let (stakeholder, user_errors) = payload(result)?;
        Ok(UpdateStakeholderPayload {
            stakeholder: stakeholder.map(Stakeholder),
            user_errors,
        })
    }

    /// Archives a stakeholder: they leave lists; their history and deals stay.
    async fn archive_stakeholder(
        &self,
        ctx: &Context<'_>,
        input: ArchiveStakeholderInput,
    ) -> async_graphql::Result<ArchiveStakeholderPayload> {
        let p = principal(ctx)?;
        let result = match target(&input.id) {
            Ok(id) => service::archive(db(ctx)?, p, id).await,
            Err(e) => Err(e),
        };
        let (stakeholder, user_errors) = payload(result)?;
        Ok(ArchiveStakeholderPayload {
            stakeholder: stakeholder.map(Stakeholder),
            user_errors,
        })
    }
}
