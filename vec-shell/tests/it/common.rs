//! Helpers the integration tests share: deterministic vectors, reading a statement's
//! rows as text, and copying a database directory (a crash image).

use std::path::Path;

use vec_shell::{Datum, Session};

/// A deterministic vector of `dims` values in [-1, 1) with three decimals, from `seed`.
pub fn random_vector(seed: u64, dims: usize) -> String {
    let mut state = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    let values: Vec<String> = (0..dims)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            format!("{:.3}", (state % 2000) as f64 / 1000.0 - 1.0)
        })
        .collect();
    format!("[{}]", values.join(","))
}

/// The rows of the last statement in `sql`, each value as text (`None` for NULL).
pub fn last_rows(session: &mut Session, sql: &str) -> Vec<Vec<Option<String>>> {
    let results = session
        .execute(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    results
        .last()
        .and_then(|result| result.rows.as_ref())
        .unwrap_or_else(|| panic!("{sql}: no rows"))
        .rows
        .iter()
        .map(|row| row.iter().map(Datum::to_text).collect())
        .collect()
}

/// The first column of the first statement's rows as integers (-1 for anything else).
pub fn first_column_ids(session: &mut Session, sql: &str) -> Vec<i64> {
    let results = session.execute(sql).unwrap();
    results[0]
        .rows
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .map(|row| match row[0] {
            Datum::Int8(v) => v,
            Datum::Int4(v) => i64::from(v),
            _ => -1,
        })
        .collect()
}

/// Copies a directory tree (a database directory, as a crash would leave it).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
