//! Vector index snapshots: writing an index in its crate's snapshot format (`vec-hnsw`
//! or `vec-ivf`) and opening one again through a memory map instead of rebuilding it.
//! Opening checks that the file holds the operator class and dimensions the catalog
//! expects; the index crates check the rest and report damage as an error.

use std::io::Write;
use std::path::Path;

use vec_hnsw::Hnsw;
use vec_ivf::IvfIndex;

use super::{HnswIndex, IvfIndexAny, Opclass, VectorIndex};
use crate::error::{EngineError, Result};

fn unusable(reason: impl std::fmt::Display) -> EngineError {
    EngineError::new("XX001", format!("index snapshot is unusable: {reason}"))
}

fn check_dimensions(found: usize, expected: usize) -> Result<()> {
    if found == expected {
        Ok(())
    } else {
        Err(unusable(format!(
            "it has {found} dimensions, the column has {expected}"
        )))
    }
}

fn open_hnsw<M: vec_hnsw::Metric>(path: &Path, dimensions: usize) -> Result<Hnsw<M>> {
    let index = Hnsw::<M>::open(path).map_err(unusable)?;
    check_dimensions(index.dimensions(), dimensions)?;
    Ok(index)
}

fn open_ivf<E: vec_ivf::Element, M: vec_ivf::Metric<E>>(
    path: &Path,
    dimensions: usize,
) -> Result<IvfIndex<E, M>> {
    let index = IvfIndex::<E, M>::open(path).map_err(unusable)?;
    check_dimensions(index.dimensions(), dimensions)?;
    Ok(index)
}

impl HnswIndex {
    /// Writes the index in `vec-hnsw`'s snapshot format.
    pub fn write_snapshot(&self, writer: &mut dyn Write) -> std::io::Result<()> {
        use HnswIndex::*;
        match self {
            VectorL2(i) => i.write_snapshot(writer),
            VectorIp(i) => i.write_snapshot(writer),
            VectorCosine(i) => i.write_snapshot(writer),
            VectorL1(i) => i.write_snapshot(writer),
            HalfL2(i) => i.write_snapshot(writer),
            HalfIp(i) => i.write_snapshot(writer),
            HalfCosine(i) => i.write_snapshot(writer),
            HalfL1(i) => i.write_snapshot(writer),
            SparseL2(i) => i.write_snapshot(writer),
            SparseIp(i) => i.write_snapshot(writer),
            SparseCosine(i) => i.write_snapshot(writer),
            SparseL1(i) => i.write_snapshot(writer),
            BitHamming(i) => i.write_snapshot(writer),
            BitJaccard(i) => i.write_snapshot(writer),
        }
    }

    /// Opens a snapshot of an index of this operator class and dimensions.
    pub fn open_snapshot(opclass: Opclass, dimensions: usize, path: &Path) -> Result<HnswIndex> {
        let d = dimensions;
        Ok(match opclass {
            Opclass::VectorL2 => HnswIndex::VectorL2(open_hnsw(path, d)?),
            Opclass::VectorIp => HnswIndex::VectorIp(open_hnsw(path, d)?),
            Opclass::VectorCosine => HnswIndex::VectorCosine(open_hnsw(path, d)?),
            Opclass::VectorL1 => HnswIndex::VectorL1(open_hnsw(path, d)?),
            Opclass::HalfL2 => HnswIndex::HalfL2(open_hnsw(path, d)?),
            Opclass::HalfIp => HnswIndex::HalfIp(open_hnsw(path, d)?),
            Opclass::HalfCosine => HnswIndex::HalfCosine(open_hnsw(path, d)?),
            Opclass::HalfL1 => HnswIndex::HalfL1(open_hnsw(path, d)?),
            Opclass::SparseL2 => HnswIndex::SparseL2(open_hnsw(path, d)?),
            Opclass::SparseIp => HnswIndex::SparseIp(open_hnsw(path, d)?),
            Opclass::SparseCosine => HnswIndex::SparseCosine(open_hnsw(path, d)?),
            Opclass::SparseL1 => HnswIndex::SparseL1(open_hnsw(path, d)?),
            Opclass::BitHamming => HnswIndex::BitHamming(open_hnsw(path, d)?),
            Opclass::BitJaccard => HnswIndex::BitJaccard(open_hnsw(path, d)?),
        })
    }
}

impl IvfIndexAny {
    /// Writes the index in `vec-ivf`'s snapshot format.
    pub fn write_snapshot(&self, writer: &mut dyn Write) -> std::io::Result<()> {
        use IvfIndexAny::*;
        match self {
            VectorL2(i) => i.write_snapshot(writer),
            VectorIp(i) => i.write_snapshot(writer),
            VectorCosine(i) => i.write_snapshot(writer),
            HalfL2(i) => i.write_snapshot(writer),
            HalfIp(i) => i.write_snapshot(writer),
            HalfCosine(i) => i.write_snapshot(writer),
            BitHamming(i) => i.write_snapshot(writer),
        }
    }

    /// Opens a snapshot of an index of this operator class and dimensions.
    pub fn open_snapshot(opclass: Opclass, dimensions: usize, path: &Path) -> Result<IvfIndexAny> {
        let d = dimensions;
        Ok(match opclass {
            Opclass::VectorL2 => IvfIndexAny::VectorL2(open_ivf(path, d)?),
            Opclass::VectorIp => IvfIndexAny::VectorIp(open_ivf(path, d)?),
            Opclass::VectorCosine => IvfIndexAny::VectorCosine(open_ivf(path, d)?),
            Opclass::HalfL2 => IvfIndexAny::HalfL2(open_ivf(path, d)?),
            Opclass::HalfIp => IvfIndexAny::HalfIp(open_ivf(path, d)?),
            Opclass::HalfCosine => IvfIndexAny::HalfCosine(open_ivf(path, d)?),
            Opclass::BitHamming => IvfIndexAny::BitHamming(open_ivf(path, d)?),
            other => return Err(unusable(format!("no ivfflat index for {}", other.name()))),
        })
    }
}

impl VectorIndex {
    /// Whether the index has a snapshot format (`USING vectors` indexes have none and
    /// are rebuilt from the rows when the database opens).
    pub fn has_snapshot_format(&self) -> bool {
        !matches!(self, VectorIndex::Vectors(_))
    }

    /// Writes the index in its access method's snapshot format.
    pub fn write_snapshot(&self, writer: &mut dyn Write) -> std::io::Result<()> {
        match self {
            VectorIndex::Hnsw(index) => index.write_snapshot(writer),
            VectorIndex::Ivf(index) => index.write_snapshot(writer),
            VectorIndex::Vectors(_) => Err(std::io::Error::new(
                std::io::ErrorKind::Unsupported,
                "USING vectors indexes have no snapshot format",
            )),
        }
    }

    /// Opens a snapshot written by [`VectorIndex::write_snapshot`] for an index of access
    /// method `method` (`hnsw` or `ivfflat`), operator class and dimensions; an error if
    /// the file is damaged or holds another kind of index.
    pub fn open_snapshot(
        method: &str,
        opclass: Opclass,
        dimensions: usize,
        path: &Path,
    ) -> Result<VectorIndex> {
        match method {
            "hnsw" => HnswIndex::open_snapshot(opclass, dimensions, path).map(VectorIndex::Hnsw),
            "ivfflat" => {
                IvfIndexAny::open_snapshot(opclass, dimensions, path).map(VectorIndex::Ivf)
            }
            other => Err(unusable(format!("unknown access method \"{other}\""))),
        }
    }
}
