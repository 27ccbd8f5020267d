//! Committing a transaction: its WAL records are appended as one batch ending with a
//! commit record, the versions it wrote are stamped with the commit LSN, its private
//! pages are installed in the buffer pool, and (with `synchronous_commit` on) the commit
//! waits for the group fsync after releasing the writer mutex.

use super::*;

impl Txn<'_> {
    /// Commits: after this returns (with `synchronous_commit` on) the transaction survives
    /// any crash; on error nothing of it is visible, now or after recovery.
    pub fn commit(mut self) -> Result<CommitInfo> {
        let store = self.store.clone();
        if let Some(reason) = store.poisoned.lock().clone() {
            self.rollback_in_place();
            return Err(Error::Poisoned { reason });
        }
        let txn_id = {
            let writer = self.writer();
            let id = writer.next_txn_id;
            writer.next_txn_id += 1;
            id
        };
        if let Some(reason) = self.failed.take() {
            self.rollback_in_place();
            return Err(Error::TransactionAborted { reason });
        }
        if self.records.is_empty() {
            self.rollback_in_place();
            return Ok(CommitInfo {
                txn_id,
                commit_lsn: Lsn(0),
            });
        }
        for &heap in &self.created {
            if let Err(e) = store.files.open_heap(heap, true) {
                self.rollback_in_place();
                return Err(e);
            }
        }
        let commit_payload = txn_id.to_le_bytes();
        let mut refs: Vec<RecordRef<'_>> = self
            .records
            .iter()
            .map(|r| RecordRef {
                kind: r.kind,
                tag: r.tag,
                payload: &r.payload,
            })
            .collect();
        refs.push(RecordRef {
            kind: KIND_COMMIT,
            tag: 0,
            payload: &commit_payload,
        });
        let appended = match store.wal.append(&refs) {
            Ok(appended) => appended,
            Err(e) => {
                self.rollback_in_place();
                return Err(e);
            }
        };
        drop(refs);
        let commit_lsn = appended.end_lsn;
        let must_sync = self
            .synchronous_commit
            .unwrap_or(store.options.synchronous_commit)
            || !self.dropped.is_empty();
        if !self.dropped.is_empty() {
            // The heap files go away below: their drop must be durable first.
            store.wal.flush(commit_lsn)?;
        }
        let install = self
            .stamp(commit_lsn)
            .and_then(|()| self.install(commit_lsn));
        self.finished = true;
        // Release the writer mutex before waiting for the fsync, so that the next
        // transactions can commit into the same group flush.
        drop(self);
        if let Err(e) = install {
            // The commit is in the log but not in memory: only a reopen can reconcile them.
            store.poison(&e);
            return Err(e);
        }
        if must_sync {
            store.wal.flush(commit_lsn)?;
        }
        Ok(CommitInfo { txn_id, commit_lsn })
    }

    /// Replaces `MINE` in the stamps of the versions this transaction wrote with its
    /// commit LSN (on its private pages, before they are installed).
    fn stamp(&mut self, commit_lsn: Lsn) -> Result<()> {
        let stamps = std::mem::take(&mut self.stamps);
        for (heap, row) in stamps {
            if !self.writer.metas.contains_key(&heap) {
                continue;
            }
            self.with_heap(HeapId(heap), |_, access| {
                heap::set_header(access, row, &mut |h| h.stamp(commit_lsn.0)).map(drop)
            })?;
        }
        Ok(())
    }

    /// Makes the committed pages visible to readers.
    fn install(&mut self, commit_lsn: Lsn) -> Result<()> {
        let store: &Store = &self.store;
        let mut catalog = store.catalog.write();
        for &(heap, _) in &self.dropped {
            store.pool.discard_file(heap);
            catalog.heaps.remove(&heap);
            store.files.remove_heap(heap)?;
            store.files.clear_doublewrite()?;
        }
        for &heap in &self.created {
            catalog.heaps.insert(heap, 0);
        }
        let mut pages: Vec<_> = self.overlay.drain().collect();
        pages.sort_by_key(|(key, _)| *key);
        for ((heap, page_no), mut page) in pages {
            page.set_lsn(commit_lsn);
            store.pool.install(
                PageKey {
                    file: heap,
                    page_no,
                },
                &page,
            )?;
            if let Some(n_pages) = catalog.heaps.get_mut(&heap) {
                *n_pages = (*n_pages).max(page_no + 1);
            }
        }
        store.versions.committed(commit_lsn);
        Ok(())
    }
}
