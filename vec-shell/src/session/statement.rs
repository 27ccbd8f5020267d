//! Running one statement: queries, `INSERT`/`UPDATE`/`DELETE` (bound, planned, computed,
//! then applied through `txn`), `EXPLAIN`, `SET`/`RESET`/`SHOW`, and schema statements.

use std::sync::Arc;

use super::Session;
use crate::analyze;
use crate::error::{EngineError, Result};
use crate::exec::dml::DmlOutcome;
use crate::exec::setting_changes::{SettingChange, SettingChanges};
use crate::exec::{self, ExecContext, IndexGuards, RowSet, StatementResult};
use crate::plan::{self, OutputColumn, PlanContext, QueryPlan};
use crate::progress::Monitor;
use crate::sql::ast::{self, Statement};
use crate::value::{Datum, SqlType};

/// What running a planned query reads and reports to.
pub(super) struct PlannedRun<'a> {
    pub catalog: &'a crate::catalog::Catalog,
    pub view: crate::storage::view::RowView<'a>,
    pub spill: crate::exec::spill::SpillConfig,
    pub cancel: &'a crate::cancel::CancelHandle,
    /// The values of its `$n` parameters.
    pub params: &'a [Datum],
    /// Where its `set_config` calls go.
    pub changes: &'a SettingChanges,
}

impl PlannedRun<'_> {
    /// Runs `planned` (with its index locks held) and gives its rows as a statement's
    /// result.
    pub(super) fn run(self, planned: &plan::Planned<QueryPlan>) -> Result<StatementResult> {
        let guards = IndexGuards::for_plans(self.catalog, statement_plans(planned, None));
        let context = ExecContext::new(self.catalog, self.view, &guards)
            .with_spill(self.spill)
            .with_cancel(self.cancel)
            .with_subqueries(&planned.subqueries)
            .with_params(self.params)
            .with_setting_changes(self.changes);
        let rows = exec::run_query(&planned.plan, &context)?;
        Ok(StatementResult {
            tag: format!("SELECT {}", rows.len()),
            rows: Some(RowSet {
                columns: planned.plan.columns.clone(),
                rows,
            }),
            notices: Vec::new(),
            copy_data: None,
        })
    }
}

/// A data-changing statement.
pub(super) enum Dml<'a> {
    Insert(&'a ast::Insert),
    Update(&'a ast::Update),
    Delete(&'a ast::Delete),
}

impl Session {
    pub(super) fn run_statement(&mut self, statement: &Statement) -> Result<StatementResult> {
        self.cancel.reset();
        match statement {
            Statement::Select(select) => self.query(select),
            Statement::Insert(insert) => self.dml(Dml::Insert(insert), (&[], &[])),
            Statement::Update(update) => self.dml(Dml::Update(update), (&[], &[])),
            Statement::Delete(delete) => self.dml(Dml::Delete(delete), (&[], &[])),
            Statement::Prepare(prepare) => self.sql_prepare(prepare),
            Statement::Execute { name, args, .. } => self.sql_execute(name, args),
            Statement::Deallocate { name } => self.sql_deallocate(name.as_deref()),
            Statement::DiscardAll => self.discard_all(),
            Statement::Copy(copy) => self.copy(copy, None),
            Statement::CreateTableAs(create) => self.create_table_as(create),
            Statement::Explain { options, query } => self.explain(*options, query),
            Statement::ExplainExecute {
                options,
                name,
                args,
                ..
            } => self.explain_execute(*options, name, args),
            Statement::Set { name, value, local } => {
                self.txn
                    .set(&mut self.settings, name, value.as_ref(), *local)
            }
            Statement::Reset { name } => self.txn.reset(&mut self.settings, name),
            Statement::Show { name } => self.show(name),
            Statement::Transaction(_) => Err(EngineError::internal(
                "transaction control runs before the statement",
            )),
            ddl_statement => self.ddl(ddl_statement),
        }
    }

    pub(super) fn query(&mut self, select: &ast::Select) -> Result<StatementResult> {
        let changes = SettingChanges::new(&self.settings);
        let result = self.query_recording(select, &changes)?;
        self.apply_setting_changes(changes.into_changes())?;
        Ok(result)
    }

    /// Runs a query whose `set_config` calls go to `changes`.
    fn query_recording(
        &mut self,
        select: &ast::Select,
        changes: &SettingChanges,
    ) -> Result<StatementResult> {
        let shared = Arc::clone(&self.database.shared);
        let source = self.txn.read_source(&shared.durable);
        let view = source.view();
        let catalog = shared.catalog.read();
        let context = analyze::Context::new(&catalog, false).with_settings(&self.settings);
        let mut bound = analyze::bind_query_in(context, select)?;
        let notices = std::mem::take(&mut bound.notices);
        let planned = plan::plan_query(
            bound,
            PlanContext {
                catalog: &catalog,
                settings: &self.settings,
                versions: view.versions(),
            },
        );
        let run = PlannedRun {
            catalog: &catalog,
            view,
            spill: super::spill_config(&self.settings, self.database.durable()),
            cancel: &self.cancel,
            params: &[],
            changes,
        };
        let mut result = run.run(&planned)?;
        result.notices = notices;
        Ok(result)
    }

    /// Binds, plans and computes a data-changing statement through the writer's view,
    /// then applies its changes (after its reads and index locks are released);
    /// `params` are the types and values of its `$n` parameters.
    pub(super) fn dml(
        &mut self,
        statement: Dml<'_>,
        (param_types, params): (&[SqlType], &[Datum]),
    ) -> Result<StatementResult> {
        let shared = Arc::clone(&self.database.shared);
        let command = match statement {
            Dml::Insert(_) => "INSERT",
            Dml::Update(_) => "UPDATE",
            Dml::Delete(_) => "DELETE",
        };
        let writes =
            self.txn
                .writes(&shared.durable, &shared.write_lock, &self.settings, command)?;
        let catalog = shared.catalog.read();
        let (tag, returning, outcome) = {
            let source = writes.read_source();
            let view = source.view();
            let cx = PlanContext {
                catalog: &catalog,
                settings: &self.settings,
                versions: view.versions(),
            };
            let cancel = &self.cancel;
            let bind = || {
                let context = analyze::Context::new(&catalog, false);
                match param_types.is_empty() {
                    true => context,
                    false => context.with_params(param_types.to_vec()),
                }
            };
            let spill = super::spill_config(&self.settings, self.database.durable());
            let exec_context = |guards, subqueries| {
                ExecContext::new(&catalog, view, guards)
                    .with_spill(spill.clone())
                    .with_cancel(cancel)
                    .with_subqueries(subqueries)
                    .with_params(params)
            };
            match statement {
                Dml::Insert(insert) => {
                    let planned = plan::plan_insert(analyze::bind_insert_in(bind(), insert)?, cx);
                    let query = match &planned.plan.rows {
                        plan::InsertRows::Query(query, _) => Some(&**query),
                        plan::InsertRows::Values(_) => None,
                    };
                    let guards = IndexGuards::for_plans(&catalog, statement_plans(&planned, query));
                    let context = exec_context(&guards, &planned.subqueries);
                    let outcome = exec::dml::insert(&context, &planned.plan)?;
                    ("INSERT 0", planned.plan.returning.clone(), outcome)
                }
                Dml::Update(update) => {
                    let planned = plan::plan_update(analyze::bind_update_in(bind(), update)?, cx);
                    let guards = IndexGuards::for_plans(&catalog, statement_plans(&planned, None));
                    let context = exec_context(&guards, &planned.subqueries);
                    let outcome = exec::dml::update(&context, &planned.plan)?;
                    ("UPDATE", planned.plan.returning.clone(), outcome)
                }
                Dml::Delete(delete) => {
                    let planned = plan::plan_delete(analyze::bind_delete_in(bind(), delete)?, cx);
                    let guards = IndexGuards::for_plans(&catalog, statement_plans(&planned, None));
                    let context = exec_context(&guards, &planned.subqueries);
                    let outcome = exec::dml::delete(&context, &planned.plan)?;
                    ("DELETE", planned.plan.returning.clone(), outcome)
                }
            }
        };
        let DmlOutcome {
            count,
            returned,
            changes,
        } = outcome;
        crate::txn::apply(&catalog, &writes, changes)?;
        let rows = (!returning.exprs.is_empty()).then(|| RowSet {
            columns: returning.columns,
            rows: returned,
        });
        Ok(StatementResult {
            tag: format!("{tag} {count}"),
            rows,
            notices: Vec::new(),
            copy_data: None,
        })
    }

    pub(super) fn ddl(&mut self, statement: &Statement) -> Result<StatementResult> {
        self.database.schema_changed();
        let shared = Arc::clone(&self.database.shared);
        let command = crate::exec::ddl::block::command_name(statement);
        let writes = self.txn.writes(
            &shared.durable,
            &shared.write_lock,
            &self.settings,
            &command,
        )?;
        let workers = self
            .settings
            .int(&crate::settings::MAX_PARALLEL_MAINTENANCE_WORKERS);
        let monitor = Monitor {
            cancel: &self.cancel,
            observer: self.observer.as_ref(),
            threads: crate::progress::build_threads(workers),
            build_memory: self
                .settings
                .int(&crate::settings::MAINTENANCE_WORK_MEM)
                .saturating_mul(1024) as usize,
        };
        if let (Statement::CreateIndex(create), false) = (statement, writes.in_block()) {
            let build = super::index_progress::BuildRegistration::start(
                &shared.catalog,
                self.pid,
                &create.table,
            );
            let observer = build.observer(self.observer.clone());
            let monitor = Monitor {
                observer: Some(&observer),
                ..monitor
            };
            return exec::ddl::create_index::create_index_shared(
                &shared.catalog,
                &writes,
                create,
                monitor,
            );
        }
        let mut catalog = shared.catalog.write();
        exec::ddl::block::execute(&mut catalog, &writes, statement, monitor)
    }

    /// Applies the `set_config` calls of a query that succeeded, as `SET [LOCAL]`
    /// would (a local change outside a block lasts no longer than its statement).
    pub(super) fn apply_setting_changes(&mut self, changes: Vec<SettingChange>) -> Result<()> {
        for change in changes {
            if change.local && !self.txn.in_block() {
                continue;
            }
            let value = change.value.map(ast::SetValue::Text);
            self.txn.set(
                &mut self.settings,
                &change.name,
                value.as_ref(),
                change.local,
            )?;
        }
        Ok(())
    }

    /// `SHOW name`; the transaction's own parameters come from its state.
    fn show(&self, name: &str) -> Result<StatementResult> {
        let value = match name.to_ascii_lowercase().as_str() {
            "transaction_isolation" | "transaction isolation level" => {
                self.txn.isolation(&self.settings).name().to_string()
            }
            "transaction_read_only" => if self.txn.read_only(&self.settings) {
                "on"
            } else {
                "off"
            }
            .to_string(),
            _ => self.settings.show(name)?,
        };
        Ok(text_result("SHOW", name, vec![value]))
    }
}

/// The plans a statement's operators may scan vector indexes in: its query (`query`,
/// or the planned statement itself when it is a query) and its scalar subqueries.
pub(super) fn statement_plans<'p, T: AsQueryPlan>(
    planned: &'p plan::Planned<T>,
    query: Option<&'p QueryPlan>,
) -> impl Iterator<Item = &'p QueryPlan> {
    planned
        .plan
        .as_query_plan()
        .into_iter()
        .chain(query)
        .chain(&planned.subqueries)
}

/// A planned statement that may be a query.
pub(super) trait AsQueryPlan {
    fn as_query_plan(&self) -> Option<&QueryPlan>;
}

impl AsQueryPlan for QueryPlan {
    fn as_query_plan(&self) -> Option<&QueryPlan> {
        Some(self)
    }
}

impl AsQueryPlan for plan::InsertPlan {
    fn as_query_plan(&self) -> Option<&QueryPlan> {
        None
    }
}

impl AsQueryPlan for plan::UpdatePlan {
    fn as_query_plan(&self) -> Option<&QueryPlan> {
        None
    }
}

impl AsQueryPlan for plan::DeletePlan {
    fn as_query_plan(&self) -> Option<&QueryPlan> {
        None
    }
}

/// A result of one `text` column of these values, with command tag `tag`.
pub(super) fn text_result(tag: &str, column: &str, values: Vec<String>) -> StatementResult {
    StatementResult {
        tag: tag.to_string(),
        rows: Some(RowSet {
            columns: vec![OutputColumn {
                name: column.to_string(),
                ty: SqlType::Text,
                typmod: -1,
            }],
            rows: values.into_iter().map(|v| vec![Datum::Text(v)]).collect(),
        }),
        notices: Vec::new(),
        copy_data: None,
    }
}
