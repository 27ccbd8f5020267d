//! An index's definition as PostgreSQL prints it: after `USING` in psql's `\d` (pretty:
//! `WHERE cat = 1`), and whole in `pg_indexes.indexdef` / `pg_get_indexdef` (`CREATE
//! INDEX name ON schema.table USING … WHERE (cat = 1)`).

use super::deparsed::parse_expr;
use super::{Index, Table};
use crate::value::SqlType;

/// The `CREATE [UNIQUE] INDEX` statement of an index, as `pg_indexes.indexdef` (and,
/// `pretty`, `pg_get_indexdef(oid, 0, true)`) shows it.
pub fn create_statement(table: &Table, index: &Index, unique: bool, pretty: bool) -> String {
    format!(
        "CREATE {}INDEX {} ON {}.{} USING {}",
        if unique { "UNIQUE " } else { "" },
        index.name,
        table.schema,
        table.name,
        index_definition(table, index, pretty)
    )
}

/// An index as `pg_get_indexdef` shows it after `USING`: the access method, the keys
/// with their operator class unless it is the type's default for the method (pgvector's
/// only default is `vector_l2_ops` for ivfflat), the storage options, and a partial
/// index's predicate (bare in `pretty` form, as psql's `\d`; bracketed otherwise).
pub fn index_definition(table: &Table, index: &Index, pretty: bool) -> String {
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
        let shown = match (pretty, parse_expr(predicate)) {
            (true, Some(expr)) => crate::sql::pretty::pretty(&expr),
            (false, Some(expr)) => expr.to_string(),
            (_, None) => predicate.clone(),
        };
        definition.push_str(&format!(" WHERE {shown}"));
    }
    definition
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
