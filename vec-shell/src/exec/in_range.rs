//! Whether a row's sort key lies within `RANGE … offset PRECEDING | FOLLOWING` of the
//! current row's, as PostgreSQL's `in_range` support functions decide: integers exactly
//! (no overflow), floating-point and `numeric` keys with NaN after every number and
//! infinite offsets from infinite keys taking in every row. A negative or NaN offset is
//! PostgreSQL's `invalid preceding or following size in window function`.

use crate::error::{EngineError, Result};
use crate::value::Datum;

/// One frame bound's test: `key <= base ± offset` or `key >= base ± offset`.
pub struct Check {
    offset: Offset,
    /// Subtract the offset (else add it).
    sub: bool,
    /// The key must be at most the bound (else at least).
    less: bool,
}

enum Offset {
    Integer(i128),
    Float(f64),
}

impl Check {
    /// The test for a frame start (`start`) or end, `preceding` or following the
    /// current row, in an ascending or descending window, as PostgreSQL sets it up.
    pub fn new(offset: &Datum, preceding: bool, start: bool, ascending: bool) -> Result<Check> {
        let offset = match offset {
            Datum::Int4(v) => Offset::Integer(i128::from(*v)),
            Datum::Int8(v) => Offset::Integer(i128::from(*v)),
            other => Offset::Float(other.as_f64().unwrap_or(f64::NAN)),
        };
        let invalid = match offset {
            Offset::Integer(v) => v < 0,
            Offset::Float(v) => v.is_nan() || v < 0.0,
        };
        if invalid {
            return Err(EngineError::new(
                "22013",
                "invalid preceding or following size in window function",
            ));
        }
        let (mut sub, mut less) = (preceding, !start);
        if !ascending {
            sub = !sub;
            less = !less;
        }
        Ok(Check { offset, sub, less })
    }

    /// Whether `key` is within the bound around `base` (neither NULL).
    pub fn holds(&self, key: &Datum, base: &Datum) -> bool {
        if let (Offset::Integer(offset), Some(key), Some(base)) =
            (&self.offset, integer(key), integer(base))
        {
            let bound = if self.sub {
                base - offset
            } else {
                base + offset
            };
            return if self.less {
                key <= bound
            } else {
                key >= bound
            };
        }
        let offset = match self.offset {
            Offset::Integer(v) => v as f64,
            Offset::Float(v) => v,
        };
        let (key, base) = (
            key.as_f64().unwrap_or(f64::NAN),
            base.as_f64().unwrap_or(f64::NAN),
        );
        if key.is_nan() {
            // NaN equals NaN and sorts after every number.
            return base.is_nan() || !self.less;
        }
        if base.is_nan() {
            return self.less;
        }
        // Every value infinitely precedes +Infinity and infinitely follows -Infinity.
        if offset.is_infinite()
            && base.is_infinite()
            && (if self.sub { base > 0.0 } else { base < 0.0 })
        {
            return true;
        }
        let bound = if self.sub {
            base - offset
        } else {
            base + offset
        };
        if self.less {
            key <= bound
        } else {
            key >= bound
        }
    }
}

fn integer(value: &Datum) -> Option<i128> {
    match value {
        Datum::Int4(v) => Some(i128::from(*v)),
        Datum::Int8(v) => Some(i128::from(*v)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_follow_postgres_in_range() {
        let start = Check::new(&Datum::Int8(2), true, true, true).unwrap();
        assert!(start.holds(&Datum::Int4(3), &Datum::Int4(5)));
        assert!(!start.holds(&Datum::Int4(2), &Datum::Int4(5)));
        let huge = Check::new(&Datum::Int8(i64::MAX), true, true, true).unwrap();
        assert!(huge.holds(&Datum::Int8(i64::MIN + 1), &Datum::Int8(0)));
        assert!(!huge.holds(&Datum::Int8(i64::MIN), &Datum::Int8(0)));
        let end = Check::new(&Datum::Float8(f64::INFINITY), false, false, true).unwrap();
        assert!(end.holds(
            &Datum::Float8(f64::INFINITY),
            &Datum::Float8(f64::NEG_INFINITY)
        ));
        assert!(!end.holds(&Datum::Float8(f64::NAN), &Datum::Float8(1.0)));
        assert!(end.holds(&Datum::Float8(f64::NAN), &Datum::Float8(f64::NAN)));
        for bad in [
            Datum::Int8(-1),
            Datum::Float8(f64::NAN),
            Datum::Float8(-0.5),
        ] {
            let error = Check::new(&bad, true, true, true).err().unwrap();
            assert_eq!(error.sqlstate, "22013");
        }
    }
}
