//! Run-time parameters (`SET`, `SHOW`, `RESET`): pgvector's `hnsw.*` and `ivfflat.*`
//! parameters, pgvecto.rs's `vectors.*` ones and the PostgreSQL ones vecsh honours, with
//! their defaults, ranges, units and PostgreSQL's error texts.

use std::collections::BTreeMap;

use crate::error::{EngineError, Result};
use crate::sql::ast::SetValue;

/// A parameter's kind and limits.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Int {
        min: i64,
        max: i64,
    },
    /// Memory in kilobytes.
    Memory {
        min: i64,
        max: i64,
    },
    Real {
        min: f64,
        max: f64,
    },
    Bool,
    Enum(&'static [&'static str]),
}

struct Definition {
    name: &'static str,
    kind: Kind,
    default: &'static str,
}

const DEFINITIONS: &[Definition] = &[
    Definition {
        name: "hnsw.ef_search",
        kind: Kind::Int { min: 1, max: 1000 },
        default: "40",
    },
    Definition {
        name: "hnsw.iterative_scan",
        kind: Kind::Enum(&["off", "relaxed_order", "strict_order"]),
        default: "off",
    },
    Definition {
        name: "hnsw.max_scan_tuples",
        kind: Kind::Int {
            min: 1,
            max: i32::MAX as i64,
        },
        default: "20000",
    },
    Definition {
        name: "hnsw.scan_mem_multiplier",
        kind: Kind::Real {
            min: 1.0,
            max: 1000.0,
        },
        default: "1",
    },
    Definition {
        name: "ivfflat.probes",
        kind: Kind::Int { min: 1, max: 32768 },
        default: "1",
    },
    Definition {
        name: "ivfflat.iterative_scan",
        kind: Kind::Enum(&["off", "relaxed_order"]),
        default: "off",
    },
    Definition {
        name: "ivfflat.max_probes",
        kind: Kind::Int { min: 1, max: 32768 },
        default: "32768",
    },
    Definition {
        name: "vectors.enable_index",
        kind: Kind::Bool,
        default: "on",
    },
    Definition {
        name: "vectors.hnsw_ef_search",
        kind: Kind::Int { min: 1, max: 65535 },
        default: "100",
    },
    Definition {
        name: "vectors.ivf_nprobe",
        kind: Kind::Int {
            min: 1,
            max: 1_000_000,
        },
        default: "10",
    },
    Definition {
        name: "vectors.search_mode",
        kind: Kind::Enum(&["basic", "vbase"]),
        default: "vbase",
    },
    Definition {
        name: "maintenance_work_mem",
        kind: Kind::Memory {
            min: 1024,
            max: i32::MAX as i64,
        },
        default: "65536",
    },
    Definition {
        name: "max_parallel_maintenance_workers",
        kind: Kind::Int { min: 0, max: 1024 },
        default: "2",
    },
    Definition {
        name: "work_mem",
        kind: Kind::Memory {
            min: 64,
            max: i32::MAX as i64,
        },
        default: "4096",
    },
    Definition {
        name: "enable_seqscan",
        kind: Kind::Bool,
        default: "on",
    },
    Definition {
        name: "enable_indexscan",
        kind: Kind::Bool,
        default: "on",
    },
    // Milliseconds a write waits for the write lock; 0 waits without limit for another
    // session's statement, and up to `txn::DEFAULT_LOCK_WAIT` for its open block.
    Definition {
        name: "lock_timeout",
        kind: Kind::Int {
            min: 0,
            max: i32::MAX as i64,
        },
        default: "0",
    },
    Definition {
        name: "synchronous_commit",
        kind: Kind::Enum(&["on", "off", "local", "remote_write", "remote_apply"]),
        default: "on",
    },
];

/// A session's parameter values (canonical text; memory in kB).
#[derive(Clone, Debug, Default)]
pub struct Settings {
    values: BTreeMap<&'static str, String>,
}

fn definition(name: &str) -> Result<&'static Definition> {
    DEFINITIONS.iter().find(|d| d.name == name).ok_or_else(|| {
        EngineError::new(
            "42704",
            format!("unrecognized configuration parameter \"{name}\""),
        )
    })
}

impl Settings {
    /// `SET name = value` (`None` for `DEFAULT`).
    pub fn set(&mut self, name: &str, value: Option<&SetValue>) -> Result<()> {
        let definition = definition(name)?;
        let Some(value) = value else {
            self.values.remove(definition.name);
            return Ok(());
        };
        let text = match value {
            SetValue::Number(n) | SetValue::Text(n) => n.as_str(),
        };
        let canonical = validate(definition, text)?;
        self.values.insert(definition.name, canonical);
        Ok(())
    }

    /// `RESET name` / `RESET ALL`.
    pub fn reset(&mut self, name: &str) -> Result<()> {
        if name == "all" {
            self.values.clear();
            return Ok(());
        }
        let definition = definition(name)?;
        self.values.remove(definition.name);
        Ok(())
    }

    /// `SHOW name`: the value as PostgreSQL displays it.
    pub fn show(&self, name: &str) -> Result<String> {
        let definition = definition(name)?;
        let raw = self
            .values
            .get(definition.name)
            .map_or(definition.default, String::as_str);
        Ok(match definition.kind {
            Kind::Memory { .. } => format_memory(raw.parse().unwrap_or(0)),
            _ => raw.to_string(),
        })
    }

    /// An integer parameter's value.
    pub fn int(&self, name: &str) -> Option<i64> {
        let definition = definition(name).ok()?;
        self.values
            .get(definition.name)
            .map_or(definition.default, String::as_str)
            .parse()
            .ok()
    }

    /// A parameter's value as text (canonical form).
    pub fn text(&self, name: &str) -> Option<String> {
        let definition = definition(name).ok()?;
        Some(
            self.values
                .get(definition.name)
                .map_or(definition.default, String::as_str)
                .to_string(),
        )
    }

    /// A real parameter's value.
    pub fn real(&self, name: &str) -> Option<f64> {
        self.text(name)?.parse().ok()
    }

    /// A boolean parameter's value.
    pub fn bool(&self, name: &str) -> Option<bool> {
        let definition = definition(name).ok()?;
        Some(
            self.values
                .get(definition.name)
                .map_or(definition.default, String::as_str)
                == "on",
        )
    }
}

fn validate(definition: &Definition, text: &str) -> Result<String> {
    let name = definition.name;
    let invalid = || {
        EngineError::new(
            "22023",
            format!("invalid value for parameter \"{name}\": \"{text}\""),
        )
    };
    match definition.kind {
        Kind::Int { min, max } => {
            let value: i64 = parse_integer(text).ok_or_else(invalid)?;
            if value < min || value > max {
                return Err(EngineError::new(
                    "22023",
                    format!("{value} is outside the valid range for parameter \"{name}\" ({min} .. {max})"),
                ));
            }
            Ok(value.to_string())
        }
        Kind::Memory { min, max } => {
            let value = parse_memory(text).ok_or_else(|| {
                invalid().with_hint(
                    "Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\".",
                )
            })?;
            if value < min || value > max {
                return Err(EngineError::new(
                    "22023",
                    format!("{value} kB is outside the valid range for parameter \"{name}\" ({min} kB .. {max} kB)"),
                ));
            }
            Ok(value.to_string())
        }
        Kind::Real { min, max } => {
            let value: f64 = text.trim().parse().map_err(|_| invalid())?;
            if !(min..=max).contains(&value) {
                return Err(EngineError::new(
                    "22023",
                    format!("{text} is outside the valid range for parameter \"{name}\" ({min} .. {max})"),
                ));
            }
            Ok(vec_types::float_text::format_float8(value))
        }
        Kind::Bool => match text.to_ascii_lowercase().as_str() {
            "on" | "true" | "yes" | "1" | "t" | "y" => Ok("on".to_string()),
            "off" | "false" | "no" | "0" | "f" | "n" => Ok("off".to_string()),
            _ => Err(EngineError::new(
                "22023",
                format!("parameter \"{name}\" requires a Boolean value"),
            )),
        },
        Kind::Enum(options) => {
            let lower = text.to_ascii_lowercase();
            if options.contains(&lower.as_str()) {
                Ok(lower)
            } else {
                Err(invalid().with_hint(format!("Available values: {}.", options.join(", "))))
            }
        }
    }
}

fn parse_integer(text: &str) -> Option<i64> {
    let trimmed = text.trim();
    if let Ok(value) = trimmed.parse::<i64>() {
        return Some(value);
    }
    // PostgreSQL rounds a fractional value for an integer parameter.
    trimmed
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(|v| v.round() as i64)
}

/// Reads a memory size in kB (`64MB`, `1GB`, `1024` meaning kB).
fn parse_memory(text: &str) -> Option<i64> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '-' || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let value: f64 = number.parse().ok()?;
    let factor = match unit.trim() {
        "" | "kB" => 1.0,
        "B" => 1.0 / 1024.0,
        "MB" => 1024.0,
        "GB" => 1024.0 * 1024.0,
        "TB" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some((value * factor).round() as i64)
}

/// Prints kB with the largest unit that divides it, as `SHOW` does.
fn format_memory(kb: i64) -> String {
    for (unit, size) in [("TB", 1i64 << 30), ("GB", 1 << 20), ("MB", 1 << 10)] {
        if kb != 0 && kb % size == 0 {
            return format!("{}{unit}", kb / size);
        }
    }
    format!("{kb}kB")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_units() {
        let mut settings = Settings::default();
        assert_eq!(settings.show("hnsw.ef_search").unwrap(), "40");
        let err = settings
            .set("hnsw.ef_search", Some(&SetValue::Number("0".into())))
            .unwrap_err();
        assert_eq!(
            err.message,
            "0 is outside the valid range for parameter \"hnsw.ef_search\" (1 .. 1000)"
        );
        settings
            .set("maintenance_work_mem", Some(&SetValue::Text("1GB".into())))
            .unwrap();
        assert_eq!(settings.show("maintenance_work_mem").unwrap(), "1GB");
        assert_eq!(settings.show("work_mem").unwrap(), "4MB");
        settings.reset("all").unwrap();
        assert_eq!(settings.show("maintenance_work_mem").unwrap(), "64MB");
    }
}
