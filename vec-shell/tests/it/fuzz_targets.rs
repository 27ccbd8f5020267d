//! The fuzz targets of `fuzz/` (the SQL parser, the `COPY` text, CSV and binary readers,
//! the vector types' text and binary input, WAL record decoding and heap pages), driven
//! on the stable toolchain for a bounded time: each starts from a few valid inputs and
//! mutates them at random (bit flips, byte changes, insertions, deletions, splices).
//! None may panic. One second per target by default; `VECSH_FUZZ_SECONDS=60` runs each
//! for a minute (`VECSH_FUZZ_SEED` changes the seed). `cargo fuzz` runs the same
//! functions with coverage guidance; see the README of `fuzz/`.

use std::time::{Duration, Instant};

use vec_shell::fuzzing::TARGETS;

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let text: &[&str] = match target {
        "sql_parser" => &[
            "SELECT id, v <-> '[1,2,3]' FROM t WHERE id IN (1, 2, 3) AND x BETWEEN 1 AND 2 ORDER BY 2 LIMIT 5",
            "INSERT INTO t VALUES (1, '[1,2]'), (2, NULL) RETURNING *; COPY t FROM STDIN",
            "CREATE INDEX ON t USING hnsw (v vector_l2_ops) WITH (m = 4); SELECT 1::int::text || 'a' || 'b'",
        ],
        "copy_text" => &["1\t[1,2,3]\t[1,2]\t{1:1}/3\t101\tx\n2\t\\N\t\\N\t\\N\t\\N\t\\N\n\\.\n"],
        "copy_csv" => &["id,v,h,s,b,t\n1,\"[1,2,3]\",\"[1,2]\",{1:1}/3,101,\"a,b\"\n2,,,,,\n"],
        "vector_text" => &["[1,2,3]", "{1:1.5,3:2}/5", "101", "[1e-3, -2.5]"],
        _ => &[],
    };
    let mut out: Vec<Vec<u8>> = text.iter().map(|t| t.as_bytes().to_vec()).collect();
    match target {
        "copy_binary" => {
            let mut bytes = b"PGCOPY\n\xff\r\n\0".to_vec();
            bytes.extend_from_slice(&[0; 8]);
            bytes.extend_from_slice(&6i16.to_be_bytes());
            bytes.extend_from_slice(&8i32.to_be_bytes());
            bytes.extend_from_slice(&7i64.to_be_bytes());
            bytes.extend_from_slice(&16i32.to_be_bytes());
            bytes.extend_from_slice(&[0, 3, 0, 0]);
            for x in [1.0f32, 2.0, 3.0] {
                bytes.extend_from_slice(&x.to_be_bytes());
            }
            for _ in 0..4 {
                bytes.extend_from_slice(&(-1i32).to_be_bytes());
            }
            bytes.extend_from_slice(&(-1i16).to_be_bytes());
            out.push(bytes);
        }
        "vector_binary" => {
            let mut bytes = vec![0, 3, 0, 0];
            for x in [1.0f32, 2.0, 3.0] {
                bytes.extend_from_slice(&x.to_be_bytes());
            }
            out.push(bytes);
        }
        "wal_record" | "page" => out.push(vec![0; 64]),
        _ => {}
    }
    out
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(input: &mut Vec<u8>, corpus: &[Vec<u8>], rng: &mut Rng) {
    for _ in 0..=rng.below(4) {
        let len = input.len();
        match rng.below(6) {
            0 if len > 0 => {
                let at = rng.below(len);
                input[at] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let at = rng.below(len);
                input[at] = [0, 0xff, b'\'', b'\\', b'(', b'\n', b'\t', b','][rng.below(8)];
            }
            2 => {
                let at = rng.below(len + 1);
                input.insert(at, rng.next() as u8);
            }
            3 if len > 0 => {
                let at = rng.below(len);
                let end = (at + rng.below(16) + 1).min(len);
                input.drain(at..end);
            }
            4 => {
                let other = &corpus[rng.below(corpus.len())];
                if !other.is_empty() {
                    let from = rng.below(other.len());
                    let end = (from + rng.below(32) + 1).min(other.len());
                    let at = rng.below(len + 1);
                    input.splice(at..at, other[from..end].iter().copied());
                }
            }
            _ if len > 0 => {
                let at = rng.below(len);
                let copy = input[at..(at + rng.below(8) + 1).min(len)].to_vec();
                input.splice(at..at, copy);
            }
            _ => input.push(rng.next() as u8),
        }
        input.truncate(16 << 10);
    }
}

#[test]
fn fuzz_targets_never_panic_in_a_bounded_run() {
    let seconds: f64 = std::env::var("VECSH_FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1.0);
    let seed: u64 = std::env::var("VECSH_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0xf0_22ed);
    let mut rng = Rng(seed | 1);
    for (name, target) in TARGETS {
        let mut corpus = seeds(name);
        corpus.push(Vec::new());
        let deadline = Instant::now() + Duration::from_secs_f64(seconds);
        let mut runs = 0u64;
        while Instant::now() < deadline {
            let mut input = corpus[rng.below(corpus.len())].clone();
            mutate(&mut input, &corpus, &mut rng);
            let outcome = std::panic::catch_unwind(|| target(&input));
            assert!(
                outcome.is_ok(),
                "target {name} panicked on {:?}",
                String::from_utf8_lossy(&input)
            );
            if corpus.len() < 256 && rng.below(16) == 0 {
                corpus.push(input);
            }
            runs += 1;
        }
        eprintln!("{name}: {runs} inputs");
    }
}
