//! [`MemBackend`]: a [`StorageBackend`] that keeps every file in memory, for a database
//! that lives only as long as its process (vecsh without a directory). It never syncs
//! anything anywhere and takes no directory lock; side files (index snapshots) are not
//! supported, since they are memory-mapped from real files.

use std::collections::{BTreeSet, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};

use crate::file_io::{BackendFile, StorageBackend};

/// Files and directories held in memory.
#[derive(Debug, Default)]
pub struct MemBackend {
    files: Mutex<HashMap<PathBuf, Arc<RwLock<Vec<u8>>>>>,
    dirs: Mutex<BTreeSet<PathBuf>>,
}

impl MemBackend {
    /// An empty in-memory file system.
    pub fn new() -> MemBackend {
        MemBackend::default()
    }
}

struct MemFile(Arc<RwLock<Vec<u8>>>);

impl BackendFile for MemFile {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        let data = self.0.read();
        let start = usize::try_from(offset).map_err(|_| io::ErrorKind::UnexpectedEof)?;
        let end = start
            .checked_add(buf.len())
            .filter(|&end| end <= data.len())
            .ok_or(io::ErrorKind::UnexpectedEof)?;
        buf.copy_from_slice(&data[start..end]);
        Ok(())
    }
    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        let mut data = self.0.write();
        let start = usize::try_from(offset).map_err(|_| io::ErrorKind::InvalidInput)?;
        let end = start + buf.len();
        let len = data.len();
        if len < end {
            data.try_reserve(end - len)
                .map_err(|_| io::Error::from(io::ErrorKind::OutOfMemory))?;
            data.resize(end, 0);
        }
        data[start..end].copy_from_slice(buf);
        Ok(())
    }
    fn sync_data(&self) -> io::Result<()> {
        Ok(())
    }
    fn size(&self) -> io::Result<u64> {
        Ok(self.0.read().len() as u64)
    }
    fn set_len(&self, len: u64) -> io::Result<()> {
        let len = usize::try_from(len).map_err(|_| io::ErrorKind::InvalidInput)?;
        self.0.write().resize(len, 0);
        Ok(())
    }
}

impl StorageBackend for MemBackend {
    fn open(&self, path: &Path) -> io::Result<Box<dyn BackendFile>> {
        let files = self.files.lock();
        let file = files.get(path).ok_or(io::ErrorKind::NotFound)?;
        Ok(Box::new(MemFile(Arc::clone(file))))
    }
    fn create(&self, path: &Path) -> io::Result<Box<dyn BackendFile>> {
        let mut files = self.files.lock();
        let file = files.entry(path.to_path_buf()).or_default();
        Ok(Box::new(MemFile(Arc::clone(file))))
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        let mut files = self.files.lock();
        let file = files.remove(from).ok_or(io::ErrorKind::NotFound)?;
        files.insert(to.to_path_buf(), file);
        Ok(())
    }
    fn remove_file(&self, path: &Path) -> io::Result<()> {
        self.files
            .lock()
            .remove(path)
            .map(drop)
            .ok_or_else(|| io::ErrorKind::NotFound.into())
    }
    fn create_dir_all(&self, path: &Path) -> io::Result<()> {
        let mut dirs = self.dirs.lock();
        for ancestor in path.ancestors() {
            dirs.insert(ancestor.to_path_buf());
        }
        Ok(())
    }
    fn sync_dir(&self, _path: &Path) -> io::Result<()> {
        Ok(())
    }
    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let files = self.files.lock();
        let dirs = self.dirs.lock();
        let children = files
            .keys()
            .chain(dirs.iter())
            .filter(|p| p.parent() == Some(path))
            .cloned()
            .collect();
        Ok(children)
    }
    fn exists(&self, path: &Path) -> bool {
        self.files.lock().contains_key(path) || self.dirs.lock().contains(path)
    }
    fn locks_directory(&self) -> bool {
        false
    }
}
