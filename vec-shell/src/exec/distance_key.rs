//! The exact scan's inner loop for the vector search shape, `ORDER BY column <op> constant
//! LIMIT k` (`<->`, `<=>`, `<#>`, `<+>` on `vector` or `halfvec`): [`DistanceKey`] computes
//! each row's distance straight from the row's stored vector, decoded into storage reused
//! from row to row, without decoding the rest of the row or wrapping the result in a
//! datum, and [`top_k_from_pages`] keeps the `k` nearest rows as (distance, position)
//! pairs while it visits the heap's pages one at a time (a filter sees only the columns it
//! reads), so no copy of the table is ever held. Only the winners are decoded whole and
//! projected, by the general evaluator.
//!
//! The distances are those the operators compute, bit for bit (the same `vec-types`
//! functions, operands in the written order; a cosine distance reuses the query's squared
//! norm, which `cosine_distance_with_norm` guarantees gives the same value), and they are
//! ordered as the sort orders `float8` values (NaN after every number, NULL last, ties in
//! storage order), so the rows chosen are the general path's.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::ExecContext;
use crate::error::{EngineError, Result};
use crate::expr::{columns_read, eval, passes, BoundExpr};
use crate::plan::QueryPlan;
use crate::storage::codec::{column_bytes, decode_columns, decode_row};
use crate::storage::Row;
use crate::value::{compare_floats, Datum, SqlType};
use vec_types::{HalfVector, Typmod, Vector};

/// The distance between two values of one vector type (`Vector` or `HalfVector`, whose
/// methods have the same names), the cosine distance reusing the query's known norm.
macro_rules! distance_of {
    ($a:expr, $b:expr, $operator:expr, $query_left:expr, $query_norm:expr) => {
        match $operator {
            Operator::L2 => $a.l2_distance($b)?,
            Operator::NegativeInnerProduct => $a.negative_inner_product($b)?,
            Operator::L1 => $a.l1_distance($b)?,
            Operator::Cosine if $a.dims() != $b.dims() => $a.cosine_distance($b)?,
            Operator::Cosine => {
                let (row, query) = if $query_left { ($b, $a) } else { ($a, $b) };
                row.cosine_distance_with_norm(query, *$query_norm)?
            }
        }
    };
}

/// Rows between two checks of the statement's cancel request.
const CHECK_EVERY: usize = 4096;

/// The distance operators the key computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operator {
    L2,
    Cosine,
    NegativeInnerProduct,
    L1,
}

/// A sort key `column <op> constant` (or `constant <op> column`) on vectors; the constant
/// may be a literal cast (`'[1,2,3]'::vector`), evaluated once, when the first row needs it
/// (as the general executor would first evaluate it).
pub(super) struct DistanceKey<'p> {
    column: usize,
    query_expr: &'p BoundExpr,
    operator: Operator,
    /// Whether the query is the operator's left operand.
    query_left: bool,
    /// The query's value and, for cosine distances, its squared norm, once evaluated.
    query: std::cell::OnceCell<(Datum, f64)>,
}

impl<'p> DistanceKey<'p> {
    /// The key for `expr`, when it has the shape this path serves; `params` are the
    /// statement's parameter values (a query vector may be one).
    pub(super) fn new(expr: &'p BoundExpr, params: &[Datum]) -> Option<DistanceKey<'p>> {
        let BoundExpr::Call {
            args,
            name,
            operator: true,
            ..
        } = expr
        else {
            return None;
        };
        let operator = match &**name {
            "<->" => Operator::L2,
            "<=>" => Operator::Cosine,
            "<#>" => Operator::NegativeInnerProduct,
            "<+>" => Operator::L1,
            _ => return None,
        };
        // A `vector` or `halfvec` constant or parameter (sparse and bit distances take the
        // general path).
        let dense = |value: &Datum| matches!(value, Datum::Vector(_) | Datum::HalfVec(_));
        let constant = |expr: &BoundExpr| match expr {
            BoundExpr::Const(value) => dense(value),
            BoundExpr::Param(index) => params.get(*index as usize).is_some_and(dense),
            BoundExpr::Cast { operand, to, .. } => {
                matches!(**operand, BoundExpr::Const(_) | BoundExpr::Param(_))
                    && matches!(to, SqlType::Vector | SqlType::HalfVec)
            }
            _ => false,
        };
        let (column, query_expr, query_left) = match args.as_slice() {
            [BoundExpr::Column(column), query] if constant(query) => (*column, query, false),
            [query, BoundExpr::Column(column)] if constant(query) => (*column, query, true),
            _ => return None,
        };
        Some(DistanceKey {
            column,
            query_expr,
            operator,
            query_left,
            query: std::cell::OnceCell::new(),
        })
    }

    /// The query's value and squared norm, evaluated on first use.
    fn query(&self, context: &ExecContext<'_>) -> Result<&(Datum, f64)> {
        if let Some(query) = self.query.get() {
            return Ok(query);
        }
        let value = eval(self.query_expr, &[], context)?;
        let norm = match &value {
            Datum::Vector(v) => v.inner_product(v)?,
            Datum::HalfVec(h) => h.inner_product(h)?,
            _ => 0.0,
        };
        Ok(self.query.get_or_init(|| (value, norm)))
    }

    /// The row's distance; `None` when its value (or the query) is NULL.
    #[inline]
    fn distance(&self, row: &[Datum], context: &ExecContext<'_>) -> Result<Option<f64>> {
        let value = row
            .get(self.column)
            .ok_or_else(|| EngineError::internal("column index out of range"))?;
        // The query first, as the general executor evaluates every argument before it
        // looks for NULLs.
        let (query, query_norm) = self.query(context)?;
        let (left, right) = if self.query_left {
            (query, value)
        } else {
            (value, query)
        };
        let distance = match (left, right, self.operator) {
            (Datum::Null, _, _) | (_, Datum::Null, _) => return Ok(None),
            // The product of the two norms commutes: either operand may be the one whose
            // norm is known.
            (Datum::Vector(a), Datum::Vector(b), operator) => {
                distance_of!(a, b, operator, self.query_left, query_norm)
            }
            (Datum::HalfVec(a), Datum::HalfVec(b), operator) => {
                distance_of!(a, b, operator, self.query_left, query_norm)
            }
            _ => return Err(EngineError::internal("a distance of mismatched types")),
        };
        Ok(Some(distance))
    }
}

/// Storage reused from one row's vector to the next by [`DistanceKey::stored_distance`].
#[derive(Default)]
struct Scratch {
    vector: Vec<f32>,
    half: Vec<vec_types::f16>,
}

impl DistanceKey<'_> {
    /// The distance of a row read from its stored bytes, decoding only the key's column
    /// into reused storage; `None` when the row needs the general path ([`Self::distance`]
    /// on the decoded row: a NULL or a short row, a value of another type, damaged bytes
    /// — whose error the row's decoder reports).
    /// A cosine distance surely at least `bound` is not computed: `Some(None)` then (the
    /// row cannot enter the nearest rows whose worst distance is `bound`).
    #[inline]
    fn stored_distance(
        &self,
        bytes: &[u8],
        scratch: &mut Scratch,
        context: &ExecContext<'_>,
        bound: f64,
    ) -> Result<Option<Option<f64>>> {
        let (query, query_norm) = self.query(context)?;
        let Ok(Some((tag, Some(stored)))) = column_bytes(bytes, self.column) else {
            return Ok(None);
        };
        if let (Operator::Cosine, Datum::Vector(query), 8) = (self.operator, query, tag) {
            return Ok(query.cosine_distance_to_binary_below(
                stored,
                *query_norm,
                bound,
                &mut scratch.vector,
            ));
        }
        // A `vector` or `halfvec` row's distance straight from its stored bytes (the same
        // value, bit for bit); rows the fused kernels refuse take the decoding path.
        macro_rules! fused {
            ($query:expr, $storage:expr) => {
                match self.operator {
                    Operator::L2 => $query.l2_distance_to_binary(stored, $storage),
                    Operator::NegativeInnerProduct => {
                        $query.negative_inner_product_to_binary(stored, $storage)
                    }
                    Operator::Cosine => {
                        $query.cosine_distance_to_binary(stored, *query_norm, $storage)
                    }
                    Operator::L1 => $query.l1_distance_to_binary(stored, $storage),
                }
            };
        }
        let fused = match (query, tag) {
            (Datum::Vector(query), 8) => fused!(query, &mut scratch.vector),
            (Datum::HalfVec(query), 9) => fused!(query, &mut scratch.half),
            _ => None,
        };
        if fused.is_some() {
            return Ok(Some(fused));
        }
        // The row's value decoded into `storage` (reused from row to row), then the
        // distance as `distance_of!` computes it; a value that does not decode takes the
        // general path, which reports it.
        macro_rules! stored {
            ($ty:ty, $query:expr, $storage:expr) => {{
                let reused = std::mem::take($storage);
                let Ok(row) = <$ty>::from_binary_in(stored, Typmod::NONE, reused) else {
                    return Ok(None);
                };
                let (a, b) = if self.query_left {
                    ($query, &row)
                } else {
                    (&row, $query)
                };
                let distance = distance_of!(a, b, self.operator, self.query_left, query_norm);
                *$storage = row.into_vec();
                distance
            }};
        }
        let distance = match (query, tag) {
            (Datum::Vector(query), 8) => stored!(Vector, query, &mut scratch.vector),
            (Datum::HalfVec(query), 9) => stored!(HalfVector, query, &mut scratch.half),
            _ => return Ok(None),
        };
        Ok(Some(Some(distance)))
    }
}

/// A row's place in the ranking: its distance (NULL last) and its position (ties).
#[derive(Clone, Copy)]
struct Ranked {
    distance: Option<f64>,
    position: usize,
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        let by_distance = match (self.distance, other.distance) {
            (Some(a), Some(b)) => compare_floats(a, b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        by_distance.then(self.position.cmp(&other.position))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked {}

/// The key of a plan this path serves: a single ascending `ORDER BY` key with NULLs last
/// that is a [`DistanceKey`], the other output columns plain columns, constants (which
/// cannot fail, so that only the winners need them) or the key itself (`SELECT …,
/// embedding <=> q AS d … ORDER BY embedding <=> q`).
pub(super) fn distance_key<'p>(plan: &'p QueryPlan, params: &[Datum]) -> Option<DistanceKey<'p>> {
    let [key] = plan.order.as_slice() else {
        return None;
    };
    if key.descending || key.nulls_first {
        return None;
    }
    let key_expr = plan.projection.get(key.column)?;
    let others_plain = plan.projection.iter().enumerate().all(|(position, expr)| {
        position == key.column
            || matches!(expr, BoundExpr::Column(_) | BoundExpr::Const(_))
            || expr == key_expr
    });
    if !others_plain {
        return None;
    }
    DistanceKey::new(key_expr, params)
}

/// The rows nearest so far: a bounded max-heap of their places and the rows themselves
/// (those that may still win), for the projection at the end.
struct Nearest {
    keep: usize,
    heap: BinaryHeap<Ranked>,
    kept: Vec<(usize, Row)>,
}

impl Nearest {
    fn new(keep: usize) -> Nearest {
        Nearest {
            keep,
            heap: BinaryHeap::with_capacity(keep.min(1 << 16) + 1),
            kept: Vec::with_capacity(keep.min(1 << 16) + 1),
        }
    }

    /// The distance a later row must be below to enter: the farthest kept row's, when
    /// `keep` rows are kept and it is a finite number; infinite otherwise.
    fn bound(&self) -> f64 {
        match self.heap.peek() {
            Some(Ranked {
                distance: Some(worst),
                ..
            }) if self.heap.len() >= self.keep && worst.is_finite() => *worst,
            _ => f64::INFINITY,
        }
    }

    /// Whether a row ranked `ranked` is among the `keep` nearest so far.
    fn wins(&self, ranked: &Ranked) -> bool {
        self.heap.len() < self.keep || self.heap.peek().is_some_and(|worst| ranked < worst)
    }

    /// Adds a row that [`Nearest::wins`], dropping the one it pushes out.
    fn push(&mut self, ranked: Ranked, row: Row) {
        if self.heap.len() >= self.keep {
            self.heap.pop();
        }
        self.heap.push(ranked);
        self.kept.push((ranked.position, row));
        // Forget rows that fell out of the heap once they are many.
        if self.kept.len() >= 4 * self.keep.max(16) {
            let live: std::collections::HashSet<usize> =
                self.heap.iter().map(|r| r.position).collect();
            self.kept.retain(|(position, _)| live.contains(position));
        }
    }

    /// The winners, nearest first (ties in storage order), projected.
    fn into_projected(self, plan: &QueryPlan, context: &ExecContext<'_>) -> Result<Vec<Row>> {
        let kept = self.kept;
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|ranked| {
                let row = kept
                    .iter()
                    .find(|(position, _)| *position == ranked.position)
                    .map(|(_, row)| row)
                    .ok_or_else(|| EngineError::internal("lost a winning row"))?;
                plan.projection
                    .iter()
                    .map(|expr| eval(expr, row, context))
                    .collect()
            })
            .collect()
    }
}

/// The `keep` nearest rows of pages `start..end` of `heap` that pass the plan's filter,
/// nearest first (ties in storage order), projected, and the number of rows read. Each
/// row is read from its stored bytes: the filter sees only the columns it reads (the
/// others are left undecoded, as NULL), the distance comes from the vector alone (decoded
/// into reused storage), and only a row that enters the `keep` nearest is decoded whole.
/// The rows that may still win are kept; the others are dropped as soon as their
/// distance is known.
pub(super) fn top_k_from_pages(
    plan: &QueryPlan,
    context: &ExecContext<'_>,
    (heap, start, end): (u32, u32, u32),
    keep: usize,
    key: &DistanceKey<'_>,
) -> (Result<Vec<Row>>, u64) {
    let filter = plan.filter.as_ref().map(|filter| {
        let mut read = Vec::new();
        columns_read(filter, &mut read);
        let mut wanted = vec![false; read.iter().max().map_or(0, |max| max + 1)];
        for column in read {
            wanted[column] = true;
        }
        (filter, wanted)
    });
    let mut nearest = Nearest::new(keep);
    let mut scratch = Scratch::default();
    let mut position = 0usize;
    let visited = context.rows.visit_rows(heap, start, end, &mut |_, bytes| {
        let here = position;
        position += 1;
        if here % CHECK_EVERY == CHECK_EVERY - 1 {
            context.cancel.check()?;
        }
        if let Some((filter, wanted)) = &filter {
            if !passes(filter, &decode_columns(bytes, wanted)?, context)? {
                return Ok(());
            }
        }
        super::instrument::count_parallel_pass(context);
        let bound = nearest.bound();
        let (distance, decoded) = match key.stored_distance(bytes, &mut scratch, context, bound)? {
            // Surely no nearer than the farthest of the nearest rows: it cannot enter.
            Some(None) => return Ok(()),
            Some(Some(distance)) => (Some(distance), None),
            None => {
                let row = decode_row(bytes)?;
                (key.distance(&row, context)?, Some(row))
            }
        };
        let ranked = Ranked {
            distance,
            position: here,
        };
        if nearest.wins(&ranked) {
            let row = match decoded {
                Some(row) => row,
                None => decode_row(bytes)?,
            };
            nearest.push(ranked, row);
        }
        Ok(())
    });
    let read = position as u64;
    (
        visited.and_then(|()| nearest.into_projected(plan, context)),
        read,
    )
}
