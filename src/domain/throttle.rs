//! How failed sign-ins slow down password guessing: a few free attempts, then a delay that
//! doubles with every further attempt up to a cap, forgotten after a quiet hour.
//!
//! Attempts are counted before the password is checked (and forgiven after a success), so a
//! burst of guesses sent at once cannot all slip through before the first miss is recorded.

use std::net::IpAddr;

/// The throttling rule of one kind of key (an email, a client address).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Attempts allowed without any delay.
    pub free: u32,
    /// The wait after the first attempt past the free ones; it doubles with each further one.
    pub first_delay_ms: i64,
    /// The longest wait.
    pub max_delay_ms: i64,
    /// A key with no attempt for this long starts again from zero.
    pub forget_after_ms: i64,
}

const MINUTE_MS: i64 = 60_000;

impl Rule {
    /// Per email: an attack on one account slows that account down only.
    pub const fn per_email(first_delay_ms: i64) -> Self {
        Self {
            free: 5,
            first_delay_ms,
            max_delay_ms: 15 * MINUTE_MS,
            forget_after_ms: 60 * MINUTE_MS,
        }
    }

    /// Per client address: more generous, since an office shares one address, but it stops one
    /// client from trying a password on many accounts.
    pub const fn per_client(first_delay_ms: i64) -> Self {
        Self {
            free: 30,
            first_delay_ms,
            max_delay_ms: 15 * MINUTE_MS,
            forget_after_ms: 60 * MINUTE_MS,
        }
    }

    /// The wait that follows the `attempts`-th attempt.
    pub fn delay_after(&self, attempts: u32) -> i64 {
        if attempts <= self.free {
            return 0;
        }
        let doublings = (attempts - self.free - 1).min(40);
        self.first_delay_ms
            .saturating_mul(1_i64 << doublings)
            .min(self.max_delay_ms)
    }

    /// Whether an attempt at `now_ms` may be evaluated, and the key's state once it is.
    pub fn judge(&self, now_ms: i64, current: Attempts) -> Verdict {
        if current.blocked_until_ms > now_ms {
            return Verdict::Wait {
                retry_after_ms: current.blocked_until_ms - now_ms,
            };
        }
        let before = if now_ms - current.last_attempt_ms >= self.forget_after_ms {
            0
        } else {
            current.failures
        };
        let failures = before.saturating_add(1);
        Verdict::Admit(Attempts {
            failures,
            last_attempt_ms: now_ms,
            blocked_until_ms: now_ms.saturating_add(self.delay_after(failures)),
        })
    }
}

/// What is known of one key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Attempts {
    pub failures: u32,
    pub last_attempt_ms: i64,
    pub blocked_until_ms: i64,
}

/// The decision on one attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Evaluate it; the key's state becomes this.
    Admit(Attempts),
    /// Refuse it unseen; try again after this long.
    Wait { retry_after_ms: i64 },
}

/// Seconds for a `Retry-After` header: at least one, rounded up.
pub fn retry_after_seconds(retry_after_ms: i64) -> u64 {
    (retry_after_ms.max(1) as u64).div_ceil(1000)
}

/// What an email is counted under: case and surrounding spaces do not make a new key.
pub fn email_subject(email: &str) -> String {
    format!("email:{}", email.trim().to_lowercase())
}

/// What a client address is counted under. An IPv6 client usually holds a whole /64, so that is
/// the unit; IPv4 addresses count one by one (and an IPv4 address mapped into IPv6 as IPv4).
pub fn client_subject(addr: IpAddr) -> String {
    match addr {
        IpAddr::V4(v4) => format!("client:{v4}"),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("client:{v4}"),
            None => {
                let s = v6.segments();
                format!("client:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: Rule = Rule::per_email(1_000);

    fn after(n: u32, now: i64) -> Attempts {
        let mut state = Attempts::default();
        for i in 0..n {
            let at = now + i64::from(i) * 20 * MINUTE_MS;
            match RULE.judge(at, state) {
                Verdict::Admit(next) => state = next,
                Verdict::Wait { .. } => panic!("attempt {i} was refused"),
            }
        }
        state
    }

    #[test]
    fn the_free_attempts_carry_no_delay() {
        for n in 0..=5 {
            assert_eq!(RULE.delay_after(n), 0);
        }
    }

    #[test]
    fn the_delay_doubles_past_the_free_attempts_up_to_the_cap() {
        assert_eq!(RULE.delay_after(6), 1_000);
        assert_eq!(RULE.delay_after(7), 2_000);
        assert_eq!(RULE.delay_after(8), 4_000);
        assert_eq!(RULE.delay_after(16), 15 * MINUTE_MS);
        assert_eq!(RULE.delay_after(u32::MAX), 15 * MINUTE_MS);
    }

    #[test]
    fn an_attempt_inside_the_wait_is_refused_with_the_time_left() {
        let state = Attempts {
            failures: 6,
            last_attempt_ms: 10_000,
            blocked_until_ms: 11_000,
        };
        assert_eq!(RULE.judge(10_400, state), Verdict::Wait { retry_after_ms: 600 });
        assert!(matches!(RULE.judge(11_000, state), Verdict::Admit(_)));
    }

    #[test]
    fn an_admitted_attempt_counts_and_sets_the_next_wait() {
        let state = Attempts {
            failures: 5,
            last_attempt_ms: 0,
            blocked_until_ms: 0,
        };
        assert_eq!(
            RULE.judge(1_000, state),
            Verdict::Admit(Attempts {
                failures: 6,
                last_attempt_ms: 1_000,
                blocked_until_ms: 2_000,
            })
        );
    }

    #[test]
    fn attempts_twenty_minutes_apart_still_add_up() {
        assert_eq!(after(3, 0).failures, 3);
    }

    #[test]
    fn a_quiet_hour_forgets_the_count() {
        let state = Attempts {
            failures: 3,
            last_attempt_ms: 0,
            blocked_until_ms: 0,
        };
        let Verdict::Admit(next) = RULE.judge(59 * MINUTE_MS, state) else {
            panic!("refused");
        };
        assert_eq!(next.failures, 4);
        let Verdict::Admit(next) = RULE.judge(60 * MINUTE_MS, state) else {
            panic!("refused");
        };
        assert_eq!(next.failures, 1);
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_seconds(1), 1);
        assert_eq!(retry_after_seconds(1_000), 1);
        assert_eq!(retry_after_seconds(1_001), 2);
        assert_eq!(retry_after_seconds(-5), 1);
    }

    #[test]
    fn subjects_ignore_case_and_ipv6_host_bits() {
        assert_eq!(email_subject("  Ann@Example.COM "), "email:ann@example.com");
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(client_subject(a), client_subject(b));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(client_subject(mapped), "client:10.0.0.1");
    }
}
