//! Prepared statements: `PREPARE` / `EXECUTE` / `DEALLOCATE` / `DISCARD ALL` and the
//! wire protocol's Parse, Describe and Execute, which share one namespace per session as
//! in PostgreSQL.
//!
//! Preparing parses the statement once and binds it, which fixes the types of its `$n`
//! parameters (declared, or inferred from where each is used: `$1::halfvec(1536)`,
//! `embedding <=> $1`, `id = $1`) and its result columns, so a client can describe it
//! without running it. A query is also planned, and its plan kept: an execution reuses
//! it while the schema and the session's settings are those it was planned under (a
//! `CREATE INDEX`, an `ANALYZE` — manual or automatic — or a `SET hnsw.ef_search` makes
//! the next execution bind and plan it again). `EXPLAIN EXECUTE` shows the plan
//! (`session/explain.rs`). A data-changing statement is bound again at each execution
//! (binding is cheap next to writing), but never parsed again.

use std::sync::atomic::Ordering;

use super::Session;
use crate::analyze::{self, Analyzed, BoundQuery, Context, OutputColumn};
use crate::error::{EngineError, Result};
use crate::exec::setting_changes::SettingChanges;
use crate::exec::StatementResult;
use crate::expr::{eval, NoEnvironment};
use crate::plan::{self, PlanContext, Planned, QueryPlan};
use crate::settings::Settings;
use crate::sql::ast::{Expr, Prepare, Statement};
use crate::value::cast::CoercionContext;
use crate::value::{Datum, SqlType};

/// A statement prepared in a session.
pub struct PreparedStatement {
    /// The statement; `None` for an empty query string.
    statement: Option<Statement>,
    /// Its parameters' types.
    param_types: Vec<SqlType>,
    /// Its result columns; `None` when it returns no rows.
    columns: Option<Vec<OutputColumn>>,
    /// A query's plan, with what it was planned under.
    plan: Option<CachedPlan>,
    /// The statement's text, as `pg_stat_statements` counts it.
    text: String,
}

/// A query's plan and the schema version and settings it was planned under, with its
/// bound form to plan with each execution's values when it needs custom plans.
pub(super) struct CachedPlan {
    planned: Planned<QueryPlan>,
    bound: Analyzed<BoundQuery>,
    /// Whether `plan_cache_mode = auto` plans each execution with its values.
    custom: bool,
    schema_version: u64,
    settings: Settings,
}

impl CachedPlan {
    /// Whether the plan was made under this schema version and these settings.
    pub(super) fn is_fresh(&self, schema_version: u64, settings: &Settings) -> bool {
        self.schema_version == schema_version && self.settings == *settings
    }

    /// The plan made for an execution with `params` when `plan_cache_mode` calls for a
    /// custom plan (see [`super::custom_plan::chooses_custom`]); `None` when the kept
    /// plan runs.
    pub(super) fn custom_plan(
        &self,
        settings: &Settings,
        params: &[Datum],
        context: PlanContext<'_>,
    ) -> Option<Planned<QueryPlan>> {
        super::custom_plan::chooses_custom(settings, self.custom, params).then(|| {
            let bound = super::custom_plan::with_values(&self.bound, params);
            plan::plan_query(bound, context)
        })
    }
}

/// What a prepared statement takes and gives, as the wire protocol's Describe reports.
#[derive(Clone, Debug)]
pub struct Description {
    /// The parameters' types, in order.
    pub params: Vec<SqlType>,
    /// The result columns; `None` when the statement returns no rows.
    pub columns: Option<Vec<OutputColumn>>,
}

impl PreparedStatement {
    /// Whether the statement's text held no statement (an empty query).
    pub fn is_empty(&self) -> bool {
        self.statement.is_none()
    }

    /// The statement (`None` for an empty query).
    pub fn statement(&self) -> Option<&Statement> {
        self.statement.as_ref()
    }

    /// The parameters' types and the result columns.
    pub fn description(&self) -> Description {
        Description {
            params: self.param_types.clone(),
            columns: self.columns.clone(),
        }
    }
}

impl Session {
    /// Prepares `sql` (at most one statement) as `name` (`""` is the unnamed
    /// statement, which a new one replaces). `param_types` declares the first
    /// parameters' types (`Unknown` for one to infer).
    pub fn prepare(
        &mut self,
        name: &str,
        sql: &str,
        param_types: &[SqlType],
    ) -> Result<Description> {
        let statements = match crate::sql::parse(sql) {
            Ok(statements) => statements,
            Err(error) => {
                self.abort_block();
                return Err(error);
            }
        };
        self.prepare_parsed_as(name, statements, param_types, sql)
    }

    /// Prepares statements already parsed from `text` (at most one) as `name`; see
    /// [`Session::prepare`]. Executions are counted in `pg_stat_statements` under
    /// `text` (without a trailing `;`).
    pub fn prepare_parsed_as(
        &mut self,
        name: &str,
        statements: Vec<Statement>,
        param_types: &[SqlType],
        text: &str,
    ) -> Result<Description> {
        let description = self.prepare_parsed(name, statements, param_types)?;
        if let Some(prepared) = self.prepared.get_mut(name) {
            prepared.text = text.trim().trim_end_matches(';').trim_end().to_string();
        }
        Ok(description)
    }

    /// Prepares statements already parsed (at most one) as `name`; see
    /// [`Session::prepare`].
    pub fn prepare_parsed(
        &mut self,
        name: &str,
        statements: Vec<Statement>,
        param_types: &[SqlType],
    ) -> Result<Description> {
        let result = self
            .with_search_path(|session| session.prepare_statement(name, statements, param_types));
        if result.is_err() {
            self.abort_block();
        }
        result
    }

    fn prepare_statement(
        &mut self,
        name: &str,
        mut statements: Vec<Statement>,
        param_types: &[SqlType],
    ) -> Result<Description> {
        if statements.len() > 1 {
            return Err(EngineError::new(
                "42601",
                "cannot insert multiple commands into a prepared statement",
            ));
        }
        let statement = statements.pop();
        if !matches!(statement, None | Some(Statement::Transaction(_))) {
            self.txn.check_not_aborted()?;
        }
        if !name.is_empty() && self.prepared.contains_key(name) {
            return Err(EngineError::new(
                "42P05",
                format!("prepared statement \"{name}\" already exists"),
            ));
        }
        let prepared = self.build(statement, param_types.to_vec())?;
        let description = prepared.description();
        self.prepared.insert(name.to_string(), prepared);
        Ok(description)
    }

    /// Binds (and for a query, plans) a statement to prepare.
    fn build(
        &mut self,
        statement: Option<Statement>,
        declared: Vec<SqlType>,
    ) -> Result<PreparedStatement> {
        let Some(statement) = statement else {
            return Ok(PreparedStatement {
                statement: None,
                param_types: declared,
                columns: None,
                plan: None,
                text: String::new(),
            });
        };
        let catalog = self.database.shared.catalog.read();
        let cx = Context::new(&catalog, false)
            .with_params(declared.clone())
            .with_settings(&self.settings);
        let (param_types, columns, plan) = match &statement {
            Statement::Select(select) => {
                let bound = analyze::bind_query_in(cx, select)?;
                let params = bound.params.clone();
                let columns = bound.statement.columns.clone();
                let version = self.database.schema_version();
                let source = self.txn.read_source(&self.database.shared.durable);
                let versions = source.view().versions();
                let cached = cache_plan(bound, &catalog, &self.settings, versions, version);
                (params, Some(columns), Some(cached))
            }
            Statement::Insert(insert) => {
                let bound = analyze::bind_insert_in(cx, insert)?;
                (bound.params, returned(&bound.statement.returning), None)
            }
            Statement::Update(update) => {
                let bound = analyze::bind_update_in(cx, update)?;
                (bound.params, returned(&bound.statement.returning), None)
            }
            Statement::Delete(delete) => {
                let bound = analyze::bind_delete_in(cx, delete)?;
                (bound.params, returned(&bound.statement.returning), None)
            }
            Statement::Explain { query, .. } => {
                // The parameters take their types from the explained query.
                let bound = analyze::bind_query_in(cx, query)?;
                (bound.params, self.utility_columns(&statement), None)
            }
            other => (declared, self.utility_columns(other), None),
        };
        if let Some(index) = param_types.iter().position(|ty| *ty == SqlType::Unknown) {
            return Err(EngineError::new(
                "42P18",
                format!("could not determine data type of parameter ${}", index + 1),
            ));
        }
        let text = statement.to_string();
        Ok(PreparedStatement {
            statement: Some(statement),
            param_types,
            columns,
            plan,
            text,
        })
    }

    /// The result columns of a statement other than a query or a data change.
    fn utility_columns(&self, statement: &Statement) -> Option<Vec<OutputColumn>> {
        let text = |name: &str| {
            Some(vec![OutputColumn {
                name: name.to_string(),
                ty: SqlType::Text,
                typmod: -1,
            }])
        };
        match statement {
            Statement::Show { name } => text(name),
            Statement::Explain { .. } | Statement::ExplainExecute { .. } => text("QUERY PLAN"),
            Statement::Execute { name, .. } => {
                self.prepared.get(name).and_then(|p| p.columns.clone())
            }
            _ => None,
        }
    }

    /// The prepared statement `name`, or PostgreSQL's error.
    pub fn prepared_statement(&self, name: &str) -> Result<&PreparedStatement> {
        self.prepared.get(name).ok_or_else(|| {
            EngineError::new(
                "26000",
                format!("prepared statement \"{name}\" does not exist"),
            )
        })
    }

    /// Runs the prepared statement `name` with these parameter values (already of the
    /// parameters' types).
    pub fn execute_prepared(&mut self, name: &str, params: &[Datum]) -> Result<StatementResult> {
        self.with_search_path(|session| session.execute_prepared_now(name, params))
    }

    fn execute_prepared_now(&mut self, name: &str, params: &[Datum]) -> Result<StatementResult> {
        let started = std::time::Instant::now();
        let result = self.execute_prepared_uncounted(name, params)?;
        if let Some(prepared) = self.prepared.get(name) {
            self.count_statement(&prepared.text, started, &result);
        }
        Ok(result)
    }

    fn execute_prepared_uncounted(
        &mut self,
        name: &str,
        params: &[Datum],
    ) -> Result<StatementResult> {
        let prepared = self.prepared_statement(name)?;
        if params.len() != prepared.param_types.len() {
            return Err(EngineError::new(
                "08P01",
                format!(
                    "bind message supplies {} parameters, but prepared statement \"{name}\" requires {}",
                    params.len(),
                    prepared.param_types.len()
                ),
            ));
        }
        match &prepared.statement {
            None => Ok(StatementResult::tag("")),
            Some(Statement::Transaction(_)) => {
                let statement = prepared.statement.clone();
                match statement {
                    Some(statement) => self.execute_statement(&statement),
                    None => Ok(StatementResult::tag("")),
                }
            }
            Some(_) => {
                self.cancel.reset();
                self.txn.check_not_aborted()?;
                let result = self.run_prepared(name, params);
                if result.is_err() {
                    self.abort_block();
                }
                result
            }
        }
    }

    fn run_prepared(&mut self, name: &str, params: &[Datum]) -> Result<StatementResult> {
        let Some(prepared) = self.prepared.get(name) else {
            return Err(EngineError::internal("the prepared statement went away"));
        };
        let statement = prepared.statement.clone();
        let types = prepared.param_types.clone();
        match &statement {
            Some(Statement::Select(select)) => {
                self.refresh_plan(name, select, &types)?;
                let changes = SettingChanges::new(&self.settings);
                let cached = self.take_plan(name)?;
                let result = self.run_cached_plan(&cached, params, &changes);
                self.put_plan(name, cached);
                let result = result?;
                self.apply_setting_changes(changes.into_changes())?;
                Ok(result)
            }
            Some(Statement::Insert(insert)) => {
                self.dml(super::statement::Dml::Insert(insert), (&types, params))
            }
            Some(Statement::Update(update)) => {
                self.dml(super::statement::Dml::Update(update), (&types, params))
            }
            Some(Statement::Delete(delete)) => {
                self.dml(super::statement::Dml::Delete(delete), (&types, params))
            }
            Some(Statement::Explain { options, query }) => {
                self.explain_with_params(*options, query, (&types, params))
            }
            Some(other) => self.run_statement(other),
            None => Ok(StatementResult::tag("")),
        }
    }

    /// Runs a cached query plan with its parameters' values (planned again with them
    /// first when the query needs custom plans); `set_config` calls go to `changes`.
    pub(super) fn run_cached_plan(
        &mut self,
        cached: &CachedPlan,
        params: &[Datum],
        changes: &SettingChanges,
    ) -> Result<StatementResult> {
        let shared = std::sync::Arc::clone(&self.database.shared);
        let source = self.txn.read_source(&shared.durable);
        let view = source.view();
        let catalog = shared.catalog.read();
        let custom = cached.custom_plan(
            &self.settings,
            params,
            PlanContext {
                catalog: &catalog,
                settings: &self.settings,
                versions: view.versions(),
            },
        );
        let run = super::statement::PlannedRun {
            catalog: &catalog,
            view,
            spill: super::spill_config(&self.settings, self.database.durable()),
            cancel: &self.cancel,
            params,
            changes,
        };
        run.run(custom.as_ref().unwrap_or(&cached.planned))
    }

    /// Takes prepared query `name`'s kept plan out while a run borrows the session; put
    /// it back with [`Session::put_plan`].
    pub(super) fn take_plan(&mut self, name: &str) -> Result<CachedPlan> {
        self.prepared
            .get_mut(name)
            .and_then(|p| p.plan.take())
            .ok_or_else(|| EngineError::internal("a prepared query without a plan"))
    }

    /// Puts back a plan taken with [`Session::take_plan`].
    pub(super) fn put_plan(&mut self, name: &str, cached: CachedPlan) {
        if let Some(prepared) = self.prepared.get_mut(name) {
            prepared.plan = Some(cached);
        }
    }

    /// Prepared statement `name`'s statement (`None` for an empty one) and its
    /// parameters' types.
    pub(super) fn prepared_parts(&self, name: &str) -> Result<(Option<Statement>, Vec<SqlType>)> {
        let prepared = self.prepared_statement(name)?;
        Ok((prepared.statement.clone(), prepared.param_types.clone()))
    }

    /// Binds and plans a prepared query again when the schema, the statistics or the
    /// settings changed since it was planned.
    pub(super) fn refresh_plan(
        &mut self,
        name: &str,
        select: &crate::sql::ast::Select,
        types: &[SqlType],
    ) -> Result<()> {
        let version = self.database.schema_version();
        let fresh = self
            .prepared
            .get(name)
            .and_then(|p| p.plan.as_ref())
            .is_some_and(|cached| cached.is_fresh(version, &self.settings));
        if fresh {
            return Ok(());
        }
        let shared = std::sync::Arc::clone(&self.database.shared);
        let catalog = shared.catalog.read();
        let cx = Context::new(&catalog, false)
            .with_params(types.to_vec())
            .with_settings(&self.settings);
        let bound = analyze::bind_query_in(cx, select)?;
        if bound.params != types {
            return Err(EngineError::new(
                "0A000",
                "cached plan must not change result type",
            ));
        }
        let cached = self.keep_plan(bound, &catalog, version);
        drop(catalog);
        if let Some(prepared) = self.prepared.get_mut(name) {
            prepared.plan = Some(cached);
        }
        Ok(())
    }

    /// Removes the prepared statement `name` (the wire protocol's Close: no error when
    /// there is none).
    pub fn close_prepared(&mut self, name: &str) {
        self.prepared.remove(name);
    }

    /// `PREPARE name (types) AS statement`.
    pub(super) fn sql_prepare(&mut self, prepare: &Prepare) -> Result<StatementResult> {
        if self.prepared.contains_key(&prepare.name) {
            return Err(EngineError::new(
                "42P05",
                format!("prepared statement \"{}\" already exists", prepare.name),
            ));
        }
        let mut declared = Vec::new();
        for type_name in &prepare.param_types {
            declared.push(analyze::types::resolve_type_name(type_name)?.0);
        }
        let prepared = self.build(Some((*prepare.statement).clone()), declared)?;
        self.prepared.insert(prepare.name.clone(), prepared);
        Ok(StatementResult::tag("PREPARE"))
    }

    /// `EXECUTE name (arguments)`: each argument is converted to its parameter's type
    /// as in an assignment.
    pub(super) fn sql_execute(&mut self, name: &str, args: &[Expr]) -> Result<StatementResult> {
        let values = self.execute_arguments(name, args)?;
        self.run_prepared(name, &values)
    }

    /// The values of `EXECUTE name (arguments)`'s arguments, each converted to its
    /// parameter's type as in an assignment; PostgreSQL's error when their number is not
    /// the parameters'.
    pub(super) fn execute_arguments(&self, name: &str, args: &[Expr]) -> Result<Vec<Datum>> {
        let types = &self.prepared_statement(name)?.param_types;
        if types.len() != args.len() {
            return Err(EngineError::new(
                "42601",
                format!("wrong number of parameters for prepared statement \"{name}\""),
            )
            .with_detail(format!(
                "Expected {} parameters but got {}.",
                types.len(),
                args.len()
            )));
        }
        let catalog = self.database.shared.catalog.read();
        let cx = Context::new(&catalog, false);
        let scope = analyze::Scope::default();
        let mut binder = analyze::expr::Binder {
            cx: &cx,
            scope: &scope,
            aggregates: None,
            windows: None,
        };
        let mut values = Vec::with_capacity(args.len());
        for (arg, ty) in args.iter().zip(types) {
            let bound = binder.bind(arg)?;
            let converted =
                binder.convert(bound, ty, -1, CoercionContext::Assignment, arg.pos.0)?;
            values.push(eval(&converted.expr, &[], &NoEnvironment)?);
        }
        Ok(values)
    }

    /// `DEALLOCATE name` / `DEALLOCATE ALL`.
    pub(super) fn sql_deallocate(&mut self, name: Option<&str>) -> Result<StatementResult> {
        match name {
            None => {
                self.prepared.clear();
                self.shapes = Default::default();
                Ok(StatementResult::tag("DEALLOCATE ALL"))
            }
            Some(name) => match self.prepared.remove(name) {
                Some(_) => Ok(StatementResult::tag("DEALLOCATE")),
                None => Err(EngineError::new(
                    "26000",
                    format!("prepared statement \"{name}\" does not exist"),
                )),
            },
        }
    }

    /// `DISCARD ALL`: settings back to their defaults, prepared statements gone.
    pub(super) fn discard_all(&mut self) -> Result<StatementResult> {
        if self.txn.in_block() {
            return Err(EngineError::new(
                "25001",
                "DISCARD ALL cannot run inside a transaction block",
            ));
        }
        self.settings = Settings::default();
        self.prepared.clear();
        self.shapes = Default::default();
        Ok(StatementResult::tag("DISCARD ALL"))
    }
}

impl Session {
    /// Plans a bound query to keep (see [`cache_plan`]) through the session's view, under
    /// schema version `version`.
    pub(super) fn keep_plan(
        &mut self,
        bound: Analyzed<BoundQuery>,
        catalog: &crate::catalog::Catalog,
        version: u64,
    ) -> CachedPlan {
        let source = self.txn.read_source(&self.database.shared.durable);
        cache_plan(
            bound,
            catalog,
            &self.settings,
            source.view().versions(),
            version,
        )
    }
}

/// Plans a bound query to keep, with its bound form when it needs custom plans.
pub(super) fn cache_plan(
    bound: Analyzed<BoundQuery>,
    catalog: &crate::catalog::Catalog,
    settings: &Settings,
    versions: crate::storage::view::Versions<'_>,
    schema_version: u64,
) -> CachedPlan {
    let custom = super::custom_plan::needs_custom_plan(&bound);
    let planned = plan::plan_query(
        bound.clone(),
        PlanContext {
            catalog,
            settings,
            versions,
        },
    );
    CachedPlan {
        planned,
        bound,
        custom,
        schema_version,
        settings: settings.clone(),
    }
}

/// The columns a `RETURNING` list gives, if any.
fn returned(returning: &analyze::Returning) -> Option<Vec<OutputColumn>> {
    (!returning.exprs.is_empty()).then(|| returning.columns.clone())
}

impl super::Database {
    /// A number that changes whenever the schema may have changed (a schema
    /// statement ran, or a transaction block ended), so that a prepared query's plan can
    /// tell it must be made again.
    pub(super) fn schema_version(&self) -> u64 {
        self.shared.schema_version.load(Ordering::Acquire)
    }

    /// Marks the schema as possibly changed.
    pub(super) fn schema_changed(&self) {
        self.shared.schema_version.fetch_add(1, Ordering::AcqRel);
    }
}
