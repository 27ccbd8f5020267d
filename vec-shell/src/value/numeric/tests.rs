//! Unit and property tests for `numeric`: PostgreSQL's printed results, and arithmetic
//! and ordering checked against `i128` arithmetic on scaled integers.

use std::cmp::Ordering;

use proptest::prelude::*;

use super::*;

fn n(text: &str) -> Numeric {
    Numeric::parse(text).unwrap()
}

#[test]
fn literals_keep_their_scale() {
    assert_eq!(n("1.0").to_string(), "1.0");
    assert_eq!(n("-2.50").to_string(), "-2.50");
    assert_eq!(n("1e-3").to_string(), "0.001");
    assert_eq!(n(" +1.5E2 ").to_string(), "150");
    assert_eq!(n("-0.00").to_string(), "0.00");
    assert_eq!(n("-inf").to_string(), "-Infinity");
    assert_eq!(n("nan").to_string(), "NaN");
    assert!(Numeric::parse("abc").is_err());
    assert!(Numeric::parse("1e").is_err());
    assert!(Numeric::parse(".").is_err());
    assert!(Numeric::parse("1.2.3").is_err());
}

#[test]
fn limits_are_postgresqls() {
    assert_eq!(n("1e100000").to_string().len(), 100_001);
    assert_eq!(n("0e100000").to_string(), "0");
    for text in [
        "1e131072",
        "1e-16384",
        "0e-100000",
        "1e9999999999",
        "1e-99999999999999999999",
    ] {
        assert_eq!(
            Numeric::parse(text).unwrap_err().sqlstate,
            "22003",
            "{text}"
        );
    }
    let tiny = n("1e-10000");
    assert_eq!(tiny.mul(&tiny).unwrap().scale(), MAX_SCALE);
}

#[test]
fn floats_convert_through_their_digits() {
    assert_eq!(
        Numeric::from_f64(2f64.sqrt()).to_string(),
        "1.4142135623731"
    );
    assert_eq!(
        Numeric::from_f64(2f64.sqrt()).round(5).to_string(),
        "1.41421"
    );
    assert_eq!(Numeric::from_f64(5.0).to_string(), "5");
    assert_eq!(Numeric::from_f64(1e20).to_string(), "100000000000000000000");
    assert_eq!(Numeric::from_f32(1.23).to_string(), "1.23");
    assert_eq!(Numeric::from_f32(0.1).to_string(), "0.1");
    assert!(Numeric::from_f64(f64::NAN).is_nan());
}

#[test]
fn arithmetic_is_exact() {
    assert_eq!(
        n("0.1").mul(&n("3")).unwrap().compare(&n("0.3")),
        Ordering::Equal
    );
    assert_eq!(
        n("12345678901234567890.123456789")
            .mul(&n("10"))
            .unwrap()
            .to_string(),
        "123456789012345678901.234567890"
    );
    assert_eq!(
        n("1").div(&n("3")).unwrap().to_string(),
        "0.33333333333333333333"
    );
    assert_eq!(
        n("10").div(&n("3")).unwrap().to_string(),
        "3.3333333333333333"
    );
    assert_eq!(
        n("3").div(&n("2")).unwrap().to_string(),
        "1.5000000000000000"
    );
    assert_eq!(
        n("1").div(&n("30000")).unwrap().to_string(),
        "0.000033333333333333333333"
    );
    assert_eq!(
        n("123456789").div(&n("7")).unwrap().to_string(),
        "17636684.142857142857"
    );
    assert_eq!(n("-5.5").rem(&n("2")).unwrap().to_string(), "-1.5");
    assert!(n("1").div(&n("0")).is_err());
    assert!(n("inf").add(&n("-inf")).unwrap().is_nan());
    assert_eq!(n("1").div(&n("inf")).unwrap().to_string(), "0");
}

#[test]
fn rounding_matches_postgresql() {
    assert_eq!(n("-1.5").floor().to_string(), "-2");
    assert_eq!(n("-0.5").ceil().to_string(), "0");
    assert_eq!(n("-1.57").trunc(1).to_string(), "-1.5");
    assert_eq!(n("1.5").round(3).to_string(), "1.500");
    assert_eq!(n("1234.5").round(-2).to_string(), "1200");
    assert_eq!(n("-0.5").round(0).to_string(), "-1");
    assert_eq!(n("2.5").to_integer("integer", -10, 10).unwrap(), 3);
    assert_eq!(n("-2.5").to_integer("integer", -10, 10).unwrap(), -3);
    assert!(n("NaN").to_integer("integer", -10, 10).is_err());
}

#[test]
fn typmods_round_and_overflow() {
    let t = |p, s| encode_typmod(&[p, s]).unwrap();
    assert_eq!(
        n("12.345").apply_typmod(t(4, 2)).unwrap().to_string(),
        "12.35"
    );
    assert_eq!(
        n("123.4").apply_typmod(t(2, -1)).unwrap().to_string(),
        "120"
    );
    let err = n("12.345").apply_typmod(t(3, 2)).unwrap_err();
    assert_eq!(err.sqlstate, "22003");
    assert!(n("1").apply_typmod(t(5, 6)).is_err());
    assert!(n("0.01").apply_typmod(t(5, 6)).is_ok());
    assert_eq!(decode_typmod(t(10, -3)), Some((10, -3)));
    assert!(encode_typmod(&[1001]).is_err());
}

/// A value as an `i128` mantissa at a scale, for the reference arithmetic.
fn numeric_of(mantissa: i64, scale: u32) -> Numeric {
    Numeric::finite(BigInt::from(mantissa), scale).unwrap()
}

fn reference(mantissa: i128, scale: u32) -> String {
    let negative = mantissa < 0;
    let digits = mantissa.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    let sign = if negative { "-" } else { "" };
    if scale == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

proptest! {
    #[test]
    fn add_sub_mul_compare_match_i128(a in any::<i64>(), sa in 0u32..12, b in any::<i64>(), sb in 0u32..12) {
        let (x, y) = (numeric_of(a, sa), numeric_of(b, sb));
        let scale = sa.max(sb);
        let ra = i128::from(a) * 10i128.pow(scale - sa);
        let rb = i128::from(b) * 10i128.pow(scale - sb);
        prop_assert_eq!(x.add(&y).unwrap().to_string(), reference(ra + rb, scale));
        prop_assert_eq!(x.sub(&y).unwrap().to_string(), reference(ra - rb, scale));
        let product = BigInt::from(a) * BigInt::from(b);
        let expected = Numeric::finite(product, sa + sb).unwrap();
        prop_assert_eq!(x.mul(&y).unwrap(), expected);
        prop_assert_eq!(x.compare(&y), ra.cmp(&rb));
        prop_assert_eq!(y.compare(&x), rb.cmp(&ra));
    }

    #[test]
    fn small_products_match_i128(a in -1_000_000_000i64..1_000_000_000, sa in 0u32..9, b in -1_000_000_000i64..1_000_000_000, sb in 0u32..9) {
        let product = numeric_of(a, sa).mul(&numeric_of(b, sb)).unwrap();
        prop_assert_eq!(product.to_string(), reference(i128::from(a) * i128::from(b), sa + sb));
    }

    #[test]
    fn text_round_trips(a in any::<i64>(), scale in 0u32..30) {
        let value = numeric_of(a, scale);
        let text = value.to_string();
        prop_assert_eq!(text.clone(), reference(i128::from(a), scale));
        prop_assert_eq!(Numeric::parse(&text).unwrap(), value);
    }

    #[test]
    fn division_rounds_half_away_from_zero(a in any::<i64>(), b in any::<i32>()) {
        prop_assume!(b != 0);
        let quotient = numeric_of(a, 0).div(&numeric_of(i64::from(b), 0)).unwrap();
        let scale = quotient.scale();
        // q·10^scale is within half a unit of a·10^scale / b.
        let exact = BigInt::from(a) * pow10(u64::from(scale));
        let (q, _) = quotient.parts().unwrap();
        let error: BigInt = (q * BigInt::from(b) - exact) * 2u8;
        prop_assert!(error.magnitude() <= BigInt::from(b).magnitude());
    }
}
