//! The crate's one error type. Every variant that comes from the file system carries the path
//! and the operation that failed, so a user reading "disk full" also learns which file; a
//! corrupted page names its file and page number. No code path of the crate panics on bad
//! input or bad disk contents: it returns one of these.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the storage layer.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The device has no space left (`ENOSPC`, `EDQUOT`).
    DiskFull {
        /// The file being written.
        path: PathBuf,
        /// What the store was doing, e.g. `"write"`.
        operation: &'static str,
    },
    /// The operating system refused access (`EACCES`, `EPERM`, `EROFS`).
    PermissionDenied {
        /// The file or directory.
        path: PathBuf,
        /// What the store was doing.
        operation: &'static str,
    },
    /// A file the database needs is missing.
    NotFound {
        /// The missing file.
        path: PathBuf,
        /// What the store was doing.
        operation: &'static str,
    },
    /// Any other I/O failure.
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the store was doing.
        operation: &'static str,
        /// The underlying error.
        source: io::Error,
    },
    /// A page failed its checksum or header check.
    CorruptPage {
        /// The page file.
        path: PathBuf,
        /// Zero-based page number within the file.
        page_no: u32,
        /// What was wrong.
        reason: String,
    },
    /// A file other than a page (manifest, WAL segment, side file) is damaged.
    CorruptFile {
        /// The damaged file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
    /// Memory for reading a file could not be had.
    OutOfMemory {
        /// The file being read.
        path: PathBuf,
        /// The size of the request that failed.
        bytes: u64,
    },
    /// The directory holds other files and no database: opening it would write a
    /// database into someone else's directory.
    NotADatabase {
        /// The directory.
        path: PathBuf,
    },
    /// The write-ahead log is damaged in its middle: a record fails its check and valid
    /// records follow it, so stopping there (as at a torn tail) would silently drop
    /// acknowledged commits. Opening with [`crate::WalRecovery::TruncateAtCorruption`]
    /// discards them explicitly.
    CorruptWal {
        /// The segment file holding the damaged record.
        path: PathBuf,
        /// The damaged record's byte offset in that file.
        offset: u64,
        /// Its log position.
        lsn: crate::Lsn,
        /// Committed transactions found after the damage.
        later_commits: usize,
    },
    /// Another process holds the database directory.
    Locked {
        /// The lock file.
        path: PathBuf,
        /// The process id written by the holder, if readable.
        holder_pid: Option<u32>,
    },
    /// No heap with this id exists.
    NoSuchHeap {
        /// The heap id asked for.
        heap: u32,
    },
    /// A heap with this id already exists.
    HeapExists {
        /// The heap id.
        heap: u32,
    },
    /// The row id does not name a live row.
    NoSuchRow {
        /// The heap.
        heap: u32,
        /// The row id.
        row: u64,
    },
    /// A transaction deleted (or updated) a row version that a transaction committed after
    /// its snapshot had already deleted: PostgreSQL's serialization failure.
    SerializationConflict {
        /// The heap.
        heap: u32,
        /// The row id.
        row: u64,
    },
    /// No side file is registered under this name.
    NoSuchSideFile {
        /// The logical name.
        name: String,
    },
    /// An argument is out of range (empty or oversized name, record too large...).
    InvalidArgument {
        /// What was wrong.
        reason: String,
    },
    /// A transaction operation failed half-way, so the transaction was rolled back.
    TransactionAborted {
        /// The failure.
        reason: String,
    },
    /// An earlier write or fsync failed; the in-memory state may be ahead of the disk, so the
    /// store refuses further changes until it is reopened (PostgreSQL does the same by
    /// restarting after a failed fsync).
    Poisoned {
        /// The failure that poisoned the store.
        reason: String,
    },
}

impl Error {
    /// Classifies an I/O error on `path` into the typed variants.
    pub fn io(path: &Path, operation: &'static str, source: io::Error) -> Error {
        let path = path.to_path_buf();
        match source.raw_os_error() {
            Some(libc::ENOSPC) | Some(libc::EDQUOT) => return Error::DiskFull { path, operation },
            Some(libc::EACCES) | Some(libc::EPERM) | Some(libc::EROFS) => {
                return Error::PermissionDenied { path, operation }
            }
            _ => {}
        }
        match source.kind() {
            io::ErrorKind::PermissionDenied => Error::PermissionDenied { path, operation },
            io::ErrorKind::NotFound => Error::NotFound { path, operation },
            _ => Error::Io {
                path,
                operation,
                source,
            },
        }
    }

    /// A zeroed buffer of `len` bytes for reading `path`, or [`Error::OutOfMemory`]
    /// instead of aborting the process when memory runs out.
    pub fn buffer(path: &Path, len: u64) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        usize::try_from(len)
            .ok()
            .and_then(|n| bytes.try_reserve_exact(n).ok().map(|()| n))
            .map(|n| {
                bytes.resize(n, 0);
                bytes
            })
            .ok_or_else(|| Error::OutOfMemory {
                path: path.to_path_buf(),
                bytes: len,
            })
    }

    /// Builds a [`Error::CorruptFile`].
    pub fn corrupt_file(path: &Path, reason: impl Into<String>) -> Error {
        Error::CorruptFile {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }

    /// True for the corruption variants.
    pub fn is_corruption(&self) -> bool {
        matches!(
            self,
            Error::CorruptPage { .. } | Error::CorruptFile { .. } | Error::CorruptWal { .. }
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::DiskFull { path, operation } => write!(
                f,
                "could not {operation} file \"{}\": No space left on device",
                path.display()
            ),
            Error::PermissionDenied { path, operation } => write!(
                f,
                "could not {operation} file \"{}\": Permission denied",
                path.display()
            ),
            Error::NotFound { path, operation } => write!(
                f,
                "could not {operation} file \"{}\": No such file or directory",
                path.display()
            ),
            Error::Io {
                path,
                operation,
                source,
            } => write!(
                f,
                "could not {operation} file \"{}\": {}",
                path.display(),
                os_text(source)
            ),
            Error::CorruptPage {
                path,
                page_no,
                reason,
            } => write!(
                f,
                "invalid page {page_no} in file \"{}\": {reason}",
                path.display()
            ),
            Error::CorruptFile { path, reason } => {
                write!(f, "corrupted file \"{}\": {reason}", path.display())
            }
            Error::OutOfMemory { path, bytes } => write!(
                f,
                "out of memory reading file \"{}\" (a request of {bytes} bytes failed)",
                path.display()
            ),
            Error::NotADatabase { path } => write!(
                f,
                "directory \"{}\" is not empty and does not hold a vecsh database",
                path.display()
            ),
            Error::CorruptWal {
                path,
                offset,
                lsn,
                later_commits,
            } => write!(
                f,
                "invalid WAL record at offset {offset} of file \"{}\" (LSN {lsn}), \
                 followed by {later_commits} committed transaction{} that recovery cannot reach",
                path.display(),
                if *later_commits == 1 { "" } else { "s" }
            ),
            Error::Locked { path, holder_pid } => {
                write!(
                    f,
                    "database directory is in use: lock file \"{}\" is held",
                    path.display()
                )?;
                if let Some(pid) = holder_pid {
                    write!(f, " by process {pid}")?;
                }
                Ok(())
            }
            Error::NoSuchHeap { heap } => write!(f, "heap {heap} does not exist"),
            Error::HeapExists { heap } => write!(f, "heap {heap} already exists"),
            Error::NoSuchRow { heap, row } => {
                write!(
                    f,
                    "row {} does not exist in heap {heap}",
                    crate::RowId(*row)
                )
            }
            Error::SerializationConflict { .. } => {
                write!(f, "could not serialize access due to concurrent update")
            }
            Error::NoSuchSideFile { name } => write!(f, "side file \"{name}\" does not exist"),
            Error::InvalidArgument { reason } => write!(f, "invalid argument: {reason}"),
            Error::TransactionAborted { reason } => {
                write!(f, "current transaction is aborted: {reason}")
            }
            Error::Poisoned { reason } => write!(
                f,
                "storage is read-only after an earlier failure, reopen the database: {reason}"
            ),
        }
    }
}

/// An I/O error's text as `strerror` gives it (`File too large`), without Rust's
/// `(os error 27)`, as PostgreSQL's `%m` prints it.
fn os_text(error: &io::Error) -> String {
    let text = error.to_string();
    match text.rfind(" (os error ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_os_errors() {
        let path = Path::new("/db/wal/0");
        let full = Error::io(path, "write", io::Error::from_raw_os_error(libc::ENOSPC));
        assert!(matches!(full, Error::DiskFull { .. }));
        assert!(full.to_string().contains("/db/wal/0"));
        let denied = Error::io(path, "open", io::Error::from_raw_os_error(libc::EACCES));
        assert!(matches!(denied, Error::PermissionDenied { .. }));
        let missing = Error::io(path, "open", io::Error::from(io::ErrorKind::NotFound));
        assert!(matches!(missing, Error::NotFound { .. }));
    }
}
