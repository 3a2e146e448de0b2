//! `moveOpportunityStage` and `moveBuyingStage` (`moveLeadStage` lives with the lead loop).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use crate::{
    graphql::{
        db,
        deal::DealParticipant,
        enums::{BuyingStage, OpportunityStage, ReasonCode},
        error::{UserError, payload},
        node::{self, NodeKind},
        opportunity::Opportunity,
        principal,
    },
    service::stage::{self as service, BuyingMoveInput, OpportunityMoveInput},
};

#[derive(InputObject)]
pub struct MoveOpportunityStageInput {
    pub opportunity_id: ID,
    pub to: OpportunityStage,
    /// Required to close lost.
    pub reason_code: Option<ReasonCode>,
    pub note: Option<String>,
    pub expected_version: Option<i32>,
}

#[derive(SimpleObject)]
pub struct MoveOpportunityStagePayload {
    pub opportunity: Option<Opportunity>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct MoveBuyingStageInput {
    pub participant_id: ID,
    pub to: BuyingStage,
    pub note: Option<String>,
    pub expected_version: Option<i32>,
}

#[derive(SimpleObject)]
pub struct MoveBuyingStagePayload {
    pub participant: Option<DealParticipant>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct StageMutation;

#[Object]
impl StageMutation {
    /// Any open stage to any other; CLOSED_LOST needs a reason. Closing won makes the deal's
    /// people and account customers; closing lost sends its people who are on no other open deal
    /// back to NURTURE. Reopening a closed deal needs `opportunity.update` over every deal.
    async fn move_opportunity_stage(
        &self,
        ctx: &Context<'_>,
        input: MoveOpportunityStageInput,
    ) -> async_graphql::Result<MoveOpportunityStagePayload> {
        let input = OpportunityMoveInput {
            opportunity_id: node::decode_as(&input.opportunity_id, NodeKind::Opportunity),
            to: input.to.into(),
            reason_code: input.reason_code.map(Into::into),
            note: input.note,
            expected_version: input.expected_version,
        };
        let (opportunity, user_errors) =
            payload(service::move_opportunity(db(ctx)?, principal(ctx)?, input).await)?;
        Ok(MoveOpportunityStagePayload {
            opportunity: opportunity.map(Opportunity),
            user_errors,
        })
    }

    /// A buyer's own stage on one deal, in either direction.
    async fn move_buying_stage(
        &self,
        ctx: &Context<'_>,
        input: MoveBuyingStageInput,
    ) -> async_graphql::Result<MoveBuyingStagePayload> {
        let input = BuyingMoveInput {
            participant_id: node::decode_as(&input.participant_id, NodeKind::DealParticipant),
            to: input.to.into(),
            note: input.note,
            expected_version: input.expected_version,
        };
        let (participant, user_errors) =
            payload(service::move_buying(db(ctx)?, principal(ctx)?, input).await)?;
        Ok(MoveBuyingStagePayload {
            participant: participant.map(DealParticipant),
            user_errors,
        })
    }
}
