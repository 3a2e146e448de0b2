//! `createOpportunity`, `updateOpportunity` and `archiveOpportunity`.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};

use super::types::{MoneyInput, Opportunity};
use crate::{
    graphql::{
        db,
        enums::LeadSource,
        error::{UserError, payload},
        input::{change, reference, reference_change, target},
        node::{self, NodeKind},
        principal,
        scalars::Date,
    },
    service::opportunity::{self as service, NewOpportunity, OpportunityChanges},
};

#[derive(InputObject)]
pub struct CreateOpportunityInput {
    pub account_id: ID,
    pub name: String,
    pub amount: Option<MoneyInput>,
    /// 0 to 100; when absent the probability follows the stage.
    pub probability: Option<i32>,
    pub expected_close_date: Option<Date>,
    /// Defaults to the creator.
    pub owner_id: Option<ID>,
    pub lead_source: Option<LeadSource>,
    /// Competitors in the deal, by name.
    #[graphql(default)]
    pub competitors: Vec<String>,
    /// The key your own system keeps for this record (at most 200 characters, unique among live
    /// records of the type: TAKEN otherwise).
    pub external_id: Option<String>,
}

#[derive(SimpleObject)]
pub struct CreateOpportunityPayload {
    pub opportunity: Option<Opportunity>,
    pub user_errors: Vec<UserError>,
}

/// Fields left out stay as they are; nullable fields sent as null are cleared (a cleared
/// probability follows the stage again). The stage moves only through `moveOpportunityStage`.
#[derive(InputObject)]
pub struct UpdateOpportunityInput {
    pub id: ID,
    pub name: Option<String>,
    pub amount: MaybeUndefined<MoneyInput>,
    pub probability: MaybeUndefined<i32>,
    pub expected_close_date: MaybeUndefined<Date>,
    pub owner_id: MaybeUndefined<ID>,
    pub lead_source: MaybeUndefined<LeadSource>,
    /// Replaces the list.
    pub competitors: Option<Vec<String>>,
    /// Null clears it.
    pub external_id: MaybeUndefined<String>,
    pub expected_version: Option<i32>,
}

#[derive(SimpleObject)]
pub struct UpdateOpportunityPayload {
    pub opportunity: Option<Opportunity>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct ArchiveOpportunityInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct ArchiveOpportunityPayload {
    pub opportunity: Option<Opportunity>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct OpportunityMutation;

#[Object]
impl OpportunityMutation {
    /// Opens a deal with an account, in DISCOVERY.
    async fn create_opportunity(
        &self,
        ctx: &Context<'_>,
        input: CreateOpportunityInput,
    ) -> async_graphql::Result<CreateOpportunityPayload> {
        let new = NewOpportunity {
            account_id: node::decode_as(&input.account_id, NodeKind::Account),
            name: input.name,
            amount: input.amount.map(Into::into),
            probability: input.probability,
            expected_close_date: input.expected_close_date.map(|d| d.0),
            owner_id: reference(input.owner_id.as_ref(), NodeKind::User),
            lead_source: input.lead_source.map(Into::into),
            competitors: input.competitors,
            external_id: input.external_id,
        };
        let (opportunity, user_errors) = payload(service::create(db(ctx)?, principal(ctx)?, new).await)?;
        Ok(CreateOpportunityPayload {
            opportunity: opportunity.map(Opportunity),
            user_errors,
        })
    }

    async fn update_opportunity(
        &self,
        ctx: &Context<'_>,
        input: UpdateOpportunityInput,
    ) -> async_graphql::Result<UpdateOpportunityPayload> {
        let p = principal(ctx)?;
        let result = match target(&input.id, NodeKind::Opportunity, "id", "opportunity") {
            Ok(id) => {
                let changes = OpportunityChanges {
                    id,
                    name: input.name,
                    amount: change(input.amount).map(|m| m.map(Into::into)),
                    probability: change(input.probability),
                    expected_close_date: change(input.expected_close_date).map(|d| d.map(|d| d.0)),
                    owner_id: reference_change(input.owner_id, NodeKind::User),
                    lead_source: change(input.lead_source).map(|s| s.map(Into::into)),
                    competitors: input.competitors,
                    external_id: change(input.external_id),
                    expected_version: input.expected_version,
                };
                service::update(db(ctx)?, p, changes).await
            }
            Err(e) => Err(e),
        };
        let (opportunity, user_errors) = payload(result)?;
        Ok(UpdateOpportunityPayload {
            opportunity: opportunity.map(Opportunity),
            user_errors,
        })
    }

    /// Archives a deal: it leaves lists; its participants, risks and history stay.
    async fn archive_opportunity(
        &self,
        ctx: &Context<'_>,
        input: ArchiveOpportunityInput,
    ) -> async_graphql::Result<ArchiveOpportunityPayload> {
        let p = principal(ctx)?;
        let result = match target(&input.id, NodeKind::Opportunity, "id", "opportunity") {
            Ok(id) => service::archive(db(ctx)?, p, id).await,
            Err(e) => Err(e),
        };
        let (opportunity, user_errors) = payload(result)?;
        Ok(ArchiveOpportunityPayload {
            opportunity: opportunity.map(Opportunity),
            user_errors,
        })
    }
}
