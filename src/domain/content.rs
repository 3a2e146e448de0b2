//! Rules of marketing content: its address, tags and publishing.

use entity::content::ContentStatus;

use crate::error::{UserError, UserErrorCode};

/// The most tags of one kind a piece of content carries.
pub const MAX_TAGS: usize = 30;

/// A link to the content: an absolute http(s) URL on one line, at most 2048 characters.
pub fn url(value: Option<&str>) -> Result<Option<String>, UserError> {
    let Some(url) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let valid = rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && url.len() <= 2048
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(Some(url.to_owned()))
    } else {
        Err(UserError::new(
            &["url"],
            UserErrorCode::Invalid,
            "url must be an absolute http or https address",
        ))
    }
}

/// Free-form tags (topics): trimmed, lower case, without blanks or duplicates, each at most 100
/// characters, at most 30.
pub fn tags(field: &str, values: &[String], lower: bool) -> Result<Vec<String>, UserError> {
    let mut out: Vec<String> = Vec::new();
    for value in values {
        let value = value.trim();
        if value.is_empty() || value.chars().count() > 100 || value.chars().any(char::is_control) {
            return Err(UserError::new(
                &[field],
                UserErrorCode::Invalid,
                "each value must be 1 to 100 characters on one line",
            ));
        }
        let value = if lower {
            value.to_lowercase()
        } else {
            value.to_owned()
        };
        if !out.iter().any(|v| v.eq_ignore_ascii_case(&value)) {
            out.push(value);
        }
    }
    if out.len() > MAX_TAGS {
        return Err(UserError::new(
            &[field],
            UserErrorCode::Invalid,
            format!("at most {MAX_TAGS} values"),
        ));
    }
    Ok(out)
}

/// Whether content in `status` may be published: drafts may; published content stays as it is;
/// archived content is retired for good.
pub fn may_publish(status: ContentStatus) -> Result<bool, UserError> {
    match status {
        ContentStatus::Draft => Ok(true),
        ContentStatus::Published => Ok(false),
        ContentStatus::Archived => Err(UserError::new(
            &["id"],
            UserErrorCode::InvalidTransition,
            "archived content cannot be published again",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_absolute_web_addresses() {
        assert_eq!(
            url(Some(" https://x.io/a ")).unwrap().as_deref(),
            Some("https://x.io/a")
        );
        assert_eq!(url(Some("  ")).unwrap(), None);
        assert!(url(Some("ftp://x.io")).is_err());
        assert!(url(Some("https://")).is_err());
        assert!(url(Some("https://x.io/a b")).is_err());
    }

    #[test]
    fn topics_are_lower_case_and_unique() {
        let got = tags(
            "topics",
            &["Security ".into(), "security".into(), "AI".into()],
            true,
        )
        .unwrap();
        assert_eq!(got, vec!["security", "ai"]);
        assert!(tags("topics", &["".into()], true).is_err());
    }

    #[test]
    fn only_drafts_are_published() {
        assert!(may_publish(ContentStatus::Draft).unwrap());
        assert!(!may_publish(ContentStatus::Published).unwrap());
        assert_eq!(
            may_publish(ContentStatus::Archived).unwrap_err().code,
            UserErrorCode::InvalidTransition
        );
    }
}
