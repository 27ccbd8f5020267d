//! Tests of the module layering check on small fixture crates written to a temporary
//! folder, one rule broken at a time, and on the real `vec-shell`.

use super::*;
use crate::tidy::workspace_root;

const LIB: &str = r#"//! A fixture crate.
//!
//! ## Layers
//!
//! Top layer first.
//!
//! ```text
//! repl, format: the front ends
//! session: sessions
//! sql: the parser
//! error: the error type
//! ```

pub mod error;
pub mod format;
pub mod repl;
pub mod session;
pub mod sql;

pub use error::EngineError;
pub use session::{Database, Session as Sess};
pub use std::collections::HashMap;

pub const ROOT_LIMIT: usize = 3;
"#;

/// The files of a fixture that follows its layers.
const CLEAN: &[(&str, &str)] = &[
    ("lib.rs", LIB),
    (
        "error.rs",
        "//! Errors.\n\npub struct EngineError;\n\
         pub type Result<T> = std::result::Result<T, crate::error::EngineError>;\n",
    ),
    (
        "sql/mod.rs",
        "//! SQL.\n\npub mod parser;\n\nuse crate::error::EngineError;\n\
         pub use self::parser::parse;\n",
    ),
    (
        "sql/parser.rs",
        "//! The parser.\n\nuse super::super::error::EngineError;\nuse super::parse as p;\n\n\
         pub fn parse() -> Result<(), crate::EngineError> {\n    Ok(())\n}\n",
    ),
    (
        "session.rs",
        "//! Sessions.\n\nuse crate::{\n    error::EngineError,\n    sql::{self, parser::parse},\n};\n\n\
         pub struct Database;\npub struct Session;\n\
         pub fn run() {\n    let _ = format!(\"{}\", crate::sql::NAME);\n}\n",
    ),
    (
        "format.rs",
        "//! Output.\n\nuse crate::session::Session;\nuse crate::HashMap;\n\npub fn show() {}\n",
    ),
    (
        "repl.rs",
        "//! The shell.\n\nuse crate::Database;\n\nmod inner {\n    use super::super::sql::parse;\n}\n",
    ),
];

/// Writes the clean fixture, with `changes` replacing or adding files, and checks it.
fn check_fixture(changes: &[(&str, &str)]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("fx/src");
    let mut files: BTreeMap<&str, &str> = CLEAN.iter().copied().collect();
    files.extend(changes.iter().copied());
    for (name, text) in files {
        let path = src.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    check(dir.path(), "fx")
}

/// The 1-based line of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|line| line.contains(needle)).unwrap() + 1
}

#[test]
fn a_clean_fixture_passes() {
    assert_eq!(check_fixture(&[]), Vec::<String>::new());
}

#[test]
fn an_upward_import_is_caught_with_file_and_line() {
    let parser =
        "//! The parser.\n\nuse crate::error::EngineError;\nuse crate::session::Session;\n";
    assert_eq!(
        check_fixture(&[("sql/parser.rs", parser)]),
        ["fx/src/sql/parser.rs:4: `sql` uses `session`, a higher layer (lib.rs ## Layers)"]
    );
}

#[test]
fn grouped_imports_inline_paths_and_macro_arguments_are_caught() {
    let error = "//! Errors.\n\nuse crate::{\n    sql::parser,\n    session::{Database, Session as S},\n};\n\n\
                 pub fn f() {\n    crate::format::show();\n    \
                 let _ = vec![crate::repl::LIMIT];\n}\n";
    let problems = check_fixture(&[("error.rs", error)]);
    let expected: Vec<String> = [
        ("sql::parser", "sql"),
        ("session::{", "session"),
        ("crate::format", "format"),
        ("crate::repl", "repl"),
    ]
    .iter()
    .map(|(needle, module)| {
        format!(
            "fx/src/error.rs:{}: `error` uses `{module}`, a higher layer (lib.rs ## Layers)",
            line_of(error, needle)
        )
    })
    .collect();
    assert_eq!(problems, expected);
}

#[test]
fn super_chains_that_climb_to_the_root_are_caught() {
    let parser = "//! The parser.\n\nuse super::super::session;\nuse super::helper;\n\n\
                  fn f() -> super::super::repl::Shell {\n    Default::default()\n}\n";
    let module = "//! SQL.\n\npub mod parser;\n\nuse super::format::show;\n";
    assert_eq!(
        check_fixture(&[("sql/parser.rs", parser), ("sql/mod.rs", module)]),
        [
            "fx/src/sql/mod.rs:5: `sql` uses `format`, a higher layer (lib.rs ## Layers)",
            "fx/src/sql/parser.rs:3: `sql` uses `session`, a higher layer (lib.rs ## Layers)",
            "fx/src/sql/parser.rs:6: `sql` uses `repl`, a higher layer (lib.rs ## Layers)",
        ]
    );
}

#[test]
fn a_peer_on_the_same_line_is_caught() {
    let repl = "//! The shell.\n\nuse crate::format::show;\n";
    assert_eq!(
        check_fixture(&[("repl.rs", repl)]),
        ["fx/src/repl.rs:3: `repl` uses `format`, which shares its layer line (lib.rs ## Layers)"]
    );
}

#[test]
fn test_code_comments_doc_comments_strings_and_visibilities_are_not_uses() {
    let parser = r####"//! The parser; see `crate::session::Session`.

/// Returns a [`crate::session::Session`], or see [`crate::repl`].
pub fn f() {
    // crate::session::f();
    /* crate::session::f(); /* nested crate::repl::g() */ */
    let text = "crate::session::Session } {";
    let raw = r#"crate::session::f() "} "#;
    let quote = '"';
    let brace = '}';
    let _ = format!("{}", "crate::session::x");
}

pub(crate) fn g() {}
pub(super) fn h() {}
pub(in crate::sql) fn i() {}

#[cfg(test)]
mod tests {
    use crate::session::Session;

    fn t() {
        let _ = "{";
        crate::repl::run();
    }
}

#[cfg(test)]
fn helper() -> crate::session::Session {
    Default::default()
}
"####;
    let module = "//! SQL.\n\npub mod parser;\n#[cfg(test)]\nmod parser_tests;\n";
    let test_file = "//! Tests.\n\nuse crate::session::Session;\n";
    assert_eq!(
        check_fixture(&[
            ("sql/parser.rs", parser),
            ("sql/mod.rs", module),
            ("sql/parser_tests.rs", test_file),
            ("sql/tests.rs", test_file),
            ("sql/tests/more.rs", test_file),
        ]),
        Vec::<String>::new()
    );
}

#[test]
fn a_module_missing_from_the_list_is_reported() {
    let problems = check_fixture(&[
        ("extra.rs", "//! Extra.\n"),
        ("plan/mod.rs", "//! Plans.\n"),
        (
            "bin/tool.rs",
            "//! A binary.\nuse crate::session::Session;\n",
        ),
        ("main.rs", "//! A binary.\n"),
    ]);
    assert_eq!(
        problems,
        [
            "fx/src/extra.rs:1: module `extra` is not in lib.rs `## Layers`; place it on a layer line",
            "fx/src/plan/mod.rs:1: module `plan` is not in lib.rs `## Layers`; place it on a layer line",
        ]
    );
}

#[test]
fn root_re_exports_resolve_to_their_module() {
    let parser = "//! The parser.\n\nuse crate::EngineError;\nuse crate::Sess;\n\n\
                  pub fn f(_: crate::Database, _: crate::Nowhere) -> usize {\n    crate::ROOT_LIMIT\n}\n";
    assert_eq!(
        check_fixture(&[("sql/parser.rs", parser)]),
        [
            "fx/src/sql/parser.rs:4: `sql` uses `session` (through `crate::Sess`), a higher layer \
             (lib.rs ## Layers)",
            "fx/src/sql/parser.rs:6: `sql` uses `session` (through `crate::Database`), a higher \
             layer (lib.rs ## Layers)",
            "fx/src/sql/parser.rs:6: unresolved crate path `crate::Nowhere` (not a module of the \
             crate, nor re-exported by lib.rs)",
            "fx/src/sql/parser.rs:7: `sql` uses `crate::ROOT_LIMIT`, defined in lib.rs outside \
             every layer",
        ]
    );
}

#[test]
fn exported_macros_belong_to_their_module() {
    let session = "//! Sessions.\n\n#[macro_export]\nmacro_rules! bail {\n    () => {};\n}\n";
    let parser = "//! The parser.\n\nfn f() {\n    crate::bail!();\n}\n";
    assert_eq!(
        check_fixture(&[("session.rs", session), ("sql/parser.rs", parser)]),
        [
            "fx/src/sql/parser.rs:4: `sql` uses `session` (through `crate::bail`), a higher layer \
          (lib.rs ## Layers)"
        ]
    );
}

#[test]
fn the_layers_block_is_required_and_checked() {
    let no_block = LIB.replace("## Layers", "## Modules");
    let problems = check_fixture(&[("lib.rs", &no_block)]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("fx/src/lib.rs:1: no `//! ## Layers` block"));

    let unknown = LIB.replace(
        "//! error: the error type",
        "//! error, errors: the error type",
    );
    assert_eq!(
        check_fixture(&[("lib.rs", &unknown)]),
        ["fx/src/lib.rs:11: `errors` is listed in `## Layers` but is not a module of the crate"]
    );

    let malformed = LIB.replace("//! session: sessions", "//! session sessions");
    let problems = check_fixture(&[("lib.rs", &malformed)]);
    assert!(
        problems[0].starts_with("fx/src/lib.rs:9: layer line `session sessions`"),
        "{problems:?}"
    );
}

#[test]
fn every_vec_shell_file_parses() {
    let src = workspace_root().join("vec-shell/src");
    let mut files = Vec::new();
    collect_module_files(&src, &src, &mut files);
    assert!(files.len() > 20, "{} files", files.len());
    for (path, module_path) in files {
        let text = std::fs::read_to_string(&path).unwrap();
        if let Err(error) = scan::scan(&text, &module_path) {
            panic!("{}: {error}", path.display());
        }
    }
}

#[test]
fn vec_shell_modules_follow_their_layers() {
    let problems = check(&workspace_root(), "vec-shell");
    assert!(
        problems.is_empty(),
        "module layering problems:\n{}",
        problems.join("\n")
    );
}
