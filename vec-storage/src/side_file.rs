//! Immutable side files (index snapshots) in `index/`. They are written once, with a temp
//! file, fsync, rename and a directory fsync ([`SideFileWriter`]), registered in the manifest
//! by the checkpoint that wrote them, and read back through a read-only memory map
//! ([`SideFile`]), so a snapshot of gigabytes opens in the time it takes to map it.
//! Each registered version gets its own file name (`<name>.<sequence>`), so a checkpoint
//! that fails before its manifest is replaced never overwrites the version the old
//! manifest points to.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use memmap2::Mmap;

use crate::error::{Error, Result};
use crate::file_io::{BackendFile, StorageBackend};

/// A read-only, memory-mapped side file.
#[derive(Debug)]
pub struct SideFile {
    map: Option<Mmap>,
    path: PathBuf,
    crc: u32,
}

impl SideFile {
    /// Maps `path`, checking its length against the manifest's.
    pub(crate) fn open(path: &Path, expected_len: u64, crc: u32) -> Result<SideFile> {
        let file = File::open(path).map_err(|e| Error::io(path, "open", e))?;
        let len = file
            .metadata()
            .map_err(|e| Error::io(path, "stat", e))?
            .len();
        if len != expected_len {
            return Err(Error::corrupt_file(
                path,
                format!("side file is {len} bytes, the manifest says {expected_len}"),
            ));
        }
        let map = if len == 0 {
            None
        } else {
            // SAFETY: side files are immutable once registered: the store never writes to a
            // registered file, and replaces versions by writing new files, so the mapped bytes
            // do not change under the map while the database directory is locked.
            Some(unsafe { Mmap::map(&file) }.map_err(|e| Error::io(path, "map", e))?)
        };
        Ok(SideFile {
            map,
            path: path.to_path_buf(),
            crc,
        })
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &[u8] {
        self.map.as_deref().unwrap_or(&[])
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the whole file and compares its CRC32C with the manifest's. The file is read
    /// through a small buffer rather than the memory map, so checking a large snapshot
    /// does not bring all of it into the process's resident memory.
    pub fn verify_checksum(&self) -> Result<()> {
        use std::io::Read;
        let mut computed = 0u32;
        if self.map.is_some() {
            let mut file =
                std::fs::File::open(&self.path).map_err(|e| Error::io(&self.path, "open", e))?;
            let mut buffer = vec![0u8; 1 << 20];
            let mut left = self.bytes().len();
            while left > 0 {
                let want = left.min(buffer.len());
                file.read_exact(&mut buffer[..want])
                    .map_err(|e| Error::io(&self.path, "read", e))?;
                computed = crc32c::crc32c_append(computed, &buffer[..want]);
                left -= want;
            }
        }
        if computed != self.crc {
            return Err(Error::corrupt_file(
                &self.path,
                format!("checksum {computed:08x}, manifest says {:08x}", self.crc),
            ));
        }
        Ok(())
    }
}

impl std::ops::Deref for SideFile {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.bytes()
    }
}

/// Streams a new side file to a temp file; [`crate::CheckpointWriter::finish_side_file`] makes it durable
/// under its final name.
pub struct SideFileWriter {
    pub(crate) name: String,
    pub(crate) file_name: String,
    file: Box<dyn BackendFile>,
    tmp: PathBuf,
    path: PathBuf,
    buf: Vec<u8>,
    len: u64,
    crc: u32,
}

const WRITE_CHUNK: usize = 1 << 20;

impl SideFileWriter {
    pub(crate) fn create(
        backend: &dyn StorageBackend,
        dir: &Path,
        name: &str,
        file_name: String,
    ) -> Result<SideFileWriter> {
        let tmp = dir.join(format!("{file_name}.tmp"));
        let file = backend
            .create(&tmp)
            .map_err(|e| Error::io(&tmp, "create", e))?;
        file.set_len(0)
            .map_err(|e| Error::io(&tmp, "truncate", e))?;
        Ok(SideFileWriter {
            name: name.to_string(),
            path: dir.join(&file_name),
            file_name,
            file,
            tmp,
            buf: Vec::with_capacity(WRITE_CHUNK),
            len: 0,
            crc: 0,
        })
    }

    /// Appends bytes.
    pub fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        self.crc = crc32c::crc32c_append(self.crc, bytes);
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= WRITE_CHUNK {
            self.drain()?;
        }
        Ok(())
    }

    fn drain(&mut self) -> Result<()> {
        self.file
            .write_all_at(&self.buf, self.len)
            .map_err(|e| Error::io(&self.tmp, "write", e))?;
        self.len += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }

    /// Fsyncs, renames into place and fsyncs the directory. Returns (length, CRC32C).
    pub(crate) fn finish(
        mut self,
        backend: &dyn StorageBackend,
        dir: &Path,
    ) -> Result<(String, String, u64, u32)> {
        self.drain()?;
        self.file
            .sync_data()
            .map_err(|e| Error::io(&self.tmp, "fsync", e))?;
        backend
            .rename(&self.tmp, &self.path)
            .map_err(|e| Error::io(&self.path, "rename", e))?;
        backend
            .sync_dir(dir)
            .map_err(|e| Error::io(dir, "fsync directory", e))?;
        Ok((self.name, self.file_name, self.len, self.crc))
    }
}

impl io::Write for SideFileWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.write_all(bytes).map_err(io::Error::other)?;
        Ok(bytes.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
