//! Printing results and errors exactly as psql does: the aligned table (centred
//! headers, numbers right-aligned, `(N rows)`), unaligned (`-A`, `-F`), CSV (`--csv`),
//! tuples only (`-t`) and expanded (`\x`) output; errors with their `LINE n:` and caret
//! lines in `error`.

mod aligned;
mod error;

pub use error::format_report;

use crate::exec::RowSet;

/// psql's output format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputFormat {
    /// The default table.
    #[default]
    Aligned,
    /// `-A`: fields separated by the field separator.
    Unaligned,
    /// `--csv`.
    Csv,
}

/// How to print results.
#[derive(Clone, Debug)]
pub struct PrintOptions {
    /// The format (default aligned).
    pub format: OutputFormat,
    /// `-t`: rows only, no header or footer (default off).
    pub tuples_only: bool,
    /// `-F`: the unaligned field separator (default `|`).
    pub field_separator: String,
    /// `\x`: one line per field (default off).
    pub expanded: bool,
}

impl Default for PrintOptions {
    fn default() -> Self {
        PrintOptions {
            format: OutputFormat::Aligned,
            tuples_only: false,
            field_separator: "|".to_string(),
            expanded: false,
        }
    }
}

/// The cells of a row set as text (`None` for NULL). A `regtype` is held as its OID and
/// shown as the type's name, as PostgreSQL's output function writes it.
fn cells(rows: &RowSet) -> Vec<Vec<Option<String>>> {
    let regtype: Vec<bool> = rows
        .columns
        .iter()
        .map(|c| c.ty == crate::value::SqlType::RegType)
        .collect();
    rows.rows
        .iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(i, d)| match d {
                    crate::value::Datum::Int8(oid) if regtype.get(i) == Some(&true) => Some(
                        u32::try_from(*oid)
                            .ok()
                            .and_then(crate::value::oid::type_name)
                            .unwrap_or_else(|| oid.to_string()),
                    ),
                    other => other.to_text(),
                })
                .collect()
        })
        .collect()
}

/// psql's `(1 row)` / `(N rows)` footer.
pub fn row_count_footer(n: usize) -> String {
    if n == 1 {
        "(1 row)".to_string()
    } else {
        format!("({n} rows)")
    }
}

/// Prints a row set in the chosen format; the text ends with a newline (psql's blank
/// line after an aligned table included).
pub fn format_rows(rows: &RowSet, options: &PrintOptions) -> String {
    let cells = cells(rows);
    match (options.format, options.expanded) {
        (OutputFormat::Csv, _) => csv(rows, &cells, options),
        (OutputFormat::Aligned, true) => aligned::expanded(rows, &cells, options),
        (OutputFormat::Aligned, false) => aligned::table(rows, &cells, options),
        (OutputFormat::Unaligned, expanded) => unaligned(rows, &cells, options, expanded),
    }
}

fn unaligned(
    rows: &RowSet,
    cells: &[Vec<Option<String>>],
    options: &PrintOptions,
    expanded: bool,
) -> String {
    let mut out = String::new();
    let separator = &options.field_separator;
    if expanded {
        for (i, row) in cells.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            for (column, cell) in rows.columns.iter().zip(row) {
                out.push_str(&column.name);
                out.push_str(separator);
                out.push_str(cell.as_deref().unwrap_or(""));
                out.push('\n');
            }
        }
        return out;
    }
    if !options.tuples_only {
        let names: Vec<&str> = rows.columns.iter().map(|c| c.name.as_str()).collect();
        out.push_str(&names.join(separator));
        out.push('\n');
    }
    for row in cells {
        let fields: Vec<&str> = row.iter().map(|c| c.as_deref().unwrap_or("")).collect();
        out.push_str(&fields.join(separator));
        out.push('\n');
    }
    if !options.tuples_only {
        out.push_str(&row_count_footer(cells.len()));
        out.push('\n');
    }
    out
}

fn csv_field(text: &str, separator: char) -> String {
    // psql quotes a field holding the separator, a quote or a line break, and `\.`.
    let needs_quotes =
        text.contains(separator) || text.contains(['"', '\n', '\r']) || text == "\\.";
    if needs_quotes {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn csv(rows: &RowSet, cells: &[Vec<Option<String>>], options: &PrintOptions) -> String {
    let separator = ',';
    let mut out = String::new();
    let mut line = |fields: Vec<String>| {
        out.push_str(&fields.join(","));
        out.push('\n');
    };
    if !options.tuples_only {
        line(
            rows.columns
                .iter()
                .map(|c| csv_field(&c.name, separator))
                .collect(),
        );
    }
    for row in cells {
        line(
            row.iter()
                .map(|c| {
                    c.as_deref()
                        .map_or(String::new(), |t| csv_field(t, separator))
                })
                .collect(),
        );
    }
    out
}
