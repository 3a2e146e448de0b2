//! Committee coverage: which of the roles a buying committee should have are held on a deal, by
//! whom, who of them engaged lately, which expected roles are missing and which are silent. The
//! expected roles are a setting (`ScoringSettings.committeeRoles`), stored as role names.

use chrono::{DateTime, Utc};
use entity::enums::BuyingRole;
use sea_orm::{ActiveEnum, Iterable};

use crate::error::{UserError, UserErrorCode};

/// The roles a committee should have when nobody changed the setting.
pub const DEFAULT_COMMITTEE_ROLES: [BuyingRole; 4] = [
    BuyingRole::DecisionMaker,
    BuyingRole::EconomicBuyer,
    BuyingRole::Champion,
    BuyingRole::TechnicalEvaluator,
];

/// The longest look-back of `engagedWithinDays`.
pub const MAX_ENGAGED_WITHIN_DAYS: i32 = 3650;

/// The stored setting as roles, in their order; unknown names (none are written) are skipped.
pub fn parse_roles(stored: &str) -> Vec<BuyingRole> {
    stored
        .split(',')
        .filter_map(|name| BuyingRole::try_from_value(&name.trim().to_owned()).ok())
        .collect()
}

/// Roles as the setting stores them.
pub fn format_roles(roles: &[BuyingRole]) -> String {
    roles.iter().map(|r| r.to_value()).collect::<Vec<_>>().join(",")
}

/// A new setting: at least one role; a role given twice counts once, where it first appears.
pub fn check_committee_roles(roles: &[BuyingRole]) -> Result<Vec<BuyingRole>, UserError> {
    let mut out: Vec<BuyingRole> = Vec::with_capacity(roles.len());
    for role in roles {
        if !out.contains(role) {
            out.push(*role);
        }
    }
    if out.is_empty() {
        return Err(UserError::new(
            &["committeeRoles"],
            UserErrorCode::Invalid,
            "committeeRoles needs at least one role",
        ));
    }
    Ok(out)
}

/// `engagedWithinDays`: 1 to 3650 days, else the message of a BAD_USER_INPUT.
pub fn check_engaged_within_days(days: i32) -> Result<i32, String> {
    if (1..=MAX_ENGAGED_WITHIN_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(format!(
            "engagedWithinDays must be 1 to {MAX_ENGAGED_WITHIN_DAYS}"
        ))
    }
}

/// One person on the deal, as coverage sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member<T> {
    /// Whatever the caller shows for the participant (its row).
    pub participant: T,
    pub role: BuyingRole,
    /// Their latest touch, on any deal or none.
    pub last_engaged_at: Option<DateTime<Utc>>,
}

/// The coverage of one role.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleCoverage<T> {
    pub role: BuyingRole,
    /// The role's participants, in the order given (the deal's: primary first, then as joined).
    pub participants: Vec<T>,
    /// How many of them engaged since the cut-off.
    pub engaged: i32,
    /// The latest touch of any of them.
    pub last_engaged_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Coverage<T> {
    /// Every expected role (in the setting's order), then every other role present (in enum
    /// order).
    pub roles: Vec<RoleCoverage<T>>,
    /// Expected roles nobody holds.
    pub missing_roles: Vec<BuyingRole>,
    /// Expected roles that are held, but none of whose holders engaged since the cut-off.
    pub unengaged_roles: Vec<BuyingRole>,
    /// Expected roles with an engaged holder, over expected roles (0 when none are expected).
    pub covered_share: f64,
}

/// The coverage of a committee: `members` in the deal's order; a member is engaged when their
/// latest touch is at or after `engaged_since`.
pub fn coverage<T: Clone>(
    expected: &[BuyingRole],
    members: &[Member<T>],
    engaged_since: DateTime<Utc>,
) -> Coverage<T> {
    let mut order: Vec<BuyingRole> = Vec::new();
    for role in expected {
        if !order.contains(role) {
            order.push(*role);
        }
    }
    for role in BuyingRole::iter() {
        if !order.contains(&role) && members.iter().any(|m| m.role == role) {
            order.push(role);
        }
    }
    let roles: Vec<RoleCoverage<T>> = order
        .into_iter()
        .map(|role| {
            let holders: Vec<&Member<T>> = members.iter().filter(|m| m.role == role).collect();
            let engaged = holders
                .iter()
                .filter(|m| m.last_engaged_at.is_some_and(|t| t >= engaged_since))
                .count();
            RoleCoverage {
                role,
                participants: holders.iter().map(|m| m.participant.clone()).collect(),
                engaged: i32::try_from(engaged).unwrap_or(i32::MAX),
                last_engaged_at: holders.iter().filter_map(|m| m.last_engaged_at).max(),
            }
        })
        .collect();
    let expected_coverage = || roles.iter().filter(|r| expected.contains(&r.role));
    let missing_roles: Vec<BuyingRole> = expected_coverage()
        .filter(|r| r.participants.is_empty())
        .map(|r| r.role)
        .collect();
    let unengaged_roles: Vec<BuyingRole> = expected_coverage()
        .filter(|r| !r.participants.is_empty() && r.engaged == 0)
        .map(|r| r.role)
        .collect();
    let expected_count = expected_coverage().count();
    let covered = expected_coverage().filter(|r| r.engaged > 0).count();
    let covered_share = if expected_count == 0 {
        0.0
    } else {
        covered as f64 / expected_count as f64
    };
    Coverage {
        roles,
        missing_roles,
        unengaged_roles,
        covered_share,
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn member(n: u128, role: BuyingRole, last: Option<DateTime<Utc>>) -> Member<u128> {
        Member {
            participant: n,
            role,
            last_engaged_at: last,
        }
    }

    #[test]
    fn the_setting_round_trips_through_its_stored_form() {
        let stored = format_roles(&DEFAULT_COMMITTEE_ROLES);
        assert_eq!(
            stored,
            "DECISION_MAKER,ECONOMIC_BUYER,CHAMPION,TECHNICAL_EVALUATOR"
        );
        assert_eq!(parse_roles(&stored), DEFAULT_COMMITTEE_ROLES.to_vec());
        assert_eq!(parse_roles("CHAMPION,NOPE"), vec![BuyingRole::Champion]);
    }

    #[test]
    fn a_committee_setting_needs_a_role_and_counts_each_once() {
        assert!(check_committee_roles(&[]).is_err());
        let roles = [BuyingRole::Champion, BuyingRole::Blocker, BuyingRole::Champion];
        assert_eq!(
            check_committee_roles(&roles).ok(),
            Some(vec![BuyingRole::Champion, BuyingRole::Blocker])
        );
    }

    #[test]
    fn the_look_back_is_one_day_to_ten_years() {
        assert!(check_engaged_within_days(0).is_err());
        assert!(check_engaged_within_days(3651).is_err());
        assert_eq!(check_engaged_within_days(30), Ok(30));
    }

    #[test]
    fn missing_silent_and_covered_roles_are_told_apart() {
        let now = Utc::now();
        let since = now - Duration::days(30);
        let members = [
            member(1, BuyingRole::Champion, Some(now - Duration::days(2))),
            member(2, BuyingRole::Champion, None),
            member(3, BuyingRole::EconomicBuyer, Some(now - Duration::days(31))),
            member(4, BuyingRole::EndUser, Some(now)),
        ];
        let c = coverage(&DEFAULT_COMMITTEE_ROLES, &members, since);
        let roles: Vec<BuyingRole> = c.roles.iter().map(|r| r.role).collect();
        assert_eq!(
            roles,
            vec![
                BuyingRole::DecisionMaker,
                BuyingRole::EconomicBuyer,
                BuyingRole::Champion,
                BuyingRole::TechnicalEvaluator,
                BuyingRole::EndUser
            ],
            "expected roles in the setting's order, then the others present"
        );
        assert_eq!(
            c.missing_roles,
            vec![BuyingRole::DecisionMaker, BuyingRole::TechnicalEvaluator]
        );
        assert_eq!(c.unengaged_roles, vec![BuyingRole::EconomicBuyer]);
        assert_eq!(c.covered_share, 0.25, "only CHAMPION of the four expected");
        let champion = &c.roles[2];
        assert_eq!(champion.participants, vec![1, 2]);
        assert_eq!(champion.engaged, 1);
        assert_eq!(champion.last_engaged_at, Some(now - Duration::days(2)));
        assert_eq!(c.roles[0].participants, Vec::<u128>::new());
        assert_eq!(c.roles[0].last_engaged_at, None);
    }

    #[test]
    fn a_touch_exactly_at_the_cut_off_counts_as_engaged() {
        let since = Utc::now();
        let members = [member(1, BuyingRole::Champion, Some(since))];
        let c = coverage(&[BuyingRole::Champion], &members, since);
        assert_eq!(c.covered_share, 1.0);
        assert!(c.unengaged_roles.is_empty());
    }

    #[test]
    fn an_empty_committee_misses_every_expected_role() {
        let c = coverage::<u128>(&DEFAULT_COMMITTEE_ROLES, &[], Utc::now());
        assert_eq!(c.missing_roles, DEFAULT_COMMITTEE_ROLES.to_vec());
        assert_eq!(c.covered_share, 0.0);
        assert_eq!(c.roles.len(), 4);
    }
}
