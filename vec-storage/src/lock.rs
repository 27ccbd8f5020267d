//! The directory lock. `LOCK` is held with `flock(LOCK_EX | LOCK_NB)` for as long as the store
//! is open. The kernel drops a `flock` when its holder dies, so a crashed process never leaves
//! a stale lock behind, and a second opener (another process, or a second handle in the same
//! process) gets [`Error::Locked`] instead of a second writer on the same files. The holder
//! writes its process id into the file so the error can name it.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A held directory lock; released on drop.
#[derive(Debug)]
pub struct DirLock {
    file: File,
    path: PathBuf,
}

impl DirLock {
    /// Takes the lock on `path` (created if missing), or reports who holds it.
    pub fn acquire(path: &Path) -> Result<DirLock> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| Error::io(path, "open", e))?;
        // SAFETY: `file` owns a valid open descriptor for the duration of the call.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc != 0 {
            let err = std::io::Error::last_os_error();
            if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
                let mut text = String::new();
                let holder_pid = file
                    .read_to_string(&mut text)
                    .ok()
                    .and_then(|_| text.trim().parse().ok());
                return Err(Error::Locked {
                    path: path.to_path_buf(),
                    holder_pid,
                });
            }
            return Err(Error::io(path, "lock", err));
        }
        let pid = std::process::id().to_string();
        let write_pid = file
            .set_len(0)
            .and_then(|_| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(pid.as_bytes()));
        write_pid.map_err(|e| Error::io(path, "write", e))?;
        Ok(DirLock {
            file,
            path: path.to_path_buf(),
        })
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        // SAFETY: the descriptor is still open; unlocking an fd we locked has no other effect.
        unsafe {
            libc::flock(self.file.as_raw_fd(), libc::LOCK_UN);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_gets_locked_error_naming_pid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("LOCK");
        let first = DirLock::acquire(&path).unwrap();
        match DirLock::acquire(&path) {
            Err(Error::Locked { holder_pid, .. }) => {
                assert_eq!(holder_pid, Some(std::process::id()))
            }
            other => panic!("expected Locked, got {other:?}"),
        }
        drop(first);
        DirLock::acquire(&path).unwrap();
    }
}
