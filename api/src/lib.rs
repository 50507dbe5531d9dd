//! The `parcours` service: configuration, start-up, the router and the CLI commands.
//! `main.rs` parses the command line and calls these; the black-box tests build the same router.

mod attachments;
pub mod auth;
pub mod config;
mod connections;
pub mod errors;
mod exports;
mod graphiql;
pub mod graphql;
pub mod guard;
pub mod http;
mod imports;
pub mod limits;
pub mod metrics;
mod pdf;
mod sheets;
mod startup;
pub mod state;
pub mod telemetry;
mod ws;

pub use startup::{
    StartError, build_router, checked_token, connect_and_migrate, demo, dev_secret, migrate,
    retention, schema_sdl, serve, serve_on, structure_argument, token,
};

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    /// The top-level modules each top-level module of `api/src` names as `crate::<module>` in
    /// its code (comments, doc links included, are left out; `lib.rs` and `main.rs` are the
    /// roots, not modules).
    fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut pending = vec![src.clone()];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).expect("api/src is readable") {
                let path = entry.expect("a directory entry").path();
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let relative = path.strip_prefix(&src).expect("under api/src");
                let first = relative.components().next().expect("a file name");
                let module = Path::new(first.as_os_str())
                    .file_stem()
                    .expect("a name")
                    .to_string_lossy()
                    .into_owned();
                if module == "lib" || module == "main" {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("a source file");
                let used = graph.entry(module.clone()).or_default();
                for line in text.lines() {
                    let code = line.split("//").next().unwrap_or_default();
                    used.extend(crate_paths(code).into_iter().filter(|m| *m != module));
                }
            }
        }
        graph
    }

    /// The first segments after each `crate::` in `code`, groups (`crate::{a, b::c}`) included.
    fn crate_paths(code: &str) -> Vec<String> {
        let ident = |s: &str| {
            s.trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<String>()
        };
        let mut found = Vec::new();
        for (at, prefix) in code.match_indices("crate::") {
            let rest = &code[at + prefix.len()..];
            match rest.strip_prefix('{') {
                Some(group) => {
                    let group = group.split('}').next().unwrap_or_default();
                    found.extend(group.split(',').map(ident));
                }
                None => found.push(ident(rest)),
            }
        }
        found.retain(|m| !m.is_empty());
        found
    }

    /// A cycle in `graph`, if there is one, as the modules along it.
    fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
        fn visit(
            module: &str,
            graph: &BTreeMap<String, BTreeSet<String>>,
            path: &mut Vec<String>,
            done: &mut BTreeSet<String>,
        ) -> Option<Vec<String>> {
            if let Some(start) = path.iter().position(|m| m == module) {
                let mut found = path[start..].to_vec();
                found.push(module.to_owned());
                return Some(found);
            }
            if done.contains(module) {
                return None;
            }
            path.push(module.to_owned());
            for next in graph.get(module).into_iter().flatten() {
                if let Some(found) = visit(next, graph, path, done) {
                    return Some(found);
                }
            }
            path.pop();
            done.insert(module.to_owned());
            None
        }
        let mut done = BTreeSet::new();
        graph
            .keys()
            .find_map(|module| visit(module, graph, &mut Vec::new(), &mut done))
    }

    #[test]
    fn the_top_level_modules_import_each_other_without_a_cycle() {
        let graph = module_graph();
        assert!(graph.contains_key("http") && graph["http"].contains("state"));
        if let Some(found) = cycle(&graph) {
            panic!("api/src has an import cycle: {}", found.join(" -> "));
        }
    }

    #[test]
    fn crate_paths_are_read_from_code() {
        assert_eq!(crate_paths("use crate::http::Refusal;"), ["http"]);
        assert_eq!(
            crate_paths("use crate::{errors, state::GraphqlState};"),
            ["errors", "state"]
        );
        assert_eq!(
            crate_paths("crate::ws::is_upgrade(crate::state::x)"),
            ["ws", "state"]
        );
    }
}
