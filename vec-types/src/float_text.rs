//! PostgreSQL's text rules for floating-point numbers: shortest round-trip output as
//! `float4out`/`float8out` print it (with `extra_float_digits` at its default of 1), and a
//! `strtof`-style prefix scanner for input, as pgvector's `vector_in` uses.

use std::fmt::Write;

/// Appends `value` as PostgreSQL prints a `real`: `1.5`, `-0`, `1e-05`, `1.5e+38`, `NaN`,
/// `Infinity`. Fixed notation is used for decimal exponents in `-4..6`, as `float4out` does.
pub fn write_float4(out: &mut String, value: f32) {
    if !write_special(
        out,
        value.is_nan(),
        value.is_infinite(),
        value.is_sign_negative(),
    ) {
        // Rust's `{:e}` gives the shortest digits that round-trip, as Ryū does.
        write_shortest(out, &format!("{value:e}"), 6);
    }
}

/// Appends `value` as PostgreSQL prints a `double precision` (fixed notation for decimal
/// exponents in `-4..15`, as `float8out` does).
pub fn write_float8(out: &mut String, value: f64) {
    if !write_special(
        out,
        value.is_nan(),
        value.is_infinite(),
        value.is_sign_negative(),
    ) {
        write_shortest(out, &format!("{value:e}"), 15);
    }
}

/// Formats a `real` as a new string (see [`write_float4`]).
pub fn format_float4(value: f32) -> String {
    let mut out = String::new();
    write_float4(&mut out, value);
    out
}

/// Formats a `double precision` as a new string (see [`write_float8`]).
pub fn format_float8(value: f64) -> String {
    let mut out = String::new();
    write_float8(&mut out, value);
    out
}

fn write_special(out: &mut String, is_nan: bool, is_infinite: bool, negative: bool) -> bool {
    if is_nan {
        out.push_str("NaN");
    } else if is_infinite {
        out.push_str(if negative { "-Infinity" } else { "Infinity" });
    } else {
        return false;
    }
    true
}

/// Rewrites Rust's scientific form (`-1.25e-7`) into PostgreSQL's layout.
fn write_shortest(out: &mut String, scientific: &str, fixed_below: i32) {
    let (mantissa, exponent) = scientific
        .split_once('e')
        .expect("`{:e}` always has an exponent");
    let exponent: i32 = exponent.parse().expect("`{:e}` exponent is an integer");
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if negative {
        out.push('-');
    }
    if digits == "0" {
        out.push('0');
        return;
    }
    if (-4..fixed_below).contains(&exponent) {
        write_fixed(out, &digits, exponent);
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let sign = if exponent < 0 { '-' } else { '+' };
        let _ = write!(out, "e{sign}{:02}", exponent.abs());
    }
}

fn write_fixed(out: &mut String, digits: &str, exponent: i32) {
    if exponent < 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-exponent - 1) as usize));
        out.push_str(digits);
        return;
    }
    let integer_len = exponent as usize + 1;
    if digits.len() <= integer_len {
        out.push_str(digits);
        out.extend(std::iter::repeat_n('0', integer_len - digits.len()));
    } else {
        out.push_str(&digits[..integer_len]);
        out.push('.');
        out.push_str(&digits[integer_len..]);
    }
}

/// What [`scan_float`] read from the front of a string.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScannedFloat {
    /// The value, rounded to `f32` (0 or ±inf when out of range, as `strtof`).
    pub value: f32,
    /// Bytes consumed, including leading whitespace.
    pub len: usize,
    /// `strtof` would set `ERANGE`: the number was finite as written but overflowed to
    /// infinity. (Underflow to zero is not flagged: pgvector accepts it.)
    pub overflow: bool,
}

/// Reads the longest prefix of `text` that C's `strtof` accepts: leading whitespace, a sign,
/// then a decimal number with optional exponent, a hexadecimal number (`0x1.8p3`),
/// `inf`/`infinity` or `nan`/`nan(...)`, case-insensitively. Returns `None` when no number
/// starts here.
pub fn scan_float(text: &str) -> Option<ScannedFloat> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() && is_c_space(bytes[pos]) {
        pos += 1;
    }

    let negative = matches!(bytes.get(pos), Some(b'-'));
    if matches!(bytes.get(pos), Some(b'+' | b'-')) {
        pos += 1;
    }
    let body = &text[pos..];
    let (magnitude, body_len, overflow) =
        if let Some(len) = scan_word(body, "infinity").or_else(|| scan_word(body, "inf")) {
            (f32::INFINITY, len, false)
        } else if let Some(len) = scan_nan(body) {
            (f32::NAN, len, false)
        } else if let Some((value, len)) = scan_hex(body) {
            let rounded = value as f32;
            (rounded, len, rounded.is_infinite())
        } else {
            let len = scan_decimal(body)?;
            let token = &body[..len];
            let rounded: f32 = token.parse().ok()?;
            (rounded, len, rounded.is_infinite())
        };

    let value = if negative { -magnitude } else { magnitude };
    Some(ScannedFloat {
        value,
        len: pos + body_len,
        overflow,
    })
}

/// `isspace` in the C locale.
pub fn is_c_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn scan_word(body: &str, word: &str) -> Option<usize> {
    let candidate = body.get(..word.len())?;
    candidate.eq_ignore_ascii_case(word).then_some(word.len())
}

fn scan_nan(body: &str) -> Option<usize> {
    let len = scan_word(body, "nan")?;
    let rest = &body.as_bytes()[len..];
    if rest.first() == Some(&b'(') {
        let inner = rest[1..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        if rest.get(1 + inner) == Some(&b')') {
            return Some(len + inner + 2);
        }
    }
    Some(len)
}

/// Length of `digits [. digits] [e [sign] digits]`, requiring at least one digit in the
/// mantissa; an exponent marker without digits is not consumed.
fn scan_decimal(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    let count_digits = |from: usize| {
        bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let integer_digits = count_digits(0);
    let mut pos = integer_digits;
    let mut fraction_digits = 0;
    if bytes.get(pos) == Some(&b'.') {
        fraction_digits = count_digits(pos + 1);
        if integer_digits + fraction_digits > 0 {
            pos += 1 + fraction_digits;
        }
    }
    if integer_digits + fraction_digits == 0 {
        return None;
    }
    if matches!(bytes.get(pos), Some(b'e' | b'E')) {
        let mut exp_pos = pos + 1;
        if matches!(bytes.get(exp_pos), Some(b'+' | b'-')) {
            exp_pos += 1;
        }
        let exp_digits = count_digits(exp_pos);
        if exp_digits > 0 {
            pos = exp_pos + exp_digits;
        }
    }
    Some(pos)
}

/// A C99 hexadecimal float: `0x` hex digits `[.` hex digits`]` `[p [sign] digits]`.
fn scan_hex(body: &str) -> Option<(f64, usize)> {
    let bytes = body.as_bytes();
    if bytes.len() < 3 || bytes[0] != b'0' || !matches!(bytes[1], b'x' | b'X') {
        return None;
    }
    let mut pos = 2;
    let mut mantissa: u64 = 0;
    let mut scale: i64 = 0;
    let mut any_digit = false;
    let mut push_digit = |digit: u32, after_point: bool, scale: &mut i64| {
        if mantissa >> 56 == 0 {
            mantissa = mantissa * 16 + digit as u64;
            if after_point {
                *scale -= 4;
            }
        } else if !after_point {
            *scale += 4;
        }
    };
    while let Some(digit) = bytes.get(pos).and_then(|b| (*b as char).to_digit(16)) {
        push_digit(digit, false, &mut scale);
        any_digit = true;
        pos += 1;
    }
    if bytes.get(pos) == Some(&b'.') {
        let mut frac_pos = pos + 1;
        let mut frac_any = false;
        while let Some(digit) = bytes.get(frac_pos).and_then(|b| (*b as char).to_digit(16)) {
            push_digit(digit, true, &mut scale);
            frac_any = true;
            frac_pos += 1;
        }
        if any_digit || frac_any {
            pos = frac_pos;
            any_digit = true;
        }
    }
    if !any_digit {
        return None;
    }
    if matches!(bytes.get(pos), Some(b'p' | b'P')) {
        let mut exp_pos = pos + 1;
        let exp_negative = bytes.get(exp_pos) == Some(&b'-');
        if matches!(bytes.get(exp_pos), Some(b'+' | b'-')) {
            exp_pos += 1;
        }
        let exp_digits = bytes[exp_pos..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if exp_digits > 0 {
            let exponent: i64 = body[exp_pos..exp_pos + exp_digits]
                .parse()
                .unwrap_or(i64::MAX / 2)
                .min(100_000);
            scale += if exp_negative { -exponent } else { exponent };
            pos = exp_pos + exp_digits;
        }
    }
    let value = mantissa as f64 * 2f64.powi(scale.clamp(-2000, 2000) as i32);
    Some((value, pos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float4_output_matches_postgres() {
        let cases: &[(f32, &str)] = &[
            (1.0, "1"),
            (-0.0, "-0"),
            (0.0, "0"),
            (1.23456, "1.23456"),
            (1.5e38, "1.5e+38"),
            (-1.5e-38, "-1.5e-38"),
            (1e-5, "1e-05"),
            (1e-4, "0.0001"),
            (123456.0, "123456"),
            (1234567.0, "1.234567e+06"),
            (1000000.0, "1e+06"),
            (0.1, "0.1"),
            (f32::NAN, "NaN"),
            (f32::NEG_INFINITY, "-Infinity"),
        ];
        for (value, expected) in cases {
            assert_eq!(format_float4(*value), *expected, "formatting {value:?}");
        }
    }

    #[test]
    fn float8_output_matches_postgres() {
        assert_eq!(format_float8(0.1), "0.1");
        assert_eq!(format_float8(1e15), "1e+15");
        assert_eq!(format_float8(123456789012345.0), "123456789012345");
        assert_eq!(format_float8(2.0f64.sqrt()), "1.4142135623730951");
    }

    #[test]
    fn scanner_reads_like_strtof() {
        let scan = |s: &str| scan_float(s).map(|r| (r.value, r.len, r.overflow));
        assert_eq!(scan("1,2"), Some((1.0, 1, false)));
        assert_eq!(scan("  -2.5e3]"), Some((-2500.0, 8, false)));
        assert_eq!(scan("1."), Some((1.0, 2, false)));
        assert_eq!(scan(".5"), Some((0.5, 2, false)));
        assert_eq!(scan("1e"), Some((1.0, 1, false)));
        assert_eq!(scan("1e+"), Some((1.0, 1, false)));
        assert_eq!(scan("4e38"), Some((f32::INFINITY, 4, true)));
        assert_eq!(scan("1e-46"), Some((0.0, 5, false)));
        assert_eq!(scan("Infinity"), Some((f32::INFINITY, 8, false)));
        assert_eq!(scan("-inf]"), Some((f32::NEG_INFINITY, 4, false)));
        assert_eq!(scan("0x1p3"), Some((8.0, 5, false)));
        assert_eq!(scan("0x"), Some((0.0, 1, false)));
        assert!(scan("NaN").unwrap().0.is_nan());
        assert_eq!(scan("hello"), None);
        assert_eq!(scan("."), None);
        assert_eq!(scan(""), None);
        assert_eq!(scan("-"), None);
    }
}
