//! pgvector's `sparsevec_cmp`, the btree ordering of `sparsevec`.
//!
//! It reads the stored elements pairwise, as PostgreSQL compares arrays: at the first
//! position where the indices differ, the vector whose element comes first is greater
//! when that element is positive (it is non-zero where the other is zero) and smaller
//! when it is negative; equal indices compare their values. When one vector runs out,
//! its next missing element counts as zero against the other's next element if that
//! element lies within the shorter vector's dimensions; otherwise the dimensions decide.

use std::cmp::Ordering;

use super::SparseVector;

impl Ord for SparseVector {
    fn cmp(&self, other: &SparseVector) -> Ordering {
        let common = self.nnz().min(other.nnz());
        for position in 0..common {
            let (self_index, other_index) = (self.indices[position], other.indices[position]);
            let (self_value, other_value) = (self.values[position], other.values[position]);
            if self_index < other_index {
                return sign_of(self_value);
            }
            if self_index > other_index {
                return sign_of(other_value).reverse();
            }
            if self_value < other_value {
                return Ordering::Less;
            }
            if self_value > other_value {
                return Ordering::Greater;
            }
        }
        if self.nnz() < other.nnz() && other.indices[common] < self.dim {
            return sign_of(other.values[common]).reverse();
        }
        if self.nnz() > other.nnz() && self.indices[common] < other.dim {
            return sign_of(self.values[common]);
        }
        self.dim.cmp(&other.dim)
    }
}

impl PartialOrd for SparseVector {
    fn partial_cmp(&self, other: &SparseVector) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// How a stored element compares with the zero the other vector has at its index.
fn sign_of(value: f32) -> Ordering {
    if value < 0.0 {
        Ordering::Less
    } else {
        Ordering::Greater
    }
}
