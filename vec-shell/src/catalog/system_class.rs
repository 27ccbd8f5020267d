//! The system relations of tables, their columns and indexes: `pg_class` (tables `r`,
//! indexes `i`, and the sequences `S` of serial and identity columns), `pg_attribute`
//! and `pg_index`. A sequence's OID counts down from its table's OID + 99 (indexes count
//! up from its OID + 1).

use super::column_storage::ColumnStorage;
use super::system::{am_oid, int8, namespace_oid, relations, reltuples, text, SystemRelation};
use super::Catalog;
use crate::index::AccessMethod;
use crate::value::{oid, Array, Datum, SqlType};

/// `pg_class`: each table, its indexes and the sequences of its serial and identity
/// columns.
pub fn pg_class(catalog: &Catalog) -> SystemRelation {
    let mut rows = Vec::new();
    for (table_oid, table) in relations(catalog) {
        let namespace = namespace_oid(catalog, &table.schema);
        let checks = table.check_constraints().count();
        let class = |oid: i64,
                     name: &str,
                     kind: &str,
                     am: i64,
                     natts: usize,
                     tuples: f32,
                     has_index: bool,
                     options: Datum| {
            vec![
                int8(oid),
                text(name),
                int8(namespace),
                int8(0),
                int8(10),
                int8(am),
                Datum::Float4(tuples),
                Datum::Bool(has_index),
                Datum::Bool(false),
                text("p"),
                text(kind),
                Datum::Int4(natts as i32),
                Datum::Bool(false),
                Datum::Bool(false),
                text("d"),
                Datum::Bool(false),
                Datum::Int4(if kind == "r" { checks as i32 } else { 0 }),
                Datum::Bool(false),
                Datum::Bool(false),
                int8(0),
                int8(0),
                int8(0),
                options,
                Datum::Null,
            ]
        };
        rows.push(class(
            table_oid,
            &table.name,
            "r",
            2,
            table.columns.len(),
            reltuples(table),
            !table.indexes.is_empty(),
            Datum::Null,
        ));
        for (i, index) in table.indexes.iter().enumerate() {
            rows.push(class(
                table_oid + 1 + i as i64,
                &index.name,
                "i",
                am_oid(index.method),
                index.columns.len().max(1),
                reltuples(table),
                false,
                index_options(index),
            ));
        }
        let sequences = table.columns.iter().filter(|c| c.sequence.is_some());
        for (k, column) in sequences.enumerate() {
            rows.push(class(
                sequence_oid(table_oid, k),
                &format!("{}_{}_seq", table.name, column.name),
                "S",
                0,
                3,
                1.0,
                false,
                Datum::Null,
            ));
        }
    }
    SystemRelation {
        columns: vec![
            ("oid", SqlType::Int8),
            ("relname", SqlType::Text),
            ("relnamespace", SqlType::Int8),
            ("reltype", SqlType::Int8),
            ("relowner", SqlType::Int8),
            ("relam", SqlType::Int8),
            ("reltuples", SqlType::Float4),
            ("relhasindex", SqlType::Bool),
            ("relisshared", SqlType::Bool),
            ("relpersistence", SqlType::Text),
            ("relkind", SqlType::Text),
            ("relnatts", SqlType::Int4),
            ("relhasrules", SqlType::Bool),
            ("relhastriggers", SqlType::Bool),
            ("relreplident", SqlType::Text),
            ("relispartition", SqlType::Bool),
            ("relchecks", SqlType::Int4),
            ("relrowsecurity", SqlType::Bool),
            ("relforcerowsecurity", SqlType::Bool),
            ("reltablespace", SqlType::Int8),
            ("reloftype", SqlType::Int8),
            ("reltoastrelid", SqlType::Int8),
            ("reloptions", SqlType::Array(Box::new(SqlType::Text))),
            ("relpartbound", SqlType::Text),
        ],
        rows,
    }
}

/// `pg_attribute`: each table's columns.
pub fn pg_attribute(catalog: &Catalog) -> SystemRelation {
    let mut rows = Vec::new();
    for (table_oid, table) in relations(catalog) {
        for (i, column) in table.columns.iter().enumerate() {
            rows.push(vec![
                int8(table_oid),
                text(&column.name),
                int8(i64::from(column.ty.oid())),
                Datum::Int4(i32::from(column.ty.type_size())),
                Datum::Int4(i as i32 + 1),
                Datum::Int4(oid::wire_typmod(&column.ty, column.typmod)),
                Datum::Bool(column.not_null),
                Datum::Bool(column.default.is_some() || column.generated.is_some()),
                Datum::Bool(false),
                text(if column.generated.is_some() { "s" } else { "" }),
                text(if column.identity_always {
                    "a"
                } else if column.sequence.is_some() && column.default.is_none() {
                    "d"
                } else {
                    ""
                }),
                int8(if column.ty.is_string() { 100 } else { 0 }),
                text(storage_code(column.storage_mode())),
                text(""),
                Datum::Int4(column.statistics_target.unwrap_or(-1)),
            ]);
        }
    }
    SystemRelation {
        columns: vec![
            ("attrelid", SqlType::Int8),
            ("attname", SqlType::Text),
            ("atttypid", SqlType::Int8),
            ("attlen", SqlType::Int4),
            ("attnum", SqlType::Int4),
            ("atttypmod", SqlType::Int4),
            ("attnotnull", SqlType::Bool),
            ("atthasdef", SqlType::Bool),
            ("attisdropped", SqlType::Bool),
            ("attgenerated", SqlType::Text),
            ("attidentity", SqlType::Text),
            ("attcollation", SqlType::Int8),
            ("attstorage", SqlType::Text),
            ("attcompression", SqlType::Text),
            ("attstattarget", SqlType::Int4),
        ],
        rows,
    }
}

/// `pg_index`: each index with its table and key columns.
pub fn pg_index(catalog: &Catalog) -> SystemRelation {
    let mut rows = Vec::new();
    for (table_oid, table) in relations(catalog) {
        for (i, index) in table.indexes.iter().enumerate() {
            let primary = !table.primary_key.is_empty()
                && index.columns == table.primary_key
                && index.method == AccessMethod::Btree
                && index.name.ends_with("_pkey");
            let unique = primary
                || table
                    .unique_constraints()
                    .any(|(name, _)| name == index.name);
            let key: Vec<String> = index.columns.iter().map(|c| (c + 1).to_string()).collect();
            rows.push(vec![
                int8(table_oid + 1 + i as i64),
                int8(table_oid),
                Datum::Int4(index.columns.len().max(1) as i32),
                Datum::Bool(unique),
                Datum::Bool(primary),
                Datum::Bool(true),
                text(&key.join(" ")),
                Datum::Bool(false),
                Datum::Bool(false),
                index
                    .predicate
                    .as_deref()
                    .map_or(Datum::Null, |p| text(&super::deparsed::shown(p))),
            ]);
        }
    }
    SystemRelation {
        columns: vec![
            ("indexrelid", SqlType::Int8),
            ("indrelid", SqlType::Int8),
            ("indnatts", SqlType::Int4),
            ("indisunique", SqlType::Bool),
            ("indisprimary", SqlType::Bool),
            ("indisvalid", SqlType::Bool),
            ("indkey", SqlType::Text),
            ("indisclustered", SqlType::Bool),
            ("indisreplident", SqlType::Bool),
            ("indpred", SqlType::Text),
        ],
        rows,
    }
}

/// The OID of the `k`th sequence (in column order) of the table with OID `table_oid`.
pub fn sequence_oid(table_oid: i64, k: usize) -> i64 {
    table_oid + 99 - k as i64
}

/// `pg_attribute.attstorage`'s letter for a mode.
fn storage_code(storage: ColumnStorage) -> &'static str {
    match storage {
        ColumnStorage::Plain => "p",
        ColumnStorage::External => "e",
        ColumnStorage::Extended => "x",
        ColumnStorage::Main => "m",
    }
}

/// An index's storage options as `pg_class.reloptions` lists them (`{m=8}`), NULL when
/// it has none.
fn index_options(index: &super::Index) -> Datum {
    if index.with.is_empty() {
        return Datum::Null;
    }
    let options = index
        .with
        .iter()
        .map(|(name, value)| Datum::Text(format!("{name}={value}")))
        .collect();
    Datum::Array(Array::one_dimensional(options))
}
