//! Type modifiers: the dimension count in `vector(3)`, `halfvec(3)` or `sparsevec(3)`.
//!
//! pgvector stores a type modifier as an `int32` where `-1` means "any dimensions". Two
//! checks use it: `*_typmod_in` validates the modifier list when a type is named in SQL
//! (`vector(3, 2)`, `vector(0)`, `vector(16001)` are errors), and `CheckExpectedDim`
//! rejects values whose dimension count differs (`expected 3 dimensions, not 2`). Both are
//! shared by every pgvector type that takes a dimension modifier.

use crate::TypeError;

/// A dimension type modifier: `Typmod::NONE` accepts any dimension count, `Typmod::new(3)`
/// accepts exactly three.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Typmod(Option<u32>);

impl Typmod {
    /// No modifier (pgvector's `-1`): every dimension count is accepted.
    pub const NONE: Typmod = Typmod(None);

    /// A modifier that demands exactly `dims` dimensions. It is not range-checked; use
    /// [`Typmod::from_modifiers`] for modifiers written in SQL.
    pub const fn new(dims: u32) -> Self {
        Typmod(Some(dims))
    }

    /// The demanded dimension count, or `None` for [`Typmod::NONE`].
    pub const fn dims(self) -> Option<u32> {
        self.0
    }

    /// Reads PostgreSQL's `int32` form: negative values mean "none".
    pub fn from_raw(raw: i32) -> Self {
        u32::try_from(raw).map_or(Typmod::NONE, Typmod::new)
    }

    /// PostgreSQL's `int32` form: `-1` for none (a modifier above `i32::MAX` saturates).
    pub fn to_raw(self) -> i32 {
        self.0
            .map_or(-1, |dims| i32::try_from(dims).unwrap_or(i32::MAX))
    }

    /// Validates a modifier list as `vector_typmod_in` does: exactly one integer, at least
    /// 1 and at most `max_dims`.
    ///
    /// ```
    /// use vec_types::Typmod;
    /// assert_eq!(Typmod::from_modifiers("vector", 16_000, &[3]), Ok(Typmod::new(3)));
    /// let err = Typmod::from_modifiers("vector", 16_000, &[16_001]).unwrap_err();
    /// assert_eq!(err.to_string(), "dimensions for type vector cannot exceed 16000");
    /// ```
    pub fn from_modifiers(
        type_name: &'static str,
        max_dims: usize,
        modifiers: &[i32],
    ) -> Result<Self, TypeError> {
        let [dims] = modifiers else {
            return Err(TypeError::InvalidTypeModifier);
        };
        if *dims < 1 {
            return Err(TypeError::TypmodTooSmall { type_name });
        }
        let dims = *dims as u32;
        if dims as usize > max_dims {
            return Err(TypeError::TypmodTooLarge {
                type_name,
                max: max_dims,
            });
        }
        Ok(Typmod::new(dims))
    }

    /// Like [`Typmod::from_modifiers`], but takes the modifiers as the text PostgreSQL
    /// hands to `typmod_in` (`vector('a')` fails with
    /// `invalid input syntax for type integer: "a"`).
    pub fn from_text_modifiers(
        type_name: &'static str,
        max_dims: usize,
        modifiers: &[&str],
    ) -> Result<Self, TypeError> {
        let mut values = Vec::with_capacity(modifiers.len());
        for text in modifiers {
            values.push(parse_int4(text)?);
        }
        Typmod::from_modifiers(type_name, max_dims, &values)
    }

    /// pgvector's `CheckExpectedDim`: with a modifier, `actual` must equal it.
    pub fn check(self, actual: usize) -> Result<(), TypeError> {
        match self.0 {
            Some(expected) if expected as usize != actual => Err(TypeError::DimensionMismatch {
                expected: expected as usize,
                actual,
            }),
            _ => Ok(()),
        }
    }
}

/// Reads an `integer` as PostgreSQL's `int4in` does for the decimal forms: optional
/// surrounding whitespace and a sign around decimal digits.
fn parse_int4(text: &str) -> Result<i32, TypeError> {
    let syntax_error = || TypeError::InvalidSyntax {
        type_name: "integer",
        input: text.to_string(),
        detail: None,
    };
    let trimmed =
        text.trim_matches(|c: char| c.is_ascii() && crate::float_text::is_c_space(c as u8));
    let digits = trimmed.strip_prefix(['+', '-']).unwrap_or(trimmed);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(syntax_error());
    }
    trimmed
        .parse::<i32>()
        .map_err(|_| TypeError::IntegerOutOfRange {
            input: text.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_form_round_trips() {
        assert_eq!(Typmod::from_raw(-1), Typmod::NONE);
        assert_eq!(Typmod::from_raw(3), Typmod::new(3));
        assert_eq!(Typmod::NONE.to_raw(), -1);
        assert_eq!(Typmod::new(3).to_raw(), 3);
    }

    #[test]
    fn modifier_list_is_validated() {
        let check = |mods: &[i32]| {
            Typmod::from_modifiers("vector", 16_000, mods).map_err(|e| e.to_string())
        };
        assert_eq!(check(&[3]), Ok(Typmod::new(3)));
        assert_eq!(check(&[16_000]), Ok(Typmod::new(16_000)));
        assert_eq!(check(&[3, 2]).unwrap_err(), "invalid type modifier");
        assert_eq!(check(&[]).unwrap_err(), "invalid type modifier");
        assert_eq!(
            check(&[0]).unwrap_err(),
            "dimensions for type vector must be at least 1"
        );
        assert_eq!(
            check(&[-5]).unwrap_err(),
            "dimensions for type vector must be at least 1"
        );
        assert_eq!(
            check(&[16_001]).unwrap_err(),
            "dimensions for type vector cannot exceed 16000"
        );
    }

    #[test]
    fn text_modifiers_parse_as_integers() {
        let err = Typmod::from_text_modifiers("vector", 16_000, &["a"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid input syntax for type integer: \"a\""
        );
        assert_eq!(
            Typmod::from_text_modifiers("vector", 16_000, &[" 3 "]),
            Ok(Typmod::new(3))
        );
        let err = Typmod::from_text_modifiers("vector", 16_000, &["99999999999"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "value \"99999999999\" is out of range for type integer"
        );
    }

    #[test]
    fn check_compares_dimensions() {
        assert_eq!(Typmod::NONE.check(7), Ok(()));
        assert_eq!(Typmod::new(3).check(3), Ok(()));
        assert_eq!(
            Typmod::new(2).check(3).unwrap_err().to_string(),
            "expected 2 dimensions, not 3"
        );
    }
}
