//! The layering the architecture map promises, checked on the source tree:
//! GraphQL stays in `graphql/` and `http/`, time comes from the clock, the
//! database layer knows no domain, and no module imports from a layer above it.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn tree() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    files
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(root).unwrap().display().to_string();
            (relative, std::fs::read_to_string(&path).unwrap())
        })
        .collect()
}

fn offenders(rule: impl Fn(&str, &str) -> bool) -> Vec<String> {
    tree()
        .into_iter()
        .filter(|(path, text)| rule(path, text))
        .map(|(path, _)| path)
        .collect()
}

#[test]
fn graphql_lives_only_in_the_graphql_and_http_layers() {
    let found = offenders(|path, text| {
        !path.starts_with("src/graphql/")
            && !path.starts_with("src/http/")
            && text.contains("async_graphql")
    });
    assert!(found.is_empty(), "async_graphql used in {found:?}");
}

#[test]
fn time_comes_from_the_clock() {
    let found = offenders(|path, text| path != "src/clock.rs" && text.contains("Utc::now()"));
    assert!(found.is_empty(), "Utc::now() called in {found:?}");
}

#[test]
fn no_module_imports_from_a_layer_above_it() {
    let found = offenders(|path, text| {
        (path == "src/db.rs" && text.contains("crate::"))
            || (path.starts_with("src/http/") && text.contains("crate::app"))
            || (path.starts_with("src/graphql/") && text.contains("crate::workers"))
            || (!path.starts_with("src/graphql/")
                && !path.starts_with("src/http/")
                && path != "src/app.rs"
                && path != "src/main.rs"
                && text.contains("crate::graphql"))
    });
    assert!(found.is_empty(), "upward imports in {found:?}");
}
