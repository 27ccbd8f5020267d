//! Joins, streamed: the left side is read one row at a time and each left row's joined
//! rows are produced before the next is read, so a `LIMIT` above a join stops it early.
//! A `LATERAL` right side is run once per left row, with that row as its outer row.
//! Any other right side is read once into a buffer that spills to a temporary file past
//! `work_mem` ([`RowBuffer`]).
//!
//! Qualified joins (`JOIN … ON | USING`, inner or outer) keep the pairs whose condition
//! is true, then NULL-extend the unmatched rows of the preserved side(s). When the
//! condition has equalities between the sides, the right rows are hashed on their key
//! values, so each left row meets only the right rows that share its keys (rows with a
//! NULL key can never match); the whole condition still decides. A hashed right side
//! larger than `work_mem` is split with the left side into partitions by key hash in
//! temporary files, joined one partition at a time ([`grace`]): rows then come out
//! partition by partition rather than in left-row order, as from PostgreSQL's batched
//! hash join. Without equalities, every left row meets every right row (a nested loop
//! over the buffer, read again from its file for each left row when it spilled).

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::rc::Rc;
use std::sync::Arc;

use vec_storage::TempFile;

use super::query::{source, RowStream};
use super::spill::{file_rows, write_row, BufferPass, FrozenRows, RowBuffer};
use super::ExecContext;
use crate::error::Result;
use crate::expr::{eval, passes, BoundExpr};
use crate::plan::{JoinPlan, Source};
use crate::sql::ast::JoinKind;
use crate::storage::Row;
use crate::value::Datum;

/// What a join does with a pair and with unmatched rows.
#[derive(Clone, Copy)]
struct Shape<'a> {
    condition: Option<&'a BoundExpr>,
    hash_keys: &'a [(BoundExpr, BoundExpr)],
    keep_left: bool,
    keep_right: bool,
    left_width: usize,
    right_width: usize,
}

impl<'a> Shape<'a> {
    fn of(plan: &'a JoinPlan) -> Shape<'a> {
        Shape {
            condition: plan.condition.as_ref(),
            hash_keys: &plan.hash_keys,
            keep_left: matches!(plan.kind, JoinKind::Left | JoinKind::Full),
            keep_right: matches!(plan.kind, JoinKind::Right | JoinKind::Full),
            left_width: plan.left_width,
            right_width: plan.right_width,
        }
    }

    /// Every pair, no condition, nothing kept unmatched.
    fn cross() -> Shape<'a> {
        Shape {
            condition: None,
            hash_keys: &[],
            keep_left: false,
            keep_right: false,
            left_width: 0,
            right_width: 0,
        }
    }

    /// The joined row if the pair passes the condition.
    fn pair(
        &self,
        left: &[Datum],
        right: &[Datum],
        context: &ExecContext<'_>,
    ) -> Result<Option<Row>> {
        let mut row = Vec::with_capacity(left.len() + right.len());
        row.extend_from_slice(left);
        row.extend_from_slice(right);
        let pass = match self.condition {
            Some(condition) => passes(condition, &row, context)?,
            None => true,
        };
        Ok(pass.then_some(row))
    }

    fn left_extended(&self, left: &[Datum]) -> Row {
        let mut row = left.to_vec();
        row.resize(self.left_width + self.right_width, Datum::Null);
        row
    }

    fn right_extended(&self, right: &[Datum]) -> Row {
        let mut row = vec![Datum::Null; self.left_width];
        row.extend_from_slice(right);
        row
    }
}

/// Joins every row of `left` with every row of `right`, left rows outermost.
pub(super) fn cross_join<'a>(
    left: &'a Source,
    right: &'a Source,
    lateral: bool,
    context: &'a ExecContext<'a>,
) -> Result<RowStream<'a>> {
    let left_rows = crate::cancel::checked(source(left, context)?, context.cancel);
    if lateral {
        return Ok(lateral_join(Shape::cross(), left_rows, right, context));
    }
    let right_rows = RowBuffer::fill(source(right, context)?, context.spill.clone())?;
    fixed_join(Shape::cross(), left_rows, right_rows.freeze()?, context)
}

/// Runs a qualified join.
pub(super) fn join<'a>(plan: &'a JoinPlan, context: &'a ExecContext<'a>) -> Result<RowStream<'a>> {
    let shape = Shape::of(plan);
    let left = crate::cancel::checked(source(&plan.left, context)?, context.cancel);
    let joined = if plan.lateral {
        lateral_join(shape, left, &plan.right, context)
    } else {
        let right = RowBuffer::fill(source(&plan.right, context)?, context.spill.clone())?;
        if right.spilled() && !plan.hash_keys.is_empty() {
            grace(shape, left, right, context)?
        } else {
            fixed_join(shape, left, right.freeze()?, context)?
        }
    };
    if plan.merged.is_empty() {
        return Ok(joined);
    }
    Ok(Box::new(joined.map(move |row| {
        row.map(|row| {
            let mut out = Vec::with_capacity(plan.merged.len() + row.len());
            for &(left, right) in &plan.merged {
                let value = match &row[left] {
                    Datum::Null => row[right].clone(),
                    value => value.clone(),
                };
                out.push(value);
            }
            out.extend(row);
            out
        })
    })))
}

/// A join whose right side is run again for each left row.
fn lateral_join<'a>(
    shape: Shape<'a>,
    left: RowStream<'a>,
    right: &'a Source,
    context: &'a ExecContext<'a>,
) -> RowStream<'a> {
    Box::new(left.flat_map(move |left_row| {
        let out = left_row.and_then(|left_row| {
            context.cancel.check()?;
            let inner = context.with_outer(&left_row);
            let mut out = Vec::new();
            for right_row in source(right, &inner)? {
                if let Some(row) = shape.pair(&left_row, &right_row?, context)? {
                    out.push(row);
                }
            }
            if out.is_empty() && shape.keep_left {
                out.push(shape.left_extended(&left_row));
            }
            Ok(out)
        });
        rows_or_error(out)
    }))
}

fn rows_or_error(rows: Result<Vec<Row>>) -> Vec<Result<Row>> {
    match rows {
        Ok(rows) => rows.into_iter().map(Ok).collect(),
        Err(error) => vec![Err(error)],
    }
}

/// The right rows hashed on their key values.
type HashTable = HashMap<Vec<String>, Vec<usize>>;

/// The values of hash keys, `None` when one is NULL (such a row matches nothing).
fn key_values<'k>(
    keys: impl Iterator<Item = &'k BoundExpr>,
    row: &[Datum],
    context: &ExecContext<'_>,
) -> Result<Option<Vec<String>>> {
    let mut values = Vec::new();
    for key in keys {
        match eval(key, row, context)?.group_key() {
            Some(text) => values.push(text),
            None => return Ok(None),
        }
    }
    Ok(Some(values))
}

fn hash_rows(shape: &Shape<'_>, rows: &[Row], context: &ExecContext<'_>) -> Result<HashTable> {
    let mut table: HashTable = HashMap::new();
    for (row_idx, row) in rows.iter().enumerate() {
        if let Some(values) = key_values(shape.hash_keys.iter().map(|(_, r)| r), row, context)? {
            table.entry(values).or_default().push(row_idx);
        }
    }
    Ok(table)
}

/// A join over a right side read once: hashed when it has key equalities and sits in
/// memory, otherwise a nested loop over it.
fn fixed_join<'a>(
    shape: Shape<'a>,
    left: RowStream<'a>,
    right: FrozenRows,
    context: &'a ExecContext<'a>,
) -> Result<RowStream<'a>> {
    let hashed = match &right {
        FrozenRows::Memory(rows) if !shape.hash_keys.is_empty() => {
            Some(Arc::new(hash_rows(&shape, rows, context)?))
        }
        _ => None,
    };
    let matched = Rc::new(RefCell::new(vec![
        false;
        if shape.keep_right {
            right.len()
        } else {
            0
        }
    ]));
    let per_left = {
        let right = right.clone();
        let matched = Rc::clone(&matched);
        left.flat_map(
            move |left_row| -> Box<dyn Iterator<Item = Result<Row>> + 'a> {
                let left_row = match left_row {
                    Ok(row) => row,
                    Err(error) => return Box::new(std::iter::once(Err(error))),
                };
                match (&hashed, &right) {
                    (Some(table), FrozenRows::Memory(rows)) => Box::new(
                        rows_or_error(hashed_matches(
                            &shape, &left_row, table, rows, &matched, context,
                        ))
                        .into_iter(),
                    ),
                    _ => match right.pass() {
                        Ok(pass) => Box::new(NestedLoop {
                            shape,
                            left_row,
                            pass,
                            position: 0,
                            any_match: false,
                            done: false,
                            matched: Rc::clone(&matched),
                            context,
                        }),
                        Err(error) => Box::new(std::iter::once(Err(error))),
                    },
                }
            },
        )
    };
    if !shape.keep_right {
        return Ok(Box::new(per_left));
    }
    let unmatched = std::iter::once_with(move || -> Box<dyn Iterator<Item = Result<Row>> + 'a> {
        let pass = match right.pass() {
            Ok(pass) => pass,
            Err(error) => return Box::new(std::iter::once(Err(error))),
        };
        let flags = matched.take();
        Box::new(
            pass.zip(flags)
                .filter_map(move |(row, was_matched)| match row {
                    Ok(_) if was_matched => None,
                    Ok(row) => Some(Ok(shape.right_extended(&row))),
                    Err(error) => Some(Err(error)),
                }),
        )
    })
    .flatten();
    Ok(Box::new(per_left.chain(unmatched)))
}

/// A left row's joined rows through the hash table (and its NULL-extended row when it
/// matches nothing and the join keeps it).
fn hashed_matches(
    shape: &Shape<'_>,
    left_row: &[Datum],
    table: &HashTable,
    rows: &[Row],
    matched: &RefCell<Vec<bool>>,
    context: &ExecContext<'_>,
) -> Result<Vec<Row>> {
    let mut out = Vec::new();
    let keys = key_values(shape.hash_keys.iter().map(|(l, _)| l), left_row, context)?;
    let candidates = keys
        .as_ref()
        .and_then(|k| table.get(k))
        .map_or(&[][..], Vec::as_slice);
    for &right_idx in candidates {
        if let Some(row) = shape.pair(left_row, &rows[right_idx], context)? {
            if let Some(flag) = matched.borrow_mut().get_mut(right_idx) {
                *flag = true;
            }
            out.push(row);
        }
    }
    if out.is_empty() && shape.keep_left {
        out.push(shape.left_extended(left_row));
    }
    Ok(out)
}

/// One left row against every right row, as the caller reads.
struct NestedLoop<'a> {
    shape: Shape<'a>,
    left_row: Row,
    pass: BufferPass,
    position: usize,
    any_match: bool,
    done: bool,
    matched: Rc<RefCell<Vec<bool>>>,
    context: &'a ExecContext<'a>,
}

impl Iterator for NestedLoop<'_> {
    type Item = Result<Row>;

    fn next(&mut self) -> Option<Result<Row>> {
        while !self.done {
            let Some(right_row) = self.pass.next() else {
                self.done = true;
                if !self.any_match && self.shape.keep_left {
                    return Some(Ok(self.shape.left_extended(&self.left_row)));
                }
                return None;
            };
            let position = self.position;
            self.position += 1;
            if self.position.is_multiple_of(crate::cancel::CHECK_EVERY) {
                if let Err(error) = self.context.cancel.check() {
                    self.done = true;
                    return Some(Err(error));
                }
            }
            let joined = right_row.and_then(|r| self.shape.pair(&self.left_row, &r, self.context));
            match joined {
                Ok(Some(row)) => {
                    self.any_match = true;
                    if let Some(flag) = self.matched.borrow_mut().get_mut(position) {
                        *flag = true;
                    }
                    return Some(Ok(row));
                }
                Ok(None) => {}
                Err(error) => {
                    self.done = true;
                    return Some(Err(error));
                }
            }
        }
        None
    }
}

/// The partition of a row by its key values (partition 0 for a NULL key, which matches
/// nothing wherever it goes).
fn partition_of(keys: Option<Vec<String>>, partitions: usize) -> usize {
    let Some(keys) = keys else {
        return 0;
    };
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    keys.hash(&mut hasher);
    (hasher.finish() % partitions as u64) as usize
}

/// A hash join whose right side outgrew `work_mem`: both sides are written to
/// partitions by key hash, then each partition is joined in memory.
fn grace<'a>(
    shape: Shape<'a>,
    left: RowStream<'a>,
    right: RowBuffer,
    context: &'a ExecContext<'a>,
) -> Result<RowStream<'a>> {
    let partitions = (right.bytes() / context.spill.work_mem.max(1) * 2).clamp(8, 1024);
    let mut right_parts = (0..partitions)
        .map(|_| context.spill.temp_file())
        .collect::<Result<Vec<TempFile>>>()?;
    for row in right.into_stream()? {
        let row = row?;
        let keys = key_values(shape.hash_keys.iter().map(|(_, r)| r), &row, context)?;
        write_row(&mut right_parts[partition_of(keys, partitions)], &row)?;
    }
    let mut left_parts = (0..partitions)
        .map(|_| context.spill.temp_file())
        .collect::<Result<Vec<TempFile>>>()?;
    for row in left {
        let row = row?;
        context.cancel.check()?;
        let keys = key_values(shape.hash_keys.iter().map(|(l, _)| l), &row, context)?;
        write_row(&mut left_parts[partition_of(keys, partitions)], &row)?;
    }
    let parts = right_parts.into_iter().zip(left_parts);
    Ok(Box::new(parts.flat_map(
        move |(mut right_part, mut left_part)| {
            let joined = (|| -> Result<RowStream<'a>> {
                let right_rows = file_rows(&mut right_part)?.collect::<Result<Vec<Row>>>()?;
                let left_rows: RowStream<'a> = Box::new(file_rows(&mut left_part)?);
                fixed_join(
                    shape,
                    left_rows,
                    FrozenRows::Memory(Arc::new(right_rows)),
                    context,
                )
            })();
            match joined {
                Ok(rows) => rows,
                Err(error) => Box::new(std::iter::once(Err(error))),
            }
        },
    )))
}
