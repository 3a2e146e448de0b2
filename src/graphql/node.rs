//! Global object identification: opaque IDs, the `Node` interface, `node` and `nodes`.
//!
//! An ID is the URL-safe base64 of `Kind:uuid`. Clients must treat it as opaque; the encoding
//! lets the server route a refetch to the right table without a lookup table of its own.

use std::collections::HashMap;

use async_graphql::{Context, ID, Interface, Object};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use uuid::Uuid;

use crate::{
    error::AppError,
    graphql::{
        account::Account,
        content::Content,
        db,
        deal::{DealParticipant, DealRisk},
        engagement::Engagement,
        event::Event,
        identity::{ApiToken, Role, User},
        lead::LeadFeedback,
        opportunity::Opportunity,
        persona::Persona,
        principal,
        scoring::ScoringRule,
        stage::{BuyingStageChange, LeadStageChange, OpportunityStageChange, StageChange, stage_change},
        stakeholder::Stakeholder,
    },
    service,
};

/// The kinds of object a global ID can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeKind {
    Account,
    Persona,
    User,
    Role,
    ApiToken,
    Stakeholder,
    Opportunity,
    DealParticipant,
    DealRisk,
    Content,
    Engagement,
    StageChange,
    LeadFeedback,
    ScoringRule,
    Event,
}

impl NodeKind {
    const ALL: [NodeKind; 15] = [
        Self::Account,
        Self::Persona,
        Self::User,
        Self::Role,
        Self::ApiToken,
        Self::Stakeholder,
        Self::Opportunity,
        Self::DealParticipant,
        Self::DealRisk,
        Self::Content,
        Self::Engagement,
        Self::StageChange,
        Self::LeadFeedback,
        Self::ScoringRule,
        Self::Event,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::Account => "Account",
            Self::Persona => "Persona",
            Self::User => "User",
            Self::Role => "Role",
            Self::ApiToken => "ApiToken",
            Self::Stakeholder => "Stakeholder",
            Self::Opportunity => "Opportunity",
            Self::DealParticipant => "DealParticipant",
            Self::DealRisk => "DealRisk",
            Self::Content => "Content",
            Self::Engagement => "Engagement",
            Self::StageChange => "StageChange",
            Self::LeadFeedback => "LeadFeedback",
            Self::ScoringRule => "ScoringRule",
            Self::Event => "Event",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Encodes the global ID of a row.
pub fn encode(kind: NodeKind, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{}", kind.as_str(), id.as_hyphenated())))
}

/// The global ID of a record of the kind named `kind` (as an event names its subject): the
/// same encoding, also for kinds that are no node (`ScoringSettings`).
pub fn encode_named(kind: &str, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{kind}:{}", id.as_hyphenated())))
}

/// Decodes any global ID; `None` for text that is not one of ours.
pub fn decode(raw: &str) -> Option<(NodeKind, Uuid)> {
    let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let (kind, id) = text.split_once(':')?;
    Some((NodeKind::parse(kind)?, Uuid::parse_str(id).ok()?))
}

/// Decodes a global ID that must name a `kind`; `None` when it names something else.
pub fn decode_as(raw: &str, kind: NodeKind) -> Option<Uuid> {
    decode(raw).filter(|(k, _)| *k == kind).map(|(_, id)| id)
}

/// An object with a global ID that `node(id:)` can refetch.
#[derive(Interface, Clone)]
#[graphql(field(name = "id", ty = "ID", desc = "The opaque global ID of the object."))]
pub enum Node {
    Account(Account),
    Persona(Persona),
    User(User),
    Role(Role),
    ApiToken(ApiToken),
    Stakeholder(Stakeholder),
    Opportunity(Opportunity),
    DealParticipant(DealParticipant),
    DealRisk(DealRisk),
    Content(Content),
    Engagement(Engagement),
    LeadStageChange(LeadStageChange),
    OpportunityStageChange(OpportunityStageChange),
    BuyingStageChange(BuyingStageChange),
    ScoringRule(ScoringRule),
    LeadFeedback(LeadFeedback),
    Event(Event),
}

/// The most IDs one `nodes` call takes.
pub const MAX_NODES: usize = 100;

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Refetches any object by its global ID; null when it does not exist (or is not yours to see).
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        Ok(load(ctx, std::slice::from_ref(&id)).await?.pop().flatten())
    }

    /// Refetches up to 100 objects, in the order asked; null where one does not exist.
    // Costed as a list of its IDs, as a page is: before, the 100 IDs cost what one did, so a
    // deep selection under them passed the complexity limit with a hundredth of its cost.
    #[graphql(complexity = "super::list_complexity(ids.len().min(MAX_NODES), child_complexity)")]
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> async_graphql::Result<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(AppError::BadUserInput(format!(
                "`ids` takes at most {MAX_NODES} IDs, got {}",
                ids.len()
            ))
            .into());
        }
        Ok(load(ctx, &ids).await?)
    }
}

/// Loads the objects behind `ids` with one statement per kind, keeping the caller's order. What
/// the caller may not read is left out by the services' finders, so it answers like a missing ID.
async fn load(ctx: &Context<'_>, ids: &[ID]) -> Result<Vec<Option<Node>>, AppError> {
    let p = principal(ctx)?;
    let db = db(ctx)?;
    let decoded: Vec<Option<(NodeKind, Uuid)>> = ids.iter().map(|id| decode(id.as_str())).collect();
    let of_kind = |kind: NodeKind| -> Vec<Uuid> {
        decoded
            .iter()
            .flatten()
            .filter(|(k, _)| *k == kind)
            .map(|(_, id)| *id)
            .collect()
    };
    let mut found: HashMap<(NodeKind, Uuid), Node> = HashMap::new();
    for m in service::account::find_many(db, p, &of_kind(NodeKind::Account)).await? {
        found.insert((NodeKind::Account, m.id), Node::Account(Account(m)));
    }
    for m in service::stakeholder::find_many(db, p, &of_kind(NodeKind::Stakeholder)).await? {
        found.insert((NodeKind::Stakeholder, m.id), Node::Stakeholder(Stakeholder(m)));
    }
    for m in service::opportunity::find_many(db, p, &of_kind(NodeKind::Opportunity)).await? {
        found.insert((NodeKind::Opportunity, m.id), Node::Opportunity(Opportunity(m)));
    }
    for m in service::deal::find_participants(db, p, &of_kind(NodeKind::DealParticipant)).await? {
        found.insert(
            (NodeKind::DealParticipant, m.id),
            Node::DealParticipant(DealParticipant(m)),
        );
    }
    for m in service::deal::find_risks(db, p, &of_kind(NodeKind::DealRisk)).await? {
        found.insert((NodeKind::DealRisk, m.id), Node::DealRisk(DealRisk(m)));
    }
    for m in service::content::find_many(db, p, &of_kind(NodeKind::Content)).await? {
        found.insert((NodeKind::Content, m.id), Node::Content(Content(m)));
    }
    for m in service::engagement::find_many(db, p, &of_kind(NodeKind::Engagement)).await? {
        found.insert((NodeKind::Engagement, m.id), Node::Engagement(Engagement(m)));
    }
    for m in service::history::find_many(db, p, &of_kind(NodeKind::StageChange)).await? {
        let node = match stage_change(m.clone()) {
            StageChange::LeadStageChange(c) => Node::LeadStageChange(c),
            StageChange::OpportunityStageChange(c) => Node::OpportunityStageChange(c),
            StageChange::BuyingStageChange(c) => Node::BuyingStageChange(c),
        };
        found.insert((NodeKind::StageChange, m.id), node);
    }
    for m in service::lead::find_feedback(db, p, &of_kind(NodeKind::LeadFeedback)).await? {
        found.insert(
            (NodeKind::LeadFeedback, m.id),
            Node::LeadFeedback(LeadFeedback(m)),
        );
    }
    for m in service::scoring::find_rules(db, p, &of_kind(NodeKind::ScoringRule)).await? {
        found.insert((NodeKind::ScoringRule, m.id), Node::ScoringRule(ScoringRule(m)));
    }
    for m in service::persona::find_many(db, p, &of_kind(NodeKind::Persona)).await? {
        found.insert((NodeKind::Persona, m.id), Node::Persona(Persona(m)));
    }
    for m in service::user::find_many(db, p, &of_kind(NodeKind::User)).await? {
        found.insert((NodeKind::User, m.id), Node::User(User::new(m)));
    }
    for m in service::role::find_many(db, p, &of_kind(NodeKind::Role)).await? {
        found.insert((NodeKind::Role, m.id), Node::Role(Role(m)));
    }
    for m in service::audit::find_many(db, p, &of_kind(NodeKind::Event)).await? {
        found.insert((NodeKind::Event, m.id), Node::Event(Event(m)));
    }
    for m in service::api_token::find_many(db, p, &of_kind(NodeKind::ApiToken)).await? {
        found.insert((NodeKind::ApiToken, m.id), Node::ApiToken(ApiToken(m)));
    }
    Ok(decoded
        .into_iter()
        .map(|key| key.and_then(|k| found.get(&k).cloned()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_round_trips() {
        let id = Uuid::now_v7();
        assert_eq!(
            decode(&encode(NodeKind::Persona, id)),
            Some((NodeKind::Persona, id))
        );
    }

    #[test]
    fn foreign_text_is_no_id() {
        assert_eq!(decode("hello"), None);
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode("Nope:1")), None);
    }

    #[test]
    fn an_id_of_another_kind_does_not_decode_as_this_kind() {
        let id = encode(NodeKind::Persona, Uuid::now_v7());
        assert!(decode_as(&id, NodeKind::Persona).is_some());
    }
}
