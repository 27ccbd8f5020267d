//! `CREATE TABLE name [(column names)] AS query [WITH [NO] DATA]`: the query runs
//! first, a table is made with its columns' names and types (as `CREATE TABLE` makes
//! one, so a transaction block can roll it back), and its rows go in as `COPY FROM`
//! puts rows in. The command tag is PostgreSQL's: `SELECT n`, or `CREATE TABLE AS` when
//! no data was asked for or the table existed under `IF NOT EXISTS`.

use std::sync::Arc;

use super::Session;
use crate::error::{EngineError, Result};
use crate::exec::StatementResult;
use crate::sql::ast::{CreateTableAs, Expr, ExprKind, Statement};

impl Session {
    pub(super) fn create_table_as(&mut self, create: &CreateTableAs) -> Result<StatementResult> {
        let exists = self
            .database
            .with_catalog(|catalog| catalog.relation_exists(&create.name));
        if exists {
            if !create.if_not_exists {
                return Err(EngineError::new(
                    "42P07",
                    format!("relation \"{}\" already exists", create.name),
                ));
            }
            // The table's own statement gives PostgreSQL's notice (its column is never
            // made: the table exists).
            let probe = parse_create(&format!(
                "CREATE TABLE IF NOT EXISTS {} (\"?column?\" integer)",
                quoted(&create.name)
            ))?;
            let mut result = self.ddl(&probe)?;
            result.tag = "CREATE TABLE AS".to_string();
            return Ok(result);
        }
        let mut query = create.query.clone();
        if !create.with_data {
            query.limit = Some(Expr::new(ExprKind::Number("0".to_string()), 0));
            query.offset = None;
        }
        let rows = self
            .query(&query)?
            .rows
            .ok_or_else(|| EngineError::internal("a query without rows"))?;
        if create.columns.len() > rows.columns.len() {
            return Err(EngineError::new(
                "42601",
                "too many column names were specified",
            ));
        }
        let definitions: Vec<String> = rows
            .columns
            .iter()
            .enumerate()
            .map(|(index, column)| {
                let name = create
                    .columns
                    .get(index)
                    .map_or(column.name.as_str(), |(name, _)| name.as_str());
                format!(
                    "{} {}",
                    quoted(name),
                    column.ty.name_with_typmod(column.typmod)
                )
            })
            .collect();
        let definition = parse_create(&format!(
            "CREATE TABLE {} ({})",
            quoted(&create.name),
            definitions.join(", ")
        ))?;
        self.ddl(&definition)?;
        if !create.with_data {
            return Ok(StatementResult::tag("CREATE TABLE AS"));
        }
        let count = rows.rows.len();
        self.insert_query_rows(&create.name, rows.rows)?;
        Ok(StatementResult::tag(format!("SELECT {count}")))
    }

    /// Puts a new table's rows in, every column in order.
    fn insert_query_rows(&mut self, table: &str, rows: Vec<crate::storage::Row>) -> Result<()> {
        let shared = Arc::clone(&self.database.shared);
        let writes = self.txn.writes(
            &shared.durable,
            &shared.write_lock,
            &self.settings,
            "CREATE TABLE AS",
        )?;
        let catalog = shared.catalog.read();
        let width = catalog.table(table).map_or(0, |t| t.columns.len());
        let targets: Vec<usize> = (0..width).collect();
        let spill = super::spill_config(&self.settings, self.database.durable());
        let outcome = super::copy::insert_computed_rows(
            &catalog,
            &writes,
            (spill, &self.cancel),
            table,
            &targets,
            (rows, None),
        )?;
        crate::txn::apply(&catalog, &writes, outcome.changes)
    }
}

/// `name` as a quoted identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The `CREATE TABLE` statement written in `sql`.
fn parse_create(sql: &str) -> Result<Statement> {
    let mut statements = crate::sql::parse(sql)?;
    match statements.pop() {
        Some(statement @ Statement::CreateTable(_)) if statements.is_empty() => Ok(statement),
        _ => Err(EngineError::internal(
            "CREATE TABLE AS made no table definition",
        )),
    }
}
