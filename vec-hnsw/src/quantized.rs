//! What a quantized index adds to [`Hnsw`]: training the quantizer and encoding elements as
//! they are staged, and preparing a query for the codes' estimates (`quant` has the codes
//! themselves, `rerank` the exact re-ranking of what a search found).

use crate::error::HnswError;
use crate::index::Hnsw;
use crate::metric::{Metric, VectorRef};
use crate::quant::{PreparedQuery, RETRAIN_LIMIT};
use crate::store::VectorStore;

impl<M: Metric> Hnsw<M> {
    /// Trains the quantizer on every element's vector and encodes them all; fails with
    /// [`HnswError::OutOfMemory`] when the codes cannot be had.
    pub(crate) fn train_codes(&mut self) -> Result<(), HnswError> {
        let Some(codes) = self.codes.as_mut() else {
            return Ok(());
        };
        let store = &self.store;
        let slots = store.len();
        let mut wide = Vec::new();
        codes.train(slots, |add| {
            for slot in 0..slots as u32 {
                if M::Store::widen(store.get(slot), &mut wide) {
                    add(&wide);
                }
            }
        });
        let oom = |bytes| HnswError::OutOfMemory { bytes };
        codes.reserve(slots).map_err(oom)?;
        let mut scratch = Vec::new();
        for slot in 0..slots as u32 {
            if M::Store::widen(store.get(slot), &mut wide) {
                codes.encode(slot, &wide, &mut scratch).map_err(oom)?;
            }
        }
        Ok(())
    }

    /// Encodes the element just staged in `slot`; while the index is small, first trains
    /// the quantizer again each time the element count has doubled. Fails with
    /// [`HnswError::OutOfMemory`] when the codes cannot grow.
    pub(crate) fn encode_staged(&mut self, slot: u32) -> Result<(), HnswError> {
        let Some(codes) = self.codes.as_mut() else {
            return Ok(());
        };
        let slots = self.store.len();
        if codes.trained_on < RETRAIN_LIMIT && slots >= 2 * codes.trained_on {
            return self.train_codes();
        }
        let mut wide = Vec::new();
        if M::Store::widen(self.store.get(slot), &mut wide) {
            codes
                .encode(slot, &wide, &mut Vec::new())
                .map_err(|bytes| HnswError::OutOfMemory { bytes })?;
        }
        Ok(())
    }

    /// The query prepared for the codes' estimates; `None` for an unquantized index.
    pub(crate) fn prepare_codes(&self, query: VectorRef<'_, M>) -> Option<PreparedQuery> {
        let codes = self.codes.as_ref()?;
        let mut wide = Vec::new();
        M::Store::widen(query, &mut wide).then(|| codes.prepare(&wide))
    }
}
