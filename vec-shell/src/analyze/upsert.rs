//! Binding `INSERT … ON CONFLICT (key) DO NOTHING | DO UPDATE SET …`: the conflict
//! target must be the table's primary key, and the assignments see the existing row
//! under the table's name and the proposed row as `excluded`.

use super::bound::OnConflict as ConflictAction;
use super::context::Context;
use super::dml::assign;
use super::expr::Binder;
use super::Scope;
use crate::catalog::Table;
use crate::error::{EngineError, Result};
use crate::sql::ast::OnConflict;

/// Binds the `ON CONFLICT` clause of an insert into `table`.
pub fn bind_conflict(
    cx: &Context<'_>,
    table: &Table,
    conflict: &OnConflict,
) -> Result<ConflictAction> {
    if let Some(name) = &conflict.constraint {
        // The primary key is the only unique constraint a table has, named as
        // PostgreSQL names it.
        if table.primary_key.is_empty() || *name != format!("{}_pkey", table.name) {
            return Err(EngineError::new(
                "42704",
                format!(
                    "constraint \"{name}\" for table \"{}\" does not exist",
                    table.name
                ),
            ));
        }
    } else if conflict.columns.is_empty() {
        if conflict.update.is_some() {
            return Err(EngineError::new(
                "42601",
                "ON CONFLICT DO UPDATE requires inference specification or constraint name",
            )
            .at(conflict.pos.0)
            .with_hint("For example, ON CONFLICT (column_name)."));
        }
        // `DO NOTHING` without a target skips rows that conflict with any unique
        // constraint: the primary key, when the table has one.
        return Ok(ConflictAction { update: None });
    }
    let mut target = Vec::new();
    for name in &conflict.columns {
        let index = table.column_index(name).ok_or_else(|| {
            EngineError::new("42703", format!("column \"{name}\" does not exist"))
                .at(conflict.pos.0)
        })?;
        target.push(index);
    }
    target.sort_unstable();
    target.dedup();
    let mut key = table.primary_key.clone();
    key.sort_unstable();
    if conflict.constraint.is_some() {
        target = key.clone();
    }
    if key.is_empty() || target != key {
        return Err(EngineError::new(
            "42P10",
            "there is no unique or exclusion constraint matching the ON CONFLICT specification",
        ));
    }
    let Some(assignments) = &conflict.update else {
        return Ok(ConflictAction { update: None });
    };
    let mut scope = Scope::of_table(table, None);
    scope
        .columns
        .extend(Scope::of_table(table, Some("excluded")).columns);
    let mut binder = Binder {
        cx,
        scope: &scope,
        aggregates: None,
    };
    let mut update = Vec::new();
    for (name, pos, expr) in assignments {
        let index = table.column_index(name).ok_or_else(|| {
            EngineError::new(
                "42703",
                format!(
                    "column \"{name}\" of relation \"{}\" does not exist",
                    table.name
                ),
            )
            .at(pos.0)
        })?;
        if table.columns[index].generated.is_some() {
            if expr.kind == crate::sql::ast::ExprKind::Default {
                continue;
            }
            return Err(super::defaults::generated_update_error(name));
        }
        let value = binder.bind(expr)?;
        update.push((
            index,
            assign(&mut binder, table, index, value, expr.pos.0)?.expr,
        ));
    }
    Ok(ConflictAction {
        update: Some(update),
    })
}
