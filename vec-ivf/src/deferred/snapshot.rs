//! The [`DeferredIndex`] snapshot file (byte table on the type): a 128-byte header with the
//! spec and the state, then the growing rows or an embedded IVFFlat or quantized snapshot.
//! Opening maps the file, so embedded IVFFlat lists are scanned in place; every length,
//! kind and checksum is checked, and a damaged or truncated file is an
//! [`IvfError::Corrupted`], never a panic.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use memmap2::Mmap;

use super::{DeferredIndex, DeferredSpec, Growing, State};
use crate::element::Element;
use crate::error::IvfError;
use crate::ivf::{check_dimensions, IvfIndex};
use crate::metric::Metric;
use crate::options::BuildOptions;
use crate::quant::{ProductRatio, Quantization, QuantizedIvf, QuantizedOptions};
use crate::snapshot::{checksum, io_error};

const MAGIC: &[u8; 8] = b"VECSHIVD";
const VERSION: u32 = 1;
const HEADER: usize = 128;
const GROWING: u8 = 1;
const PLAIN: u8 = 2;
const QUANTIZED: u8 = 3;
/// The sample-rows word for pgvector's sampling rule.
const DEFAULT_SAMPLE: u64 = u64::MAX;

fn put(bytes: &mut [u8], at: usize, value: u64) {
    bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

fn get(bytes: &[u8], at: usize) -> u64 {
    let mut raw = [0u8; 8];
    raw.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(raw)
}

fn to_usize(value: u64) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}

impl<E: Element, M: Metric<E>> DeferredIndex<E, M> {
    /// Writes the index to `path` (replacing it) and syncs it to disk.
    pub fn save(&self, path: &Path) -> Result<(), IvfError> {
        let write = || -> std::io::Result<()> {
            let mut file = std::io::BufWriter::new(File::create(path)?);
            self.write_snapshot(&mut file)?;
            file.into_inner()
                .map_err(|error| error.into_error())?
                .sync_all()
        };
        write().map_err(|error| io_error(path, error))
    }

    /// Writes the index in the snapshot format to `writer`.
    pub fn write_snapshot(&self, writer: &mut dyn Write) -> std::io::Result<()> {
        let payload = match &self.state {
            State::Growing(growing) => {
                let mut payload = (growing.ids.len() as u64).to_le_bytes().to_vec();
                payload.extend_from_slice(bytemuck::cast_slice(&growing.ids));
                payload.extend_from_slice(bytemuck::cast_slice(&growing.data));
                payload
            }
            State::Plain(index) => index.snapshot_bytes(),
            State::Quantized(index) => index.snapshot_bytes(),
        };
        let header = self.header(&payload);
        writer.write_all(&header)?;
        writer.write_all(&payload)?;
        writer.flush()
    }

    fn header(&self, payload: &[u8]) -> [u8; HEADER] {
        let spec = &self.spec;
        let mut header = [0u8; HEADER];
        header[0..8].copy_from_slice(MAGIC);
        header[8..12].copy_from_slice(&VERSION.to_le_bytes());
        header[12] = E::KIND.code();
        header[13] = M::KIND.code();
        header[14] = match self.state {
            State::Growing(_) => GROWING,
            State::Plain(_) => PLAIN,
            State::Quantized(_) => QUANTIZED,
        };
        header[15] = u8::from(spec.flat);
        let build = &spec.build;
        let sample = build.sample_rows.map_or(DEFAULT_SAMPLE, |rows| rows as u64);
        let words = [
            self.dimensions as u64,
            u64::from(build.lists),
            sample,
            u64::from(build.iterations),
            u64::from(build.least_iterations),
            build.seed,
            build.memory_budget_bytes as u64,
            build.threads as u64,
        ];
        for (word_idx, value) in words.into_iter().enumerate() {
            put(&mut header, 16 + 8 * word_idx, value);
        }
        if let Some(quantized) = &spec.quantized {
            (header[80], header[81]) = match quantized.quantization {
                Quantization::Scalar => (1, 0),
                Quantization::Product { ratio } => (2, ratio.subvector_dimensions() as u8),
            };
            put(&mut header, 88, quantized.sample_rows as u64);
            put(&mut header, 96, quantized.threads as u64);
        }
        put(&mut header, 104, payload.len() as u64);
        put(&mut header, 112, (HEADER + payload.len()) as u64);
        let growing: &[u8] = if header[14] == GROWING { payload } else { &[] };
        let sum = checksum(&[&header[..120], growing]);
        put(&mut header, 120, sum);
        header
    }

    /// Opens a snapshot written by [`DeferredIndex::write_snapshot`] for the same element
    /// type and metric.
    pub fn open(path: &Path) -> Result<Self, IvfError> {
        let file = File::open(path).map_err(|error| io_error(path, error))?;
        // SAFETY: the map is read-only and treated as immutable; snapshots are written to a
        // new file and renamed into place, so a mapped file is never written while open.
        let map = unsafe { Mmap::map(&file) }.map_err(|error| io_error(path, error))?;
        let corrupted = |reason: &str| IvfError::Corrupted {
            path: path.to_path_buf(),
            reason: reason.to_string(),
        };
        let bytes: &[u8] = &map;
        if bytes.len() < HEADER || &bytes[0..8] != MAGIC {
            return Err(corrupted("not a deferred ivf snapshot"));
        }
        if bytes[8..12] != VERSION.to_le_bytes() {
            return Err(corrupted("unknown format version"));
        }
        if bytes[12] != E::KIND.code() || bytes[13] != M::KIND.code() {
            return Err(corrupted("element type or metric differs"));
        }
        let payload_len = to_usize(get(bytes, 104));
        if to_usize(get(bytes, 112)) != bytes.len()
            || Some(payload_len) != bytes.len().checked_sub(HEADER)
        {
            return Err(corrupted(
                "file length differs from its header (truncated?)",
            ));
        }
        let state = bytes[14];
        let growing: &[u8] = if state == GROWING {
            &bytes[HEADER..]
        } else {
            &[]
        };
        if get(bytes, 120) != checksum(&[&bytes[..120], growing]) {
            return Err(corrupted("checksum mismatch"));
        }
        let dimensions = to_usize(get(bytes, 16));
        check_dimensions::<E, M>(dimensions).map_err(|_| corrupted("bad dimensions"))?;
        let spec = read_spec(bytes).ok_or_else(|| corrupted("bad build options"))?;
        let lists = spec.build_options().lists as usize;
        let state = match (state, &spec.quantized) {
            (GROWING, _) => State::Growing(
                read_growing::<E>(&bytes[HEADER..], E::stride(dimensions))
                    .ok_or_else(|| corrupted("rows out of bounds"))?,
            ),
            (PLAIN, None) => {
                let index = IvfIndex::<E, M>::from_map(Arc::new(map), HEADER, path)?;
                if index.dimensions() != dimensions || index.lists() != lists {
                    return Err(corrupted("lists differ from the header"));
                }
                State::Plain(index)
            }
            (QUANTIZED, Some(_)) => {
                let index = QuantizedIvf::<E, M>::from_bytes(&bytes[HEADER..], path)?;
                if index.dimensions() != dimensions || index.lists() != lists {
                    return Err(corrupted("lists differ from the header"));
                }
                State::Quantized(index)
            }
            _ => return Err(corrupted("unknown state")),
        };
        Ok(DeferredIndex {
            dimensions,
            spec,
            state,
        })
    }
}

/// The spec in a header, if its fields are valid.
fn read_spec(bytes: &[u8]) -> Option<DeferredSpec> {
    let word = |at: usize| get(bytes, at);
    let sample = word(32);
    let build = BuildOptions {
        lists: u32::try_from(word(24)).ok()?,
        sample_rows: (sample != DEFAULT_SAMPLE).then(|| to_usize(sample)),
        iterations: u32::try_from(word(40)).ok()?,
        least_iterations: u32::try_from(word(48)).ok()?,
        seed: word(56),
        memory_budget_bytes: to_usize(word(64)),
        threads: to_usize(word(72)),
    };
    let quantization = match (bytes[80], bytes[81]) {
        (0, 0) => None,
        (1, 0) => Some(Quantization::Scalar),
        (2, width) => Some(Quantization::Product {
            ratio: ProductRatio::ALL
                .into_iter()
                .find(|ratio| ratio.subvector_dimensions() == width as usize)?,
        }),
        _ => return None,
    };
    let spec = DeferredSpec {
        build,
        quantized: quantization.map(|quantization| QuantizedOptions {
            quantization,
            sample_rows: to_usize(word(88)),
            threads: to_usize(word(96)),
        }),
        flat: match bytes[15] {
            0 => false,
            1 => true,
            _ => return None,
        },
    };
    spec.validate().ok()?;
    Some(spec)
}

/// The rows of a growing index: a count, the ids, the rows.
fn read_growing<E: Element>(payload: &[u8], stride: usize) -> Option<Growing<E>> {
    let count = to_usize(get(payload.get(..8)?, 0));
    let ids_end = count.checked_mul(8)?.checked_add(8)?;
    let rows_len = count
        .checked_mul(stride)?
        .checked_mul(std::mem::size_of::<E>())?;
    if ids_end.checked_add(rows_len)? != payload.len() {
        return None;
    }
    let mut ids = vec![0u64; count];
    bytemuck::cast_slice_mut::<u64, u8>(&mut ids).copy_from_slice(&payload[8..ids_end]);
    let mut data = vec![E::default(); count * stride];
    bytemuck::cast_slice_mut::<E, u8>(&mut data).copy_from_slice(&payload[ids_end..]);
    Some(Growing { ids, data })
}
