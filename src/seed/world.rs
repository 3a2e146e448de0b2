//! What every account's rows are generated from: the seed, the size, the users and personas
//! that rows refer to, and the content library.

use uuid::Uuid;

use super::{
    content::Library,
    rng::{HOUR_MS, Rng},
    scoring::{self, Scoring},
    words,
};

/// How much data to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Size {
    /// About 50 accounts: a demo that loads in a second.
    Small,
    /// About 20,000 accounts and 4.5 million rows in all, history included.
    Medium,
    /// Five times medium.
    Large,
}

/// The counts behind a [`Size`]; every per-account count is a mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    pub accounts: u64,
    /// People on an account without deals (accounts with deals have a buying committee of 4 to
    /// 15 and a few leads around it).
    pub leads_per_prospect: i64,
    pub opportunities_per_account: i64,
    pub engagements_per_stakeholder: i64,
    /// Risks per hundred opportunities.
    pub risks_per_hundred_opportunities: u32,
    pub content: u64,
}

impl Size {
    pub fn plan(self) -> Plan {
        let medium = Plan {
            accounts: 20_000,
            leads_per_prospect: 3,
            opportunities_per_account: 6,
            engagements_per_stakeholder: 3,
            risks_per_hundred_opportunities: 25,
            content: 2_000,
        };
        match self {
            Size::Small => Plan {
                accounts: 50,
                opportunities_per_account: 2,
                content: 40,
                ..medium
            },
            Size::Medium => medium,
            Size::Large => Plan {
                accounts: 100_000,
                content: 10_000,
                ..medium
            },
        }
    }
}

/// Kinds of random streams; each generated item draws from its own (seed, kind, index) stream.
pub mod stream {
    pub const ACCOUNT: u64 = 1;
    pub const CONTENT: u64 = 2;
    pub const PERSONA: u64 = 3;
    pub const USER: u64 = 4;
    pub const NAMES: u64 = 5;
    pub const RULE: u64 = 6;
}

/// The users records are spread over.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Owners {
    /// Owners on the sales side (`owner_id`).
    pub sales: Vec<Uuid>,
    /// Owners on the marketing side (`marketing_owner_id`, content).
    pub marketing: Vec<Uuid>,
}

/// Everything account rows are generated from.
pub struct World {
    pub seed: u64,
    pub plan: Plan,
    /// The day of seeding, 00:00 UTC, in milliseconds: every timestamp lies before it.
    pub now: i64,
    /// How long sales have to accept an MQL (the `handoffSlaHours` setting), in milliseconds.
    pub sla_ms: i64,
    /// The scoring rules and settings lead scores follow.
    pub scoring: Scoring,
    pub owners: Owners,
    pub personas: Vec<Uuid>,
    pub library: Library,
    names: NameShuffle,
}

/// How many distinct (head, tail, sector, form) company names there are.
const NAME_SPACE: u64 =
    (words::NAME_HEADS.len() * words::NAME_TAILS.len() * words::SECTORS.len() * words::FORMS.len()) as u64;

/// A bijection of `0..NAME_SPACE` (x -> x * multiplier + offset), so that account numbers map
/// to distinct names and domains that do not run in alphabetical order.
#[derive(Clone, Copy, Debug)]
struct NameShuffle {
    multiplier: u64,
    offset: u64,
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// The name, domain and locale of one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    /// The name without its legal form, for deal names ("Northwind Analytics").
    pub short_name: String,
    pub domain: String,
    pub industry: &'static str,
    pub phone_prefix: &'static str,
    pub currency: &'static str,
}

impl World {
    pub fn new(seed: u64, plan: Plan, owners: Owners, personas: Vec<Uuid>, now: i64) -> Self {
        let mut rng = Rng::stream(seed, stream::NAMES, 0);
        let mut multiplier = NAME_SPACE / 3 + rng.below(NAME_SPACE / 3);
        while gcd(multiplier, NAME_SPACE) != 1 {
            multiplier += 1;
        }
        let names = NameShuffle {
            multiplier,
            offset: rng.below(NAME_SPACE),
        };
        let library = Library::generate(seed, plan.content, &owners.marketing, &personas, now);
        let scoring = Scoring::new(scoring::demo_rules(seed, now), 30, 100, &library);
        Self {
            seed,
            plan,
            now,
            sla_ms: 24 * HOUR_MS,
            scoring,
            owners,
            personas,
            library,
            names,
        }
    }

    /// The identity of account `index`: distinct for every index, so domains never collide.
    pub fn identity(&self, index: u64) -> Identity {
        let round = index / NAME_SPACE;
        let mut x = ((index % NAME_SPACE) * self.names.multiplier + self.names.offset) % NAME_SPACE;
        let mut digit = |n: usize| {
            let d = (x % n as u64) as usize;
            x /= n as u64;
            d
        };
        let head = words::NAME_HEADS[digit(words::NAME_HEADS.len())];
        let tail = words::NAME_TAILS[digit(words::NAME_TAILS.len())];
        let (sector, industry) = words::SECTORS[digit(words::SECTORS.len())];
        let (form, ending, phone_prefix, currency) = words::FORMS[digit(words::FORMS.len())];
        // Past the name space (never with the built-in sizes), a number keeps names distinct.
        let number = if round > 0 {
            format!(" {}", round + 1)
        } else {
            String::new()
        };
        let short_name = format!("{head}{tail} {sector}{number}");
        Identity {
            name: format!("{short_name}{form}"),
            domain: format!(
                "{}{}.{ending}",
                words::slug(&format!("{head}{tail}{sector}")),
                words::slug(&number)
            ),
            short_name,
            industry,
            phone_prefix,
            currency,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::seed::rng::TEST_NOW_MS;

    #[test]
    fn every_account_gets_its_own_domain_and_name() {
        let world = World::new(1, Size::Small.plan(), Owners::default(), Vec::new(), TEST_NOW_MS);
        let mut domains = HashSet::new();
        let mut names = HashSet::new();
        for i in 0..NAME_SPACE + 500 {
            let id = world.identity(i);
            assert!(domains.insert(id.domain.clone()), "{} twice", id.domain);
            assert!(names.insert(id.name.to_lowercase()), "{} twice", id.name);
        }
    }

    #[test]
    fn the_large_size_fits_the_name_space() {
        assert!(Size::Large.plan().accounts <= NAME_SPACE);
    }

    #[test]
    fn seeds_shuffle_names_differently() {
        let a = World::new(1, Size::Small.plan(), Owners::default(), Vec::new(), TEST_NOW_MS);
        let b = World::new(2, Size::Small.plan(), Owners::default(), Vec::new(), TEST_NOW_MS);
        assert_eq!(
            a.identity(3),
            World::new(1, Size::Small.plan(), Owners::default(), Vec::new(), TEST_NOW_MS).identity(3)
        );
        assert_ne!(a.identity(3), b.identity(3));
    }
}
