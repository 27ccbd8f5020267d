//! Ordering rows: a stable full sort that keeps `work_mem` of rows in memory and sorts
//! larger inputs externally (sorted runs in temporary files, merged as they are read),
//! and a bounded top-k heap for `ORDER BY … LIMIT k` that keeps only `k` rows in memory
//! and never sorts the whole input.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use vec_storage::{TempFile, TempReader};

use super::spill::{read_row, row_bytes, write_row, SpillConfig};
use crate::error::Result;
use crate::plan::SortKey;
use crate::storage::durable::storage_error;
use crate::storage::Row;

/// Compares two rows by the sort keys.
pub fn compare_rows(a: &Row, b: &Row, keys: &[SortKey]) -> Ordering {
    for key in keys {
        let (x, y) = (&a[key.column], &b[key.column]);
        let order = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => {
                if key.nulls_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (false, true) => {
                if key.nulls_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (false, false) => {
                let order = x.compare(y);
                if key.descending {
                    order.reverse()
                } else {
                    order
                }
            }
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

/// Sorts rows stably.
pub fn sort_rows(mut rows: Vec<Row>, keys: &[SortKey]) -> Vec<Row> {
    rows.sort_by(|a, b| compare_rows(a, b, keys));
    rows
}

/// Sorts a stream stably within `config.work_mem`: rows that fit are sorted in memory;
/// past the budget, each budget's worth is sorted and written to a temporary file (a
/// run), and the runs are merged as the caller reads (ties keep input order).
pub fn sort_stream(
    rows: impl Iterator<Item = Result<Row>>,
    keys: &[SortKey],
    config: &SpillConfig,
) -> Result<Box<dyn Iterator<Item = Result<Row>>>> {
    let mut runs: Vec<TempFile> = Vec::new();
    let mut chunk: Vec<Row> = Vec::new();
    let mut bytes = 0;
    for row in rows {
        let row = row?;
        bytes += row_bytes(&row);
        chunk.push(row);
        if bytes > config.work_mem {
            let mut run = config.temp_file()?;
            for row in sort_rows(std::mem::take(&mut chunk), keys) {
                write_row(&mut run, &row)?;
            }
            runs.push(run);
            bytes = 0;
        }
    }
    let last = sort_rows(chunk, keys);
    if runs.is_empty() {
        return Ok(Box::new(last.into_iter().map(Ok)));
    }
    let mut readers = Vec::with_capacity(runs.len() + 1);
    for run in &mut runs {
        readers.push(run.reader().map_err(storage_error)?);
    }
    // Each reader holds its own handle of the (unlinked) file, so the runs can go.
    drop(runs);
    Ok(Box::new(Merge::new(readers, last, keys.to_vec())?))
}

/// A k-way merge of sorted runs (files, then the last run still in memory).
struct Merge {
    readers: Vec<TempReader>,
    memory: std::vec::IntoIter<Row>,
    heap: BinaryHeap<std::cmp::Reverse<Head>>,
    keys: std::sync::Arc<[SortKey]>,
}

/// The next row of one run; runs earlier in the input win ties.
struct Head {
    row: Row,
    run: usize,
    keys: std::sync::Arc<[SortKey]>,
}

impl Ord for Head {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_rows(&self.row, &other.row, &self.keys).then(self.run.cmp(&other.run))
    }
}

impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Head {}

impl Merge {
    fn new(readers: Vec<TempReader>, last: Vec<Row>, keys: Vec<SortKey>) -> Result<Merge> {
        let mut merge = Merge {
            readers,
            memory: last.into_iter(),
            heap: BinaryHeap::new(),
            keys: keys.into(),
        };
        for run in 0..=merge.readers.len() {
            merge.refill(run)?;
        }
        Ok(merge)
    }

    /// Pushes run `run`'s next row, if any.
    fn refill(&mut self, run: usize) -> Result<()> {
        let row = match self.readers.get_mut(run) {
            Some(reader) => read_row(reader)?,
            None => self.memory.next(),
        };
        if let Some(row) = row {
            self.heap.push(std::cmp::Reverse(Head {
                row,
                run,
                keys: std::sync::Arc::clone(&self.keys),
            }));
        }
        Ok(())
    }
}

impl Iterator for Merge {
    type Item = Result<Row>;

    fn next(&mut self) -> Option<Result<Row>> {
        let std::cmp::Reverse(head) = self.heap.pop()?;
        if let Err(error) = self.refill(head.run) {
            return Some(Err(error));
        }
        Some(Ok(head.row))
    }
}

struct Entry<'k> {
    row: Row,
    seq: usize,
    keys: &'k [SortKey],
}

impl Ord for Entry<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_rows(&self.row, &other.row, self.keys).then(self.seq.cmp(&other.seq))
    }
}

impl PartialOrd for Entry<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Entry<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry<'_> {}

/// The first `k` rows in key order (ties in input order), keeping at most `k` rows.
pub fn top_k(
    rows: impl Iterator<Item = Result<Row>>,
    keys: &[SortKey],
    k: usize,
) -> Result<Vec<Row>> {
    let mut heap = BinaryHeap::with_capacity(k.min(1 << 16) + 1);
    if k == 0 {
        for row in rows {
            row?;
        }
        return Ok(Vec::new());
    }
    for (seq, row) in rows.enumerate() {
        let entry = Entry {
            row: row?,
            seq,
            keys,
        };
        if heap.len() < k {
            heap.push(entry);
        } else if heap.peek().is_some_and(|worst| entry < *worst) {
            heap.pop();
            heap.push(entry);
        }
    }
    Ok(heap.into_sorted_vec().into_iter().map(|e| e.row).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Datum;

    #[test]
    fn top_k_matches_a_full_sort() {
        let rows: Vec<Row> = [5, 1, 4, 1, 3, 9, 2]
            .iter()
            .enumerate()
            .map(|(i, v)| vec![Datum::Int4(*v), Datum::Int4(i as i32)])
            .collect();
        let keys = [SortKey {
            column: 0,
            descending: false,
            nulls_first: false,
        }];
        let full = sort_rows(rows.clone(), &keys);
        let best = top_k(rows.into_iter().map(Ok), &keys, 3).unwrap();
        assert_eq!(best, full[..3].to_vec());
    }

    #[test]
    fn an_external_sort_matches_the_in_memory_sort_and_keeps_ties_in_order() {
        let rows: Vec<Row> = (0..5000)
            .map(|i: i32| vec![Datum::Int4((i * 7919) % 97), Datum::Int4(i)])
            .collect();
        let keys = [SortKey {
            column: 0,
            descending: true,
            nulls_first: false,
        }];
        let config = SpillConfig {
            work_mem: 8192,
            ..SpillConfig::default()
        };
        let sorted: Vec<Row> = sort_stream(rows.clone().into_iter().map(Ok), &keys, &config)
            .unwrap()
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(sorted, sort_rows(rows, &keys));
    }
}
