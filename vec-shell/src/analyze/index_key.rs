//! The key of a vector index on a table: its column, or its expression (stored as SQL
//! text in the catalog) bound over the table's row, with the key's type and modifier;
//! and a partial index's predicate (`WHERE …`, also stored as SQL text), checked as
//! PostgreSQL checks it when the index is created.

use super::defaults::{
    bind_over_row, first_forbidden, is_aggregate_call, is_set_returning, not_allowed, parse_stored,
};
use crate::catalog::{Catalog, Index, IndexKey, IndexPredicate, Table};
use crate::error::{EngineError, Result};
use crate::sql::ast::{Expr, ExprKind};
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
    /// A partial index's predicate.
    pub predicate: Option<IndexPredicate>,
}

impl BoundIndexKey {
    /// The key's value for a row: NULL (no entry) for a row outside a partial index.
    pub fn value(&self, row: &[crate::value::Datum]) -> Result<crate::value::Datum> {
        match &self.predicate {
            Some(predicate) if !predicate.holds(row)? => Ok(crate::value::Datum::Null),
            _ => self.key.value(row),
        }
    }
}

/// Binds a partial index's predicate over `table`'s row with PostgreSQL's rules: a
/// boolean, with no subquery, aggregate, set-returning or volatile function.
pub fn bind_predicate(table: &Table, expr: &Expr) -> Result<IndexPredicate> {
    let found = first_forbidden(expr, &mut |e| match &e.kind {
        ExprKind::Subquery(_) | ExprKind::SubLink { .. } => true,
        ExprKind::Function { name, .. } => {
            name == "random" || is_aggregate_call(e) || is_set_returning(e)
        }
        _ => false,
    });
    if let Some(found) = found {
        return Err(match &found.kind {
            ExprKind::Function { name, .. } if name == "random" => EngineError::new(
                "42P17",
                "functions in index predicate must be marked IMMUTABLE",
            ),
            _ => not_allowed(&found, "index predicate"),
        });
    }
    let bound = bind_over_row(&Catalog::default(), table, expr, |binder, cx, value| {
        let bound = binder.coerce(value, &SqlType::Bool, expr.pos.0, "argument of WHERE")?;
        match cx.has_subqueries() {
            true => Err(EngineError::new(
                "0A000",
                "cannot use subquery in index predicate",
            )),
            false => Ok(bound),
        }
    })?;
    let mut parts = Vec::new();
    collect_conjuncts(&bound, &mut |part| parts.push(part.clone()));
    Ok(IndexPredicate { expr: bound, parts })
}

/// Calls `f` with each `AND`ed part of a condition.
fn collect_conjuncts(expr: &crate::expr::BoundExpr, f: &mut dyn FnMut(&crate::expr::BoundExpr)) {
    match expr {
        crate::expr::BoundExpr::And(parts) => {
            for part in parts {
                collect_conjuncts(part, f);
            }
        }
        _ => f(expr),
    }
}

/// Binds the stored predicates of a table's partial indexes and the keys of its `gin`
/// indexes (when the database opens).
pub fn bind_stored_predicates(table: &mut Table) -> Result<()> {
    let mut bound = Vec::with_capacity(table.indexes.len());
    for index in &table.indexes {
        let gin_key = match index.method {
            crate::index::AccessMethod::Gin => Some(index_key(table, index)?.key),
            _ => None,
        };
        bound.push((stored_predicate(table, index)?, gin_key));
    }
    for (index, (predicate, gin_key)) in table.indexes.iter_mut().zip(bound) {
        index.bound_predicate = predicate;
        index.gin_key = gin_key;
    }
    Ok(())
}

/// The stored predicate of `index`, bound.
fn stored_predicate(table: &Table, index: &Index) -> Result<Option<IndexPredicate>> {
    index
        .predicate
        .as_deref()
        .map(|text| bind_predicate(table, &parse_stored(text)?))
        .transpose()
}

/// The key of `index` on `table`.
pub fn index_key(table: &Table, index: &Index) -> Result<BoundIndexKey> {
    if let Some(text) = &index.expression {
        let expr = parse_stored(text)?;
        let (bound, has_subqueries) =
            bind_over_row(&Catalog::default(), table, &expr, |_, cx, value| {
                Ok((value, cx.has_subqueries()))
            })?;
        if has_subqueries {
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
            predicate: stored_predicate(table, index)?,
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
        predicate: stored_predicate(table, index)?,
    })
}
