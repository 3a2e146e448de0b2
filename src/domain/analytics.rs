//! The pure rules of the funnel reports: which periods are allowed, where the waterfall ladder
//! runs, how rates, medians and money figures are formed. The SQL in `service::analytics`
//! counts; these rules decide what the counts mean, so they are unit-tested here.

use chrono::{DateTime, Months, Utc};
use entity::enums::LeadStage;
use sea_orm::prelude::Decimal;

use crate::domain::time;

/// The longest period a report covers.
pub const MAX_PERIOD_YEARS: u32 = 10;

/// A report's window: `[from, to)` in UTC, seen as of `as_of` (rows recorded at or after it do
/// not exist yet). `end` is `min(to, as_of)`, the moment "at the end" figures describe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub as_of: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Why a period was refused (BAD_USER_INPUT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodError {
    EndsBeforeItStarts,
    TooLong,
    /// `from`, `to` or `asOf` lies outside the range the API accepts (`domain::time`).
    OutOfRange,
}

impl PeriodError {
    /// The message a caller sees.
    pub fn message(self) -> String {
        match self {
            Self::EndsBeforeItStarts => "the period ends (`to`) before it starts (`from`)".into(),
            Self::TooLong => format!("a period spans at most {MAX_PERIOD_YEARS} years"),
            Self::OutOfRange => time::out_of_range_message(),
        }
    }
}

impl Period {
    /// Checks a period; `as_of` defaults to `now`. An empty period (`from == to`) is allowed
    /// and counts nothing.
    pub fn new(
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        as_of: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Self, PeriodError> {
        // The GraphQL inputs refuse such moments already; this holds for every caller.
        if ![Some(from), Some(to), as_of]
            .into_iter()
            .flatten()
            .all(time::moment_in_range)
        {
            return Err(PeriodError::OutOfRange);
        }
        if to < from {
            return Err(PeriodError::EndsBeforeItStarts);
        }
        match from.checked_add_months(Months::new(12 * MAX_PERIOD_YEARS)) {
            Some(limit) if to > limit => return Err(PeriodError::TooLong),
            _ => {}
        }
        let as_of = as_of.unwrap_or(now);
        Ok(Self {
            from,
            to,
            as_of,
            end: to.min(as_of),
        })
    }
}

/// The waterfall ladder, in order; NURTURE and DISQUALIFIED are off it.
pub const WATERFALL: [LeadStage; 6] = [
    LeadStage::Inquiry,
    LeadStage::Mql,
    LeadStage::Sal,
    LeadStage::Sql,
    LeadStage::Opportunity,
    LeadStage::Customer,
];

/// The place of a stage on the ladder (INQUIRY 0 ... CUSTOMER 5), `None` off it.
pub fn rank(stage: LeadStage) -> Option<usize> {
    WATERFALL.iter().position(|s| *s == stage)
}

/// The five cohort steps: each ladder stage to the next.
pub fn steps() -> impl Iterator<Item = (LeadStage, LeadStage)> {
    WATERFALL.windows(2).map(|w| (w[0], w[1]))
}

/// Who a lead funnel counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunnelUnit {
    /// Each stakeholder.
    Lead,
    /// Each account (the buying group, the demand unit), once per stage.
    Account,
}

/// What a lead funnel is grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadGroupBy {
    None,
    LeadSource,
    AccountTier,
    Persona,
    Owner,
    MarketingOwner,
}

/// Whether `group_by` means anything for `unit`: an account has a tier and an owner, but no
/// source or persona of its own.
pub fn group_allowed(unit: FunnelUnit, group_by: LeadGroupBy) -> bool {
    match unit {
        FunnelUnit::Lead => true,
        FunnelUnit::Account => matches!(
            group_by,
            LeadGroupBy::None | LeadGroupBy::AccountTier | LeadGroupBy::Owner
        ),
    }
}

/// `numerator / denominator`, or `None` when nothing was there to convert.
pub fn rate(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

/// The median of `values` (the mean of the two middle ones for an even count).
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

/// Reason counts, most frequent first, ties by code.
pub fn order_reasons<T: Ord>(reasons: &mut [(T, i64)]) {
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
}

/// An amount from a whole number of cents (a sum of many amounts, so wider than one).
pub fn from_cents(cents: i128) -> Decimal {
    from_cents_wide(cents)
}

/// `numerator / denominator` to the nearest whole number, halves away from zero.
fn divide_rounded(numerator: i128, denominator: i128) -> i128 {
    let half = denominator / 2;
    if numerator >= 0 {
        (numerator + half) / denominator
    } else {
        -((-numerator + half) / denominator)
    }
}

/// A weighted amount from the sum of `cents * probability` (probability in percent), to the
/// cent: the sum is exact, only the result is rounded (halves away from zero).
pub fn weighted(cents_times_percent: i128) -> Decimal {
    from_cents_wide(divide_rounded(cents_times_percent, 100))
}

/// The average of `count` amounts summing to `cents`, to the cent (halves away from zero).
pub fn average(cents: i128, count: i64) -> Option<Decimal> {
    (count > 0).then(|| from_cents_wide(divide_rounded(2 * cents, 2 * i128::from(count))))
}

/// A decimal holds 96 bits: about 79 billion deals at the largest amount. Past that (which no
/// store reaches) the figure saturates rather than failing the report.
fn from_cents_wide(cents: i128) -> Decimal {
    Decimal::try_from_i128_with_scale(cents, 2).unwrap_or(if cents < 0 { Decimal::MIN } else { Decimal::MAX })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
    }

    #[test]
    fn a_period_ending_before_it_starts_is_refused() {
        let now = at(2026, 6, 1);
        assert_eq!(
            Period::new(at(2026, 2, 1), at(2026, 1, 1), None, now),
            Err(PeriodError::EndsBeforeItStarts)
        );
        assert!(Period::new(at(2026, 1, 1), at(2026, 1, 1), None, now).is_ok());
    }

    #[test]
    fn a_period_lies_in_the_accepted_range() {
        let now = at(2026, 6, 1);
        let year_zero = at(0, 1, 1);
        assert_eq!(
            Period::new(year_zero, at(2026, 1, 1), None, now),
            Err(PeriodError::OutOfRange)
        );
        assert_eq!(
            Period::new(at(2026, 1, 1), at(2026, 2, 1), Some(at(-4714, 11, 24)), now),
            Err(PeriodError::OutOfRange)
        );
        assert_eq!(
            Period::new(at(9999, 1, 1), at(10000, 1, 1), None, now),
            Err(PeriodError::OutOfRange)
        );
    }

    #[test]
    fn a_period_spans_at_most_ten_years() {
        let now = at(2026, 6, 1);
        assert!(Period::new(at(2016, 1, 1), at(2026, 1, 1), None, now).is_ok());
        assert_eq!(
            Period::new(at(2016, 1, 1), at(2026, 1, 2), None, now),
            Err(PeriodError::TooLong)
        );
    }

    #[test]
    fn the_end_is_the_earlier_of_to_and_as_of() {
        let now = at(2026, 6, 1);
        let p = Period::new(at(2026, 1, 1), at(2026, 7, 1), None, now).unwrap();
        assert_eq!((p.as_of, p.end), (now, now));
        let past = Period::new(at(2026, 1, 1), at(2026, 3, 1), Some(at(2026, 5, 1)), now).unwrap();
        assert_eq!(past.end, at(2026, 3, 1));
    }

    #[test]
    fn the_ladder_has_five_steps_and_leaves_nurture_off() {
        let steps: Vec<_> = steps().collect();
        assert_eq!(steps.len(), 5);
        assert_eq!(steps[0], (LeadStage::Inquiry, LeadStage::Mql));
        assert_eq!(steps[4], (LeadStage::Opportunity, LeadStage::Customer));
        assert_eq!(rank(LeadStage::Nurture), None);
        assert_eq!(rank(LeadStage::Customer), Some(5));
    }

    #[test]
    fn accounts_group_only_by_tier_and_owner() {
        assert!(group_allowed(FunnelUnit::Account, LeadGroupBy::AccountTier));
        assert!(group_allowed(FunnelUnit::Account, LeadGroupBy::Owner));
        assert!(!group_allowed(FunnelUnit::Account, LeadGroupBy::LeadSource));
        assert!(!group_allowed(FunnelUnit::Account, LeadGroupBy::MarketingOwner));
        assert!(group_allowed(FunnelUnit::Lead, LeadGroupBy::Persona));
    }

    #[test]
    fn a_rate_without_a_denominator_is_null() {
        assert_eq!(rate(1, 0), None);
        assert_eq!(rate(1, 4), Some(0.25));
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }

    #[test]
    fn reasons_are_most_frequent_first_then_by_code() {
        let mut r = vec![("B", 1), ("C", 2), ("A", 1)];
        order_reasons(&mut r);
        assert_eq!(r, vec![("C", 2), ("A", 1), ("B", 1)]);
    }

    #[test]
    fn money_figures_are_exact_to_the_cent() {
        assert_eq!(from_cents(123_456).to_string(), "1234.56");
        // 10.01 at 15 %: 1.5015, to the cent 1.50.
        assert_eq!(weighted(1001 * 15).to_string(), "1.50");
        assert_eq!(weighted(1010 * 15).to_string(), "1.52");
        assert_eq!(average(1000, 3).map(|d| d.to_string()), Some("3.33".into()));
        assert_eq!(average(1001, 2).map(|d| d.to_string()), Some("5.01".into()));
        assert_eq!(average(1, 0), None);
        // Sums past 64 bits stay exact: ten deals at the largest amount, weighted at 100 %.
        let max = 999_999_999_999_999_999_i128;
        assert_eq!(from_cents(10 * max).to_string(), "99999999999999999.90");
        assert_eq!(weighted(10 * max * 100).to_string(), "99999999999999999.90");
        assert_eq!(
            average(10 * max, 10).map(|d| d.to_string()),
            Some("9999999999999999.99".into())
        );
    }
}
