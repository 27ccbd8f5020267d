//! Random damage to a closed database: one random byte of one random file is changed,
//! and the database must then either refuse to open with an error naming the damaged
//! file's directory, or hold every committed row with its exact values, a damaged table
//! failing with an error naming its file when read — never fewer rows without a word.
//!
//! 50 damaged copies by default; `VECSH_CORRUPTION_ITERATIONS=200` runs two hundred
//! (`VECSH_CORRUPTION_SEED` changes the seed).

use std::path::{Path, PathBuf};

use crate::common::{copy_dir, random_vector};
use vec_shell::{Database, Datum};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if std::fs::metadata(&path).unwrap().len() > 0 {
            out.push(path);
        }
    }
}

/// The rows of `table` as text, or the error reading them.
fn rows(
    database: &Database,
    sql: &str,
) -> Result<Vec<Vec<Option<String>>>, vec_shell::EngineError> {
    let mut session = database.session();
    let results = session.execute(sql)?;
    Ok(results[0]
        .rows
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .map(|row| row.iter().map(Datum::to_text).collect())
        .collect())
}

const QUERIES: [&str; 2] = [
    "SELECT id, v::text FROM t ORDER BY id",
    "SELECT id, note FROM u ORDER BY id",
];

#[test]
fn random_byte_damage_never_loses_rows_silently() {
    let iterations: usize = std::env::var("VECSH_CORRUPTION_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let seed: u64 = std::env::var("VECSH_CORRUPTION_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_c0de);
    let work = tempfile::tempdir().unwrap();
    let base = work.path().join("base");
    {
        let database = Database::open(&base).unwrap();
        let mut session = database.session();
        session
            .execute("CREATE TABLE t (id int PRIMARY KEY, v vector(8)); CREATE TABLE u (id int, note text)")
            .unwrap();
        for i in 0..400 {
            session
                .execute(&format!(
                    "INSERT INTO t VALUES ({i}, '{}'); INSERT INTO u VALUES ({i}, 'note {i}')",
                    random_vector(i, 8)
                ))
                .unwrap();
        }
        session
            .execute("CREATE INDEX ON t USING hnsw (v vector_l2_ops)")
            .unwrap();
    }
    let expected: Vec<_> = {
        let database = Database::open(&base).unwrap();
        QUERIES
            .iter()
            .map(|q| rows(&database, q).unwrap())
            .collect()
    };
    assert_eq!(expected[0].len(), 400);
    let mut base_files = Vec::new();
    files(&base, &mut base_files);
    let mut rng = Rng(seed | 1);
    let (mut refused, mut damaged_tables, mut intact) = (0, 0, 0);
    for iteration in 0..iterations {
        let copy = work.path().join(format!("copy{iteration}"));
        copy_dir(&base, &copy);
        let victim = &base_files[(rng.next() % base_files.len() as u64) as usize];
        let victim = copy.join(victim.strip_prefix(&base).unwrap());
        let mut bytes = std::fs::read(&victim).unwrap();
        let at = (rng.next() % bytes.len() as u64) as usize;
        bytes[at] ^= (rng.next() % 255 + 1) as u8;
        std::fs::write(&victim, &bytes).unwrap();
        let what = format!("iteration {iteration}: byte {at} of {}", victim.display());
        let copy_text = copy.display().to_string();
        match Database::open(&copy) {
            Err(error) => {
                assert!(
                    error.message.contains(&copy_text),
                    "{what}: {}",
                    error.message
                );
                if std::env::var_os("VECSH_CORRUPTION_VERBOSE").is_some() {
                    eprintln!("{what}: refused: {}", error.message);
                }
                refused += 1;
            }
            Ok(database) => {
                let mut damaged = false;
                for (query, expected) in QUERIES.iter().zip(&expected) {
                    match rows(&database, query) {
                        Ok(found) => assert_eq!(&found, expected, "{what}: {query}"),
                        Err(error) => {
                            assert_eq!(error.sqlstate, "XX001", "{what}: {}", error.message);
                            assert!(
                                error.message.contains(&copy_text),
                                "{what}: {}",
                                error.message
                            );
                            damaged = true;
                        }
                    }
                }
                // The index answers (rebuilt if its snapshot was damaged), or the table
                // is damaged.
                let mut session = database.session();
                let nearest = session.execute(&format!(
                    "SELECT id FROM t ORDER BY v <-> '{}' LIMIT 3",
                    random_vector(7, 8)
                ));
                assert!(nearest.is_ok() || damaged, "{what}");
                if damaged {
                    damaged_tables += 1;
                } else {
                    intact += 1;
                }
            }
        }
        std::fs::remove_dir_all(&copy).unwrap();
    }
    eprintln!(
        "{iterations} damaged copies: {refused} refused to open, {damaged_tables} opened with a damaged table reported, {intact} with every row intact"
    );
}
