//! Temporary files for work that outgrows its memory budget: sorts, hash joins and
//! row buffers spill records here (PostgreSQL's `base/pgsql_tmp`). A [`TempFile`] is
//! unlinked as soon as it is created, so it disappears when dropped — or when the
//! process dies — and never outlives the statement that made it. Records are opaque
//! byte strings, written once in order and read back any number of times.
//!
//! ```
//! # fn main() -> Result<(), vec_storage::Error> {
//! let mut file = vec_storage::TempFile::new_in(&std::env::temp_dir())?;
//! file.append(b"first")?;
//! file.append(b"second")?;
//! let mut reader = file.reader()?;
//! assert_eq!(reader.next_record()?.as_deref(), Some(&b"first"[..]));
//! assert_eq!(reader.next_record()?.as_deref(), Some(&b"second"[..]));
//! assert_eq!(reader.next_record()?, None);
//! # Ok(())
//! # }
//! ```

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Bytes buffered before a write to the file.
const WRITE_BUFFER: usize = 64 * 1024;

/// Bytes read from the file at a time.
const READ_BUFFER: usize = 64 * 1024;

/// An unlinked file of length-prefixed records.
pub struct TempFile {
    file: File,
    path: PathBuf,
    pending: Vec<u8>,
    written: u64,
    records: u64,
}

impl TempFile {
    /// Creates an empty temporary file in `dir` (created if missing).
    pub fn new_in(dir: &Path) -> Result<TempFile> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create directory", e))?;
        let file = tempfile::tempfile_in(dir).map_err(|e| Error::io(dir, "create file", e))?;
        Ok(TempFile {
            file,
            path: dir.join("(temporary file)"),
            pending: Vec::with_capacity(WRITE_BUFFER),
            written: 0,
            records: 0,
        })
    }

    /// Appends one record.
    pub fn append(&mut self, record: &[u8]) -> Result<()> {
        let len = u32::try_from(record.len()).map_err(|_| Error::CorruptFile {
            path: self.path.clone(),
            reason: format!("a record of {} bytes is too long", record.len()),
        })?;
        self.pending.extend_from_slice(&len.to_le_bytes());
        self.pending.extend_from_slice(record);
        self.records += 1;
        if self.pending.len() >= WRITE_BUFFER {
            self.flush()?;
        }
        Ok(())
    }

    /// The number of records appended.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// The bytes appended so far (with their length prefixes).
    pub fn len(&self) -> u64 {
        self.written + self.pending.len() as u64
    }

    /// Whether nothing was appended.
    pub fn is_empty(&self) -> bool {
        self.records == 0
    }

    fn flush(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.file
            .write_all(&self.pending)
            .map_err(|e| Error::io(&self.path, "write", e))?;
        self.written += self.pending.len() as u64;
        self.pending.clear();
        Ok(())
    }

    /// A reader from the first record, independent of this handle (several may read at
    /// once); records appended after this are not seen by it.
    pub fn reader(&mut self) -> Result<TempReader> {
        self.flush()?;
        self.read()
    }

    /// Writes out what is buffered, so that [`TempFile::read`] sees every record.
    pub fn finish(&mut self) -> Result<()> {
        self.flush()
    }

    /// A reader of the records written out so far (all of them after
    /// [`TempFile::finish`]).
    pub fn read(&self) -> Result<TempReader> {
        let file = self
            .file
            .try_clone()
            .map_err(|e| Error::io(&self.path, "open", e))?;
        Ok(TempReader {
            file,
            path: self.path.clone(),
            end: self.written,
            offset: 0,
            buffer: Vec::new(),
            start: 0,
        })
    }
}

/// Reads a [`TempFile`]'s records in the order they were appended.
pub struct TempReader {
    file: File,
    path: PathBuf,
    end: u64,
    offset: u64,
    buffer: Vec<u8>,
    start: usize,
}

impl TempReader {
    /// The next record, or `None` after the last.
    pub fn next_record(&mut self) -> Result<Option<Vec<u8>>> {
        let Some(prefix) = self.take(4)? else {
            return Ok(None);
        };
        let len = u32::from_le_bytes(prefix.try_into().expect("four bytes")) as usize;
        match self.take(len)? {
            Some(bytes) => Ok(Some(bytes.to_vec())),
            None => Err(Error::CorruptFile {
                path: self.path.clone(),
                reason: "a record ends past the end of the file".into(),
            }),
        }
    }

    /// The next `n` bytes, reading more of the file when the buffer holds fewer.
    fn take(&mut self, n: usize) -> Result<Option<&[u8]>> {
        if self.buffer.len() - self.start < n {
            self.buffer.drain(..self.start);
            self.start = 0;
            let wanted = n.max(READ_BUFFER);
            while self.buffer.len() < n && self.offset < self.end {
                let chunk = (wanted - self.buffer.len()).min((self.end - self.offset) as usize);
                let old = self.buffer.len();
                self.buffer.resize(old + chunk, 0);
                read_at(&self.file, &mut self.buffer[old..], self.offset)
                    .map_err(|e| Error::io(&self.path, "read", e))?;
                self.offset += chunk as u64;
            }
            if self.buffer.len() < n {
                return Ok(None);
            }
        }
        let bytes = &self.buffer[self.start..self.start + n];
        self.start += n;
        Ok(Some(bytes))
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.read_exact_at(buf, offset)
}

#[cfg(not(unix))]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let mut handle = file.try_clone()?;
    handle.seek(SeekFrom::Start(offset))?;
    handle.read_exact(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_back_in_order_across_buffer_boundaries() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = TempFile::new_in(&dir.path().join("tmp")).unwrap();
        let records: Vec<Vec<u8>> = (0..3000u32)
            .map(|i| vec![(i % 251) as u8; (i as usize * 37) % 1000])
            .collect();
        for record in &records {
            file.append(record).unwrap();
        }
        assert_eq!(file.records(), 3000);
        for _pass in 0..2 {
            let mut reader = file.reader().unwrap();
            for record in &records {
                assert_eq!(reader.next_record().unwrap().as_ref(), Some(record));
            }
            assert_eq!(reader.next_record().unwrap(), None);
        }
        // The file is unlinked: the directory holds nothing.
        assert_eq!(
            std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
            0
        );
    }

    #[test]
    fn an_empty_file_has_no_records() {
        let mut file = TempFile::new_in(&std::env::temp_dir()).unwrap();
        assert!(file.is_empty());
        assert_eq!(file.reader().unwrap().next_record().unwrap(), None);
    }
}
