//! Checks on a GraphQL document that run before (or instead of) async-graphql's own.
//!
//! async-graphql 7.2's parser limits selection-set recursion but not the nesting of list and
//! object *values*: a few kilobytes of `[[[[…` overflow the worker's stack and abort the whole
//! process. [`nesting_depth_exceeds`] scans the raw text, outside strings and comments, before
//! anything parses it. [`expanded_field_count`] counts the fields an operation would execute,
//! fragments expanded, because `__typename` costs nothing in async-graphql's complexity count.

use std::collections::HashMap;

use async_graphql::parser::types::{
    ExecutableDocument, FragmentDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Request, Value as ConstValue};
use async_graphql_value::Value as GqlValue;

use crate::errors;

/// A document refused before execution (a request error): its stable code and message.
#[derive(Debug)]
pub struct BadDocument {
    pub code: &'static str,
    pub message: String,
    /// The argument or input field at fault, when there is one.
    pub field: Option<String>,
}

/// The operation a request selects: its type and its own name.
#[derive(Debug)]
pub struct Selected {
    pub ty: OperationType,
    pub name: Option<String>,
    /// Whether its root selection set is one field (not several, nor a fragment that may
    /// hold several): a mutation of one field is one change.
    pub single_root_field: bool,
    /// Whether it is a query whose root fields are all introspection (`__schema`, `__type`,
    /// `__typename`), fragments at the root included, and one at least reads the schema.
    pub introspection_only: bool,
    /// Whether a root field reads the schema (`__schema` or `__type`).
    pub introspects: bool,
}

/// The checks before parsing (the text's length, its bracket nesting), the parse, and the
/// operation the request selects (`None`: the document has no operation of that name, which
/// execution reports).
pub fn parse_within(
    request: &mut Request,
    max_bytes: usize,
    max_nesting: usize,
) -> Result<Option<Selected>, BadDocument> {
    if request.query.len() > max_bytes {
        return Err(BadDocument {
            code: errors::QUERY_TOO_LARGE,
            message: format!("the query is longer than {max_bytes} bytes"),
            field: None,
        });
    }
    if nesting_depth_exceeds(&request.query, max_nesting) {
        return Err(BadDocument {
            code: errors::QUERY_TOO_DEEP,
            message: format!("brackets nest deeper than {max_nesting}"),
            field: None,
        });
    }
    let wanted = request.operation_name.clone();
    if !remembered(request) {
        let document = parsed(request)?.clone();
        remember(&request.query, document);
    }
    let document = parsed(request)?;
    Ok(document
        .operations
        .iter()
        .find(|(name, _)| wanted.is_none() || name.map(|n| n.as_str()) == wanted.as_deref())
        .map(|(name, op)| Selected {
            ty: op.node.ty,
            name: name.map(|n| n.to_string()),
            single_root_field: matches!(
                op.node.selection_set.node.items.as_slice(),
                [item] if matches!(item.node, Selection::Field(_))
            ),
            introspection_only: op.node.ty == OperationType::Query
                && introspection_only(&op.node.selection_set.node, &document.fragments, 0)
                && !introspection_free(&op.node.selection_set.node, &document.fragments, 0),
            introspects: !introspection_free(&op.node.selection_set.node, &document.fragments, 0),
        }))
}

/// Whether every root field of `set` (through fragments, a few levels at most) is an
/// introspection field.
fn introspection_only(
    set: &SelectionSet,
    fragments: &HashMap<Name, Positioned<FragmentDefinition>>,
    depth: usize,
) -> bool {
    depth < 8
        && !set.items.is_empty()
        && set.items.iter().all(|item| match &item.node {
            Selection::Field(field) => matches!(
                field.node.name.node.as_str(),
                "__schema" | "__type" | "__typename"
            ),
            Selection::InlineFragment(fragment) => {
                introspection_only(&fragment.node.selection_set.node, fragments, depth + 1)
            }
            Selection::FragmentSpread(spread) => fragments
                .get(&spread.node.fragment_name.node)
                .is_some_and(|f| {
                    introspection_only(&f.node.selection_set.node, fragments, depth + 1)
                }),
        })
}

/// Whether no root field of `set` (through fragments) reads the schema.
fn introspection_free(
    set: &SelectionSet,
    fragments: &HashMap<Name, Positioned<FragmentDefinition>>,
    depth: usize,
) -> bool {
    depth >= 8
        || set.items.iter().all(|item| match &item.node {
            Selection::Field(field) => {
                !matches!(field.node.name.node.as_str(), "__schema" | "__type")
            }
            Selection::InlineFragment(fragment) => {
                introspection_free(&fragment.node.selection_set.node, fragments, depth + 1)
            }
            Selection::FragmentSpread(spread) => fragments
                .get(&spread.node.fragment_name.node)
                .is_none_or(|f| {
                    introspection_free(&f.node.selection_set.node, fragments, depth + 1)
                }),
        })
}

/// Refuse a document that selects more than `max` fields once its fragments are expanded.
pub fn fields_within(request: &mut Request, max: usize) -> Result<(), BadDocument> {
    if expanded_field_count(parsed(request)?, max) > max {
        return Err(BadDocument {
            code: errors::QUERY_TOO_COMPLEX,
            message: format!("the query selects more than {max} fields"),
            field: None,
        });
    }
    Ok(())
}

/// Refuse a request whose arguments hold a text that no field takes (see
/// [`parcours_domain::text::refuse_foreign`]): every string the operations pass, written in
/// the document or sent as a variable, at any depth of lists and input objects. This is the
/// one wall for every argument, whichever field reads it (searches, filters and cursors
/// included); each field's own parse then applies its own length and shape. The error names
/// the innermost argument or input field holding the text.
pub fn texts_within(request: &mut Request) -> Result<(), BadDocument> {
    // The variables are lent out while the document is read (both live in `request`), not
    // copied: this runs on every request.
    let variables = std::mem::take(&mut request.variables);
    let checked = texts_of(request, &variables);
    request.variables = variables;
    checked
}

fn texts_of(
    request: &mut Request,
    variables: &async_graphql::Variables,
) -> Result<(), BadDocument> {
    let document = parsed(request)?;
    let mut walk = Texts {
        variables,
        defaults: HashMap::new(),
    };
    // The variables' default values, of every operation: a fragment may read them too.
    for (_, operation) in document.operations.iter() {
        for definition in &operation.node.variable_definitions {
            if let Some(default) = &definition.node.default_value {
                walk.defaults
                    .insert(definition.node.name.node.as_str(), &default.node);
            }
        }
    }
    for (_, operation) in document.operations.iter() {
        walk.selection_set(&operation.node.selection_set.node)?;
    }
    for fragment in document.fragments.values() {
        walk.selection_set(&fragment.node.selection_set.node)?;
    }
    Ok(())
}

struct Texts<'a> {
    variables: &'a async_graphql::Variables,
    defaults: HashMap<&'a str, &'a ConstValue>,
}

impl Texts<'_> {
    fn selection_set(&self, set: &SelectionSet) -> Result<(), BadDocument> {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    for (name, value) in &field.node.arguments {
                        self.value(name.node.as_str(), &value.node)?;
                    }
                    for directive in &field.node.directives {
                        for (name, value) in &directive.node.arguments {
                            self.value(name.node.as_str(), &value.node)?;
                        }
                    }
                    self.selection_set(&field.node.selection_set.node)?;
                }
                Selection::InlineFragment(fragment) => {
                    self.selection_set(&fragment.node.selection_set.node)?;
                }
                // Fragments are walked once each, from the document.
                Selection::FragmentSpread(_) => {}
            }
        }
        Ok(())
    }

    fn value(&self, field: &str, value: &GqlValue) -> Result<(), BadDocument> {
        match value {
            GqlValue::Variable(name) => {
                match self
                    .variables
                    .get(name)
                    .or_else(|| self.defaults.get(name.as_str()).copied())
                {
                    Some(value) => constant(field, value),
                    None => Ok(()),
                }
            }
            GqlValue::String(text) => plain(field, text),
            GqlValue::List(items) => items.iter().try_for_each(|v| self.value(field, v)),
            GqlValue::Object(fields) => fields
                .iter()
                .try_for_each(|(name, v)| self.value(name.as_str(), v)),
            _ => Ok(()),
        }
    }
}

fn constant(field: &str, value: &ConstValue) -> Result<(), BadDocument> {
    match value {
        ConstValue::String(text) => plain(field, text),
        ConstValue::List(items) => items.iter().try_for_each(|v| constant(field, v)),
        ConstValue::Object(fields) => fields
            .iter()
            .try_for_each(|(name, v)| constant(name.as_str(), v)),
        _ => Ok(()),
    }
}

fn plain(field: &str, text: &str) -> Result<(), BadDocument> {
    parcours_domain::text::refuse_foreign(field, text).map_err(|e| BadDocument {
        code: errors::VALIDATION,
        message: e.to_string(),
        field: Some(field.to_owned()),
    })
}

/// Documents already parsed, by their text. Clients send the same few documents again and
/// again, and parsing one is about a tenth of a small request's work (callgrind). A document
/// depends on its text alone; the memo is bounded and emptied when full.
static PARSED: std::sync::OnceLock<std::sync::Mutex<HashMap<String, ExecutableDocument>>> =
    std::sync::OnceLock::new();
/// How many documents [`PARSED`] keeps (at most 32 KiB of text each).
const PARSED_DOCUMENTS: usize = 256;

fn memo() -> std::sync::MutexGuard<'static, HashMap<String, ExecutableDocument>> {
    // A poisoned memo is still a valid memo.
    PARSED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// Give `request` its document when this text was parsed before.
fn remembered(request: &mut Request) -> bool {
    let found = memo().get(&request.query).cloned();
    let known = found.is_some();
    if let Some(document) = found {
        request.set_parsed_query(document);
    }
    known
}

fn remember(query: &str, document: ExecutableDocument) {
    let mut memo = memo();
    if memo.contains_key(query) {
        return;
    }
    if memo.len() >= PARSED_DOCUMENTS {
        memo.clear();
    }
    memo.insert(query.to_owned(), document);
}

fn parsed(request: &mut Request) -> Result<&ExecutableDocument, BadDocument> {
    request.parsed_query().map_err(|e| BadDocument {
        code: errors::GRAPHQL_PARSE_FAILED,
        message: e.message,
        field: None,
    })
}

/// Whether brackets (`[`, `{`, `(`) nest deeper than `max` anywhere outside strings and
/// comments.
pub fn nesting_depth_exceeds(query: &str, max: usize) -> bool {
    let bytes = query.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    // `\"""` is an escaped triple quote inside a block string.
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'[' | b'{' | b'(' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b']' | b'}' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    false
}

/// The number of fields the operations of `document` select, each fragment spread counted with
/// the fields of its fragment; stops counting past `limit` (returns `limit + 1`).
pub fn expanded_field_count(document: &ExecutableDocument, limit: usize) -> usize {
    let mut counter = Counter {
        fragments: &document.fragments,
        memo: HashMap::new(),
        visiting: Vec::new(),
        limit,
    };
    let mut total = 0usize;
    for (_, operation) in document.operations.iter() {
        total = total.saturating_add(counter.selection_set(&operation.node.selection_set.node));
        if total > limit {
            return limit + 1;
        }
    }
    total
}

struct Counter<'a> {
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    memo: HashMap<&'a str, usize>,
    visiting: Vec<&'a str>,
    limit: usize,
}

impl<'a> Counter<'a> {
    fn selection_set(&mut self, set: &'a SelectionSet) -> usize {
        let mut total = 0usize;
        for item in &set.items {
            let n = match &item.node {
                Selection::Field(field) => 1 + self.selection_set(&field.node.selection_set.node),
                Selection::InlineFragment(fragment) => {
                    self.selection_set(&fragment.node.selection_set.node)
                }
                Selection::FragmentSpread(spread) => {
                    self.fragment(spread.node.fragment_name.node.as_str())
                }
            };
            total = total.saturating_add(n);
            if total > self.limit {
                return self.limit + 1;
            }
        }
        total
    }

    fn fragment(&mut self, name: &'a str) -> usize {
        if let Some(n) = self.memo.get(name) {
            return *n;
        }
        // A cycle is a validation error that async-graphql reports; count it as nothing here.
        if self.visiting.contains(&name) {
            return 0;
        }
        let Some(fragment) = self.fragments.get(name) else {
            return 0;
        };
        self.visiting.push(name);
        let n = self.selection_set(&fragment.node.selection_set.node);
        self.visiting.pop();
        self.memo.insert(name, n);
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_counts_brackets_outside_strings_and_comments() {
        let deep = format!("{{ a(x: {}1{}) }}", "[".repeat(70), "]".repeat(70));
        assert!(nesting_depth_exceeds(&deep, 64));
        let shallow = format!("{{ a(x: {}1{}) }}", "[".repeat(10), "]".repeat(10));
        assert!(!nesting_depth_exceeds(&shallow, 64));
        let in_string = format!("{{ a(x: \"{}\") }}", "[".repeat(5000));
        assert!(
            !nesting_depth_exceeds(&in_string, 64),
            "brackets in a string are text"
        );
        let in_block = format!("{{ a(x: \"\"\"{}\\\"\"\"\"\"\") }}", "{".repeat(5000));
        assert!(!nesting_depth_exceeds(&in_block, 64), "block string");
        let in_comment = format!("# {}\n{{ a }}", "(".repeat(5000));
        assert!(!nesting_depth_exceeds(&in_comment, 64), "comment");
    }

    #[test]
    fn unterminated_strings_do_not_panic() {
        assert!(!nesting_depth_exceeds("{ a(x: \"\\", 64));
        assert!(!nesting_depth_exceeds("{ a(x: \"\"\"abc", 64));
    }

    #[test]
    fn field_count_expands_fragments() {
        let fragment = format!("fragment F on Query {{ {} }}", "__typename ".repeat(100));
        let spreads = "...F ".repeat(100);
        let query = format!("{{ {spreads} }} {fragment}");
        let document = async_graphql::parser::parse_query(&query).expect("parses");
        assert_eq!(expanded_field_count(&document, 100_000), 10_000);
        assert_eq!(expanded_field_count(&document, 500), 501);
    }

    #[test]
    fn field_count_survives_fragment_cycles() {
        let query = "{ ...A } fragment A on Query { a ...B } fragment B on Query { b ...A }";
        let document = async_graphql::parser::parse_query(query).expect("parses");
        assert!(expanded_field_count(&document, 500) <= 3);
    }
}
