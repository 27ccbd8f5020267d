//! The state of pgvector's `avg(vector)` and `avg(halfvec)` aggregates: a
//! `double precision[]` holding the row count followed by one running sum per dimension
//! (`{n, s1, s2, …}`, initially `{0}`), as `vector_accum`, `vector_combine` and
//! `vector_avg` keep it. Sums are kept in `f64`, so averaging values near `real`'s limit
//! does not overflow.

use crate::TypeError;

/// The `avg` aggregate state: row count and per-dimension sums (no sums before the
/// first row).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AvgState {
    count: f64,
    sums: Vec<f64>,
}

impl AvgState {
    /// The initial state, `{0}`.
    pub fn new() -> Self {
        AvgState::default()
    }

    /// Reads a state array as pgvector's `CheckStateArray` accepts it: one-dimensional,
    /// non-empty, without nulls. `caller` names the SQL function in the error
    /// (`vector_avg: expected state array`).
    pub fn from_array(
        caller: &'static str,
        n_dims: usize,
        elements: &[Option<f64>],
    ) -> Result<Self, TypeError> {
        let invalid = TypeError::ExpectedStateArray { caller };
        if n_dims != 1 || elements.is_empty() || elements.iter().any(Option::is_none) {
            return Err(invalid);
        }
        let mut values = elements.iter().flatten().copied();
        let count = values.next().unwrap_or(0.0);
        Ok(AvgState {
            count,
            sums: values.collect(),
        })
    }

    /// The state as its `double precision[]`: `{n, s1, s2, …}`.
    pub fn to_array(&self) -> Vec<f64> {
        let mut array = Vec::with_capacity(self.sums.len() + 1);
        array.push(self.count);
        array.extend_from_slice(&self.sums);
        array
    }

    /// The number of rows accumulated.
    pub fn count(&self) -> f64 {
        self.count
    }

    /// The per-dimension sums (empty before the first row).
    pub fn sums(&self) -> &[f64] {
        &self.sums
    }

    /// `vector_accum`: adds one row. A state with sums demands the same dimension count
    /// (`expected 3 dimensions, not 2`); a sum that overflows `f64` is an error.
    pub fn accumulate(
        &mut self,
        values: impl ExactSizeIterator<Item = f64>,
    ) -> Result<(), TypeError> {
        if self.sums.is_empty() {
            self.sums = values.collect();
        } else {
            expect_dims(self.sums.len(), values.len())?;
            let mut new_sums = Vec::with_capacity(self.sums.len());
            for (sum, value) in self.sums.iter().zip(values) {
                let total = sum + value;
                if total.is_infinite() {
                    return Err(TypeError::Overflow);
                }
                new_sums.push(total);
            }
            self.sums = new_sums;
        }
        self.count += 1.0;
        Ok(())
    }

    /// `vector_combine`: merges two partial states. As in pgvector (whose `halfvec_combine`
    /// is the same C function), dimension limits are checked against `vector`'s.
    pub fn combine(&self, other: &AvgState) -> Result<AvgState, TypeError> {
        let check_dims = |dims: usize| crate::vector::check_dims(dims);
        let sums = match (self.sums.is_empty(), other.sums.is_empty()) {
            (true, true) => Vec::new(),
            (true, false) => {
                check_dims(other.sums.len())?;
                other.sums.clone()
            }
            (false, true) => {
                check_dims(self.sums.len())?;
                self.sums.clone()
            }
            (false, false) => {
                check_dims(self.sums.len())?;
                expect_dims(self.sums.len(), other.sums.len())?;
                let mut sums = Vec::with_capacity(self.sums.len());
                for (left, right) in self.sums.iter().zip(&other.sums) {
                    let total = left + right;
                    if total.is_infinite() {
                        return Err(TypeError::Overflow);
                    }
                    sums.push(total);
                }
                sums
            }
        };
        Ok(AvgState {
            count: self.count + other.count,
            sums,
        })
    }

    /// The averages as `f32` (`(float) (sum / n)`), or `None` when no row was added (SQL's
    /// `avg` of nothing is NULL). `check_dims` is the result type's dimension check.
    pub(crate) fn averages(
        &self,
        check_dims: impl Fn(usize) -> Result<(), TypeError>,
    ) -> Result<Option<Vec<f32>>, TypeError> {
        if self.count == 0.0 {
            return Ok(None);
        }
        check_dims(self.sums.len())?;
        Ok(Some(
            self.sums
                .iter()
                .map(|sum| (sum / self.count) as f32)
                .collect(),
        ))
    }
}

/// pgvector's `CheckExpectedDim` with the state's dimension count as the expectation.
fn expect_dims(expected: usize, actual: usize) -> Result<(), TypeError> {
    if expected == actual {
        Ok(())
    } else {
        Err(TypeError::DimensionMismatch { expected, actual })
    }
}
