//! Index arithmetic of pgvector's `subvector(v, start, count)`, shared by `vector` and
//! `halfvec`: 1-based like SQL's `substring`, a start before 1 is clamped (shortening the
//! result), a range past the end is cut at the end, and an empty result is an error.

use crate::TypeError;

/// The 0-based element range `subvector(v, start, count)` selects in a value of `dims`
/// elements, or pgvector's `… must have at least 1 dimension` error.
pub(crate) fn subvector_range(
    type_name: &'static str,
    dims: usize,
    start: i32,
    count: i32,
) -> Result<std::ops::Range<usize>, TypeError> {
    let empty = TypeError::TooFewDimensions { type_name };
    if count < 1 {
        return Err(empty);
    }
    // 64-bit arithmetic cannot overflow here; the C code reaches the same values with
    // care in 32 bits.
    let dims = dims as i64;
    let (start, count) = (i64::from(start), i64::from(count));
    let end = if start > dims - count {
        dims + 1
    } else {
        start + count
    };
    if start > dims {
        return Err(empty);
    }
    let start = start.max(1);
    if end - start < 1 {
        return Err(empty);
    }
    Ok((start - 1) as usize..(end - 1) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subvector_follows_pgvector() {
        let range = |start, count| subvector_range("vector", 5, start, count).ok();
        assert_eq!(range(1, 3), Some(0..3));
        assert_eq!(range(3, 2), Some(2..4));
        assert_eq!(range(-1, 3), Some(0..1));
        assert_eq!(range(3, 9), Some(2..5));
        assert_eq!(range(1, 0), None);
        assert_eq!(range(3, -1), None);
        assert_eq!(range(-1, 2), None);
        assert_eq!(range(i32::MAX, 10), None);
        assert_eq!(range(3, i32::MAX), Some(2..5));
        assert_eq!(range(-2_147_483_644, i32::MAX), Some(0..2));
        assert_eq!(range(6, 1), None);
        assert_eq!(range(5, 1), Some(4..5));
    }
}
