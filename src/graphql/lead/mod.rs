//! The lead loop in the API: `moveLeadStage`, `recordLeadFeedback`, and the handoff, feedback and
//! score a stakeholder shows.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::lead_feedback;

use crate::{
    graphql::{
        account::user,
        db,
        enums::{LeadRating, LeadSource, LeadStage, ReasonCode},
        error::{UserError, payload},
        identity::User,
        input::reference,
        node::{self, NodeKind},
        principal, related,
        scoring::ScoringRule,
        stakeholder::Stakeholder,
    },
    service::lead::{self as service, LeadMoveInput, NewFeedback},
};

/// Sales' word on a lead marketing sent, with the lead's source at the time.
#[derive(Clone)]
pub struct LeadFeedback(pub lead_feedback::Model);

#[Object]
impl LeadFeedback {
    pub async fn id(&self) -> ID {
        node::encode(NodeKind::LeadFeedback, self.0.id)
    }

    async fn stakeholder(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Stakeholder>> {
        related::stakeholder(ctx, Some(self.0.stakeholder_id)).await
    }

    async fn rating(&self) -> LeadRating {
        self.0.rating.into()
    }

    async fn reason_code(&self) -> Option<ReasonCode> {
        self.0.reason_code.map(Into::into)
    }

    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }

    /// The lead's source when the feedback was given.
    async fn lead_source(&self) -> Option<LeadSource> {
        self.0.lead_source.map(Into::into)
    }

    async fn given_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.given_by_id).await
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// An MQL waiting for sales: when it was handed over and by when sales should accept it.
#[derive(SimpleObject, Clone)]
pub struct Handoff {
    pub assigned_at: DateTime<Utc>,
    pub accept_by: DateTime<Utc>,
    /// Still an MQL after `acceptBy`.
    pub overdue: bool,
}

/// One rule's share of a lead score.
#[derive(SimpleObject, Clone)]
pub struct ScoreLine {
    pub rule_name: String,
    /// The rule itself, for holders of `scoring.manage`.
    pub rule: Option<ScoringRule>,
    /// Points as they stand now, rounded (behaviour points have decayed since they were given).
    pub points: i32,
    /// Behaviour points (from touches, decaying) rather than fit points.
    pub behaviour: bool,
}

#[derive(InputObject)]
pub struct MoveLeadStageInput {
    pub stakeholder_id: ID,
    pub to: LeadStage,
    /// Required to reject an MQL, to disqualify and to recycle a lead sales had taken.
    pub reason_code: Option<ReasonCode>,
    pub note: Option<String>,
    /// With a move to MQL: the sales owner who should accept the lead.
    pub assign_owner_id: Option<ID>,
    pub expected_version: Option<i32>,
}

#[derive(SimpleObject)]
pub struct MoveLeadStagePayload {
    pub stakeholder: Option<Stakeholder>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct RecordLeadFeedbackInput {
    pub stakeholder_id: ID,
    pub rating: LeadRating,
    pub reason_code: Option<ReasonCode>,
    pub comment: Option<String>,
}

#[derive(SimpleObject)]
pub struct RecordLeadFeedbackPayload {
    pub feedback: Option<LeadFeedback>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct LeadMutation;

#[Object]
impl LeadMutation {
    /// Moves a lead through the waterfall: marketing qualifies (lead.qualify), sales accept or
    /// reject (lead.accept) and progress (lead.progress). Rejecting an MQL records POOR feedback.
    async fn move_lead_stage(
        &self,
        ctx: &Context<'_>,
        input: MoveLeadStageInput,
    ) -> async_graphql::Result<MoveLeadStagePayload> {
        let input = LeadMoveInput {
            stakeholder_id: node::decode_as(&input.stakeholder_id, NodeKind::Stakeholder),
            to: input.to.into(),
            reason_code: input.reason_code.map(Into::into),
            note: input.note,
            assign_owner_id: reference(input.assign_owner_id.as_ref(), NodeKind::User),
            expected_version: input.expected_version,
        };
        let (stakeholder, user_errors) = payload(service::move_lead(db(ctx)?, principal(ctx)?, input).await)?;
        Ok(MoveLeadStagePayload {
            stakeholder: stakeholder.map(Stakeholder),
            user_errors,
        })
    }

    /// Sales' word on a lead, any rating.
    async fn record_lead_feedback(
        &self,
        ctx: &Context<'_>,
        input: RecordLeadFeedbackInput,
    ) -> async_graphql::Result<RecordLeadFeedbackPayload> {
        let input = NewFeedback {
            stakeholder_id: node::decode_as(&input.stakeholder_id, NodeKind::Stakeholder),
            rating: input.rating.into(),
            reason_code: input.reason_code.map(Into::into),
            comment: input.comment,
        };
        let (feedback, user_errors) =
            payload(service::record_feedback(db(ctx)?, principal(ctx)?, input).await)?;
        Ok(RecordLeadFeedbackPayload {
            feedback: feedback.map(LeadFeedback),
            user_errors,
        })
    }
}
