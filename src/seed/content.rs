//! The content library: items with their tags, and the pools engagements and risks draw from.

use chrono::Datelike;
use entity::{
    content::{self, ContentKind, ContentStatus},
    content_tag,
    deal_risk::RiskKind,
    enums::{BuyingRole, BuyingStage},
};
use sea_orm::{ActiveEnum, Iterable};
use uuid::Uuid;

use super::{
    rng::{DAY_MS, HOUR_MS, Rng, at},
    words,
    world::stream,
};

/// The content rows, ready to insert.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContentRows {
    pub items: Vec<content::Model>,
    pub buying_stages: Vec<content_tag::buying_stage::Model>,
    pub personas: Vec<content_tag::persona::Model>,
    pub buying_roles: Vec<content_tag::buying_role::Model>,
    pub topics: Vec<content_tag::topic::Model>,
    pub competitors: Vec<content_tag::competitor::Model>,
}

/// Published items ordered by publication time, to pick one a buyer could have seen at a time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TimedPool(Vec<(i64, Uuid)>);

impl TimedPool {
    fn push(&mut self, ms: i64, id: Uuid) {
        self.0.push((ms, id));
    }

    fn sort(&mut self) {
        self.0.sort_unstable();
    }

    /// An item published at or before `ms`, if any.
    pub fn pick_before(&self, rng: &mut Rng, ms: i64) -> Option<Uuid> {
        let n = self.0.partition_point(|(t, _)| *t <= ms);
        (n > 0).then(|| self.0[rng.index(n)].1)
    }
}

/// The content library of one seed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Library {
    pub rows: ContentRows,
    /// Everything published: what buyers view, download and are sent.
    pub published: TimedPool,
    pub webinars: TimedPool,
    /// Battlecards by position in [`words::COMPETITORS`].
    pub battlecards: Vec<TimedPool>,
    /// Case studies, ROI calculators and whitepapers: answers to "do nothing", budget and the rest.
    pub proof: TimedPool,
}

const KINDS: [(ContentKind, u32); 14] = [
    (ContentKind::BlogPost, 22),
    (ContentKind::Video, 8),
    (ContentKind::Ebook, 7),
    (ContentKind::Whitepaper, 7),
    (ContentKind::Webinar, 10),
    (ContentKind::Infographic, 4),
    (ContentKind::CaseStudy, 10),
    (ContentKind::Battlecard, 8),
    (ContentKind::Presentation, 5),
    (ContentKind::Demo, 5),
    (ContentKind::Pricing, 2),
    (ContentKind::RoiCalculator, 3),
    (ContentKind::EmailTemplate, 7),
    (ContentKind::Other, 2),
];

/// The buying stages a kind of content usually serves.
fn stages_for(kind: ContentKind) -> &'static [BuyingStage] {
    use BuyingStage::*;
    match kind {
        ContentKind::BlogPost | ContentKind::Video | ContentKind::Infographic => {
            &[Unaware, ProblemIdentification, SolutionExploration]
        }
        ContentKind::Ebook | ContentKind::Whitepaper | ContentKind::Webinar => {
            &[ProblemIdentification, SolutionExploration, RequirementsBuilding]
        }
        ContentKind::CaseStudy | ContentKind::Demo | ContentKind::Battlecard => {
            &[RequirementsBuilding, SupplierSelection, Validation]
        }
        ContentKind::Pricing | ContentKind::RoiCalculator => &[Validation, ConsensusCreation, Committed],
        ContentKind::Presentation | ContentKind::EmailTemplate | ContentKind::Other => {
            &[SolutionExploration, SupplierSelection, ConsensusCreation]
        }
    }
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

const AUDIENCES: [&str; 5] = [
    "revenue teams",
    "marketing leaders",
    "sales managers",
    "RevOps",
    "CFOs",
];

fn title(rng: &mut Rng, kind: ContentKind, topic: &str, competitor: &str, year: i32) -> String {
    let t = capitalized(topic);
    let audience = rng.pick(&AUDIENCES);
    match kind {
        ContentKind::BlogPost => match rng.below(3) {
            0 => format!("{} ways to get more from {topic}", rng.range(3, 12)),
            1 => format!("What {audience} get wrong about {topic}"),
            _ => format!("{t}: a field guide for {audience}"),
        },
        ContentKind::Video => format!("{t} in five minutes"),
        ContentKind::Ebook => format!("The complete guide to {topic}"),
        ContentKind::Whitepaper => format!("{t}: a framework for {audience}"),
        ContentKind::Webinar => format!("Live: {topic} in {year}"),
        ContentKind::Infographic => format!("{t} by the numbers"),
        ContentKind::CaseStudy => {
            let company = format!("{}{}", rng.pick(&words::NAME_HEADS), rng.pick(&words::NAME_TAILS));
            format!("How {company} improved {topic} by {}%", rng.range(12, 68))
        }
        ContentKind::Battlecard => format!("Trapeze vs {competitor}"),
        ContentKind::Presentation => format!("{t}: executive briefing"),
        ContentKind::Demo => format!("Product tour: {topic}"),
        ContentKind::Pricing => format!("Pricing and packaging {year}"),
        ContentKind::RoiCalculator => format!("{t} ROI calculator"),
        ContentKind::EmailTemplate => format!("Follow-up email: {topic}"),
        ContentKind::Other => format!("{t} checklist"),
    }
}

impl Library {
    /// Generates `count` items; content is owned by the marketing users and tagged with
    /// `personas`.
    pub fn generate(seed: u64, count: u64, marketing: &[Uuid], personas: &[Uuid], now: i64) -> Self {
        let mut lib = Library {
            battlecards: vec![TimedPool::default(); words::COMPETITORS.len()],
            ..Library::default()
        };
        let roles: Vec<BuyingRole> = BuyingRole::iter().filter(|r| *r != BuyingRole::Unknown).collect();
        for i in 0..count {
            let mut rng = Rng::stream(seed, stream::CONTENT, i);
            let created = now - 740 * DAY_MS + rng.below(735 * DAY_MS as u64) as i64;
            let id = rng.uuid_v7(created);
            let kind = rng.weighted(&KINDS);
            let status = rng.weighted(&[
                (ContentStatus::Published, 80),
                (ContentStatus::Draft, 12),
                (ContentStatus::Archived, 8),
            ]);
            let n = 1 + rng.index(3);
            let topic_ix = rng.sample(words::TOPICS.len(), n);
            let competitor_ix = rng.index(words::COMPETITORS.len());
            let topic = words::TOPICS[topic_ix[0]];
            let competitor = words::COMPETITORS[competitor_ix];
            let year = at(created).year();
            let title = title(&mut rng, kind, topic, competitor, year);
            let published = (status != ContentStatus::Draft)
                .then(|| (created + rng.range(HOUR_MS, 20 * DAY_MS)).min(now - HOUR_MS));
            let archived = (status == ContentStatus::Archived)
                .then(|| published.map(|p| (p + rng.range(30 * DAY_MS, 300 * DAY_MS)).min(now)))
                .flatten();
            let updated = archived.or(published).unwrap_or(created).max(created);
            let url = (status != ContentStatus::Draft || rng.chance(0.5)).then(|| {
                format!(
                    "https://www.trapeze.dev/resources/{}-{}",
                    words::kebab(&title),
                    i + 1
                )
            });
            let audience = rng.pick(&AUDIENCES);
            lib.rows.items.push(content::Model {
                id,
                title,
                kind,
                url,
                summary: Some(format!(
                    "A {} on {topic} for {audience}.",
                    kind.to_value().to_lowercase().replace('_', " ")
                )),
                status,
                owner_id: rng.pick_opt(marketing).filter(|_| rng.chance(0.95)),
                published_at: published.map(at),
                created_at: at(created),
                updated_at: at(updated),
                archived_at: archived.map(at),
                version: 1,
            });
            let stages = stages_for(kind);
            let n = 1 + rng.index(2);
            for s in rng.sample(stages.len(), n) {
                lib.rows.buying_stages.push(content_tag::buying_stage::Model {
                    content_id: id,
                    value: stages[s],
                });
            }
            let n = rng.index(3);
            for p in rng.sample(personas.len(), n) {
                lib.rows.personas.push(content_tag::persona::Model {
                    content_id: id,
                    value: personas[p],
                });
            }
            let n = rng.index(3);
            for r in rng.sample(roles.len(), n) {
                lib.rows.buying_roles.push(content_tag::buying_role::Model {
                    content_id: id,
                    value: roles[r],
                });
            }
            for t in &topic_ix {
                lib.rows.topics.push(content_tag::topic::Model {
                    content_id: id,
                    value: words::TOPICS[*t].to_owned(),
                });
            }
            let names_competitor =
                kind == ContentKind::Battlecard || (kind == ContentKind::CaseStudy && rng.chance(0.2));
            if names_competitor {
                lib.rows.competitors.push(content_tag::competitor::Model {
                    content_id: id,
                    value: competitor.to_owned(),
                });
            }
            if let (ContentStatus::Published, Some(p)) = (status, published) {
                lib.published.push(p, id);
                match kind {
                    ContentKind::Webinar => lib.webinars.push(p, id),
                    ContentKind::Battlecard => lib.battlecards[competitor_ix].push(p, id),
                    ContentKind::CaseStudy | ContentKind::RoiCalculator | ContentKind::Whitepaper => {
                        lib.proof.push(p, id)
                    }
                    _ => {}
                }
            }
        }
        lib.published.sort();
        lib.webinars.sort();
        lib.proof.sort();
        lib.battlecards.iter_mut().for_each(TimedPool::sort);
        lib
    }

    /// Content that answers a risk raised at `ms`, if the library has some.
    pub fn answer(&self, rng: &mut Rng, kind: RiskKind, competitor: Option<usize>, ms: i64) -> Option<Uuid> {
        match (kind, competitor) {
            (RiskKind::Competitor, Some(c)) => self.battlecards.get(c)?.pick_before(rng, ms),
            _ => self.proof.pick_before(rng, ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::seed::rng::TEST_NOW_MS;

    fn personas() -> Vec<Uuid> {
        (1..=4u128).map(Uuid::from_u128).collect()
    }

    #[test]
    fn one_seed_gives_one_library() {
        let a = Library::generate(1, 200, &[Uuid::from_u128(9)], &personas(), TEST_NOW_MS);
        let b = Library::generate(1, 200, &[Uuid::from_u128(9)], &personas(), TEST_NOW_MS);
        let c = Library::generate(2, 200, &[Uuid::from_u128(9)], &personas(), TEST_NOW_MS);
        assert_eq!(a, b);
        assert_ne!(a.rows, c.rows);
        assert_eq!(a.rows.items.len(), 200);
    }

    #[test]
    fn tags_are_distinct_per_item_and_refer_to_items() {
        let lib = Library::generate(3, 500, &[], &personas(), TEST_NOW_MS);
        let ids: HashSet<Uuid> = lib.rows.items.iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), 500);
        let stages: Vec<(Uuid, String)> = lib
            .rows
            .buying_stages
            .iter()
            .map(|t| (t.content_id, format!("{:?}", t.value)))
            .collect();
        let topics: Vec<(Uuid, String)> = lib
            .rows
            .topics
            .iter()
            .map(|t| (t.content_id, t.value.clone()))
            .collect();
        for tags in [stages, topics] {
            let set: HashSet<_> = tags.iter().cloned().collect();
            assert_eq!(set.len(), tags.len());
            assert!(tags.iter().all(|(id, _)| ids.contains(id)));
        }
        assert!(lib.rows.personas.iter().all(|p| personas().contains(&p.value)));
    }

    #[test]
    fn dates_follow_the_status() {
        let lib = Library::generate(4, 500, &[], &[], TEST_NOW_MS);
        for c in &lib.rows.items {
            assert_eq!(c.published_at.is_some(), c.status != ContentStatus::Draft);
            assert_eq!(c.archived_at.is_some(), c.status == ContentStatus::Archived);
            assert!(c.created_at <= c.updated_at && c.updated_at <= at(TEST_NOW_MS));
            assert!(c.published_at.is_none_or(|p| p >= c.created_at));
        }
    }

    #[test]
    fn a_pool_only_offers_what_was_already_published() {
        let lib = Library::generate(5, 300, &[], &[], TEST_NOW_MS);
        let mut rng = Rng::new(1);
        assert_eq!(lib.published.pick_before(&mut rng, 0), None);
        let first = lib.published.0[0].0;
        for _ in 0..50 {
            let id = lib.published.pick_before(&mut rng, first + 30 * DAY_MS);
            let item = lib.rows.items.iter().find(|c| Some(c.id) == id);
            assert!(item.is_some_and(|c| c.published_at.is_some_and(|p| p <= at(first + 30 * DAY_MS))));
        }
    }
}
