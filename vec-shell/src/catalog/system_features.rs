//! System relations of roles and collations, and of PostgreSQL features vecsh does not
//! have, which psql's `\d` reads anyway: row-level security policies (`pg_policy`),
//! extended statistics (`pg_statistic_ext`), logical-replication publications
//! (`pg_publication`, `pg_publication_namespace`, `pg_publication_rel`) and table
//! inheritance and partitions (`pg_inherits`). Those have their columns and no rows,
//! since vecsh can make none of these objects.
//!
//! Roles: the superuser `postgres` (OID 10), and `pg_database_owner` (OID 6171, as in
//! PostgreSQL), which owns schema `public` and cannot log in. Collations: `default`,
//! `C` and `POSIX`, all of which compare bytes here.

use super::system::{int8, text, SystemRelation, PG_CATALOG};
use crate::value::{Datum, SqlType};

use crate::expr::system::{DATABASE_OWNER, DATABASE_OWNER_OID};

/// The relation `name` from this module, if it is one.
pub fn relation(name: &str) -> Option<SystemRelation> {
    let oid_array = || SqlType::Array(Box::new(SqlType::Int8));
    let text_array = || SqlType::Array(Box::new(SqlType::Text));
    let empty = |columns: Vec<(&'static str, SqlType)>| SystemRelation {
        columns,
        rows: Vec::new(),
    };
    Some(match name {
        "pg_roles" => pg_roles(),
        "pg_collation" => pg_collation(),
        "pg_policy" => empty(vec![
            ("oid", SqlType::Int8),
            ("polname", SqlType::Text),
            ("polrelid", SqlType::Int8),
            ("polcmd", SqlType::Text),
            ("polpermissive", SqlType::Bool),
            ("polroles", oid_array()),
            ("polqual", SqlType::Text),
            ("polwithcheck", SqlType::Text),
        ]),
        "pg_statistic_ext" => empty(vec![
            ("oid", SqlType::Int8),
            ("stxrelid", SqlType::Int8),
            ("stxname", SqlType::Text),
            ("stxnamespace", SqlType::Int8),
            ("stxowner", SqlType::Int8),
            ("stxstattarget", SqlType::Int4),
            ("stxkeys", SqlType::Array(Box::new(SqlType::Int4))),
            ("stxkind", text_array()),
        ]),
        "pg_publication" => empty(vec![
            ("oid", SqlType::Int8),
            ("pubname", SqlType::Text),
            ("pubowner", SqlType::Int8),
            ("puballtables", SqlType::Bool),
            ("pubinsert", SqlType::Bool),
            ("pubupdate", SqlType::Bool),
            ("pubdelete", SqlType::Bool),
            ("pubtruncate", SqlType::Bool),
            ("pubviaroot", SqlType::Bool),
        ]),
        "pg_publication_namespace" => empty(vec![
            ("oid", SqlType::Int8),
            ("pnpubid", SqlType::Int8),
            ("pnnspid", SqlType::Int8),
        ]),
        "pg_publication_rel" => empty(vec![
            ("oid", SqlType::Int8),
            ("prpubid", SqlType::Int8),
            ("prrelid", SqlType::Int8),
            ("prqual", SqlType::Text),
            ("prattrs", SqlType::Array(Box::new(SqlType::Int4))),
        ]),
        "pg_inherits" => empty(vec![
            ("inhrelid", SqlType::Int8),
            ("inhparent", SqlType::Int8),
            ("inhseqno", SqlType::Int4),
            ("inhdetachpending", SqlType::Bool),
        ]),
        _ => return None,
    })
}

fn pg_roles() -> SystemRelation {
    let role = |oid: i64, name: &str, superuser: bool| {
        vec![
            text(name),
            Datum::Bool(superuser),
            Datum::Bool(true),
            Datum::Bool(superuser),
            Datum::Bool(superuser),
            Datum::Bool(superuser),
            Datum::Bool(superuser),
            Datum::Int4(-1),
            text("********"),
            Datum::Null,
            Datum::Bool(superuser),
            Datum::Null,
            int8(oid),
        ]
    };
    SystemRelation {
        columns: vec![
            ("rolname", SqlType::Text),
            ("rolsuper", SqlType::Bool),
            ("rolinherit", SqlType::Bool),
            ("rolcreaterole", SqlType::Bool),
            ("rolcreatedb", SqlType::Bool),
            ("rolcanlogin", SqlType::Bool),
            ("rolreplication", SqlType::Bool),
            ("rolconnlimit", SqlType::Int4),
            ("rolpassword", SqlType::Text),
            ("rolvaliduntil", SqlType::Text),
            ("rolbypassrls", SqlType::Bool),
            ("rolconfig", SqlType::Array(Box::new(SqlType::Text))),
            ("oid", SqlType::Int8),
        ],
        rows: vec![
            role(DATABASE_OWNER_OID, DATABASE_OWNER, false),
            role(
                crate::expr::system::SUPERUSER_OID,
                crate::expr::system::SUPERUSER,
                true,
            ),
        ],
    }
}

fn pg_collation() -> SystemRelation {
    let collation = |oid: i64, name: &str, provider: &str, locale: Option<&str>| {
        vec![
            int8(oid),
            text(name),
            int8(PG_CATALOG),
            int8(crate::expr::system::SUPERUSER_OID),
            text(provider),
            Datum::Bool(true),
            Datum::Int4(-1),
            locale.map_or(Datum::Null, text),
            locale.map_or(Datum::Null, text),
        ]
    };
    SystemRelation {
        columns: vec![
            ("oid", SqlType::Int8),
            ("collname", SqlType::Text),
            ("collnamespace", SqlType::Int8),
            ("collowner", SqlType::Int8),
            ("collprovider", SqlType::Text),
            ("collisdeterministic", SqlType::Bool),
            ("collencoding", SqlType::Int4),
            ("collcollate", SqlType::Text),
            ("collctype", SqlType::Text),
        ],
        rows: vec![
            collation(100, "default", "d", None),
            collation(950, "C", "c", Some("C")),
            collation(951, "POSIX", "c", Some("POSIX")),
        ],
    }
}
