//! The `## Layers` block of a crate's `lib.rs` doc: the order of its top-level modules.
//!
//! The block is a heading line `//! ## Layers` followed (after optional prose) by a fenced
//! block, one layer per line, top layer first:
//!
//! ```text
//! //! ## Layers
//! //!
//! //! ```text
//! //! repl, format: the front ends
//! //! session: Database and Session
//! //! error: the error type
//! //! ```
//! ```
//!
//! Each line is `name[, name…]: description`. A module may use the modules on lines below
//! its own, and itself; modules that share a line may not use each other.

use std::collections::BTreeMap;

/// The heading that introduces the block.
pub const HEADING: &str = "## Layers";

/// The parsed block: each listed module's layer, counted from the top (0 = top layer).
#[derive(Debug, Default)]
pub struct Layers {
    /// Module name → (layer number, the `lib.rs` line that lists it).
    pub rank: BTreeMap<String, (usize, usize)>,
}

impl Layers {
    /// The layer of `module` (0 = top), if it is listed.
    pub fn layer(&self, module: &str) -> Option<usize> {
        self.rank.get(module).map(|(layer, _)| *layer)
    }
}

/// Reads the `## Layers` block from the text of `lib.rs`.
///
/// Returns the layers and the problems found, each as `(line, message)` with 1-based line
/// numbers of `lib.rs`; a missing block is one problem on line 1.
pub fn parse(lib_rs: &str) -> (Layers, Vec<(usize, String)>) {
    let mut layers = Layers::default();
    let mut problems = Vec::new();
    // The crate doc's lines, with their line numbers and the `//!` (and one space) removed.
    let doc: Vec<(usize, &str)> = lib_rs
        .lines()
        .enumerate()
        .filter_map(|(at, line)| {
            let text = line.trim_start().strip_prefix("//!")?;
            Some((at + 1, text.strip_prefix(' ').unwrap_or(text)))
        })
        .collect();
    let Some(heading) = doc.iter().position(|(_, text)| text.trim() == HEADING) else {
        problems.push((
            1,
            format!(
                "no `//! {HEADING}` block in the crate doc (a ```text fence of \
                 `name[, name…]: description` lines, top layer first)"
            ),
        ));
        return (layers, problems);
    };
    let heading_line = doc[heading].0;
    let mut rest = doc[heading + 1..].iter();
    // Prose may come between the heading and the fence, but not another heading.
    let opened = rest.by_ref().find(|(_, text)| {
        let text = text.trim_start();
        text.starts_with("```") || text.starts_with('#')
    });
    if !opened.is_some_and(|(_, text)| text.trim_start().starts_with("```")) {
        problems.push((
            heading_line,
            format!("`{HEADING}` is not followed by a ``` fence"),
        ));
        return (layers, problems);
    }
    let mut closed = false;
    let mut layer = 0;
    for &(line, text) in rest {
        let text = text.trim();
        if text.starts_with("```") {
            closed = true;
            break;
        }
        if text.is_empty() {
            continue;
        }
        let Some((names, _description)) = text.split_once(':') else {
            problems.push((
                line,
                format!("layer line `{text}` is not `name[, name…]: description`"),
            ));
            continue;
        };
        for name in names.split(',').map(str::trim) {
            if !is_identifier(name) {
                problems.push((
                    line,
                    format!("`{name}` in `{HEADING}` is not a module name"),
                ));
            } else if let Some((_, first)) = layers.rank.get(name) {
                problems.push((
                    line,
                    format!("`{name}` is listed twice in `{HEADING}` (also on line {first})"),
                ));
            } else {
                layers.rank.insert(name.to_string(), (layer, line));
            }
        }
        layer += 1;
    }
    if !closed {
        problems.push((heading_line, format!("the `{HEADING}` fence is not closed")));
    }
    (layers, problems)
}

/// Whether `name` is a plain Rust identifier (a module name).
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
