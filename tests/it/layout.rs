//! Neither crate has an import cycle between its top-level modules (the domain's areas; the
//! api's transport, schema and routes): the tests read each crate's sources, collect each
//! top-level module's references to the others (`crate::<module>`, in code, not in comments or
//! test modules) and fail with the first cycle they find.
//!
//! In the domain, queries are built in the stores only: outside `db/` (the transaction layer),
//! `entities/`, and each area's `store.rs` or `store/`, no code names the ORM or runs a
//! statement. An area's `policy.rs` may build (not run) the `Select` of what a principal may
//! see; `error.rs` reads the driver's errors and `page.rs` is the paging the stores call.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The top-level modules each top-level module of `src` refers to.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).expect("under src");
            let first = relative.components().next().expect("a component");
            let module = first
                .as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_owned();
            if module == "lib" || module == "main" {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read source");
            let refs = graph.entry(module.clone()).or_default();
            refs.extend(references(&text).into_iter().filter(|r| *r != module));
        }
    }
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for refs in graph.values_mut() {
        refs.retain(|r| modules.contains(r));
    }
    graph
}

/// `text` without its comments and without its `#[cfg(test)] mod …` (an item marked
/// `#[cfg(test)]` alone does not hide what follows it).
fn code_of(text: &str) -> String {
    text.split("#[cfg(test)]\nmod ")
        .next()
        .unwrap_or_default()
        .lines()
        .map(|line| match line.trim_start().starts_with("//") {
            true => "",
            false => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What only a store may write: the ORM's and the query builder's names, a row to write, a
/// statement, a connection, the scoped transaction's query and write methods, the tenant
/// registry's queries, raw SQL.
const QUERY_WORDS: &[&str] = &[
    "sea_orm",
    "sea_query",
    "ActiveModel",
    "Statement::",
    ".conn()",
    ".select::<",
    ".insert_many(",
    ".upsert(",
    ".upsert_many(",
    ".update_many::<",
    ".delete_many::<",
    ".tenants()",
    "insert_tenant(",
    "update_tenants(",
    "execute_unscoped",
];

/// The words of [`QUERY_WORDS`] that the file at `relative` (under `domain/src`) may not hold,
/// found in its `code`.
fn queries_outside_stores(relative: &Path, code: &str) -> Vec<&'static str> {
    let parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let file = parts.last().map(String::as_str).unwrap_or_default();
    let in_store = file == "store.rs" || parts.iter().any(|p| p == "store");
    let below_areas = matches!(
        parts[0].as_str(),
        "db" | "entities" | "error.rs" | "page.rs"
    );
    if in_store || below_areas {
        return Vec::new();
    }
    // A policy builds the `Select` of what a principal may see, and runs nothing.
    let allowed: &[&str] = if file == "policy.rs" {
        &["sea_orm", ".select::<"]
    } else {
        &[]
    };
    QUERY_WORDS
        .iter()
        .copied()
        .filter(|word| !allowed.contains(word) && code.contains(word))
        .collect()
}

/// The modules named by `crate::<module>` and `crate::{<module>, …}` in code: comments and
/// the `#[cfg(test)]` module at the end of a file are left out.
fn references(text: &str) -> BTreeSet<String> {
    let code = code_of(text);
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        item_start = false;
                        found.insert(ident(&group[i..]));
                    }
                    _ => {}
                }
            }
        } else {
            found.insert(ident(rest));
        }
    }
    found.remove("");
    found
}

/// A cycle of `graph`, if there is one, as the modules along it (the first repeated last).
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        marks: &mut BTreeMap<String, Mark>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        marks.insert(node.to_owned(), Mark::Open);
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            match marks.get(next) {
                Some(Mark::Open) => {
                    let start = path.iter().position(|m| m == next).unwrap_or(0);
                    let mut found = path[start..].to_vec();
                    found.push(next.clone());
                    return Some(found);
                }
                Some(Mark::Done) => {}
                None => {
                    if let Some(found) = visit(next, graph, marks, path) {
                        return Some(found);
                    }
                }
            }
        }
        path.pop();
        marks.insert(node.to_owned(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in graph.keys() {
        if !marks.contains_key(node)
            && let Some(found) = visit(node, graph, &mut marks, &mut Vec::new())
        {
            return Some(found);
        }
    }
    None
}

fn acyclic(krate: &str, layers: &str) -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(krate)
        .join("src");
    let graph = graph(&src);
    if let Some(found) = cycle(&graph) {
        panic!(
            "import cycle between the top-level modules of {krate}: {}. Move what they share \
             below them, or the caller above ({layers}).",
            found.join(" -> ")
        );
    }
    graph
}

#[test]
fn no_two_domain_areas_import_each_other_even_through_others() {
    let graph = acyclic("domain", "see the layers in domain/src/lib.rs");
    assert!(graph.len() > 20, "the walk found the areas: {graph:?}");
    assert!(
        graph["participants"].contains("db") && graph["cohorts"].contains("participants"),
        "the walk reads references: {graph:?}"
    );
}

/// Every Rust source under `crate_dir/src`: its path relative to `src`, and its code (see
/// [`code_of`]).
fn sources(crate_dir: &str) -> Vec<(std::path::PathBuf, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(crate_dir)
        .join("src");
    let mut stack = vec![src.clone()];
    let mut all = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(&src).expect("under src").to_owned();
                all.push((
                    relative,
                    code_of(&std::fs::read_to_string(&path).expect("read source")),
                ));
            }
        }
    }
    all
}

#[test]
fn the_domain_builds_queries_in_its_stores_only() {
    let all = sources("../domain");
    assert!(
        all.len() > 100,
        "the walk found the sources ({})",
        all.len()
    );
    let found: Vec<String> = all
        .iter()
        .flat_map(|(relative, code)| {
            queries_outside_stores(relative, code)
                .into_iter()
                .map(move |word| format!("{}: {word}", relative.display()))
        })
        .collect();
    assert!(
        found.is_empty(),
        "queries outside the stores (move them to the area's store.rs): {found:#?}"
    );
}

/// Routes authenticate by their arguments (`api/src/http/caller.rs`): the token is verified,
/// and the caller authenticated, only by the extractors there and by the places that are not
/// HTTP routes, each for its reason.
#[test]
fn routes_authenticate_by_their_arguments_only() {
    let all = sources("../api");
    assert!(all.len() > 20, "the walk found the sources ({})", all.len());
    let allowed = [
        // The route extractors.
        Path::new("http/caller.rs"),
        // The verifier of signatures and claims itself.
        Path::new("auth.rs"),
        // WebSocket: the token arrives in the `connection_init` message, not in a header.
        Path::new("ws.rs"),
        // Each live delivery checks the subscriber's account again, in its own transaction.
        Path::new("graphql/notifications/subscription.rs"),
        // `parcours token` signs only claims the service would accept.
        Path::new("startup/keys.rs"),
    ];
    let found: Vec<String> = all
        .iter()
        .filter(|(relative, _)| !allowed.contains(&relative.as_path()))
        .flat_map(|(relative, code)| {
            [
                "Bearer::verify",
                "auth::begin",
                "auth::authenticate",
                ".verify_until(",
            ]
            .into_iter()
            .filter(|word| code.contains(word))
            .map(move |word| format!("{}: {word}", relative.display()))
        })
        .collect();
    assert!(
        found.is_empty(),
        "authentication outside the route extractors (take `Caller` or `Bearer` as an argument): {found:#?}"
    );
}

#[test]
fn only_stores_and_the_layers_below_the_areas_may_name_the_orm() {
    let query = "let rows = tx.select::<cohort::Entity>().all(tx.conn()).await?;";
    let refused = |path: &str| queries_outside_stores(Path::new(path), query);
    assert_eq!(refused("cohorts/mod.rs"), [".conn()", ".select::<"]);
    assert_eq!(refused("cohorts/policy.rs"), [".conn()"]);
    for allowed in [
        "cohorts/store.rs",
        "participants/store/path.rs",
        "db/scope.rs",
        "entities/cohort.rs",
        "page.rs",
    ] {
        assert!(refused(allowed).is_empty(), "{allowed}");
    }
    assert_eq!(
        queries_outside_stores(Path::new("x.rs"), &code_of("// sea_orm\nlet a = 1;")),
        Vec::<&str>::new()
    );
    let behind_a_test_item = "#[cfg(test)]\nconst A: u8 = 1;\ntx.update_many::<e::Entity>()";
    assert_eq!(
        queries_outside_stores(
            Path::new("cohorts/calendar.rs"),
            &code_of(behind_a_test_item)
        ),
        [".update_many::<"]
    );
    let test_module = "let a = 1;\n#[cfg(test)]\nmod tests { use sea_orm::Statement; }";
    assert!(queries_outside_stores(Path::new("x.rs"), &code_of(test_module)).is_empty());
}

#[test]
fn no_two_api_modules_import_each_other_even_through_others() {
    let graph = acyclic("api", "see api/src/lib.rs");
    assert!(graph.len() > 10, "the walk found the modules: {graph:?}");
}

#[test]
fn the_reader_sees_grouped_imports_and_skips_comments_and_tests() {
    let text = "use crate::{db::{Tx, Mode}, ids::TenantId};\n\
                // crate::commented\n\
                /// [`crate::doc_link`]\n\
                let x = crate::paris::today();\n\
                #[cfg(test)]\nmod tests { use crate::demo; }";
    let found: Vec<String> = references(text).into_iter().collect();
    assert_eq!(found, ["db", "ids", "paris"]);
    let mut looped = BTreeMap::new();
    looped.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    looped.insert("b".to_owned(), BTreeSet::from(["c".to_owned()]));
    looped.insert("c".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(cycle(&looped).map(|c| c.join(">")), Some("a>b>c>a".into()));
    looped.get_mut("c").expect("c").clear();
    assert_eq!(cycle(&looped), None);
}
