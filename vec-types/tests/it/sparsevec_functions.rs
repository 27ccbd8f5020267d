//! pgvector regression cases for the `sparsevec` functions of `sparsevec.out`: `l2_norm`,
//! `l2_normalize` and the distances behind `<->`, `<#>`, `<=>` and `<+>`. Results are
//! checked as psql prints them (`double precision`, or `real` after a cast).

use vec_types::float_text::{format_float4, format_float8};
use vec_types::{SparseVector, TypeError};

fn sv(text: &str) -> SparseVector {
    text.parse()
        .unwrap_or_else(|err| panic!("{text:?} should parse: {err}"))
}

#[test]
fn norms() {
    assert_eq!(format!("{:.5}", sv("{1:1,2:1}/2").l2_norm()), "1.41421");
    assert_eq!(format_float8(sv("{1:3,2:4}/2").l2_norm()), "5");
    assert_eq!(format_float8(sv("{2:1}/2").l2_norm()), "1");
    assert_eq!(
        format_float4(sv("{1:3e37,2:4e37}/2").l2_norm() as f32),
        "5e+37"
    );
    assert_eq!(format_float8(sv("{}/2").l2_norm()), "0");
    assert_eq!(format_float8(sv("{1:2}/1").l2_norm()), "2");
}

#[test]
fn l2_normalize() {
    let cases = [
        ("{1:3,2:4}/2", "{1:0.6,2:0.8}/2"),
        ("{1:3}/2", "{1:1}/2"),
        ("{2:0.1}/2", "{2:1}/2"),
        ("{}/2", "{}/2"),
        ("{1:3e38}/1", "{1:1}/1"),
        ("{1:3e38,2:1e-37}/2", "{1:1}/2"),
        ("{2:3e37,4:3e-37,6:4e37,8:4e-37}/9", "{2:0.6,6:0.8}/9"),
    ];
    for (input, output) in cases {
        assert_eq!(
            sv(input).l2_normalize().unwrap().to_string(),
            output,
            "input {input}"
        );
    }
}

type Distance = fn(&SparseVector, &SparseVector) -> Result<f64, TypeError>;

/// Checks `(left, right, printed result or error message)` rows for one distance.
fn check_distance(name: &str, distance: Distance, cases: &[(&str, &str, &str)]) {
    for (left, right, expected) in cases {
        let printed = match distance(&sv(left), &sv(right)) {
            Ok(value) => format_float8(value),
            Err(err) => err.to_string(),
        };
        assert_eq!(printed, *expected, "{name}('{left}', '{right}')");
    }
}

#[test]
fn l2_distance() {
    check_distance(
        "l2_distance",
        SparseVector::l2_distance,
        &[
            ("{}/2", "{1:3,2:4}/2", "5"),
            ("{1:3}/2", "{2:4}/2", "5"),
            ("{2:4}/2", "{1:3}/2", "5"),
            ("{1:3,2:4}/2", "{}/2", "5"),
            ("{}/2", "{2:1}/2", "1"),
            (
                "{1:1,2:2}/2",
                "{1:3}/1",
                "different sparsevec dimensions 2 and 1",
            ),
        ],
    );
    check_distance(
        "l2_squared_distance",
        SparseVector::l2_squared_distance,
        &[("{}/2", "{1:3,2:4}/2", "25"), ("{1:1}/2", "{2:1}/2", "2")],
    );
}

#[test]
fn inner_product() {
    check_distance(
        "inner_product",
        SparseVector::inner_product,
        &[
            ("{1:1,2:2}/2", "{1:2,2:4}/2", "10"),
            (
                "{1:1,2:2}/2",
                "{1:3}/1",
                "different sparsevec dimensions 2 and 1",
            ),
            ("{1:1,3:3}/4", "{2:2,4:4}/4", "0"),
            ("{2:2,4:4}/4", "{1:1,3:3}/4", "0"),
            ("{1:1,3:3,5:5}/5", "{2:4,3:6,4:8}/5", "18"),
            ("{1:1}/2", "{}/2", "0"),
            ("{}/2", "{1:1}/2", "0"),
            ("{1:3e38}/1", "{1:3e38}/1", "Infinity"),
        ],
    );
    check_distance(
        "<#>",
        SparseVector::negative_inner_product,
        &[("{1:1,2:2}/2", "{1:3,2:4}/2", "-11")],
    );
}

#[test]
fn cosine_distance() {
    check_distance(
        "cosine_distance",
        SparseVector::cosine_distance,
        &[
            ("{1:1,2:2}/2", "{1:2,2:4}/2", "0"),
            ("{1:1,2:2}/2", "{}/2", "NaN"),
            ("{1:1,2:1}/2", "{1:1,2:1}/2", "0"),
            ("{1:1}/2", "{2:2}/2", "1"),
            ("{1:1,2:1}/2", "{1:-1,2:-1}/2", "2"),
            ("{1:2}/2", "{2:2}/2", "1"),
            ("{2:2}/2", "{1:2}/2", "1"),
            (
                "{1:1,2:2}/2",
                "{1:3}/1",
                "different sparsevec dimensions 2 and 1",
            ),
            ("{1:1,2:1}/2", "{1:1.1,2:1.1}/2", "0"),
            ("{1:1,2:1}/2", "{1:-1.1,2:-1.1}/2", "2"),
            ("{1:3e38}/1", "{1:3e38}/1", "NaN"),
            ("{}/1", "{}/1", "NaN"),
        ],
    );
}

#[test]
fn l1_distance() {
    check_distance(
        "l1_distance",
        SparseVector::l1_distance,
        &[
            ("{}/2", "{1:3,2:4}/2", "7"),
            ("{}/2", "{2:1}/2", "1"),
            (
                "{1:1,2:2}/2",
                "{1:3}/1",
                "different sparsevec dimensions 2 and 1",
            ),
            ("{1:3e38}/1", "{1:-3e38}/1", "Infinity"),
            ("{1:1,3:3,5:5,7:7}/8", "{2:2,4:4,6:6,8:8}/8", "36"),
            ("{1:1,3:3,5:5,7:7,9:9}/9", "{2:2,4:4,6:6,8:8}/9", "45"),
        ],
    );
}
