//! The system relations about columns' defaults and tables' constraints: `pg_attrdef`
//! (each default and generation expression, as text in PostgreSQL's deparsed form,
//! which `pg_get_expr` returns as it is) and `pg_constraint` (each primary key `p`,
//! unique constraint `u` with the OID of its index, and check constraint `c`), and the
//! definitions `pg_get_constraintdef` and `pg_get_indexdef` give for an OID.
//!
//! OIDs: a table's constraints and defaults are numbered from its OID × 100 (its
//! constraints first, its defaults from × 100 + 5,000 by column number), so they are
//! stable while its schema is and never meet a table's or an index's.

use super::system::{int8, namespace_oid, relations, text, SystemRelation};
use super::{Catalog, Table};
use crate::value::{Array, Datum, SqlType};

/// One constraint of a table, as `pg_constraint` lists it.
pub struct ConstraintEntry<'a> {
    /// Its OID.
    pub oid: i64,
    /// Its name.
    pub name: String,
    /// `p`, `u` or `c`.
    pub kind: &'static str,
    /// Its table and the table's OID.
    pub table: (&'a Table, i64),
    /// The OID of its index (0 for a check constraint).
    pub index: i64,
    /// The columns it names (by number from 1; none for a check constraint).
    pub columns: Vec<usize>,
    /// What `pg_get_constraintdef` prints: `PRIMARY KEY (id)`, `CHECK (x > 0)`.
    pub definition: String,
}

/// The constraints of every table.
pub fn constraints(catalog: &Catalog) -> Vec<ConstraintEntry<'_>> {
    let mut out = Vec::new();
    for (table_oid, table) in relations(catalog) {
        let index_oid = |name: &str| {
            table
                .indexes
                .iter()
                .position(|index| index.name == name)
                .map_or(0, |position| table_oid + 1 + position as i64)
        };
        let names = |columns: &[usize]| {
            let names: Vec<&str> = columns
                .iter()
                .map(|&c| table.columns[c].name.as_str())
                .collect();
            names.join(", ")
        };
        let mut entries: Vec<(String, &'static str, i64, Vec<usize>, String)> = Vec::new();
        if !table.primary_key.is_empty() {
            let name = table.primary_key_name();
            let definition = format!("PRIMARY KEY ({})", names(&table.primary_key));
            let index = index_oid(&name);
            entries.push((name, "p", index, table.primary_key.clone(), definition));
        }
        for constraint in &table.constraints {
            let name = constraint.name.clone();
            match &constraint.rule {
                super::constraint::ConstraintRule::Unique(columns) => {
                    let definition = format!("UNIQUE ({})", names(columns));
                    let index = index_oid(&name);
                    entries.push((name, "u", index, columns.clone(), definition));
                }
                super::constraint::ConstraintRule::Check(expression) => {
                    let shown = super::deparsed::shown(expression);
                    let definition = format!("CHECK ({shown})");
                    entries.push((name, "c", 0, Vec::new(), definition));
                }
            }
        }
        for (k, (name, kind, index, columns, definition)) in entries.into_iter().enumerate() {
            out.push(ConstraintEntry {
                oid: table_oid * 100 + k as i64,
                name,
                kind,
                table: (table, table_oid),
                index,
                columns: columns.iter().map(|c| c + 1).collect(),
                definition,
            });
        }
    }
    out
}

fn int_array(values: impl Iterator<Item = i64>) -> Datum {
    Datum::Array(Array::one_dimensional(values.map(int8).collect()))
}

/// `pg_constraint`.
pub fn pg_constraint(catalog: &Catalog) -> SystemRelation {
    let rows = constraints(catalog)
        .into_iter()
        .map(|entry| {
            let (table, table_oid) = entry.table;
            let keys = entry.columns.iter().map(|&c| c as i64);
            vec![
                int8(entry.oid),
                Datum::Text(entry.name),
                int8(namespace_oid(catalog, &table.schema)),
                text(entry.kind),
                Datum::Bool(false),
                Datum::Bool(false),
                Datum::Bool(true),
                int8(table_oid),
                int8(0),
                int8(entry.index),
                int8(0),
                if entry.kind == "c" {
                    Datum::Null
                } else {
                    int_array(keys)
                },
            ]
        })
        .collect();
    SystemRelation {
        columns: vec![
            ("oid", SqlType::Int8),
            ("conname", SqlType::Text),
            ("connamespace", SqlType::Int8),
            ("contype", SqlType::Text),
            ("condeferrable", SqlType::Bool),
            ("condeferred", SqlType::Bool),
            ("convalidated", SqlType::Bool),
            ("conrelid", SqlType::Int8),
            ("contypid", SqlType::Int8),
            ("conindid", SqlType::Int8),
            ("confrelid", SqlType::Int8),
            ("conkey", SqlType::Array(Box::new(SqlType::Int8))),
        ],
        rows,
    }
}

/// `pg_attrdef`: each column's default (a bare string constant with its type, as
/// PostgreSQL's deparser writes it) or generation expression.
pub fn pg_attrdef(catalog: &Catalog) -> SystemRelation {
    let mut rows = Vec::new();
    for (table_oid, table) in relations(catalog) {
        for (i, column) in table.columns.iter().enumerate() {
            let expression = match (&column.generated, &column.default) {
                (Some(generated), _) => super::deparsed::shown(generated),
                (None, Some(default)) => super::deparsed::shown_default(column, default),
                (None, None) => continue,
            };
            rows.push(vec![
                int8(table_oid * 100 + 5_000 + i as i64 + 1),
                int8(table_oid),
                Datum::Int4(i as i32 + 1),
                Datum::Text(expression),
            ]);
        }
    }
    SystemRelation {
        columns: vec![
            ("oid", SqlType::Int8),
            ("adrelid", SqlType::Int8),
            ("adnum", SqlType::Int4),
            ("adbin", SqlType::Text),
        ],
        rows,
    }
}

/// Each index's OID with its `CREATE INDEX` statement as `pg_get_indexdef` prints it,
/// in its pretty form (a partial index's predicate unbracketed) or not.
pub fn index_definitions(catalog: &Catalog, pretty: bool) -> Vec<(i64, String)> {
    let mut out = Vec::new();
    for (table_oid, table) in relations(catalog) {
        let primary = (!table.primary_key.is_empty()).then(|| table.primary_key_name());
        for (i, index) in table.indexes.iter().enumerate() {
            let unique = primary.as_deref() == Some(index.name.as_str())
                || table
                    .unique_constraints()
                    .any(|(name, _)| name == index.name);
            out.push((
                table_oid + 1 + i as i64,
                super::index_def::create_statement(table, index, unique, pretty),
            ));
        }
    }
    out
}
