//! pgvector regression cases for `bit` (`bit.out`, and `binary_quantize` from
//! `vector_type.out` and `halfvec.out`), plus PostgreSQL's `bit`/`varbit` input, type
//! modifier and binary-format rules. Distances are checked as psql prints a
//! `double precision`.

use std::cmp::Ordering;

use proptest::prelude::*;
use vec_types::float_text::format_float8;
use vec_types::{f16, BitTypmod, BitVector, HalfVector, TypeError, Vector};

fn bits(text: &str) -> BitVector {
    text.parse()
        .unwrap_or_else(|err| panic!("{text:?} should parse: {err}"))
}

/// `'10'` repeated, then `'1'`: the 513-bit pattern of `bit.sql`.
fn alternating_ones_first() -> String {
    format!("{}1", "10".repeat(256))
}

/// `'01'` repeated, then `'0'`.
fn alternating_zeros_first() -> String {
    format!("{}0", "01".repeat(256))
}

/// 513 bits with `ones` set.
fn sparse_bits(ones: &[usize]) -> String {
    (0..513)
        .map(|position| if ones.contains(&position) { '1' } else { '0' })
        .collect()
}

type Distance = fn(&BitVector, &BitVector) -> Result<f64, TypeError>;

/// Checks `(left, right, printed result or error message)` rows for one distance, with
/// `right` read as `varbit(n)` when a modifier is given (`'000'::varbit(4)`).
fn check_distance(name: &str, distance: Distance, cases: &[(String, String, Option<usize>, &str)]) {
    for (left, right, varbit_max, expected) in cases {
        let right_value = match varbit_max {
            Some(max) => BitVector::parse_with_typmod(right, BitTypmod::AtMost(*max)).unwrap(),
            None => bits(right),
        };
        let printed = match distance(&bits(left), &right_value) {
            Ok(value) => format_float8(value),
            Err(err) => err.to_string(),
        };
        assert_eq!(printed, *expected, "{name}('{left}', '{right}')");
    }
}

fn case(
    left: &str,
    right: &str,
    expected: &'static str,
) -> (String, String, Option<usize>, &'static str) {
    (left.to_string(), right.to_string(), None, expected)
}

#[test]
fn hamming_distance() {
    let mut cases = vec![
        case("111", "111", "0"),
        case("111", "110", "1"),
        case("111", "100", "2"),
        case("111", "000", "3"),
        case("10101010101010101010", "01010101010101010101", "20"),
        case(&alternating_ones_first(), &alternating_ones_first(), "0"),
        case(&alternating_ones_first(), &alternating_zeros_first(), "513"),
        case(
            &sparse_bits(&[0, 1, 511, 512]),
            &sparse_bits(&[0, 512]),
            "2",
        ),
        case("", "", "0"),
        case("111", "00", "different bit lengths 3 and 2"),
    ];
    cases.push(("111".into(), "000".into(), Some(4), "3"));
    cases.push((
        "111".into(),
        "0000".into(),
        Some(4),
        "different bit lengths 3 and 4",
    ));
    check_distance("hamming_distance", BitVector::hamming_distance, &cases);
}

#[test]
fn jaccard_distance() {
    let mut cases = vec![
        case("1111", "1111", "0"),
        case("1111", "1110", "0.25"),
        case("1111", "1100", "0.5"),
        case("1111", "1000", "0.75"),
        case("1111", "0000", "1"),
        case("1100", "1000", "0.5"),
        case("10101010101010101010", "01010101010101010101", "1"),
        case(&alternating_ones_first(), &alternating_ones_first(), "0"),
        case(&alternating_ones_first(), &alternating_zeros_first(), "1"),
        case(
            &sparse_bits(&[0, 1, 511, 512]),
            &sparse_bits(&[0, 512]),
            "0.5",
        ),
        case("", "", "1"),
        case("1111", "000", "different bit lengths 4 and 3"),
    ];
    cases.push(("1111".into(), "0000".into(), Some(5), "1"));
    cases.push((
        "1111".into(),
        "00000".into(),
        Some(5),
        "different bit lengths 4 and 5",
    ));
    check_distance("jaccard_distance", BitVector::jaccard_distance, &cases);
}

#[test]
fn binary_quantize() {
    let cases = [
        ("[1,0,-1]", "100"),
        (
            "[0,0.1,-0.2,-0.3,0.4,0.5,0.6,-0.7,0.8,-0.9,1]",
            "01001110101",
        ),
        (
            "[1,2,3,-4,5,6,-7,8,1,-2,-3,4,5,-6,7,8,-1,2,3]",
            "1110110110011011011",
        ),
    ];
    for (input, expected) in cases {
        let vector: Vector = input.parse().unwrap();
        assert_eq!(
            vector.binary_quantize().to_string(),
            expected,
            "vector {input}"
        );
        assert_eq!(
            BitVector::binary_quantize(vector.as_slice()).to_string(),
            expected
        );
        let halfvec: HalfVector = input.parse().unwrap();
        assert_eq!(
            halfvec.binary_quantize().to_string(),
            expected,
            "halfvec {input}"
        );
        let halves: Vec<f16> = vector
            .as_slice()
            .iter()
            .map(|v| f16::from_f32(*v))
            .collect();
        assert_eq!(
            BitVector::binary_quantize_f16(&halves).to_string(),
            expected
        );
    }
}

#[test]
fn input_forms_and_errors() {
    assert_eq!(bits("B101").to_string(), "101");
    assert_eq!(bits("b101").to_string(), "101");
    assert_eq!(bits("x1F").to_string(), "00011111");
    assert_eq!(bits("X0").to_string(), "0000");
    assert_eq!(bits("").to_string(), "");
    let error = |text: &str| text.parse::<BitVector>().unwrap_err().to_string();
    assert_eq!(error("102"), "\"2\" is not a valid binary digit");
    assert_eq!(error(" 1"), "\" \" is not a valid binary digit");
    assert_eq!(error("xG"), "\"G\" is not a valid hexadecimal digit");
    assert_eq!(error("b1x"), "\"x\" is not a valid binary digit");
}

#[test]
fn type_modifiers() {
    let parse = |text: &str, typmod| match BitVector::parse_with_typmod(text, typmod) {
        Ok(value) => value.to_string(),
        Err(err) => err.to_string(),
    };
    assert_eq!(parse("101", BitTypmod::Exact(3)), "101");
    assert_eq!(
        parse("10", BitTypmod::Exact(3)),
        "bit string length 2 does not match type bit(3)"
    );
    assert_eq!(
        parse("xF", BitTypmod::Exact(3)),
        "bit string length 4 does not match type bit(3)"
    );
    assert_eq!(parse("000", BitTypmod::AtMost(4)), "000");
    assert_eq!(
        parse("00000", BitTypmod::AtMost(4)),
        "bit string too long for type bit varying(4)"
    );
    // B'0'::bit(64000) from ivfflat_bit.sql: an explicit cast pads with zeros.
    let padded = bits("0").cast_to_typmod(BitTypmod::Exact(64_000));
    assert_eq!(padded.len(), 64_000);
    assert_eq!(padded.count_ones(), 0);
    assert_eq!(
        BitTypmod::bit(0).unwrap_err().to_string(),
        "length for type bit must be at least 1"
    );
    assert_eq!(
        BitTypmod::varbit(83_886_081).unwrap_err().to_string(),
        "length for type varbit cannot exceed 83886080"
    );
}

#[test]
fn comparison_follows_bit_cmp() {
    let cases = [
        ("101", "101", Ordering::Equal),
        ("100", "101", Ordering::Less),
        ("1", "01", Ordering::Greater),
        ("10", "100", Ordering::Less),
        ("", "0", Ordering::Less),
        ("111111110", "11111111", Ordering::Greater),
    ];
    for (left, right, expected) in cases {
        assert_eq!(bits(left).cmp(&bits(right)), expected, "{left} vs {right}");
    }
    assert_ne!(bits("10"), bits("100"));
}

#[test]
fn concatenation_and_lengths() {
    let joined = bits("101").concat(&bits("0011")).unwrap();
    assert_eq!(joined.to_string(), "1010011");
    assert_eq!(joined.len(), 7);
    assert_eq!(joined.octet_len(), 1);
    assert_eq!(joined.count_ones(), 4);
}

#[test]
fn binary_format() {
    let value = bits("1100000001");
    assert_eq!(value.to_binary(), [0, 0, 0, 10, 0b1100_0000, 0b0100_0000]);
    let err = BitVector::from_binary(&value.to_binary(), BitTypmod::Exact(3)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "bit string length 10 does not match type bit(3)"
    );
    let err = BitVector::from_binary(&value.to_binary(), BitTypmod::AtMost(3)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "bit string too long for type bit varying(3)"
    );
    let err = BitVector::from_binary(&[0x80, 0, 0, 0], BitTypmod::Any).unwrap_err();
    assert_eq!(err.to_string(), "invalid length in external bit string");
}

fn arb_bits() -> impl Strategy<Value = BitVector> {
    proptest::collection::vec(any::<bool>(), 0..200)
        .prop_map(|bools| BitVector::from_bools(&bools).unwrap())
}

proptest! {
    #[test]
    fn text_round_trips(value in arb_bits()) {
        prop_assert_eq!(value.to_string().parse::<BitVector>().unwrap(), value);
    }

    #[test]
    fn binary_round_trips(value in arb_bits()) {
        prop_assert_eq!(BitVector::from_binary(&value.to_binary(), BitTypmod::Any).unwrap(), value);
    }

    #[test]
    fn hex_input_matches_binary_input(nibbles in proptest::collection::vec(0u8..16, 0..40)) {
        let hex: String = nibbles.iter().map(|n| format!("{n:x}")).collect();
        let binary: String = nibbles.iter().map(|n| format!("{n:04b}")).collect();
        prop_assert_eq!(bits(&format!("x{hex}")), bits(&binary));
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(text in any::<String>()) {
        let _ = text.parse::<BitVector>();
        let _ = BitVector::parse_with_typmod(&text, BitTypmod::Exact(3));
    }

    #[test]
    fn receiving_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..16)) {
        let _ = BitVector::from_binary(&bytes, BitTypmod::Any);
    }

    #[test]
    fn concat_matches_text(left in arb_bits(), right in arb_bits()) {
        let joined = left.concat(&right).unwrap();
        prop_assert_eq!(joined.to_string(), format!("{left}{right}"));
    }

    #[test]
    fn distances_match_a_bitwise_count(pair in (0usize..100).prop_flat_map(|len| (
        proptest::collection::vec(any::<bool>(), len),
        proptest::collection::vec(any::<bool>(), len),
    ))) {
        let (left, right) = pair;
        let differing = left.iter().zip(&right).filter(|(a, b)| a != b).count();
        let a = BitVector::from_bools(&left).unwrap();
        let b = BitVector::from_bools(&right).unwrap();
        prop_assert_eq!(a.hamming_distance(&b).unwrap(), differing as f64);
        let both = left.iter().zip(&right).filter(|(a, b)| **a && **b).count();
        let either = left.iter().zip(&right).filter(|(a, b)| **a || **b).count();
        let expected = if either == 0 { 1.0 } else { 1.0 - both as f64 / either as f64 };
        prop_assert!((a.jaccard_distance(&b).unwrap() - expected).abs() < 1e-12);
    }
}
