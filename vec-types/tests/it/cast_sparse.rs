//! pgvector regression cases for casts into and out of `sparsevec` (`cast.out`): from
//! `integer[]`, `real[]`, `double precision[]` and `numeric[]`, from `vector` and
//! `halfvec`, and to `vector` and `halfvec`.

use vec_types::{ArrayElements, ArrayInput, HalfVector, SparseVector, Typmod, Vector};

fn sv(text: &str) -> SparseVector {
    text.parse().unwrap()
}

/// The printed result or error message of an array cast.
fn from_array(input: ArrayInput<'_>, typmod: Typmod) -> String {
    match SparseVector::from_array(&input, typmod) {
        Ok(value) => value.to_string(),
        Err(err) => err.to_string(),
    }
}

fn one_d(elements: ArrayElements<'_>) -> ArrayInput<'_> {
    ArrayInput::one_dimensional(elements)
}

#[test]
fn array_literals() {
    let ints = [1, 0, 2, 0, 3, 0].map(Some);
    let reals = [1.0f32, 0.0, 2.0, 0.0, 3.0, 0.0].map(Some);
    let doubles = [1.0f64, 0.0, 2.0, 0.0, 3.0, 0.0].map(Some);
    let expected = "{1:1,3:2,5:3}/6";
    // ARRAY[1,0,2,0,3,0]::sparsevec and its real[], double precision[], numeric[] forms.
    assert_eq!(
        from_array(one_d(ArrayElements::Int4(&ints)), Typmod::NONE),
        expected
    );
    assert_eq!(
        from_array(one_d(ArrayElements::Numeric(&doubles)), Typmod::NONE),
        expected
    );
    assert_eq!(
        from_array(one_d(ArrayElements::Float4(&reals)), Typmod::NONE),
        expected
    );
    assert_eq!(
        from_array(one_d(ArrayElements::Float8(&doubles)), Typmod::NONE),
        expected
    );
}

#[test]
fn real_arrays() {
    let reals = [1.0f32, 0.0, 2.0, 0.0, 3.0, 0.0].map(Some);
    let input = || one_d(ArrayElements::Float4(&reals));
    assert_eq!(from_array(input(), Typmod::NONE), "{1:1,3:2,5:3}/6");
    assert_eq!(from_array(input(), Typmod::new(6)), "{1:1,3:2,5:3}/6");
    assert_eq!(
        from_array(input(), Typmod::new(5)),
        "expected 5 dimensions, not 6"
    );

    let cases: [(&[Option<f32>], &str); 5] = [
        (&[None], "array must not contain nulls"),
        (&[Some(f32::NAN)], "NaN not allowed in sparsevec"),
        (
            &[Some(f32::INFINITY)],
            "infinite value not allowed in sparsevec",
        ),
        (
            &[Some(f32::NEG_INFINITY)],
            "infinite value not allowed in sparsevec",
        ),
        (&[], "sparsevec must have at least 1 dimension"),
    ];
    for (elements, expected) in cases {
        assert_eq!(
            from_array(one_d(ArrayElements::Float4(elements)), Typmod::NONE),
            expected
        );
    }
    // '{{1}}'::real[]::sparsevec
    let nested = ArrayInput {
        n_dims: 2,
        elements: ArrayElements::Float4(&[Some(1.0)]),
    };
    assert_eq!(from_array(nested, Typmod::NONE), "array must be 1-D");
}

#[test]
fn double_arrays() {
    let doubles = [1.0f64, 0.0, 2.0, 0.0, 3.0, 0.0].map(Some);
    let input = || one_d(ArrayElements::Float8(&doubles));
    assert_eq!(from_array(input(), Typmod::NONE), "{1:1,3:2,5:3}/6");
    assert_eq!(from_array(input(), Typmod::new(6)), "{1:1,3:2,5:3}/6");
    assert_eq!(
        from_array(input(), Typmod::new(5)),
        "expected 5 dimensions, not 6"
    );
    let huge = [Some(4e38), Some(-4e38)];
    assert_eq!(
        from_array(one_d(ArrayElements::Float8(&huge)), Typmod::NONE),
        "infinite value not allowed in sparsevec"
    );
    let tiny = [Some(1e-46), Some(-1e-46)];
    assert_eq!(
        from_array(one_d(ArrayElements::Float8(&tiny)), Typmod::NONE),
        "{}/2"
    );
}

#[test]
fn too_many_non_zero_elements() {
    // array_agg(n)::sparsevec FROM generate_series(1, 16001) n
    let series: Vec<Option<i32>> = (1..=16_001).map(Some).collect();
    assert_eq!(
        from_array(one_d(ArrayElements::Int4(&series)), Typmod::NONE),
        "sparsevec cannot have more than 16000 non-zero elements"
    );
}

#[test]
fn from_vector() {
    let vector: Vector = "[0,1.5,0,3.5,0]".parse().unwrap();
    let cast = |typmod| match vector.to_sparsevec(typmod) {
        Ok(value) => value.to_string(),
        Err(err) => err.to_string(),
    };
    assert_eq!(cast(Typmod::NONE), "{2:1.5,4:3.5}/5");
    assert_eq!(cast(Typmod::new(5)), "{2:1.5,4:3.5}/5");
    assert_eq!(cast(Typmod::new(4)), "expected 4 dimensions, not 5");
}

#[test]
fn from_halfvec() {
    let halfvec: HalfVector = "[0,1.5,0,3.5,0]".parse().unwrap();
    let cast = |typmod| match SparseVector::from_halfvec(&halfvec, typmod) {
        Ok(value) => value.to_string(),
        Err(err) => err.to_string(),
    };
    assert_eq!(cast(Typmod::NONE), "{2:1.5,4:3.5}/5");
    assert_eq!(cast(Typmod::new(5)), "{2:1.5,4:3.5}/5");
    assert_eq!(cast(Typmod::new(4)), "expected 4 dimensions, not 5");
}

#[test]
fn to_vector() {
    let cast = |text: &str, typmod| match sv(text).to_vector(typmod) {
        Ok(value) => value.to_string(),
        Err(err) => err.to_string(),
    };
    assert_eq!(cast("{2:1.5,4:3.5}/5", Typmod::NONE), "[0,1.5,0,3.5,0]");
    assert_eq!(cast("{2:1.5,4:3.5}/5", Typmod::new(5)), "[0,1.5,0,3.5,0]");
    assert_eq!(
        cast("{2:1.5,4:3.5}/5", Typmod::new(4)),
        "expected 4 dimensions, not 5"
    );
    assert_eq!(
        cast("{}/16001", Typmod::NONE),
        "vector cannot have more than 16000 dimensions"
    );
}

#[test]
fn to_halfvec() {
    let cast = |text: &str, typmod| match sv(text).to_halfvec(typmod) {
        Ok(value) => value.to_string(),
        Err(err) => err.to_string(),
    };
    assert_eq!(cast("{2:1.5,4:3.5}/5", Typmod::NONE), "[0,1.5,0,3.5,0]");
    assert_eq!(cast("{2:1.5,4:3.5}/5", Typmod::new(5)), "[0,1.5,0,3.5,0]");
    assert_eq!(
        cast("{2:1.5,4:3.5}/5", Typmod::new(4)),
        "expected 4 dimensions, not 5"
    );
    assert_eq!(
        cast("{}/16001", Typmod::NONE),
        "halfvec cannot have more than 16000 dimensions"
    );
    assert_eq!(
        cast("{1:65520}/1", Typmod::NONE),
        "\"65520\" is out of range for type halfvec"
    );
    assert_eq!(cast("{1:1e-8}/1", Typmod::NONE), "[0]");
}

#[test]
fn dense_round_trip() {
    let original = sv("{1:-2.5,7:1e-20,9:3}/10");
    let through_vector = original
        .to_vector(Typmod::NONE)
        .unwrap()
        .to_sparsevec(Typmod::NONE);
    assert_eq!(through_vector.unwrap(), original);
}
