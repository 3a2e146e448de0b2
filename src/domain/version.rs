//! Optimistic concurrency: a change that names the version it read must still see that version.

use crate::error::{UserError, UserErrorCode};

/// Refuses the change with STALE_VERSION when the caller's `expectedVersion` is not the current one.
pub fn check_version(expected: Option<i32>, actual: i32) -> Result<(), UserError> {
    match expected {
        Some(expected) if expected != actual => Err(stale(actual)),
        _ => Ok(()),
    }
}

/// The error for a record that changed under the caller.
pub fn stale(actual: i32) -> UserError {
    UserError::new(
        &["expectedVersion"],
        UserErrorCode::StaleVersion,
        format!("the record changed (now at version {actual}): reload it and try again"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stale_expected_version_is_refused() {
        assert_eq!(
            check_version(Some(1), 2).unwrap_err().code,
            UserErrorCode::StaleVersion
        );
    }

    #[test]
    fn the_current_or_no_expected_version_passes() {
        assert!(check_version(Some(2), 2).is_ok());
        assert!(check_version(None, 7).is_ok());
    }
}
