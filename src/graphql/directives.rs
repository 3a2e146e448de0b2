//! The GraphQL spec's validation rules for directives, which async-graphql 7.2 leaves partly
//! unchecked: it never looks at directives on `__typename` (so `{ __typename @unknown }` ran) and
//! lets `@skip(if: 3)` or an `@include` without `if` through to execution. This pass runs on the
//! document as the client sent it (before named fragments are inlined, which would move a
//! fragment definition's directives to another location) and checks, for every directive:
//! KnownDirectives, DirectivesInValidLocations, DirectivesAreUniquePerLocation,
//! KnownArgumentNames, UniqueArgumentNames, ProvidedRequiredArguments, ValuesOfCorrectType, and,
//! for a variable given as an argument, NoUndefinedVariables and AllVariableUsagesAreAllowed.

use std::collections::HashSet;

use async_graphql::{
    Name, Positioned, ServerError,
    parser::types::{
        BaseType, Directive, DocumentOperations, ExecutableDocument, OperationDefinition, OperationType,
        Selection, SelectionSet, Type, VariableDefinition,
    },
};
use async_graphql_value::{ConstValue, Value};

/// Where a directive stands in an executable document (the spec's ExecutableDirectiveLocation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    Query,
    Mutation,
    Subscription,
    Field,
    FragmentDefinition,
    FragmentSpread,
    InlineFragment,
    VariableDefinition,
}

impl Location {
    fn as_str(self) -> &'static str {
        match self {
            Self::Query => "QUERY",
            Self::Mutation => "MUTATION",
            Self::Subscription => "SUBSCRIPTION",
            Self::Field => "FIELD",
            Self::FragmentDefinition => "FRAGMENT_DEFINITION",
            Self::FragmentSpread => "FRAGMENT_SPREAD",
            Self::InlineFragment => "INLINE_FRAGMENT",
            Self::VariableDefinition => "VARIABLE_DEFINITION",
        }
    }
}

/// One directive a document may use: its locations and its arguments (name, type as in SDL).
struct Definition {
    name: &'static str,
    locations: &'static [Location],
    args: &'static [(&'static str, &'static str)],
    repeatable: bool,
}

const CONDITIONAL: &[Location] = &[
    Location::Field,
    Location::FragmentSpread,
    Location::InlineFragment,
];

/// The executable directives of the schema. `@deprecated`, `@specifiedBy` and `@oneOf` exist too,
/// but only at type-system locations, where no executable document can put them: used in a
/// query they are refused as misplaced. A unit test keeps this table in step with the SDL.
const DIRECTIVES: &[Definition] = &[
    Definition {
        name: "skip",
        locations: CONDITIONAL,
        args: &[("if", "Boolean!")],
        repeatable: false,
    },
    Definition {
        name: "include",
        locations: CONDITIONAL,
        args: &[("if", "Boolean!")],
        repeatable: false,
    },
];

/// The directives of the schema that are defined only at type-system locations.
const TYPE_SYSTEM_ONLY: &[&str] = &["deprecated", "specifiedBy", "oneOf"];

/// Checks every directive of the document; the errors (with the directive's location) are the
/// GRAPHQL_VALIDATION_FAILED answer, in document order.
pub fn check(doc: &ExecutableDocument) -> Vec<ServerError> {
    let mut errors = Vec::new();
    let operations: Vec<&OperationDefinition> = match &doc.operations {
        DocumentOperations::Single(op) => vec![&op.node],
        DocumentOperations::Multiple(ops) => ops.values().map(|op| &op.node).collect(),
    };
    for op in operations {
        let mut walk = Walk {
            doc,
            variables: &op.variable_definitions,
            seen: HashSet::new(),
            errors: &mut errors,
        };
        let location = match op.ty {
            OperationType::Query => Location::Query,
            OperationType::Mutation => Location::Mutation,
            OperationType::Subscription => Location::Subscription,
        };
        walk.directives(&op.directives, location);
        for definition in &op.variable_definitions {
            // A variable's own directives cannot use variables: none is in scope yet.
            let mut constant = Walk {
                doc,
                variables: &[],
                seen: HashSet::new(),
                errors: walk.errors,
            };
            constant.directives(&definition.node.directives, Location::VariableDefinition);
            walk.errors = constant.errors;
        }
        walk.set(&op.selection_set.node);
    }
    errors
}

/// One operation's walk: fragments are entered where they are spread (once each), so their
/// variables are checked against the operation that uses them.
struct Walk<'d, 'e> {
    doc: &'d ExecutableDocument,
    variables: &'d [Positioned<VariableDefinition>],
    seen: HashSet<&'d str>,
    errors: &'e mut Vec<ServerError>,
}

impl<'d> Walk<'d, '_> {
    fn set(&mut self, set: &'d SelectionSet) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    self.directives(&field.node.directives, Location::Field);
                    self.set(&field.node.selection_set.node);
                }
                Selection::InlineFragment(fragment) => {
                    self.directives(&fragment.node.directives, Location::InlineFragment);
                    self.set(&fragment.node.selection_set.node);
                }
                Selection::FragmentSpread(spread) => {
                    self.directives(&spread.node.directives, Location::FragmentSpread);
                    let name = spread.node.fragment_name.node.as_str();
                    // An unknown fragment is refused when fragments are inlined.
                    if let Some((key, fragment)) = self.doc.fragments.get_key_value(name)
                        && self.seen.insert(key.as_str())
                    {
                        self.directives(&fragment.node.directives, Location::FragmentDefinition);
                        self.set(&fragment.node.selection_set.node);
                    }
                }
            }
        }
    }

    fn directives(&mut self, directives: &'d [Positioned<Directive>], location: Location) {
        let mut used: Vec<&str> = Vec::new();
        for directive in directives {
            let name = directive.node.name.node.as_str();
            let Some(definition) = DIRECTIVES.iter().find(|d| d.name == name) else {
                let message = if TYPE_SYSTEM_ONLY.contains(&name) {
                    format!("Directive \"@{name}\" may not be used on {}.", location.as_str())
                } else {
                    format!("Unknown directive \"@{name}\".")
                };
                self.refuse(directive, message);
                continue;
            };
            if !definition.locations.contains(&location) {
                let message = format!("Directive \"@{name}\" may not be used on {}.", location.as_str());
                self.refuse(directive, message);
                continue;
            }
            if !definition.repeatable && used.contains(&name) {
                let message = format!("The directive \"@{name}\" can only be used once at this location.");
                self.refuse(directive, message);
                continue;
            }
            used.push(name);
            self.arguments(directive, definition);
        }
    }

    fn arguments(&mut self, directive: &'d Positioned<Directive>, definition: &Definition) {
        let name = definition.name;
        let mut given: Vec<&str> = Vec::new();
        for (arg, value) in &directive.node.arguments {
            let arg = arg.node.as_str();
            let Some((_, ty)) = definition.args.iter().find(|(n, _)| *n == arg) else {
                self.refuse(
                    directive,
                    format!("Unknown argument \"{arg}\" on directive \"@{name}\"."),
                );
                continue;
            };
            if given.contains(&arg) {
                self.refuse(
                    directive,
                    format!("There can be only one argument named \"{arg}\"."),
                );
                continue;
            }
            given.push(arg);
            if let Err(message) = self.value(&value.node, ty) {
                let message = format!("Directive \"@{name}\" argument \"{arg}\" {message}");
                self.refuse(directive, message);
            }
        }
        for (arg, ty) in definition.args {
            if ty.ends_with('!') && !given.contains(arg) {
                let message = format!(
                    "Directive \"@{name}\" argument \"{arg}\" of type \"{ty}\" is required, but it was not provided."
                );
                self.refuse(directive, message);
            }
        }
    }

    /// Whether `value` fits the argument type `ty` (a scalar, `!` when required); the error
    /// completes a sentence about the argument.
    fn value(&self, value: &Value, ty: &str) -> Result<(), String> {
        let (scalar, required) = match ty.strip_suffix('!') {
            Some(scalar) => (scalar, true),
            None => (ty, false),
        };
        let fits = match value {
            Value::Variable(var) => return self.variable(var, scalar, required, ty),
            Value::Null => !required,
            Value::Boolean(_) => scalar == "Boolean",
            Value::String(_) => matches!(scalar, "String" | "ID"),
            Value::Number(n) => match scalar {
                "Int" | "ID" => n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
                "Float" => true,
                _ => false,
            },
            Value::Binary(_) | Value::Enum(_) | Value::List(_) | Value::Object(_) => false,
        };
        if fits {
            Ok(())
        } else {
            Err(format!("expects a value of type \"{ty}\", found {value}."))
        }
    }

    fn variable(&self, var: &Name, scalar: &str, required: bool, ty: &str) -> Result<(), String> {
        let Some(definition) = self.variables.iter().find(|d| d.node.name.node == *var) else {
            return Err(format!("uses the variable \"${var}\", which is not defined."));
        };
        let declared: &Type = &definition.node.var_type.node;
        let named = matches!(&declared.base, BaseType::Named(n) if n.as_str() == scalar);
        // A nullable variable may fill a required argument only when its default is not null
        // (the spec's AllVariableUsagesAreAllowed).
        let non_null = !declared.nullable
            || definition
                .node
                .default_value
                .as_ref()
                .is_some_and(|d| d.node != ConstValue::Null);
        if named && (non_null || !required) {
            Ok(())
        } else {
            Err(format!(
                "expects a value of type \"{ty}\", but the variable \"${var}\" is of type \"{declared}\"."
            ))
        }
    }

    fn refuse(&mut self, directive: &Positioned<Directive>, message: String) {
        self.errors.push(ServerError::new(message, Some(directive.pos)));
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn messages(query: &str) -> Vec<String> {
        check(&parse_query(query).unwrap())
            .into_iter()
            .map(|e| e.message)
            .collect()
    }

    fn refused(query: &str, needle: &str) {
        let messages = messages(query);
        assert!(
            messages.iter().any(|m| m.contains(needle)),
            "{query}: {messages:?} lacks {needle}"
        );
    }

    #[test]
    fn skip_and_include_with_a_boolean_or_a_boolean_variable_pass() {
        let query = "query($a: Boolean!, $b: Boolean = true) {
            x @skip(if: true) @include(if: $a) ...F @include(if: $b) ... on Query @skip(if: false) { y }
        } fragment F on Query { z @skip(if: $a) }";
        assert!(messages(query).is_empty(), "{:?}", messages(query));
    }

    #[test]
    fn an_unknown_directive_is_refused_also_on_typename() {
        refused("{ __typename @unknown }", "Unknown directive \"@unknown\"");
        refused("query @cached { x }", "Unknown directive \"@cached\"");
    }

    #[test]
    fn a_directive_out_of_its_locations_is_refused() {
        refused("query @skip(if: true) { x }", "may not be used on QUERY");
        refused(
            "{ ...F } fragment F on Query @include(if: true) { x }",
            "FRAGMENT_DEFINITION",
        );
        refused("query($v: Int @skip(if: true)) { x }", "VARIABLE_DEFINITION");
        refused("{ x @deprecated }", "\"@deprecated\" may not be used on FIELD");
        refused("{ x @specifiedBy(url: \"u\") }", "may not be used on FIELD");
    }

    #[test]
    fn a_directive_twice_in_one_place_is_refused() {
        refused("{ x @skip(if: false) @skip(if: true) }", "only be used once");
        assert!(messages("{ a: x @skip(if: false) b: x @skip(if: true) }").is_empty());
    }

    #[test]
    fn wrong_missing_unknown_and_repeated_arguments_are_refused() {
        refused(
            "{ x @skip(if: 3) }",
            "expects a value of type \"Boolean!\", found 3",
        );
        refused("{ x @skip(if: \"true\") }", "found \"true\"");
        refused("{ x @include(if: null) }", "found null");
        refused(
            "{ x @include }",
            "argument \"if\" of type \"Boolean!\" is required",
        );
        refused(
            "{ x @include(if: true, unless: false) }",
            "Unknown argument \"unless\"",
        );
        refused(
            "{ x @include(if: true, if: false) }",
            "only one argument named \"if\"",
        );
    }

    #[test]
    fn a_variable_argument_must_be_defined_and_of_an_allowed_type() {
        refused("{ x @skip(if: $nope) }", "\"$nope\", which is not defined");
        refused("query($n: Int!) { x @skip(if: $n) }", "is of type \"Int!\"");
        refused("query($b: Boolean) { x @skip(if: $b) }", "is of type \"Boolean\"");
        refused(
            "query($b: Boolean) { ...F } fragment F on Query { x @skip(if: $b) }",
            "is of type \"Boolean\"",
        );
    }

    #[test]
    fn the_error_points_at_the_directive() {
        let errors = check(&parse_query("{\n  x @nope\n}").unwrap());
        assert_eq!(errors[0].locations[0].line, 2);
        assert_eq!(errors[0].locations[0].column, 5);
    }

    #[test]
    fn the_table_holds_every_executable_directive_of_the_schema() {
        let sdl = crate::graphql::sdl();
        let executable = ["FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT", "QUERY", "MUTATION"];
        for line in sdl.lines().filter(|l| l.starts_with("directive @")) {
            let name = line["directive @".len()..]
                .split(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap();
            let (_, locations) = line.split_once(" on ").unwrap();
            let is_executable = locations.split('|').any(|l| executable.contains(&l.trim()));
            let known = DIRECTIVES.iter().any(|d| d.name == name);
            assert_eq!(known, is_executable, "{line}");
            assert!(known || TYPE_SYSTEM_ONLY.contains(&name), "{line}");
        }
    }
}
