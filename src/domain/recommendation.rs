//! What to send to whom next on a deal: the pure rules of `recommendations`. The service reads
//! the facts (the participants, the deal's open risks and competitors, the tags of published
//! content, who already engaged with what); these rules decide which content is recommended to
//! whom, with which reasons, its score and the order.
//!
//! The score is the sum of the weights of the reasons: answering an open risk of the deal weighs
//! most (a risk left unanswered can lose the deal), a battlecard for a competitor on the deal
//! next, and each fit with the person (their role on the deal, their buying stage on it, their
//! persona) the same, so fits rank by how many match. NOTHING_SENT_YET adds nothing to the score:
//! it puts the person first among equal scores.

use std::collections::{BTreeMap, HashMap, HashSet};

use entity::enums::{BuyingRole, BuyingStage};
use uuid::Uuid;

/// Why a piece of content is recommended to a person, in the order reasons are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    AnswersOpenRisk,
    CompetitorOnDeal,
    RoleMatch,
    StageMatch,
    PersonaMatch,
    NothingSentYet,
}

impl Reason {
    /// The points a reason adds to the score.
    pub const fn weight(self) -> i32 {
        match self {
            Self::AnswersOpenRisk => 40,
            Self::CompetitorOnDeal => 30,
            Self::RoleMatch | Self::StageMatch | Self::PersonaMatch => 10,
            Self::NothingSentYet => 0,
        }
    }
}

/// The largest `first` of a list of recommendations.
pub const MAX_FIRST: i32 = 100;

/// `first` of a list of recommendations: 1 to 100, else the message of a BAD_USER_INPUT.
pub fn check_first(first: i32) -> Result<usize, String> {
    if (1..=MAX_FIRST).contains(&first) {
        Ok(first as usize)
    } else {
        Err(format!("first must be 1 to {MAX_FIRST}"))
    }
}

/// A person on a deal, as recommendations see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub opportunity_id: Uuid,
    pub stakeholder_id: Uuid,
    /// Their role on this deal.
    pub role: BuyingRole,
    /// Their buying stage on this deal.
    pub stage: BuyingStage,
    pub persona_id: Option<Uuid>,
}

/// What a deal asks content to answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DealNeeds {
    /// Content that answers an open risk of the deal.
    pub answers: HashSet<Uuid>,
    /// The competitors on the deal, as [`competitor_key`]s.
    pub competitors: HashSet<String>,
}

/// The tags of one published piece of content (only those that can match matter).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContentTags {
    pub roles: Vec<BuyingRole>,
    pub stages: Vec<BuyingStage>,
    pub personas: Vec<Uuid>,
    /// As [`competitor_key`]s.
    pub competitors: Vec<String>,
}

/// A competitor's name as it is compared: trimmed, in lower case ("Globex" is " globex ").
pub fn competitor_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Who engaged with what: every (stakeholder, content) pair touched, and everyone touched at all.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    pub pairs: HashSet<(Uuid, Uuid)>,
    pub people: HashSet<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recommendation {
    pub stakeholder_id: Uuid,
    pub content_id: Uuid,
    pub score: i32,
    /// In [`Reason`] order, each once.
    pub reasons: Vec<Reason>,
}

impl Recommendation {
    fn new(stakeholder_id: Uuid, content_id: Uuid, mut reasons: Vec<Reason>) -> Self {
        reasons.sort();
        reasons.dedup();
        Self {
            stakeholder_id,
            content_id,
            score: reasons.iter().map(|r| r.weight()).sum(),
            reasons,
        }
    }

    fn nothing_sent_yet(&self) -> bool {
        self.reasons.contains(&Reason::NothingSentYet)
    }
}

/// Why `content` would go to `person` on their deal; empty when it would not (it neither
/// answers the deal nor fits the person). NOTHING_SENT_YET is the caller's to add.
pub fn reasons(person: &Participant, needs: &DealNeeds, content_id: Uuid, tags: &ContentTags) -> Vec<Reason> {
    let mut out = Vec::new();
    if needs.answers.contains(&content_id) {
        out.push(Reason::AnswersOpenRisk);
    }
    if tags.competitors.iter().any(|c| needs.competitors.contains(c)) {
        out.push(Reason::CompetitorOnDeal);
    }
    if tags.roles.contains(&person.role) {
        out.push(Reason::RoleMatch);
    }
    if tags.stages.contains(&person.stage) {
        out.push(Reason::StageMatch);
    }
    if person.persona_id.is_some_and(|p| tags.personas.contains(&p)) {
        out.push(Reason::PersonaMatch);
    }
    out
}

/// Every recommendation for every participant: each published content with a reason, except
/// what that person already engaged with. `needs` is keyed by opportunity.
pub fn recommend(
    participants: &[Participant],
    needs: &HashMap<Uuid, DealNeeds>,
    contents: &BTreeMap<Uuid, ContentTags>,
    seen: &Seen,
) -> Vec<(Uuid, Recommendation)> {
    let none = DealNeeds::default();
    let mut out = Vec::new();
    for person in participants {
        let deal = needs.get(&person.opportunity_id).unwrap_or(&none);
        let fresh = !seen.people.contains(&person.stakeholder_id);
        for (content_id, tags) in contents {
            if seen.pairs.contains(&(person.stakeholder_id, *content_id)) {
                continue;
            }
            let mut why = reasons(person, deal, *content_id, tags);
            if why.is_empty() {
                continue;
            }
            if fresh {
                why.push(Reason::NothingSentYet);
            }
            out.push((
                person.opportunity_id,
                Recommendation::new(person.stakeholder_id, *content_id, why),
            ));
        }
    }
    out
}

/// One recommendation per (person, content): a person on several deals gets a content once,
/// with the reasons of every deal it was chosen on, scored on them all.
pub fn merge(recommendations: impl IntoIterator<Item = Recommendation>) -> Vec<Recommendation> {
    let mut by_pair: BTreeMap<(Uuid, Uuid), Vec<Reason>> = BTreeMap::new();
    for r in recommendations {
        by_pair
            .entry((r.stakeholder_id, r.content_id))
            .or_default()
            .extend(r.reasons);
    }
    by_pair
        .into_iter()
        .map(|((person, content), reasons)| Recommendation::new(person, content, reasons))
        .collect()
}

/// Highest score first; at equal score people who were sent nothing yet first; then by
/// stakeholder, then by content id. Keeps the first `first`.
pub fn rank(mut recommendations: Vec<Recommendation>, first: usize) -> Vec<Recommendation> {
    recommendations.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| b.nothing_sent_yet().cmp(&a.nothing_sent_yet()))
            .then_with(|| a.stakeholder_id.cmp(&b.stakeholder_id))
            .then_with(|| a.content_id.cmp(&b.content_id))
    });
    recommendations.truncate(first);
    recommendations
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn person(n: u128, role: BuyingRole, stage: BuyingStage, persona: Option<u128>) -> Participant {
        Participant {
            opportunity_id: id(100),
            stakeholder_id: id(n),
            role,
            stage,
            persona_id: persona.map(id),
        }
    }

    fn needs(answers: &[u128], competitors: &[&str]) -> HashMap<Uuid, DealNeeds> {
        [(
            id(100),
            DealNeeds {
                answers: answers.iter().map(|n| id(*n)).collect(),
                competitors: competitors.iter().map(|c| competitor_key(c)).collect(),
            },
        )]
        .into()
    }

    fn tags(
        roles: &[BuyingRole],
        stages: &[BuyingStage],
        personas: &[u128],
        competitors: &[&str],
    ) -> ContentTags {
        ContentTags {
            roles: roles.to_vec(),
            stages: stages.to_vec(),
            personas: personas.iter().map(|n| id(*n)).collect(),
            competitors: competitors.iter().map(|c| competitor_key(c)).collect(),
        }
    }

    #[test]
    fn content_answering_an_open_risk_goes_to_everyone_on_the_deal() {
        let people = [
            person(1, BuyingRole::Champion, BuyingStage::Unaware, None),
            person(2, BuyingRole::EndUser, BuyingStage::Unaware, None),
        ];
        let contents: BTreeMap<Uuid, ContentTags> = [(id(50), ContentTags::default())].into();
        let recs = recommend(&people, &needs(&[50], &[]), &contents, &Seen::default());
        assert_eq!(recs.len(), 2);
        for (deal, r) in &recs {
            assert_eq!(*deal, id(100));
            assert_eq!(r.reasons, vec![Reason::AnswersOpenRisk, Reason::NothingSentYet]);
            assert_eq!(r.score, 40);
        }
    }

    #[test]
    fn a_battlecard_matches_a_competitor_on_the_deal_whatever_its_case() {
        let people = [person(1, BuyingRole::Champion, BuyingStage::Unaware, None)];
        let contents: BTreeMap<Uuid, ContentTags> = [
            (id(50), tags(&[], &[], &[], &[" GLOBEX"])),
            (id(51), tags(&[], &[], &[], &["Initech"])),
        ]
        .into();
        let recs = recommend(&people, &needs(&[], &["Globex"]), &contents, &Seen::default());
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].1.content_id, id(50));
        assert_eq!(recs[0].1.score, 30);
    }

    #[test]
    fn fits_with_the_person_rank_by_how_many_match() {
        let people = [person(
            1,
            BuyingRole::Champion,
            BuyingStage::SolutionExploration,
            Some(9),
        )];
        let contents: BTreeMap<Uuid, ContentTags> = [
            (id(50), tags(&[BuyingRole::Champion], &[], &[], &[])),
            (
                id(51),
                tags(
                    &[BuyingRole::Champion],
                    &[BuyingStage::SolutionExploration],
                    &[9],
                    &[],
                ),
            ),
            (
                id(52),
                tags(&[BuyingRole::Blocker], &[BuyingStage::Unaware], &[8], &[]),
            ),
        ]
        .into();
        let mut seen = Seen::default();
        seen.people.insert(id(1));
        let recs: Vec<Recommendation> = recommend(&people, &needs(&[], &[]), &contents, &seen)
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        let ranked = rank(recs, 10);
        assert_eq!(ranked.len(), 2, "content that fits nothing is not recommended");
        assert_eq!(ranked[0].content_id, id(51));
        assert_eq!(
            ranked[0].reasons,
            vec![Reason::RoleMatch, Reason::StageMatch, Reason::PersonaMatch]
        );
        assert_eq!((ranked[0].score, ranked[1].score), (30, 10));
    }

    #[test]
    fn what_a_person_already_engaged_with_is_never_recommended_to_them() {
        let people = [
            person(1, BuyingRole::Champion, BuyingStage::Unaware, None),
            person(2, BuyingRole::Champion, BuyingStage::Unaware, None),
        ];
        let contents: BTreeMap<Uuid, ContentTags> = [(id(50), ContentTags::default())].into();
        let mut seen = Seen::default();
        seen.pairs.insert((id(1), id(50)));
        seen.people.insert(id(1));
        let recs = recommend(&people, &needs(&[50], &[]), &contents, &seen);
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].1.stakeholder_id, id(2));
    }

    #[test]
    fn people_sent_nothing_yet_come_first_at_equal_score_then_by_ids() {
        let r = |person: u128, content: u128, reasons: Vec<Reason>| {
            Recommendation::new(id(person), id(content), reasons)
        };
        let ranked = rank(
            vec![
                r(1, 51, vec![Reason::RoleMatch]),
                r(1, 50, vec![Reason::RoleMatch]),
                r(3, 50, vec![Reason::RoleMatch, Reason::NothingSentYet]),
                r(2, 50, vec![Reason::CompetitorOnDeal]),
            ],
            10,
        );
        let order: Vec<(Uuid, Uuid)> = ranked.iter().map(|r| (r.stakeholder_id, r.content_id)).collect();
        assert_eq!(
            order,
            vec![(id(2), id(50)), (id(3), id(50)), (id(1), id(50)), (id(1), id(51))]
        );
        assert_eq!(rank(ranked, 2).len(), 2, "only the first `first` are kept");
    }

    #[test]
    fn a_person_on_two_deals_gets_a_content_once_with_the_reasons_of_both() {
        let merged = merge([
            Recommendation::new(id(1), id(50), vec![Reason::RoleMatch]),
            Recommendation::new(id(1), id(50), vec![Reason::AnswersOpenRisk, Reason::RoleMatch]),
            Recommendation::new(id(1), id(51), vec![Reason::StageMatch]),
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!(
            merged[0].reasons,
            vec![Reason::AnswersOpenRisk, Reason::RoleMatch]
        );
        assert_eq!(merged[0].score, 50);
    }

    #[test]
    fn first_is_one_to_a_hundred() {
        assert!(check_first(0).is_err());
        assert!(check_first(101).is_err());
        assert_eq!(check_first(5), Ok(5));
    }
}
