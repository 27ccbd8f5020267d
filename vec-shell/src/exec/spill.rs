//! Memory budgets and spilling: how much a sort, a hash table or a buffered join side may
//! hold in memory (`work_mem`), where they spill past it (temporary files in the
//! database's `pgsql_tmp`, removed as soon as the statement drops them), and
//! [`RowBuffer`], rows kept in memory up to the budget and in a temporary file after.
//! Also the fallible growth of the lists a statement must hold whole (its result), which
//! fail with PostgreSQL's `out of memory` instead of aborting the process.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use vec_storage::{TempFile, TempReader};

use crate::error::{EngineError, Result};
use crate::storage::codec::{decode_row, encode_row};
use crate::storage::durable::storage_error;
use crate::storage::Row;
use crate::value::Datum;

/// PostgreSQL's default `work_mem`: 4 MB.
pub const DEFAULT_WORK_MEM: usize = 4 * 1024 * 1024;

/// Headroom a growing result must leave free: a list that could grow but would leave
/// less than this fails with `out of memory`, while the process can still report it.
const HEADROOM: usize = 64 * 1024 * 1024;

/// Rows added to a growing result between two checks of the memory left.
const PROBE_EVERY: usize = 1 << 16;

/// Results smaller than this (bytes of rows plus the list) grow without a check of the
/// memory left: a check maps and unmaps [`HEADROOM`] bytes, about 30 µs, which was a tenth
/// of a one-row-per-query KNN statement's time.
const PROBE_FROM: usize = 1 << 20;

/// Where and past what size a statement's operators spill.
#[derive(Clone, Debug)]
pub struct SpillConfig {
    /// The directory of temporary files.
    pub dir: Arc<Path>,
    /// Bytes one sort, hash table or buffer may hold in memory (`work_mem`).
    pub work_mem: usize,
}

impl Default for SpillConfig {
    fn default() -> Self {
        // Looked up once: every statement's context starts from the default.
        static TEMP_DIR: std::sync::OnceLock<Arc<Path>> = std::sync::OnceLock::new();
        SpillConfig {
            dir: Arc::clone(TEMP_DIR.get_or_init(|| Arc::from(std::env::temp_dir().as_path()))),
            work_mem: DEFAULT_WORK_MEM,
        }
    }
}

impl SpillConfig {
    /// Spills into `dir` past `work_mem` bytes.
    pub fn new(dir: PathBuf, work_mem: usize) -> SpillConfig {
        SpillConfig {
            dir: Arc::from(dir.as_path()),
            work_mem,
        }
    }

    /// A new empty temporary file.
    pub fn temp_file(&self) -> Result<TempFile> {
        TempFile::new_in(&self.dir).map_err(storage_error)
    }
}

/// The memory a row takes, roughly: its datums and what they point to.
pub fn row_bytes(row: &[Datum]) -> usize {
    std::mem::size_of::<Row>() + row.iter().map(datum_bytes).sum::<usize>()
}

fn datum_bytes(datum: &Datum) -> usize {
    std::mem::size_of::<Datum>()
        + match datum {
            Datum::Text(text) => text.len(),
            Datum::Vector(v) => v.dims() * 4,
            Datum::HalfVec(v) => v.dims() * 2,
            Datum::SparseVec(v) => v.nnz() * 8,
            Datum::Bit(v) => v.len().div_ceil(8),
            Datum::Array(array) => {
                array.dims.len() * 8 + array.elements.iter().map(datum_bytes).sum::<usize>()
            }
            _ => 0,
        }
}

/// Writes a row to a temporary file.
pub fn write_row(file: &mut TempFile, row: &[Datum]) -> Result<()> {
    file.append(&encode_row(row)).map_err(storage_error)
}

/// Reads the next row of a temporary file.
pub fn read_row(reader: &mut TempReader) -> Result<Option<Row>> {
    match reader.next_record().map_err(storage_error)? {
        Some(bytes) => decode_row(&bytes).map(Some),
        None => Ok(None),
    }
}

/// The rows of a temporary file, in the order they were written.
pub fn file_rows(file: &mut TempFile) -> Result<impl Iterator<Item = Result<Row>>> {
    let mut reader = file.reader().map_err(storage_error)?;
    Ok(std::iter::from_fn(move || {
        read_row(&mut reader).transpose()
    }))
}

/// Rows held in memory up to `work_mem`, then all of them in a temporary file; read
/// back any number of times in the order they were added.
pub struct RowBuffer {
    memory: Vec<Row>,
    bytes: usize,
    file: Option<TempFile>,
    config: SpillConfig,
}

impl RowBuffer {
    /// An empty buffer.
    pub fn new(config: SpillConfig) -> RowBuffer {
        RowBuffer {
            memory: Vec::new(),
            bytes: 0,
            file: None,
            config,
        }
    }

    /// A buffer of every row of `rows`.
    pub fn fill(rows: impl Iterator<Item = Result<Row>>, config: SpillConfig) -> Result<RowBuffer> {
        let mut buffer = RowBuffer::new(config);
        for row in rows {
            buffer.push(row?)?;
        }
        Ok(buffer)
    }

    /// Adds a row, moving everything to a temporary file once the memory budget is spent.
    pub fn push(&mut self, row: Row) -> Result<()> {
        self.bytes += row_bytes(&row);
        if let Some(file) = &mut self.file {
            return write_row(file, &row);
        }
        self.memory.push(row);
        if self.bytes > self.config.work_mem {
            let mut file = self.config.temp_file()?;
            for row in self.memory.drain(..) {
                write_row(&mut file, &row)?;
            }
            self.memory = Vec::new();
            self.file = Some(file);
        }
        Ok(())
    }

    /// Whether the rows went to a temporary file.
    pub fn spilled(&self) -> bool {
        self.file.is_some()
    }

    /// The rows, when they are all in memory.
    pub fn in_memory(&self) -> Option<&[Row]> {
        (!self.spilled()).then_some(&self.memory[..])
    }

    /// Moves the rows out (reading them from the file if spilled).
    pub fn into_stream(mut self) -> Result<Box<dyn Iterator<Item = Result<Row>>>> {
        match &mut self.file {
            Some(file) => Ok(Box::new(file_rows(file)?)),
            None => Ok(Box::new(self.memory.into_iter().map(Ok))),
        }
    }

    /// The bytes of the rows added.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The buffer made read-only and shareable, for passes over it.
    pub fn freeze(self) -> Result<FrozenRows> {
        Ok(match self.file {
            Some(mut file) => {
                file.finish().map_err(storage_error)?;
                FrozenRows::File(Arc::new(file))
            }
            None => FrozenRows::Memory(Arc::new(self.memory)),
        })
    }
}

/// A filled [`RowBuffer`], read any number of times (cheap to clone).
#[derive(Clone)]
pub enum FrozenRows {
    /// The rows in memory.
    Memory(Arc<Vec<Row>>),
    /// The rows in a temporary file.
    File(Arc<TempFile>),
}

impl FrozenRows {
    /// The number of rows.
    pub fn len(&self) -> usize {
        match self {
            FrozenRows::Memory(rows) => rows.len(),
            FrozenRows::File(file) => file.records() as usize,
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A pass over the rows, in order (the file is read again on each).
    pub fn pass(&self) -> Result<BufferPass> {
        Ok(match self {
            FrozenRows::Memory(rows) => BufferPass::Memory(Arc::clone(rows), 0),
            FrozenRows::File(file) => BufferPass::File(file.read().map_err(storage_error)?),
        })
    }
}

/// One pass over [`FrozenRows`].
pub enum BufferPass {
    /// Rows in memory, and the position of the next.
    Memory(Arc<Vec<Row>>, usize),
    /// Rows in a temporary file.
    File(TempReader),
}

impl Iterator for BufferPass {
    type Item = Result<Row>;

    fn next(&mut self) -> Option<Result<Row>> {
        match self {
            BufferPass::Memory(rows, next) => {
                let row = rows.get(*next)?.clone();
                *next += 1;
                Some(Ok(row))
            }
            BufferPass::File(reader) => read_row(reader).transpose(),
        }
    }
}

/// Collects a statement's result, failing with `out of memory` (naming the result) when
/// the list cannot grow with room to spare, rather than aborting the process.
pub fn collect_result(rows: impl Iterator<Item = Result<Row>>) -> Result<Vec<Row>> {
    let mut out: Vec<Row> = Vec::new();
    let mut bytes = 0usize;
    for row in rows {
        let row = row?;
        // Every so often, and before the list doubles, the memory the next stretch of
        // rows needs must still be there to take (the probe is given back at once).
        if out.len() == out.capacity() {
            let more = out.len().max(64);
            let request = more * std::mem::size_of::<Row>();
            let small = bytes + 2 * request < PROBE_FROM;
            let room_left = small
                || Vec::<u8>::new()
                    .try_reserve_exact(HEADROOM.max(bytes) + request)
                    .is_ok();
            if !room_left || out.try_reserve(more).is_err() {
                return Err(out_of_memory(request, "the query's result"));
            }
        } else if out.len() % PROBE_EVERY == 0 && bytes >= PROBE_FROM {
            if Vec::<u8>::new().try_reserve_exact(HEADROOM).is_err() {
                return Err(out_of_memory(HEADROOM, "the query's result"));
            }
        }
        bytes += row_bytes(&row);
        out.push(row);
    }
    Ok(out)
}

/// `ERROR:  out of memory` for a request of `size` bytes made for `what`.
pub fn out_of_memory(size: usize, what: &str) -> EngineError {
    EngineError::new("53200", "out of memory").with_detail(format!(
        "Failed on request of size {size} while building {what}."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: i64) -> Vec<Row> {
        (0..n)
            .map(|i| vec![Datum::Int8(i), Datum::Text(format!("row {i}"))])
            .collect()
    }

    #[test]
    fn a_buffer_past_its_budget_spills_and_reads_back_the_same_rows() {
        let config = SpillConfig {
            work_mem: 4096,
            ..SpillConfig::default()
        };
        let buffer = RowBuffer::fill(rows(1000).into_iter().map(Ok), config.clone()).unwrap();
        assert!(buffer.spilled());
        let moved: Vec<Row> = buffer
            .into_stream()
            .unwrap()
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(moved, rows(1000));
        let frozen = RowBuffer::fill(rows(1000).into_iter().map(Ok), config)
            .unwrap()
            .freeze()
            .unwrap();
        assert_eq!(frozen.len(), 1000);
        for _ in 0..2 {
            let back: Vec<Row> = frozen.pass().unwrap().collect::<Result<_>>().unwrap();
            assert_eq!(back, rows(1000));
        }
    }

    #[test]
    fn a_small_buffer_stays_in_memory() {
        let buffer = RowBuffer::fill(rows(10).into_iter().map(Ok), SpillConfig::default()).unwrap();
        assert_eq!(buffer.in_memory().unwrap(), &rows(10)[..]);
    }
}
