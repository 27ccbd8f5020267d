//! Binding `INSERT … ON CONFLICT (key) DO NOTHING | DO UPDATE SET …`: the conflict
//! target must be the table's primary key or one of its unique constraints, and the assignments see the existing row
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
    let arbiters = arbiters(table, conflict)?;
    let Some(assignments) = &conflict.update else {
        return Ok(ConflictAction {
            arbiters,
            update: None,
        });
    };
    let mut scope = Scope::of_table(table, None);
    scope
        .columns
        .extend(Scope::of_table(table, Some("excluded")).columns);
    let mut binder = Binder {
        cx,
        scope: &scope,
        aggregates: None,
        windows: None,
    };
    let mut update = Vec::new();
    for (name, pos, expr) in assignments {
        let index = table.column_position(name).map_err(|e| e.at(pos.0))?;
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
        arbiters,
        update: Some(update),
    })
}

/// The keys of `table`: `None` for the primary key, `Some(i)` for the `i`th unique
/// constraint, with names and columns.
fn keys(table: &Table) -> Vec<(Option<usize>, String, Vec<usize>)> {
    let mut keys = Vec::new();
    if !table.primary_key.is_empty() {
        keys.push((None, table.primary_key_name(), table.primary_key.clone()));
    }
    for (position, (name, columns)) in table.unique_constraints().enumerate() {
        keys.push((Some(position), name.to_string(), columns.to_vec()));
    }
    keys
}

/// The arbiters of an `ON CONFLICT` clause: the constraint it names, the keys whose
/// columns are exactly the ones it lists, or (`DO NOTHING` with no target) every key.
fn arbiters(table: &Table, conflict: &OnConflict) -> Result<Vec<Option<usize>>> {
    let keys = keys(table);
    if let Some(name) = &conflict.constraint {
        return match keys.iter().find(|(_, key_name, _)| key_name == name) {
            Some((arbiter, _, _)) => Ok(vec![*arbiter]),
            None if table.check_constraints().any(|(check, _)| check == name) => {
                Err(EngineError::new(
                    "42809",
                    format!("constraint in ON CONFLICT clause has no associated index"),
                ))
            }
            None => Err(EngineError::new(
                "42704",
                format!(
                    "constraint \"{name}\" for table \"{}\" does not exist",
                    table.name
                ),
            )),
        };
    }
    if conflict.columns.is_empty() {
        if conflict.update.is_some() {
            return Err(EngineError::new(
                "42601",
                "ON CONFLICT DO UPDATE requires inference specification or constraint name",
            )
            .at(conflict.pos.0)
            .with_hint("For example, ON CONFLICT (column_name)."));
        }
        return Ok(keys.into_iter().map(|(arbiter, _, _)| arbiter).collect());
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
    let matching: Vec<Option<usize>> = keys
        .into_iter()
        .filter(|(_, _, columns)| {
            let mut columns = columns.clone();
            columns.sort_unstable();
            columns == target
        })
        .map(|(arbiter, _, _)| arbiter)
        .collect();
    if matching.is_empty() {
        return Err(EngineError::new(
            "42P10",
            "there is no unique or exclusion constraint matching the ON CONFLICT specification",
        ));
    }
    Ok(matching)
}
