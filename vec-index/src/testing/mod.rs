//! Test support (feature `testing`): the brute-force reference [`ExactIndex`], seeded data,
//! recall against exact search, a check of a build's progress reports, and
//! [`check_l2_contract`], the trait's contract run against any index of `vector` values
//! ordered by L2 distance, so that every index crate tests the same promises.

mod exact;

pub use exact::ExactIndex;

use crate::build::BuildProgress;
use crate::index::VectorIndex;
use crate::scan::{Hit, ScanOptions};
use crate::vector::VectorRef;

/// SplitMix64: the same numbers on every machine, without extra crates.
#[derive(Clone, Debug)]
pub struct SplitMix(u64);

impl SplitMix {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn next_f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// `n` rows of `dimensions` uniform values in `[0, 1)`, with row ids `0..n`.
pub fn random_rows(seed: u64, n: usize, dimensions: usize) -> Vec<(u64, Vec<f32>)> {
    let mut rng = SplitMix::new(seed);
    (0..n as u64)
        .map(|row_id| (row_id, (0..dimensions).map(|_| rng.next_f32()).collect()))
        .collect()
}

/// The rows as `(row id, VectorRef::F32)` pairs, as builds take them.
pub fn as_refs(rows: &[(u64, Vec<f32>)]) -> Vec<(u64, VectorRef<'_>)> {
    rows.iter()
        .map(|(row_id, values)| (*row_id, VectorRef::F32(values)))
        .collect()
}

/// The share of `expected`'s row ids that `found` holds (`found` is cut to `expected`'s
/// length first).
pub fn recall(found: &[Hit], expected: &[Hit]) -> f64 {
    if expected.is_empty() {
        return 1.0;
    }
    let found = &found[..found.len().min(expected.len())];
    let hits = expected
        .iter()
        .filter(|e| found.iter().any(|f| f.row_id == e.row_id))
        .count();
    hits as f64 / expected.len() as f64
}

/// Checks a build's progress reports: phases in the order `phases` names them (each at
/// least once, none coming back after the next began), `done` never decreasing within a
/// phase, never above `total`, and each phase's last report at `done == total`.
pub fn check_progress(reports: &[BuildProgress], phases: &[&str]) -> Result<(), String> {
    let mut expected = phases.iter().peekable();
    let mut current: Option<BuildProgress> = None;
    for report in reports {
        if report.done > report.total {
            return Err(format!("{report:?}: done above total"));
        }
        match current {
            Some(previous) if previous.phase == report.phase => {
                if report.done < previous.done {
                    return Err(format!("{report:?} after {previous:?}: done went back"));
                }
            }
            _ => {
                if let Some(previous) = current {
                    if previous.done != previous.total {
                        return Err(format!("phase ended at {previous:?}"));
                    }
                }
                if expected.next() != Some(&report.phase) {
                    return Err(format!("unexpected phase in {report:?}; want {phases:?}"));
                }
            }
        }
        current = Some(*report);
    }
    if let Some(missing) = expected.peek() {
        return Err(format!("phase {missing:?} was never reported"));
    }
    match current {
        Some(last) if last.done != last.total => Err(format!("build ended at {last:?}")),
        _ => Ok(()),
    }
}

/// Runs the trait's contract against `index`, built over `rows` (`vector` values, ids
/// distinct) and ordering by L2 distance; `options` must let a scan find a row equal to the
/// query (e.g. enough probes). Scans get an exact-distance callback over the rows, as the
/// engine gives one from its table. Checks `len`, `check` (wrong dimensions: 22000, wrong type:
/// XX000), a scan for a stored row finding it first at distance zero, `delete` hiding a row
/// at once, `vacuum` reclaiming it, the id inserted again with a new value, and a snapshot
/// being written. Leaves `index` with the first row deleted and re-inserted.
pub fn check_l2_contract(
    index: &mut dyn VectorIndex,
    rows: &[(u64, Vec<f32>)],
    options: &ScanOptions,
) -> Result<(), String> {
    let fail = |what: &str| Err(format!("contract: {what}"));
    let Some((first_id, first)) = rows.first() else {
        return fail("needs rows");
    };
    let dimensions = first.len();
    if index.dimensions() != dimensions || index.len() != rows.len() {
        return fail("dimensions or len differ from the rows built");
    }
    let short = vec![0.5f32; dimensions + 1];
    match index.check(VectorRef::F32(&short)) {
        Err(error) if error.sqlstate == "22000" => {}
        other => return Err(format!("contract: check of a longer vector gave {other:?}")),
    }
    let half = vec![vec_types::f16::ONE; dimensions];
    match index.check(VectorRef::F16(&half)) {
        Err(error) if error.sqlstate == "XX000" => {}
        other => return Err(format!("contract: check of a halfvec gave {other:?}")),
    }
    index
        .check(VectorRef::F32(first))
        .map_err(|error| format!("contract: check of a row failed: {error}"))?;
    // The table: the rows, and the first row's value once it is moved.
    let moved: Vec<f32> = first.iter().map(|value| value + 0.25).collect();
    let first_moved = std::cell::Cell::new(false);
    let value_of = |row_id: u64| -> Option<&[f32]> {
        if row_id == *first_id && first_moved.get() {
            return Some(&moved);
        }
        rows.iter()
            .find(|(id, _)| *id == row_id)
            .map(|(_, values)| values.as_slice())
    };
    let nearest = |index: &dyn VectorIndex, query: &[f32]| -> Result<Vec<Hit>, String> {
        let query_values = query.to_vec();
        let exact = Box::new(move |row_id| Some(l2(value_of(row_id)?, &query_values)));
        let scan = index
            .scan(VectorRef::F32(query), options, Some(exact))
            .map_err(|error| format!("contract: scan failed: {error}"))?;
        Ok(scan.take(5).collect())
    };
    for (row_id, values) in rows.iter().step_by((rows.len() / 7).max(1)) {
        let hits = nearest(index, values)?;
        match hits.first() {
            Some(hit) if hit.row_id == *row_id && hit.distance.abs() < 1e-3 => {}
            other => return Err(format!("contract: row {row_id} not found first: {other:?}")),
        }
    }
    index.delete(*first_id);
    if index.len() != rows.len() - 1 {
        return fail("len did not drop after delete");
    }
    if nearest(index, first)?
        .iter()
        .any(|hit| hit.row_id == *first_id)
    {
        return fail("a deleted row was scanned");
    }
    if index.vacuum() > 1 || index.len() != rows.len() - 1 {
        return fail("vacuum removed more than the deleted row");
    }
    index
        .insert(*first_id, VectorRef::F32(&moved))
        .map_err(|error| format!("contract: insert after vacuum failed: {error}"))?;
    first_moved.set(true);
    match nearest(index, &moved)?.first() {
        Some(hit) if hit.row_id == *first_id => {}
        other => return Err(format!("contract: re-inserted row not found: {other:?}")),
    }
    if index.len() != rows.len() {
        return fail("len did not count the re-inserted row");
    }
    let mut snapshot = Vec::new();
    index
        .write_snapshot(&mut snapshot)
        .map_err(|error| format!("contract: snapshot failed: {error}"))?;
    if snapshot.is_empty() || index.memory_bytes() == 0 {
        return fail("empty snapshot or no memory reported");
    }
    Ok(())
}

/// The L2 distance, in `f64`.
fn l2(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
        .sum::<f64>()
        .sqrt()
}
