//! Rules of stakeholders: their fields and the shape of the reporting lines.

use uuid::Uuid;

use crate::error::{UserError, UserErrorCode};

/// Influence runs from 1 (little) to 5 (decisive).
pub fn validate_influence(influence: Option<i32>) -> Result<Option<i16>, UserError> {
    match influence {
        None => Ok(None),
        Some(n @ 1..=5) => Ok(Some(n as i16)),
        Some(_) => Err(UserError::new(
            &["influence"],
            UserErrorCode::Invalid,
            "influence runs from 1 to 5",
        )),
    }
}

/// A phone number: digits with the usual separators, 5 to 50 characters.
pub fn validate_phone(phone: Option<&str>) -> Result<Option<String>, UserError> {
    let Some(p) = phone.map(str::trim).filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let allowed = |c: char| c.is_ascii_digit() || " +-().".contains(c);
    let digits = p.chars().filter(char::is_ascii_digit).count();
    if p.len() > 50 || digits < 5 || !p.chars().all(allowed) {
        return Err(UserError::new(
            &["phone"],
            UserErrorCode::Invalid,
            format!("`{p}` is not a phone number"),
        ));
    }
    Ok(Some(p.to_owned()))
}

/// Whether making `person` report to the first entry of `chain` closes a loop. `chain` is the
/// new manager followed by that manager's own managers, upwards.
pub fn closes_reporting_cycle(person: Uuid, chain: &[Uuid]) -> bool {
    chain.contains(&person)
}

/// The error for a reporting line that would loop.
pub fn reporting_cycle() -> UserError {
    UserError::new(
        &["reportsToId"],
        UserErrorCode::Invalid,
        "this reporting line would form a cycle",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn influence_runs_from_one_to_five() {
        assert!(validate_influence(Some(0)).is_err());
        assert!(validate_influence(Some(6)).is_err());
        assert_eq!(validate_influence(Some(5)).unwrap(), Some(5));
        assert_eq!(validate_influence(None).unwrap(), None);
    }

    #[test]
    fn a_phone_number_has_digits_and_separators_only() {
        assert_eq!(
            validate_phone(Some(" +1 (555) 010-0199 ")).unwrap().as_deref(),
            Some("+1 (555) 010-0199")
        );
        assert!(validate_phone(Some("call me")).is_err());
        assert!(validate_phone(Some("123")).is_err());
        assert_eq!(validate_phone(Some("")).unwrap(), None);
    }

    #[test]
    fn reporting_to_someone_below_you_is_a_cycle() {
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        // a would report to c, whose manager is b, whose manager is a.
        assert!(closes_reporting_cycle(a, &[c, b, a]));
        assert!(closes_reporting_cycle(a, &[a]), "nobody reports to themself");
        assert!(!closes_reporting_cycle(a, &[c, b]));
    }
}
