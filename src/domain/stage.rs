//! The three state machines: the lead waterfall, the opportunity pipeline and the buying stage
//! of a stakeholder on one deal. Pure: the services ask whether a move is allowed, with which
//! permission and whether it needs a reason, then write it and its history.

use entity::{enums::BuyingStage, enums::LeadStage, opportunity::OpportunityStage};

use crate::{
    domain::{opportunity::is_open, permission::Permission},
    error::{UserError, UserErrorCode},
};

/// What a lead move needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeadRule {
    pub permission: Permission,
    pub reason_required: bool,
}

fn invalid(field: &str, from: &str, to: &str) -> UserError {
    UserError::new(
        &[field],
        UserErrorCode::InvalidTransition,
        format!("a move from {from} to {to} is not allowed"),
    )
}

fn lead_name(stage: LeadStage) -> &'static str {
    match stage {
        LeadStage::Inquiry => "INQUIRY",
        LeadStage::Mql => "MQL",
        LeadStage::Sal => "SAL",
        LeadStage::Sql => "SQL",
        LeadStage::Opportunity => "OPPORTUNITY",
        LeadStage::Customer => "CUSTOMER",
        LeadStage::Nurture => "NURTURE",
        LeadStage::Disqualified => "DISQUALIFIED",
    }
}

/// A lead move by hand: marketing qualifies, sales accept or reject and progress.
/// OPPORTUNITY and CUSTOMER are reached only as consequences of deals.
pub fn lead_move(from: LeadStage, to: LeadStage) -> Result<LeadRule, UserError> {
    use LeadStage::*;
    let rule = |permission, reason_required| {
        Ok(LeadRule {
            permission,
            reason_required,
        })
    };
    match (from, to) {
        (Inquiry | Nurture, Mql) | (Inquiry, Nurture) => rule(Permission::LeadQualify, false),
        (Mql, Sal) => rule(Permission::LeadAccept, false),
        // Rejecting a marketing-qualified lead sends it back to marketing, with why.
        (Mql, Nurture) => rule(Permission::LeadAccept, true),
        (Sal, Sql) => rule(Permission::LeadProgress, false),
        // Recycling a lead sales had taken.
        (Sal | Sql, Nurture) => rule(Permission::LeadProgress, true),
        (Disqualified, Nurture) => rule(Permission::LeadProgress, false),
        (from, Disqualified) if from != Disqualified => rule(Permission::LeadProgress, true),
        _ => Err(invalid("to", lead_name(from), lead_name(to))),
    }
}

/// What an opportunity move needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpportunityRule {
    /// A closed deal reopens (or flips between won and lost) only with `opportunity.update` at ALL.
    pub reopens: bool,
    pub reason_required: bool,
}

fn opportunity_name(stage: OpportunityStage) -> &'static str {
    match stage {
        OpportunityStage::Discovery => "DISCOVERY",
        OpportunityStage::Qualification => "QUALIFICATION",
        OpportunityStage::Evaluation => "EVALUATION",
        OpportunityStage::Proposal => "PROPOSAL",
        OpportunityStage::Negotiation => "NEGOTIATION",
        OpportunityStage::ClosedWon => "CLOSED_WON",
        OpportunityStage::ClosedLost => "CLOSED_LOST",
    }
}

/// Any open stage to any other stage; a loss needs a reason; leaving a closed stage reopens.
pub fn opportunity_move(from: OpportunityStage, to: OpportunityStage) -> Result<OpportunityRule, UserError> {
    if from == to {
        return Err(invalid("to", opportunity_name(from), opportunity_name(to)));
    }
    Ok(OpportunityRule {
        reopens: !is_open(from),
        reason_required: to == OpportunityStage::ClosedLost,
    })
}

/// A buyer's own stage moves in any direction, but it has to move.
pub fn buying_move(from: BuyingStage, to: BuyingStage) -> Result<(), UserError> {
    if from == to {
        return Err(UserError::new(
            &["to"],
            UserErrorCode::InvalidTransition,
            "the participant is already in this buying stage",
        ));
    }
    Ok(())
}

/// The error for a move that needs a reason and has none.
pub fn reason_required() -> UserError {
    UserError::new(
        &["reasonCode"],
        UserErrorCode::ReasonRequired,
        "this move needs a reasonCode",
    )
}

/// Where a stakeholder's lead goes when they join an open deal: OPPORTUNITY, unless they are
/// already there or a customer.
pub fn on_joining_open_deal(current: LeadStage) -> Option<LeadStage> {
    (!matches!(current, LeadStage::Opportunity | LeadStage::Customer)).then_some(LeadStage::Opportunity)
}

/// Where a participant's lead goes when their deal is won: CUSTOMER.
pub fn on_deal_won(current: LeadStage) -> Option<LeadStage> {
    (current != LeadStage::Customer).then_some(LeadStage::Customer)
}

/// Where a participant's lead goes when their deal is lost and they are on no other open deal:
/// back to NURTURE (customers stay customers).
pub fn on_deal_lost(current: LeadStage, on_other_open_deal: bool) -> Option<LeadStage> {
    (!on_other_open_deal && !matches!(current, LeadStage::Nurture | LeadStage::Customer))
        .then_some(LeadStage::Nurture)
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::enums::LeadStage::*;
    use sea_orm::Iterable;

    /// Every allowed lead move, with its permission and whether it needs a reason.
    fn allowed() -> Vec<(LeadStage, LeadStage, Permission, bool)> {
        let mut moves = vec![
            (Inquiry, Mql, Permission::LeadQualify, false),
            (Nurture, Mql, Permission::LeadQualify, false),
            (Inquiry, Nurture, Permission::LeadQualify, false),
            (Mql, Sal, Permission::LeadAccept, false),
            (Mql, Nurture, Permission::LeadAccept, true),
            (Sal, Sql, Permission::LeadProgress, false),
            (Sal, Nurture, Permission::LeadProgress, true),
            (Sql, Nurture, Permission::LeadProgress, true),
            (Disqualified, Nurture, Permission::LeadProgress, false),
        ];
        for from in LeadStage::iter().filter(|s| *s != Disqualified) {
            moves.push((from, Disqualified, Permission::LeadProgress, true));
        }
        moves
    }

    #[test]
    fn every_lead_move_is_allowed_or_refused_as_the_catalog_says() {
        let allowed = allowed();
        for from in LeadStage::iter() {
            for to in LeadStage::iter() {
                let expected = allowed.iter().find(|(f, t, _, _)| *f == from && *t == to).map(
                    |(_, _, permission, reason_required)| LeadRule {
                        permission: *permission,
                        reason_required: *reason_required,
                    },
                );
                match (lead_move(from, to), expected) {
                    (Ok(rule), Some(expected)) => assert_eq!(rule, expected, "{from:?} -> {to:?}"),
                    (Err(e), None) => assert_eq!(e.code, UserErrorCode::InvalidTransition),
                    (got, expected) => panic!("{from:?} -> {to:?}: got {got:?}, expected {expected:?}"),
                }
            }
        }
    }

    #[test]
    fn every_opportunity_move_between_different_stages_is_allowed() {
        for from in OpportunityStage::iter() {
            for to in OpportunityStage::iter() {
                let got = opportunity_move(from, to);
                if from == to {
                    assert_eq!(got.unwrap_err().code, UserErrorCode::InvalidTransition);
                    continue;
                }
                let rule = got.unwrap();
                assert_eq!(rule.reopens, !is_open(from), "{from:?} -> {to:?}");
                assert_eq!(
                    rule.reason_required,
                    to == OpportunityStage::ClosedLost,
                    "{from:?} -> {to:?}"
                );
            }
        }
    }

    #[test]
    fn buying_stages_move_in_any_direction_but_must_move() {
        for from in BuyingStage::iter() {
            for to in BuyingStage::iter() {
                assert_eq!(buying_move(from, to).is_ok(), from != to, "{from:?} -> {to:?}");
            }
        }
    }

    #[test]
    fn joining_an_open_deal_makes_a_lead_an_opportunity_unless_further() {
        assert_eq!(on_joining_open_deal(Sql), Some(Opportunity));
        assert_eq!(on_joining_open_deal(Inquiry), Some(Opportunity));
        assert_eq!(on_joining_open_deal(Opportunity), None);
        assert_eq!(on_joining_open_deal(Customer), None);
    }

    #[test]
    fn closing_moves_participants() {
        assert_eq!(on_deal_won(Opportunity), Some(Customer));
        assert_eq!(on_deal_won(Customer), None);
        assert_eq!(on_deal_lost(Opportunity, false), Some(Nurture));
        assert_eq!(on_deal_lost(Opportunity, true), None);
        assert_eq!(on_deal_lost(Customer, false), None);
    }
}
