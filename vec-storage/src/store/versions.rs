//! Snapshots of a store's committed state, for reading multi-versioned rows
//! ([`crate::heap::tuple`]): a [`Snapshot`] is the commit LSN up to which it sees
//! transactions. Commits install their pages in LSN order and then advance the store's
//! *watermark*; a snapshot taken now sees every commit up to the watermark and none after,
//! however long it is kept, because later commits stamp their row versions with larger
//! LSNs. Live snapshots are registered, so that vacuum removes only versions that no
//! snapshot can see (the *horizon*, the oldest snapshot).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::Lsn;

/// The watermark and the registry of live snapshots.
#[derive(Debug, Default)]
pub(crate) struct Versions {
    /// End of the last commit whose pages are installed.
    watermark: AtomicU64,
    /// Live snapshots: LSN → how many.
    live: Mutex<BTreeMap<u64, usize>>,
}

impl Versions {
    pub(crate) fn new(watermark: Lsn) -> Versions {
        Versions {
            watermark: AtomicU64::new(watermark.0),
            live: Mutex::new(BTreeMap::new()),
        }
    }

    /// Advances the watermark past a commit whose pages are installed.
    pub(crate) fn committed(&self, commit_lsn: Lsn) {
        self.watermark.fetch_max(commit_lsn.0, Ordering::AcqRel);
    }

    pub(crate) fn watermark(&self) -> Lsn {
        Lsn(self.watermark.load(Ordering::Acquire))
    }

    /// The oldest LSN a live snapshot sees up to (the watermark when none is live).
    pub(crate) fn horizon(&self) -> Lsn {
        let live = self.live.lock();
        let watermark = self.watermark();
        match live.keys().next() {
            Some(&oldest) => Lsn(oldest.min(watermark.0)),
            None => watermark,
        }
    }

    fn register(&self, lsn: u64) {
        *self.live.lock().entry(lsn).or_insert(0) += 1;
    }

    fn release(&self, lsn: u64) {
        let mut live = self.live.lock();
        if let Some(count) = live.get_mut(&lsn) {
            *count -= 1;
            if *count == 0 {
                live.remove(&lsn);
            }
        }
    }
}

/// A consistent view of the committed rows: it sees every transaction that committed
/// before it was taken, and none after. Cloning registers another holder; the view stays
/// protected from vacuum until the last clone is dropped.
#[derive(Debug)]
pub struct Snapshot {
    lsn: Lsn,
    versions: Arc<Versions>,
}

impl Snapshot {
    /// Takes a snapshot at the current watermark.
    pub(crate) fn take(versions: &Arc<Versions>) -> Snapshot {
        // Registered under the registry's lock before the watermark is read, so that a
        // vacuum computing the horizon at the same time cannot pass it.
        let mut live = versions.live.lock();
        let lsn = versions.watermark().0;
        *live.entry(lsn).or_insert(0) += 1;
        drop(live);
        Snapshot {
            lsn: Lsn(lsn),
            versions: Arc::clone(versions),
        }
    }

    /// The commit LSN up to which the snapshot sees.
    pub fn lsn(&self) -> Lsn {
        self.lsn
    }
}

impl Clone for Snapshot {
    fn clone(&self) -> Snapshot {
        self.versions.register(self.lsn.0);
        Snapshot {
            lsn: self.lsn,
            versions: Arc::clone(&self.versions),
        }
    }
}

impl Drop for Snapshot {
    fn drop(&mut self) {
        self.versions.release(self.lsn.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_horizon_is_the_oldest_live_snapshot() {
        let versions = Arc::new(Versions::new(Lsn(10)));
        assert_eq!(versions.horizon(), Lsn(10));
        let old = Snapshot::take(&versions);
        versions.committed(Lsn(20));
        let new = Snapshot::take(&versions);
        assert_eq!((old.lsn(), new.lsn()), (Lsn(10), Lsn(20)));
        assert_eq!(versions.horizon(), Lsn(10));
        let copy = old.clone();
        drop(old);
        assert_eq!(versions.horizon(), Lsn(10));
        drop(copy);
        assert_eq!(versions.horizon(), Lsn(20));
        drop(new);
        versions.committed(Lsn(15));
        assert_eq!(versions.watermark(), Lsn(20));
    }
}
