//! Index errors and notices as the engine's: the index crates give pgvector's texts and
//! SQLSTATE codes ([`vec_index::IndexError`]); this is the one place they become
//! [`EngineError`]s.

use crate::error::EngineError;

impl From<vec_index::IndexError> for EngineError {
    fn from(error: vec_index::IndexError) -> EngineError {
        let mut engine = EngineError::new(error.sqlstate, error.message);
        engine.detail = error.detail;
        engine.hint = error.hint;
        engine
    }
}

/// A build's notice (pgvector's "ivfflat index created with little data") as the engine
/// reports it.
pub fn notice(notice: vec_index::Notice) -> EngineError {
    let mut engine = EngineError::notice("00000", notice.message);
    engine.detail = notice.detail;
    engine.hint = notice.hint;
    engine
}
