//! Content influence: which content touched the deals, and the order a content team reads it in.
//! The SQL in `service::analytics::content_influence` counts; these rules order and cut.

use std::collections::BTreeMap;

use uuid::Uuid;

/// One content's figures for a period; money in whole cents per currency.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Influence {
    pub content_id: Uuid,
    pub touches: i64,
    pub stakeholders_reached: i64,
    pub opportunities_influenced: i64,
    pub opportunities_won: i64,
    pub influenced_cents: BTreeMap<String, i128>,
    pub won_cents: BTreeMap<String, i128>,
}

/// The currency figures are ranked by: the first, alphabetically, in which anything was won.
pub fn ranking_currency(rows: &[Influence]) -> Option<String> {
    rows.iter()
        .filter_map(|r| r.won_cents.keys().next())
        .min()
        .cloned()
}

/// Most won in the ranking currency first, then most touches, then by content id; the first
/// `first` are kept.
pub fn rank(mut rows: Vec<Influence>, first: usize) -> Vec<Influence> {
    let currency = ranking_currency(&rows);
    let won = |r: &Influence| {
        currency
            .as_ref()
            .and_then(|c| r.won_cents.get(c))
            .copied()
            .unwrap_or(0)
    };
    rows.sort_by(|a, b| {
        won(b)
            .cmp(&won(a))
            .then_with(|| b.touches.cmp(&a.touches))
            .then_with(|| a.content_id.cmp(&b.content_id))
    });
    rows.truncate(first);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: u128, touches: i64, won: &[(&str, i64)]) -> Influence {
        Influence {
            content_id: Uuid::from_u128(n),
            touches,
            won_cents: won
                .iter()
                .map(|(c, a)| ((*c).to_owned(), i128::from(*a)))
                .collect(),
            ..Influence::default()
        }
    }

    #[test]
    fn the_most_won_in_the_first_currency_comes_first_then_the_most_touches() {
        let rows = vec![
            row(1, 9, &[]),
            row(2, 1, &[("USD", 50_000)]),
            row(3, 2, &[("EUR", 10_000), ("USD", 90_000)]),
            row(4, 3, &[("EUR", 20_000)]),
            row(5, 12, &[]),
        ];
        assert_eq!(ranking_currency(&rows).as_deref(), Some("EUR"));
        let order: Vec<u128> = rank(rows, 10).iter().map(|r| r.content_id.as_u128()).collect();
        assert_eq!(order, vec![4, 3, 5, 1, 2]);
    }

    #[test]
    fn without_wins_touches_decide_and_ids_break_ties() {
        let rows = vec![row(2, 3, &[]), row(1, 3, &[]), row(3, 4, &[])];
        assert_eq!(ranking_currency(&rows), None);
        let order: Vec<u128> = rank(rows, 2).iter().map(|r| r.content_id.as_u128()).collect();
        assert_eq!(order, vec![3, 1]);
    }
}
