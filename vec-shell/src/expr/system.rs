//! PostgreSQL's system information functions that clients call on connect:
//! `version()`, `current_schema()`, `current_database()`, `current_user`,
//! `to_regtype(text)`, `format_type(oid, typmod)`, `pg_table_is_visible(oid)`. vecsh
//! has one database and one schema, `public`, where every table lives.

use super::signature::Signature;
use crate::value::{oid, Datum, SqlType};

fn sig(args: &[SqlType], ret: SqlType, imp: super::Imp) -> Signature {
    Signature {
        args: args.to_vec(),
        ret,
        imp,
    }
}

/// The text `version()` returns: the PostgreSQL version whose protocol and catalog
/// vecsh speaks, and vecsh's own.
pub fn version_text() -> String {
    format!(
        "PostgreSQL 17.0 (vecsh {}) on {}-{}, compatible with pgvector",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::ARCH,
        std::env::consts::OS
    )
}

/// Overloads of the function `name` from this module (empty when it has none).
pub fn candidates(name: &str) -> Vec<Signature> {
    use SqlType::{Bool, Int4, Int8, RegType, Text};
    match name {
        "version" => vec![sig(&[], Text, |_| Ok(Datum::Text(version_text())))],
        "current_schema" => vec![sig(&[], Text, |_| Ok(Datum::Text("public".into())))],
        "current_database" => vec![sig(&[], Text, |_| Ok(Datum::Text("vecsh".into())))],
        "to_regtype" => vec![sig(&[Text], RegType, |a| {
            let Datum::Text(name) = &a[0] else {
                return Ok(Datum::Null);
            };
            Ok(oid::type_by_name(name).map_or(Datum::Null, |oid| Datum::Int8(i64::from(oid))))
        })],
        "format_type" => vec![sig(&[Int8, Int4], Text, |a| {
            let (Datum::Int8(type_oid), Datum::Int4(typmod)) = (&a[0], &a[1]) else {
                return Ok(Datum::Null);
            };
            let Some(ty) = u32::try_from(*type_oid).ok().and_then(SqlType::from_oid) else {
                let name = u32::try_from(*type_oid).ok().and_then(oid::type_name);
                return Ok(Datum::Text(name.unwrap_or_else(|| "???".into())));
            };
            Ok(Datum::Text(ty.name_with_typmod(*typmod)))
        })],
        "pg_table_is_visible" | "pg_type_is_visible" => {
            vec![sig(&[Int8], Bool, |_| Ok(Datum::Bool(true)))]
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: &[Datum]) -> Datum {
        (candidates(name)[0].imp)(args).unwrap()
    }

    #[test]
    fn type_functions() {
        assert_eq!(
            call("to_regtype", &[Datum::Text("halfvec".into())]),
            Datum::Int8(16387)
        );
        assert_eq!(
            call("to_regtype", &[Datum::Text("nope".into())]),
            Datum::Null
        );
        assert_eq!(
            call("format_type", &[Datum::Int8(16385), Datum::Int4(3)]),
            Datum::Text("vector(3)".into())
        );
        assert!(version_text().starts_with("PostgreSQL 17.0 (vecsh"));
    }
}
