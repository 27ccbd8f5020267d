//! `EXPLAIN [ANALYZE]`: the query is bound and planned as it would run; the plan is
//! drawn with the cost model's estimates (`plan::explain`) and, under `ANALYZE`, run
//! with every drawn node counted (`exec::instrument`), then printed in the asked format
//! with the planning and execution times.

use std::sync::Arc;
use std::time::Instant;

use super::statement::{statement_plans, text_result};
use super::Session;
use crate::analyze;
use crate::cancel::CancelHandle;
use crate::catalog::Catalog;
use crate::error::{EngineError, Result};
use crate::exec::instrument::Instruments;
use crate::exec::spill::SpillConfig;
use crate::exec::{self, ExecContext, IndexGuards, StatementResult};
use crate::plan::explain::{Costing, Display};
use crate::plan::{self, PlanContext, Planned, QueryPlan};
use crate::settings::Settings;
use crate::sql::ast::{self, ExplainFormat, ExplainOptions};
use crate::storage::view::RowView;
use crate::value::{Datum, SqlType};

impl Session {
    /// Runs `EXPLAIN` with `options` on `select`.
    pub(super) fn explain(
        &mut self,
        options: ExplainOptions,
        select: &ast::Select,
    ) -> Result<StatementResult> {
        self.explain_with_params(options, select, (&[], &[]))
    }

    /// Runs `EXPLAIN` of a prepared statement: `select`'s `$n` parameters have the
    /// `types` and `values` given (its `WHERE` is planned with the values, as a custom
    /// plan is).
    pub(super) fn explain_with_params(
        &mut self,
        options: ExplainOptions,
        select: &ast::Select,
        (types, values): (&[SqlType], &[Datum]),
    ) -> Result<StatementResult> {
        let shared = Arc::clone(&self.database.shared);
        let source = self.txn.read_source(&shared.durable);
        let view = source.view();
        let catalog = shared.catalog.read();
        let planning = Instant::now();
        let context = analyze::Context::new(&catalog, true)
            .with_params(types.to_vec())
            .with_settings(&self.settings);
        let mut bound = analyze::bind_query_in(context, select)?;
        if !values.is_empty() {
            bound = super::custom_plan::with_values(&bound, values);
        }
        let spill = super::spill_config(&self.settings, self.database.durable());
        let run = (&self.settings, spill, &self.cancel, planning);
        plan_and_explain(options, bound, values, (&catalog, view), run)
    }

    /// `EXPLAIN EXECUTE name (arguments)`: the plan of the prepared query `name` with
    /// these arguments, made afresh as an execution under the current schema, statistics
    /// and settings gets it: with `plan_cache_mode` calling for a custom plan, planned
    /// with the values in place of its parameters (shown as constants, as PostgreSQL
    /// does); otherwise the generic plan, its parameters shown as `$n`. `ANALYZE` runs it
    /// with the values.
    pub(super) fn explain_execute(
        &mut self,
        options: ExplainOptions,
        name: &str,
        args: &[ast::Expr],
    ) -> Result<StatementResult> {
        let values = self.execute_arguments(name, args)?;
        let (statement, types) = self.prepared_parts(name)?;
        let select = match statement {
            Some(ast::Statement::Select(select)) => select,
            _ => {
                return Err(EngineError::new(
                    "0A000",
                    format!(
                        "EXPLAIN EXECUTE is supported for prepared queries only: \"{name}\" is not a SELECT"
                    ),
                ))
            }
        };
        let shared = Arc::clone(&self.database.shared);
        let source = self.txn.read_source(&shared.durable);
        let view = source.view();
        let catalog = shared.catalog.read();
        let planning = Instant::now();
        let bind = |values: Option<&[Datum]>| {
            let context = analyze::Context::new(&catalog, true)
                .with_params(types.clone())
                .with_settings(&self.settings);
            match values {
                Some(values) => analyze::bind_query_in(context.with_param_values(values), &select),
                None => analyze::bind_query_in(context, &select),
            }
        };
        let generic = bind(None)?;
        let needs_custom = super::custom_plan::needs_custom_plan(&generic);
        let bound = match super::custom_plan::chooses_custom(&self.settings, needs_custom, &values)
        {
            true => bind(Some(&values))?,
            false => generic,
        };
        let spill = super::spill_config(&self.settings, self.database.durable());
        let run = (&self.settings, spill, &self.cancel, planning);
        plan_and_explain(options, bound, &values, (&catalog, view), run)
    }
}

/// Plans a bound query under `settings` and explains it (see [`explain_planned`]);
/// planning began at `planning`.
fn plan_and_explain(
    options: ExplainOptions,
    bound: analyze::Analyzed<analyze::BoundQuery>,
    values: &[Datum],
    (catalog, view): (&Catalog, RowView<'_>),
    (settings, spill, cancel, planning): (&Settings, SpillConfig, &CancelHandle, Instant),
) -> Result<StatementResult> {
    let planned = plan::plan_query(
        bound,
        PlanContext {
            catalog,
            settings,
            versions: view.versions(),
        },
    );
    explain_planned(
        options,
        &planned,
        values,
        (catalog, view),
        (spill, cancel, planning),
    )
}

/// Draws `planned` (run first under `ANALYZE`, with the parameters' `values`, spilling
/// as `spill` says and stopping at `cancel`'s request) in the format `options` ask for;
/// planning started at `planning`.
fn explain_planned(
    options: ExplainOptions,
    planned: &Planned<QueryPlan>,
    values: &[Datum],
    (catalog, view): (&Catalog, RowView<'_>),
    (spill, cancel, planning): (SpillConfig, &CancelHandle, Instant),
) -> Result<StatementResult> {
    let heap_pages = |heap: u32| view.pages(heap).ok();
    let costing = Costing {
        catalog,
        heap_pages: Some(&heap_pages),
    };
    let mut tree = plan::explain::plan_tree(&planned.plan, &costing);
    let planning_ms = planning.elapsed().as_secs_f64() * 1000.0;
    let mut execution_ms = None;
    if options.analyze {
        let started = Instant::now();
        let instruments = Instruments::new(options.timing);
        let guards = IndexGuards::for_plans(catalog, statement_plans(planned, None));
        let context = ExecContext::new(catalog, view, &guards)
            .with_spill(spill)
            .with_cancel(cancel)
            .with_subqueries(&planned.subqueries)
            .with_params(values)
            .with_instruments(&instruments);
        exec::run_query(&planned.plan, &context)?;
        execution_ms = Some(started.elapsed().as_secs_f64() * 1000.0);
        tree.fill(&|probe| instruments.actual(probe));
    }
    let display = Display {
        costs: options.costs,
        analyze: options.analyze,
        timing: options.timing,
        buffers: options.buffers && options.analyze,
    };
    let planning_ms = options.summary.then_some(planning_ms);
    let execution_ms = execution_ms.filter(|_| options.summary);
    let lines = match options.format {
        ExplainFormat::Text => {
            let mut lines = plan::explain::text_lines(&tree, &display);
            if let Some(ms) = planning_ms {
                lines.push(format!("Planning Time: {ms:.3} ms"));
            }
            if let Some(ms) = execution_ms {
                lines.push(format!("Execution Time: {ms:.3} ms"));
            }
            lines
        }
        format => vec![plan::explain::structured(
            &tree,
            &display,
            format,
            planning_ms,
            execution_ms,
        )],
    };
    Ok(text_result("EXPLAIN", "QUERY PLAN", lines))
}
