//! [`ExecContext`]: what a running statement's operators share — the catalog, the
//! enclosing row of a `LATERAL` subquery, the cancel request, and the statement's scalar
//! subqueries with the values computed so far, and the values of its `$n` parameters.
//! It is the [`Environment`] expressions are
//! evaluated in.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use super::query::run_query;
use crate::cancel::CancelHandle;
use crate::catalog::Catalog;
use crate::error::{EngineError, Result};
use crate::expr::{Environment, SubqueryId};
use crate::plan::QueryPlan;
use crate::value::Datum;

/// The values of a statement's scalar subqueries computed so far. A scalar subquery
/// cannot refer to the row around it, so, like PostgreSQL's InitPlans, it runs once per
/// statement however many rows use it.
pub type SubqueryValues = Arc<Mutex<HashMap<SubqueryId, Datum>>>;

/// What a running statement's operators share.
pub struct ExecContext<'a> {
    /// The catalog.
    pub catalog: &'a Catalog,
    /// The row of the `FROM` items left of a `LATERAL` subquery (empty elsewhere).
    pub outer: &'a [Datum],
    /// Polled by scans and joins; a request ends the statement with SQLSTATE 57014.
    pub cancel: &'a CancelHandle,
    /// The statement's scalar subqueries, by [`SubqueryId`].
    pub subqueries: &'a [QueryPlan],
    /// Their values computed so far (shared by the statement's contexts).
    pub values: SubqueryValues,
    /// The values of the statement's `$n` parameters (`$1` first).
    pub params: &'a [Datum],
}

impl<'a> ExecContext<'a> {
    /// A context for a statement without subqueries, with no enclosing row, that cannot
    /// be cancelled.
    pub fn new(catalog: &'a Catalog) -> Self {
        ExecContext {
            catalog,
            outer: &[],
            cancel: CancelHandle::never(),
            subqueries: &[],
            values: SubqueryValues::default(),
            params: &[],
        }
    }

    /// The same context, with the values of the statement's parameters.
    pub fn with_params(self, params: &'a [Datum]) -> Self {
        ExecContext { params, ..self }
    }

    /// The same context, cancelled through `cancel`.
    pub fn with_cancel(self, cancel: &'a CancelHandle) -> Self {
        ExecContext { cancel, ..self }
    }

    /// The same context, with the statement's scalar subqueries.
    pub fn with_subqueries(self, subqueries: &'a [QueryPlan]) -> Self {
        ExecContext { subqueries, ..self }
    }

    /// A context for the right side of a `LATERAL` join, which sees `outer` as the
    /// enclosing row.
    pub fn with_outer<'b>(&'b self, outer: &'b [Datum]) -> ExecContext<'b> {
        ExecContext {
            catalog: self.catalog,
            outer,
            cancel: self.cancel,
            subqueries: self.subqueries,
            values: Arc::clone(&self.values),
            params: self.params,
        }
    }
}

impl Environment for ExecContext<'_> {
    fn outer(&self) -> &[Datum] {
        self.outer
    }

    fn subquery(&self, id: SubqueryId) -> Result<Datum> {
        if let Some(value) = self.values.lock().get(&id) {
            return Ok(value.clone());
        }
        let plan = self
            .subqueries
            .get(id.0)
            .ok_or_else(|| EngineError::internal("a subquery of another statement"))?;
        let rows = run_query(plan, self)?;
        if rows.len() > 1 {
            return Err(EngineError::new(
                "21000",
                "more than one row returned by a subquery used as an expression",
            ));
        }
        let value = rows
            .into_iter()
            .next()
            .and_then(|r| r.into_iter().next())
            .unwrap_or(Datum::Null);
        self.values.lock().insert(id, value.clone());
        Ok(value)
    }

    fn param(&self, index: u32) -> Result<Datum> {
        self.params.get(index as usize).cloned().ok_or_else(|| {
            EngineError::new("42P02", format!("there is no parameter ${}", index + 1))
        })
    }
}
