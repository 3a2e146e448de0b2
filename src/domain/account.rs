//! Rules of accounts: their fields, their domain, who owns a new one.

use crate::{
    domain::{authz::Principal, permission::Permission, text},
    error::{UserError, UserErrorCode},
};

pub const NAME_MAX: usize = 200;

/// Normalises a web domain: lower case, without scheme, path, port or a leading `www.`.
/// `acme.com`, `https://www.ACME.com/about` and `acme.com:443` are one domain.
pub fn normalize_domain(raw: &str) -> Result<Option<String>, UserError> {
    let mut d = raw.trim().to_ascii_lowercase();
    if d.is_empty() {
        return Ok(None);
    }
    if let Some((_, rest)) = d.split_once("://") {
        d = rest.to_owned();
    }
    d = d.split(['/', '?', '#']).next().unwrap_or_default().to_owned();
    d = d
        .split(':')
        .next()
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_owned();
    if let Some(rest) = d.strip_prefix("www.") {
        d = rest.to_owned();
    }
    let valid_label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if d.len() > 253 || !d.contains('.') || !d.split('.').all(valid_label) {
        return Err(UserError::new(
            &["domain"],
            UserErrorCode::Invalid,
            format!("`{raw}` is not a web domain"),
        ));
    }
    Ok(Some(d))
}

/// A headcount is a whole number from 1 up.
pub fn validate_employee_count(n: Option<i32>) -> Result<Option<i32>, UserError> {
    match n {
        Some(n) if n < 1 => Err(UserError::new(
            &["employeeCount"],
            UserErrorCode::Invalid,
            "employeeCount must be at least 1",
        )),
        other => Ok(other),
    }
}

/// Validates an account name.
pub fn validate_name(name: &str) -> Result<String, UserError> {
    text::required_name("name", name, NAME_MAX)
}

/// Which owner field a new record's creator fills when none is given: marketing people (who
/// qualify leads but do not accept them) become the marketing owner, everyone else the owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreatorSide {
    Marketing,
    Sales,
}

pub fn creator_side(principal: &Principal) -> CreatorSide {
    let marketing = principal.scope(Permission::LeadQualify).is_some();
    let sales = principal.scope(Permission::LeadAccept).is_some()
        || principal.scope(Permission::LeadProgress).is_some();
    if marketing && !sales {
        CreatorSide::Marketing
    } else {
        CreatorSide::Sales
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{authz::Actor, permission::Scope};
    use uuid::Uuid;

    #[test]
    fn domains_are_normalised() {
        for raw in [
            "acme.com",
            "https://www.ACME.com/about?x=1",
            "acme.com:443",
            "ACME.COM.",
        ] {
            assert_eq!(
                normalize_domain(raw).unwrap().as_deref(),
                Some("acme.com"),
                "{raw}"
            );
        }
        assert_eq!(normalize_domain("  ").unwrap(), None);
    }

    #[test]
    fn a_domain_needs_a_dot_and_clean_labels() {
        for raw in [
            "localhost",
            "acme..com",
            "-acme.com",
            "ac me.com",
            "acme_corp.com",
        ] {
            assert!(normalize_domain(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn a_headcount_is_positive() {
        assert!(validate_employee_count(Some(0)).is_err());
        assert_eq!(validate_employee_count(Some(12)).unwrap(), Some(12));
    }

    fn principal(grants: &[Permission]) -> Principal {
        Principal {
            actor: Actor::User(Uuid::from_u128(1)),
            role_id: Uuid::from_u128(2),
            grants: grants.iter().map(|p| (*p, Scope::All)).collect(),
        }
    }

    #[test]
    fn marketers_become_marketing_owners_and_everyone_else_owners() {
        assert_eq!(
            creator_side(&principal(&[Permission::LeadQualify])),
            CreatorSide::Marketing
        );
        assert_eq!(
            creator_side(&principal(&[Permission::LeadAccept])),
            CreatorSide::Sales
        );
        assert_eq!(
            creator_side(&principal(&[Permission::LeadQualify, Permission::LeadAccept])),
            CreatorSide::Sales
        );
        assert_eq!(creator_side(&principal(&[])), CreatorSide::Sales);
    }
}
