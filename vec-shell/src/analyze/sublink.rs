//! Binding queries inside expressions: scalar subqueries, `EXISTS`, and `op ANY | ALL`
//! (`IN`). A query is bound first on its own; when it names a column it does not have
//! and the expression has a row in scope (not an aggregated one), it is bound again
//! with that row's columns as its outer row, and runs once per row (correlated).

use super::bound::BoundQuery;
use super::expr::{Binder, Typed};
use super::query::bind_select;
use crate::error::{EngineError, Result};
use crate::expr::{operators, ArrayCompare, BoundExpr, SubLink, SubLinkTest};
use crate::sql::ast::{Expr, Select, SubLinkKind};
use crate::value::cast::CoercionContext;
use crate::value::SqlType;

impl Binder<'_> {
    /// A query bound on its own, or with the scope's row as its outer row when it names
    /// that row's columns (then `true`).
    fn bind_sublink_query(&mut self, query: &Select) -> Result<(BoundQuery, bool)> {
        let error = match bind_select(self.cx, query, &[]) {
            Ok(bound) => return Ok((bound, false)),
            Err(error) => error,
        };
        let unknown_name = error.sqlstate == "42703" || error.sqlstate == "42P01";
        if !unknown_name || self.aggregates.is_some() || self.scope.columns.is_empty() {
            return Err(error);
        }
        let bound = bind_select(self.cx, query, &self.scope.columns)?;
        Ok((bound, true))
    }

    /// `(SELECT …)` used as a value.
    pub(super) fn scalar_subquery(&mut self, query: &Select, pos: usize) -> Result<Typed> {
        let (bound, correlated) = self.bind_sublink_query(query)?;
        if bound.columns.len() != 1 {
            return Err(EngineError::new("42601", "subquery must return only one column").at(pos));
        }
        let ty = bound.columns[0].ty.clone();
        let id = self.cx.add_subquery(bound);
        if !correlated {
            return Ok(Typed::new(BoundExpr::Subquery(id), ty));
        }
        let link = SubLink {
            test: SubLinkTest::Scalar,
            query: id,
            correlated,
            left: None,
            compare: None,
        };
        Ok(Typed::new(BoundExpr::SubLink(Box::new(link)), ty))
    }

    /// `EXISTS (query)`, `left op ANY (query)`, `left op ALL (query)`.
    pub(super) fn sublink(
        &mut self,
        kind: &SubLinkKind,
        query: &Select,
        pos: usize,
    ) -> Result<Typed> {
        let (test, operands) = match kind {
            SubLinkKind::Exists => (SubLinkTest::Exists, None),
            SubLinkKind::Array => return self.array_sublink(query, pos),
            SubLinkKind::Any { left, op } => (SubLinkTest::Any, Some((left, op))),
            SubLinkKind::All { left, op } => (SubLinkTest::All, Some((left, op))),
        };
        let (left, compare, bound, correlated) = match operands {
            None => {
                let (bound, correlated) = self.bind_sublink_query(query)?;
                (None, None, bound, correlated)
            }
            Some((left, op)) => {
                let left = self.bind(left)?;
                let (bound, correlated) = self.bind_sublink_query(query)?;
                if bound.columns.len() > 1 {
                    return Err(EngineError::new("42601", "subquery has too many columns").at(pos));
                }
                if bound.columns.is_empty() {
                    return Err(EngineError::new("42601", "subquery has too few columns").at(pos));
                }
                let column_ty = bound.columns[0].ty.clone();
                let (left, compare) = self.quantified_comparison(left, &column_ty, op, pos)?;
                (Some(left), Some(compare), bound, correlated)
            }
        };
        let id = self.cx.add_subquery(bound);
        let link = SubLink {
            test,
            query: id,
            correlated,
            left,
            compare,
        };
        Ok(Typed::new(
            BoundExpr::SubLink(Box::new(link)),
            SqlType::Bool,
        ))
    }

    /// `ARRAY(query)`: the query's one column gathered into an array.
    fn array_sublink(&mut self, query: &Select, pos: usize) -> Result<Typed> {
        let (bound, correlated) = self.bind_sublink_query(query)?;
        if bound.columns.len() != 1 {
            return Err(EngineError::new("42601", "subquery must return only one column").at(pos));
        }
        let element = match &bound.columns[0].ty {
            SqlType::Unknown => SqlType::Text,
            SqlType::Array(_) => {
                return Err(EngineError::unsupported(
                    "ARRAY(query) over an array column is not supported",
                )
                .at(pos))
            }
            other => other.clone(),
        };
        let id = self.cx.add_subquery(bound);
        let link = SubLink {
            test: SubLinkTest::Array,
            query: id,
            correlated,
            left: None,
            compare: None,
        };
        Ok(Typed::new(
            BoundExpr::SubLink(Box::new(link)),
            SqlType::Array(Box::new(element)),
        ))
    }

    /// `left op ANY | ALL (array)`: a string literal (or NULL) on either side takes the
    /// other side's type (text when neither has one).
    pub(super) fn array_compare(
        &mut self,
        left: &Expr,
        op: &str,
        all: bool,
        array: &Expr,
        pos: usize,
    ) -> Result<Typed> {
        let left = self.bind(left)?;
        let mut array = self.bind(array)?;
        if array.ty == SqlType::Unknown {
            let element = match &left.ty {
                SqlType::Unknown => SqlType::Text,
                other => other.clone(),
            };
            let ty = SqlType::Array(Box::new(element));
            array = self.convert(array, &ty, -1, CoercionContext::Implicit, pos)?;
        }
        let SqlType::Array(element) = array.ty.clone() else {
            return Err(EngineError::new(
                "42809",
                "op ANY/ALL (array) requires array on right side",
            )
            .at(pos));
        };
        let (left, compare) = self.quantified_comparison(left, &element, op, pos)?;
        // A constant array is computed once, as PostgreSQL folds it when planning.
        let array_expr = if crate::expr::is_constant(&array.expr) {
            BoundExpr::Const(crate::expr::eval(
                &array.expr,
                &[],
                &crate::expr::NoEnvironment,
            )?)
        } else {
            array.expr
        };
        let test = ArrayCompare {
            left,
            array: array_expr,
            compare,
            all,
            op: op.into(),
            array_type: array.ty,
        };
        Ok(Typed::new(
            BoundExpr::ArrayCompare(Box::new(test)),
            SqlType::Bool,
        ))
    }

    /// The left operand (a string literal read as the query column's type) and the
    /// comparison `op` over the row (left value, query value).
    fn quantified_comparison(
        &mut self,
        left: Typed,
        column_ty: &SqlType,
        op: &str,
        pos: usize,
    ) -> Result<(BoundExpr, BoundExpr)> {
        let left = if left.ty == SqlType::Unknown {
            self.convert(left, column_ty, -1, CoercionContext::Implicit, pos)?
        } else {
            left
        };
        let left_ty = left.ty.clone();
        let pair = [
            Typed::new(BoundExpr::Column(0), left_ty.clone()),
            Typed::new(BoundExpr::Column(1), column_ty.clone()),
        ];
        let candidates = operators::binary_candidates(op, &left_ty, column_ty);
        let message = format!(
            "operator does not exist: {} {op} {}",
            left_ty.name(),
            column_ty.name()
        );
        let compare = self.call(candidates, pair.into(), (true, op, true), pos, &message)?;
        if compare.ty != SqlType::Bool {
            return Err(EngineError::new(
                "42809",
                "op ANY/ALL (array) requires operator to yield boolean",
            )
            .at(pos));
        }
        Ok((left.expr, compare.expr))
    }
}
