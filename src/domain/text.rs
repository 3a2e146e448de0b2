//! Validated text values shared by every aggregate.

use crate::error::{UserError, UserErrorCode};

/// A required, trimmed, single-line name of at most `max` characters.
pub fn required_name(field: &str, value: &str, max: usize) -> Result<String, UserError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(UserError::new(
            &[field],
            UserErrorCode::Invalid,
            format!("{field} must not be blank"),
        ));
    }
    if trimmed.chars().count() > max {
        return Err(UserError::new(
            &[field],
            UserErrorCode::Invalid,
            format!("{field} must be at most {max} characters"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(UserError::new(
            &[field],
            UserErrorCode::Invalid,
            format!("{field} must be a single line without control characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// Optional free text of at most `max` characters; blank becomes absent. Line breaks and tabs
/// are text; any other control character (NUL, escape sequences, backspace...) is refused.
pub fn optional_text(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, UserError> {
    let Some(trimmed) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if trimmed.chars().count() > max {
        return Err(UserError::new(
            &[field],
            UserErrorCode::Invalid,
            format!("{field} must be at most {max} characters"),
        ));
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(UserError::new(
            &[field],
            UserErrorCode::Invalid,
            format!("{field} must not contain control characters other than line breaks and tabs"),
        ));
    }
    Ok(Some(trimmed.to_owned()))
}

/// An outside system's key for a record (`externalId`): trimmed, not blank, one line without
/// control characters, at most 200 characters (the column's width).
pub fn external_id(field: &str, value: &str) -> Result<String, UserError> {
    required_name(field, value, 200)
}

/// An email address: one `@`, a dotted domain, no spaces, at most 320 characters.
pub fn email(field: &str, value: &str) -> Result<String, UserError> {
    let email = value.trim();
    let invalid = || UserError::new(&[field], UserErrorCode::Invalid, "the email address is not valid");
    let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
    let valid = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && email.len() <= 320
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(email.to_owned())
    } else {
        Err(invalid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed() {
        assert_eq!(required_name("name", "  CFO ", 10).unwrap(), "CFO");
    }

    #[test]
    fn free_text_keeps_line_breaks_and_refuses_other_control_characters() {
        assert_eq!(
            optional_text("note", Some("one\r\n\ttwo"), 100)
                .unwrap()
                .as_deref(),
            Some("one\r\n\ttwo")
        );
        for bad in [
            "a\u{1b}[31mred",
            "bell\u{7}",
            "back\u{8}space",
            "nul\u{0}",
            "c1\u{85}x",
        ] {
            let err = optional_text("note", Some(bad), 100).unwrap_err();
            assert_eq!(err.code, UserErrorCode::Invalid, "{bad:?}");
            assert_eq!(err.field, vec!["note"]);
        }
    }

    #[test]
    fn a_blank_name_is_invalid_on_its_field() {
        let err = required_name("name", "   ", 10).unwrap_err();
        assert_eq!(err.field, vec!["name"]);
        assert_eq!(err.code, UserErrorCode::Invalid);
    }

    #[test]
    fn a_name_longer_than_the_limit_is_invalid() {
        assert!(required_name("name", &"x".repeat(11), 10).is_err());
        assert!(required_name("name", &"é".repeat(10), 10).is_ok());
    }

    #[test]
    fn a_name_with_a_newline_is_invalid() {
        assert!(required_name("name", "a\nb", 10).is_err());
    }

    #[test]
    fn an_email_needs_a_local_part_and_a_dotted_domain() {
        assert_eq!(email("email", " ana@acme.com ").unwrap(), "ana@acme.com");
        for bad in [
            "ana",
            "@acme.com",
            "ana@acme",
            "ana@.com",
            "a na@acme.com",
            "a@b@acme.com",
        ] {
            assert!(email("email", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn blank_optional_text_becomes_absent() {
        assert_eq!(optional_text("d", Some("  "), 5).unwrap(), None);
        assert!(optional_text("d", Some("123456"), 5).is_err());
    }

    #[test]
    fn an_external_id_is_one_trimmed_line_of_at_most_200_characters() {
        assert_eq!(external_id("externalId", " crm-1 ").unwrap(), "crm-1");
        assert!(external_id("externalId", &"x".repeat(200)).is_ok());
        assert!(external_id("externalId", &"x".repeat(201)).is_err());
        assert!(external_id("externalId", "a\nb").is_err());
        assert!(external_id("externalId", "  ").is_err());
    }
}
