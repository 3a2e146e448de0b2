//! Services: one module per aggregate. They open transactions, validate through the domain
//! rules and read and write through sea-orm. GraphQL resolvers call them and nothing below.

pub mod account;
pub mod api_token;
pub mod auth;
pub mod page;
pub mod persona;
pub mod role;
pub mod stakeholder;
pub mod user;

/// A `LIKE` pattern matching values that start with `prefix`, with `%`, `_` and `\` escaped
/// (pair it with `ESCAPE '\'`).
pub fn prefix_pattern(prefix: &str) -> String {
    let mut pattern = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_prefix_pattern_escapes_wildcards() {
        assert_eq!(super::prefix_pattern("50%_a\\"), "50\\%\\_a\\\\%");
    }
}
