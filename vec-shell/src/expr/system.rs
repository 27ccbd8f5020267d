//! PostgreSQL's system information functions that clients call on connect:
//! `version()`, `current_database()`, `current_user`,
//! `to_regtype(text)`, `format_type(oid, typmod)`, `pg_type_is_visible(oid)`,
//! `pg_get_userbyid(oid)`, `pg_size_pretty(bigint)`, `pg_get_expr`, `col_description`,
//! `pg_get_statisticsobjdef_columns`, and the regular-expression operators `~`, `~*`, `!~`, `!~*`
//! that psql's catalog queries filter with (`current_schema()` depends on the search
//! path and the catalog, so the binder answers it). vecsh has one database and one
//! role, the superuser `postgres` (OID 10, as `initdb` names it by default), which owns
//! every object.

use super::signature::{Imp, Signature};
use crate::error::Result;
use crate::value::{oid, Datum, SqlType};

/// The OID of the one role.
pub const SUPERUSER_OID: i64 = 10;
/// Its name.
pub const SUPERUSER: &str = "postgres";
/// The OID of role `pg_database_owner`, which owns schema `public`.
pub const DATABASE_OWNER_OID: i64 = 6171;
/// Its name.
pub const DATABASE_OWNER: &str = "pg_database_owner";

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

/// `pg_size_pretty(bigint)` as PostgreSQL 15 computes it: bytes below 10 kB, then kB,
/// MB, GB, TB and PB, each used below 20 × 1024 − 1 of it and rounded half away from zero.
pub fn size_pretty(bytes: i64) -> String {
    // (name, limit, rounded, bits of the unit)
    const UNITS: [(&str, i64, bool, u32); 6] = [
        ("bytes", 10 * 1024, false, 0),
        ("kB", 20 * 1024 - 1, true, 10),
        ("MB", 20 * 1024 - 1, true, 20),
        ("GB", 20 * 1024 - 1, true, 30),
        ("TB", 20 * 1024 - 1, true, 40),
        ("PB", 20 * 1024 - 1, true, 50),
    ];
    let half_rounded = |x: i64| (x + if x < 0 { -1 } else { 1 }) / 2;
    let mut size = bytes;
    for (position, &(name, limit, rounded, unit_bits)) in UNITS.iter().enumerate() {
        let Some(&(_, _, next_rounded, next_bits)) = UNITS.get(position + 1) else {
            let size = if rounded { half_rounded(size) } else { size };
            return format!("{size} {name}");
        };
        if size.unsigned_abs() < limit as u64 {
            let size = if rounded { half_rounded(size) } else { size };
            return format!("{size} {name}");
        }
        // One bit less where the next unit rounds by halves (it halves the rest).
        let bits = next_bits - unit_bits - u32::from(next_rounded) + u32::from(rounded);
        size /= 1i64 << bits;
    }
    format!("{size} bytes")
}

/// Overloads of the function `name` from this module (empty when it has none).
pub fn candidates(name: &str) -> Vec<Signature> {
    use SqlType::{Bool, Int4, Int8, RegType, Text};
    match name {
        "version" => vec![sig(&[], Text, |_| Ok(Datum::Text(version_text())))],
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
            // `atttypmod` counts `varchar`'s 4-byte header, as PostgreSQL's does.
            let typmod = match ty {
                SqlType::Varchar if *typmod >= 4 => typmod - 4,
                _ => *typmod,
            };
            Ok(Datum::Text(ty.name_with_typmod(typmod)))
        })],
        "pg_type_is_visible" => {
            vec![sig(&[Int8], Bool, |_| Ok(Datum::Bool(true)))]
        }
        // Activity counters are shared as soon as a statement counts them, so there is
        // nothing to flush or to forget; PostgreSQL's `void` prints as an empty value.
        "pg_stat_force_next_flush" | "pg_stat_clear_snapshot" => {
            vec![sig(&[], Text, |_| Ok(Datum::Text(String::new())))]
        }
        "pg_size_pretty" => vec![sig(&[Int8], Text, |a| {
            let Datum::Int8(size) = a[0] else {
                return Ok(Datum::Null);
            };
            Ok(Datum::Text(size_pretty(size)))
        })],
        "pg_get_userbyid" => vec![sig(&[Int8], Text, |a| {
            Ok(Datum::Text(match a[0] {
                Datum::Int8(SUPERUSER_OID) => SUPERUSER.to_string(),
                Datum::Int8(DATABASE_OWNER_OID) => DATABASE_OWNER.to_string(),
                Datum::Int8(other) => format!("unknown (OID={other})"),
                _ => return Ok(Datum::Null),
            }))
        })],
        // Expressions are kept as deparsed text (`pg_attrdef.adbin`), so this is it.
        "pg_get_expr" => vec![
            sig(&[Text, Int8], Text, |a| Ok(a[0].clone())),
            sig(&[Text, Int8, Bool], Text, |a| Ok(a[0].clone())),
        ],
        // vecsh keeps no comments on columns and makes no statistics objects.
        "col_description" => vec![sig(&[Int8, Int4], Text, |_| Ok(Datum::Null))],
        "pg_get_statisticsobjdef_columns" => vec![sig(&[Int8], Text, |_| Ok(Datum::Null))],
        other => super::array_functions::candidates(other),
    }
}

/// Overloads of the regular-expression operators: `~` matches, `~*` ignoring case, `!`
/// negates.
pub fn regex_candidates(op: &str) -> Vec<Signature> {
    let imp: Imp = match op {
        "~" => |a| regex_match(a, false, false),
        "~*" => |a| regex_match(a, true, false),
        "!~" => |a| regex_match(a, false, true),
        "!~*" => |a| regex_match(a, true, true),
        _ => return Vec::new(),
    };
    vec![sig(&[SqlType::Text, SqlType::Text], SqlType::Bool, imp)]
}

fn regex_match(args: &[Datum], ignore_case: bool, negate: bool) -> Result<Datum> {
    let (Datum::Text(text), Datum::Text(pattern)) = (&args[0], &args[1]) else {
        return Ok(Datum::Null);
    };
    let regex = super::regex_functions::compile(pattern, ignore_case)?;
    Ok(Datum::Bool(regex.is_match(text) != negate))
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
        assert_eq!(
            call("format_type", &[Datum::Int8(1043), Datum::Int4(24)]),
            Datum::Text("character varying(20)".into())
        );
        assert_eq!(
            call("pg_get_userbyid", &[Datum::Int8(10)]),
            Datum::Text("postgres".into())
        );
        let regex = |op: &str, text: &str, pattern: &str| {
            (regex_candidates(op)[0].imp)(&[Datum::Text(text.into()), Datum::Text(pattern.into())])
        };
        assert_eq!(
            regex("!~", "public", "^pg_toast").unwrap(),
            Datum::Bool(true)
        );
        assert_eq!(
            regex("~*", "Items", "^(items)$").unwrap(),
            Datum::Bool(true)
        );
        assert_eq!(regex("~", "x", "(").unwrap_err().sqlstate, "2201B");
    }
}
