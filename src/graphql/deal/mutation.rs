//! `addDealParticipant`, `updateDealParticipant`, `removeDealParticipant`, `raiseDealRisk` and
//! `updateDealRisk`: `deal.manage` on the opportunity.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};

use super::types::{DealParticipant, DealRisk};
use crate::{
    graphql::{
        db,
        enums::{BuyingRole, RiskKind, RiskStatus, Severity},
        error::{UserError, payload},
        input::{change, reference, reference_change, target},
        node::{self, NodeKind},
        opportunity::Opportunity,
        principal,
    },
    service::deal::{self as service, NewParticipant, NewRisk, ParticipantChanges, RiskChanges},
};

#[derive(InputObject)]
pub struct AddDealParticipantInput {
    pub opportunity_id: ID,
    /// A stakeholder of the opportunity's account.
    pub stakeholder_id: ID,
    /// Their part in this deal; the stakeholder's own buying role when absent.
    pub role: Option<BuyingRole>,
    /// Makes them the deal's main contact, taking the flag from whoever held it.
    #[graphql(default)]
    pub is_primary: bool,
}

#[derive(SimpleObject)]
pub struct AddDealParticipantPayload {
    pub participant: Option<DealParticipant>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct UpdateDealParticipantInput {
    pub id: ID,
    pub role: Option<BuyingRole>,
    /// true takes the flag from whoever held it.
    pub is_primary: Option<bool>,
    pub expected_version: Option<i32>,
}

#[derive(SimpleObject)]
pub struct UpdateDealParticipantPayload {
    pub participant: Option<DealParticipant>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct RemoveDealParticipantInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct RemoveDealParticipantPayload {
    pub removed_participant_id: Option<ID>,
    /// The deal they left.
    pub opportunity: Option<Opportunity>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct RaiseDealRiskInput {
    pub opportunity_id: ID,
    pub kind: RiskKind,
    /// MEDIUM when absent.
    pub severity: Option<Severity>,
    pub description: Option<String>,
    /// Required for a COMPETITOR risk.
    pub competitor: Option<String>,
    /// The stakeholder who raised it: someone at the deal's account.
    pub raised_by_id: Option<ID>,
    /// Content that answers it.
    pub answered_by_id: Option<ID>,
}

#[derive(SimpleObject)]
pub struct RaiseDealRiskPayload {
    pub risk: Option<DealRisk>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct UpdateDealRiskInput {
    pub id: ID,
    pub kind: Option<RiskKind>,
    pub severity: Option<Severity>,
    pub description: MaybeUndefined<String>,
    pub competitor: MaybeUndefined<String>,
    pub raised_by_id: MaybeUndefined<ID>,
    pub answered_by_id: MaybeUndefined<ID>,
    pub status: Option<RiskStatus>,
    pub expected_version: Option<i32>,
}

#[derive(SimpleObject)]
pub struct UpdateDealRiskPayload {
    pub risk: Option<DealRisk>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct DealMutation;

#[Object]
impl DealMutation {
    /// Puts a stakeholder on a deal, in the buying stage UNAWARE.
    async fn add_deal_participant(
        &self,
        ctx: &Context<'_>,
        input: AddDealParticipantInput,
    ) -> async_graphql::Result<AddDealParticipantPayload> {
        let new = NewParticipant {
            opportunity_id: node::decode_as(&input.opportunity_id, NodeKind::Opportunity),
            stakeholder_id: node::decode_as(&input.stakeholder_id, NodeKind::Stakeholder),
            role: input.role.map(Into::into),
            is_primary: input.is_primary,
        };
        let (participant, user_errors) =
            payload(service::add_participant(db(ctx)?, principal(ctx)?, new).await)?;
        Ok(AddDealParticipantPayload {
            participant: participant.map(DealParticipant),
            user_errors,
        })
    }

    async fn update_deal_participant(
        &self,
        ctx: &Context<'_>,
        input: UpdateDealParticipantInput,
    ) -> async_graphql::Result<UpdateDealParticipantPayload> {
        let p = principal(ctx)?;
        let result = match target(&input.id, NodeKind::DealParticipant, "id", "participant") {
            Ok(id) => {
                let changes = ParticipantChanges {
                    id,
                    role: input.role.map(Into::into),
                    is_primary: input.is_primary,
                    expected_version: input.expected_version,
                };
                service::update_participant(db(ctx)?, p, changes).await
            }
            Err(e) => Err(e),
        };
        let (participant, user_errors) = payload(result)?;
        Ok(UpdateDealParticipantPayload {
            participant: participant.map(DealParticipant),
            user_errors,
        })
    }

    /// Takes a stakeholder off a deal.
    async fn remove_deal_participant(
        &self,
        ctx: &Context<'_>,
        input: RemoveDealParticipantInput,
    ) -> async_graphql::Result<RemoveDealParticipantPayload> {
        let p = principal(ctx)?;
        let result = match target(&input.id, NodeKind::DealParticipant, "id", "participant") {
            Ok(id) => service::remove_participant(db(ctx)?, p, id).await,
            Err(e) => Err(e),
        };
        let (opportunity, user_errors) = payload(result)?;
        Ok(RemoveDealParticipantPayload {
            removed_participant_id: opportunity.as_ref().map(|_| input.id),
            opportunity: opportunity.map(Opportunity),
            user_errors,
        })
    }

    /// Records a risk to a deal, OPEN.
    async fn raise_deal_risk(
        &self,
        ctx: &Context<'_>,
        input: RaiseDealRiskInput,
    ) -> async_graphql::Result<RaiseDealRiskPayload> {
        let new = NewRisk {
            opportunity_id: node::decode_as(&input.opportunity_id, NodeKind::Opportunity),
            kind: input.kind.into(),
            severity: input.severity.map(Into::into),
            description: input.description,
            competitor: input.competitor,
            raised_by_id: reference(input.raised_by_id.as_ref(), NodeKind::Stakeholder),
            answered_by_id: reference(input.answered_by_id.as_ref(), NodeKind::Content),
        };
        let (risk, user_errors) = payload(service::raise_risk(db(ctx)?, principal(ctx)?, new).await)?;
        Ok(RaiseDealRiskPayload {
            risk: risk.map(DealRisk),
            user_errors,
        })
    }

    async fn update_deal_risk(
        &self,
        ctx: &Context<'_>,
        input: UpdateDealRiskInput,
    ) -> async_graphql::Result<UpdateDealRiskPayload> {
        let p = principal(ctx)?;
        let result = match target(&input.id, NodeKind::DealRisk, "id", "deal risk") {
            Ok(id) => {
                let changes = RiskChanges {
                    id,
                    kind: input.kind.map(Into::into),
                    severity: input.severity.map(Into::into),
                    description: change(input.description),
                    competitor: change(input.competitor),
                    raised_by_id: reference_change(input.raised_by_id, NodeKind::Stakeholder),
                    answered_by_id: reference_change(input.answered_by_id, NodeKind::Content),
                    status: input.status.map(Into::into),
                    expected_version: input.expected_version,
                };
                service::update_risk(db(ctx)?, p, changes).await
            }
            Err(e) => Err(e),
        };
        let (risk, user_errors) = payload(result)?;
        Ok(UpdateDealRiskPayload {
            risk: risk.map(DealRisk),
            user_errors,
        })
    }
}
