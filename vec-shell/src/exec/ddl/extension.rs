//! `CREATE EXTENSION pg_stat_statements` and `DROP EXTENSION`: the extension is a
//! catalog entry of its own (the statements it counts are kept in memory); `vector` is
//! built in and cannot be dropped.

use crate::catalog::schema::encode_stat_statements;
use crate::catalog::Catalog;
use crate::error::{EngineError, Result};
use crate::exec::StatementResult;
use crate::storage::durable::{StoreOp, CATALOG_HEAP};
use crate::txn::StoreWrites;

/// `CREATE EXTENSION [IF NOT EXISTS] pg_stat_statements`.
pub fn create_stat_statements(
    catalog: &mut Catalog,
    writes: &StoreWrites<'_>,
    if_not_exists: bool,
) -> Result<StatementResult> {
    let name = "pg_stat_statements";
    if catalog.stat_statements.is_some() {
        return super::extension_exists(name, if_not_exists);
    }
    let ids = writes.commit(vec![StoreOp::Insert(
        CATALOG_HEAP.0,
        encode_stat_statements(),
    )])?;
    catalog.stat_statements = Some(ids.first().copied().unwrap_or(0));
    catalog.statements.reset();
    Ok(StatementResult::tag("CREATE EXTENSION"))
}

/// `DROP EXTENSION [IF EXISTS] name, …`: every name is checked before anything is
/// dropped.
pub fn drop_extensions(
    catalog: &mut Catalog,
    writes: &StoreWrites<'_>,
    names: &[String],
    if_exists: bool,
) -> Result<StatementResult> {
    let mut result = StatementResult::tag("DROP EXTENSION");
    let mut dropping = false;
    for name in names {
        let installed = match name.as_str() {
            "pg_stat_statements" => catalog.stat_statements.is_some(),
            "vector" => catalog.extension_installed,
            _ => false,
        };
        if !installed {
            if if_exists {
                result.notices.push(EngineError::notice(
                    "00000",
                    format!("extension \"{name}\" does not exist, skipping"),
                ));
                continue;
            }
            return Err(EngineError::new(
                "42704",
                format!("extension \"{name}\" does not exist"),
            ));
        }
        if name == "vector" {
            return Err(EngineError::unsupported(
                "extension \"vector\" cannot be dropped: its types are built into vecsh",
            ));
        }
        dropping = true;
    }
    if let (true, Some(row)) = (dropping, catalog.stat_statements) {
        writes.commit(vec![StoreOp::Remove(CATALOG_HEAP.0, row)])?;
        catalog.stat_statements = None;
        catalog.statements.reset();
    }
    Ok(result)
}
