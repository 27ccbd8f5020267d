//! Writing an index to a snapshot file and reopening it; the format's byte table is in
//! [`crate::snapshot`]. Opening checks every length, offset, level and slot number it reads
//! and the checksum of the small tables, so a damaged or truncated file is an error, never a
//! panic; the large sections are not read at open.

use crate::error::HnswError;
use crate::graph::Graph;
use crate::index::{unpack_entry, Hnsw, EXTRA_ROWS, NO_ENTRY};
use crate::metric::Metric;
use crate::options::HnswOptions;
use crate::quant::{Codes, Quantization};
use crate::search::ScratchPool;
use crate::snapshot::{
    align64, read_u64, u32s, u64s, Fnv, MappedFile, GRAPH_SECTIONS, HEADER, MAGIC, VERSION,
};
use crate::store::VectorStore;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};

impl<M: Metric> Hnsw<M> {
    /// Writes the index to `path` (replacing it) and flushes it to disk. Writers that must
    /// never leave a half-written file write to a temporary name and rename it.
    pub fn save(&self, path: &Path) -> Result<(), HnswError> {
        let io = |source| HnswError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::create(path).map_err(io)?;
        let mut writer = std::io::BufWriter::with_capacity(1 << 20, file);
        self.write_snapshot(&mut writer).map_err(io)?;
        let file = writer.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)
    }

    /// Writes the index in the snapshot format to `writer`.
    pub fn write_snapshot(&self, writer: &mut dyn Write) -> std::io::Result<()> {
        let layer0: Vec<u8> = bytemuck::cast_slice(&self.graph.layer0_words()).to_vec();
        let (levels, upper_start, upper) = self.graph.upper_parts();
        let flags: Vec<u8> = self
            .flags
            .iter()
            .map(|f| f.load(Ordering::Acquire))
            .collect();
        let mut extra = Vec::new();
        let extra_rows = self.extra_rows.lock();
        let mut slots: Vec<&u32> = extra_rows.keys().collect();
        slots.sort();
        for slot in slots {
            let rows = &extra_rows[slot];
            extra.extend([*slot as u64, rows.len() as u64]);
            extra.extend_from_slice(rows);
        }
        let pending: Vec<u64> = self.pending_deletes.iter().copied().collect();
        let free = self.free.lock().clone();
        let graph_sections: Vec<Vec<&[u8]>> = vec![
            vec![&layer0],
            vec![levels],
            vec![bytemuck::cast_slice(upper_start)],
            vec![bytemuck::cast_slice(&upper)],
            vec![bytemuck::cast_slice(&self.rows)],
            vec![&flags],
            vec![bytemuck::cast_slice(&extra)],
            vec![bytemuck::cast_slice(&free)],
            vec![bytemuck::cast_slice(&pending)],
        ];
        let calibration = self
            .calibration
            .as_ref()
            .map(vec_index::Calibration::to_bytes)
            .unwrap_or_default();
        let parameters = self
            .codes
            .as_ref()
            .map(|codes| codes.parameter_bytes())
            .unwrap_or_default();
        let mut sections = graph_sections;
        sections.push(vec![&calibration]);
        if let Some(codes) = &self.codes {
            sections.push(vec![&parameters]);
            sections.push(vec![codes.bytes.as_slice()]);
        }
        sections.extend(self.store.sections());

        let mut table = Vec::new();
        let mut offset = align64(HEADER + 16 * sections.len());
        for parts in &sections {
            let len: usize = parts.iter().map(|p| p.len()).sum();
            table.extend((offset as u64).to_le_bytes());
            table.extend((len as u64).to_le_bytes());
            offset = align64(offset + len);
        }
        let mut header = [0u8; HEADER];
        header[0..8].copy_from_slice(&MAGIC);
        header[8..12].copy_from_slice(&VERSION.to_le_bytes());
        header[12] = M::Store::KIND;
        header[13] = M::ID;
        header[14] = self.options.keep_pruned as u8;
        header[15] = self.quantization().code();
        let words = [
            self.dimensions as u64,
            self.options.m as u64,
            self.options.ef_construction as u64,
            self.options.seed,
            self.graph.len() as u64,
            self.entry.load(Ordering::Acquire),
            self.n_rows.load(Ordering::Relaxed),
            sections.len() as u64,
        ];
        for (i, word) in words.iter().enumerate() {
            header[16 + 8 * i..24 + 8 * i].copy_from_slice(&word.to_le_bytes());
        }
        let trained_on = self
            .codes
            .as_ref()
            .map_or(0, |codes| codes.trained_on as u64);
        header[88..96].copy_from_slice(&trained_on.to_le_bytes());
        let mut checksum = Fnv::new();
        checksum.update(&header[..80]);
        checksum.update(&header[88..]);
        checksum.update(&table);
        let checked = GRAPH_SECTIONS + 1 + if self.codes.is_some() { 1 } else { 0 };
        for (i, parts) in sections.iter().enumerate() {
            if i != 0 && i < checked {
                parts.iter().for_each(|p| checksum.update(p));
            }
        }
        header[80..88].copy_from_slice(&checksum.finish().to_le_bytes());

        writer.write_all(&header)?;
        writer.write_all(&table)?;
        let mut written = HEADER + table.len();
        for parts in &sections {
            let start = align64(written);
            writer.write_all(&vec![0u8; start - written])?;
            written = start;
            for part in parts {
                writer.write_all(part)?;
                written += part.len();
            }
        }
        writer.flush()
    }

    /// Reopens an index written by [`Hnsw::save`]. Vectors and layer-0 lists stay in the
    /// file's memory map.
    pub fn open(path: &Path) -> Result<Self, HnswError> {
        let file = MappedFile::open(path)?;
        Self::from_mapped(file).map_err(|reason| HnswError::Corrupt {
            path: path.to_path_buf(),
            reason,
        })
    }

    fn from_mapped(file: MappedFile) -> Result<Self, String> {
        let bytes = file.bytes();
        if bytes.len() < HEADER {
            return Err("file is truncated".into());
        }
        let version = read_u64(bytes, 8) as u32;
        if bytes[0..8] != MAGIC || !(1..=VERSION).contains(&version) {
            return Err("not an hnsw snapshot of this version".into());
        }
        let quantization = Quantization::from_code(bytes[15]).ok_or("unknown quantization")?;
        if version == 1 && quantization != Quantization::None {
            return Err("unknown quantization".into());
        }
        if bytes[12] != M::Store::KIND || bytes[13] != M::ID {
            return Err("snapshot holds another kind of vector or metric".into());
        }
        let word = |i: usize| read_u64(bytes, 16 + 8 * i);
        let to_usize = |w: u64| usize::try_from(w).map_err(|_| "value too large".to_string());
        let options = HnswOptions {
            m: to_usize(word(1))?,
            ef_construction: to_usize(word(2))?,
            seed: word(3),
            keep_pruned: bytes[14] != 0,
            quantization,
            ..HnswOptions::default()
        };
        options.validate().map_err(|e| e.to_string())?;
        let dimensions = to_usize(word(0))?;
        if dimensions == 0 || dimensions > M::Store::MAX_DIMENSIONS {
            return Err("bad dimensions".into());
        }
        let slots = to_usize(word(4))?;
        let (entry, n_rows, n_sections) = (word(5), word(6), to_usize(word(7))?);
        // Version 2 adds the calibration, and for a quantized index the quantizer and codes.
        let calibration_sections = usize::from(version >= 2);
        let code_sections = if quantization == Quantization::None {
            0
        } else {
            2
        };
        let store_first = GRAPH_SECTIONS + calibration_sections + code_sections;
        if n_sections != store_first + M::Store::SECTIONS || slots >= u32::MAX as usize {
            return Err("bad section count or size".into());
        }
        let table_end = HEADER + 16 * n_sections;
        if bytes.len() < table_end {
            return Err("file is truncated".into());
        }
        let mut ranges = Vec::with_capacity(n_sections);
        for i in 0..n_sections {
            let start = to_usize(read_u64(bytes, HEADER + 16 * i))?;
            let len = to_usize(read_u64(bytes, HEADER + 16 * i + 8))?;
            let end = start.checked_add(len).ok_or("bad section")?;
            if start % 64 != 0 || start < table_end || end > bytes.len() {
                return Err("file is truncated or a section lies outside it".into());
            }
            ranges.push(start..end);
        }
        let mut checksum = Fnv::new();
        checksum.update(&bytes[..80]);
        if version >= 2 {
            checksum.update(&bytes[88..HEADER]);
        }
        checksum.update(&bytes[HEADER..table_end]);
        let checked = GRAPH_SECTIONS + calibration_sections + code_sections.min(1);
        for range in &ranges[1..checked] {
            checksum.update(&bytes[range.clone()]);
        }
        if checksum.finish() != read_u64(bytes, 80) {
            return Err("checksum mismatch".into());
        }
        let section = |i: usize| &bytes[ranges[i].clone()];
        let levels = section(1).to_vec();
        let upper_start = u32s(section(2));
        let upper = u32s(section(3));
        let rows = u64s(section(4));
        let flags = section(5).to_vec();
        if levels.len() != slots || rows.len() != slots || flags.len() != slots {
            return Err("tables have the wrong lengths".into());
        }
        let graph = Graph::from_parts(
            options.m,
            (file.clone(), ranges[0].clone()),
            levels,
            upper_start,
            upper,
        )?;
        let mut extra_rows = HashMap::new();
        let extra = u64s(section(6));
        let mut at = 0;
        while at < extra.len() {
            let (slot, count) = (
                extra[at],
                to_usize(*extra.get(at + 1).ok_or("bad row table")?)?,
            );
            let rows = extra.get(at + 2..at + 2 + count).ok_or("bad row table")?;
            if slot >= slots as u64 {
                return Err("bad row table".into());
            }
            extra_rows.insert(slot as u32, rows.to_vec());
            at += 2 + count;
        }
        let free = u32s(section(7));
        if free.iter().any(|&slot| slot as usize >= slots) {
            return Err("bad free list".into());
        }
        if entry != NO_ENTRY {
            match unpack_entry(entry) {
                Some((slot, level)) if (slot as usize) < slots && graph.level(slot) == level => {}
                _ => return Err("bad entry point".into()),
            }
        }
        let calibration = if version >= 2 {
            vec_index::Calibration::from_bytes(section(GRAPH_SECTIONS))?
        } else {
            None
        };
        let mut store = M::Store::from_sections(dimensions, slots, &file, &ranges[store_first..])?;
        let codes = match (quantization, M::CODE_DISTANCE) {
            (Quantization::None, _) => None,
            (_, None) => return Err("quantized snapshot of a metric without codes".into()),
            (quantization, Some(distance)) => {
                // Rows inserted after reopening go to disk, as the snapshot's own rows are.
                let dir = std::env::temp_dir();
                store.spill(&dir).map_err(|e| e.to_string())?;
                let at = GRAPH_SECTIONS + calibration_sections;
                let mut codes = Codes::from_parts(
                    quantization,
                    distance,
                    dimensions,
                    section(at),
                    to_usize(read_u64(bytes, 88))?,
                    section(at + 1),
                    slots,
                )?;
                let mut wide = Vec::new();
                for slot in 0..slots as u32 {
                    if M::Store::widen(store.get(slot), &mut wide) {
                        codes.restore_radius(slot, &wide).map_err(|size| {
                            format!("out of memory (failed on request of size {size})")
                        })?;
                    }
                }
                Some(codes)
            }
        };
        Ok(Hnsw {
            options,
            dimensions,
            store,
            graph,
            rows,
            flags: flags
                .into_iter()
                .enumerate()
                .map(|(slot, f)| {
                    let extra = if extra_rows.contains_key(&(slot as u32)) {
                        EXTRA_ROWS
                    } else {
                        0
                    };
                    AtomicU8::new((f & !EXTRA_ROWS) | extra)
                })
                .collect(),
            extra_rows: Mutex::new(extra_rows),
            entry: AtomicU64::new(entry),
            entry_lock: Mutex::new(()),
            free: Mutex::new(free),
            pending_deletes: u64s(section(8)).into_iter().collect(),
            n_rows: AtomicU64::new(n_rows),
            scratch: ScratchPool::default(),
            link_cache: Default::default(),
            fill: Default::default(),
            codes,
            calibration,
            outgrew_budget: None,
        })
    }
}
