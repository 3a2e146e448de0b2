//! Lead scoring, pure: which rules match, how behaviour points decay, and when a score makes a
//! lead marketing-qualified.

use chrono::{DateTime, Utc};
use entity::{
    account::AccountTier,
    content::ContentKind,
    engagement::EngagementKind,
    enums::{BuyingRole, BuyingStage, LeadSource, LeadStage},
    scoring_rule::Model as Rule,
};

use crate::error::{UserError, UserErrorCode};

/// What a fit rule looks at: the person and their account.
#[derive(Debug, Clone, Copy)]
pub struct Fit {
    pub buying_role: BuyingRole,
    pub lead_source: Option<LeadSource>,
    pub account_tier: AccountTier,
}

/// What a behaviour rule looks at: one touch, and the content touched.
#[derive(Debug, Clone)]
pub struct Touch<'a> {
    pub kind: EngagementKind,
    pub content_kind: Option<ContentKind>,
    /// The buying stages the content serves.
    pub content_stages: &'a [BuyingStage],
}

/// A rule with an engagement condition (kind, content kind or the content's buying stage) is a
/// behaviour rule: it scores touches, and its points decay. The others are fit rules.
pub fn is_behaviour(rule: &Rule) -> bool {
    rule.engagement_kind.is_some() || rule.content_kind.is_some() || rule.buying_stage.is_some()
}

fn fits(rule: &Rule, fit: Fit) -> bool {
    rule.buying_role.is_none_or(|r| r == fit.buying_role)
        && rule.lead_source.is_none_or(|s| Some(s) == fit.lead_source)
        && rule.account_tier.is_none_or(|t| t == fit.account_tier)
}

/// Whether a fit rule gives its points to this person.
pub fn fit_matches(rule: &Rule, fit: Fit) -> bool {
    !is_behaviour(rule) && fits(rule, fit)
}

/// Whether a behaviour rule gives its points for this touch by this person: all of its given
/// conditions match.
pub fn touch_matches(rule: &Rule, fit: Fit, touch: &Touch<'_>) -> bool {
    is_behaviour(rule)
        && fits(rule, fit)
        && rule.engagement_kind.is_none_or(|k| k == touch.kind)
        && rule.content_kind.is_none_or(|k| Some(k) == touch.content_kind)
        && rule
            .buying_stage
            .is_none_or(|s| touch.content_stages.contains(&s))
}

/// Behaviour points worth `points` at `from`, as they are at `to`: they halve every
/// `half_life_days` (never growing when `to` is earlier).
pub fn decayed(points: f64, from: DateTime<Utc>, to: DateTime<Utc>, half_life_days: i32) -> f64 {
    let elapsed_days = (to - from).num_seconds().max(0) as f64 / 86_400.0;
    points * 0.5_f64.powf(elapsed_days / f64::from(half_life_days.max(1)))
}

/// The lead score: fit points plus behaviour points as they stand, rounded.
pub fn lead_score(fit: i32, behaviour: f64) -> i32 {
    fit.saturating_add(behaviour.round() as i32)
}

/// Whether a score lifts a lead to MQL by itself: only INQUIRY and NURTURE leads, at the threshold.
pub fn qualifies(stage: LeadStage, score: i32, threshold: i32) -> bool {
    matches!(stage, LeadStage::Inquiry | LeadStage::Nurture) && score >= threshold
}

/// Settings within sense: a positive threshold, a half-life of 1 to 3650 days, an SLA of 1 to
/// 720 hours.
pub fn check_settings(mql_threshold: i32, half_life_days: i32, sla_hours: i32) -> Vec<UserError> {
    let mut errors = Vec::new();
    let mut check = |ok: bool, field: &str, message: &str| {
        if !ok {
            errors.push(UserError::new(&[field], UserErrorCode::Invalid, message));
        }
    };
    check(
        mql_threshold >= 1,
        "mqlThreshold",
        "mqlThreshold must be at least 1",
    );
    check(
        (1..=3650).contains(&half_life_days),
        "decayHalfLifeDays",
        "decayHalfLifeDays must be 1 to 3650",
    );
    check(
        (1..=720).contains(&sla_hours),
        "handoffSlaHours",
        "handoffSlaHours must be 1 to 720",
    );
    errors
}

/// Points of a rule: -1000 to 1000, not zero.
pub fn check_points(points: i32) -> Result<(), UserError> {
    if points == 0 || !(-1000..=1000).contains(&points) {
        return Err(UserError::new(
            &["points"],
            UserErrorCode::Invalid,
            "points must be -1000 to 1000, and not 0",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use uuid::Uuid;

    fn rule(points: i32) -> Rule {
        let now = Utc::now();
        Rule {
            id: Uuid::now_v7(),
            name: "r".into(),
            points,
            engagement_kind: None,
            content_kind: None,
            buying_stage: None,
            buying_role: None,
            account_tier: None,
            lead_source: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    const FIT: Fit = Fit {
        buying_role: BuyingRole::Champion,
        lead_source: Some(LeadSource::Webinar),
        account_tier: AccountTier::Tier1,
    };

    #[test]
    fn a_rule_matches_when_all_its_given_conditions_match() {
        let mut r = rule(10);
        r.buying_role = Some(BuyingRole::Champion);
        r.account_tier = Some(AccountTier::Tier1);
        assert!(fit_matches(&r, FIT));
        r.lead_source = Some(LeadSource::Paid);
        assert!(!fit_matches(&r, FIT));
    }

    #[test]
    fn engagement_conditions_make_a_behaviour_rule() {
        let mut r = rule(5);
        r.engagement_kind = Some(EngagementKind::WebinarAttended);
        r.buying_stage = Some(BuyingStage::Validation);
        assert!(is_behaviour(&r));
        assert!(!fit_matches(&r, FIT));
        let stages = [BuyingStage::Validation];
        let touch = Touch {
            kind: EngagementKind::WebinarAttended,
            content_kind: Some(ContentKind::Webinar),
            content_stages: &stages,
        };
        assert!(touch_matches(&r, FIT, &touch));
        let other = Touch {
            kind: EngagementKind::EmailOpened,
            ..touch.clone()
        };
        assert!(!touch_matches(&r, FIT, &other));
        let untagged = Touch {
            content_stages: &[],
            ..touch
        };
        assert!(!touch_matches(&r, FIT, &untagged));
    }

    #[test]
    fn behaviour_points_halve_every_half_life() {
        let t = Utc::now();
        assert!((decayed(80.0, t, t + Duration::days(30), 30) - 40.0).abs() < 1e-9);
        assert!((decayed(80.0, t, t + Duration::days(60), 30) - 20.0).abs() < 1e-9);
        assert!((decayed(80.0, t, t - Duration::days(5), 30) - 80.0).abs() < 1e-9);
        assert_eq!(lead_score(30, 19.6), 50);
    }

    #[test]
    fn only_inquiries_and_nurtured_leads_qualify_by_score() {
        assert!(qualifies(LeadStage::Inquiry, 100, 100));
        assert!(qualifies(LeadStage::Nurture, 120, 100));
        assert!(!qualifies(LeadStage::Inquiry, 99, 100));
        assert!(!qualifies(LeadStage::Sal, 500, 100));
    }

    #[test]
    fn settings_and_points_stay_within_sense() {
        assert!(check_settings(100, 30, 24).is_empty());
        assert_eq!(check_settings(0, 0, 0).len(), 3);
        assert!(check_points(0).is_err());
        assert!(check_points(-5).is_ok());
    }
}
