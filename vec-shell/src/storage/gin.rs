//! The `gin` index's inverted structure: each lexeme with the row versions whose
//! `tsvector` holds it. Like the btree indexes it holds every stored version (readers
//! check the rows they fetch against their view) and is rebuilt from the heap on first
//! use. A query gives the row versions that can match it, a superset that the query's
//! condition then checks row by row (PostgreSQL's "recheck").

use std::collections::{BTreeMap, BTreeSet};

use vec_text::tsquery::Node;
use vec_text::{TsQuery, TsVector};

use super::RowId;

/// An inverted index over one `tsvector` key.
#[derive(Debug)]
pub struct GinIndex {
    name: String,
    entries: BTreeMap<String, BTreeSet<RowId>>,
}

impl GinIndex {
    /// An empty index named `name`.
    pub fn new(name: String) -> GinIndex {
        GinIndex {
            name,
            entries: BTreeMap::new(),
        }
    }

    /// The index's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Enters a row version's lexemes.
    pub fn insert(&mut self, id: RowId, vector: &TsVector) {
        for entry in vector.entries() {
            self.entries
                .entry(entry.lexeme.clone())
                .or_default()
                .insert(id);
        }
    }

    /// Forgets a row version (given with the vector it was entered with).
    pub fn remove(&mut self, id: RowId, vector: &TsVector) {
        for entry in vector.entries() {
            if let Some(ids) = self.entries.get_mut(&entry.lexeme) {
                ids.remove(&id);
                if ids.is_empty() {
                    self.entries.remove(&entry.lexeme);
                }
            }
        }
    }

    /// The row versions that can match `query`, in storage order; `None` when the index
    /// cannot narrow it (a query that `!` alone can satisfy).
    pub fn candidates(&self, query: &TsQuery) -> Option<Vec<RowId>> {
        match &query.root {
            None => Some(Vec::new()),
            Some(root) => self.node(root).map(|ids| ids.into_iter().collect()),
        }
    }

    fn node(&self, node: &Node) -> Option<BTreeSet<RowId>> {
        match node {
            Node::Operand(operand) => {
                let mut ids = BTreeSet::new();
                if operand.prefix {
                    for (lexeme, rows) in self.entries.range(operand.lexeme.clone()..) {
                        if !lexeme.starts_with(&operand.lexeme) {
                            break;
                        }
                        ids.extend(rows.iter().copied());
                    }
                } else if let Some(rows) = self.entries.get(&operand.lexeme) {
                    ids.extend(rows.iter().copied());
                }
                Some(ids)
            }
            Node::Stop => Some(BTreeSet::new()),
            Node::Not(_) => None,
            Node::And(l, r) | Node::Phrase(l, r, _) => match (self.node(l), self.node(r)) {
                (Some(a), Some(b)) => Some(a.intersection(&b).copied().collect()),
                (Some(a), None) | (None, Some(a)) => Some(a),
                (None, None) => None,
            },
            Node::Or(l, r) => {
                let mut a = self.node(l)?;
                a.extend(self.node(r)?);
                Some(a)
            }
        }
    }

    /// The number of lexemes it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds no lexeme.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_narrow_by_lexeme() {
        let mut gin = GinIndex::new("g".into());
        gin.insert(1, &TsVector::parse("fat cat").unwrap());
        gin.insert(2, &TsVector::parse("fat rat").unwrap());
        gin.insert(3, &TsVector::parse("dog").unwrap());
        let ids = |gin: &GinIndex, q: &str| gin.candidates(&TsQuery::parse(q).unwrap());
        assert_eq!(ids(&gin, "fat & rat"), Some(vec![2]));
        assert_eq!(ids(&gin, "cat | dog"), Some(vec![1, 3]));
        assert_eq!(ids(&gin, "fa:*"), Some(vec![1, 2]));
        assert_eq!(ids(&gin, "!dog"), None);
        gin.remove(2, &TsVector::parse("fat rat").unwrap());
        assert_eq!(ids(&gin, "fat"), Some(vec![1]));
    }
}
