//! The README's configuration table is the one `src/config.rs` documents, every variable the
//! configuration reads is in it, and the README's links to `docs/` lead somewhere.

use std::collections::BTreeSet;

fn read(path: &str) -> String {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// The rows of the table at the top of `src/config.rs`.
fn config_table() -> Vec<String> {
    read("src/config.rs")
        .lines()
        .filter_map(|line| line.strip_prefix("//! |"))
        .map(|row| format!("|{row}"))
        .collect()
}

#[test]
fn the_readme_shows_the_configuration_table_of_config_rs() {
    let table = config_table();
    assert!(
        table.len() > 3,
        "config.rs documents its variables in a table"
    );
    let readme = read("README.md");
    let expected = table.join("\n");
    assert!(
        readme.contains(&expected),
        "README.md's configuration table differs from src/config.rs; it must read:\n{expected}"
    );
}

#[test]
fn every_variable_the_configuration_reads_is_documented() {
    let source = read("src/config.rs");
    let code = source
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let read_names: BTreeSet<String> = code
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with("VOORTGANG_") || *s == "DATABASE_URL")
        .map(str::to_string)
        .collect();
    assert!(
        read_names.contains("VOORTGANG_LOG_FORMAT"),
        "{read_names:?}"
    );
    let table = config_table().join("\n");
    for name in read_names {
        assert!(
            table.contains(&format!("| `{name}` |")),
            "{name} is read but not documented"
        );
    }
}

#[test]
fn the_readmes_links_to_docs_lead_to_files() {
    let readme = read("README.md");
    let mut linked = 0;
    for (at, _) in readme.match_indices("](docs/") {
        let rest = &readme[at + 2..];
        let target = &rest[..rest.find(')').expect("a closed link")];
        let file = target.split('#').next().unwrap();
        assert!(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(file)
                .is_file(),
            "README links to {target}, which is not there"
        );
        linked += 1;
    }
    assert!(linked >= 9, "README links to the documents in docs/");
}
