//! Amounts of money as whole minor units.
//!
//! The API reads and writes amounts as decimal text with at most two places (`"12500.50"`); the
//! store keeps them as an integer count of hundredths of the currency unit (cents), so no store
//! ever rounds them through a float and every sum is an integer sum. Two places for every
//! currency, as the API always had: a yen amount is written `"1500"` or `"1500.00"`.

use std::fmt;

use sea_orm::prelude::Decimal;

use crate::error::{UserError, UserErrorCode};

/// A non-negative amount in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Amount(i64);

impl Amount {
    /// The largest amount: 9,999,999,999,999,999.99, the 16 digits before the point the column
    /// always allowed. In cents it is below 2^60, so a weighted sum (cents times a percentage)
    /// of one deal still fits 64 bits; sums of many deals are split to stay in range (see
    /// `service::analytics::money_sum`).
    pub const MAX: Amount = Amount(999_999_999_999_999_999);

    /// Parses an amount as a caller writes it; the error names `field`.
    pub fn parse(field: &[&str], text: &str) -> Result<Self, UserError> {
        let invalid = |message: &str| UserError::new(field, UserErrorCode::Invalid, message);
        let value: Decimal = text
            .trim()
            .parse()
            .map_err(|_| invalid("the amount must be a decimal number such as \"12500.00\""))?;
        if value.is_sign_negative() && !value.is_zero() {
            return Err(invalid("the amount must not be negative"));
        }
        if value.normalize().scale() > 2 {
            return Err(invalid("the amount has at most two decimal places"));
        }
        if value > Self::MAX.to_decimal() {
            return Err(invalid("the amount is too large (at most 9999999999999999.99)"));
        }
        // At most two places and within MAX: rescaling to two places is exact and the
        // mantissa is the count of cents.
        let mut cents = value.abs();
        cents.rescale(2);
        i64::try_from(cents.mantissa())
            .map(Amount)
            .map_err(|_| invalid("the amount is too large"))
    }

    /// An amount as stored. The store only holds what `parse` accepted.
    pub fn from_minor(cents: i64) -> Self {
        Amount(cents)
    }

    /// The count of cents, as stored.
    pub fn minor(self) -> i64 {
        self.0
    }

    /// The amount with exactly two decimal places.
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }
}

impl fmt::Display for Amount {
    /// `"12500.50"`: always two places, the form the API shows.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_decimal().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cents(text: &str) -> Result<i64, UserError> {
        Amount::parse(&["amount", "amount"], text).map(Amount::minor)
    }

    #[test]
    fn amounts_become_exact_cents() {
        assert_eq!(cents("123456789012345.67").unwrap(), 12_345_678_901_234_567);
        assert_eq!(cents("0.01").unwrap(), 1);
        assert_eq!(cents("0.10").unwrap(), 10);
        assert_eq!(cents("0.1").unwrap(), 10);
        assert_eq!(cents(" 12500.5 ").unwrap(), 1_250_050);
        assert_eq!(cents("1.000").unwrap(), 100);
        assert_eq!(cents("0").unwrap(), 0);
        assert_eq!(cents("-0").unwrap(), 0);
        assert_eq!(cents("99999999999999.99").unwrap(), 9_999_999_999_999_999);
    }

    #[test]
    fn the_largest_amount_is_accepted_and_a_cent_more_is_not() {
        assert_eq!(cents("9999999999999999.99").unwrap(), Amount::MAX.minor());
        let err = cents("10000000000000000").unwrap_err();
        assert_eq!(err.code, UserErrorCode::Invalid);
        assert_eq!(err.field, vec!["amount", "amount"]);
        assert!(cents("10000000000000000.00").is_err());
        assert!(cents("79228162514264337593543950335").is_err());
    }

    #[test]
    fn more_than_two_places_negative_or_not_a_number_is_invalid() {
        for bad in ["1.005", "0.001", "-1", "-0.01", "ten", "", "12,50", "NaN"] {
            let err = cents(bad).unwrap_err();
            assert_eq!(err.code, UserErrorCode::Invalid, "{bad}");
            assert_eq!(err.field, vec!["amount", "amount"], "{bad}");
        }
    }

    #[test]
    fn an_amount_shows_two_places() {
        assert_eq!(Amount::from_minor(1_250_050).to_string(), "12500.50");
        assert_eq!(Amount::from_minor(1).to_string(), "0.01");
        assert_eq!(Amount::from_minor(0).to_string(), "0.00");
        assert_eq!(
            Amount::from_minor(12_345_678_901_234_567).to_string(),
            "123456789012345.67"
        );
        assert_eq!(Amount::MAX.to_string(), "9999999999999999.99");
    }
}
