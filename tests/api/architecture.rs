//! The layers of `src/` hold: start-up and HTTP above the features, features above the shared
//! plumbing, and no import cycle between feature folders (see `docs/architecture.md`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Shared plumbing: imports nothing above it.
const PLUMBING: &[&str] = &["api", "auth", "config", "db", "error", "office"];
/// Start-up and the HTTP layer: may use everything.
const TOP: &[&str] = &["http", "startup", "main", "lib"];

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to.
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).expect("under src/");
    let first = relative.components().next().expect("a component");
    let name = first.as_os_str().to_string_lossy();
    name.trim_end_matches(".rs").to_string()
}

/// The top-level modules a source text names after `crate::` (also inside `use crate::{..}`).
fn imported(text: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = BTreeSet::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        if let Some(list) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item_start = true;
            for (i, c) in list.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if c.is_whitespace() => {}
                    _ if item_start && depth == 0 => {
                        found.insert(ident(&list[i..]));
                        item_start = false;
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

/// Module -> the other top-level modules it imports.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let module = module_of(&src, &file);
        let text = std::fs::read_to_string(&file).expect("a readable source file");
        let entry = graph.entry(module.clone()).or_default();
        entry.extend(imported(&text).into_iter().filter(|m| *m != module));
    }
    graph
}

#[test]
fn the_import_reader_sees_single_and_grouped_imports() {
    let text = "use crate::db::Database;\nuse crate::{actions::{self, repo}, audit};\nlet x = crate::error::ApiError::NotFound;";
    let found: Vec<String> = imported(text).into_iter().collect();
    assert_eq!(found, ["actions", "audit", "db", "error"]);
}

#[test]
fn lower_layers_never_import_higher_ones() {
    let mut wrong = Vec::new();
    for (module, uses) in imports() {
        if TOP.contains(&module.as_str()) {
            continue;
        }
        for used in uses {
            let higher = TOP.contains(&used.as_str())
                || (PLUMBING.contains(&module.as_str()) && !PLUMBING.contains(&used.as_str()));
            if higher {
                wrong.push(format!("{module} imports {used}"));
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layers: {wrong:?}");
}

#[test]
fn feature_folders_import_each_other_without_cycles() {
    let graph = imports();
    let features: BTreeMap<&String, Vec<&String>> = graph
        .iter()
        .filter(|(m, _)| !PLUMBING.contains(&m.as_str()) && !TOP.contains(&m.as_str()))
        .map(|(m, uses)| {
            let feature_uses = uses
                .iter()
                .filter(|u| graph.contains_key(*u) && !PLUMBING.contains(&u.as_str()))
                .filter(|u| !TOP.contains(&u.as_str()))
                .collect();
            (m, feature_uses)
        })
        .collect();
    // depth-first search for a back edge, reporting the cycle it closes
    fn visit<'a>(
        node: &'a String,
        features: &BTreeMap<&'a String, Vec<&'a String>>,
        path: &mut Vec<&'a String>,
        done: &mut BTreeSet<&'a String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| *n == node) {
            let mut cycle: Vec<String> = path[at..].iter().map(|s| s.to_string()).collect();
            cycle.push(node.clone());
            return Some(cycle);
        }
        if !done.insert(node) {
            return None;
        }
        path.push(node);
        for next in features.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, features, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for node in features.keys() {
        let cycle = visit(node, &features, &mut Vec::new(), &mut done);
        assert!(
            cycle.is_none(),
            "an import cycle: {}",
            cycle.unwrap().join(" -> ")
        );
    }
}
