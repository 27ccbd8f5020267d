//! `cargo xtask dataset export`: writes a dataset's base rows, with the `name` and `summary`
//! texts of its `base.tsv` when it has one, as a CSV or binary `COPY` file ([`copy`]), so
//! that a vecsh table (or PostgreSQL with pgvector) can load it:
//!
//! ```sql
//! CREATE TABLE items (id bigint PRIMARY KEY, name text, summary text, embedding vector(384));
//! COPY items FROM 'items.csv' WITH (FORMAT csv, HEADER);   -- or WITH (FORMAT binary)
//! ```

pub mod copy;

#[cfg(test)]
mod tests;

use anyhow::{bail, Context, Result};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::bench::dataset::{resolve_source, synthetic_dir};
use crate::bench::progress::Progress;
use crate::bench::synthetic::SyntheticSpec;
use crate::bench::vecs::read_fvecs;
use copy::{write_header, write_row, write_trailer, ExportRow, Format};

/// The usage text of `cargo xtask dataset`.
pub const USAGE: &str = "\
usage: cargo xtask dataset export --format csv|binary --out FILE [--limit N] [DATASET]

Writes DATASET's base rows (id, name, summary, embedding) as a CSV file with a header or as
a PostgreSQL binary COPY file. DATASET is a TEXMEX directory (base.fvecs, optionally
base.tsv with `name` and `summary` columns) or synthetic:ROWS:DIM[:CLUSTERS] (texts NULL);
default ../shared/datasets/pypi-minilm from the workspace root. Load it with

  CREATE TABLE items (id bigint PRIMARY KEY, name text, summary text, embedding vector(D));
  COPY items FROM 'FILE' WITH (FORMAT csv, HEADER);     -- or WITH (FORMAT binary)";

/// The parsed command line of `dataset export`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportOptions {
    /// A directory or synthetic spec.
    pub source: String,
    /// The file format.
    pub format: Format,
    /// The output file.
    pub out: PathBuf,
    /// Write at most this many rows.
    pub limit: Option<usize>,
}

impl ExportOptions {
    /// Parses the arguments after `dataset export`.
    pub fn parse(args: &[String], workspace_root: &Path) -> Result<ExportOptions> {
        let (mut format, mut out, mut limit, mut source) = (None, None, None, None);
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = |flag: &str| {
                args.next()
                    .cloned()
                    .with_context(|| format!("{flag} needs a value"))
            };
            match arg.as_str() {
                "--format" => {
                    format = Some(match value(arg)?.as_str() {
                        "csv" => Format::Csv,
                        "binary" => Format::Binary,
                        other => bail!("--format is csv or binary, not {other:?}"),
                    })
                }
                "--out" => out = Some(PathBuf::from(value(arg)?)),
                "--limit" => {
                    let text = value(arg)?;
                    limit = Some(
                        text.parse()
                            .with_context(|| format!("bad --limit {text:?}"))?,
                    );
                }
                flag if flag.starts_with('-') => bail!("unknown option {flag}\n\n{USAGE}"),
                positional => {
                    if source.replace(positional.to_string()).is_some() {
                        bail!("more than one dataset given");
                    }
                }
            }
        }
        Ok(ExportOptions {
            source: resolve_source(
                source.as_deref().unwrap_or(crate::bench::DEFAULT_DATASET),
                workspace_root,
            ),
            format: format.with_context(|| format!("--format is required\n\n{USAGE}"))?,
            out: out.with_context(|| format!("--out is required\n\n{USAGE}"))?,
            limit,
        })
    }
}

/// Runs `cargo xtask dataset …`.
pub fn main(args: &[String], workspace_root: &Path) -> Result<ExitCode> {
    match args.first().map(String::as_str) {
        Some("export") if !args.iter().any(|arg| arg == "--help" || arg == "-h") => {
            let options = ExportOptions::parse(&args[1..], workspace_root)?;
            let cache_dir = workspace_root.join("target").join("bench-cache");
            let rows = export(&options, &cache_dir)?;
            println!("wrote {rows} rows to {}", options.out.display());
            Ok(ExitCode::SUCCESS)
        }
        _ => {
            println!("{USAGE}");
            Ok(ExitCode::from(2))
        }
    }
}

/// Writes the export file; returns the number of rows written.
pub fn export(options: &ExportOptions, cache_dir: &Path) -> Result<usize> {
    let dir = match SyntheticSpec::parse(&options.source) {
        Some(spec) => synthetic_dir(&spec?, 1000, 1, cache_dir, &Progress::silent())?,
        None => PathBuf::from(&options.source),
    };
    let base = read_fvecs(&dir.join("base.fvecs"))?;
    let n_rows = options.limit.unwrap_or(usize::MAX).min(base.rows());
    let tsv_path = dir.join("base.tsv");
    let texts = if tsv_path.is_file() {
        let text = std::fs::read_to_string(&tsv_path)
            .with_context(|| format!("cannot read {}", tsv_path.display()))?;
        Some((
            read_texts(&text, n_rows).with_context(|| tsv_path.display().to_string())?,
            text,
        ))
    } else {
        None
    };
    let file = std::fs::File::create(&options.out)
        .with_context(|| format!("cannot create {}", options.out.display()))?;
    let mut out = BufWriter::new(file);
    write_header(&mut out, options.format)?;
    for row_idx in 0..n_rows {
        let (name, summary) = match &texts {
            Some((spans, text)) => {
                let (name, summary) = &spans[row_idx];
                (Some(&text[name.clone()]), Some(&text[summary.clone()]))
            }
            None => (None, None),
        };
        let row = ExportRow {
            id: row_idx as i64,
            name,
            summary,
            embedding: base.row(row_idx),
        };
        write_row(&mut out, options.format, &row).with_context(|| format!("row {row_idx}"))?;
    }
    write_trailer(&mut out, options.format)?;
    out.flush()
        .with_context(|| format!("cannot write {}", options.out.display()))?;
    Ok(n_rows)
}

/// Byte ranges of the `name` and `summary` fields of the first `n_rows` lines of a TSV with
/// a header line; line `i` must have `id` `i`.
pub fn read_texts(
    text: &str,
    n_rows: usize,
) -> Result<Vec<(std::ops::Range<usize>, std::ops::Range<usize>)>> {
    let mut lines = text.split('\n');
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|field| *field == name)
            .with_context(|| format!("the header has no {name:?} column"))
    };
    let (id_col, name_col, summary_col) = (column("id")?, column("name")?, column("summary")?);
    let start = text.as_ptr() as usize;
    let mut spans = Vec::with_capacity(n_rows);
    for (row_idx, line) in lines.take(n_rows).enumerate() {
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() != header.len() {
            bail!(
                "line {} has {} fields, the header {}",
                row_idx + 2,
                fields.len(),
                header.len()
            );
        }
        if fields[id_col] != row_idx.to_string() {
            bail!(
                "line {} has id {:?}, expected {row_idx}",
                row_idx + 2,
                fields[id_col]
            );
        }
        let span = |field: &str| {
            let at = field.as_ptr() as usize - start;
            at..at + field.len()
        };
        spans.push((span(fields[name_col]), span(fields[summary_col])));
    }
    if spans.len() < n_rows {
        bail!("has {} rows, the vectors {n_rows}", spans.len());
    }
    Ok(spans)
}
