//! pgvector regression cases for `sparsevec` (`sparsevec.out`, the `sparsevec` parts of
//! `btree.out` and `copy.out`): input and output text, errors with their DETAIL lines,
//! type modifiers, comparison operators and the binary format. Norms and distances are in
//! `sparsevec_functions`.

use std::cmp::Ordering;

use proptest::prelude::*;
use vec_types::{SparseVector, Typmod};

fn sv(text: &str) -> SparseVector {
    text.parse()
        .unwrap_or_else(|err| panic!("{text:?} should parse: {err}"))
}

/// The error of parsing `text`, as (message, DETAIL).
fn parse_error(text: &str) -> (String, Option<String>) {
    let err = text
        .parse::<SparseVector>()
        .expect_err(&format!("{text:?} should not parse"));
    (err.to_string(), err.detail())
}

#[test]
fn input_and_output() {
    let cases = [
        ("{1:1.5,3:3.5}/5", "{1:1.5,3:3.5}/5"),
        ("{1:-2,3:-4}/5", "{1:-2,3:-4}/5"),
        ("{1:2.,3:4.}/5", "{1:2,3:4}/5"),
        (" { 1 : 1.5 ,  3  :  3.5  } / 5 ", "{1:1.5,3:3.5}/5"),
        ("{1:1.23456}/1", "{1:1.23456}/1"),
        ("{1:1.5e38,2:-1.5e38}/2", "{1:1.5e+38,2:-1.5e+38}/2"),
        ("{1:1.5e+38,2:-1.5e+38}/2", "{1:1.5e+38,2:-1.5e+38}/2"),
        ("{1:1.5e-38,2:-1.5e-38}/2", "{1:1.5e-38,2:-1.5e-38}/2"),
        ("{}/1", "{}/1"),
        ("{ }/1", "{}/1"),
        ("{1:0,2:1,3:0}/3", "{2:1}/3"),
        ("{2:1,1:1}/2", "{1:1,2:1}/2"),
        ("{}/5", "{}/5"),
        ("{}/1000000000", "{}/1000000000"),
    ];
    for (input, output) in cases {
        assert_eq!(sv(input).to_string(), output, "input {input:?}");
    }
}

#[test]
fn input_errors() {
    const SYNTAX: &str = "invalid input syntax for type sparsevec";
    let syntax = |input: &str| format!("{SYNTAX}: \"{input}\"");
    let no_detail_syntax = [
        "{1:hello,2:1}/2",
        "{",
        "{ ",
        "{:",
        "{,",
        "{}/",
        "{:}/1",
        "{,}/1",
        "{1,}/1",
        "{:1}/1",
        "{1:}/1",
        "{1a:1}/1",
        "{1:1a}/1",
        "{1:1,}/1",
    ];
    for input in no_detail_syntax {
        assert_eq!(parse_error(input), (syntax(input), None), "input {input:?}");
    }
    let with_detail = [
        ("", "Vector contents must start with \"{\"."),
        ("{}", "Unexpected end of input."),
        ("{}/1a", "Junk after closing."),
    ];
    for (input, detail) in with_detail {
        assert_eq!(
            parse_error(input),
            (syntax(input), Some(detail.to_string())),
            "input {input:?}"
        );
    }

    let other = [
        ("{1:NaN,2:1}/2", "NaN not allowed in sparsevec"),
        (
            "{1:Infinity,2:1}/2",
            "infinite value not allowed in sparsevec",
        ),
        (
            "{1:-Infinity,2:1}/2",
            "infinite value not allowed in sparsevec",
        ),
        (
            "{1:4e38,2:1}/2",
            "\"4e38\" is out of range for type sparsevec",
        ),
        (
            "{1:-4e38,2:1}/2",
            "\"-4e38\" is out of range for type sparsevec",
        ),
        (
            "{1:1e-46,2:1}/2",
            "\"1e-46\" is out of range for type sparsevec",
        ),
        (
            "{1:-1e-46,2:1}/2",
            "\"-1e-46\" is out of range for type sparsevec",
        ),
        (
            "{1:1,1:1}/2",
            "sparsevec indices must not contain duplicates",
        ),
        (
            "{1:1,2:1,1:1}/2",
            "sparsevec indices must not contain duplicates",
        ),
        ("{}/-1", "sparsevec must have at least 1 dimension"),
        (
            "{}/1000000001",
            "sparsevec cannot have more than 1000000000 dimensions",
        ),
        (
            "{}/2147483648",
            "sparsevec cannot have more than 1000000000 dimensions",
        ),
        ("{}/-2147483649", "sparsevec must have at least 1 dimension"),
        (
            "{}/9223372036854775808",
            "sparsevec cannot have more than 1000000000 dimensions",
        ),
        (
            "{}/-9223372036854775809",
            "sparsevec must have at least 1 dimension",
        ),
        ("{2147483647:1}/1", "sparsevec index out of bounds"),
        ("{2147483648:1}/1", "sparsevec index out of bounds"),
        ("{-2147483648:1}/1", "sparsevec index out of bounds"),
        ("{-2147483649:1}/1", "sparsevec index out of bounds"),
        ("{0:1}/1", "sparsevec index out of bounds"),
        ("{2:1}/1", "sparsevec index out of bounds"),
    ];
    for (input, message) in other {
        assert_eq!(
            parse_error(input),
            (message.to_string(), None),
            "input {input:?}"
        );
    }
}

#[test]
fn too_many_elements_is_checked_first() {
    let elements: Vec<String> = (1..=16_001).map(|i| format!("{i}:1")).collect();
    let text = format!("{{{}}}/16001", elements.join(","));
    assert_eq!(
        parse_error(&text).0,
        "sparsevec cannot have more than 16000 non-zero elements"
    );
    let elements: Vec<String> = (1..=16_000).map(|i| format!("{i}:1")).collect();
    let text = format!("{{{}}}/16000", elements.join(","));
    assert_eq!(sv(&text).nnz(), 16_000);
}

#[test]
fn type_modifiers() {
    let parse = |text: &str, typmod| {
        SparseVector::parse_with_typmod(text, typmod).map(|value| value.to_string())
    };
    assert_eq!(parse("{}/3", Typmod::new(3)).unwrap(), "{}/3");
    assert_eq!(
        parse("{}/3", Typmod::new(2)).unwrap_err().to_string(),
        "expected 2 dimensions, not 3"
    );
    assert_eq!(
        sv("{}/3")
            .check_typmod(Typmod::new(2))
            .unwrap_err()
            .to_string(),
        "expected 2 dimensions, not 3"
    );
    let typmod_error =
        |modifiers: &[i32]| SparseVector::typmod_in(modifiers).unwrap_err().to_string();
    assert_eq!(SparseVector::typmod_in(&[3]), Ok(Typmod::new(3)));
    assert_eq!(typmod_error(&[3, 2]), "invalid type modifier");
    assert_eq!(
        typmod_error(&[0]),
        "dimensions for type sparsevec must be at least 1"
    );
    assert_eq!(
        typmod_error(&[1_000_000_001]),
        "dimensions for type sparsevec cannot exceed 1000000000"
    );
    let text_error = Typmod::from_text_modifiers("sparsevec", 1_000_000_000, &["a"]).unwrap_err();
    assert_eq!(
        text_error.to_string(),
        "invalid input syntax for type integer: \"a\""
    );
}

#[test]
fn comparison_operators() {
    let full = sv("{1:1,2:2,3:3}/3");
    let same = full.clone();
    let short = sv("{1:1,2:2}/2");
    // (operator, left op same, left op short), as `sparsevec.out` prints them.
    let rows = [
        ("<", full < same, full < short, ["f", "f"]),
        ("<=", full <= same, full <= short, ["t", "f"]),
        ("=", full == same, full == short, ["t", "f"]),
        ("!=", full != same, full != short, ["f", "t"]),
        (">=", full >= same, full >= short, ["t", "t"]),
        (">", full > same, full > short, ["f", "t"]),
    ];
    let psql = |value: bool| if value { "t" } else { "f" };
    for (operator, with_same, with_short, expected) in rows {
        assert_eq!(
            [psql(with_same), psql(with_short)],
            expected,
            "operator {operator}"
        );
    }
}

#[test]
fn sparsevec_cmp() {
    let cases = [
        ("{1:1,2:2,3:3}/3", "{1:1,2:2,3:3}/3", Ordering::Equal),
        ("{1:1,2:2,3:3}/3", "{}/3", Ordering::Greater),
        ("{}/3", "{1:1,2:2,3:3}/3", Ordering::Less),
        ("{1:1,2:2}/2", "{1:1,2:2,3:3}/3", Ordering::Less),
        ("{1:1,2:2,3:3}/3", "{1:1,2:2}/2", Ordering::Greater),
        ("{1:1,2:2}/2", "{1:2,2:3,3:4}/3", Ordering::Less),
        ("{1:2,2:3}/2", "{1:1,2:2,3:3}/3", Ordering::Greater),
        // Not in the regression file: a negative element sorts below zero.
        ("{1:-1}/2", "{}/2", Ordering::Less),
        ("{2:1}/2", "{1:1}/2", Ordering::Less),
        ("{2:-1}/3", "{3:1}/3", Ordering::Less),
    ];
    for (left, right, expected) in cases {
        assert_eq!(sv(left).cmp(&sv(right)), expected, "{left} vs {right}");
    }
}

#[test]
fn btree_order() {
    let mut rows = [sv("{}/3"), sv("{1:1,2:2,3:3}/3"), sv("{1:1,2:1,3:1}/3")];
    rows.sort();
    let printed: Vec<String> = rows.iter().map(ToString::to_string).collect();
    assert_eq!(printed, ["{}/3", "{1:1,2:1,3:1}/3", "{1:1,2:2,3:3}/3"]);
    let matches: Vec<&SparseVector> = rows
        .iter()
        .filter(|row| **row == sv("{1:1,2:2,3:3}/3"))
        .collect();
    assert_eq!(matches.len(), 1);
}

#[test]
fn copy_binary_round_trip() {
    let rows = [sv("{}/3"), sv("{1:1,2:2,3:3}/3"), sv("{1:1,2:1,3:1}/3")];
    let mut copied: Vec<SparseVector> = rows
        .iter()
        .map(|row| SparseVector::from_binary(&row.to_binary(), Typmod::new(3)).unwrap())
        .collect();
    copied.sort();
    let printed: Vec<String> = copied.iter().map(ToString::to_string).collect();
    assert_eq!(printed, ["{}/3", "{1:1,2:1,3:1}/3", "{1:1,2:2,3:3}/3"]);
}

#[test]
fn entries_constructor_follows_input_rules() {
    let built = SparseVector::from_entries(5, [(4, 3.0), (0, 1.0), (2, 0.0)]).unwrap();
    assert_eq!(built.to_string(), "{1:1,5:3}/5");
    let err = SparseVector::from_entries(5, [(5, 1.0)]).unwrap_err();
    assert_eq!(err.to_string(), "sparsevec index out of bounds");
    let err = SparseVector::from_entries(5, [(1, 1.0), (1, 2.0)]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "sparsevec indices must not contain duplicates"
    );
    let err = SparseVector::from_entries(5, [(1, f32::NAN)]).unwrap_err();
    assert_eq!(err.to_string(), "NaN not allowed in sparsevec");
}

/// A valid sparse vector: dimensions, then distinct indices below them with finite,
/// non-zero values.
fn arb_sparsevec() -> impl Strategy<Value = SparseVector> {
    prop_oneof![1usize..64, 1usize..=1_000_000_000]
        .prop_flat_map(|dims| {
            let value =
                any::<f32>().prop_filter("finite, non-zero", |v| v.is_finite() && *v != 0.0);
            let max_nnz = dims.min(40);
            (
                Just(dims),
                proptest::collection::btree_map(0..dims, value, 0..=max_nnz),
            )
        })
        .prop_map(|(dims, entries)| SparseVector::from_entries(dims, entries).unwrap())
}

proptest! {
    #[test]
    fn text_round_trips(vector in arb_sparsevec()) {
        let text = vector.to_string();
        prop_assert_eq!(text.parse::<SparseVector>().unwrap(), vector);
    }

    #[test]
    fn binary_round_trips(vector in arb_sparsevec()) {
        let decoded = SparseVector::from_binary(&vector.to_binary(), Typmod::NONE).unwrap();
        prop_assert_eq!(decoded, vector);
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(text in any::<String>()) {
        let _ = text.parse::<SparseVector>();
    }

    #[test]
    fn parsing_near_miss_text_never_panics(text in "[ {}/:,0-9.eE+\\-xXpPnaifNI]{0,40}") {
        if let Ok(vector) = text.parse::<SparseVector>() {
            // Whatever parses prints as text that parses to the same value.
            prop_assert_eq!(vector.to_string().parse::<SparseVector>().unwrap(), vector);
        }
    }

    #[test]
    fn receiving_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = SparseVector::from_binary(&bytes, Typmod::NONE);
    }

    #[test]
    fn ordering_is_antisymmetric(left in arb_sparsevec(), right in arb_sparsevec()) {
        prop_assert_eq!(left.cmp(&right), right.cmp(&left).reverse());
        prop_assert_eq!(left.cmp(&right) == Ordering::Equal, left == right);
    }
}
