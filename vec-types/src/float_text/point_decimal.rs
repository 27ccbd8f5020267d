//! The shape in which programs write a vector's elements, one digit, a point and up to
//! nineteen fraction digits with an optional exponent (`-0.041834514588117`,
//! `1.8332571e-34`, `0.5`), read without a loop over the digits: the sixteen bytes after
//! the point are converted at once (SSE2 on x86-64, eight-byte words elsewhere), as if
//! the digits were followed by zeros up to the sixteenth, and the power of ten accounts
//! for that padding. Nothing else is read here: [`point_decimal`] returns `None`, and the
//! caller's general reader takes the number.

use super::scaled_to_f32;

/// Bytes that must follow a number's first byte for [`point_decimal`] to read it: it
/// loads the words it may need without first finding where the number ends.
pub(super) const LOOKAHEAD: usize = 40;

/// Reads `d.ddd…[e[±]ddd]` at the start of `bytes` (no sign: the caller took it), which
/// must hold at least [`LOOKAHEAD`] bytes. Returns the magnitude rounded to `f32` and the
/// bytes read, or `None` for any other shape, more than nineteen significant digits, an
/// exponent of more than four digits, a result outside `f32`'s normal range, or one
/// within reach of a point halfway between two `f32`s (the same rounding argument as
/// the general reader's: the digits are exact in a `u64`, and the `f64` result is within
/// two of its units of the exact value).
#[inline(always)]
pub(super) fn point_decimal(bytes: &[u8]) -> Option<(f32, usize)> {
    let (&[integer, b'.'], rest) = bytes.get(..LOOKAHEAD)?.split_first_chunk::<2>()? else {
        return None;
    };
    if !integer.is_ascii_digit() {
        return None;
    }
    let integer = u64::from(integer - b'0');
    let (fraction, count) = sixteen_digits(word(rest, 0), word(rest, 8));
    let mut mantissa = integer * 10_000_000_000_000_000 + fraction;
    let mut scale = 16;
    let mut pos = 2 + count as usize;
    if count == 16 {
        // Up to three digits more, as long as all of them fit in a `u64`.
        let (more, more_count) = leading_digits(word(rest, 16));
        let room = if integer == 0 { 3 } else { 2 };
        if more_count > room {
            return None;
        }
        mantissa = mantissa * POW10_U64[more_count as usize] + more;
        scale += more_count as i32;
        pos += more_count as usize;
    }
    let mut exp10 = -scale;
    if bytes[pos] | 0x20 == b'e' {
        let mut at = pos + 1;
        let negative = bytes[at] == b'-';
        at += usize::from(matches!(bytes[at], b'+' | b'-'));
        let start = at;
        let mut exponent = 0;
        while at < start + 4 && bytes[at].is_ascii_digit() {
            exponent = exponent * 10 + i32::from(bytes[at] - b'0');
            at += 1;
        }
        if at > start {
            if bytes[at].is_ascii_digit() {
                return None;
            }
            pos = at;
            exp10 += if negative { -exponent } else { exponent };
        }
    }
    Some((scaled_to_f32(mantissa, exp10)?, pos))
}

/// `10^0 ..= 10^3` as integers.
const POW10_U64: [u64; 4] = [1, 10, 100, 1000];

/// The eight bytes at `at` as a little-endian word (the first byte lowest).
#[inline(always)]
fn word(bytes: &[u8], at: usize) -> u64 {
    let mut eight = [0; 8];
    eight.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(eight)
}

/// Each byte of `word` minus `'0'`, and a mask with the top bit of each byte that is
/// not an ASCII digit set (a byte below `'0'` borrows into its top bit; one above `'9'`
/// carries into it). Only the bytes before the first non-digit are exact: a borrow or
/// carry moves up into later bytes.
#[inline(always)]
fn digit_bytes(word: u64) -> (u64, u64) {
    let offset = word.wrapping_sub(0x3030_3030_3030_3030);
    let above = word.wrapping_add(0x4646_4646_4646_4646);
    (offset, (offset | above) & 0x8080_8080_8080_8080)
}

/// The value of eight digit values, one a byte, the first byte the most significant.
#[inline(always)]
fn combine_eight(digits: u64) -> u64 {
    let pairs = (digits.wrapping_mul(10) + (digits >> 8)) & 0x00ff_00ff_00ff_00ff;
    let quads = (pairs.wrapping_mul(100) + (pairs >> 16)) & 0x0000_ffff_0000_ffff;
    (quads.wrapping_mul(10_000) + (quads >> 32)) & 0xffff_ffff
}

/// The digits that `word` starts with: their value and how many there are (0 to 8).
#[inline(always)]
fn leading_digits(word: u64) -> (u64, u32) {
    let (offset, nondigit) = digit_bytes(word);
    let count = nondigit.trailing_zeros() / 8;
    // The digits moved to the top of the word, zeros (leading zeros) below them.
    let aligned = ((u128::from(offset)) << (64 - 8 * count)) as u64;
    (combine_eight(aligned), count)
}

/// The digits that the sixteen bytes `low`, `high` start with (`count`, 0 to 16), read
/// as a sixteen-digit number with zeros after them: `"25,…"` gives 2,500,000,000,000,000.
#[inline(always)]
fn sixteen_digits(low: u64, high: u64) -> (u64, u32) {
    #[cfg(target_arch = "x86_64")]
    {
        sixteen_digits_sse2(low, high)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        sixteen_digits_words(low, high)
    }
}

/// [`sixteen_digits`] with SSE2: the bytes are compared and masked at once, and the digits
/// combined in pairs, fours and eights by multiply-adds.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn sixteen_digits_sse2(low: u64, high: u64) -> (u64, u32) {
    use core::arch::x86_64::*;
    // SAFETY: SSE2 is part of the x86-64 baseline, so every x86-64 processor has the
    // target feature these intrinsics require; none of them touches memory.
    unsafe {
        let bytes = _mm_set_epi64x(high as i64, low as i64);
        let digits = _mm_sub_epi8(bytes, _mm_set1_epi8(b'0' as i8));
        let is_digit = _mm_cmpeq_epi8(_mm_min_epu8(digits, _mm_set1_epi8(9)), digits);
        let count = (!(_mm_movemask_epi8(is_digit) as u32)).trailing_zeros();
        let index = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        let kept = _mm_and_si128(digits, _mm_cmplt_epi8(index, _mm_set1_epi8(count as i8)));
        let zero = _mm_setzero_si128();
        let tens = _mm_setr_epi16(10, 1, 10, 1, 10, 1, 10, 1);
        let pairs = _mm_packs_epi32(
            _mm_madd_epi16(_mm_unpacklo_epi8(kept, zero), tens),
            _mm_madd_epi16(_mm_unpackhi_epi8(kept, zero), tens),
        );
        let quads = _mm_madd_epi16(pairs, _mm_setr_epi16(100, 1, 100, 1, 100, 1, 100, 1));
        let quads = _mm_packs_epi32(quads, quads);
        let eights = _mm_madd_epi16(quads, _mm_set1_epi32(10_000 | 1 << 16));
        let first = _mm_cvtsi128_si32(eights) as u32;
        let second = _mm_cvtsi128_si32(_mm_srli_si128::<4>(eights)) as u32;
        (u64::from(first) * 100_000_000 + u64::from(second), count)
    }
}

/// [`sixteen_digits`] with eight-byte words.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
fn sixteen_digits_words(low: u64, high: u64) -> (u64, u32) {
    // The bytes before the first non-digit, the others cleared (zero digits).
    let kept = |word: u64| {
        let (offset, nondigit) = digit_bytes(word);
        let first = nondigit & nondigit.wrapping_neg();
        (
            offset & (first >> 7).wrapping_sub(1),
            nondigit.trailing_zeros() / 8,
        )
    };
    let (low, low_count) = kept(low);
    let (high, high_count) = kept(high);
    if low_count < 8 {
        (combine_eight(low) * 100_000_000, low_count)
    } else {
        (
            combine_eight(low) * 100_000_000 + combine_eight(high),
            8 + high_count,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn words(text: &str) -> (u64, u64) {
        let mut bytes = [b' '; 16];
        let len = text.len().min(16);
        bytes[..len].copy_from_slice(&text.as_bytes()[..len]);
        (word(&bytes, 0), word(&bytes, 8))
    }

    #[test]
    fn sixteen_digits_pad_with_zeros() {
        for (text, value, count) in [
            ("25,", 2_500_000_000_000_000, 2),
            ("", 0, 0),
            ("0418345145881176", 418_345_145_881_176, 16),
            ("04183451458811769", 418_345_145_881_176, 16),
            ("12345678e-5", 1_234_567_800_000_000, 8),
            ("9/", 9_000_000_000_000_000, 1),
            ("1:", 1_000_000_000_000_000, 1),
        ] {
            let (low, high) = words(text);
            assert_eq!(sixteen_digits(low, high), (value, count), "{text}");
            assert_eq!(sixteen_digits_words(low, high), (value, count), "{text}");
        }
    }

    proptest! {
        /// Both ways of reading sixteen digits agree on any bytes.
        #[test]
        fn the_word_reader_matches_the_vector_reader(low in any::<u64>(), high in any::<u64>(), digits in 0usize..=16) {
            // Mostly digits, then anything: plant `digits` leading digits.
            let mut bytes = [0u8; 16];
            bytes[..8].copy_from_slice(&low.to_le_bytes());
            bytes[8..].copy_from_slice(&high.to_le_bytes());
            for byte in bytes.iter_mut().take(digits) {
                *byte = b'0' + *byte % 10;
            }
            let (low, high) = (word(&bytes, 0), word(&bytes, 8));
            prop_assert_eq!(sixteen_digits(low, high), sixteen_digits_words(low, high));
        }
    }
}
