//! pgvector regression cases for `vector` (`vector_type.out`, the `vector` half of
//! `btree.out`), plus binary format checks and property tests of the text format.

use proptest::prelude::*;
use vec_types::float_text::{format_float4, format_float8};
use vec_types::vector::{vector_accum, vector_avg};
use vec_types::{AvgState, TypeError, Typmod, Vector, VectorAccumulator};

/// An error as psql shows it: the message and the DETAIL line, if any.
type Shown = (String, Option<String>);

fn shown(err: TypeError) -> Shown {
    (err.to_string(), err.detail())
}

fn error(message: &str) -> Shown {
    (message.to_string(), None)
}

fn vector(text: &str) -> Vector {
    text.parse()
        .unwrap_or_else(|err| panic!("{text:?} should parse: {err}"))
}

/// Runs `op` and renders its result as psql prints it, or its error.
fn render<T: ToString>(result: Result<T, TypeError>) -> Result<String, Shown> {
    result.map(|value| value.to_string()).map_err(shown)
}

fn state(elements: &[Option<f64>]) -> (usize, Vec<Option<f64>>) {
    (usize::from(!elements.is_empty()), elements.to_vec())
}

/// A `double precision[]` as psql prints it: `{1,1,2,3}`.
fn float8_array(values: &[f64]) -> String {
    let items: Vec<String> = values.iter().map(|v| format_float8(*v)).collect();
    format!("{{{}}}", items.join(","))
}

#[test]
fn text_input_and_output() {
    let syntax = |input: &str| {
        Err(error(&format!(
            "invalid input syntax for type vector: \"{input}\""
        )))
    };
    let with_detail = |input: &str, detail: &str| {
        Err((
            format!("invalid input syntax for type vector: \"{input}\""),
            Some(detail.to_string()),
        ))
    };
    let start_detail = "Vector contents must start with \"[\".";
    let cases: Vec<(&str, Result<String, Shown>)> = vec![
        ("[1,2,3]", Ok("[1,2,3]".into())),
        ("[-1,-2,-3]", Ok("[-1,-2,-3]".into())),
        ("[1.,2.,3.]", Ok("[1,2,3]".into())),
        (" [ 1,  2 ,    3  ] ", Ok("[1,2,3]".into())),
        ("[1.23456]", Ok("[1.23456]".into())),
        ("[hello,1]", syntax("[hello,1]")),
        ("[NaN,1]", Err(error("NaN not allowed in vector"))),
        (
            "[Infinity,1]",
            Err(error("infinite value not allowed in vector")),
        ),
        (
            "[-Infinity,1]",
            Err(error("infinite value not allowed in vector")),
        ),
        ("[1.5e38,-1.5e38]", Ok("[1.5e+38,-1.5e+38]".into())),
        ("[1.5e+38,-1.5e+38]", Ok("[1.5e+38,-1.5e+38]".into())),
        ("[1.5e-38,-1.5e-38]", Ok("[1.5e-38,-1.5e-38]".into())),
        (
            "[4e38,1]",
            Err(error("\"4e38\" is out of range for type vector")),
        ),
        (
            "[-4e38,1]",
            Err(error("\"-4e38\" is out of range for type vector")),
        ),
        ("[1e-46,1]", Ok("[0,1]".into())),
        ("[-1e-46,1]", Ok("[-0,1]".into())),
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
        ("[]", Err(error("vector must have at least 1 dimension"))),
        ("[ ]", Err(error("vector must have at least 1 dimension"))),
        ("[,]", syntax("[,]")),
        ("[1,]", syntax("[1,]")),
        ("[1a]", syntax("[1a]")),
        ("[1,,3]", syntax("[1,,3]")),
        ("[1, ,3]", syntax("[1, ,3]")),
    ];
    for (input, expected) in cases {
        assert_eq!(render(input.parse::<Vector>()), expected, "input {input:?}");
    }
}

#[test]
fn text_input_edge_cases() {
    // Tabs, newlines, vertical tabs and form feeds are C-locale whitespace.
    assert_eq!(vector("\t[\n1\x0b,\x0c2]\r\n").to_string(), "[1,2]");
    // strtof's other spellings.
    assert_eq!(vector("[0x1p3,1e0,+2,.5]").to_string(), "[8,1,2,0.5]");
    // Junk right after a number is a syntax error, without detail.
    assert_eq!(
        render("[1 2]".parse::<Vector>()),
        Err(error("invalid input syntax for type vector: \"[1 2]\""))
    );
    // Whitespace after the closing bracket is fine; anything else is junk.
    assert_eq!(
        render("[1] x".parse::<Vector>()).unwrap_err().1.as_deref(),
        Some("Junk after closing right brace.")
    );
    // The element count is checked while reading, before later syntax errors.
    let too_many = format!("[{}x]", "0,".repeat(16_000));
    assert_eq!(
        render(too_many.parse::<Vector>()),
        Err(error("vector cannot have more than 16000 dimensions"))
    );
    let max = format!("[{}0]", "0,".repeat(15_999));
    assert_eq!(vector(&max).dims(), 16_000);
    // Non-ASCII input is reported whole.
    assert_eq!(
        render("[1,é]".parse::<Vector>()),
        Err(error("invalid input syntax for type vector: \"[1,é]\""))
    );
}

#[test]
fn type_modifiers() {
    assert_eq!(
        render(Vector::parse_with_typmod("[1,2,3]", Typmod::new(3))),
        Ok("[1,2,3]".to_string())
    );
    assert_eq!(
        render(Vector::parse_with_typmod("[1,2,3]", Typmod::new(2))),
        Err(error("expected 2 dimensions, not 3"))
    );
    let typmod = |mods: &[i32]| Vector::typmod_in(mods).map_err(shown);
    assert_eq!(typmod(&[3]), Ok(Typmod::new(3)));
    assert_eq!(typmod(&[3, 2]), Err(error("invalid type modifier")));
    assert_eq!(
        typmod(&[0]),
        Err(error("dimensions for type vector must be at least 1"))
    );
    assert_eq!(
        typmod(&[16_001]),
        Err(error("dimensions for type vector cannot exceed 16000"))
    );
    assert_eq!(
        Typmod::from_text_modifiers("vector", Vector::MAX_DIM, &["a"]).map_err(shown),
        Err(error("invalid input syntax for type integer: \"a\""))
    );
    // SELECT unnest('{"[1,2,3]", "[4,5,6]"}'::vector[]) and '{"[1,2,3]"}'::vector(2)[].
    let elements = ["[1,2,3]", "[4,5,6]"].map(|text| vector(text).to_string());
    assert_eq!(elements, ["[1,2,3]", "[4,5,6]"]);
    assert_eq!(
        vector("[1,2,3]")
            .check_typmod(Typmod::new(2))
            .map_err(shown),
        Err(error("expected 2 dimensions, not 3"))
    );
    assert_eq!(vector("[1,2,3]").check_typmod(Typmod::NONE), Ok(()));
}

#[test]
fn arithmetic_operators() {
    let different = || Err(error("different vector dimensions 2 and 1"));
    let overflow = || Err(error("value out of range: overflow"));
    type Op = fn(&Vector, &Vector) -> Result<Vector, TypeError>;
    let cases: Vec<(&str, Op, &str, Result<String, Shown>)> = vec![
        ("[1,2,3]", |a, b| a + b, "[4,5,6]", Ok("[5,7,9]".into())),
        ("[3e38]", |a, b| a + b, "[3e38]", overflow()),
        ("[1,2]", |a, b| a + b, "[3]", different()),
        ("[1,2,3]", |a, b| a - b, "[4,5,6]", Ok("[-3,-3,-3]".into())),
        ("[-3e38]", |a, b| a - b, "[3e38]", overflow()),
        ("[1,2]", |a, b| a - b, "[3]", different()),
        ("[1,2,3]", |a, b| a * b, "[4,5,6]", Ok("[4,10,18]".into())),
        ("[1e37]", |a, b| a * b, "[1e37]", overflow()),
        (
            "[1e-37]",
            |a, b| a * b,
            "[1e-37]",
            Err(error("value out of range: underflow")),
        ),
        ("[1,2]", |a, b| a * b, "[3]", different()),
        ("[0,-0]", |a, b| a * b, "[1e-37,5]", Ok("[0,-0]".into())),
        ("[1,2,3]", Vector::concat, "[4,5]", Ok("[1,2,3,4,5]".into())),
    ];
    for (left, op, right, expected) in cases {
        assert_eq!(
            render(op(&vector(left), &vector(right))),
            expected,
            "{left} op {right}"
        );
    }
    let zeros = Vector::new(vec![0.0; 16_000]).unwrap();
    assert_eq!(
        render(zeros.concat(&vector("[1]"))),
        Err(error("vector cannot have more than 16000 dimensions"))
    );
}

#[test]
fn comparison_operators() {
    // The six operators of vector_type.out / halfvec.out, each against an equal value
    // and against a shorter prefix.
    let (a, same, prefix) = (vector("[1,2,3]"), vector("[1,2,3]"), vector("[1,2]"));
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
        let ordering = vector(left).compare(&vector(right)) as i32;
        assert_eq!(ordering, expected, "vector_cmp({left}, {right})");
    }
}

#[test]
fn btree_ordering() {
    // btree.out: ORDER BY val, and an equality lookup.
    let mut rows = ["[0,0,0]", "[1,2,3]", "[1,1,1]"].map(vector).to_vec();
    rows.sort();
    let printed: Vec<String> = rows.iter().map(Vector::to_string).collect();
    assert_eq!(printed, ["[0,0,0]", "[1,1,1]", "[1,2,3]"]);
    let found: Vec<&Vector> = rows.iter().filter(|v| **v == vector("[1,2,3]")).collect();
    assert_eq!(found.len(), 1);
    // Equal values hash alike, including signed zeros.
    use std::collections::HashSet;
    let set: HashSet<Vector> = ["[0,1]", "[-0,1]"].map(vector).into_iter().collect();
    assert_eq!(set.len(), 1);
}

#[test]
fn dims_and_norms() {
    assert_eq!(vector("[1,2,3]").dims(), 3);
    assert_eq!(format!("{:.5}", vector("[1,1]").norm()), "1.41421");
    let norms = [("[3,4]", "5"), ("[0,1]", "1"), ("[0,0]", "0"), ("[2]", "2")];
    for (input, expected) in norms {
        assert_eq!(
            format_float8(vector(input).norm()),
            expected,
            "norm {input}"
        );
    }
    // vector_norm('[3e37,4e37]')::real
    assert_eq!(format_float4(vector("[3e37,4e37]").norm() as f32), "5e+37");
}

#[test]
fn distance_functions() {
    type Distance = fn(&Vector, &Vector) -> Result<f64, TypeError>;
    let l2: Distance = Vector::l2_distance;
    let ip: Distance = Vector::inner_product;
    let neg_ip: Distance = Vector::negative_inner_product;
    let cosine: Distance = Vector::cosine_distance;
    let l1: Distance = Vector::l1_distance;
    let l2_squared: Distance = Vector::l2_squared_distance;
    let different = || Err(error("different vector dimensions 2 and 1"));
    let cases: Vec<(Distance, &str, &str, Result<&str, Shown>)> = vec![
        (l2, "[0,0]", "[3,4]", Ok("5")),
        (l2, "[0,0]", "[0,1]", Ok("1")),
        (l2, "[1,2]", "[3]", different()),
        (l2, "[3e38]", "[-3e38]", Ok("Infinity")),
        (l2, "[1,1,1,1,1,1,1,1,1]", "[1,1,1,1,1,1,1,4,5]", Ok("5")),
        (l2_squared, "[0,0]", "[3,4]", Ok("25")),
        (l2_squared, "[1,2]", "[3]", different()),
        (ip, "[1,2]", "[3,4]", Ok("11")),
        (ip, "[1,2]", "[3]", different()),
        (ip, "[3e38]", "[3e38]", Ok("Infinity")),
        (ip, "[1,1,1,1,1,1,1,1,1]", "[1,2,3,4,5,6,7,8,9]", Ok("45")),
        (neg_ip, "[1,2]", "[3,4]", Ok("-11")),
        (neg_ip, "[1,2]", "[3]", different()),
        (cosine, "[1,2]", "[2,4]", Ok("0")),
        (cosine, "[1,2]", "[0,0]", Ok("NaN")),
        (cosine, "[1,1]", "[1,1]", Ok("0")),
        (cosine, "[1,0]", "[0,2]", Ok("1")),
        (cosine, "[1,1]", "[-1,-1]", Ok("2")),
        (cosine, "[1,2]", "[3]", different()),
        (cosine, "[1,1]", "[1.1,1.1]", Ok("0")),
        (cosine, "[1,1]", "[-1.1,-1.1]", Ok("2")),
        (cosine, "[3e38]", "[3e38]", Ok("NaN")),
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
        (l1, "[3e38]", "[-3e38]", Ok("Infinity")),
        (l1, "[1,2,3,4,5,6,7,8,9]", "[1,2,3,4,5,6,7,8,9]", Ok("0")),
        (l1, "[1,2,3,4,5,6,7,8,9]", "[0,3,2,5,4,7,6,9,8]", Ok("9")),
    ];
    for (distance, left, right, expected) in cases {
        let result = distance(&vector(left), &vector(right)).map(format_float8);
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
        ("[3,4]", "[0.6,0.8]"),
        ("[3,0]", "[1,0]"),
        ("[0,0.1]", "[0,1]"),
        ("[0,0]", "[0,0]"),
        ("[3e38]", "[1]"),
        // Beyond the regression file: pgvector returns a fresh zero vector.
        ("[-0,0]", "[0,0]"),
    ];
    for (input, expected) in normalized {
        assert_eq!(
            render(vector(input).l2_normalize()),
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
        assert_eq!(vector(input).binary_quantize().to_string(), expected);
    }
    let empty = || Err(error("vector must have at least 1 dimension"));
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
    let five = vector("[1,2,3,4,5]");
    for (start, count, expected) in subvectors {
        assert_eq!(
            render(five.subvector(start, count)),
            expected,
            "subvector({start}, {count})"
        );
    }
}

fn accumulate(rows: &[Option<&str>]) -> VectorAccumulator {
    let mut acc = VectorAccumulator::new();
    // SQL aggregates skip NULL rows.
    for row in rows.iter().flatten() {
        acc.add(&vector(row));
    }
    acc
}

fn render_opt(result: Result<Option<Vector>, TypeError>) -> Result<String, Shown> {
    result
        .map(|value| value.map_or_else(String::new, |v| v.to_string()))
        .map_err(shown)
}

#[test]
fn avg_and_sum_aggregates() {
    let two = [Some("[1,2,3]"), Some("[3,5,7]")];
    let with_null = [Some("[1,2,3]"), Some("[3,5,7]"), None];
    let mismatched = [Some("[1,2]"), Some("[3]")];
    let huge = [Some("[3e38]"), Some("[3e38]")];
    let avg = |rows: &[Option<&str>]| render_opt(accumulate(rows).avg());
    let sum = |rows: &[Option<&str>]| render_opt(accumulate(rows).sum());
    assert_eq!(avg(&two), Ok("[2,3.5,5]".into()));
    assert_eq!(avg(&with_null), Ok("[2,3.5,5]".into()));
    assert_eq!(avg(&[]), Ok(String::new()));
    assert_eq!(avg(&mismatched), Err(error("expected 2 dimensions, not 1")));
    assert_eq!(avg(&huge), Ok("[3e+38]".into()));
    assert_eq!(sum(&two), Ok("[4,7,10]".into()));
    assert_eq!(sum(&with_null), Ok("[4,7,10]".into()));
    assert_eq!(sum(&[]), Ok(String::new()));
    assert_eq!(
        sum(&mismatched),
        Err(error("different vector dimensions 2 and 1"))
    );
    assert_eq!(sum(&huge), Err(error("value out of range: overflow")));
}

#[test]
fn aggregates_merge_partial_states() {
    let mut left = accumulate(&[Some("[1,2,3]")]);
    let right = accumulate(&[Some("[3,5,7]")]);
    left.merge(&right);
    assert_eq!(render_opt(left.avg()), Ok("[2,3.5,5]".into()));
    assert_eq!(render_opt(left.sum()), Ok("[4,7,10]".into()));
    assert_eq!(
        float8_array(&left.avg_state().unwrap().to_array()),
        "{2,4,7,10}"
    );
    let mut empty = VectorAccumulator::new();
    empty.merge(&right);
    assert_eq!(render_opt(empty.avg()), Ok("[3,5,7]".into()));
    let mut mismatched = accumulate(&[Some("[1,2]")]);
    mismatched.merge(&right);
    assert_eq!(
        render_opt(mismatched.avg()),
        Err(error("expected 2 dimensions, not 3"))
    );
    assert_eq!(
        render_opt(mismatched.sum()),
        Err(error("different vector dimensions 2 and 3"))
    );
}

#[test]
fn vector_avg_function() {
    let run = |n_dims: usize, elements: &[Option<f64>]| {
        render_opt(
            AvgState::from_array("vector_avg", n_dims, elements).and_then(|s| vector_avg(&s)),
        )
    };
    let expected_state = || Err(error("vector_avg: expected state array"));
    let (n, values) = state(&[Some(2.0), Some(2.0), Some(4.0), Some(6.0)]);
    assert_eq!(run(n, &values), Ok("[1,2,3]".into()));
    assert_eq!(run(1, &[Some(0.0)]), Ok(String::new()));
    assert_eq!(
        run(1, &[Some(1.0)]),
        Err(error("vector must have at least 1 dimension"))
    );
    assert_eq!(
        run(2, &[Some(2.0), Some(2.0), Some(4.0), Some(6.0)]),
        expected_state()
    );
    assert_eq!(
        run(1, &[None, Some(2.0), Some(4.0), Some(6.0)]),
        expected_state()
    );
    assert_eq!(run(0, &[]), expected_state());
    // vector_avg(array_agg(n)) FROM generate_series(1, 16002) n
    let big: Vec<Option<f64>> = (1..=16_002).map(|n| Some(f64::from(n))).collect();
    assert_eq!(
        run(1, &big),
        Err(error("vector cannot have more than 16000 dimensions"))
    );
}

#[test]
fn vector_accum_function() {
    let run = |n_dims: usize, elements: &[Option<f64>]| {
        AvgState::from_array("vector_accum", n_dims, elements)
            .and_then(|s| vector_accum(&s, &vector("[1,2,3]")))
            .map(|s| float8_array(&s.to_array()))
            .map_err(shown)
    };
    let expected_state = || Err(error("vector_accum: expected state array"));
    assert_eq!(run(1, &[Some(0.0)]), Ok("{1,1,2,3}".into()));
    assert_eq!(
        run(1, &[Some(0.0), Some(0.0), Some(0.0), Some(0.0)]),
        Ok("{1,1,2,3}".into())
    );
    assert_eq!(run(2, &[Some(0.0)]), expected_state());
    assert_eq!(run(1, &[None]), expected_state());
    assert_eq!(run(0, &[]), expected_state());
    assert_eq!(
        run(1, &[Some(0.0), Some(0.0)]),
        Err(error("expected 1 dimensions, not 3"))
    );
}

#[test]
fn vector_combine_function() {
    let parse = |(n_dims, elements): (usize, Vec<Option<f64>>)| {
        AvgState::from_array("vector_combine", n_dims, &elements)
    };
    let run = |left: (usize, Vec<Option<f64>>), right: (usize, Vec<Option<f64>>)| {
        let left = parse(left);
        let right = parse(right);
        left.and_then(|l| right.and_then(|r| l.combine(&r)))
            .map(|s| float8_array(&s.to_array()))
            .map_err(shown)
    };
    let arr = |values: &[Option<f64>]| state(values);
    let nested = |values: &[Option<f64>]| (2, values.to_vec());
    let expected_state = || Err(error("vector_combine: expected state array"));
    let too_many = || Err(error("vector cannot have more than 16000 dimensions"));
    let (one, two, three, four, five) = (Some(1.0), Some(2.0), Some(3.0), Some(4.0), Some(5.0));
    assert_eq!(
        run(arr(&[one, two]), arr(&[three, four])),
        Ok("{4,6}".into())
    );
    assert_eq!(
        run(arr(&[one, two]), arr(&[three, four, five])),
        Err(error("expected 1 dimensions, not 2"))
    );
    assert_eq!(
        run(nested(&[one, two]), arr(&[three, four])),
        expected_state()
    );
    assert_eq!(
        run(arr(&[one, two]), nested(&[three, four])),
        expected_state()
    );
    assert_eq!(
        run(arr(&[None, two]), arr(&[three, four])),
        expected_state()
    );
    assert_eq!(run(arr(&[one, two]), arr(&[three, None])), expected_state());
    assert_eq!(run(arr(&[]), arr(&[Some(0.0)])), expected_state());
    assert_eq!(run(arr(&[Some(0.0)]), arr(&[])), expected_state());
    assert_eq!(run(arr(&[Some(0.0)]), arr(&[Some(0.0)])), Ok("{0}".into()));
    let big: Vec<Option<f64>> = (1..=16_002).map(|n| Some(f64::from(n))).collect();
    assert_eq!(run(arr(&[Some(0.0)]), arr(&big)), too_many());
    assert_eq!(run(arr(&big), arr(&[Some(0.0)])), too_many());
    assert_eq!(run(arr(&big), arr(&big)), too_many());
}

#[test]
fn binary_format() {
    let value = vector("[1,-2.5,3e38]");
    let bytes = value.to_binary();
    let mut expected = vec![0, 3, 0, 0];
    for element in [1.0f32, -2.5, 3e38] {
        expected.extend_from_slice(&element.to_be_bytes());
    }
    assert_eq!(bytes, expected);
    assert_eq!(
        Vector::from_binary(&bytes, Typmod::NONE)
            .unwrap()
            .to_string(),
        "[1,-2.5,3e+38]"
    );

    let recv = |bytes: &[u8], typmod| Vector::from_binary(bytes, typmod).map_err(shown);
    assert_eq!(
        recv(&bytes, Typmod::new(2)).unwrap_err(),
        error("expected 2 dimensions, not 3")
    );
    assert_eq!(
        recv(&[0, 0, 0, 0], Typmod::NONE).unwrap_err(),
        error("vector must have at least 1 dimension")
    );
    assert_eq!(
        recv(&[0x3e, 0x81, 0, 0], Typmod::NONE).unwrap_err(),
        error("vector cannot have more than 16000 dimensions")
    );
    let mut unused = bytes.clone();
    unused[3] = 7;
    assert_eq!(
        recv(&unused, Typmod::NONE).unwrap_err(),
        error("expected unused to be 0, not 7")
    );
    let mut nan = vec![0, 1, 0, 0];
    nan.extend_from_slice(&f32::NAN.to_be_bytes());
    assert_eq!(
        recv(&nan, Typmod::NONE).unwrap_err(),
        error("NaN not allowed in vector")
    );
    let mut inf = vec![0, 1, 0, 0];
    inf.extend_from_slice(&f32::NEG_INFINITY.to_be_bytes());
    assert_eq!(
        recv(&inf, Typmod::NONE).unwrap_err(),
        error("infinite value not allowed in vector")
    );
    for len in 0..bytes.len() {
        assert_eq!(
            recv(&bytes[..len], Typmod::NONE).unwrap_err(),
            error("insufficient data left in message"),
            "truncated to {len} bytes"
        );
    }
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert_eq!(
        recv(&trailing, Typmod::NONE).unwrap_err(),
        error("incorrect binary data format")
    );
}

#[test]
fn constructor_checks_elements() {
    assert_eq!(
        Vector::new(vec![1.0, f32::NAN]).map_err(shown).unwrap_err(),
        error("NaN not allowed in vector")
    );
    assert_eq!(
        Vector::new(vec![]).map_err(shown).unwrap_err(),
        error("vector must have at least 1 dimension")
    );
    assert_eq!(Vector::new(vec![1.5]).unwrap().into_vec(), vec![1.5]);
}

fn finite_f32() -> impl Strategy<Value = f32> {
    any::<u32>()
        .prop_map(f32::from_bits)
        .prop_filter("finite", |value| value.is_finite())
}

proptest! {
    #[test]
    fn text_round_trips_bitwise(elements in prop::collection::vec(finite_f32(), 1..40)) {
        let value = Vector::new(elements.clone()).unwrap();
        let text = value.to_string();
        let parsed: Vector = text.parse().unwrap();
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        prop_assert_eq!(bits(parsed.as_slice()), bits(&elements));
        prop_assert_eq!(parsed.to_string(), text);
    }

    #[test]
    fn binary_round_trips_bitwise(elements in prop::collection::vec(finite_f32(), 1..40)) {
        let value = Vector::new(elements).unwrap();
        let back = Vector::from_binary(&value.to_binary(), Typmod::NONE).unwrap();
        prop_assert_eq!(back.to_binary(), value.to_binary());
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(text in any::<String>()) {
        let _ = text.parse::<Vector>();
    }

    #[test]
    fn parsing_vector_like_text_never_panics(text in "[ \\[\\],0-9.eE+\\-xXpPinfaINFA()\t]{0,40}") {
        if let Ok(value) = text.parse::<Vector>() {
            // Whatever parses prints and parses back to the same value.
            let again: Vector = value.to_string().parse().unwrap();
            prop_assert_eq!(again.to_string(), value.to_string());
        }
    }

    #[test]
    fn receiving_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = Vector::from_binary(&bytes, Typmod::NONE);
    }

    #[test]
    fn receiving_into_used_storage_is_receiving(
        bytes in prop::collection::vec(any::<u8>(), 0..64),
        old in prop::collection::vec(finite_f32(), 0..40),
    ) {
        let fresh = Vector::from_binary(&bytes, Typmod::NONE).map_err(shown);
        let reused = Vector::from_binary_in(&bytes, Typmod::NONE, old).map_err(shown);
        prop_assert_eq!(reused.map(|v| v.to_binary()), fresh.map(|v| v.to_binary()));
    }

    #[test]
    fn receiving_any_element_bits_into_used_storage_is_receiving(
        bits in prop::collection::vec(any::<u32>(), 1..40),
        old in prop::collection::vec(finite_f32(), 0..40),
    ) {
        let mut bytes = (bits.len() as u16).to_be_bytes().to_vec();
        bytes.extend_from_slice(&[0, 0]);
        for element in &bits {
            bytes.extend_from_slice(&element.to_be_bytes());
        }
        let fresh = Vector::from_binary(&bytes, Typmod::NONE).map_err(shown);
        let reused = Vector::from_binary_in(&bytes, Typmod::NONE, old).map_err(shown);
        prop_assert_eq!(reused.map(|v| v.to_binary()), fresh.map(|v| v.to_binary()));
    }
}

#[test]
fn sqlstates_match_postgres() {
    let codes = [
        ("[1,", "22P02"),
        ("[NaN]", "22000"),
        ("[]", "22000"),
        ("[4e38]", "22003"),
    ];
    for (input, code) in codes {
        assert_eq!(
            input.parse::<Vector>().unwrap_err().sqlstate(),
            code,
            "{input}"
        );
    }
    let too_many = Vector::new(vec![0.0; 16_001]).unwrap_err();
    assert_eq!(too_many.sqlstate(), "54000");
    assert_eq!(TypeError::ArrayContainsNulls.sqlstate(), "22004");
    assert_eq!(Vector::typmod_in(&[0]).unwrap_err().sqlstate(), "22023");
    let different = vector("[1]").l2_distance(&vector("[1,2]")).unwrap_err();
    assert_eq!(different.sqlstate(), "22000");
}
