//! [`Context`]: what binding one statement shares — the catalog to look names up in,
//! whether the statement is explained (then `EXPLAIN`'s text is kept), and the scalar
//! subqueries bound so far, which expressions refer to by
//! [`SubqueryId`](crate::expr::SubqueryId).

use std::cell::RefCell;

use super::bound::{Analyzed, BoundQuery};
use crate::catalog::Catalog;
use crate::expr::SubqueryId;

/// What binding one statement shares.
pub struct Context<'a> {
    /// The catalog.
    pub catalog: &'a Catalog,
    /// Whether the statement is explained: keep `EXPLAIN`'s text.
    pub explain: bool,
    subqueries: RefCell<Vec<BoundQuery>>,
}

impl<'a> Context<'a> {
    /// A context for binding a statement against `catalog`.
    pub fn new(catalog: &'a Catalog, explain: bool) -> Context<'a> {
        Context {
            catalog,
            explain,
            subqueries: RefCell::new(Vec::new()),
        }
    }

    /// Adds a scalar subquery to the statement; expressions refer to it by the id.
    pub fn add_subquery(&self, query: BoundQuery) -> SubqueryId {
        let mut subqueries = self.subqueries.borrow_mut();
        subqueries.push(query);
        SubqueryId(subqueries.len() - 1)
    }

    /// Whether any scalar subquery was bound.
    pub fn has_subqueries(&self) -> bool {
        !self.subqueries.borrow().is_empty()
    }

    /// The bound statement with its scalar subqueries.
    pub fn finish<T>(self, statement: T) -> Analyzed<T> {
        Analyzed {
            statement,
            subqueries: self.subqueries.into_inner(),
        }
    }
}
