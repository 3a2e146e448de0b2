//! The vocabulary of the demo data: company names, people, titles, competitors, topics.
//! Every name is invented; any likeness to a real company is chance.

use entity::enums::BuyingRole;

/// The first half of a company name.
pub const NAME_HEADS: [&str; 20] = [
    "North", "Blue", "Silver", "Red", "Bright", "Iron", "Clear", "Green", "Stone", "Swift", "High", "Deep",
    "Star", "Oak", "Sun", "Frost", "Gold", "Maple", "Pine", "Coral",
];

/// The second half of a company name.
pub const NAME_TAILS: [&str; 16] = [
    "wind", "peak", "field", "bridge", "water", "gate", "ridge", "light", "haven", "crest", "brook", "line",
    "point", "forge", "wave", "shore",
];

/// The business word of a company name and the industry it implies.
pub const SECTORS: [(&str, &str); 40] = [
    ("Analytics", "Software"),
    ("Software", "Software"),
    ("Cloud", "Software"),
    ("Systems", "Information Technology"),
    ("Networks", "Telecommunications"),
    ("Telecom", "Telecommunications"),
    ("Security", "Cybersecurity"),
    ("Data", "Software"),
    ("Logistics", "Transportation & Logistics"),
    ("Freight", "Transportation & Logistics"),
    ("Mobility", "Automotive"),
    ("Motors", "Automotive"),
    ("Health", "Healthcare"),
    ("Medical", "Healthcare"),
    ("Pharma", "Pharmaceuticals"),
    ("Bio", "Biotechnology"),
    ("Energy", "Energy & Utilities"),
    ("Power", "Energy & Utilities"),
    ("Solar", "Energy & Utilities"),
    ("Capital", "Financial Services"),
    ("Payments", "Financial Services"),
    ("Bank", "Banking"),
    ("Insurance", "Insurance"),
    ("Foods", "Food & Beverage"),
    ("Brewing", "Food & Beverage"),
    ("Retail", "Retail"),
    ("Outfitters", "Retail"),
    ("Media", "Media & Entertainment"),
    ("Studios", "Media & Entertainment"),
    ("Learning", "Education"),
    ("Manufacturing", "Manufacturing"),
    ("Industries", "Manufacturing"),
    ("Materials", "Chemicals"),
    ("Robotics", "Industrial Automation"),
    ("Aerospace", "Aerospace & Defense"),
    ("Consulting", "Professional Services"),
    ("Partners", "Professional Services"),
    ("Properties", "Real Estate"),
    ("Travel", "Travel & Hospitality"),
    ("Hotels", "Travel & Hospitality"),
];

/// A legal form, the web domain ending it comes with, the country's phone prefix and currency.
/// Each ending appears once, so (head, tail, sector, form) gives a unique domain.
pub const FORMS: [(&str, &str, &str, &str); 10] = [
    ("", "com", "+1", "USD"),
    (" Inc.", "io", "+1", "USD"),
    (" Corp.", "net", "+1", "USD"),
    (" LLC", "co", "+1", "USD"),
    (" Holdings", "us", "+1", "USD"),
    (" Group", "ai", "+1", "USD"),
    (" Ltd", "co.uk", "+44", "GBP"),
    (" GmbH", "de", "+49", "EUR"),
    (" SAS", "fr", "+33", "EUR"),
    (" B.V.", "nl", "+31", "EUR"),
];

pub const FIRST_NAMES: [&str; 64] = [
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Chris",
    "Karen",
    "Daniel",
    "Lisa",
    "Matthew",
    "Nancy",
    "Anthony",
    "Sandra",
    "Mark",
    "Ashley",
    "Steven",
    "Emily",
    "Andrew",
    "Michelle",
    "Joshua",
    "Amanda",
    "Kevin",
    "Melissa",
    "Brian",
    "Stephanie",
    "George",
    "Laura",
    "Priya",
    "Wei",
    "Aisha",
    "Mateo",
    "Sofia",
    "Lukas",
    "Emma",
    "Noah",
    "Olivia",
    "Hiroshi",
    "Yuki",
    "Omar",
    "Fatima",
    "Liam",
    "Chloe",
    "Raj",
    "Ananya",
    "Diego",
    "Camila",
    "Jonas",
    "Freya",
    "Ingrid",
    "Pierre",
    "Amelie",
];

pub const LAST_NAMES: [&str; 64] = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Patel",
    "Kim",
    "Chen",
    "Singh",
    "Schmidt",
    "Müller",
    "Dubois",
    "Rossi",
    "Jansen",
    "Andersson",
    "O'Brien",
    "Tanaka",
    "Kowalski",
    "Novak",
];

/// Titles by buying role: (title, department, index of the persona it fits, if any).
pub fn titles(role: BuyingRole) -> &'static [(&'static str, &'static str, Option<usize>)] {
    match role {
        BuyingRole::DecisionMaker => &[
            ("Chief Executive Officer", "Executive", None),
            ("Chief Information Officer", "IT", Some(1)),
            ("Chief Marketing Officer", "Marketing", Some(3)),
            ("Chief Revenue Officer", "Sales", Some(4)),
            ("VP of Sales", "Sales", Some(4)),
        ],
        BuyingRole::EconomicBuyer => &[
            ("Chief Financial Officer", "Finance", Some(0)),
            ("VP of Finance", "Finance", Some(0)),
            ("Chief Operating Officer", "Operations", Some(0)),
        ],
        BuyingRole::Champion => &[
            ("Director of Marketing Operations", "Marketing", Some(5)),
            ("Head of Revenue Operations", "Operations", Some(5)),
            ("Director of Demand Generation", "Marketing", Some(3)),
            ("Sales Enablement Lead", "Sales", Some(4)),
        ],
        BuyingRole::Influencer => &[
            ("Head of Sales Operations", "Sales", Some(5)),
            ("Marketing Manager", "Marketing", Some(3)),
            ("Regional Sales Director", "Sales", Some(4)),
            ("Customer Success Director", "Customer Success", None),
        ],
        BuyingRole::TechnicalEvaluator => &[
            ("Solutions Architect", "IT", Some(2)),
            ("IT Director", "IT", Some(1)),
            ("Data Engineer", "IT", Some(2)),
            ("CRM Administrator", "Operations", Some(2)),
        ],
        BuyingRole::EndUser => &[
            ("Account Executive", "Sales", Some(7)),
            ("Marketing Specialist", "Marketing", Some(7)),
            ("Sales Development Representative", "Sales", Some(7)),
            ("Content Marketing Manager", "Marketing", Some(7)),
        ],
        BuyingRole::Gatekeeper => &[
            ("Procurement Manager", "Procurement", Some(6)),
            ("Executive Assistant", "Executive", None),
            ("Vendor Manager", "Procurement", Some(6)),
        ],
        BuyingRole::Blocker => &[
            ("Head of Information Security", "IT", Some(1)),
            ("Legal Counsel", "Legal", None),
            ("Enterprise Architect", "IT", Some(2)),
        ],
        BuyingRole::Unknown => &[
            ("Analyst", "Operations", None),
            ("Project Manager", "Operations", None),
            ("Consultant", "Operations", None),
        ],
    }
}

/// The personas created when a database has none: (name, description). The title table above
/// refers to them by position.
pub const PERSONAS: [(&str, &str); 8] = [
    (
        "Economic buyer: CFO",
        "Owns the budget; weighs cost, risk and payback.",
    ),
    (
        "IT decision maker",
        "CIO or IT director; signs off on architecture, security and integration.",
    ),
    (
        "Technical evaluator",
        "Architect or engineer who tries the product hands-on.",
    ),
    (
        "Marketing leader",
        "CMO or VP of Marketing; owns pipeline targets and campaigns.",
    ),
    (
        "Sales leader",
        "CRO or VP of Sales; owns the number and the team's process.",
    ),
    (
        "Revenue operations",
        "Runs the CRM, the data and the reporting behind marketing and sales.",
    ),
    ("Procurement", "Negotiates terms, vendor risk and contracts."),
    (
        "End user: practitioner",
        "Uses the product every day; cares about speed and ease.",
    ),
];

/// Competitors named on deals, content and risks.
pub const COMPETITORS: [&str; 12] = [
    "FunnelForge",
    "LeadLoom",
    "DealDesk Pro",
    "PipelineIQ",
    "Salesmith",
    "Marketa",
    "Convertly",
    "RevLane",
    "Quotient CRM",
    "Prospectra",
    "Closewise",
    "Nurturely",
];

/// Content topics, lower case as the API stores them.
pub const TOPICS: [&str; 16] = [
    "account-based marketing",
    "lead scoring",
    "pipeline forecasting",
    "sales enablement",
    "marketing automation",
    "revenue operations",
    "buying committees",
    "data privacy",
    "crm integration",
    "attribution",
    "customer onboarding",
    "pricing strategy",
    "demand generation",
    "security",
    "analytics",
    "roi",
];

/// What an opportunity is about.
pub const DEAL_KINDS: [&str; 8] = [
    "New business",
    "Platform expansion",
    "Renewal",
    "Pilot",
    "Analytics add-on",
    "Enterprise upgrade",
    "Regional rollout",
    "Multi-year agreement",
];

/// Lower-case ASCII letters and digits of a name: "O'Brien" -> "obrien", "Müller" -> "muller".
pub fn slug(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'ä' | 'á' | 'à' | 'å' => Some('a'),
            'é' | 'è' | 'ë' => Some('e'),
            'ö' | 'ó' | 'ø' => Some('o'),
            'ü' | 'ú' => Some('u'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// A title turned into a URL path segment: "Trapeze vs LeadLoom" -> "trapeze-vs-leadloom".
pub fn kebab(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain_ascii() {
        assert_eq!(slug("O'Brien"), "obrien");
        assert_eq!(slug("Müller"), "muller");
        assert_eq!(
            kebab("Trapeze vs. Quotient CRM: 2026"),
            "trapeze-vs-quotient-crm-2026"
        );
    }

    #[test]
    fn domain_endings_are_distinct() {
        let mut endings: Vec<&str> = FORMS.iter().map(|f| f.1).collect();
        endings.sort_unstable();
        endings.dedup();
        assert_eq!(endings.len(), FORMS.len());
    }

    #[test]
    fn persona_indexes_exist() {
        use sea_orm::Iterable;
        for role in BuyingRole::iter() {
            for (_, _, persona) in titles(role) {
                assert!(persona.is_none_or(|p| p < PERSONAS.len()));
            }
        }
    }
}
