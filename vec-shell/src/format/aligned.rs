//! psql's aligned format with the default border (1): the table and the expanded
//! (`\x`) record layout.
//!
//! In the table, headers are centred (extra space to the right), numeric columns are
//! right-aligned and the rest left-aligned, the last column's left-aligned values get no
//! trailing padding, and a value with line breaks spans several lines with `+` marking
//! each continued line.

use super::{row_count_footer, PrintOptions};
use crate::exec::RowSet;

fn width(text: &str) -> usize {
    text.chars().count()
}

/// The aligned table.
pub fn table(rows: &RowSet, cells: &[Vec<Option<String>>], options: &PrintOptions) -> String {
    let n_columns = rows.columns.len();
    let mut widths: Vec<usize> = rows
        .columns
        .iter()
        .map(|c| {
            if options.tuples_only {
                0
            } else {
                c.name.lines().map(width).max().unwrap_or(0)
            }
        })
        .collect();
    for row in cells {
        for (i, cell) in row.iter().enumerate() {
            let cell_width = cell
                .as_deref()
                .map_or(0, |t| t.split('\n').map(width).max().unwrap_or(0));
            widths[i] = widths[i].max(cell_width);
        }
    }
    let mut out = String::new();
    if !options.tuples_only {
        out.push(' ');
        for (i, column) in rows.columns.iter().enumerate() {
            let pad = widths[i] - width(&column.name).min(widths[i]);
            out.push_str(&" ".repeat(pad / 2));
            out.push_str(&column.name);
            out.push_str(&" ".repeat(pad.div_ceil(2)));
            out.push_str(if i + 1 < n_columns { " | " } else { " " });
        }
        out.push('\n');
        let rules: Vec<String> = widths.iter().map(|w| "-".repeat(w + 2)).collect();
        out.push_str(&rules.join("+"));
        out.push('\n');
    }
    // Spaces are pushed, not built: a statement's result is formatted at every run.
    let push_spaces = |out: &mut String, n: usize| out.extend(std::iter::repeat_n(' ', n));
    for row in cells {
        let line_count =
            |cell: &Option<String>| cell.as_deref().map_or(1, |t| t.split('\n').count());
        let height = row.iter().map(line_count).max().unwrap_or(1);
        for line_no in 0..height {
            out.push(' ');
            for (i, cell) in row.iter().enumerate() {
                let text = match cell.as_deref() {
                    Some(text) if height == 1 => text,
                    Some(text) => text.split('\n').nth(line_no).unwrap_or(""),
                    None => "",
                };
                let continued = height > 1 && line_no + 1 < line_count(cell);
                let pad = widths[i] - width(text).min(widths[i]);
                let last = i + 1 == n_columns;
                if rows.columns[i].ty.is_numeric() {
                    push_spaces(&mut out, pad);
                    out.push_str(text);
                } else {
                    out.push_str(text);
                    if !last || continued {
                        push_spaces(&mut out, pad);
                    }
                }
                if last {
                    if continued {
                        out.push('+');
                    }
                } else {
                    out.push(if continued { '+' } else { ' ' });
                    out.push_str("| ");
                }
            }
            out.push('\n');
        }
    }
    if !options.tuples_only {
        out.push_str(&row_count_footer(cells.len()));
        out.push('\n');
    }
    out.push('\n');
    out
}

/// The expanded layout: one `-[ RECORD n ]` block per row.
pub fn expanded(rows: &RowSet, cells: &[Vec<Option<String>>], options: &PrintOptions) -> String {
    if cells.is_empty() {
        return if options.tuples_only {
            String::new()
        } else {
            "(0 rows)\n\n".to_string()
        };
    }
    let header_width = rows
        .columns
        .iter()
        .map(|c| width(&c.name))
        .max()
        .unwrap_or(0);
    let data_width = cells
        .iter()
        .flatten()
        .map(|c| {
            c.as_deref()
                .map_or(0, |t| t.split('\n').map(width).max().unwrap_or(0))
        })
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (record, row) in cells.iter().enumerate() {
        if !options.tuples_only {
            let title = format!("-[ RECORD {} ]", record + 1);
            let mut used = width(&title) as isize;
            out.push_str(&title);
            while used < header_width as isize {
                out.push('-');
                used += 1;
            }
            let mut remaining = width(&title) as isize - header_width as isize;
            for piece in ["-", "+", "-"] {
                if remaining <= 0 {
                    out.push_str(piece);
                }
                remaining -= 1;
            }
            let remaining = remaining.max(0) as usize;
            for _ in remaining..data_width {
                out.push('-');
            }
            out.push('\n');
        } else if record > 0 {
            out.push('\n');
        }
        for (column, cell) in rows.columns.iter().zip(row) {
            let text = cell.as_deref().unwrap_or("");
            for (line_no, line) in text.split('\n').enumerate() {
                let name = if line_no == 0 {
                    column.name.as_str()
                } else {
                    ""
                };
                out.push_str(name);
                out.push_str(&" ".repeat(header_width - width(name).min(header_width)));
                out.push_str(" | ");
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out.push('\n');
    out
}
