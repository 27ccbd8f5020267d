//! Custom placeholder parameters, as PostgreSQL keeps them for names with a dot that no
//! module defines (`SET myapp.user_id = 42`, then `SHOW myapp.user_id` or
//! `current_setting('myapp.user_id')`): any text value, no checks, and once set the
//! parameter exists for the rest of the session (`RESET` and `SET … TO DEFAULT` leave
//! it empty). The prefixes of pgvector's and vecsh's own parameters are reserved, as
//! pgvector reserves `hnsw` and `ivfflat`.

use super::Settings;
use crate::error::{EngineError, Result};

/// Prefixes no placeholder may take.
const RESERVED_PREFIXES: &[&str] = &["hnsw", "ivfflat", "vectors", "vecsh"];

impl Settings {
    /// `SET name = value` (`None`: `DEFAULT` or `RESET`) of a name no parameter has:
    /// a placeholder when the name has a dot and an unreserved prefix, else `unknown`.
    pub(super) fn set_custom(
        &mut self,
        name: &str,
        value: Option<&str>,
        unknown: EngineError,
    ) -> Result<()> {
        let name = name.to_ascii_lowercase();
        let Some((prefix, _)) = name.split_once('.') else {
            return Err(unknown);
        };
        if RESERVED_PREFIXES.contains(&prefix) {
            return Err(EngineError::new(
                "42602",
                format!("invalid configuration parameter name \"{name}\""),
            )
            .with_detail(format!("\"{prefix}\" is a reserved prefix.")));
        }
        if prefix.is_empty() || name.ends_with('.') {
            return Err(unknown);
        }
        self.custom
            .insert(name, value.unwrap_or_default().to_string());
        Ok(())
    }

    /// `SHOW name` of a name no parameter has: the placeholder's value, else `unknown`.
    pub(super) fn show_custom(&self, name: &str, unknown: EngineError) -> Result<String> {
        self.custom
            .get(&name.to_ascii_lowercase())
            .cloned()
            .ok_or(unknown)
    }

    /// Makes `name` a placeholder (empty) when it would be one and is not yet: a `SET
    /// LOCAL` of a new placeholder leaves it defined after the block.
    pub fn define_placeholder(&mut self, name: &str) {
        let lower = name.to_ascii_lowercase();
        if super::param(name).is_err() && !self.custom.contains_key(&lower) {
            let unknown = EngineError::internal("not a placeholder");
            let _ = self.set_custom(name, None, unknown);
        }
    }

    /// The placeholders set in this session, by name.
    pub fn custom_parameters(&self) -> impl Iterator<Item = (&str, &str)> {
        self.custom.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}
