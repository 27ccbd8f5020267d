//! The running state of `sum(numeric)` and `avg(numeric)`: an exact sum kept in place
//! at the largest scale seen, a count, and the special values seen (as PostgreSQL's
//! `NumericAggState` counts NaNs and infinities apart from the finite sum).

use num_bigint::BigInt;

use super::{pow10, Numeric, Repr};
use crate::error::Result;

/// An exact running sum of `numeric` values.
#[derive(Clone, Debug, Default)]
pub struct NumericSum {
    sum: BigInt,
    scale: u32,
    count: i64,
    nan: bool,
    positive_infinities: bool,
    negative_infinities: bool,
}

impl NumericSum {
    /// An empty sum.
    pub fn new() -> NumericSum {
        NumericSum::default()
    }

    /// Adds one value.
    pub fn add(&mut self, value: &Numeric) {
        self.count += 1;
        match &value.0 {
            Repr::NaN => self.nan = true,
            Repr::Infinity => self.positive_infinities = true,
            Repr::NegInfinity => self.negative_infinities = true,
            Repr::Finite { mantissa, scale } => {
                if *scale > self.scale {
                    self.sum *= pow10(u64::from(*scale - self.scale));
                    self.scale = *scale;
                }
                if *scale == self.scale {
                    self.sum += mantissa;
                } else {
                    self.sum += mantissa * pow10(u64::from(self.scale - *scale));
                }
            }
        }
    }

    /// Adds an integer value.
    pub fn add_i64(&mut self, value: i64) {
        self.count += 1;
        if self.scale == 0 {
            self.sum += value;
        } else {
            self.sum += BigInt::from(value) * pow10(u64::from(self.scale));
        }
    }

    /// How many values were added.
    pub fn count(&self) -> i64 {
        self.count
    }

    /// The sum (`NULL` is the caller's business when nothing was added).
    pub fn sum(&self) -> Result<Numeric> {
        if self.nan || (self.positive_infinities && self.negative_infinities) {
            return Ok(Numeric::nan());
        }
        if self.positive_infinities || self.negative_infinities {
            return Ok(Numeric::infinity(self.negative_infinities));
        }
        Numeric::finite(self.sum.clone(), self.scale)
    }

    /// The average: the sum divided by the count, as `numeric_avg` does.
    pub fn avg(&self) -> Result<Numeric> {
        self.sum()?.div(&Numeric::from_i64(self.count))
    }
}
