//! Tidy checks: the project's structural rules, checked mechanically so they stay true.
//!
//! - Crate layering: each crate may depend only on the `vec-*` crates listed for it in
//!   [`ALLOWED_EDGES`] (the source of truth; the README's Layout section draws it and each
//!   crate's `lib.rs` states its place in an `Invariant:` line), read from `cargo metadata`.
//! - Module layering ([`modules`]): in each crate of [`LAYERED_CRATES`], a top-level module
//!   may use only the modules below its own line in the `## Layers` block of `lib.rs`.
//! - Every `.rs` file under a crate's `src/`, `tests/` or `benches/` starts with a `//!`
//!   paragraph saying what it is for.
//! - No source file is longer than [`MAX_FILE_LINES`] lines.

pub mod layers;
pub mod modules;
pub mod scan;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace crates each crate may depend on (normal and dev dependencies alike).
pub const ALLOWED_EDGES: &[(&str, &[&str])] = &[
    ("vec-simd", &[]),
    ("vec-storage", &[]),
    ("vec-text", &[]),
    ("vec-types", &["vec-simd"]),
    // Itself as well: its tests turn on its `testing` feature through a dev-dependency.
    ("vec-index", &["vec-types", "vec-index"]),
    ("vec-hnsw", &["vec-types", "vec-index"]),
    ("vec-ivf", &["vec-types", "vec-index"]),
    (
        "vec-shell",
        &[
            "vec-simd",
            "vec-types",
            "vec-index",
            "vec-hnsw",
            "vec-ivf",
            "vec-storage",
            "vec-text",
        ],
    ),
    (
        "xtask",
        &[
            "vec-simd",
            "vec-types",
            "vec-index",
            "vec-hnsw",
            "vec-ivf",
            "vec-storage",
            "vec-text",
            "vec-shell",
        ],
    ),
];

/// The crates whose `lib.rs` lists their top-level modules in a `## Layers` block, checked by
/// [`modules::check`]. A crate opts in by writing the block and joining this list.
pub const LAYERED_CRATES: &[&str] = &["vec-shell"];

/// Source files longer than this must be split by concept.
pub const MAX_FILE_LINES: usize = 800;

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// Runs every tidy check and returns all problems found.
pub fn run_all(root: &Path) -> Result<(), Vec<String>> {
    let mut problems = check_layering(root);
    for crate_dir in LAYERED_CRATES {
        problems.extend(modules::check(root, crate_dir));
    }
    problems.extend(check_source_files(root));
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Checks the dependency edges between workspace crates (as `cargo metadata` reports them)
/// against [`ALLOWED_EDGES`].
pub fn check_layering(root: &Path) -> Vec<String> {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(root)
        .output();
    let output = match output {
        Ok(output) if output.status.success() => output,
        Ok(output) => {
            return vec![format!(
                "cargo metadata failed: {}",
                String::from_utf8_lossy(&output.stderr)
            )]
        }
        Err(error) => return vec![format!("cannot run cargo metadata: {error}")],
    };
    let metadata: serde_json::Value = match serde_json::from_slice(&output.stdout) {
        Ok(value) => value,
        Err(error) => return vec![format!("cargo metadata output is not JSON: {error}")],
    };
    let workspace_crates: Vec<&str> = ALLOWED_EDGES.iter().map(|(name, _)| *name).collect();
    let mut problems = Vec::new();
    let packages = metadata["packages"].as_array().cloned().unwrap_or_default();
    for package in &packages {
        let name = package["name"].as_str().unwrap_or_default();
        let Some((_, allowed)) = ALLOWED_EDGES
            .iter()
            .find(|(crate_name, _)| *crate_name == name)
        else {
            problems.push(format!("crate `{name}` is not in the layering table"));
            continue;
        };
        for dependency in package["dependencies"].as_array().into_iter().flatten() {
            let dep_name = dependency["name"].as_str().unwrap_or_default();
            if workspace_crates.contains(&dep_name) && !allowed.contains(&dep_name) {
                problems.push(format!("`{name}` must not depend on `{dep_name}`"));
            }
        }
    }
    problems
}

/// Checks the `//!` header and the length of every Rust source file in the workspace.
pub fn check_source_files(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for (crate_name, _) in ALLOWED_EDGES {
        for dir in ["src", "tests", "benches"] {
            collect_rust_files(&root.join(crate_name).join(dir), &mut files);
        }
    }
    let mut problems = Vec::new();
    for file in files {
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(error) => {
                problems.push(format!("{}: {error}", file.display()));
                continue;
            }
        };
        let shown = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        if !text.trim_start().starts_with("//!") {
            problems.push(format!("{shown}: does not start with a `//!` paragraph"));
        }
        let lines = text.lines().count();
        if lines > MAX_FILE_LINES {
            problems.push(format!(
                "{shown}: {lines} lines (over {MAX_FILE_LINES}; split it)"
            ));
        }
    }
    problems
}

fn collect_rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_rust_files(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_layering_follows_allowed_edges() {
        let problems = check_layering(&workspace_root());
        assert!(
            problems.is_empty(),
            "layering problems:\n{}",
            problems.join("\n")
        );
    }

    #[test]
    fn source_files_have_headers_and_stay_small() {
        let problems = check_source_files(&workspace_root());
        assert!(
            problems.is_empty(),
            "source file problems:\n{}",
            problems.join("\n")
        );
    }

    #[test]
    fn layering_check_catches_a_forbidden_edge() {
        let dir = tempdir_with_workspace(r#"vec-types = { path = "../vec-types" }"#);
        let problems = check_layering(dir.path());
        assert!(
            problems
                .iter()
                .any(|p| p.contains("`vec-simd` must not depend on `vec-types`")),
            "expected a layering problem, got {problems:?}"
        );
    }

    #[test]
    fn header_check_catches_a_missing_paragraph() {
        let dir = tempdir_with_workspace("");
        std::fs::write(dir.path().join("vec-types/src/extra.rs"), "fn f() {}\n").unwrap();
        let problems = check_source_files(dir.path());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("extra.rs"));
    }

    /// A two-crate workspace where `vec-simd` gets the extra dependency lines given.
    fn tempdir_with_workspace(simd_extra_dependency: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("Cargo.toml"),
            "[workspace]\nmembers = [\"vec-simd\", \"vec-types\"]\nresolver = \"2\"\n",
        )
        .unwrap();
        for (name, deps) in [("vec-simd", simd_extra_dependency), ("vec-types", "")] {
            std::fs::create_dir_all(root.join(name).join("src")).unwrap();
            let manifest = format!(
                "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[dependencies]\n{deps}\n"
            );
            std::fs::write(root.join(name).join("Cargo.toml"), manifest).unwrap();
            std::fs::write(root.join(name).join("src/lib.rs"), "//! Test crate.\n").unwrap();
        }
        dir
    }
}
