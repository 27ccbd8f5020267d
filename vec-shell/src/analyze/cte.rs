//! Common table expressions (`WITH [RECURSIVE] name [(columns)] AS [NOT] MATERIALIZED
//! (query) …`), planned by inlining: every reference to a `WITH` query in `FROM`
//! becomes a [`FromItem::Cte`] holding the query, bound afresh for each reference
//! (`cte_bind.rs`). The engine's queries are deterministic except for `random()`, so a
//! materialized CTE answers the same as an inlined one; `MATERIALIZED` is accepted and
//! changes nothing. A query's own `WITH` hides an outer CTE of the same name, and each
//! CTE sees those defined before it; in a `WITH RECURSIVE` list each sees every other
//! one it does not depend on through a cycle, and may name itself (`recursive.rs`).

use super::cte_walk::{walk_select, Place};
use crate::error::{EngineError, Result};
use crate::sql::ast::{Cte, FromItem, Select};

/// The most CTE references one statement may expand into; CTEs that each name the one
/// before twice would otherwise grow the query exponentially.
const MAX_EXPANSIONS: usize = 10_000;

/// A CTE ready to substitute, its query with earlier CTEs already inlined, and how
/// many references that query expanded.
type Defined = (Cte, usize);

/// `select` with its `WITH` list inlined into the rest of the query.
pub fn inline_ctes(select: &Select) -> Result<Select> {
    let mut body = select.clone();
    let mut ctes = std::mem::take(&mut body.with);
    if ctes.iter().any(|cte| cte.recursive) {
        ctes = super::recursive::order(ctes)?;
    }
    let mut defined: Vec<Defined> = Vec::new();
    for mut cte in ctes {
        if cte.recursive {
            super::recursive::mark_work_table(&mut cte)?;
        }
        let mut weight = 1;
        substitute(&mut cte.query, &defined, &mut weight)?;
        // A later CTE of the same name replaces the earlier one, as the last
        // definition is the one found first below.
        defined.insert(0, (cte, weight));
    }
    let mut weight = 0;
    substitute(&mut body, &defined, &mut weight)?;
    Ok(body)
}

/// Replaces the references in `select` to the CTEs of `ctes`.
fn substitute(select: &mut Select, ctes: &[Defined], weight: &mut usize) -> Result<()> {
    walk_select(select, &Place::default(), &mut |item, place| {
        let FromItem::Table { name, alias, pos } = item else {
            return Ok(());
        };
        if place.hidden.contains(name) {
            return Ok(());
        }
        let Some((cte, cost)) = ctes.iter().find(|(cte, _)| &cte.name == name) else {
            return Ok(());
        };
        *weight = weight.saturating_add(*cost);
        if *weight > MAX_EXPANSIONS {
            return Err(
                EngineError::new("54001", "WITH query expands into too many references").at(pos.0),
            );
        }
        *item = FromItem::Cte {
            cte: Box::new(cte.clone()),
            alias: alias.clone(),
            pos: *pos,
        };
        Ok(())
    })
}
