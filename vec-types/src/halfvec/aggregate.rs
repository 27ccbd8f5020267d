//! `avg(halfvec)` and `sum(halfvec)`: `avg` keeps pgvector's `double precision[]` state
//! (`halfvec_accum`, `halfvec_combine`, `halfvec_avg`); `sum` folds `halfvec_add`.
//! [`HalfVectorAccumulator`] runs both folds and reports each aggregate's error.

use super::{check_dims, check_element, f32_to_half, HalfVector};
use crate::dense::avg::AvgState;
use crate::TypeError;

/// Accumulates non-NULL `halfvec` rows for `avg` and `sum`.
///
/// ```
/// use vec_types::{HalfVector, HalfVectorAccumulator};
/// let mut acc = HalfVectorAccumulator::new();
/// acc.add(&"[65504]".parse::<HalfVector>().unwrap());
/// acc.add(&"[65504]".parse::<HalfVector>().unwrap());
/// assert_eq!(acc.avg().unwrap().unwrap().to_string(), "[65504]");
/// assert_eq!(acc.sum().unwrap_err().to_string(), "value out of range: overflow");
/// ```
#[derive(Clone, Debug)]
pub struct HalfVectorAccumulator {
    avg: Result<AvgState, TypeError>,
    sum: Result<Option<HalfVector>, TypeError>,
}

impl HalfVectorAccumulator {
    /// An accumulator that has seen no rows.
    pub fn new() -> Self {
        HalfVectorAccumulator {
            avg: Ok(AvgState::new()),
            sum: Ok(None),
        }
    }

    /// Adds one row; errors are reported by [`HalfVectorAccumulator::avg`] or
    /// [`HalfVectorAccumulator::sum`].
    pub fn add(&mut self, value: &HalfVector) {
        if let Ok(state) = &mut self.avg {
            if let Err(err) = state.accumulate(widened(value)) {
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

    /// Merges a partial accumulator, as `halfvec_combine` and `halfvec_add` do.
    pub fn merge(&mut self, other: &HalfVectorAccumulator) {
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

    /// `avg(halfvec)`: the element-wise mean, `None` when no row was added.
    pub fn avg(&self) -> Result<Option<HalfVector>, TypeError> {
        let state = self.avg.as_ref().map_err(Clone::clone)?;
        halfvec_avg(state)
    }

    /// `sum(halfvec)`: the element-wise sum, `None` when no row was added.
    pub fn sum(&self) -> Result<Option<HalfVector>, TypeError> {
        self.sum.clone()
    }

    /// The `avg` state (pgvector's `double precision[]`), if no error occurred.
    pub fn avg_state(&self) -> Result<&AvgState, TypeError> {
        self.avg.as_ref().map_err(Clone::clone)
    }
}

impl Default for HalfVectorAccumulator {
    fn default() -> Self {
        HalfVectorAccumulator::new()
    }
}

fn widened(value: &HalfVector) -> impl ExactSizeIterator<Item = f64> + '_ {
    value.as_slice().iter().map(|v| f64::from(v.to_f32()))
}

/// The SQL function `halfvec_accum(state, halfvec)`: `state` with one more row.
pub fn halfvec_accum(state: &AvgState, value: &HalfVector) -> Result<AvgState, TypeError> {
    let mut next = state.clone();
    next.accumulate(widened(value))?;
    Ok(next)
}

/// The SQL function `halfvec_avg(state)`: the mean as a `halfvec` (each average rounded
/// to `f32`, then to `f16` with the half range check), `None` for a state that counted
/// no rows.
pub fn halfvec_avg(state: &AvgState) -> Result<Option<HalfVector>, TypeError> {
    let Some(averages) = state.averages(check_dims)? else {
        return Ok(None);
    };
    let mut elements = Vec::with_capacity(averages.len());
    for value in averages {
        let half = f32_to_half(value)?;
        check_element(half)?;
        elements.push(half);
    }
    Ok(Some(HalfVector::from_checked(elements)))
}
