//! The nested-loop cross join: every left row followed by every right row. A `LATERAL`
//! right side is run once per left row, with that row as its outer row.

use super::eval::ExecContext;
use super::query::source;
use crate::error::Result;
use crate::plan::Source;
use crate::storage::Row;

/// Where in each block of rows the join looks at the cancel flag.
const CHECK_LAST: usize = crate::cancel::CHECK_EVERY - 1;

/// Joins every row of `left` with every row of `right`, left rows outermost.
pub(super) fn cross_join(
    left: &Source,
    right: &Source,
    lateral: bool,
    context: &ExecContext<'_>,
) -> Result<Vec<Row>> {
    let left_rows = source(left, context)?.collect::<Result<Vec<Row>>>()?;
    let fixed_right = if lateral {
        None
    } else {
        Some(source(right, context)?.collect::<Result<Vec<Row>>>()?)
    };
    let mut joined = Vec::new();
    for left_row in &left_rows {
        context.cancel.check()?;
        let lateral_rows;
        let right_rows = match &fixed_right {
            Some(rows) => rows,
            None => {
                let inner = ExecContext {
                    catalog: context.catalog,
                    outer: left_row,
                    cancel: context.cancel,
                };
                lateral_rows = source(right, &inner)?.collect::<Result<Vec<Row>>>()?;
                &lateral_rows
            }
        };
        for (right_idx, right_row) in right_rows.iter().enumerate() {
            if right_idx % crate::cancel::CHECK_EVERY == CHECK_LAST {
                context.cancel.check()?;
            }
            let mut row = Vec::with_capacity(left_row.len() + right_row.len());
            row.extend_from_slice(left_row);
            row.extend_from_slice(right_row);
            joined.push(row);
        }
    }
    Ok(joined)
}
