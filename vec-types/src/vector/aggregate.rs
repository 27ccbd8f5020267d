//! `avg(vector)` and `sum(vector)`.
//!
//! pgvector computes the two differently: `avg` keeps a `double precision[]` state
//! (`vector_accum`, `vector_combine`, `vector_avg`), while `sum` folds `vector_add` over
//! the rows, in `f32`, with its overflow and `different vector dimensions` errors.
//! [`VectorAccumulator`] runs both folds at once and reports each aggregate's error from
//! the row where pgvector would raise it.

use super::{check_dims, Vector};
use crate::dense::avg::AvgState;
use crate::TypeError;

/// Accumulates non-NULL `vector` rows for `avg` and `sum` (NULL rows are skipped by the
/// caller, as SQL aggregates skip them).
///
/// ```
/// use vec_types::{Vector, VectorAccumulator};
/// let mut acc = VectorAccumulator::new();
/// acc.add(&"[1,2,3]".parse::<Vector>().unwrap());
/// acc.add(&"[3,5,7]".parse::<Vector>().unwrap());
/// assert_eq!(acc.avg().unwrap().unwrap().to_string(), "[2,3.5,5]");
/// assert_eq!(acc.sum().unwrap().unwrap().to_string(), "[4,7,10]");
/// ```
#[derive(Clone, Debug)]
pub struct VectorAccumulator {
    avg: Result<AvgState, TypeError>,
    sum: Result<Option<Vector>, TypeError>,
}

impl VectorAccumulator {
    /// An accumulator that has seen no rows.
    pub fn new() -> Self {
        VectorAccumulator {
            avg: Ok(AvgState::new()),
            sum: Ok(None),
        }
    }

    /// Adds one row. Errors are kept and reported by [`VectorAccumulator::avg`] or
    /// [`VectorAccumulator::sum`]; after its first error an aggregate ignores later rows.
    pub fn add(&mut self, value: &Vector) {
        if let Ok(state) = &mut self.avg {
            let values = value.as_slice().iter().map(|v| f64::from(*v));
            if let Err(err) = state.accumulate(values) {
                self.avg = Err(err);
            }
        }
        if let Ok(sum) = &mut self.sum {
            self.sum = match sum.take() {
                None => Ok(Some(value.clone())),
                Some(total) => total.try_add(value).map(Some),
            };
        }
    }

    /// Merges a partial accumulator (from another worker thread), as pgvector's combine
    /// functions (`vector_combine`, and `vector_add` for `sum`) do.
    pub fn merge(&mut self, other: &VectorAccumulator) {
        self.avg = match (&self.avg, &other.avg) {
            (Ok(left), Ok(right)) => left.combine(right),
            (Err(err), _) | (Ok(_), Err(err)) => Err(err.clone()),
        };
        self.sum = match (&self.sum, &other.sum) {
            (Ok(Some(left)), Ok(Some(right))) => left.try_add(right).map(Some),
            (Ok(left), Ok(None)) => Ok(left.clone()),
            (Ok(None), Ok(right)) => Ok(right.clone()),
            (Err(err), _) | (Ok(_), Err(err)) => Err(err.clone()),
        };
    }

    /// `avg(vector)`: the element-wise mean, `None` when no row was added.
    pub fn avg(&self) -> Result<Option<Vector>, TypeError> {
        let state = self.avg.as_ref().map_err(Clone::clone)?;
        vector_avg(state)
    }

    /// `sum(vector)`: the element-wise sum, `None` when no row was added.
    pub fn sum(&self) -> Result<Option<Vector>, TypeError> {
        self.sum.clone()
    }

    /// The `avg` state as pgvector's `double precision[]` (`{n, s1, s2, …}`), if no error
    /// occurred.
    pub fn avg_state(&self) -> Result<&AvgState, TypeError> {
        self.avg.as_ref().map_err(Clone::clone)
    }
}

impl Default for VectorAccumulator {
    fn default() -> Self {
        VectorAccumulator::new()
    }
}

/// The SQL function `vector_accum(state, vector)`: `state` with one more row.
pub fn vector_accum(state: &AvgState, value: &Vector) -> Result<AvgState, TypeError> {
    let mut next = state.clone();
    next.accumulate(value.as_slice().iter().map(|v| f64::from(*v)))?;
    Ok(next)
}

/// The SQL function `vector_avg(state)`: the mean as a `vector`, `None` for a state that
/// counted no rows.
pub fn vector_avg(state: &AvgState) -> Result<Option<Vector>, TypeError> {
    let Some(averages) = state.averages(check_dims)? else {
        return Ok(None);
    };
    for value in &averages {
        super::check_element(*value)?;
    }
    Ok(Some(Vector::from_checked(averages)))
}
