//! Input of the array casts (`integer[]`, `real[]`, `double precision[]` and `numeric[]` to
//! `vector`, `halfvec` or `sparsevec`), as pgvector's `array_to_*` functions receive it.
//!
//! The SQL engine describes its array value with [`ArrayInput`]: the number of array
//! dimensions (so `'{{1}}'` can be refused with `array must be 1-D`) and the elements,
//! `None` for SQL NULL. [`ArrayInput::to_f32s`] applies the checks every type shares —
//! shape, nulls, and each element type's conversion to `real` — leaving the dimension,
//! type modifier and element checks to the target type.

use crate::float_text::format_float8;
use crate::TypeError;

/// The elements of an array being cast, by SQL element type. `None` is SQL NULL.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ArrayElements<'a> {
    /// `integer[]`: each element is converted with C's `(float)` cast.
    Int4(&'a [Option<i32>]),
    /// `real[]`: taken as is.
    Float4(&'a [Option<f32>]),
    /// `double precision[]`: each element is converted with C's `(float)` cast, so values
    /// beyond `real`'s range become infinite (and are then refused by the target type).
    Float8(&'a [Option<f64>]),
    /// `numeric[]`, passed as `f64`: each element is converted as PostgreSQL's
    /// `numeric_float4` does, which refuses values beyond `real`'s range with
    /// `"…" is out of range for type real`.
    Numeric(&'a [Option<f64>]),
}

impl ArrayElements<'_> {
    /// The number of elements.
    pub fn len(&self) -> usize {
        match self {
            ArrayElements::Int4(values) => values.len(),
            ArrayElements::Float4(values) => values.len(),
            ArrayElements::Float8(values) => values.len(),
            ArrayElements::Numeric(values) => values.len(),
        }
    }

    /// Whether the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn has_nulls(&self) -> bool {
        match self {
            ArrayElements::Int4(values) => values.iter().any(Option::is_none),
            ArrayElements::Float4(values) => values.iter().any(Option::is_none),
            ArrayElements::Float8(values) => values.iter().any(Option::is_none),
            ArrayElements::Numeric(values) => values.iter().any(Option::is_none),
        }
    }
}

/// An array value handed to a cast: its number of dimensions (`0` for the empty array
/// `'{}'`, `1` for `'{1,2}'`, `2` for `'{{1}}'`) and its elements in storage order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArrayInput<'a> {
    /// Number of array dimensions (PostgreSQL's `ARR_NDIM`).
    pub n_dims: usize,
    /// The elements, flattened.
    pub elements: ArrayElements<'a>,
}

impl<'a> ArrayInput<'a> {
    /// A one-dimensional array (zero-dimensional when `elements` is empty, as PostgreSQL
    /// stores `'{}'`).
    pub fn one_dimensional(elements: ArrayElements<'a>) -> Self {
        let n_dims = usize::from(!elements.is_empty());
        ArrayInput { n_dims, elements }
    }

    /// Checks the array's shape (`array must be 1-D`) and nulls
    /// (`array must not contain nulls`) in pgvector's order.
    pub fn check_shape(&self) -> Result<(), TypeError> {
        if self.n_dims > 1 {
            return Err(TypeError::ArrayNotOneDimensional);
        }
        if self.elements.has_nulls() {
            return Err(TypeError::ArrayContainsNulls);
        }
        Ok(())
    }

    /// The elements as `real` values, after [`ArrayInput::check_shape`]. Element checks
    /// (NaN, infinity, dimension limits) are the target type's.
    pub fn to_f32s(&self) -> Result<Vec<f32>, TypeError> {
        self.check_shape()?;
        // Nulls were refused above, so `flatten` drops nothing.
        match self.elements {
            ArrayElements::Int4(values) => Ok(values.iter().flatten().map(|v| *v as f32).collect()),
            ArrayElements::Float4(values) => Ok(values.iter().flatten().copied().collect()),
            ArrayElements::Float8(values) => {
                Ok(values.iter().flatten().map(|v| *v as f32).collect())
            }
            ArrayElements::Numeric(values) => values
                .iter()
                .flatten()
                .map(|v| numeric_to_real(*v))
                .collect(),
        }
    }
}

/// PostgreSQL's `numeric_float4`: NaN and infinities pass through; a finite value that
/// overflows `real` or underflows it to zero is refused, as `float4in` refuses the
/// numeric's text.
pub fn numeric_to_real(value: f64) -> Result<f32, TypeError> {
    let rounded = value as f32;
    let overflow = rounded.is_infinite() && value.is_finite();
    let underflow = rounded == 0.0 && value != 0.0;
    if overflow || underflow {
        return Err(TypeError::OutOfRange {
            type_name: "real",
            token: numeric_text(value),
        });
    }
    Ok(rounded)
}

/// Prints a finite `f64` in plain positional notation, as `numeric_out` prints a numeric
/// (`4e38` becomes `400000000000000000000000000000000000000`).
fn numeric_text(value: f64) -> String {
    let scientific = format!("{value:e}");
    let Some((mantissa, exponent)) = scientific.split_once('e') else {
        return format_float8(value);
    };
    let Ok(exponent) = exponent.parse::<i64>() else {
        return format_float8(value);
    };
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let mut out = String::from(sign);
    if exponent < 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat((-exponent - 1) as usize));
        out.push_str(&digits);
    } else {
        let integer_len = exponent as usize + 1;
        if digits.len() <= integer_len {
            out.push_str(&digits);
            out.push_str(&"0".repeat(integer_len - digits.len()));
        } else {
            out.push_str(&digits[..integer_len]);
            out.push('.');
            out.push_str(&digits[integer_len..]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_errors_come_first() {
        let values = [Some(1.0f32)];
        let nested = ArrayInput {
            n_dims: 2,
            elements: ArrayElements::Float4(&values),
        };
        assert_eq!(nested.to_f32s(), Err(TypeError::ArrayNotOneDimensional));
        let with_null = [Some(1.0f32), None];
        let input = ArrayInput::one_dimensional(ArrayElements::Float4(&with_null));
        assert_eq!(input.to_f32s(), Err(TypeError::ArrayContainsNulls));
    }

    #[test]
    fn element_types_convert_like_c_casts() {
        let ints = [Some(1), Some(-2), Some(16_777_217)];
        let input = ArrayInput::one_dimensional(ArrayElements::Int4(&ints));
        assert_eq!(input.to_f32s(), Ok(vec![1.0, -2.0, 16_777_216.0]));
        let doubles = [Some(4e38), Some(1e-46)];
        let input = ArrayInput::one_dimensional(ArrayElements::Float8(&doubles));
        assert_eq!(input.to_f32s(), Ok(vec![f32::INFINITY, 0.0]));
    }

    #[test]
    fn numeric_range_is_checked_like_float4in() {
        assert_eq!(
            numeric_to_real(4e38).unwrap_err().to_string(),
            "\"400000000000000000000000000000000000000\" is out of range for type real"
        );
        assert_eq!(
            numeric_to_real(-1e-46).unwrap_err().to_string(),
            format!("\"-0.{}1\" is out of range for type real", "0".repeat(45))
        );
        assert_eq!(numeric_to_real(1.5), Ok(1.5));
        assert!(numeric_to_real(f64::NAN).unwrap().is_nan());
        assert_eq!(numeric_to_real(f64::INFINITY), Ok(f32::INFINITY));
    }
}
