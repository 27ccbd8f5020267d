//! [`Context`]: what binding one statement shares — the catalog to look names up in,
//! whether the statement is explained (then `EXPLAIN`'s text is kept), and the scalar
//! subqueries bound so far, which expressions refer to by
//! [`SubqueryId`](crate::expr::SubqueryId), and the types of the statement's `$n`
//! parameters: declared (by `PREPARE` or a Parse message) or inferred from where each is
//! used, as PostgreSQL's parser does; and the session's settings, which `pg_settings`
//! and `current_setting` read.

use std::cell::{Cell, RefCell};

use super::bound::{Analyzed, BoundQuery, OutputColumn};
use crate::catalog::Catalog;
use crate::error::{EngineError, Result};
use crate::expr::SubqueryId;
use crate::settings::Settings;
use crate::value::{Datum, SqlType};

/// What binding one statement shares.
pub struct Context<'a> {
    /// The catalog.
    pub catalog: &'a Catalog,
    /// Whether the statement is explained: keep `EXPLAIN`'s text.
    pub explain: bool,
    subqueries: RefCell<Vec<BoundQuery>>,
    /// The parameters' types (`Unknown` until inferred); `None` when the statement may
    /// have no parameters.
    params: Option<RefCell<Vec<SqlType>>>,
    /// The parameters' values, when they are bound as constants (`EXPLAIN EXECUTE` of a
    /// custom plan, as PostgreSQL shows it).
    param_values: Option<&'a [Datum]>,
    /// The session's settings, for `pg_settings` and `current_setting` (defaults when
    /// absent).
    pub settings: Option<&'a Settings>,
    /// Notices binding raised (a call vecsh accepts and ignores).
    notices: RefCell<Vec<crate::error::EngineError>>,
    /// The work tables of the recursive `WITH` queries whose recursive term is being
    /// bound, innermost last: name, number and columns.
    work_tables: RefCell<Vec<(String, usize, Vec<OutputColumn>)>>,
    /// How many work tables the statement has numbered.
    work_table_count: Cell<usize>,
}

impl<'a> Context<'a> {
    /// A context for binding a statement against `catalog`.
    pub fn new(catalog: &'a Catalog, explain: bool) -> Context<'a> {
        Context {
            catalog,
            explain,
            subqueries: RefCell::new(Vec::new()),
            params: None,
            param_values: None,
            settings: None,
            notices: RefCell::new(Vec::new()),
            work_tables: RefCell::new(Vec::new()),
            work_table_count: Cell::new(0),
        }
    }

    /// The same context, reading the session's settings.
    pub fn with_settings(self, settings: &'a Settings) -> Context<'a> {
        Context {
            settings: Some(settings),
            ..self
        }
    }

    /// The same context binding each `$n` as the constant `values[n - 1]`.
    pub fn with_param_values(self, values: &'a [Datum]) -> Context<'a> {
        Context {
            param_values: Some(values),
            ..self
        }
    }

    /// The value parameter `$number` is bound as, if the context has values.
    pub fn param_value(&self, number: u32) -> Option<&'a Datum> {
        self.param_values?.get((number as usize).checked_sub(1)?)
    }

    /// The same context for a statement with `$n` parameters of these types (`Unknown`
    /// for those to infer; parameters past the list are inferred too).
    pub fn with_params(self, types: Vec<SqlType>) -> Context<'a> {
        Context {
            params: Some(RefCell::new(types)),
            ..self
        }
    }

    /// The type of parameter `$number` so far (`Unknown` while not inferred); an error
    /// when the statement may have no parameters.
    pub fn param_type(&self, number: u32, pos: usize) -> Result<SqlType> {
        let missing =
            || EngineError::new("42P02", format!("there is no parameter ${number}")).at(pos);
        let Some(params) = &self.params else {
            return Err(missing());
        };
        if number == 0 {
            return Err(missing());
        }
        let index = number as usize - 1;
        let mut params = params.borrow_mut();
        if params.len() <= index {
            params.resize(index + 1, SqlType::Unknown);
        }
        Ok(params[index].clone())
    }

    /// Records the type inferred for parameter `$number`.
    pub fn infer_param(&self, number: u32, ty: &SqlType) {
        if let Some(params) = &self.params {
            let mut params = params.borrow_mut();
            let index = (number as usize).saturating_sub(1);
            if let Some(slot) = params.get_mut(index) {
                if *slot == SqlType::Unknown {
                    *slot = ty.clone();
                }
            }
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

    /// Numbers a new work table of `columns` that references to `name` read until
    /// [`Context::close_work_table`].
    pub fn open_work_table(&self, name: &str, columns: Vec<OutputColumn>) -> usize {
        let id = self.work_table_count.get();
        self.work_table_count.set(id + 1);
        self.work_tables
            .borrow_mut()
            .push((name.to_string(), id, columns));
        id
    }

    /// Ends the innermost work table's scope.
    pub fn close_work_table(&self) {
        self.work_tables.borrow_mut().pop();
    }

    /// The number and columns of the innermost open work table named `name`.
    pub fn work_table(&self, name: &str) -> Option<(usize, Vec<OutputColumn>)> {
        self.work_tables
            .borrow()
            .iter()
            .rev()
            .find(|(table, ..)| table == name)
            .map(|(_, id, columns)| (*id, columns.clone()))
    }

    /// Records a notice for the statement's result.
    pub fn notice(&self, notice: crate::error::EngineError) {
        self.notices.borrow_mut().push(notice);
    }

    /// The bound statement with its scalar subqueries and notices.
    pub fn finish<T>(self, statement: T) -> Analyzed<T> {
        Analyzed {
            notices: self.notices.into_inner(),
            statement,
            subqueries: self.subqueries.into_inner(),
            params: self.params.map(RefCell::into_inner).unwrap_or_default(),
        }
    }
}
