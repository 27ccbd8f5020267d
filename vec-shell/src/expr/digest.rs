//! `md5(text)`: the MD5 digest (RFC 1321) of a string's bytes, as 32 lowercase hex digits,
//! as PostgreSQL returns it (used to make test data, `md5(random()::text)`, and to compare
//! values by hash).

/// Per-step left rotations: four rounds, each repeating its four amounts.
const SHIFTS: [u32; 16] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

/// The 64 additive constants: the integer part of |sin(i + 1)| · 2³² (RFC 1321, 3.4),
/// computed once.
fn constants() -> &'static [u32; 64] {
    static CONSTANTS: std::sync::OnceLock<[u32; 64]> = std::sync::OnceLock::new();
    CONSTANTS.get_or_init(|| {
        std::array::from_fn(|i| ((i as f64 + 1.0).sin().abs() * 4_294_967_296.0) as u32)
    })
}

/// The MD5 digest of `bytes` in lowercase hex.
pub fn md5_hex(bytes: &[u8]) -> String {
    let k = constants();
    let mut state: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
    let mut message = bytes.to_vec();
    let bit_len = (bytes.len() as u64).wrapping_mul(8);
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&bit_len.to_le_bytes());
    for block in message.chunks_exact(64) {
        let words: [u32; 16] = std::array::from_fn(|i| {
            u32::from_le_bytes([
                block[4 * i],
                block[4 * i + 1],
                block[4 * i + 2],
                block[4 * i + 3],
            ])
        });
        let [mut a, mut b, mut c, mut d] = state;
        for (i, &constant) in k.iter().enumerate() {
            let (mixed, word) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let sum = mixed
                .wrapping_add(a)
                .wrapping_add(constant)
                .wrapping_add(words[word]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(sum.rotate_left(SHIFTS[(i / 16) * 4 + i % 4]));
        }
        for (lane, value) in state.iter_mut().zip([a, b, c, d]) {
            *lane = lane.wrapping_add(value);
        }
    }
    state
        .iter()
        .flat_map(|lane| lane.to_le_bytes())
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::md5_hex;

    #[test]
    fn the_test_suite_of_rfc_1321() {
        let cases = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            (
                "abcdefghijklmnopqrstuvwxyz",
                "c3fcd3d76192e4007dfb496cca67e13b",
            ),
            (
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                "d174ab98d277d9f5a5611c2c9f419d9f",
            ),
            (
                "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                "57edf4a22be3c955ac49da2e2107b67a",
            ),
        ];
        for (input, digest) in cases {
            assert_eq!(md5_hex(input.as_bytes()), digest, "{input:?}");
        }
    }

    #[test]
    fn padding_boundaries_and_multibyte_text_match_postgresql() {
        // Expected digests from PostgreSQL 15: `SELECT md5(repeat('x', n))`, and of the
        // strings below.
        let repeated = [
            (1, "9dd4e461268c8034f5c8564e155c67a6"),
            (55, "04364420e25c512fd958a70738aa8f72"),
            (56, "668a72d5ba17f08e62dabcafad6db14b"),
            (57, "693037871c4a9d3d8685018905cb530a"),
            (63, "7dc2ca208106a2f703567bdff99d8981"),
            (64, "c1bb4f81d892b2d57947682aeb252456"),
            (65, "1bc932052302d074bdec39795fe00cf6"),
            (119, "ab347a5f68c8a443cfcddc633f12c24f"),
            (120, "fb98667f98096de92620b64f46e1c5b5"),
            (128, "d69cb61a6ee87200676eb0d4b90edbcb"),
            (130, "cfc92f41305ca00c9f9584bf67ae1b54"),
        ];
        for (n, digest) in repeated {
            assert_eq!(md5_hex("x".repeat(n).as_bytes()), digest, "{n}");
        }
        let strings = [
            ("héllo wörld ✓", "aa0c8a307a4488bfe0cb56530da19bc3"),
            ("tab\there", "844fd4cec7535bdc04e9ba1226b7f358"),
            ("0.123456789", "cd7505f38a903d47e878d159c8d8df2f"),
        ];
        for (input, digest) in strings {
            assert_eq!(md5_hex(input.as_bytes()), digest, "{input:?}");
        }
    }
}
