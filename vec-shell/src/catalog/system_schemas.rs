//! The system relations about schemas and their tables: `pg_namespace` (PostgreSQL's
//! own schemas, `public`, and those `CREATE SCHEMA` made) and the `pg_tables` view.

use super::system::{int8, namespace_oid, relations, text, SystemRelation};
use super::Catalog;
use crate::value::{Datum, SqlType};

/// `pg_namespace`: every schema with its OID and owner.
pub fn pg_namespace(catalog: &Catalog) -> SystemRelation {
    let mut names = vec![
        "pg_catalog".to_string(),
        super::namespace::PUBLIC.to_string(),
        "information_schema".to_string(),
    ];
    names.extend(catalog.schemas().map(|(name, _)| name.clone()));
    SystemRelation {
        columns: vec![
            ("oid", SqlType::Int8),
            ("nspname", SqlType::Text),
            ("nspowner", SqlType::Int8),
        ],
        rows: names
            .iter()
            .map(|name| {
                vec![
                    int8(namespace_oid(catalog, name)),
                    text(name),
                    int8(if name == super::namespace::PUBLIC {
                        crate::expr::system::DATABASE_OWNER_OID
                    } else {
                        crate::expr::system::SUPERUSER_OID
                    }),
                ]
            })
            .collect(),
    }
}

/// The `pg_tables` view: each table with its schema and owner.
pub fn pg_tables(catalog: &Catalog) -> SystemRelation {
    SystemRelation {
        columns: vec![
            ("schemaname", SqlType::Text),
            ("tablename", SqlType::Text),
            ("tableowner", SqlType::Text),
            ("tablespace", SqlType::Text),
            ("hasindexes", SqlType::Bool),
            ("hasrules", SqlType::Bool),
            ("hastriggers", SqlType::Bool),
            ("rowsecurity", SqlType::Bool),
        ],
        rows: relations(catalog)
            .map(|(_, table)| {
                vec![
                    text(&table.schema),
                    text(&table.name),
                    text(crate::sql::ast::ROLE),
                    Datum::Null,
                    Datum::Bool(!table.indexes.is_empty()),
                    Datum::Bool(false),
                    Datum::Bool(false),
                    Datum::Bool(false),
                ]
            })
            .collect(),
    }
}
