//! Ordering rows: a stable full sort, and a bounded top-k heap for `ORDER BY … LIMIT k`
//! that keeps only `k` rows in memory and never sorts the whole input.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::error::Result;
use crate::plan::SortKey;
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
}
