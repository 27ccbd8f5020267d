//! `WITH RECURSIVE`: the order its queries are inlined in, and the checks PostgreSQL
//! makes on a query that names itself. Such a query must be `non-recursive term UNION
//! [ALL] recursive term`, without `ORDER BY`, `LIMIT` or `OFFSET`; its recursive term
//! names it once, not inside an expression's subquery nor on the NULL-extended side of
//! an outer join, and that reference becomes a [`FromItem::WorkTable`]: the rows the
//! previous step produced.

use super::cte_walk::{walk_select, Place};
use crate::error::{EngineError, Result};
use crate::sql::ast::{Cte, FromItem, SetOperator};

/// The queries of a `WITH RECURSIVE` list in an order where each comes after the
/// others it names (the written order where it allows), each marked `recursive` when it
/// names itself; queries that name each other in a cycle are PostgreSQL's error.
pub(super) fn order(mut ctes: Vec<Cte>) -> Result<Vec<Cte>> {
    let names: Vec<String> = ctes.iter().map(|cte| cte.name.clone()).collect();
    let mut needs: Vec<Vec<String>> = Vec::with_capacity(ctes.len());
    for cte in &mut ctes {
        let mut named = Vec::new();
        walk_select(&mut cte.query, &Place::default(), &mut |item, place| {
            if let FromItem::Table { name, .. } = item {
                if names.contains(name) && !place.hidden.contains(name) && !named.contains(name) {
                    named.push(name.clone());
                }
            }
            Ok(())
        })?;
        cte.recursive = named.contains(&cte.name);
        named.retain(|name| name != &cte.name);
        needs.push(named);
    }
    let mut remaining: Vec<(Cte, Vec<String>)> = ctes.into_iter().zip(needs).collect();
    let mut ordered: Vec<Cte> = Vec::with_capacity(remaining.len());
    while !remaining.is_empty() {
        let ready = remaining.iter().position(|(_, needs)| {
            needs
                .iter()
                .all(|name| ordered.iter().any(|cte| &cte.name == name))
        });
        let Some(ready) = ready else {
            return Err(EngineError::new(
                "0A000",
                "mutual recursion between WITH items is not implemented",
            )
            .at(remaining[0].0.pos.0));
        };
        ordered.push(remaining.remove(ready).0);
    }
    Ok(ordered)
}

/// Checks a `WITH` query that names itself and turns its recursive term's reference
/// into a work table.
pub(super) fn mark_work_table(cte: &mut Cte) -> Result<()> {
    let name = cte.name.clone();
    let query = &mut *cte.query;
    let form_error = || {
        EngineError::new(
            "42P19",
            format!(
                "recursive query \"{name}\" does not have the form non-recursive-term UNION [ALL] recursive-term"
            ),
        )
        .at(cte.pos.0)
    };
    let Some(operation) = query.set_operation.as_mut() else {
        return Err(form_error());
    };
    if operation.operator != SetOperator::Union {
        return Err(form_error());
    }
    let refers = |item: &FromItem, place: &Place| match item {
        FromItem::Table {
            name: table, pos, ..
        } if *table == name && !place.hidden.contains(table) => Some(pos.0),
        _ => None,
    };
    let reference_error = |what: &str, pos: usize| {
        EngineError::new(
            "42P19",
            format!("recursive reference to query \"{name}\" must not appear {what}"),
        )
        .at(pos)
    };
    walk_select(
        &mut operation.left,
        &Place::default(),
        &mut |item, place| match refers(item, place) {
            Some(pos) => Err(reference_error("within its non-recursive term", pos)),
            None => Ok(()),
        },
    )?;
    let mut seen = false;
    walk_select(
        &mut operation.right,
        &Place::default(),
        &mut |item, place| {
            let Some(pos) = refers(item, place) else {
                return Ok(());
            };
            if place.in_sublink {
                return Err(reference_error("within a subquery", pos));
            }
            if place.nullable {
                return Err(reference_error("within an outer join", pos));
            }
            if seen {
                return Err(reference_error("more than once", pos));
            }
            seen = true;
            if let FromItem::Table { name, alias, pos } = item {
                *item = FromItem::WorkTable {
                    name: name.clone(),
                    alias: alias.clone(),
                    pos: *pos,
                };
            }
            Ok(())
        },
    )?;
    for (clause, expr) in [
        ("ORDER BY", query.order_by.first().map(|key| &key.expr)),
        ("OFFSET", query.offset.as_ref()),
        ("LIMIT", query.limit.as_ref()),
    ] {
        if let Some(expr) = expr {
            return Err(EngineError::new(
                "0A000",
                format!("{clause} in a recursive query is not implemented"),
            )
            .at(expr.pos.0));
        }
    }
    if !seen {
        // The query names itself only where its own WITH lists hide it: it is a
        // plain one.
        cte.recursive = false;
    }
    Ok(())
}
