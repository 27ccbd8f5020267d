//! Build options from `CREATE INDEX … WITH (…)`: pgvector's `m` and `ef_construction`
//! for `hnsw`, `lists` for `ivfflat`, checked with pgvector's texts; and vecsh's own
//! `quantization` for `hnsw` (`none`, `sq8` or `rabitq`: codes that searches read, with
//! the full vectors on disk for exact re-ranking), checked as PostgreSQL checks an enum
//! storage option.

use vec_hnsw::{HnswOptions, Quantization};
use vec_ivf::BuildOptions;

use crate::error::{EngineError, Result};

/// A storage option's integer value, or PostgreSQL's error for one that is not.
fn integer(name: &str, value: &str) -> Result<i64> {
    value.parse().map_err(|_| {
        EngineError::new(
            "22023",
            format!("invalid value for integer option \"{name}\": {value}"),
        )
    })
}

fn unrecognized(name: &str) -> EngineError {
    EngineError::new("22023", format!("unrecognized parameter \"{name}\""))
}

/// HNSW build options from `WITH (m = …, ef_construction = …)`, checked as pgvector
/// does, building on `threads` threads.
pub fn hnsw(with: &[(String, String)], threads: usize) -> Result<HnswOptions> {
    let mut options = HnswOptions {
        threads,
        // No limit unless the caller gives the session's maintenance_work_mem (an index
        // build does; see the registry).
        maintenance_work_mem: usize::MAX / 4,
        ..HnswOptions::default()
    };
    for (name, value) in with {
        if name == "quantization" {
            options.quantization = quantization(value)?;
            continue;
        }
        let target = match name.as_str() {
            "m" => &mut options.m,
            "ef_construction" => &mut options.ef_construction,
            other => return Err(unrecognized(other)),
        };
        let parsed = integer(name, value)?;
        // Out of range values are left for validation, which reports them with
        // pgvector's range text.
        *target = if parsed < 0 {
            0
        } else if parsed > i64::from(i32::MAX) {
            usize::MAX
        } else {
            parsed as usize
        };
    }
    options.validate().map_err(vec_index::IndexError::from)?;
    Ok(options)
}

/// The `quantization` option's value, or PostgreSQL's error for an enum option.
fn quantization(value: &str) -> Result<Quantization> {
    Quantization::from_name(value).ok_or_else(|| {
        EngineError::new(
            "22023",
            format!("invalid value for enum option \"quantization\": {value}"),
        )
        .with_detail("Valid values are \"none\", \"sq8\", and \"rabitq\".")
    })
}

/// IVFFlat build options from `WITH (lists = …)`, building on `threads` threads.
pub fn ivfflat(with: &[(String, String)], threads: usize) -> Result<BuildOptions> {
    let mut options = BuildOptions {
        threads,
        memory_budget_bytes: usize::MAX / 4,
        ..BuildOptions::default()
    };
    for (name, value) in with {
        if name != "lists" {
            return Err(unrecognized(name));
        }
        let parsed = integer(name, value)?;
        match name.as_str() {
            "lists" => {
                options.lists = u32::try_from(parsed.clamp(0, i64::from(u32::MAX))).unwrap_or(0)
            }
            other => return Err(unrecognized(other)),
        }
    }
    options.validate().map_err(vec_index::IndexError::from)?;
    Ok(options)
}
