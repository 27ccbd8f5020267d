//! vec-ivf's indexes behind `vec-index`'s interface: [`IvfIndex`](crate::IvfIndex)
//! (pgvector's `ivfflat`) and [`DeferredIndex`](crate::DeferredIndex) (pgvecto.rs's IVF and
//! flat) implement [`VectorIndex`](vec_index::VectorIndex); [`build_ivfflat`],
//! [`build_deferred`], [`open_ivfflat`] and [`open_deferred`] return them boxed. This file
//! holds what both share: [`ViewRef`], which reads a [`VectorRef`] as an element slice, the
//! conversion of [`IvfError`] into [`IndexError`] with pgvector's SQLSTATE codes, and of
//! scan options; `progress.rs` turns vec-ivf's phase reports into `vec-index`'s.

mod deferred;
mod ivfflat;
mod progress;

pub use deferred::{build_deferred, open_deferred};
pub use ivfflat::{build_ivfflat, open_ivfflat};

use vec_index::{IndexError, ScanOptions, VectorRef};
use vec_types::f16;

use crate::element::Element;
use crate::error::{IvfError, Notice};
use crate::options::{IterativeScan, SearchOptions};

impl From<IvfError> for IndexError {
    /// pgvector's SQLSTATE for each error (`ERRCODE_INVALID_PARAMETER_VALUE` for options,
    /// settings, a column without dimensions and one-dimensional spherical opclasses;
    /// `ERRCODE_PROGRAM_LIMIT_EXCEEDED` for limits; `ERRCODE_DATA_EXCEPTION` for values of
    /// other dimensions), the message, and the detail and hint the error gives.
    fn from(error: IvfError) -> IndexError {
        let sqlstate = match &error {
            IvfError::OptionOutOfBounds { .. }
            | IvfError::ParameterOutOfRange { .. }
            | IvfError::InvalidParameterValue { .. }
            | IvfError::InvalidOption { .. }
            | IvfError::NoDimensions
            | IvfError::SphericalNeedsTwoDimensions => "22023",
            IvfError::TooManyDimensions { .. } | IvfError::MemoryBudgetExceeded { .. } => "54000",
            IvfError::DimensionMismatch { .. } => "22000",
            IvfError::Unsupported { .. } => "0A000",
            IvfError::Cancelled => "57014",
            IvfError::Io { .. } => "58030",
            IvfError::RowCountMismatch { .. } => "XX000",
            IvfError::Corrupted { .. } => return IndexError::corrupt(error),
        };
        IndexError {
            sqlstate,
            message: error.to_string(),
            detail: error.detail(),
            hint: error.hint(),
        }
    }
}

impl From<Notice> for vec_index::Notice {
    fn from(notice: Notice) -> vec_index::Notice {
        vec_index::Notice::new(notice.message())
            .with_detail(notice.detail())
            .with_hint(notice.hint())
    }
}

/// An element type whose rows can be read out of a [`VectorRef`]: `f32` from `vector`,
/// [`f16`](struct@vec_types::f16) from `halfvec`, `u8` (packed bits) from `bit`.
pub trait ViewRef: Element {
    /// The value's elements; `None` when it is of another type.
    fn view(vector: VectorRef<'_>) -> Option<&[Self]>;
}

impl ViewRef for f32 {
    fn view(vector: VectorRef<'_>) -> Option<&[f32]> {
        match vector {
            VectorRef::F32(values) => Some(values),
            _ => None,
        }
    }
}

impl ViewRef for f16 {
    fn view(vector: VectorRef<'_>) -> Option<&[f16]> {
        match vector {
            VectorRef::F16(values) => Some(values),
            _ => None,
        }
    }
}

impl ViewRef for u8 {
    fn view(vector: VectorRef<'_>) -> Option<&[u8]> {
        match vector {
            VectorRef::Bits { bytes, .. } => Some(bytes),
            _ => None,
        }
    }
}

/// The value's elements, of `dimensions` dimensions: another type is
/// [`IndexError::wrong_type`], other dimensions pgvector's `expected %d dimensions, not %d`.
fn view_checked<E: ViewRef>(dimensions: usize, vector: VectorRef<'_>) -> Result<&[E], IndexError> {
    let values = E::view(vector).ok_or_else(IndexError::wrong_type)?;
    if vector.dimensions() != dimensions {
        return Err(IvfError::DimensionMismatch {
            expected: dimensions,
            received: vector.dimensions(),
        }
        .into());
    }
    Ok(values)
}

/// The rows' ids and elements back to back, each row checked by [`view_checked`].
fn collect_rows<E: ViewRef>(
    dimensions: usize,
    rows: &[(u64, VectorRef<'_>)],
) -> Result<(Vec<u64>, Vec<E>), IndexError> {
    let mut ids = Vec::with_capacity(rows.len());
    let mut data = Vec::with_capacity(rows.len() * E::stride(dimensions));
    for (row_id, vector) in rows {
        ids.push(*row_id);
        data.extend_from_slice(view_checked::<E>(dimensions, *vector)?);
    }
    Ok((ids, data))
}

impl From<&ScanOptions> for SearchOptions {
    /// The IVF fields: `probes`, `iterative_scan` (strict order is served as relaxed
    /// order, the only order an IVF scan has) and `max_probes`.
    fn from(options: &ScanOptions) -> SearchOptions {
        SearchOptions {
            probes: options.probes,
            iterative_scan: match options.iterative_scan {
                vec_index::IterativeScan::Off => IterativeScan::Off,
                vec_index::IterativeScan::StrictOrder | vec_index::IterativeScan::RelaxedOrder => {
                    IterativeScan::RelaxedOrder
                }
            },
            max_probes: options.max_probes,
        }
    }
}
