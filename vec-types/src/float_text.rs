//! PostgreSQL's text rules for floating-point numbers: shortest round-trip output as
//! `float4out`/`float8out` print it (with `extra_float_digits` at its default of 1), and a
//! `strtof`-style prefix scanner for input, as pgvector's `vector_in` uses.

use std::fmt::Write;

mod point_decimal;

/// Appends `value` as PostgreSQL prints a `real`: `1.5`, `-0`, `1e-05`, `1.5e+38`, `NaN`,
/// `Infinity`. Fixed notation is used for decimal exponents in `-4..6`, as `float4out` does.
pub fn write_float4(out: &mut String, value: f32) {
    if !write_special(
        out,
        value.is_nan(),
        value.is_infinite(),
        value.is_sign_negative(),
    ) {
        let (digits, exponent) = float4_digits(value.abs());
        write_shortest(out, value.is_sign_negative(), &digits, exponent, 6);
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
        // Doubles take Ryū's digits as the `ryu` crate gives them; where its output lies
        // exactly on a rounding boundary (which PostgreSQL's build of Ryū never takes)
        // they can differ from PostgreSQL's, which is rare for doubles.
        let (digits, exponent) = ryu_digits(ryu::Buffer::new().format_finite(value));
        write_shortest(out, value.is_sign_negative(), &digits, exponent, 15);
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

/// The digits PostgreSQL prints for a positive finite `real`: Ryū's, except that
/// PostgreSQL builds Ryū without `STRICTLY_SHORTEST`, so a decimal lying exactly on the
/// boundary between two floats is never taken even where it would read back to this
/// one (`3e10` as a `real` is `30000001024`, whose lower boundary is `3e10`: it prints
/// `3.0000001e+10`). The `ryu` crate takes such a boundary when the float's mantissa is
/// even; then the shortest decimal strictly inside the interval is found here instead.
fn float4_digits(value: f32) -> (String, i32) {
    let (digits, exponent) = ryu_digits(ryu::Buffer::new().format_finite(value));
    if value == 0.0 {
        return (digits, exponent);
    }
    let bits = value.to_bits();
    let below = if bits & 0x7fff_ffff == 0 {
        0.0
    } else {
        f32::from_bits(bits - 1) as f64
    };
    let exact = value as f64;
    let step_above = if value == f32::MAX {
        exact - below
    } else {
        f32::from_bits(bits + 1) as f64 - exact
    };
    // Both boundaries are exact in an `f64` (a float's 24 bits and one more), and a
    // decimal of at most 9 digits reads back onto one only when it equals it.
    let (low, high) = ((below + exact) / 2.0, exact + step_above / 2.0);
    let inside = |digits: &str, exponent: i32| {
        let read = decimal_to_f64(digits, exponent - digits.len() as i32 + 1);
        low < read && read < high
    };
    if inside(&digits, exponent) {
        return (digits, exponent);
    }
    // Every digit of the exact value (a float has at most 112 significant ones).
    let (all, exact_exponent) = ryu_digits(&format!("{exact:.120e}"));
    for n_digits in 1..=9.min(all.len()) {
        let truncated = &all[..n_digits];
        let rest = &all[n_digits..];
        let (up, up_exponent) = increment(truncated, exact_exponent);
        let down = (truncated.trim_end_matches('0').to_string(), exact_exponent);
        let up = (up.trim_end_matches('0').to_string(), up_exponent);
        // The nearer first; an exact tie goes to the even digit, as Ryū rounds.
        let tie = rest.starts_with('5') && rest[1..].bytes().all(|b| b == b'0');
        let prefer_up =
            rest > "5" && !tie || tie && (truncated.as_bytes()[n_digits - 1] - b'0') % 2 == 1;
        let (first, second) = if prefer_up { (up, down) } else { (down, up) };
        for (candidate, candidate_exponent) in [first, second] {
            if !candidate.is_empty() && inside(&candidate, candidate_exponent) {
                return (candidate, candidate_exponent);
            }
        }
    }
    (digits, exponent)
}

/// Powers of ten that an `f64` holds exactly.
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The `f64` nearest to the decimal `digits × 10^power`. Where the digits and the power of
/// ten are both exact in an `f64` (at most 15 digits, `|power| ≤ 22`), one multiplication
/// or division rounds once and is correctly rounded (Clinger's fast path), which covers
/// every `real` whose exponent is within ±13 of zero; otherwise the standard library reads
/// the text.
fn decimal_to_f64(digits: &str, power: i32) -> f64 {
    if digits.len() <= 15 && power.unsigned_abs() <= 22 {
        if let Ok(mantissa) = digits.parse::<u64>() {
            let scale = EXACT_POWERS_OF_TEN[power.unsigned_abs() as usize];
            let mantissa = mantissa as f64;
            return if power >= 0 {
                mantissa * scale
            } else {
                mantissa / scale
            };
        }
    }
    format!("{digits}e{power}").parse().unwrap_or(f64::NAN)
}

/// `digits` (whose first digit has decimal exponent `exponent`) plus one unit in its
/// last place, with the new exponent when the addition carries out (`999` → `1000`).
fn increment(digits: &str, exponent: i32) -> (String, i32) {
    let mut bytes = digits.as_bytes().to_vec();
    for byte in bytes.iter_mut().rev() {
        if *byte == b'9' {
            *byte = b'0';
        } else {
            *byte += 1;
            return (String::from_utf8(bytes).unwrap_or_default(), exponent);
        }
    }
    bytes.insert(0, b'1');
    (String::from_utf8(bytes).unwrap_or_default(), exponent + 1)
}

/// The significant digits of Ryū's output and the decimal exponent of the first one.
///
/// PostgreSQL's `float_to_shortest_decimal` is Ryū, whose digits are not always the
/// closest shortest ones that Rust's `{:e}` gives: an exact tie is broken to an even
/// digit (`3.37890625` prints `3.3789062`) and a value whose interval's lower bound is a
/// short decimal does not always take it (`3e10` as a `real` prints `3.0000001e+10`).
/// The `ryu` crate is the same algorithm; only its layout differs, so its text is read
/// back into digits here (`"1.5e-7"`, `"30000001000.0"`, `"0.001"`).
fn ryu_digits(text: &str) -> (String, i32) {
    let text = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let (integer, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits = String::with_capacity(integer.len() + fraction.len());
    let mut leading_zeros = 0;
    for byte in integer.bytes().chain(fraction.bytes()) {
        if digits.is_empty() && byte == b'0' {
            leading_zeros += 1;
        } else {
            digits.push(char::from(byte));
        }
    }
    digits.truncate(digits.trim_end_matches('0').len());
    let point = integer.len() as i32;
    (digits, exponent + point - leading_zeros - 1)
}

/// Writes `digits` (significant, no leading or trailing zeros; empty for zero) whose
/// first digit has decimal exponent `exponent` in PostgreSQL's layout: fixed notation
/// for exponents in `-4..fixed_below`, else `d.ddde+XX`.
fn write_shortest(out: &mut String, negative: bool, digits: &str, exponent: i32, fixed_below: i32) {
    if negative {
        out.push('-');
    }
    if digits.is_empty() {
        out.push('0');
        return;
    }
    if (-4..fixed_below).contains(&exponent) {
        write_fixed(out, digits, exponent);
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
    scan_float_from(text, true)
}

/// [`scan_float`], trying the `d.ddd…` reader first only when `try_point` (a caller that
/// tried it already passes `false`).
fn scan_float_from(text: &str, try_point: bool) -> Option<ScannedFloat> {
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
    let fast = try_point
        .then(|| point_decimal::point_decimal(body.as_bytes()))
        .flatten()
        .or_else(|| fast_decimal(body.as_bytes()));
    let (magnitude, body_len, overflow) = if let Some((value, len)) = fast {
        (value, len, false)
    } else if let Some(len) = scan_word(body, "infinity").or_else(|| scan_word(body, "inf")) {
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

/// [`scan_float`] for an element of a vector literal, with the shape programs write
/// (`-0.0418345`, `1.5e-07`) read inline: a literal holds thousands of them.
#[inline(always)]
pub(crate) fn scan_element(text: &str) -> Option<ScannedFloat> {
    let bytes = text.as_bytes();
    let sign = usize::from(bytes.first() == Some(&b'-'));
    if let Some((magnitude, len)) = point_decimal::point_decimal(&bytes[sign..]) {
        return Some(ScannedFloat {
            value: if sign == 1 { -magnitude } else { magnitude },
            len: sign + len,
            overflow: false,
        });
    }
    scan_float_from(text, false)
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

/// Exact powers of ten in `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Negative powers of ten in `f64`, `10^0 ..= 10^-64`, each correctly rounded (half a
/// unit in the last place from the true value): a fraction read as sixteen digits
/// (padded) with an exponent of `e-38` needs `10^-54`.
const NEG_POW10: [f64; 65] = [
    1e0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11, 1e-12, 1e-13, 1e-14,
    1e-15, 1e-16, 1e-17, 1e-18, 1e-19, 1e-20, 1e-21, 1e-22, 1e-23, 1e-24, 1e-25, 1e-26, 1e-27,
    1e-28, 1e-29, 1e-30, 1e-31, 1e-32, 1e-33, 1e-34, 1e-35, 1e-36, 1e-37, 1e-38, 1e-39, 1e-40,
    1e-41, 1e-42, 1e-43, 1e-44, 1e-45, 1e-46, 1e-47, 1e-48, 1e-49, 1e-50, 1e-51, 1e-52, 1e-53,
    1e-54, 1e-55, 1e-56, 1e-57, 1e-58, 1e-59, 1e-60, 1e-61, 1e-62, 1e-63, 1e-64,
];

/// What [`digit_run`] read: the position after the run, the digits in it, the
/// leading zeros it skipped (while the value was still zero) and the digits past the
/// 19th (which only scale the value).
struct DigitRun {
    end: usize,
    seen: usize,
    zeros: usize,
    dropped: i32,
}

/// Reads a run of digits into `mantissa` (at most 19 significant digits, eight at a
/// time where it can).
#[inline(always)]
fn digit_run(bytes: &[u8], mut pos: usize, mantissa: &mut u64, digits: &mut u32) -> DigitRun {
    let start = pos;
    let mut dropped = 0;
    // Leading zeros of the value add nothing.
    if *mantissa == 0 {
        while bytes.get(pos) == Some(&b'0') {
            pos += 1;
        }
    }
    let zeros = pos - start;
    while *digits + 8 <= 19 {
        match bytes.get(pos..pos + 8).and_then(eight_digits) {
            Some(value) => {
                *mantissa = *mantissa * 100_000_000 + value;
                *digits += 8;
                pos += 8;
            }
            None => break,
        }
    }
    while let Some(&b) = bytes.get(pos).filter(|b| b.is_ascii_digit()) {
        if *digits < 19 {
            *mantissa = *mantissa * 10 + (b - b'0') as u64;
            *digits += 1;
        } else {
            dropped += 1;
        }
        pos += 1;
    }
    DigitRun {
        end: pos,
        seen: pos - start,
        zeros,
        dropped,
    }
}

/// The common decimal number in one pass: the first 19 significant digits as an integer,
/// scaled and rounded by [`scaled_to_f32`]. Where that gives `None`, and for a hexadecimal
/// number or anything but digits, the general path reads the number. Returns the
/// magnitude and the bytes read (as [`scan_decimal`] counts them).
fn fast_decimal(bytes: &[u8]) -> Option<(f32, usize)> {
    if bytes.first() == Some(&b'0') && matches!(bytes.get(1), Some(b'x' | b'X')) {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut digits = 0;
    let run = digit_run(bytes, 0, &mut mantissa, &mut digits);
    let (mut pos, integer, mut exp10) = (run.end, run.seen, run.dropped);
    let mut fraction = 0;
    if bytes.get(pos) == Some(&b'.') {
        let before = digits;
        let run = digit_run(bytes, pos + 1, &mut mantissa, &mut digits);
        fraction = run.seen;
        // Each fraction digit kept, and each leading zero skipped, is a tenth.
        exp10 -= (digits - before) as i32 + run.zeros as i32;
        pos = run.end;
    }
    if integer + fraction == 0 {
        return None;
    }
    if matches!(bytes.get(pos), Some(b'e' | b'E')) {
        let mut p = pos + 1;
        let negative = bytes.get(p) == Some(&b'-');
        p += matches!(bytes.get(p), Some(b'+' | b'-')) as usize;
        let start = p;
        let mut exponent: i32 = 0;
        while let Some(&b) = bytes.get(p).filter(|b| b.is_ascii_digit()) {
            exponent = (exponent * 10 + (b - b'0') as i32).min(100_000);
            p += 1;
        }
        if p > start {
            pos = p;
            exp10 += if negative { -exponent } else { exponent };
        }
    }
    Some((scaled_to_f32(mantissa, exp10)?, pos))
}

/// `mantissa × 10^exp10` rounded to `f32`: the integer times a correctly rounded power of
/// ten in `f64` (three roundings, so within 2 units in the last place of `f64`), then
/// rounded to `f32`, which is the correctly rounded result unless the `f64` lies within 8
/// units of a point halfway between two `f32`s. That case, a power of ten past the tables
/// and a result outside `f32`'s normal range give `None`.
#[inline(always)]
fn scaled_to_f32(mantissa: u64, exp10: i32) -> Option<f32> {
    if mantissa == 0 {
        return Some(0.0);
    }
    let wide = match exp10 >= 0 {
        true => mantissa as f64 * *POW10.get(exp10 as usize)?,
        false => mantissa as f64 * *NEG_POW10.get(exp10.unsigned_abs() as usize)?,
    };
    let bits = wide.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32 - 1023;
    // The 29 bits of an f64 mantissa below f32's 23: exactly 1 << 28 is a halfway point.
    let below = bits & ((1 << 29) - 1);
    if !(-126..=127).contains(&exponent) || below.abs_diff(1 << 28) <= 8 {
        return None;
    }
    let narrow = wide as f32;
    narrow.is_finite().then_some(narrow)
}

/// The value of eight ASCII digits, `None` unless all eight are digits (each byte
/// minus `'0'` in a lane of one word, then pairs, quads and the eight combined).
fn eight_digits(chunk: &[u8]) -> Option<u64> {
    let word = u64::from_le_bytes(chunk.try_into().ok()?);
    let offset = word.wrapping_sub(0x3030_3030_3030_3030);
    // A byte below '0' borrows (sets its top bit); one above '9' carries into it.
    let above = word.wrapping_add(0x4646_4646_4646_4646);
    if (offset | above) & 0x8080_8080_8080_8080 != 0 {
        return None;
    }
    let pairs = (offset * 10 + (offset >> 8)) & 0x00ff_00ff_00ff_00ff;
    let quads = (pairs * 100 + (pairs >> 16)) & 0x0000_ffff_0000_ffff;
    Some((quads * 10_000 + (quads >> 32)) & 0xffff_ffff)
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
    use proptest::prelude::*;

    proptest! {
        /// The one-pass decimal reader agrees with the standard library's correctly
        /// rounded parse on any f32 printed with any number of digits, near halfway
        /// points included, and on arbitrary digit strings.
        #[test]
        fn decimal_reading_rounds_correctly(
            bits in any::<u32>(),
            digits in 1usize..24,
            halfway in any::<bool>(),
            nudge in -3i64..=3,
        ) {
            let value = f32::from_bits(bits);
            if !value.is_finite() {
                return Ok(());
            }
            let mut wide = value as f64;
            if halfway {
                // The point halfway to the next f32 up, nudged by a few f64 units.
                let next = f32::from_bits(bits.wrapping_add(1)) as f64;
                wide = f64::from_bits(((wide + next) / 2.0).to_bits().wrapping_add_signed(nudge));
            }
            if !wide.is_finite() {
                return Ok(());
            }
            for text in [format!("{wide:.digits$e}"), format!("{wide:.digits$}")] {
                let expected: f32 = text.parse().unwrap();
                for scanned in scans(&text) {
                    prop_assert_eq!(scanned.value.to_bits(), expected.to_bits(), "{}", text);
                    prop_assert_eq!(scanned.len, text.len());
                }
            }
        }

        #[test]
        fn digit_strings_read_as_the_standard_library_reads_them(
            integer in "[0-9]{1,25}",
            fraction in proptest::option::of("[0-9]{0,25}"),
            exponent in proptest::option::of(-50i32..50),
        ) {
            let mut text = integer.clone();
            if let Some(fraction) = &fraction {
                text.push('.');
                text.push_str(fraction);
            }
            if let Some(exponent) = exponent {
                text.push_str(&format!("e{exponent}"));
            }
            let expected: f32 = text.parse().unwrap();
            for scanned in scans(&text) {
                prop_assert_eq!(scanned.value.to_bits(), expected.to_bits(), "{}", text);
                prop_assert_eq!(scanned.len, text.len());
            }
        }

        /// The shape programs write, `d.ddd…` with or without an exponent, read inside
        /// a long literal (where the reader may look ahead) as the standard library
        /// reads it alone.
        #[test]
        fn point_decimals_read_as_the_standard_library_reads_them(
            integer in 0u8..10,
            fraction in "[0-9]{0,22}",
            exponent in proptest::option::of(-60i32..60),
            plus in any::<bool>(),
        ) {
            let mut text = format!("{integer}.{fraction}");
            if let Some(exponent) = exponent {
                let sign = if plus && exponent >= 0 { "+" } else { "" };
                text.push_str(&format!("e{sign}{exponent}"));
            }
            let expected: f32 = text.parse().unwrap();
            for scanned in scans(&text) {
                prop_assert_eq!(scanned.value.to_bits(), expected.to_bits(), "{}", text);
                prop_assert_eq!(scanned.len, text.len());
            }
        }
    }

    /// `text` scanned alone, and as an element of a long literal: followed by more
    /// elements, so that the reader that looks ahead takes it.
    fn scans(text: &str) -> [ScannedFloat; 2] {
        let long = format!("{text},{}]", ["0.5"; 20].join(","));
        [scan_float(text).unwrap(), scan_float(&long).unwrap()]
    }

    proptest! {
        /// The fast decimal reader of the output path agrees with the standard library's
        /// parse, inside and outside its fast range.
        #[test]
        fn fast_decimal_reading_matches_the_standard_library(
            digits in "[1-9][0-9]{0,16}",
            power in -60i32..60,
        ) {
            let expected: f64 = format!("{digits}e{power}").parse().unwrap();
            prop_assert_eq!(decimal_to_f64(&digits, power).to_bits(), expected.to_bits());
        }
    }

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
    fn ties_and_bounds_print_as_ryu() {
        // PostgreSQL 15's output for these values (Rust's `{:e}` gives `3.3789063`,
        // `3.3007813` and `3e10`).
        assert_eq!(format_float4(3.378_906_25), "3.3789062");
        assert_eq!(format_float4(3.300_781_25), "3.3007812");
        assert_eq!(format_float4(3e10), "3.0000001e+10");
        assert_eq!(format_float4(123_456_789_012.0), "1.2345679e+11");
        assert_eq!(format_float8(1e16), "1e+16");
        assert_eq!(format_float8(1e-5), "1e-05");
        assert_eq!(format_float8(0.0001), "0.0001");
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
        // The same inside a long literal, where the reader may look ahead.
        let tail = format!(",{}]", ["0.5"; 20].join(","));
        let scan =
            |s: &str| scan_float(&format!("{s}{tail}")).map(|r| (r.value, r.len, r.overflow));
        assert_eq!(scan("1."), Some((1.0, 2, false)));
        assert_eq!(scan("1.e2"), Some((100.0, 4, false)));
        assert_eq!(scan("1.5e"), Some((1.5, 3, false)));
        assert_eq!(scan("1.5e+"), Some((1.5, 3, false)));
        assert_eq!(scan("1.5e00002"), Some((150.0, 9, false)));
        assert_eq!(scan("3.4028236e38"), Some((f32::INFINITY, 12, true)));
        assert_eq!(scan("1.0e-46"), Some((0.0, 7, false)));
        assert_eq!(scan("0x1.8p1"), Some((3.0, 7, false)));
        assert_eq!(scan("-0.0"), Some((-0.0, 4, false)));
    }
}
