//! Scans of a [`DeferredIndex`]. A growing index measures every row it keeps. Plain lists
//! scan as IVFFlat does. Quantized lists are scanned in batches: the best `k` codes (100
//! first) are ranked, the ones not yet returned are re-ranked with exact distances from the
//! table (or by their code distances when there is no table to ask), and the next batch asks
//! for four times as many; once the probed lists are used up, an iterative scan probes twice
//! as many lists (up to `max_probes`), a plain one stops.

use std::collections::{HashSet, VecDeque};

use vec_index::{ExactDistance, Hit};

use super::{DeferredIndex, State};
use crate::element::Element;
use crate::error::IvfError;
use crate::ivf::{prepared_row, ScanCursor};
use crate::metric::Metric;
use crate::options::{IterativeScan, SearchOptions, MAX_LISTS};
use crate::quant::{QuantizedIvf, QuantizedSearchOptions, VectorSource};
use crate::topk::Neighbor;

/// The first batch of a quantized scan.
const FIRST_BATCH: usize = 100;

impl<E: Element, M: Metric<E>> DeferredIndex<E, M> {
    /// A cursor over the rows nearest to `query`, nearest first within each batch.
    /// `options.probes` lists are probed first; with an iterative scan more lists are probed
    /// as batches run out, up to `options.max_probes`. `exact` gives a row's exact distance
    /// for re-ranking quantized candidates; without it they are ranked by code distance.
    /// Hits carry the distance the SQL operator returns.
    pub fn scan<'a>(
        &'a self,
        query: &[E],
        options: &SearchOptions,
        exact: Option<ExactDistance<'a>>,
    ) -> Result<DeferredCursor<'a, E, M>, IvfError> {
        options.validate()?;
        self.check(query)?;
        let iterative = options.iterative_scan != IterativeScan::Off;
        Ok(match &self.state {
            State::Growing(growing) => {
                let mut scratch = vec![E::default(); query.len()];
                let query = prepared_row::<E, M>(query, &mut scratch)
                    .unwrap_or(query)
                    .to_vec();
                let stride = query.len().max(1);
                let mut row_scratch = vec![E::default(); query.len()];
                let mut hits: Vec<Hit> = growing
                    .ids
                    .iter()
                    .zip(growing.data.chunks_exact(stride))
                    .filter_map(|(&row_id, row)| {
                        let row = prepared_row::<E, M>(row, &mut row_scratch)?;
                        Some(Hit {
                            row_id,
                            distance: M::report(M::distance(&query, row)),
                        })
                    })
                    .collect();
                hits.sort_by(|a, b| {
                    a.distance
                        .total_cmp(&b.distance)
                        .then(a.row_id.cmp(&b.row_id))
                });
                DeferredCursor(Inner::Growing(hits.into_iter()))
            }
            State::Plain(index) => {
                let search = SearchOptions {
                    iterative_scan: if iterative {
                        IterativeScan::RelaxedOrder
                    } else {
                        IterativeScan::Off
                    },
                    ..*options
                };
                DeferredCursor(Inner::Plain(index.scan(query, &search)?))
            }
            State::Quantized(index) => {
                let lists = index.lists().max(1);
                let probes = (options.probes as usize).min(lists);
                let max_probes = if iterative {
                    (options.max_probes as usize).max(probes).min(lists)
                } else {
                    probes
                };
                let mut batches = Batches {
                    index,
                    query: query.to_vec(),
                    k: FIRST_BATCH,
                    probes,
                    max_probes,
                    seen: HashSet::new(),
                    pending: VecDeque::new(),
                    done: false,
                    exact,
                };
                // The first batch runs now, so that its errors reach the caller.
                batches.fetch()?;
                DeferredCursor(Inner::Quantized(Box::new(batches)))
            }
        })
    }
}

/// A scan of a [`DeferredIndex`]: an iterator of [`Hit`]s.
pub struct DeferredCursor<'a, E: Element, M: Metric<E>>(Inner<'a, E, M>);

enum Inner<'a, E: Element, M: Metric<E>> {
    Growing(std::vec::IntoIter<Hit>),
    Plain(ScanCursor<'a, E, M>),
    Quantized(Box<Batches<'a, E, M>>),
}

impl<E: Element, M: Metric<E>> Iterator for DeferredCursor<'_, E, M> {
    type Item = Hit;

    fn next(&mut self) -> Option<Hit> {
        match &mut self.0 {
            Inner::Growing(hits) => hits.next(),
            Inner::Plain(cursor) => cursor.next().map(|neighbor| Hit {
                row_id: neighbor.id,
                distance: M::report(neighbor.distance),
            }),
            Inner::Quantized(batches) => batches.next(),
        }
    }
}

/// Candidates come back with their code distances (`rerank = 0`); re-ranking asks the
/// table, so the index's side has no rows to give.
struct NoRows;

impl<E> VectorSource<E> for NoRows {
    fn vector(&self, _id: u64) -> Option<&[E]> {
        None
    }
}

/// A quantized scan in growing batches, each re-ranked exactly.
struct Batches<'a, E: Element, M: Metric<E>> {
    index: &'a QuantizedIvf<E, M>,
    query: Vec<E>,
    k: usize,
    probes: usize,
    max_probes: usize,
    seen: HashSet<u64>,
    pending: VecDeque<Hit>,
    done: bool,
    exact: Option<ExactDistance<'a>>,
}

impl<E: Element, M: Metric<E>> Batches<'_, E, M> {
    fn fetch(&mut self) -> Result<(), IvfError> {
        let options = QuantizedSearchOptions {
            search: SearchOptions {
                probes: self.probes as u32,
                iterative_scan: IterativeScan::Off,
                max_probes: MAX_LISTS,
            },
            rerank: 0,
        };
        let found = self.index.search(&self.query, self.k, &options, &NoRows)?;
        let exhausted = found.len() < self.k;
        let fresh: Vec<Neighbor> = found
            .into_iter()
            .filter(|neighbor| self.seen.insert(neighbor.id))
            .collect();
        let mut fresh: Vec<Hit> = fresh.into_iter().map(|n| self.rerank(n)).collect();
        fresh.sort_by(|a, b| {
            a.distance
                .total_cmp(&b.distance)
                .then(a.row_id.cmp(&b.row_id))
        });
        self.pending.extend(fresh);
        if !exhausted {
            self.k = self.k.saturating_mul(4);
        } else if self.probes < self.max_probes {
            self.probes = (self.probes * 2).min(self.max_probes);
        } else {
            self.done = true;
        }
        Ok(())
    }

    /// The candidate with its exact distance, or its code distance when the table has no
    /// answer.
    fn rerank(&self, neighbor: Neighbor) -> Hit {
        let code = M::report(neighbor.distance);
        let distance = match &self.exact {
            Some(exact) => exact(neighbor.id).map_or(code, |distance| distance as f32),
            None => code,
        };
        Hit {
            row_id: neighbor.id,
            distance,
        }
    }
}

impl<E: Element, M: Metric<E>> Iterator for Batches<'_, E, M> {
    type Item = Hit;

    fn next(&mut self) -> Option<Hit> {
        loop {
            if let Some(hit) = self.pending.pop_front() {
                return Some(hit);
            }
            if self.done || self.fetch().is_err() {
                return None;
            }
        }
    }
}
