//! pgvector's `cast.out` cases for the dense types: arrays to `vector` and `halfvec`,
//! `vector`/`halfvec` to `real[]`, and casts between `vector` and `halfvec`.

use vec_types::float_text::format_float4;
use vec_types::{ArrayElements, ArrayInput, HalfVector, TypeError, Typmod, Vector};

/// An error as psql shows it: the message and the DETAIL line, if any.
type Shown = (String, Option<String>);

fn shown(err: TypeError) -> Shown {
    (err.to_string(), err.detail())
}

fn error(message: &str) -> Shown {
    (message.to_string(), None)
}

fn render<T: ToString>(result: Result<T, TypeError>) -> Result<String, Shown> {
    result.map(|value| value.to_string()).map_err(shown)
}

/// Casts `input` to both dense types with `typmod`, returning both renderings.
fn to_dense(input: ArrayInput<'_>, typmod: Typmod) -> [Result<String, Shown>; 2] {
    [
        render(Vector::from_array(&input, typmod)),
        render(HalfVector::from_array(&input, typmod)),
    ]
}

fn one_d(elements: ArrayElements<'_>) -> ArrayInput<'_> {
    ArrayInput::one_dimensional(elements)
}

fn both(expected: &str) -> [Result<String, Shown>; 2] {
    [Ok(expected.to_string()), Ok(expected.to_string())]
}

/// The same error for both types, with `{}` standing for the type name.
fn both_err(template: &str) -> [Result<String, Shown>; 2] {
    ["vector", "halfvec"].map(|name| Err(error(&template.replace("{}", name))))
}

#[test]
fn arrays_of_each_element_type() {
    let ints = [Some(1), Some(2), Some(3)];
    let reals = [Some(1.0f32), Some(2.0), Some(3.0)];
    let doubles = [Some(1.0f64), Some(2.0), Some(3.0)];
    // ARRAY[1,2,3], ARRAY[1.0,2.0,3.0] (numeric), ::real[], ::double precision[], ::numeric[]
    let inputs = [
        ArrayElements::Int4(&ints),
        ArrayElements::Numeric(&doubles),
        ArrayElements::Float4(&reals),
        ArrayElements::Float8(&doubles),
    ];
    for elements in inputs {
        assert_eq!(
            to_dense(one_d(elements), Typmod::NONE),
            both("[1,2,3]"),
            "{elements:?}"
        );
        assert_eq!(to_dense(one_d(elements), Typmod::new(3)), both("[1,2,3]"));
        assert_eq!(
            to_dense(one_d(elements), Typmod::new(2)),
            both_err("expected 2 dimensions, not 3")
        );
    }
}

#[test]
fn real_array_errors() {
    let null = [None];
    let nan = [Some(f32::NAN)];
    let inf = [Some(f32::INFINITY)];
    let neg_inf = [Some(f32::NEG_INFINITY)];
    let empty: [Option<f32>; 0] = [];
    let nested = [Some(1.0f32)];
    let cases = [
        (
            one_d(ArrayElements::Float4(&null)),
            both_err("array must not contain nulls"),
        ),
        (
            one_d(ArrayElements::Float4(&nan)),
            both_err("NaN not allowed in {}"),
        ),
        (
            one_d(ArrayElements::Float4(&inf)),
            both_err("infinite value not allowed in {}"),
        ),
        (
            one_d(ArrayElements::Float4(&neg_inf)),
            both_err("infinite value not allowed in {}"),
        ),
        (
            one_d(ArrayElements::Float4(&empty)),
            both_err("{} must have at least 1 dimension"),
        ),
        (
            ArrayInput {
                n_dims: 2,
                elements: ArrayElements::Float4(&nested),
            },
            both_err("array must be 1-D"),
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(to_dense(input, Typmod::NONE), expected, "{input:?}");
    }
}

#[test]
fn range_of_array_elements() {
    // '{4e38,-4e38}'::double precision[]: C's (float) cast gives infinities.
    let huge = [Some(4e38), Some(-4e38)];
    assert_eq!(
        to_dense(one_d(ArrayElements::Float8(&huge)), Typmod::NONE),
        both_err("infinite value not allowed in {}")
    );
    let tiny = [Some(1e-46), Some(-1e-46)];
    assert_eq!(
        to_dense(one_d(ArrayElements::Float8(&tiny)), Typmod::NONE),
        both("[0,-0]")
    );
    // '{65520,-65520}'::real[]::halfvec and '{1e-8,-1e-8}'::real[]::halfvec
    let beyond_half = [Some(65_520.0f32), Some(-65_520.0)];
    assert_eq!(
        render(HalfVector::from_array(
            &one_d(ArrayElements::Float4(&beyond_half)),
            Typmod::NONE
        )),
        Err(error("\"65520\" is out of range for type halfvec"))
    );
    let below_half = [Some(1e-8f32), Some(-1e-8)];
    assert_eq!(
        render(HalfVector::from_array(
            &one_d(ArrayElements::Float4(&below_half)),
            Typmod::NONE
        )),
        Ok("[0,-0]".to_string())
    );
    // numeric[] goes through numeric_float4, which refuses what real cannot hold.
    let big_numeric = [Some(4e38)];
    assert_eq!(
        to_dense(one_d(ArrayElements::Numeric(&big_numeric)), Typmod::NONE),
        [0, 1].map(|_| Err(error(
            "\"400000000000000000000000000000000000000\" is out of range for type real"
        )))
    );
    // An error in one element is reported before a NaN in a later one, as the C code
    // converts every element before checking any.
    let mixed = [Some(f32::NAN), Some(70_000.0)];
    assert_eq!(
        render(HalfVector::from_array(
            &one_d(ArrayElements::Float4(&mixed)),
            Typmod::NONE
        )),
        Err(error("\"70000\" is out of range for type halfvec"))
    );
}

#[test]
fn dimension_limits() {
    // array_agg(n)::vector FROM generate_series(1, 16001) n
    let many: Vec<Option<i32>> = (1..=16_001).map(Some).collect();
    let input = one_d(ArrayElements::Int4(&many));
    assert_eq!(
        to_dense(input, Typmod::NONE),
        both_err("{} cannot have more than 16000 dimensions")
    );
    // array_to_vector(array_agg(n), 16001, false): the limit is checked before the modifier.
    assert_eq!(
        render(Vector::from_array(&input, Typmod::new(16_001))),
        Err(error("vector cannot have more than 16000 dimensions"))
    );
    let max: Vec<Option<i32>> = (1..=16_000).map(Some).collect();
    let input = one_d(ArrayElements::Int4(&max));
    assert_eq!(
        Vector::from_array(&input, Typmod::NONE).unwrap().dims(),
        16_000
    );
}

#[test]
fn dense_to_real_array() {
    // '[1,2,3]'::vector::real[] and '[1,2,3]'::halfvec::real[] print as {1,2,3}.
    let float4_array = |values: Vec<f32>| {
        let items: Vec<String> = values.into_iter().map(format_float4).collect();
        format!("{{{}}}", items.join(","))
    };
    let vector: Vector = "[1,2,3]".parse().unwrap();
    assert_eq!(float4_array(vector.to_f32_vec()), "{1,2,3}");
    let half: HalfVector = "[1,2,3]".parse().unwrap();
    assert_eq!(float4_array(half.to_f32_vec()), "{1,2,3}");
}

#[test]
fn vector_to_halfvec() {
    let cast = |text: &str, typmod| render(text.parse::<Vector>().unwrap().to_halfvec(typmod));
    assert_eq!(cast("[1,2,3]", Typmod::NONE), Ok("[1,2,3]".into()));
    assert_eq!(cast("[1,2,3]", Typmod::new(3)), Ok("[1,2,3]".into()));
    assert_eq!(
        cast("[1,2,3]", Typmod::new(2)),
        Err(error("expected 2 dimensions, not 3"))
    );
    assert_eq!(
        cast("[65520]", Typmod::NONE),
        Err(error("\"65520\" is out of range for type halfvec"))
    );
    assert_eq!(cast("[1e-8]", Typmod::NONE), Ok("[0]".into()));
    // The token is the f32's shortest text, not the input's spelling.
    assert_eq!(
        cast("[7e4]", Typmod::NONE),
        Err(error("\"70000\" is out of range for type halfvec"))
    );
}

#[test]
fn halfvec_to_vector() {
    let cast = |text: &str, typmod| render(text.parse::<HalfVector>().unwrap().to_vector(typmod));
    assert_eq!(cast("[1,2,3]", Typmod::NONE), Ok("[1,2,3]".into()));
    assert_eq!(cast("[1,2,3]", Typmod::new(3)), Ok("[1,2,3]".into()));
    assert_eq!(
        cast("[1,2,3]", Typmod::new(2)),
        Err(error("expected 2 dimensions, not 3"))
    );
    assert_eq!(cast("[1.23456]", Typmod::NONE), Ok("[1.234375]".into()));
}

#[test]
fn from_f32s_checks_half_range() {
    assert_eq!(
        render(HalfVector::from_f32s(&[1.5, -2.0])),
        Ok("[1.5,-2]".into())
    );
    assert_eq!(
        render(HalfVector::from_f32s(&[65_520.0])),
        Err(error("\"65520\" is out of range for type halfvec"))
    );
    assert_eq!(
        render(HalfVector::from_f32s(&[f32::NAN])),
        Err(error("NaN not allowed in halfvec"))
    );
    assert_eq!(
        render(HalfVector::from_f32s(&[])),
        Err(error("halfvec must have at least 1 dimension"))
    );
}
