//! Btree indexes over scalar columns, kept by the row store next to the rows: an ordered
//! map from the leading key column's value to the ids of the rows holding it (ascending),
//! and the ids of the rows where it is NULL. A multi-column index is ordered by its
//! leading column, which is the column its scans can use.
//!
//! Keys are `boolean`, `integer`/`bigint` (one integer domain), `real`/`double
//! precision` (one float domain, ordered as PostgreSQL orders floats: `-0` equals `0`,
//! NaN equals NaN and sorts above everything) and `text`/`varchar` (byte order, the
//! engine's text order). Columns of other types get no live structure.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use super::{Row, RowId};
use crate::value::{compare_floats, Datum, SqlType};

/// A float key: `-0` is stored as `0` and every NaN as one NaN, so equality and order
/// agree with PostgreSQL's float comparison.
#[derive(Clone, Copy, Debug)]
pub struct FloatKey(f64);

impl FloatKey {
    /// The key of a float.
    pub fn new(value: f64) -> FloatKey {
        if value == 0.0 {
            FloatKey(0.0)
        } else if value.is_nan() {
            FloatKey(f64::NAN)
        } else {
            FloatKey(value)
        }
    }

    /// The float.
    pub fn value(self) -> f64 {
        self.0
    }
}

impl Ord for FloatKey {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_floats(self.0, other.0)
    }
}

impl PartialOrd for FloatKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for FloatKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for FloatKey {}

/// A btree key value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    /// `boolean`
    Bool(bool),
    /// `integer` and `bigint`
    Int(i64),
    /// `real` and `double precision`
    Float(FloatKey),
    /// `text` and `varchar`
    Text(String),
}

impl Key {
    /// The key of a non-NULL value of an indexable type.
    pub fn of(datum: &Datum) -> Option<Key> {
        Some(match datum {
            Datum::Bool(b) => Key::Bool(*b),
            Datum::Int4(v) => Key::Int(i64::from(*v)),
            Datum::Int8(v) => Key::Int(*v),
            Datum::Float4(v) => Key::Float(FloatKey::new(f64::from(*v))),
            Datum::Float8(v) => Key::Float(FloatKey::new(*v)),
            Datum::Text(s) => Key::Text(s.clone()),
            _ => return None,
        })
    }
}

/// Whether a column of this type can carry a live btree.
pub fn indexable(ty: &SqlType) -> bool {
    matches!(
        ty,
        SqlType::Bool
            | SqlType::Int4
            | SqlType::Int8
            | SqlType::Float4
            | SqlType::Float8
            | SqlType::Text
            | SqlType::Varchar
    )
}

/// One btree index's live structure.
#[derive(Clone, Debug)]
pub struct BtreeIndex {
    name: String,
    column: usize,
    map: BTreeMap<Key, Vec<RowId>>,
    nulls: BTreeSet<RowId>,
    len: usize,
}

impl BtreeIndex {
    /// An empty index on a column position.
    pub fn new(name: String, column: usize) -> BtreeIndex {
        BtreeIndex {
            name,
            column,
            map: BTreeMap::new(),
            nulls: BTreeSet::new(),
            len: 0,
        }
    }

    /// The index's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The leading key column's position.
    pub fn column(&self) -> usize {
        self.column
    }

    /// The number of rows indexed (NULL keys included).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no row is indexed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The number of distinct non-NULL keys.
    pub fn distinct(&self) -> usize {
        self.map.len()
    }

    /// Indexes a row.
    pub fn insert(&mut self, id: RowId, row: &Row) {
        match row.get(self.column).and_then(Key::of) {
            Some(key) => {
                let ids = self.map.entry(key).or_default();
                if let Err(at) = ids.binary_search(&id) {
                    ids.insert(at, id);
                    self.len += 1;
                }
            }
            None => {
                if self.nulls.insert(id) {
                    self.len += 1;
                }
            }
        }
    }

    /// Forgets a row (given as it was indexed).
    pub fn remove(&mut self, id: RowId, row: &Row) {
        match row.get(self.column).and_then(Key::of) {
            Some(key) => {
                if let Some(ids) = self.map.get_mut(&key) {
                    if let Ok(at) = ids.binary_search(&id) {
                        ids.remove(at);
                        self.len -= 1;
                    }
                    if ids.is_empty() {
                        self.map.remove(&key);
                    }
                }
            }
            None => {
                if self.nulls.remove(&id) {
                    self.len -= 1;
                }
            }
        }
    }

    /// Forgets every row.
    pub fn clear(&mut self) {
        self.map.clear();
        self.nulls.clear();
        self.len = 0;
    }

    /// The ids of the rows whose key lies in the range, in key order (ids ascending
    /// within a key).
    pub fn range<'a>(
        &'a self,
        lower: &Bound<Key>,
        upper: &Bound<Key>,
    ) -> impl Iterator<Item = RowId> + 'a {
        self.entries(lower, upper).flatten().copied()
    }

    /// The ids of the rows whose key lies in the range, keys in descending order when
    /// `descending` (ids ascending within a key either way), lazily.
    pub fn ordered<'a>(
        &'a self,
        lower: &Bound<Key>,
        upper: &Bound<Key>,
        descending: bool,
    ) -> Box<dyn Iterator<Item = RowId> + 'a> {
        if range_is_empty(lower, upper) {
            return Box::new(std::iter::empty());
        }
        let range = self.map.range((lower.clone(), upper.clone()));
        if descending {
            Box::new(range.rev().flat_map(|(_, ids)| ids.iter().copied()))
        } else {
            Box::new(range.flat_map(|(_, ids)| ids.iter().copied()))
        }
    }

    /// The keys in the range with their row ids, in key order (descending when asked).
    pub fn keys<'a>(
        &'a self,
        lower: &Bound<Key>,
        upper: &Bound<Key>,
        descending: bool,
    ) -> Box<dyn Iterator<Item = (&'a Key, &'a Vec<RowId>)> + 'a> {
        if range_is_empty(lower, upper) {
            return Box::new(std::iter::empty());
        }
        let range = self.map.range((lower.clone(), upper.clone()));
        if descending {
            Box::new(range.rev())
        } else {
            Box::new(range)
        }
    }

    /// The number of rows whose key lies in the range, counting no further than `cap`.
    pub fn count(&self, lower: &Bound<Key>, upper: &Bound<Key>, cap: usize) -> usize {
        let mut total = 0usize;
        for ids in self.entries(lower, upper) {
            total += ids.len();
            if total >= cap {
                break;
            }
        }
        total
    }

    /// The ids of the rows whose key is NULL, ascending.
    pub fn nulls(&self) -> impl Iterator<Item = RowId> + '_ {
        self.nulls.iter().copied()
    }

    fn entries<'a>(
        &'a self,
        lower: &Bound<Key>,
        upper: &Bound<Key>,
    ) -> Box<dyn Iterator<Item = &'a Vec<RowId>> + 'a> {
        if range_is_empty(lower, upper) {
            return Box::new(std::iter::empty());
        }
        Box::new(
            self.map
                .range((lower.clone(), upper.clone()))
                .map(|(_, ids)| ids),
        )
    }
}

/// Whether a range holds no key (`BTreeMap::range` panics on such ranges).
pub fn range_is_empty(lower: &Bound<Key>, upper: &Bound<Key>) -> bool {
    match (lower, upper) {
        (Bound::Included(a), Bound::Included(b)) => a > b,
        (Bound::Included(a), Bound::Excluded(b))
        | (Bound::Excluded(a), Bound::Included(b))
        | (Bound::Excluded(a), Bound::Excluded(b)) => a >= b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_ids_by_key_and_forgets_removed_rows() {
        let mut index = BtreeIndex::new("t_a_idx".into(), 0);
        let rows = [Datum::Int4(3), Datum::Int8(1), Datum::Null, Datum::Int4(3)];
        for (id, value) in rows.iter().enumerate() {
            index.insert(id as RowId, &vec![value.clone()]);
        }
        assert_eq!(index.len(), 4);
        let all: Vec<RowId> = index.range(&Bound::Unbounded, &Bound::Unbounded).collect();
        assert_eq!(all, vec![1, 0, 3]);
        assert_eq!(index.nulls().collect::<Vec<_>>(), vec![2]);
        index.remove(0, &vec![Datum::Int4(3)]);
        let three = Bound::Included(Key::Int(3));
        assert_eq!(index.range(&three, &three).collect::<Vec<_>>(), vec![3]);
        assert_eq!(index.count(&Bound::Unbounded, &Bound::Unbounded, 10), 2);
        // A reversed range is empty rather than a panic.
        let one = Bound::Excluded(Key::Int(1));
        assert_eq!(index.range(&three, &one).count(), 0);
    }

    #[test]
    fn floats_order_as_postgres_does() {
        assert_eq!(FloatKey::new(-0.0), FloatKey::new(0.0));
        assert_eq!(FloatKey::new(f64::NAN), FloatKey::new(-f64::NAN));
        assert!(FloatKey::new(f64::NAN) > FloatKey::new(f64::INFINITY));
    }
}
