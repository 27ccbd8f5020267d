//! The seam between the store and the file system. Every byte the store writes or reads
//! (except the memory-mapped side files and the `flock` on `LOCK`) goes through
//! [`StorageBackend`], so tests can swap in [`FaultBackend`] to simulate a full disk, a refused
//! permission or an interrupted rename, and check that the store answers with a typed error
//! instead of corrupting data.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

/// An open file: positional reads and writes, so one handle serves many threads.
pub trait BackendFile: Send + Sync {
    /// Reads exactly `buf.len()` bytes at `offset`; a short file is an `UnexpectedEof` error.
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()>;
    /// Writes all of `buf` at `offset`, extending the file if needed.
    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()>;
    /// Makes written data durable (`fdatasync`).
    fn sync_data(&self) -> io::Result<()>;
    /// Current length of the file in bytes.
    fn size(&self) -> io::Result<u64>;
    /// Truncates or extends the file.
    fn set_len(&self, len: u64) -> io::Result<()>;
    /// The file mapped read-only as it is now, for reading pages in place; `None` (the
    /// default) where the backend cannot map it, and its pages are read with
    /// [`BackendFile::read_exact_at`].
    fn map_read_only(&self) -> Option<memmap2::Mmap> {
        None
    }
}

/// File-system operations the store needs.
pub trait StorageBackend: Send + Sync {
    /// Opens an existing file for reading and writing.
    fn open(&self, path: &Path) -> io::Result<Box<dyn BackendFile>>;
    /// Opens a file for reading and writing, creating it if missing.
    fn create(&self, path: &Path) -> io::Result<Box<dyn BackendFile>>;
    /// Atomically renames `from` to `to`, replacing `to`.
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    /// Removes a file.
    fn remove_file(&self, path: &Path) -> io::Result<()>;
    /// Creates a directory and its parents.
    fn create_dir_all(&self, path: &Path) -> io::Result<()>;
    /// Makes a directory's entries (creations, renames, removals) durable.
    fn sync_dir(&self, path: &Path) -> io::Result<()>;
    /// Lists the entries of a directory (full paths, in no particular order).
    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>>;
    /// Whether the path exists.
    fn exists(&self, path: &Path) -> bool;
    /// Whether a store on this backend takes the directory lock (`flock` on `LOCK`); a
    /// backend whose files no other process can reach needs none.
    fn locks_directory(&self) -> bool {
        true
    }
}

/// The real file system.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsBackend;

struct OsFile(File);

impl BackendFile for OsFile {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        FileExt::read_exact_at(&self.0, buf, offset)
    }
    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        FileExt::write_all_at(&self.0, buf, offset)
    }
    fn sync_data(&self) -> io::Result<()> {
        self.0.sync_data()
    }
    fn size(&self) -> io::Result<u64> {
        Ok(self.0.metadata()?.len())
    }
    fn set_len(&self, len: u64) -> io::Result<()> {
        self.0.set_len(len)
    }
    fn map_read_only(&self) -> Option<memmap2::Mmap> {
        // SAFETY: the store writes heap files only under the lock that keeps readers of
        // the mapping away from the page (`store::mapped`), never shortens them, and holds
        // the directory lock against other processes of the store.
        unsafe { memmap2::Mmap::map(&self.0) }.ok()
    }
}

impl StorageBackend for OsBackend {
    fn open(&self, path: &Path) -> io::Result<Box<dyn BackendFile>> {
        let file = OpenOptions::new().read(true).write(true).open(path)?;
        Ok(Box::new(OsFile(file)))
    }
    fn create(&self, path: &Path) -> io::Result<Box<dyn BackendFile>> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        Ok(Box::new(OsFile(file)))
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }
    fn remove_file(&self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }
    fn create_dir_all(&self, path: &Path) -> io::Result<()> {
        fs::create_dir_all(path)
    }
    fn sync_dir(&self, path: &Path) -> io::Result<()> {
        File::open(path)?.sync_all()
    }
    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        for entry in fs::read_dir(path)? {
            out.push(entry?.path());
        }
        Ok(out)
    }
    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }
}

/// Switches shared between a [`FaultBackend`] and the test that drives it.
#[derive(Debug, Default)]
pub struct Faults {
    /// Writes and extensions fail with `ENOSPC`.
    pub disk_full: AtomicBool,
    /// Opening or creating files fails with `EACCES`.
    pub permission_denied: AtomicBool,
    /// Renames fail with `EIO` before anything is renamed (an interrupted rename).
    pub fail_rename: AtomicBool,
    /// `fdatasync` fails with `EIO`.
    pub fail_sync: AtomicBool,
    /// Writes to files whose name contains this text fail with `EIO` (for example
    /// `".heap"`: the double-write copy succeeds, the in-place write does not).
    pub fail_writes_to: Mutex<Option<String>>,
}

impl Faults {
    fn check(flag: &AtomicBool, errno: i32) -> io::Result<()> {
        if flag.load(Ordering::SeqCst) {
            Err(io::Error::from_raw_os_error(errno))
        } else {
            Ok(())
        }
    }

    /// Sets a switch.
    pub fn set(flag: &AtomicBool, on: bool) {
        flag.store(on, Ordering::SeqCst);
    }
}

/// A backend that forwards to the real file system unless a [`Faults`] switch is on.
/// Intended for tests of the store and of the crates built on it.
#[derive(Debug, Clone, Default)]
pub struct FaultBackend {
    /// The switches; clone the `Arc` to flip them while the store runs.
    pub faults: Arc<Faults>,
}

struct FaultFile {
    inner: Box<dyn BackendFile>,
    faults: Arc<Faults>,
    name: String,
}

impl BackendFile for FaultFile {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        self.inner.read_exact_at(buf, offset)
    }
    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        Faults::check(&self.faults.disk_full, libc::ENOSPC)?;
        if let Some(pattern) = self.faults.fail_writes_to.lock().as_deref() {
            if self.name.contains(pattern) {
                return Err(io::Error::from_raw_os_error(libc::EIO));
            }
        }
        self.inner.write_all_at(buf, offset)
    }
    fn sync_data(&self) -> io::Result<()> {
        Faults::check(&self.faults.fail_sync, libc::EIO)?;
        self.inner.sync_data()
    }
    fn size(&self) -> io::Result<u64> {
        self.inner.size()
    }
    fn set_len(&self, len: u64) -> io::Result<()> {
        if len > self.inner.size()? {
            Faults::check(&self.faults.disk_full, libc::ENOSPC)?;
        }
        self.inner.set_len(len)
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

impl StorageBackend for FaultBackend {
    fn open(&self, path: &Path) -> io::Result<Box<dyn BackendFile>> {
        Faults::check(&self.faults.permission_denied, libc::EACCES)?;
        Ok(Box::new(FaultFile {
            inner: OsBackend.open(path)?,
            faults: self.faults.clone(),
            name: file_name(path),
        }))
    }
    fn create(&self, path: &Path) -> io::Result<Box<dyn BackendFile>> {
        Faults::check(&self.faults.permission_denied, libc::EACCES)?;
        Ok(Box::new(FaultFile {
            inner: OsBackend.create(path)?,
            faults: self.faults.clone(),
            name: file_name(path),
        }))
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        Faults::check(&self.faults.fail_rename, libc::EIO)?;
        OsBackend.rename(from, to)
    }
    fn remove_file(&self, path: &Path) -> io::Result<()> {
        OsBackend.remove_file(path)
    }
    fn create_dir_all(&self, path: &Path) -> io::Result<()> {
        Faults::check(&self.faults.permission_denied, libc::EACCES)?;
        OsBackend.create_dir_all(path)
    }
    fn sync_dir(&self, path: &Path) -> io::Result<()> {
        Faults::check(&self.faults.fail_sync, libc::EIO)?;
        OsBackend.sync_dir(path)
    }
    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        OsBackend.read_dir(path)
    }
    fn exists(&self, path: &Path) -> bool {
        OsBackend.exists(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_backend_fails_writes_when_disk_full() {
        let dir = tempfile::tempdir().unwrap();
        let backend = FaultBackend::default();
        let file = backend.create(&dir.path().join("f")).unwrap();
        file.write_all_at(b"abc", 0).unwrap();
        Faults::set(&backend.faults.disk_full, true);
        let err = file.write_all_at(b"abc", 3).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::ENOSPC));
        let mut buf = [0u8; 3];
        file.read_exact_at(&mut buf, 0).unwrap();
        assert_eq!(&buf, b"abc");
    }
}
