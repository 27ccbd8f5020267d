//! The key of a vector index on a table: its column, or its expression (stored as SQL
//! text in the catalog) bound over the table's row, with the key's type and modifier.

use super::context::Context;
use super::defaults::parse_stored;
use super::expr::Binder;
use super::Scope;
use crate::catalog::{Catalog, Index, IndexKey, Table};
use crate::error::{EngineError, Result};
use crate::value::{SqlType, TypeMod};

/// A bound index key: what it indexes, its SQL text (a column's name or the expression),
/// its type and its modifier.
pub struct BoundIndexKey {
    /// The column or bound expression.
    pub key: IndexKey,
    /// Its SQL text.
    pub text: String,
    /// Its type.
    pub ty: SqlType,
    /// Its type modifier (a vector's dimensions).
    pub typmod: TypeMod,
}

/// The key of `index` on `table`.
pub fn index_key(table: &Table, index: &Index) -> Result<BoundIndexKey> {
    if let Some(text) = &index.expression {
        let expr = parse_stored(text)?;
        let scope = Scope::of_table(table, None);
        let empty = Catalog::default();
        let cx = Context::new(&empty, false);
        let mut binder = Binder {
            cx: &cx,
            scope: &scope,
            aggregates: None,
        };
        let bound = binder.bind(&expr)?;
        if cx.has_subqueries() {
            return Err(EngineError::new(
                "0A000",
                "cannot use subquery in index expression",
            ));
        }
        return Ok(BoundIndexKey {
            key: IndexKey::Expr(bound.expr),
            text: expr.to_string(),
            ty: bound.ty,
            typmod: bound.typmod,
        });
    }
    let column = index.columns.first().copied().unwrap_or(0);
    let definition = table
        .columns
        .get(column)
        .ok_or_else(|| EngineError::internal("index column out of range"))?;
    Ok(BoundIndexKey {
        key: IndexKey::Column(column),
        text: definition.name.clone(),
        ty: definition.ty.clone(),
        typmod: definition.typmod,
    })
}
