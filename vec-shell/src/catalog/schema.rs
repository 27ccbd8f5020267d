//! The byte form of catalog entries: a kind byte (1 for a table, 2 for the installed
//! `vector` extension, 3 for `pg_stat_statements`, 4 for a schema, followed by its
//! name), then for a table its name, heap id, columns (name, type name, modifier,
//! `NOT NULL`, a sequence byte — 0 none, 1 a serial or `BY DEFAULT` identity, 2 a
//! `GENERATED ALWAYS` identity — and the next sequence value), primary key positions and indexes (name, method,
//! columns, operator class, storage options, key expression), then the indexes' ids
//! (a count and one `u64` each; absent in entries written before indexes had ids).
//!
//! A table whose columns have defaults or generation expressions ends with one more
//! section after the ids: the byte 1, then per column a kind byte (0 none, 1 `DEFAULT`,
//! 2 `GENERATED ALWAYS AS … STORED`) followed, unless 0, by the expression's SQL text.
//!
//! A table with `UNIQUE` or `CHECK` constraints ends with one more section after those:
//! the byte 2, a count, then per constraint its name and a kind byte — 1 unique,
//! followed by a column count and the columns' positions; 2 check, followed by the
//! expression's SQL text. Entries written before constraints existed have no such
//! section and open as tables without constraints.
//!
//! A table with a partial index ends with one more section after those: the byte 3,
//! then per index its predicate's SQL text (empty for an index on every row). Sections
//! are optional and come in the order of their tag bytes.
//!
//! A table with a column whose storage mode was set (`SET STORAGE`) ends with one more
//! section after those: the byte 4, then per column its mode's byte (0 the type's
//! default; see [`ColumnStorage::code`]). Then, when set: 5, the schema's name; 6, the
//! `ANALYZE` statistics; 7, per column its statistics target as a `u32` (`u32::MAX`
//! for the default; `SET STATISTICS`).

use super::{Column, ColumnStorage, Constraint, ConstraintRule, Index, Table};
use crate::error::{EngineError, Result};
use crate::index::AccessMethod;
use crate::storage::codec::Reader;
use crate::value::SqlType;

/// A decoded catalog entry.
pub enum CatalogEntry {
    /// `CREATE EXTENSION vector` has run.
    Extension,
    /// `CREATE EXTENSION pg_stat_statements` has run.
    StatStatements,
    /// A table definition (rows are loaded separately).
    Table(Table),
    /// A schema made by `CREATE SCHEMA`.
    Schema(String),
}

fn put_str(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(&(text.len() as u32).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
}

fn put_u32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

/// The entry recording the installed extension.
pub fn encode_extension() -> Vec<u8> {
    vec![2]
}

/// The entry recording a schema.
pub fn encode_schema(name: &str) -> Vec<u8> {
    let mut out = vec![4];
    put_str(&mut out, name);
    out
}

/// The entry recording the installed `pg_stat_statements` extension.
pub fn encode_stat_statements() -> Vec<u8> {
    vec![3]
}

/// A table definition's bytes.
pub fn encode_table(table: &Table) -> Vec<u8> {
    let mut out = vec![1];
    put_str(&mut out, &table.name);
    put_u32(&mut out, table.heap);
    put_u32(&mut out, table.columns.len() as u32);
    for column in &table.columns {
        put_str(&mut out, &column.name);
        put_str(&mut out, &column.ty.name());
        out.extend_from_slice(&column.typmod.to_le_bytes());
        out.push(u8::from(column.not_null));
        match column.sequence.as_ref().map(crate::catalog::Sequence::get) {
            Some(next) => {
                // 2 marks `GENERATED ALWAYS AS IDENTITY`; 1 a serial or `BY DEFAULT`.
                out.push(if column.identity_always { 2 } else { 1 });
                out.extend_from_slice(&next.to_le_bytes());
            }
            None => out.push(0),
        }
    }
    put_u32(&mut out, table.primary_key.len() as u32);
    for index in &table.primary_key {
        put_u32(&mut out, *index as u32);
    }
    put_u32(&mut out, table.indexes.len() as u32);
    for index in &table.indexes {
        put_str(&mut out, &index.name);
        put_str(&mut out, index.method.name());
        put_u32(&mut out, index.columns.len() as u32);
        for column in &index.columns {
            put_u32(&mut out, *column as u32);
        }
        put_str(&mut out, index.opclass.as_deref().unwrap_or(""));
        put_u32(&mut out, index.with.len() as u32);
        for (option, value) in &index.with {
            put_str(&mut out, option);
            put_str(&mut out, value);
        }
        put_str(&mut out, index.expression.as_deref().unwrap_or(""));
    }
    put_u32(&mut out, table.indexes.len() as u32);
    for index in &table.indexes {
        out.extend_from_slice(&index.id.to_le_bytes());
    }
    let expressions = table
        .columns
        .iter()
        .any(|c| c.default.is_some() || c.generated.is_some());
    if expressions {
        out.push(1);
        for column in &table.columns {
            match (&column.default, &column.generated) {
                (_, Some(generated)) => {
                    out.push(2);
                    put_str(&mut out, generated);
                }
                (Some(default), None) => {
                    out.push(1);
                    put_str(&mut out, default);
                }
                (None, None) => out.push(0),
            }
        }
    }
    if !table.constraints.is_empty() {
        out.push(2);
        put_u32(&mut out, table.constraints.len() as u32);
        for constraint in &table.constraints {
            put_str(&mut out, &constraint.name);
            match &constraint.rule {
                ConstraintRule::Unique(columns) => {
                    out.push(1);
                    put_u32(&mut out, columns.len() as u32);
                    for column in columns {
                        put_u32(&mut out, *column as u32);
                    }
                }
                ConstraintRule::Check(text) => {
                    out.push(2);
                    put_str(&mut out, text);
                }
            }
        }
    }
    if table.indexes.iter().any(|index| index.predicate.is_some()) {
        out.push(3);
        for index in &table.indexes {
            put_str(&mut out, index.predicate.as_deref().unwrap_or(""));
        }
    }
    if table.columns.iter().any(|c| c.storage.is_some()) {
        out.push(4);
        for column in &table.columns {
            out.push(column.storage.map_or(0, ColumnStorage::code));
        }
    }
    if table.schema != crate::catalog::namespace::PUBLIC {
        out.push(5);
        put_str(&mut out, &table.schema);
    }
    if let Some(stats) = &table.stats {
        out.push(6);
        super::column_stats::encode(stats, &mut out);
    }
    if table.columns.iter().any(|c| c.statistics_target.is_some()) {
        out.push(7);
        for column in &table.columns {
            put_u32(&mut out, column.statistics_target.unwrap_or(-1) as u32);
        }
    }
    out
}

/// Reads the constraint section (after its tag byte).
fn decode_constraints(
    reader: &mut Reader<'_>,
    check: &dyn Fn(u32) -> Result<usize>,
) -> Result<Vec<Constraint>> {
    let mut constraints = Vec::new();
    for _ in 0..reader.u32()? {
        let name = reader.string()?;
        let rule = match reader.u8()? {
            1 => {
                let mut columns = Vec::new();
                for _ in 0..reader.u32()? {
                    columns.push(check(reader.u32()?)?);
                }
                ConstraintRule::Unique(columns)
            }
            2 => ConstraintRule::Check(reader.string()?),
            other => return Err(corrupt(&format!("unknown constraint kind {other}"))),
        };
        constraints.push(Constraint { name, rule });
    }
    Ok(constraints)
}

fn corrupt(what: &str) -> EngineError {
    EngineError::new("XX001", format!("catalog entry is corrupt: {what}"))
}

/// Reads a catalog entry.
pub fn decode_entry(bytes: &[u8]) -> Result<CatalogEntry> {
    let mut reader = Reader::new(bytes);
    match reader.u8()? {
        2 => return Ok(CatalogEntry::Extension),
        4 => return Ok(CatalogEntry::Schema(reader.string()?)),
        3 => return Ok(CatalogEntry::StatStatements),
        1 => {}
        other => return Err(corrupt(&format!("unknown kind {other}"))),
    }
    let name = reader.string()?;
    let heap = reader.u32()?;
    let n_columns = reader.u32()? as usize;
    let mut columns = Vec::with_capacity(n_columns.min(1600));
    for _ in 0..n_columns {
        let name = reader.string()?;
        let type_name = reader.string()?;
        let ty = SqlType::from_name(&type_name)
            .ok_or_else(|| corrupt(&format!("unknown type {type_name}")))?;
        let typmod = i32::from_le_bytes(reader.take(4)?.try_into().map_err(|_| corrupt("typmod"))?);
        let not_null = reader.u8()? != 0;
        let sequence_tag = reader.u8()?;
        let sequence = match sequence_tag {
            0 => None,
            _ => Some(crate::catalog::Sequence::new(reader.i64()?)),
        };
        columns.push(Column {
            name,
            ty,
            typmod,
            not_null,
            sequence,
            identity_always: sequence_tag == 2,
            storage: None,
            statistics_target: None,
            default: None,
            generated: None,
        });
    }
    let check = |index: u32| {
        let index = index as usize;
        if index < n_columns {
            Ok(index)
        } else {
            Err(corrupt("column position out of range"))
        }
    };
    let mut primary_key = Vec::new();
    for _ in 0..reader.u32()? {
        primary_key.push(check(reader.u32()?)?);
    }
    let mut table = Table::new(name, columns, primary_key);
    table.heap = heap;
    for _ in 0..reader.u32()? {
        let name = reader.string()?;
        let method_name = reader.string()?;
        let method = AccessMethod::from_name(&method_name).ok_or_else(|| {
            EngineError::new(
                "XX001",
                format!("catalog entry names an unknown access method \"{method_name}\""),
            )
        })?;
        let mut index_columns = Vec::new();
        for _ in 0..reader.u32()? {
            index_columns.push(check(reader.u32()?)?);
        }
        let opclass = Some(reader.string()?).filter(|o| !o.is_empty());
        let mut with = Vec::new();
        for _ in 0..reader.u32()? {
            with.push((reader.string()?, reader.string()?));
        }
        let expression = Some(reader.string()?).filter(|e| !e.is_empty());
        table.indexes.push(Index {
            name,
            method,
            columns: index_columns,
            opclass,
            with,
            expression,
            predicate: None,
            bound_predicate: None,
            gin_key: None,
            id: 0,
        });
    }
    // Entries written before indexes had ids end here.
    if !reader.at_end() {
        let n_ids = reader.u32()? as usize;
        if n_ids != table.indexes.len() {
            return Err(corrupt("index id count"));
        }
        for index in &mut table.indexes {
            index.id = reader.i64()? as u64;
        }
    }
    let mut last_section = 0;
    while !reader.at_end() {
        let section = reader.u8()?;
        if section <= last_section {
            return Err(corrupt("unknown section"));
        }
        last_section = section;
        match section {
            1 => {
                for column in &mut table.columns {
                    match reader.u8()? {
                        0 => {}
                        1 => column.default = Some(reader.string()?),
                        2 => column.generated = Some(reader.string()?),
                        other => {
                            return Err(corrupt(&format!("unknown column expression {other}")))
                        }
                    }
                }
            }
            2 => table.constraints = decode_constraints(&mut reader, &check)?,
            3 => {
                for index in &mut table.indexes {
                    index.predicate = Some(reader.string()?).filter(|p| !p.is_empty());
                }
            }
            4 => {
                for column in &mut table.columns {
                    column.storage = ColumnStorage::from_code(reader.u8()?)?;
                }
            }
            5 => table.schema = reader.string()?,
            6 => table.stats = Some(super::column_stats::decode(&mut reader)?),
            7 => {
                for column in &mut table.columns {
                    let target = reader.u32()? as i32;
                    column.statistics_target = (target >= 0).then_some(target);
                }
            }
            _ => return Err(corrupt("unknown section")),
        }
    }
    if !reader.at_end() {
        return Err(corrupt("bytes after the entry"));
    }
    Ok(CatalogEntry::Table(table))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table_with_index(id: u64) -> Table {
        let column = Column {
            name: "e".to_string(),
            ty: SqlType::from_name("vector").unwrap(),
            typmod: 3,
            not_null: false,
            sequence: None,
            identity_always: false,
            storage: None,
            statistics_target: None,
            default: None,
            generated: None,
        };
        let mut table = Table::new("items".to_string(), vec![column], Vec::new());
        table.heap = 4;
        table.indexes.push(Index {
            name: "by_e".to_string(),
            method: AccessMethod::Hnsw,
            columns: vec![0],
            opclass: Some("vector_l2_ops".to_string()),
            with: vec![("m".to_string(), "8".to_string())],
            expression: None,
            predicate: None,
            bound_predicate: None,
            gin_key: None,
            id,
        });
        table
    }

    fn decoded_ids(bytes: &[u8]) -> Vec<u64> {
        match decode_entry(bytes) {
            Ok(CatalogEntry::Table(table)) => table.indexes.iter().map(|i| i.id).collect(),
            _ => panic!("not a table entry"),
        }
    }

    use crate::value::SqlType;

    fn column(name: &str) -> Column {
        Column {
            name: name.to_string(),
            ty: SqlType::Int4,
            typmod: -1,
            not_null: false,
            sequence: None,
            identity_always: false,
            storage: None,
            statistics_target: None,
            default: None,
            generated: None,
        }
    }

    #[test]
    fn index_ids_round_trip_and_older_entries_have_none() {
        let bytes = encode_table(&table_with_index(0x1234_5678_9abc));
        assert_eq!(decoded_ids(&bytes), [0x1234_5678_9abc]);
        // An entry written before indexes had ids ends before the id count.
        let older = &bytes[..bytes.len() - 12];
        assert_eq!(decoded_ids(older), [0]);
        // A cut inside the ids is corruption, not a silent default.
        assert!(decode_entry(&bytes[..bytes.len() - 3]).is_err());
    }

    #[test]
    fn tables_without_expressions_keep_the_old_layout() {
        let table = Table::new("t".to_string(), vec![column("a")], Vec::new());
        let bytes = encode_table(&table);
        // Kind, name, heap, column count, the column, key and indexes, then the (empty)
        // index ids; no expression section.
        assert_eq!(
            bytes.len(),
            1 + (4 + 1) + 4 + 4 + (4 + 1) + (4 + 7) + 4 + 1 + 1 + 4 + 4 + 4
        );
        let CatalogEntry::Table(decoded) = decode_entry(&bytes).unwrap() else {
            panic!("not a table");
        };
        assert!(decoded.columns[0].default.is_none() && decoded.columns[0].generated.is_none());
    }

    #[test]
    fn constraints_round_trip_with_or_without_expressions() {
        let mut columns = vec![column("a"), column("b")];
        columns[1].default = Some("3".to_string());
        let mut table = Table::new("t".to_string(), columns, Vec::new());
        let constraints = vec![
            Constraint {
                name: "t_a_b_key".to_string(),
                rule: ConstraintRule::Unique(vec![0, 1]),
            },
            Constraint {
                name: "t_a_check".to_string(),
                rule: ConstraintRule::Check("a > 0".to_string()),
            },
        ];
        table.constraints = constraints.clone();
        let CatalogEntry::Table(decoded) = decode_entry(&encode_table(&table)).unwrap() else {
            panic!("not a table");
        };
        assert_eq!(decoded.constraints, constraints);
        assert_eq!(decoded.columns[1].default.as_deref(), Some("3"));
        table.columns[1].default = None;
        let bytes = encode_table(&table);
        let CatalogEntry::Table(decoded) = decode_entry(&bytes).unwrap() else {
            panic!("not a table");
        };
        assert_eq!(decoded.constraints, constraints);
        // A column position out of range, or a cut entry, is corruption.
        let mut bad = table;
        bad.constraints[0].rule = ConstraintRule::Unique(vec![5]);
        assert!(decode_entry(&encode_table(&bad)).is_err());
        assert!(decode_entry(&bytes[..bytes.len() - 2]).is_err());
    }

    #[test]
    fn defaults_and_generation_expressions_round_trip() {
        let mut columns = vec![column("a"), column("b"), column("c")];
        columns[0].default = Some("7".to_string());
        columns[2].generated = Some("(a * 2)".to_string());
        let table = Table::new("t".to_string(), columns, Vec::new());
        let bytes = encode_table(&table);
        let CatalogEntry::Table(decoded) = decode_entry(&bytes).unwrap() else {
            panic!("not a table");
        };
        let shown: Vec<_> = decoded
            .columns
            .iter()
            .map(|c| (c.default.clone(), c.generated.clone()))
            .collect();
        assert_eq!(
            shown,
            vec![
                (Some("7".to_string()), None),
                (None, None),
                (None, Some("(a * 2)".to_string()))
            ]
        );
        let mut truncated = bytes.clone();
        truncated.pop();
        assert!(decode_entry(&truncated).is_err());
    }

    #[test]
    fn storage_modes_round_trip_and_tables_without_them_keep_the_old_layout() {
        let plain = encode_table(&Table::new("t".to_string(), vec![column("a")], Vec::new()));
        let mut columns = vec![column("a"), column("b")];
        columns[1].storage = Some(ColumnStorage::Main);
        let table = Table::new("t".to_string(), columns, Vec::new());
        let bytes = encode_table(&table);
        assert!(bytes.len() > plain.len());
        let CatalogEntry::Table(decoded) = decode_entry(&bytes).unwrap() else {
            panic!("not a table");
        };
        let modes: Vec<_> = decoded.columns.iter().map(|c| c.storage).collect();
        assert_eq!(modes, vec![None, Some(ColumnStorage::Main)]);
        let mut damaged = bytes.clone();
        if let Some(last) = damaged.last_mut() {
            *last = 9;
        }
        assert!(decode_entry(&damaged).is_err());
    }
}
