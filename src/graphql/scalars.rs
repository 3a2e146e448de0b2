//! The contract's own scalars: `Date` (a calendar day, `YYYY-MM-DD`) and `Decimal` (an exact
//! number carried as a string, so no client rounds money through a float), and the range check
//! every `DateTime` input carries.

use async_graphql::{CustomValidator, InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::time;

/// A calendar day, `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// A calendar day, written `YYYY-MM-DD`, from 1900-01-01 to 9999-12-31; another day is
/// BAD_USER_INPUT. `DateTime` inputs take the same range, in UTC.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => {
                let day = NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map_err(|_| InputValueError::custom("a Date is written YYYY-MM-DD"))?;
                // `%Y` takes any year chrono holds, signed or of five digits (`-4714-11-24`).
                if !time::day_in_range(day) {
                    return Err(InputValueError::custom(time::out_of_range_message()));
                }
                Ok(Date(day))
            }
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// An exact decimal number, written as a string (`"12500.00"`); integers are taken too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decimal(pub String);

#[Scalar(name = "Decimal")]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => Ok(Decimal(s.clone())),
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(Decimal(n.to_string())),
            Value::Number(_) => Err(InputValueError::custom(
                "write a Decimal as a string (\"12.50\") so that it is not rounded",
            )),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

/// The range check of every `DateTime` input field (`#[graphql(validator(custom = ...))]`):
/// the built-in `DateTime` scalar parses any year chrono can hold (0000, -4714), which
/// PostgreSQL refuses and SQLite stores and then sorts as text. A moment out of range is
/// BAD_USER_INPUT, as an unparsable one is.
pub struct InRange;

impl CustomValidator<DateTime<Utc>> for InRange {
    fn check(&self, value: &DateTime<Utc>) -> Result<(), InputValueError<DateTime<Utc>>> {
        if time::moment_in_range(*value) {
            Ok(())
        } else {
            Err(InputValueError::custom(time::out_of_range_message()))
        }
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::InputType;

    use super::*;

    fn day(text: &str) -> Result<Date, InputValueError<Date>> {
        <Date as ScalarType>::parse(Value::String(text.into()))
    }

    #[test]
    fn a_date_is_a_day_in_the_accepted_range() {
        assert_eq!(day("2026-12-02").unwrap().0.to_string(), "2026-12-02");
        assert!(day("1900-01-01").is_ok());
        assert!(day("9999-12-31").is_ok());
        for bad in [
            "0000-01-01",
            "1899-12-31",
            "-4714-11-24",
            "+10000-01-01",
            "10000-01-01",
            "2026-02-30",
        ] {
            assert!(day(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_date_time_input_must_lie_in_the_range() {
        let parse = |s: &str| <DateTime<Utc> as InputType>::parse(Some(Value::String(s.into()))).unwrap();
        assert!(InRange.check(&parse("2026-12-02T10:00:00Z")).is_ok());
        assert!(InRange.check(&parse("0000-01-01T00:00:00Z")).is_err());
        assert!(InRange.check(&parse("9999-12-31T23:59:59Z")).is_ok());
    }
}
