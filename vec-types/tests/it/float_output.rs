//! Float output against PostgreSQL 15's: `tests/fixtures/float4_random.tsv` holds random
//! `real` bit patterns (seeded) with the text PostgreSQL's `float4out` printed for each,
//! and `tests/fixtures/halfvec_all.txt` the text it printed for every positive finite
//! `halfvec` element value (the `f16` bit patterns 1 to 0x7bff in order), which pgvector
//! prints through the same function. Both were recorded from PostgreSQL 15.

use proptest::prelude::*;
use vec_types::f16;
use vec_types::float_text::{format_float4, format_float8};

const RANDOM_REALS: &str = include_str!("../fixtures/float4_random.tsv");
const HALFVEC_VALUES: &str = include_str!("../fixtures/halfvec_all.txt");

#[test]
fn random_reals_print_as_postgresql() {
    let mut differences = Vec::new();
    let mut n_cases = 0;
    for line in RANDOM_REALS.lines() {
        let (bits, expected) = line.split_once('\t').expect("bits<TAB>text");
        let value = f32::from_bits(u32::from_str_radix(bits, 16).expect("hex bits"));
        n_cases += 1;
        if format_float4(value) != expected {
            differences.push(format!("{bits}: {} != {expected}", format_float4(value)));
        }
    }
    assert!(n_cases > 3900, "the fixture has {n_cases} cases");
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[test]
fn every_halfvec_value_prints_as_postgresql() {
    let mut differences = Vec::new();
    let mut n_cases = 0;
    for (bits, expected) in (1u16..0x7c00).zip(HALFVEC_VALUES.lines()) {
        let value = f16::from_bits(bits).to_f32();
        n_cases += 1;
        if format_float4(value) != expected {
            differences.push(format!(
                "{bits:#06x}: {} != {expected}",
                format_float4(value)
            ));
        }
        let negative = format_float4(-value);
        assert_eq!(negative, format!("-{expected}"));
    }
    assert_eq!(n_cases, 0x7bff);
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

proptest! {
    /// Every finite `real` and `double precision` reads back to itself, in at most 9
    /// (17) significant digits.
    #[test]
    fn output_reads_back(bits in any::<u32>(), bits8 in any::<u64>()) {
        let value = f32::from_bits(bits);
        if value.is_finite() {
            let text = format_float4(value);
            prop_assert_eq!(text.parse::<f32>().unwrap().to_bits(), value.to_bits());
            let mantissa = text.split('e').next().unwrap();
            let digits = mantissa.bytes().filter(u8::is_ascii_digit).skip_while(|b| *b == b'0').count();
            prop_assert!(digits <= 9, "{}", text);
        }
        let value = f64::from_bits(bits8);
        if value.is_finite() {
            prop_assert_eq!(format_float8(value).parse::<f64>().unwrap().to_bits(), value.to_bits());
        }
    }
}
