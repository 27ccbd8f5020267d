//! Semantic analysis: binds a parsed statement against the catalog — names to columns,
//! literals to types, operators and functions to overloads, implicit casts — into the
//! bound statements of `bound`, which the planner (`plan`) turns into plans.

pub mod aggregate;
mod arrays;
pub mod bound;
mod catalog_functions;
mod chain;
mod concat;
pub mod conditional;
pub mod constraint;
pub mod context;
pub mod cte;
mod cte_bind;
mod cte_walk;
pub mod defaults;
mod distinct;
pub mod dml;
pub mod expr;
pub mod from;
mod group_keys;
pub mod index_key;
mod join;
pub mod naming;
mod postfix;
pub mod query;
mod recursive;
mod setop;
mod setting_functions;
mod sublink;
pub mod types;
pub mod upsert;
mod values;
pub mod window;

pub use bound::{
    Aggregation, Analyzed, BoundFrom, BoundQuery, Delete, DistinctKeys, ExplainText, Insert,
    InsertRows, Join, JoinText, OnConflict, OutputColumn, Query, RecursiveUnion, Returning,
    SetOperation, SortKey, Update, WorkTable,
};
pub use context::Context;
pub use dml::{
    bind_delete, bind_delete_in, bind_insert, bind_insert_in, bind_update, bind_update_in,
};

use crate::catalog::{Catalog, Table};
use crate::error::{EngineError, Result};
use crate::sql::ast::Select;
use crate::value::{SqlType, TypeMod};

/// Binds a query; with `explain`, keeps the text `EXPLAIN` shows.
pub fn bind_query(
    catalog: &Catalog,
    select: &Select,
    explain: bool,
) -> Result<Analyzed<BoundQuery>> {
    bind_query_in(Context::new(catalog, explain), select)
}

/// Binds a query in a context (one with parameters).
pub fn bind_query_in(cx: Context<'_>, select: &Select) -> Result<Analyzed<BoundQuery>> {
    let query = query::bind_select(&cx, select, &[])?;
    Ok(cx.finish(query))
}

/// A column visible to expressions.
#[derive(Clone, Debug)]
pub struct ScopeColumn {
    /// The table (or alias) it comes from.
    pub table: Option<String>,
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: SqlType,
    /// Its type modifier.
    pub typmod: TypeMod,
    /// Reachable only by a qualified name: a column of `JOIN … USING` whose merged
    /// column takes its unqualified name (and its place in `*`).
    pub qualified_only: bool,
}

/// The columns an expression can name, in row order.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// The columns.
    pub columns: Vec<ScopeColumn>,
    /// The columns of the enclosing query's row that a `LATERAL` subquery may name
    /// (empty elsewhere); a name is looked up here only when `columns` lacks it.
    pub outer: Vec<ScopeColumn>,
}

impl Scope {
    /// The columns, by index, that `*` (`table` `None`) or `table.*` expands to: `*`
    /// skips the columns only a qualified name reaches; a `table.*` that names no table
    /// of the scope is PostgreSQL's `missing FROM-clause entry` at `pos`.
    pub fn star_columns(&self, table: Option<&str>, pos: usize) -> Result<Vec<usize>> {
        let indexes = (0..self.columns.len()).filter(|&i| match table {
            None => !self.columns[i].qualified_only,
            Some(table) => self.columns[i].table.as_deref() == Some(table),
        });
        let indexes: Vec<usize> = indexes.collect();
        match table {
            Some(table) if indexes.is_empty() => Err(EngineError::new(
                "42P01",
                format!("missing FROM-clause entry for table \"{table}\""),
            )
            .at(pos)),
            _ => Ok(indexes),
        }
    }

    /// The scope of a table's rows, under `alias` or the table's own name.
    pub fn of_table(table: &Table, alias: Option<&str>) -> Scope {
        let qualifier = alias.unwrap_or(&table.name).to_string();
        Scope {
            columns: table
                .columns
                .iter()
                .map(|c| ScopeColumn {
                    table: Some(qualifier.clone()),
                    name: c.name.clone(),
                    ty: c.ty.clone(),
                    typmod: c.typmod,
                    qualified_only: false,
                })
                .collect(),
            outer: Vec::new(),
        }
    }

    /// Finds a column in the outer row, for names the scope's own columns lack.
    pub fn resolve_outer(&self, parts: &[String], pos: usize) -> Option<(usize, &ScopeColumn)> {
        if self.outer.is_empty() {
            return None;
        }
        let outer = Scope {
            columns: self.outer.clone(),
            outer: Vec::new(),
        };
        let (index, _) = outer.resolve(parts, pos).ok()?;
        self.outer.get(index).map(|column| (index, column))
    }

    /// Finds a column by (possibly qualified) name.
    pub fn resolve(&self, parts: &[String], pos: usize) -> Result<(usize, &ScopeColumn)> {
        let (qualifier, name) = match parts {
            [name] => (None, name),
            [.., qualifier, name] => (Some(qualifier), name),
            [] => return Err(EngineError::internal("empty column reference")),
        };
        if let Some(qualifier) = qualifier {
            if !self
                .columns
                .iter()
                .any(|c| c.table.as_ref() == Some(qualifier))
            {
                return Err(EngineError::new(
                    "42P01",
                    format!("missing FROM-clause entry for table \"{qualifier}\""),
                )
                .at(pos));
            }
        }
        let mut found = self.columns.iter().enumerate().filter(|(_, c)| {
            &c.name == name
                && match qualifier {
                    Some(q) => c.table.as_ref() == Some(q),
                    None => !c.qualified_only,
                }
        });
        match (found.next(), found.next()) {
            (Some(hit), None) => Ok(hit),
            (Some(_), Some(_)) => Err(EngineError::new(
                "42702",
                format!("column reference \"{name}\" is ambiguous"),
            )
            .at(pos)),
            (None, _) => {
                let shown = match qualifier {
                    Some(q) => format!("column {q}.{name} does not exist"),
                    None => format!("column \"{name}\" does not exist"),
                };
                Err(EngineError::new("42703", shown).at(pos))
            }
        }
    }
}

impl crate::expr::deparse::ColumnNames for Scope {
    fn column_name(&self, index: usize, outer: bool) -> Option<(Option<&str>, &str)> {
        let columns = if outer { &self.outer } else { &self.columns };
        let column = columns.get(index)?;
        Some((column.table.as_deref(), column.name.as_str()))
    }
}
