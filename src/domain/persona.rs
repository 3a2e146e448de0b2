//! Rules of personas.

use crate::{domain::text, error::UserError};

pub const NAME_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 2000;

/// A persona's fields after validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonaFields {
    pub name: String,
    /// The uniqueness key: names differing only in case are the same persona.
    pub name_key: String,
    pub description: Option<String>,
}

/// Validates a persona's name and description, reporting every bad field at once.
pub fn validate(name: &str, description: Option<&str>) -> Result<PersonaFields, Vec<UserError>> {
    let name = text::required_name("name", name, NAME_MAX);
    let description = text::optional_text("description", description, DESCRIPTION_MAX);
    match (name, description) {
        (Ok(name), Ok(description)) => Ok(PersonaFields {
            name_key: name.to_lowercase(),
            name,
            description,
        }),
        (name, description) => Err([name.err(), description.err()].into_iter().flatten().collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_differing_in_case_share_one_key() {
        assert_eq!(
            validate("CFO", None).unwrap().name_key,
            validate("cfo", None).unwrap().name_key
        );
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let errors = validate(" ", Some(&"x".repeat(DESCRIPTION_MAX + 1))).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.join(".")).collect();
        assert_eq!(fields, vec!["name", "description"]);
    }
}
