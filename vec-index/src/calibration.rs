//! Target recall: a [`Calibration`] records, for an index, the recall@k that each value of
//! its search knob (`ef_search` for HNSW, `probes` for IVF) reached on sample queries drawn
//! from the index's own vectors, against their exact neighbours. With it the engine turns
//! `SET vecsh.target_recall = 0.95` into the smallest knob expected to reach 0.95
//! ([`Calibration::choose`]). Indexes take one when they are built and again on request
//! (`ANALYZE`), and keep it in their snapshots ([`Calibration::to_bytes`]).
//!
//! [`measure`] is the calibration loop the index crates share: they supply the exact
//! neighbours of each sample and a search at a given knob; it sweeps the knobs in
//! increasing order and stops once recall reaches [`RECALL_CEILING`].

/// The neighbours per sample query a calibration measures recall@k at (`LIMIT 10`).
pub const CALIBRATION_K: usize = 10;

/// Sample queries a calibration draws (fewer when the index holds fewer vectors).
pub const CALIBRATION_QUERIES: usize = 100;

/// Recall past which a calibration stops sweeping larger knobs: larger ones cannot do
/// measurably better on this many samples.
pub const RECALL_CEILING: f64 = 0.999;

/// Which knob a calibration sweeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Knob {
    /// HNSW's `ef_search`.
    EfSearch,
    /// IVF's `probes`.
    Probes,
}

impl Knob {
    /// The setting's name as `EXPLAIN` shows it: `ef_search` or `probes`.
    pub fn name(self) -> &'static str {
        match self {
            Knob::EfSearch => "ef_search",
            Knob::Probes => "probes",
        }
    }

    fn code(self) -> u8 {
        match self {
            Knob::EfSearch => 0,
            Knob::Probes => 1,
        }
    }
}

/// One measured point: a knob value and the mean recall@k it reached.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CalibrationPoint {
    /// The knob's value.
    pub knob: u32,
    /// Mean recall@k over the sample queries, in `[0, 1]`.
    pub recall: f32,
}

/// An index's measured recall for each knob value, smallest knob first.
///
/// ```
/// use vec_index::{Calibration, CalibrationPoint, Knob};
///
/// let calibration = Calibration {
///     knob: Knob::EfSearch,
///     k: 10,
///     queries: 100,
///     points: vec![
///         CalibrationPoint { knob: 10, recall: 0.80 },
///         CalibrationPoint { knob: 40, recall: 0.93 },
///         CalibrationPoint { knob: 80, recall: 0.97 },
///     ],
/// };
/// assert_eq!(calibration.choose(0.95), Some(CalibrationPoint { knob: 80, recall: 0.97 }));
/// assert_eq!(calibration.choose(0.5).unwrap().knob, 10);
/// // Out of reach: the best point measured.
/// assert_eq!(calibration.choose(0.99).unwrap().knob, 80);
/// let bytes = calibration.to_bytes();
/// assert_eq!(Calibration::from_bytes(&bytes), Ok(Some(calibration)));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Calibration {
    /// The knob swept.
    pub knob: Knob,
    /// Neighbours per query the recall counts.
    pub k: u32,
    /// Sample queries measured.
    pub queries: u32,
    /// The points, knob increasing.
    pub points: Vec<CalibrationPoint>,
}

impl Calibration {
    /// The smallest knob whose recall reaches `target`; when none does, the point of best
    /// recall (the largest knob measured). `None` when nothing was measured.
    pub fn choose(&self, target: f64) -> Option<CalibrationPoint> {
        self.points
            .iter()
            .find(|point| f64::from(point.recall) >= target)
            .or_else(|| {
                self.points
                    .iter()
                    .max_by(|a, b| a.recall.total_cmp(&b.recall).then(b.knob.cmp(&a.knob)))
            })
            .copied()
    }

    /// The calibration as bytes, for a snapshot: knob (u8), three zero bytes, `k`,
    /// `queries` and the point count (u32 each), then each point's knob (u32) and recall
    /// (f32), all little-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = vec![self.knob.code(), 0, 0, 0];
        for word in [self.k, self.queries, self.points.len() as u32] {
            bytes.extend(word.to_le_bytes());
        }
        for point in &self.points {
            bytes.extend(point.knob.to_le_bytes());
            bytes.extend(point.recall.to_le_bytes());
        }
        bytes
    }

    /// Reads what [`Calibration::to_bytes`] wrote; empty bytes are no calibration. Any
    /// inconsistency is an error naming it, never a panic.
    pub fn from_bytes(bytes: &[u8]) -> Result<Option<Calibration>, String> {
        if bytes.is_empty() {
            return Ok(None);
        }
        let word = |at: usize| -> Result<u32, String> {
            bytes
                .get(at..at + 4)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_le_bytes)
                .ok_or_else(|| "calibration is truncated".to_string())
        };
        let knob = match bytes[0] {
            0 => Knob::EfSearch,
            1 => Knob::Probes,
            _ => return Err("calibration has an unknown knob".into()),
        };
        let (k, queries, count) = (word(4)?, word(8)?, word(12)? as usize);
        if bytes.len() != 16 + 8 * count {
            return Err("calibration has the wrong length".into());
        }
        let mut points = Vec::with_capacity(count);
        for index in 0..count {
            let at = 16 + 8 * index;
            let recall = f32::from_bits(word(at + 4)?);
            if !(0.0..=1.0).contains(&recall) {
                return Err("calibration holds a recall outside [0, 1]".into());
            }
            points.push(CalibrationPoint {
                knob: word(at)?,
                recall,
            });
        }
        Ok(Some(Calibration {
            knob,
            k,
            queries,
            points,
        }))
    }
}

/// Sweeps `knobs` (increasing) over sample queries `0..exact.len()`: `exact[q]` holds sample
/// `q`'s exact nearest ids (up to `k`), `search(q, knob)` the ids the index finds at that
/// knob (nearest first; only the first `k` count). The samples are split over `threads`
/// threads. Stops after the first knob whose mean recall reaches [`RECALL_CEILING`], or
/// when `should_stop` says so (`None` then).
pub fn measure(
    knob: Knob,
    knobs: &[u32],
    k: usize,
    exact: &[Vec<u64>],
    search: &(dyn Fn(usize, u32) -> Vec<u64> + Sync),
    should_stop: &(dyn Fn() -> bool + Sync),
    threads: usize,
) -> Option<Calibration> {
    let mut points = Vec::new();
    let wanted: usize = exact.iter().map(|ids| ids.len().min(k)).sum();
    let calibration = |points| Calibration {
        knob,
        k: k as u32,
        queries: exact.len() as u32,
        points,
    };
    if wanted == 0 {
        return Some(calibration(points));
    }
    let threads = threads.clamp(1, exact.len());
    let part = exact.len().div_ceil(threads);
    for &value in knobs {
        // Hits per thread; `None` once a thread saw the stop request.
        let found: Option<usize> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|thread| {
                    scope.spawn(move || {
                        let mut found = 0;
                        let end = ((thread + 1) * part).min(exact.len());
                        for (query, truth) in exact.iter().enumerate().take(end).skip(thread * part)
                        {
                            if should_stop() {
                                return None;
                            }
                            let truth = &truth[..truth.len().min(k)];
                            let ids = search(query, value);
                            found += ids.iter().take(k).filter(|id| truth.contains(id)).count();
                        }
                        Some(found)
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|worker| worker.join().unwrap_or(None))
                .sum()
        });
        let recall = found? as f64 / wanted as f64;
        points.push(CalibrationPoint {
            knob: value,
            recall: recall as f32,
        });
        if recall >= RECALL_CEILING {
            break;
        }
    }
    Some(calibration(points))
}

/// The sample a calibration draws: `count` distinct positions out of `0..population`,
/// spread evenly from a seed (all of them when the population is that small).
pub fn sample_positions(population: usize, count: usize, seed: u64) -> Vec<usize> {
    if population <= count {
        return (0..population).collect();
    }
    let stride = population as f64 / count as f64;
    let offset = (seed % 1_000_003) as f64 / 1_000_003.0 * stride;
    (0..count)
        .map(|index| ((index as f64 * stride + offset) as usize).min(population - 1))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damaged_bytes_are_errors() {
        assert_eq!(Calibration::from_bytes(&[]), Ok(None));
        assert!(Calibration::from_bytes(&[0, 0, 0]).is_err());
        assert!(Calibration::from_bytes(&[9; 16]).is_err());
        let calibration = Calibration {
            knob: Knob::Probes,
            k: 10,
            queries: 3,
            points: vec![CalibrationPoint {
                knob: 4,
                recall: 0.5,
            }],
        };
        let mut bytes = calibration.to_bytes();
        assert_eq!(
            Calibration::from_bytes(&bytes),
            Ok(Some(calibration.clone()))
        );
        bytes[20..24].copy_from_slice(&2.0f32.to_le_bytes());
        assert!(Calibration::from_bytes(&bytes).is_err());
        bytes.pop();
        assert!(Calibration::from_bytes(&bytes).is_err());
    }

    #[test]
    fn measure_stops_at_the_ceiling() {
        let exact = vec![vec![1, 2], vec![3, 4]];
        // The knob is how many of the true neighbours the search finds.
        let search = |query: usize, knob: u32| -> Vec<u64> {
            exact[query].iter().take(knob as usize).copied().collect()
        };
        for threads in [1, 2, 8] {
            let calibration = measure(
                Knob::EfSearch,
                &[1, 2, 3, 4],
                2,
                &exact,
                &search,
                &|| false,
                threads,
            )
            .unwrap();
            let recalls: Vec<f32> = calibration.points.iter().map(|p| p.recall).collect();
            assert_eq!(recalls, [0.5, 1.0]);
        }
        assert!(measure(Knob::EfSearch, &[1], 2, &exact, &search, &|| true, 2).is_none());
        assert_eq!(sample_positions(5, 10, 1), [0, 1, 2, 3, 4]);
        let sample = sample_positions(1000, 10, 77);
        assert_eq!(sample.len(), 10);
        assert!(sample.windows(2).all(|w| w[0] < w[1]));
    }
}
