//! The accepted failures: statements allowed to differ from pgvector's output, each named
//! by its file and line in the "Accepted failures" table of `xtask/REGRESS.md` (read with
//! `--accepted FILE`). The floors count them as passed; the report still shows their diff.

use anyhow::{bail, Context, Result};
use std::collections::BTreeSet;
use std::path::Path;

/// The heading of the section whose table lists the accepted failures.
const HEADING: &str = "## Accepted failures";

/// A set of (file name, script line) pairs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Accepted {
    entries: BTreeSet<(String, usize)>,
}

impl Accepted {
    /// Reads the list from a Markdown file.
    pub fn read(path: &Path) -> Result<Accepted> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Accepted::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    /// Parses the table under `## Accepted failures`: rows of the form
    /// `` | `file` | line | … | ``, the header and separator rows skipped.
    pub fn parse(markdown: &str) -> Result<Accepted> {
        let Some(start) = markdown.find(HEADING) else {
            bail!("no \"{HEADING}\" section");
        };
        let section = &markdown[start + HEADING.len()..];
        let section = section.find("\n#").map_or(section, |end| &section[..end]);
        let mut entries = BTreeSet::new();
        for row in section.lines().filter(|line| line.starts_with('|')) {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let (Some(file), Some(line)) = (cells.get(1), cells.get(2)) else {
                continue;
            };
            let Some(file) = file.strip_prefix('`').and_then(|f| f.strip_suffix('`')) else {
                continue;
            };
            let line: usize = line
                .parse()
                .with_context(|| format!("row {row:?}: the line is not a number"))?;
            entries.insert((file.to_string(), line));
        }
        Ok(Accepted { entries })
    }

    /// Whether the statement at `line` of file `name` may fail.
    pub fn contains(&self, name: &str, line: usize) -> bool {
        self.entries.contains(&(name.to_string(), line))
    }

    /// The number of listed statements.
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_rows_of_its_section_only() {
        let text = "# T\n\n## Accepted failures\n\nprose\n\n| file | line | why |\n|---|---:|---|\n\
                    | `hnsw_vector` | 123 | wide |\n| `bit` | 7 | x \\| y |\n\n## Next\n\n| `other` | 1 | no |\n";
        let accepted = Accepted::parse(text).unwrap();
        assert_eq!(accepted.len(), 2);
        assert!(accepted.contains("hnsw_vector", 123));
        assert!(accepted.contains("bit", 7));
        assert!(!accepted.contains("other", 1));
        assert!(!accepted.contains("hnsw_vector", 124));
    }

    #[test]
    fn refuses_a_missing_section_and_a_bad_line() {
        assert!(Accepted::parse("# nothing here\n").is_err());
        assert!(Accepted::parse("## Accepted failures\n| `a` | x12 | why |\n").is_err());
    }

    #[test]
    fn the_project_list_parses() {
        let path = crate::tidy::workspace_root().join("xtask/REGRESS.md");
        let accepted = Accepted::read(&path).unwrap();
        assert!(accepted.len() >= 4, "{accepted:?}");
    }
}
