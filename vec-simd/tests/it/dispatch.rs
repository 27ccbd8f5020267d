//! The one-time choice of implementation: the free functions use the fastest table this CPU
//! has, and every entry point rejects slices of different lengths with a clear panic.

use std::any::Any;
use std::panic::catch_unwind;

use half::f16;
use vec_simd::Implementation;

/// The text of a caught panic.
pub fn panic_message(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => payload
            .downcast::<&str>()
            .map(|message| message.to_string())
            .unwrap_or_default(),
    }
}

#[test]
fn selected_is_the_fastest_available() {
    let available = Implementation::available();
    let fastest_f32 = available
        .iter()
        .rev()
        .find(|i| vec_simd::f32::kernels(**i).is_some());
    assert_eq!(
        Some(vec_simd::f32::selected().implementation()),
        fastest_f32.copied()
    );
    let fastest_f16 = available
        .iter()
        .rev()
        .find(|i| vec_simd::f16::kernels(**i).is_some());
    assert_eq!(
        Some(vec_simd::f16::selected().implementation()),
        fastest_f16.copied()
    );
    let fastest_bits = available
        .iter()
        .rev()
        .find(|i| vec_simd::bits::kernels(**i).is_some());
    assert_eq!(
        Some(vec_simd::bits::selected().implementation()),
        fastest_bits.copied()
    );
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx2")
        && is_x86_feature_detected!("fma")
        && is_x86_feature_detected!("f16c")
    {
        assert!(vec_simd::f32::selected().implementation() >= Implementation::Avx2);
    }
}

#[test]
fn unavailable_implementations_have_no_kernels() {
    for implementation in Implementation::ALL {
        if !implementation.is_available() {
            assert!(vec_simd::f32::kernels(implementation).is_none());
            assert!(vec_simd::f16::kernels(implementation).is_none());
            assert!(vec_simd::bits::kernels(implementation).is_none());
        }
    }
}

#[test]
fn free_functions_agree_with_the_selected_kernels() {
    let a: Vec<f32> = (0..389).map(|i| (i as f32 * 0.37).sin()).collect();
    let b: Vec<f32> = (0..389).map(|i| (i as f32 * 0.11).cos()).collect();
    let kernels = vec_simd::f32::selected();
    assert_eq!(vec_simd::f32::dot(&a, &b), kernels.dot(&a, &b));
    assert_eq!(
        vec_simd::f32::l2_squared(&a, &b),
        kernels.l2_squared(&a, &b)
    );
    assert_eq!(vec_simd::f32::l1(&a, &b), kernels.l1(&a, &b));
    assert_eq!(
        vec_simd::f32::cosine_distance(&a, &b),
        kernels.cosine_distance(&a, &b)
    );

    let (a, b): (Vec<f16>, Vec<f16>) = a
        .iter()
        .zip(&b)
        .map(|(x, y)| (f16::from_f32(*x), f16::from_f32(*y)))
        .unzip();
    let kernels = vec_simd::f16::selected();
    assert_eq!(vec_simd::f16::dot(&a, &b), kernels.dot(&a, &b));
    assert_eq!(
        vec_simd::f16::l2_squared(&a, &b),
        kernels.l2_squared(&a, &b)
    );
    assert_eq!(vec_simd::f16::l1(&a, &b), kernels.l1(&a, &b));
    assert_eq!(
        vec_simd::f16::cosine_distance(&a, &b),
        kernels.cosine_distance(&a, &b)
    );

    let a: Vec<u8> = (0..200u32).map(|i| (i * 37) as u8).collect();
    let b: Vec<u8> = (0..200u32).map(|i| (i * 91 + 5) as u8).collect();
    let kernels = vec_simd::bits::selected();
    assert_eq!(vec_simd::bits::hamming(&a, &b), kernels.hamming(&a, &b));
    assert_eq!(vec_simd::bits::jaccard(&a, &b), kernels.jaccard(&a, &b));
}

#[test]
fn mismatched_lengths_panic_with_both_lengths() {
    fn expect_panic<R>(result: std::thread::Result<R>) {
        let message = panic_message(result.err().expect("mismatched lengths must panic"));
        assert_eq!(message, "vec_simd: slices differ in length (3 and 4)");
    }
    let (a, b) = ([1.0f32; 3], [1.0f32; 4]);
    expect_panic(catch_unwind(|| vec_simd::f32::dot(&a, &b)));
    expect_panic(catch_unwind(|| vec_simd::f32::l2_squared(&a, &b)));
    expect_panic(catch_unwind(|| vec_simd::f32::cosine_distance(&a, &b)));
    expect_panic(catch_unwind(|| vec_simd::f32::l1(&a, &b)));
    let (a, b) = ([f16::ONE; 3], [f16::ONE; 4]);
    expect_panic(catch_unwind(|| vec_simd::f16::dot(&a, &b)));
    expect_panic(catch_unwind(|| vec_simd::f16::l2_squared(&a, &b)));
    expect_panic(catch_unwind(|| vec_simd::f16::cosine_distance(&a, &b)));
    expect_panic(catch_unwind(|| vec_simd::f16::l1(&a, &b)));
    let (a, b) = ([1u8; 3], [1u8; 4]);
    expect_panic(catch_unwind(|| vec_simd::bits::hamming(&a, &b)));
    expect_panic(catch_unwind(|| vec_simd::bits::jaccard(&a, &b)));
    for implementation in Implementation::available() {
        if let Some(kernels) = vec_simd::f32::kernels(implementation) {
            expect_panic(catch_unwind(|| kernels.dot(&[1.0; 3], &[1.0; 4])));
        }
    }
}
