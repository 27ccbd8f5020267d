//! Tidy checks of the crate's invariants: a leaf crate (no `vec-*` dependency), no printing
//! from library code, and a `//!` paragraph at the top of every source file.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn depends_on_no_other_workspace_crate() {
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
    for line in manifest.lines() {
        let name = line.split('=').next().unwrap_or("").trim();
        assert!(
            !name.starts_with("vec-"),
            "vec-storage must stay a leaf crate: {line}"
        );
    }
}

#[test]
fn library_code_never_prints_and_every_file_has_a_module_doc() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches"] {
        rust_files(&root.join(dir), &mut files);
    }
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with("//!"),
            "{} lacks a //! paragraph",
            file.display()
        );
        if file.starts_with(root.join("src")) {
            for forbidden in ["println!", "eprintln!", "print!(", "dbg!"] {
                assert!(
                    !text.contains(forbidden),
                    "{} prints ({forbidden})",
                    file.display()
                );
            }
        }
    }
}
