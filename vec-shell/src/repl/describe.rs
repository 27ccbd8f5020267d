//! `\d` (list tables), `\d NAME` (describe a table) and `\di` (list indexes), printed in
//! psql's layout.

use crate::analyze::defaults::{shown, shown_default};
use crate::catalog::Catalog;
use crate::exec::RowSet;
use crate::format::{format_rows, PrintOptions};
use crate::plan::OutputColumn;
use crate::value::{Datum, SqlType};

fn text_columns(names: &[&str]) -> Vec<OutputColumn> {
    names
        .iter()
        .map(|n| OutputColumn {
            name: n.to_string(),
            ty: SqlType::Text,
            typmod: -1,
        })
        .collect()
}

fn text_row(values: &[&str]) -> Vec<Datum> {
    values.iter().map(|v| Datum::Text(v.to_string())).collect()
}

/// Prints a table with a title centred above it, as psql's describe commands do.
fn titled(title: &str, rows: &RowSet) -> String {
    let body = format_rows(rows, &PrintOptions::default());
    let width = body.lines().next().map_or(0, |l| l.chars().count());
    let pad = width.saturating_sub(title.chars().count()) / 2;
    format!("{}{title}\n{body}", " ".repeat(pad))
}

/// An index as `pg_get_indexdef` shows it after `USING`: the access method, the keys
/// with their operator class unless it is the type's default for the method (pgvector's
/// only default is `vector_l2_ops` for ivfflat), and the storage options.
fn index_definition(table: &crate::catalog::Table, index: &crate::catalog::Index) -> String {
    let mut keys: Vec<String> = match &index.expression {
        Some(expression) => vec![expression_key(expression)],
        None => index
            .columns
            .iter()
            .map(|&i| table.columns[i].name.clone())
            .collect(),
    };
    let key_type = index.columns.first().map(|&i| &table.columns[i].ty);
    let default_class = index.method == crate::index::AccessMethod::IvfFlat
        && index.opclass.as_deref() == Some("vector_l2_ops")
        && index.expression.is_none()
        && key_type == Some(&SqlType::Vector);
    if let (Some(opclass), false, Some(first)) = (&index.opclass, default_class, keys.first_mut()) {
        first.push(' ');
        first.push_str(opclass);
    }
    let mut definition = format!("{} ({})", index.method, keys.join(", "));
    if !index.with.is_empty() {
        let options: Vec<String> = index
            .with
            .iter()
            .map(|(name, value)| format!("{name}='{value}'"))
            .collect();
        definition.push_str(&format!(" WITH ({})", options.join(", ")));
    }
    if let Some(predicate) = &index.predicate {
        // psql's `\d` prints a partial index's predicate pretty, without brackets.
        let shown = parse_expr(predicate).map_or_else(
            || predicate.clone(),
            |expr| crate::sql::pretty::pretty(&expr),
        );
        definition.push_str(&format!(" WHERE {shown}"));
    }
    definition
}

/// An expression stored as SQL text, parsed again.
fn parse_expr(text: &str) -> Option<crate::sql::ast::Expr> {
    use crate::sql::ast::{SelectItem, Statement};
    let parsed = crate::sql::parse(&format!("SELECT {text}"));
    match parsed.as_deref() {
        Ok([Statement::Select(select)]) => match select.items.first() {
            Some(SelectItem::Expr { expr, .. }) => Some(expr.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// An expression key as `pg_get_indexdef` prints it: pretty, bracketed unless it is a
/// bare function call.
fn expression_key(text: &str) -> String {
    use crate::sql::ast::ExprKind;
    match parse_expr(text) {
        Some(expr) if matches!(expr.kind, ExprKind::Function { .. }) => {
            crate::sql::pretty::pretty(&expr)
        }
        Some(expr) => format!("({})", crate::sql::pretty::pretty(&expr)),
        None => format!("({text})"),
    }
}

/// Runs a describe command; `Err` carries psql's message for an unknown name.
pub fn describe(catalog: &Catalog, command: &str, name: Option<&str>) -> Result<String, String> {
    if command == "\\di" {
        // psql orders relations by schema and name.
        let mut indexes: Vec<(&str, &str)> = catalog
            .tables()
            .flat_map(|t| {
                t.indexes
                    .iter()
                    .map(move |i| (i.name.as_str(), t.name.as_str()))
            })
            .collect();
        indexes.sort();
        let rows: Vec<Vec<Datum>> = indexes
            .into_iter()
            .map(|(index, table)| text_row(&["public", index, "index", "vecsh", table]))
            .collect();
        if rows.is_empty() {
            return Ok("Did not find any relations.\n".to_string());
        }
        let set = RowSet {
            columns: text_columns(&["Schema", "Name", "Type", "Owner", "Table"]),
            rows,
        };
        return Ok(titled("List of relations", &set));
    }
    let Some(name) = name else {
        let rows: Vec<Vec<Datum>> = catalog
            .tables()
            .map(|t| text_row(&["public", &t.name, "table", "vecsh"]))
            .collect();
        if rows.is_empty() {
            return Ok("Did not find any relations.\n".to_string());
        }
        let set = RowSet {
            columns: text_columns(&["Schema", "Name", "Type", "Owner"]),
            rows,
        };
        return Ok(titled("List of relations", &set));
    };
    let Some(table) = catalog.table(name) else {
        return Err(format!("Did not find any relation named \"{name}\"."));
    };
    let rows = table
        .columns
        .iter()
        .map(|c| {
            let nullable = if c.not_null { "not null" } else { "" };
            let default = if let Some(generated) = &c.generated {
                format!("generated always as ({}) stored", shown(generated))
            } else if let Some(default) = &c.default {
                shown_default(c, default)
            } else if c.identity_always {
                "generated always as identity".to_string()
            } else if c.sequence.is_some() {
                "generated by default as identity".to_string()
            } else {
                String::new()
            };
            text_row(&[
                &c.name,
                &c.ty.name_with_typmod(c.typmod),
                "",
                nullable,
                &default,
            ])
        })
        .collect();
    let set = RowSet {
        columns: text_columns(&["Column", "Type", "Collation", "Nullable", "Default"]),
        rows,
    };
    let mut out = titled(&format!("Table \"public.{}\"", table.name), &set);
    // psql has no row count under a table description.
    if let Some(footer_at) = out.rfind('(') {
        out.truncate(footer_at);
    }
    if !table.indexes.is_empty() {
        out.push_str("Indexes:\n");
        // psql lists the primary key first, then by name.
        let primary = (!table.primary_key.is_empty()).then(|| table.primary_key_name());
        let is_primary = |i: &crate::catalog::Index| primary.as_deref() == Some(i.name.as_str());
        let mut indexes: Vec<&crate::catalog::Index> = table.indexes.iter().collect();
        indexes.sort_by_key(|i| (!is_primary(i), i.name.as_str()));
        for index in indexes {
            let unique = table
                .unique_constraints()
                .any(|(name, _)| name == index.name);
            let kind = if is_primary(index) {
                " PRIMARY KEY,"
            } else if unique {
                " UNIQUE CONSTRAINT,"
            } else {
                ""
            };
            out.push_str(&format!(
                "    \"{}\"{kind} {}\n",
                index.name,
                index_definition(table, index)
            ));
        }
    }
    let mut checks: Vec<(&str, &str)> = table.check_constraints().collect();
    if !checks.is_empty() {
        // psql lists them by name, in PostgreSQL's deparsed form.
        checks.sort_unstable();
        out.push_str("Check constraints:\n");
        for (name, text) in checks {
            out.push_str(&format!("    \"{name}\" CHECK ({})\n", shown(text)));
        }
    }
    out.push('\n');
    Ok(out)
}
