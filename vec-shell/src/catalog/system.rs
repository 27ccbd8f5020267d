//! The system catalog: PostgreSQL's catalog relations that clients and tools read on
//! connect (`pg_type`, `pg_namespace`, `pg_class`, `pg_attribute`, `pg_index`, the
//! `pg_indexes` view, `pg_am`, (in `system_schemas`) `pg_namespace` and `pg_tables`,
//! `pg_extension`, `pg_database`, `pg_description`, `pg_range`, and `information_schema.tables` /
//! `columns`), computed from the catalog when a query reads them. They are reached as
//! `pg_catalog.x` or `x` (and `information_schema.x`); a table of the same name
//! shadows them.
//!
//! OIDs: types have [`crate::value::oid`]'s; namespaces PostgreSQL's (`pg_catalog` 11,
//! `public` 2200); tables get one from their place in name order (`TABLE_OID_BASE + 100
//! × position`) and their indexes the next ones, so OIDs are stable while the schema
//! is. OID columns are `bigint` here.

use super::Catalog;
use crate::index::AccessMethod;
use crate::settings::Settings;
use crate::storage::Row;
use crate::value::oid::{self, array_of};
use crate::value::{Datum, SqlType};

/// The OID of namespace `pg_catalog`.
pub const PG_CATALOG: i64 = 11;
/// The OID of namespace `public`.
pub const PUBLIC: i64 = 2200;
/// The OID of namespace `information_schema`.
pub const INFORMATION_SCHEMA: i64 = 13_000;
/// The pgvector release whose SQL vecsh speaks, as `pg_extension` reports it.
pub const PGVECTOR_VERSION: &str = "0.8.6";
/// Where the OIDs of schemas made by `CREATE SCHEMA` start.
pub const USER_NAMESPACE_OID_BASE: i64 = 16_500;
/// The database's OID, as `pg_database` gives it.
pub const DATABASE_OID: i64 = 16_385;
/// The database's name, as `pg_database` gives it.
pub const DATABASE_NAME: &str = "vecsh";
/// Where table OIDs start.
pub const TABLE_OID_BASE: i64 = 20_000;

/// A system relation's columns and rows.
pub struct SystemRelation {
    /// The columns' names and types.
    pub columns: Vec<(&'static str, SqlType)>,
    /// The rows.
    pub rows: Vec<Row>,
}

/// The system relation `name`, if there is one; `pg_settings` shows `settings`.
pub fn relation(catalog: &Catalog, name: &str, settings: &Settings) -> Option<SystemRelation> {
    Some(match name {
        "pg_settings" => pg_settings(settings),
        "pg_type" => pg_type(),
        "pg_namespace" => super::system_schemas::pg_namespace(catalog),
        "pg_tables" => super::system_schemas::pg_tables(catalog),
        "pg_stats" => super::pg_stats::pg_stats(catalog),
        "pg_class" => super::system_class::pg_class(catalog),
        "pg_attribute" => super::system_class::pg_attribute(catalog),
        "pg_index" => super::system_class::pg_index(catalog),
        "pg_attrdef" => super::system_constraints::pg_attrdef(catalog),
        "pg_constraint" => super::system_constraints::pg_constraint(catalog),
        "pg_indexes" => pg_indexes(catalog),
        "pg_am" => pg_am(),
        "pg_extension" => pg_extension(catalog),
        "pg_database" => pg_database(),
        "pg_description" => pg_description(catalog),
        "pg_range" => SystemRelation {
            columns: vec![("rngtypid", SqlType::Int8), ("rngsubtype", SqlType::Int8)],
            rows: Vec::new(),
        },
        "pg_stat_user_tables" | "pg_stat_all_tables" => super::stats::pg_stat_user_tables(catalog),
        "pg_stat_statements" if catalog.stat_statements.is_some() => catalog.statements.relation(),
        "pg_stat_user_indexes" | "pg_stat_all_indexes" => {
            super::stats::pg_stat_user_indexes(catalog)
        }
        "pg_stat_progress_create_index" => {
            super::index_builds::pg_stat_progress_create_index(&catalog.index_builds)
        }
        "tables" => information_tables(catalog),
        "columns" => information_columns(catalog),
        other => return super::system_features::relation(other),
    })
}

pub(super) fn text(value: &str) -> Datum {
    Datum::Text(value.to_string())
}

pub(super) fn int8(value: i64) -> Datum {
    Datum::Int8(value)
}

/// Every type: (OID, name, length, category, namespace).
const TYPES: &[(u32, &str, i32, &str, i64)] = &[
    (oid::BOOL, "bool", 1, "B", PG_CATALOG),
    (oid::CHAR, "char", 1, "Z", PG_CATALOG),
    (oid::NAME, "name", 64, "S", PG_CATALOG),
    (oid::INT8, "int8", 8, "N", PG_CATALOG),
    (oid::INT2, "int2", 2, "N", PG_CATALOG),
    (oid::INT4, "int4", 4, "N", PG_CATALOG),
    (oid::TEXT, "text", -1, "S", PG_CATALOG),
    (oid::OID, "oid", 4, "N", PG_CATALOG),
    (oid::FLOAT4, "float4", 4, "N", PG_CATALOG),
    (oid::FLOAT8, "float8", 8, "N", PG_CATALOG),
    (oid::UNKNOWN, "unknown", -2, "X", PG_CATALOG),
    (oid::VARCHAR, "varchar", -1, "S", PG_CATALOG),
    (oid::BIT, "bit", -1, "V", PG_CATALOG),
    (oid::VARBIT, "varbit", -1, "V", PG_CATALOG),
    (oid::NUMERIC, "numeric", -1, "N", PG_CATALOG),
    (oid::REGCLASS, "regclass", 4, "N", PG_CATALOG),
    (oid::REGTYPE, "regtype", 4, "N", PG_CATALOG),
    (oid::VECTOR, "vector", -1, "U", PUBLIC),
    (oid::HALFVEC, "halfvec", -1, "U", PUBLIC),
    (oid::SPARSEVEC, "sparsevec", -1, "U", PUBLIC),
];

const TYPE_COLUMNS: &[(&str, SqlType)] = &[
    ("oid", SqlType::Int8),
    ("typname", SqlType::Text),
    ("typnamespace", SqlType::Int8),
    ("typowner", SqlType::Int8),
    ("typlen", SqlType::Int4),
    ("typbyval", SqlType::Bool),
    ("typtype", SqlType::Text),
    ("typcategory", SqlType::Text),
    ("typisdefined", SqlType::Bool),
    ("typdelim", SqlType::Text),
    ("typrelid", SqlType::Int8),
    ("typelem", SqlType::Int8),
    ("typarray", SqlType::Int8),
    ("typnotnull", SqlType::Bool),
    ("typbasetype", SqlType::Int8),
    ("typtypmod", SqlType::Int4),
    ("typndims", SqlType::Int4),
    ("typcollation", SqlType::Int8),
];

fn pg_type() -> SystemRelation {
    let mut rows = Vec::new();
    for &(type_oid, name, length, category, namespace) in TYPES {
        let by_value = (1..=8).contains(&length);
        let array = array_of(type_oid);
        let collation = if category == "S" { 100 } else { 0 };
        let row =
            |oid: u32, name: String, length: i32, category: &str, element: u32, array: u32| {
                vec![
                    int8(i64::from(oid)),
                    Datum::Text(name),
                    int8(namespace),
                    int8(10),
                    Datum::Int4(length),
                    Datum::Bool(by_value && element == 0),
                    text("b"),
                    text(category),
                    Datum::Bool(true),
                    text(","),
                    int8(0),
                    int8(i64::from(element)),
                    int8(i64::from(array)),
                    Datum::Bool(false),
                    int8(0),
                    Datum::Int4(-1),
                    Datum::Int4(0),
                    int8(collation),
                ]
            };
        rows.push(row(type_oid, name.to_string(), length, category, 0, array));
        if array != 0 {
            rows.push(row(array, format!("_{name}"), -1, "A", type_oid, 0));
        }
    }
    rows.sort_by_key(|row| match row[0] {
        Datum::Int8(oid) => oid,
        _ => 0,
    });
    SystemRelation {
        columns: TYPE_COLUMNS.to_vec(),
        rows,
    }
}

/// The access methods: (OID, name, type).
const ACCESS_METHODS: &[(i64, &str, &str)] = &[
    (2, "heap", "t"),
    (403, "btree", "i"),
    (2742, "gin", "i"),
    (16_400, "hnsw", "i"),
    (16_401, "ivfflat", "i"),
    (16_402, "vectors", "i"),
];

pub(super) fn am_oid(method: AccessMethod) -> i64 {
    let name = match method {
        AccessMethod::Btree => "btree",
        AccessMethod::Hnsw => "hnsw",
        AccessMethod::IvfFlat => "ivfflat",
        AccessMethod::Vectors => "vectors",
        AccessMethod::Gin => "gin",
    };
    ACCESS_METHODS
        .iter()
        .find(|(_, n, _)| *n == name)
        .map_or(0, |(oid, _, _)| *oid)
}

fn pg_am() -> SystemRelation {
    SystemRelation {
        columns: vec![
            ("oid", SqlType::Int8),
            ("amname", SqlType::Text),
            ("amtype", SqlType::Text),
        ],
        rows: ACCESS_METHODS
            .iter()
            .map(|(oid, name, kind)| vec![int8(*oid), text(name), text(kind)])
            .collect(),
    }
}

/// The OIDs PostgreSQL gives its catalog relations (for `'pg_class'::regclass`).
const CATALOG_OIDS: &[(&str, i64)] = &[
    ("pg_type", 1247),
    ("pg_attribute", 1249),
    ("pg_class", 1259),
    ("pg_database", 1262),
    ("pg_am", 2601),
    ("pg_description", 2609),
    ("pg_index", 2610),
    ("pg_namespace", 2615),
    ("pg_extension", 3079),
    ("pg_range", 3541),
    ("pg_attrdef", 2604),
    ("pg_constraint", 2606),
    ("pg_inherits", 2611),
    ("pg_policy", 3256),
    ("pg_statistic_ext", 3381),
    ("pg_collation", 3456),
    ("pg_publication", 6104),
    ("pg_publication_rel", 6106),
    ("pg_publication_namespace", 6237),
];

/// The OID of a relation by name (`items`, `public.items`, `pg_catalog.pg_class`), as
/// `regclass`'s input finds it.
pub fn relation_oid(catalog: &Catalog, name: &str) -> Option<i64> {
    let name = name.trim();
    let (schema, bare) = super::namespace::split(name);
    let table_oid = |key: String| {
        relations(catalog)
            .find(|(_, table)| table.key() == key)
            .map(|(oid, _)| oid)
    };
    if !matches!(schema, Some("pg_catalog" | "information_schema")) {
        if let Some(key) = catalog.resolve(name) {
            return table_oid(key);
        }
        if let Some((table, position)) = catalog.find_index(name) {
            return table_oid(table.key()).map(|oid| oid + 1 + position as i64);
        }
    }
    if matches!(schema, None | Some("pg_catalog")) {
        return CATALOG_OIDS
            .iter()
            .find(|(n, _)| *n == bare)
            .map(|(_, oid)| *oid);
    }
    None
}

/// The OID of a schema: PostgreSQL's for its own, one after another from
/// [`USER_NAMESPACE_OID_BASE`] for those `CREATE SCHEMA` made (in name order).
pub fn namespace_oid(catalog: &Catalog, schema: &str) -> i64 {
    match schema {
        "pg_catalog" => PG_CATALOG,
        "information_schema" => INFORMATION_SCHEMA,
        super::namespace::PUBLIC => PUBLIC,
        _ => catalog
            .schemas()
            .position(|(name, _)| name == schema)
            .map_or(0, |position| USER_NAMESPACE_OID_BASE + position as i64),
    }
}

/// The OIDs of every table.
pub fn table_oids(catalog: &Catalog) -> Vec<i64> {
    relations(catalog).map(|(oid, _)| oid).collect()
}

/// Every name `regclass`'s input reads, with its relation's OID: each table, index and sequence
/// qualified by its schema, bare when the search path finds it so, and the system
/// catalog's relations bare and in `pg_catalog`.
pub fn relation_names(catalog: &Catalog) -> Vec<(String, i64)> {
    let mut names = Vec::new();
    for (oid, table) in relations(catalog) {
        let relations = std::iter::once((table.name.as_str(), oid)).chain(
            table
                .indexes
                .iter()
                .enumerate()
                .map(|(i, index)| (index.name.as_str(), oid + 1 + i as i64)),
        );
        for (name, oid) in relations {
            names.push((format!("{}.{name}", table.schema), oid));
            if relation_oid(catalog, name) == Some(oid) {
                names.push((name.to_string(), oid));
            }
        }
        // Sequences are visible where their table is.
        let table_visible = relation_oid(catalog, &table.name) == Some(oid);
        let sequences = table.columns.iter().filter(|c| c.sequence.is_some());
        for (k, column) in sequences.enumerate() {
            let name = format!("{}_{}_seq", table.name, column.name);
            let sequence_oid = super::system_class::sequence_oid(oid, k);
            names.push((format!("{}.{name}", table.schema), sequence_oid));
            if table_visible {
                names.push((name, sequence_oid));
            }
        }
    }
    for (name, oid) in CATALOG_OIDS {
        names.push((format!("pg_catalog.{name}"), *oid));
        if relation_oid(catalog, name) == Some(*oid) {
            names.push((name.to_string(), *oid));
        }
    }
    names
}

/// Every schema's name with its OID.
pub fn namespace_names(catalog: &Catalog) -> Vec<(String, i64)> {
    let mut names: Vec<String> = ["pg_catalog", super::namespace::PUBLIC, "information_schema"]
        .iter()
        .map(|name| name.to_string())
        .collect();
    names.extend(catalog.schemas().map(|(name, _)| name.clone()));
    names
        .into_iter()
        .map(|name| {
            let oid = namespace_oid(catalog, &name);
            (name, oid)
        })
        .collect()
}

/// A relation found by its OID.
pub enum RelationByOid<'a> {
    /// A table.
    Table(&'a super::Table),
    /// An index: its table and its place in the table's `indexes`.
    Index(&'a super::Table, usize),
    /// A system catalog relation.
    System,
}

/// The relation with OID `oid`, if there is one.
pub fn relation_by_oid(catalog: &Catalog, oid: i64) -> Option<RelationByOid<'_>> {
    if CATALOG_OIDS.iter().any(|(_, o)| *o == oid) {
        return Some(RelationByOid::System);
    }
    for (table_oid, table) in relations(catalog) {
        if oid == table_oid {
            return Some(RelationByOid::Table(table));
        }
        let position = oid - table_oid - 1;
        if (0..table.indexes.len() as i64).contains(&position) {
            return Some(RelationByOid::Index(table, position as usize));
        }
    }
    None
}

/// Each table with its OID and its indexes' OIDs.
pub(super) fn relations(catalog: &Catalog) -> impl Iterator<Item = (i64, &super::Table)> {
    catalog
        .tables()
        .enumerate()
        .map(|(position, table)| (TABLE_OID_BASE + 100 * position as i64, table))
}

/// The `pg_indexes` view: each index with its `CREATE INDEX` statement.
fn pg_indexes(catalog: &Catalog) -> SystemRelation {
    let mut rows = Vec::new();
    for (_, table) in relations(catalog) {
        for index in &table.indexes {
            let primary = table.primary_key_name() == index.name && !table.primary_key.is_empty();
            let unique = primary
                || table
                    .unique_constraints()
                    .any(|(name, _)| name == index.name);
            rows.push(vec![
                text(&table.schema),
                text(&table.name),
                text(&index.name),
                Datum::Null,
                text(&super::index_def::create_statement(
                    table, index, unique, false,
                )),
            ]);
        }
    }
    SystemRelation {
        columns: vec![
            ("schemaname", SqlType::Text),
            ("tablename", SqlType::Text),
            ("indexname", SqlType::Text),
            ("tablespace", SqlType::Text),
            ("indexdef", SqlType::Text),
        ],
        rows,
    }
}

fn pg_extension(catalog: &Catalog) -> SystemRelation {
    let mut rows = vec![vec![
        int8(13_500),
        text("plpgsql"),
        int8(10),
        int8(PG_CATALOG),
        text("1.0"),
    ]];
    if catalog.extension_installed {
        rows.push(vec![
            int8(16_384),
            text("vector"),
            int8(10),
            int8(PUBLIC),
            text(PGVECTOR_VERSION),
        ]);
    }
    if catalog.stat_statements.is_some() {
        rows.push(vec![
            int8(16_386),
            text("pg_stat_statements"),
            int8(10),
            int8(PUBLIC),
            text("1.10"),
        ]);
    }
    SystemRelation {
        columns: vec![
            ("oid", SqlType::Int8),
            ("extname", SqlType::Text),
            ("extowner", SqlType::Int8),
            ("extnamespace", SqlType::Int8),
            ("extversion", SqlType::Text),
        ],
        rows,
    }
}

/// The run-time parameters with the session's values.
fn pg_settings(settings: &Settings) -> SystemRelation {
    let rows = crate::settings::ALL
        .iter()
        .map(|param| {
            let (setting, unit, vartype, boot) = settings.catalog_row(param);
            let source = if settings.is_set(param) {
                "session"
            } else {
                "default"
            };
            vec![
                text(param.name),
                Datum::Text(setting),
                unit.map_or(Datum::Null, text),
                text(vartype),
                text(source),
                Datum::Text(boot.clone()),
                Datum::Text(boot),
            ]
        })
        .collect();
    SystemRelation {
        columns: vec![
            ("name", SqlType::Text),
            ("setting", SqlType::Text),
            ("unit", SqlType::Text),
            ("vartype", SqlType::Text),
            ("source", SqlType::Text),
            ("boot_val", SqlType::Text),
            ("reset_val", SqlType::Text),
        ],
        rows,
    }
}

/// Comments on objects: the extensions' descriptions, as their control files give them.
fn pg_description(catalog: &Catalog) -> SystemRelation {
    let extension = |oid: i64, text: &str| {
        vec![
            int8(oid),
            int8(3079),
            Datum::Int4(0),
            Datum::Text(text.to_string()),
        ]
    };
    let mut rows = vec![extension(13_500, "PL/pgSQL procedural language")];
    if catalog.extension_installed {
        rows.push(extension(
            16_384,
            "vector data type and ivfflat and hnsw access methods",
        ));
    }
    SystemRelation {
        columns: vec![
            ("objoid", SqlType::Int8),
            ("classoid", SqlType::Int8),
            ("objsubid", SqlType::Int4),
            ("description", SqlType::Text),
        ],
        rows,
    }
}

fn pg_database() -> SystemRelation {
    SystemRelation {
        columns: vec![
            ("oid", SqlType::Int8),
            ("datname", SqlType::Text),
            ("datdba", SqlType::Int8),
            ("encoding", SqlType::Int4),
            ("datallowconn", SqlType::Bool),
        ],
        rows: vec![vec![
            int8(DATABASE_OID),
            text(DATABASE_NAME),
            int8(10),
            Datum::Int4(6),
            Datum::Bool(true),
        ]],
    }
}

fn information_tables(catalog: &Catalog) -> SystemRelation {
    SystemRelation {
        columns: vec![
            ("table_catalog", SqlType::Text),
            ("table_schema", SqlType::Text),
            ("table_name", SqlType::Text),
            ("table_type", SqlType::Text),
        ],
        rows: catalog
            .tables()
            .map(|table| {
                vec![
                    text("vecsh"),
                    text(&table.schema),
                    text(&table.name),
                    text("BASE TABLE"),
                ]
            })
            .collect(),
    }
}

fn information_columns(catalog: &Catalog) -> SystemRelation {
    let mut rows = Vec::new();
    for table in catalog.tables() {
        for (i, column) in table.columns.iter().enumerate() {
            let data_type = match &column.ty {
                SqlType::Array(_) => "ARRAY".to_string(),
                SqlType::Vector | SqlType::HalfVec | SqlType::SparseVec => {
                    "USER-DEFINED".to_string()
                }
                other => other.name(),
            };
            rows.push(vec![
                text("vecsh"),
                text(&table.schema),
                text(&table.name),
                text(&column.name),
                Datum::Int4(i as i32 + 1),
                column.default.as_deref().map_or(Datum::Null, text),
                text(if column.not_null { "NO" } else { "YES" }),
                Datum::Text(data_type),
                text(
                    &column
                        .ty
                        .internal_name()
                        .trim_start_matches('_')
                        .to_string(),
                ),
            ]);
        }
    }
    SystemRelation {
        columns: vec![
            ("table_catalog", SqlType::Text),
            ("table_schema", SqlType::Text),
            ("table_name", SqlType::Text),
            ("column_name", SqlType::Text),
            ("ordinal_position", SqlType::Int4),
            ("column_default", SqlType::Text),
            ("is_nullable", SqlType::Text),
            ("data_type", SqlType::Text),
            ("udt_name", SqlType::Text),
        ],
        rows,
    }
}

/// `pg_class.reltuples`: the row versions the table's built row indexes hold, or -1
/// (unknown, as PostgreSQL shows for a table never analyzed) when none are built.
pub(super) fn reltuples(table: &crate::catalog::Table) -> f32 {
    table
        .row_indexes
        .estimated_rows()
        .map_or(-1.0, |rows| rows as f32)
}
