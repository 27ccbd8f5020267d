//! pgvector regression cases for `halfvec` (`halfvec.out`, the `halfvec` half of
//! `btree.out`), plus binary format checks and property tests of the text format.

use proptest::prelude::*;
use vec_types::f16;
use vec_types::float_text::format_float8;
use vec_types::halfvec::{halfvec_accum, halfvec_avg};
use vec_types::{AvgState, HalfVector, HalfVectorAccumulator, TypeError, Typmod};

/// An error as psql shows it: the message and the DETAIL line, if any.
type Shown = (String, Option<String>);

fn shown(err: TypeError) -> Shown {
    (err.to_string(), err.detail())
}

fn error(message: &str) -> Shown {
    (message.to_string(), None)
}

fn halfvec(text: &str) -> HalfVector {
    text.parse()
        .unwrap_or_else(|err| panic!("{text:?} should parse: {err}"))
}

fn render<T: ToString>(result: Result<T, TypeError>) -> Result<String, Shown> {
    result.map(|value| value.to_string()).map_err(shown)
}

fn render_opt(result: Result<Option<HalfVector>, TypeError>) -> Result<String, Shown> {
    result
        .map(|value| value.map_or_else(String::new, |v| v.to_string()))
        .map_err(shown)
}

#[test]
fn text_input_and_output() {
    let syntax = |input: &str| {
        Err(error(&format!(
            "invalid input syntax for type halfvec: \"{input}\""
        )))
    };
    let with_detail = |input: &str, detail: &str| {
        Err((
            format!("invalid input syntax for type halfvec: \"{input}\""),
            Some(detail.to_string()),
        ))
    };
    let start_detail = "Vector contents must start with \"[\".";
    let cases: Vec<(&str, Result<String, Shown>)> = vec![
        ("[1,2,3]", Ok("[1,2,3]".into())),
        ("[-1,-2,-3]", Ok("[-1,-2,-3]".into())),
        ("[1.,2.,3.]", Ok("[1,2,3]".into())),
        (" [ 1,  2 ,    3  ] ", Ok("[1,2,3]".into())),
        ("[1.23456]", Ok("[1.234375]".into())),
        ("[hello,1]", syntax("[hello,1]")),
        ("[NaN,1]", Err(error("NaN not allowed in halfvec"))),
        (
            "[Infinity,1]",
            Err(error("infinite value not allowed in halfvec")),
        ),
        (
            "[-Infinity,1]",
            Err(error("infinite value not allowed in halfvec")),
        ),
        ("[65519,-65519]", Ok("[65504,-65504]".into())),
        (
            "[65520,-65520]",
            Err(error("\"65520\" is out of range for type halfvec")),
        ),
        ("[1e-8,-1e-8]", Ok("[0,-0]".into())),
        (
            "[4e38,1]",
            Err(error("\"4e38\" is out of range for type halfvec")),
        ),
        ("[1e-46,1]", Ok("[0,1]".into())),
        ("[1,2,3", syntax("[1,2,3")),
        (
            "[1,2,3]9",
            with_detail("[1,2,3]9", "Junk after closing right brace."),
        ),
        ("1,2,3", with_detail("1,2,3", start_detail)),
        ("", with_detail("", start_detail)),
        ("[", syntax("[")),
        ("[ ", syntax("[ ")),
        ("[,", syntax("[,")),
        ("[]", Err(error("halfvec must have at least 1 dimension"))),
        ("[ ]", Err(error("halfvec must have at least 1 dimension"))),
        ("[,]", syntax("[,]")),
        ("[1,]", syntax("[1,]")),
        ("[1a]", syntax("[1a]")),
        ("[1,,3]", syntax("[1,,3]")),
        ("[1, ,3]", syntax("[1, ,3]")),
        // Beyond the regression file: the out-of-range token is the number as written.
        (
            "[ -7e4 ]",
            Err(error("\"-7e4\" is out of range for type halfvec")),
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(
            render(input.parse::<HalfVector>()),
            expected,
            "input {input:?}"
        );
    }
    let too_many = format!("[{}0]", "0,".repeat(16_000));
    assert_eq!(
        render(too_many.parse::<HalfVector>()),
        Err(error("halfvec cannot have more than 16000 dimensions"))
    );
}

#[test]
fn type_modifiers() {
    assert_eq!(
        render(HalfVector::parse_with_typmod("[1,2,3]", Typmod::new(3))),
        Ok("[1,2,3]".to_string())
    );
    assert_eq!(
        render(HalfVector::parse_with_typmod("[1,2,3]", Typmod::new(2))),
        Err(error("expected 2 dimensions, not 3"))
    );
    let typmod = |mods: &[i32]| HalfVector::typmod_in(mods).map_err(shown);
    assert_eq!(typmod(&[3]), Ok(Typmod::new(3)));
    assert_eq!(typmod(&[3, 2]), Err(error("invalid type modifier")));
    assert_eq!(
        typmod(&[0]),
        Err(error("dimensions for type halfvec must be at least 1"))
    );
    assert_eq!(
        typmod(&[16_001]),
        Err(error("dimensions for type halfvec cannot exceed 16000"))
    );
    assert_eq!(
        Typmod::from_text_modifiers("halfvec", HalfVector::MAX_DIM, &["a"]).map_err(shown),
        Err(error("invalid input syntax for type integer: \"a\""))
    );
    let elements = ["[1,2,3]", "[4,5,6]"].map(|text| halfvec(text).to_string());
    assert_eq!(elements, ["[1,2,3]", "[4,5,6]"]);
    assert_eq!(
        halfvec("[1,2,3]")
            .check_typmod(Typmod::new(2))
            .map_err(shown),
        Err(error("expected 2 dimensions, not 3"))
    );
}

#[test]
fn arithmetic_operators() {
    let different = || Err(error("different halfvec dimensions 2 and 1"));
    let overflow = || Err(error("value out of range: overflow"));
    type Op = fn(&HalfVector, &HalfVector) -> Result<HalfVector, TypeError>;
    let cases: Vec<(&str, Op, &str, Result<String, Shown>)> = vec![
        ("[1,2,3]", |a, b| a + b, "[4,5,6]", Ok("[5,7,9]".into())),
        ("[65519]", |a, b| a + b, "[65519]", overflow()),
        ("[1,2]", |a, b| a + b, "[3]", different()),
        ("[1,2,3]", |a, b| a - b, "[4,5,6]", Ok("[-3,-3,-3]".into())),
        ("[-65519]", |a, b| a - b, "[65519]", overflow()),
        ("[1,2]", |a, b| a - b, "[3]", different()),
        ("[1,2,3]", |a, b| a * b, "[4,5,6]", Ok("[4,10,18]".into())),
        ("[65519]", |a, b| a * b, "[65519]", overflow()),
        (
            "[1e-7]",
            |a, b| a * b,
            "[1e-7]",
            Err(error("value out of range: underflow")),
        ),
        ("[1,2]", |a, b| a * b, "[3]", different()),
        (
            "[1,2,3]",
            HalfVector::concat,
            "[4,5]",
            Ok("[1,2,3,4,5]".into()),
        ),
    ];
    for (left, op, right, expected) in cases {
        assert_eq!(
            render(op(&halfvec(left), &halfvec(right))),
            expected,
            "{left} op {right}"
        );
    }
    let zeros = HalfVector::new(vec![f16::ZERO; 16_000]).unwrap();
    assert_eq!(
        render(zeros.concat(&halfvec("[1]"))),
        Err(error("halfvec cannot have more than 16000 dimensions"))
    );
}

#[test]
fn comparison_operators() {
    // The six operators of vector_type.out / halfvec.out, each against an equal value
    // and against a shorter prefix.
    let (a, same, prefix) = (halfvec("[1,2,3]"), halfvec("[1,2,3]"), halfvec("[1,2]"));
    let results = [
        (a < same, a < prefix),
        (a <= same, a <= prefix),
        (a == same, a == prefix),
        (a != same, a != prefix),
        (a >= same, a >= prefix),
        (a > same, a > prefix),
    ];
    let expected = [
        (false, false),
        (true, false),
        (true, false),
        (false, true),
        (true, true),
        (false, true),
    ];
    assert_eq!(results, expected);
    let cmp_cases = [
        ("[1,2,3]", "[1,2,3]", 0),
        ("[1,2,3]", "[0,0,0]", 1),
        ("[0,0,0]", "[1,2,3]", -1),
        ("[1,2]", "[1,2,3]", -1),
        ("[1,2,3]", "[1,2]", 1),
        ("[1,2]", "[2,3,4]", -1),
        ("[2,3]", "[1,2,3]", 1),
        ("[-0]", "[0]", 0),
    ];
    for (left, right, expected) in cmp_cases {
        let ordering = halfvec(left).compare(&halfvec(right)) as i32;
        assert_eq!(ordering, expected, "halfvec_cmp({left}, {right})");
    }
}

#[test]
fn btree_ordering() {
    let mut rows = ["[0,0,0]", "[1,2,3]", "[1,1,1]"].map(halfvec).to_vec();
    rows.sort();
    let printed: Vec<String> = rows.iter().map(HalfVector::to_string).collect();
    assert_eq!(printed, ["[0,0,0]", "[1,1,1]", "[1,2,3]"]);
    let found = rows.iter().filter(|v| **v == halfvec("[1,2,3]")).count();
    assert_eq!(found, 1);
}

#[test]
fn dims_and_norms() {
    assert_eq!(halfvec("[1,2,3]").dims(), 3);
    assert_eq!(format!("{:.5}", halfvec("[1,1]").l2_norm()), "1.41421");
    for (input, expected) in [("[3,4]", "5"), ("[0,1]", "1"), ("[0,0]", "0"), ("[2]", "2")] {
        assert_eq!(
            format_float8(halfvec(input).l2_norm()),
            expected,
            "l2_norm {input}"
        );
    }
}

#[test]
fn distance_functions() {
    type Distance = fn(&HalfVector, &HalfVector) -> Result<f64, TypeError>;
    let l2: Distance = HalfVector::l2_distance;
    let ip: Distance = HalfVector::inner_product;
    let neg_ip: Distance = HalfVector::negative_inner_product;
    let cosine: Distance = HalfVector::cosine_distance;
    let l1: Distance = HalfVector::l1_distance;
    let l2_squared: Distance = HalfVector::l2_squared_distance;
    let different = || Err(error("different halfvec dimensions 2 and 1"));
    let cases: Vec<(Distance, &str, &str, Result<&str, Shown>)> = vec![
        (l2, "[0,0]", "[3,4]", Ok("5")),
        (l2, "[0,0]", "[0,1]", Ok("1")),
        (l2, "[1,2]", "[3]", different()),
        (l2, "[1,1,1,1,1,1,1,1,1]", "[1,1,1,1,1,1,1,4,5]", Ok("5")),
        (l2_squared, "[0,0]", "[3,4]", Ok("25")),
        (ip, "[1,2]", "[3,4]", Ok("11")),
        (ip, "[1,2]", "[3]", different()),
        (ip, "[65504]", "[65504]", Ok("4290774016")),
        (ip, "[1,1,1,1,1,1,1,1,1]", "[1,2,3,4,5,6,7,8,9]", Ok("45")),
        (neg_ip, "[1,2]", "[3,4]", Ok("-11")),
        (cosine, "[1,2]", "[2,4]", Ok("0")),
        (cosine, "[1,2]", "[0,0]", Ok("NaN")),
        (cosine, "[1,1]", "[1,1]", Ok("0")),
        (cosine, "[1,0]", "[0,2]", Ok("1")),
        (cosine, "[1,1]", "[-1,-1]", Ok("2")),
        (cosine, "[1,2]", "[3]", different()),
        (cosine, "[1,1]", "[1.1,1.1]", Ok("0")),
        (cosine, "[1,1]", "[-1.1,-1.1]", Ok("2")),
        (
            cosine,
            "[1,2,3,4,5,6,7,8,9]",
            "[1,2,3,4,5,6,7,8,9]",
            Ok("0"),
        ),
        (
            cosine,
            "[1,2,3,4,5,6,7,8,9]",
            "[-1,-2,-3,-4,-5,-6,-7,-8,-9]",
            Ok("2"),
        ),
        (l1, "[0,0]", "[3,4]", Ok("7")),
        (l1, "[0,0]", "[0,1]", Ok("1")),
        (l1, "[1,2]", "[3]", different()),
        (l1, "[1,2,3,4,5,6,7,8,9]", "[1,2,3,4,5,6,7,8,9]", Ok("0")),
        (l1, "[1,2,3,4,5,6,7,8,9]", "[0,3,2,5,4,7,6,9,8]", Ok("9")),
    ];
    for (distance, left, right, expected) in cases {
        let result = distance(&halfvec(left), &halfvec(right)).map(format_float8);
        assert_eq!(
            result.map_err(shown),
            expected.map(str::to_string),
            "distance({left}, {right})"
        );
    }
}

#[test]
fn normalize_quantize_subvector() {
    let normalized = [
        ("[3,4]", "[0.60009766,0.7998047]"),
        ("[3,0]", "[1,0]"),
        ("[0,0.1]", "[0,1]"),
        ("[0,0]", "[0,0]"),
        ("[65504]", "[1]"),
        ("[-0,0]", "[0,0]"),
    ];
    for (input, expected) in normalized {
        assert_eq!(
            render(halfvec(input).l2_normalize()),
            Ok(expected.to_string())
        );
    }
    let quantized = [
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
    for (input, expected) in quantized {
        assert_eq!(halfvec(input).binary_quantize().to_string(), expected);
    }
    let empty = || Err(error("halfvec must have at least 1 dimension"));
    let subvectors: Vec<(i32, i32, Result<String, Shown>)> = vec![
        (1, 3, Ok("[1,2,3]".into())),
        (3, 2, Ok("[3,4]".into())),
        (-1, 3, Ok("[1]".into())),
        (3, 9, Ok("[3,4,5]".into())),
        (1, 0, empty()),
        (3, -1, empty()),
        (-1, 2, empty()),
        (2_147_483_647, 10, empty()),
        (3, 2_147_483_647, Ok("[3,4,5]".into())),
        (-2_147_483_644, 2_147_483_647, Ok("[1,2]".into())),
    ];
    let five = halfvec("[1,2,3,4,5]");
    for (start, count, expected) in subvectors {
        assert_eq!(
            render(five.subvector(start, count)),
            expected,
            "subvector({start}, {count})"
        );
    }
}

fn accumulate(rows: &[Option<&str>]) -> HalfVectorAccumulator {
    let mut acc = HalfVectorAccumulator::new();
    for row in rows.iter().flatten() {
        acc.add(&halfvec(row));
    }
    acc
}

#[test]
fn avg_and_sum_aggregates() {
    let two = [Some("[1,2,3]"), Some("[3,5,7]")];
    let with_null = [Some("[1,2,3]"), Some("[3,5,7]"), None];
    let mismatched = [Some("[1,2]"), Some("[3]")];
    let huge = [Some("[65504]"), Some("[65504]")];
    let avg = |rows: &[Option<&str>]| render_opt(accumulate(rows).avg());
    let sum = |rows: &[Option<&str>]| render_opt(accumulate(rows).sum());
    assert_eq!(avg(&two), Ok("[2,3.5,5]".into()));
    assert_eq!(avg(&with_null), Ok("[2,3.5,5]".into()));
    assert_eq!(avg(&[]), Ok(String::new()));
    assert_eq!(avg(&mismatched), Err(error("expected 2 dimensions, not 1")));
    assert_eq!(avg(&huge), Ok("[65504]".into()));
    assert_eq!(sum(&two), Ok("[4,7,10]".into()));
    assert_eq!(sum(&with_null), Ok("[4,7,10]".into()));
    assert_eq!(sum(&[]), Ok(String::new()));
    assert_eq!(
        sum(&mismatched),
        Err(error("different halfvec dimensions 2 and 1"))
    );
    assert_eq!(sum(&huge), Err(error("value out of range: overflow")));

    let mut left = accumulate(&[Some("[1,2,3]")]);
    left.merge(&accumulate(&[Some("[3,5,7]")]));
    assert_eq!(render_opt(left.avg()), Ok("[2,3.5,5]".into()));
    assert_eq!(render_opt(left.sum()), Ok("[4,7,10]".into()));
}

#[test]
fn halfvec_avg_and_accum_functions() {
    let avg = |n_dims: usize, elements: &[Option<f64>]| {
        render_opt(
            AvgState::from_array("halfvec_avg", n_dims, elements).and_then(|s| halfvec_avg(&s)),
        )
    };
    let avg_state = || Err(error("halfvec_avg: expected state array"));
    assert_eq!(
        avg(1, &[Some(2.0), Some(2.0), Some(4.0), Some(6.0)]),
        Ok("[1,2,3]".into())
    );
    assert_eq!(avg(1, &[Some(0.0)]), Ok(String::new()));
    assert_eq!(
        avg(1, &[Some(1.0)]),
        Err(error("halfvec must have at least 1 dimension"))
    );
    assert_eq!(
        avg(2, &[Some(2.0), Some(2.0), Some(4.0), Some(6.0)]),
        avg_state()
    );
    assert_eq!(
        avg(1, &[None, Some(2.0), Some(4.0), Some(6.0)]),
        avg_state()
    );
    assert_eq!(avg(0, &[]), avg_state());
    let big: Vec<Option<f64>> = (1..=16_002).map(|n| Some(f64::from(n))).collect();
    assert_eq!(
        avg(1, &big),
        Err(error("halfvec cannot have more than 16000 dimensions"))
    );
    // Beyond the regression file: an average outside the half range.
    assert_eq!(
        avg(1, &[Some(1.0), Some(70_000.0)]),
        Err(error("\"70000\" is out of range for type halfvec"))
    );

    let accum = |n_dims: usize, elements: &[Option<f64>]| {
        AvgState::from_array("halfvec_accum", n_dims, elements)
            .and_then(|s| halfvec_accum(&s, &halfvec("[1,2,3]")))
            .map(|s| s.to_array())
            .map_err(shown)
    };
    let accum_state = || Err(error("halfvec_accum: expected state array"));
    assert_eq!(accum(1, &[Some(0.0)]), Ok(vec![1.0, 1.0, 2.0, 3.0]));
    assert_eq!(
        accum(1, &[Some(0.0), Some(0.0), Some(0.0), Some(0.0)]),
        Ok(vec![1.0, 1.0, 2.0, 3.0])
    );
    assert_eq!(accum(2, &[Some(0.0)]), accum_state());
    assert_eq!(accum(1, &[None]), accum_state());
    assert_eq!(accum(0, &[]), accum_state());
    assert_eq!(
        accum(1, &[Some(0.0), Some(0.0)]),
        Err(error("expected 1 dimensions, not 3"))
    );
}

#[test]
fn binary_format() {
    let value = halfvec("[1,-2.5,65504]");
    let bytes = value.to_binary();
    assert_eq!(bytes, [0, 3, 0, 0, 0x3c, 0x00, 0xc1, 0x00, 0x7b, 0xff]);
    assert_eq!(
        HalfVector::from_binary(&bytes, Typmod::NONE)
            .unwrap()
            .to_string(),
        "[1,-2.5,65504]"
    );
    let recv = |bytes: &[u8]| HalfVector::from_binary(bytes, Typmod::NONE).map_err(shown);
    assert_eq!(
        HalfVector::from_binary(&bytes, Typmod::new(4))
            .map_err(shown)
            .unwrap_err(),
        error("expected 4 dimensions, not 3")
    );
    assert_eq!(
        recv(&[0, 0, 0, 0]).unwrap_err(),
        error("halfvec must have at least 1 dimension")
    );
    assert_eq!(
        recv(&[0, 1, 0, 9, 0, 0]).unwrap_err(),
        error("expected unused to be 0, not 9")
    );
    assert_eq!(
        recv(&[0, 1, 0, 0, 0x7e, 0x00]).unwrap_err(),
        error("NaN not allowed in halfvec")
    );
    assert_eq!(
        recv(&[0, 1, 0, 0, 0xfc, 0x00]).unwrap_err(),
        error("infinite value not allowed in halfvec")
    );
    for len in 0..bytes.len() {
        assert_eq!(
            recv(&bytes[..len]).unwrap_err(),
            error("insufficient data left in message")
        );
    }
    assert_eq!(
        recv(&[0, 1, 0, 0, 0, 0, 0]).unwrap_err(),
        error("incorrect binary data format")
    );
}

fn finite_f16() -> impl Strategy<Value = f16> {
    any::<u16>()
        .prop_map(f16::from_bits)
        .prop_filter("finite", |value| value.is_finite())
}

proptest! {
    #[test]
    fn text_round_trips_bitwise(elements in prop::collection::vec(finite_f16(), 1..40)) {
        let value = HalfVector::new(elements.clone()).unwrap();
        let text = value.to_string();
        let parsed: HalfVector = text.parse().unwrap();
        let bits = |v: &[f16]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        prop_assert_eq!(bits(parsed.as_slice()), bits(&elements));
        prop_assert_eq!(parsed.to_string(), text);
    }

    #[test]
    fn binary_round_trips_bitwise(elements in prop::collection::vec(finite_f16(), 1..40)) {
        let value = HalfVector::new(elements).unwrap();
        let back = HalfVector::from_binary(&value.to_binary(), Typmod::NONE).unwrap();
        prop_assert_eq!(back.to_binary(), value.to_binary());
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(text in any::<String>()) {
        let _ = text.parse::<HalfVector>();
    }

    #[test]
    fn parsing_vector_like_text_never_panics(text in "[ \\[\\],0-9.eE+\\-xXpPinfaINFA()\t]{0,40}") {
        if let Ok(value) = text.parse::<HalfVector>() {
            let again: HalfVector = value.to_string().parse().unwrap();
            prop_assert_eq!(again.to_string(), value.to_string());
        }
    }

    #[test]
    fn receiving_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = HalfVector::from_binary(&bytes, Typmod::NONE);
    }

    #[test]
    fn receiving_into_used_storage_is_receiving(
        bits in prop::collection::vec(any::<u16>(), 1..40),
        old in prop::collection::vec(finite_f16(), 0..40),
        tail in prop::collection::vec(any::<u8>(), 0..3),
    ) {
        // A well-formed header, any element bits (NaN and infinities too), sometimes
        // bytes past the end.
        let mut bytes = (bits.len() as u16).to_be_bytes().to_vec();
        bytes.extend_from_slice(&[0, 0]);
        for element in &bits {
            bytes.extend_from_slice(&element.to_be_bytes());
        }
        bytes.extend_from_slice(&tail);
        let fresh = HalfVector::from_binary(&bytes, Typmod::NONE).map_err(shown);
        let reused = HalfVector::from_binary_in(&bytes, Typmod::NONE, old).map_err(shown);
        prop_assert_eq!(reused.map(|v| v.to_binary()), fresh.map(|v| v.to_binary()));
    }
}
