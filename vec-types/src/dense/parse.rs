//! The text input loop of pgvector's `vector_in` and `halfvec_in`: `[`, elements read
//! with `strtof` and separated by commas, `]`, with C-locale whitespace allowed around
//! every token and nothing but whitespace after the closing bracket.
//!
//! The error checks run in the C code's order, so the first problem found is the one
//! reported: a missing `[`, an empty list, too many elements, a syntax error, an element
//! that is out of range or not finite, junk after `]`, and finally the dimension count.

use crate::float_text::{is_c_space, scan_element, ScannedFloat};
use crate::TypeError;

/// What distinguishes one dense type's parser from another's.
pub(crate) struct ParseRules<T> {
    /// The SQL type name used in messages (`vector`, `halfvec`).
    pub type_name: &'static str,
    /// The maximum dimension count.
    pub max_dims: usize,
    /// Converts and checks one scanned element; `token` is the number as written.
    pub element: fn(ScannedFloat, &str) -> Result<T, TypeError>,
}

/// Parses `text` into its elements. The dimension count is at least 1 and at most
/// `rules.max_dims` when this returns `Ok`.
#[inline(always)]
pub(crate) fn parse_dense<T>(text: &str, rules: &ParseRules<T>) -> Result<Vec<T>, TypeError> {
    let type_name = rules.type_name;
    let syntax_error = |detail: Option<&'static str>| TypeError::InvalidSyntax {
        type_name,
        input: text.to_string(),
        detail,
    };
    let bytes = text.as_bytes();
    let skip_spaces = |mut pos: usize| {
        while pos < bytes.len() && is_c_space(bytes[pos]) {
            pos += 1;
        }
        pos
    };

    let mut pos = skip_spaces(0);
    if bytes.get(pos) != Some(&b'[') {
        return Err(syntax_error(Some("Vector contents must start with \"[\".")));
    }
    pos = skip_spaces(pos + 1);
    if bytes.get(pos) == Some(&b']') {
        return Err(TypeError::TooFewDimensions { type_name });
    }

    // About one element per 8 bytes of text (most literals are longer per element);
    // trimmed at the end, so that the vector keeps no unused capacity.
    let mut elements = Vec::with_capacity((text.len() / 8).clamp(1, rules.max_dims));
    loop {
        if elements.len() == rules.max_dims {
            return Err(TypeError::TooManyDimensions {
                type_name,
                max: rules.max_dims,
            });
        }
        pos = skip_spaces(pos);
        // Every position reached so far follows an ASCII byte, so slicing is safe.
        let rest = &text[pos..];
        let scanned = scan_element(rest).ok_or_else(|| syntax_error(None))?;
        let token = &rest[..scanned.len];
        elements.push((rules.element)(scanned, token)?);
        pos = skip_spaces(pos + scanned.len);
        match bytes.get(pos) {
            Some(b',') => pos += 1,
            Some(b']') => {
                pos += 1;
                break;
            }
            _ => return Err(syntax_error(None)),
        }
    }

    if skip_spaces(pos) != bytes.len() {
        return Err(syntax_error(Some("Junk after closing right brace.")));
    }
    elements.shrink_to_fit();
    Ok(elements)
}
