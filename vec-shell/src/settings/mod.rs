//! Run-time parameters (`SET`, `SHOW`, `RESET`): pgvector's `hnsw.*` and `ivfflat.*`
//! parameters, pgvecto.rs's `vectors.*` ones and the PostgreSQL ones vecsh honours, with
//! their defaults, ranges, units and PostgreSQL's error texts. Each parameter is a
//! [`Param`] in `params`, where its default is written once; the engine reads a value
//! through the typed accessors ([`Settings::int`], [`Settings::bool`], …).

mod custom;
mod params;

pub use params::*;

use std::collections::BTreeMap;

use crate::error::{EngineError, Result};
use params::Kind;

/// A parameter's value, once checked.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Int(i64),
    Real(f64),
    Bool(bool),
    Word(&'static str),
    Text(String),
}

/// A session's parameter values: those set, over the defaults.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    values: BTreeMap<&'static str, Value>,
    /// Custom placeholder parameters (`SET myapp.user_id = 42`), by lower-case name.
    custom: BTreeMap<String, String>,
}

/// The parameter of this name, or PostgreSQL's error for an unknown one.
pub fn param(name: &str) -> Result<&'static Param> {
    ALL.iter()
        .copied()
        .find(|p| p.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            EngineError::new(
                "42704",
                format!("unrecognized configuration parameter \"{name}\""),
            )
        })
}

/// The names of every parameter (for tab completion).
pub fn names() -> impl Iterator<Item = &'static str> {
    ALL.iter().map(|p| p.name)
}

impl Param {
    fn default_value(&self) -> Value {
        match self.kind {
            Kind::Int { default, .. }
            | Kind::Memory { default, .. }
            | Kind::Blocks { default, .. } => Value::Int(default),
            Kind::Real { default, .. } => Value::Real(default),
            Kind::Bool { default } => Value::Bool(default),
            Kind::Enum { default, .. } => Value::Word(default),
            Kind::Text { default } | Kind::Fixed { value: default } => {
                Value::Text(default.to_string())
            }
        }
    }
}

impl Settings {
    /// `SET name = value` (`None`: `SET name TO DEFAULT`), checked against the
    /// parameter's kind and range.
    pub fn set(&mut self, name: &str, value: Option<&str>) -> Result<()> {
        let param = match param(name) {
            Ok(param) => param,
            Err(unknown) => return self.set_custom(name, value, unknown),
        };
        refuse_restart_only(param)?;
        match value {
            None => {
                self.values.remove(param.name);
            }
            Some(text) => {
                let value = validate(param, text)?;
                self.values.insert(param.name, value);
            }
        }
        Ok(())
    }

    /// `RESET name` or `RESET ALL`.
    pub fn reset(&mut self, name: &str) -> Result<()> {
        if name == "all" {
            self.values
                .retain(|name, _| params::RESTART_ONLY.iter().any(|p| p.name == *name));
            self.custom.values_mut().for_each(String::clear);
            return Ok(());
        }
        let param = match param(name) {
            Ok(param) => param,
            Err(unknown) => return self.set_custom(name, None, unknown),
        };
        refuse_restart_only(param)?;
        self.values.remove(param.name);
        Ok(())
    }

    /// A memory size for `param` (`256MB`; a number without a unit in the parameter's own
    /// unit: kB, or 8 kB blocks), checked against its range, in bytes.
    pub fn memory_bytes(param: &Param, text: &str) -> Result<usize> {
        match (validate(param, text)?, param.kind) {
            (Value::Int(blocks), Kind::Blocks { .. }) => Ok(blocks as usize * 8192),
            (Value::Int(kb), _) => Ok(kb as usize * 1024),
            _ => Err(EngineError::new(
                "22023",
                format!("parameter \"{}\" is not a memory size", param.name),
            )),
        }
    }

    /// Sets a parameter fixed at open (`shared_buffers`), which `SET` refuses.
    pub fn set_at_open(&mut self, param: &Param, value: &str) -> Result<()> {
        let value = validate(param, value)?;
        self.values.insert(param.name, value);
        Ok(())
    }

    /// `SHOW name`: the value as PostgreSQL prints it (memory with its unit).
    pub fn show(&self, name: &str) -> Result<String> {
        let param = match param(name) {
            Ok(param) => param,
            Err(unknown) => return self.show_custom(name, unknown),
        };
        Ok(match (self.value(param), param.kind) {
            (Value::Int(kb), Kind::Memory { .. }) => format_memory(kb),
            (Value::Int(blocks), Kind::Blocks { .. }) => format_memory(blocks * 8),
            (Value::Int(n), _) => n.to_string(),
            (Value::Real(x), _) => vec_types::float_text::format_float8(x),
            (Value::Bool(b), _) => if b { "on" } else { "off" }.to_string(),
            (Value::Word(word), _) => word.to_string(),
            (Value::Text(text), _) => text,
        })
    }

    fn value(&self, param: &Param) -> Value {
        self.values
            .get(param.name)
            .cloned()
            .unwrap_or_else(|| param.default_value())
    }

    /// An integer parameter's value (memory sizes in kB).
    pub fn int(&self, param: &Param) -> i64 {
        match self.value(param) {
            Value::Int(n) => n,
            Value::Real(x) => x as i64,
            _ => 0,
        }
    }

    /// A real parameter's value.
    pub fn real(&self, param: &Param) -> f64 {
        match self.value(param) {
            Value::Real(x) => x,
            Value::Int(n) => n as f64,
            _ => 0.0,
        }
    }

    /// A Boolean parameter's value.
    pub fn bool(&self, param: &Param) -> bool {
        matches!(self.value(param), Value::Bool(true))
    }

    /// A parameter as `pg_settings` shows it: its `setting` (memory in kB), `unit`,
    /// `vartype` and `boot_val`.
    pub fn catalog_row(
        &self,
        param: &Param,
    ) -> (String, Option<&'static str>, &'static str, String) {
        let boot = Settings::default();
        let raw = |settings: &Settings| match (settings.value(param), param.kind) {
            (Value::Int(n), Kind::Memory { .. } | Kind::Blocks { .. }) => n.to_string(),
            _ => settings.show(param.name).unwrap_or_default(),
        };
        let (unit, vartype) = match param.kind {
            Kind::Int { .. } => (None, "integer"),
            Kind::Memory { .. } => (Some("kB"), "integer"),
            Kind::Blocks { .. } => (Some("8kB"), "integer"),
            Kind::Real { .. } => (None, "real"),
            Kind::Bool { .. } => (None, "bool"),
            Kind::Enum { .. } => (None, "enum"),
            Kind::Text { .. } | Kind::Fixed { .. } => (None, "string"),
        };
        (raw(self), unit, vartype, raw(&boot))
    }

    /// Whether the parameter was set in this session (else it has its default).
    pub fn is_set(&self, param: &Param) -> bool {
        self.values.contains_key(param.name)
    }

    /// A text parameter's value, borrowed (its default when it was not set), as `SHOW`
    /// prints it; empty for a parameter of another kind.
    pub fn text(&self, param: &Param) -> &str {
        match (self.values.get(param.name), &param.kind) {
            (Some(Value::Text(text)), _) => text,
            (None, Kind::Text { default } | Kind::Fixed { value: default }) => default,
            _ => "",
        }
    }

    /// An enumerated parameter's value (one of its words).
    pub fn word(&self, param: &Param) -> &'static str {
        match self.value(param) {
            Value::Word(word) => word,
            _ => "",
        }
    }
}

fn refuse_restart_only(param: &Param) -> Result<()> {
    if params::RESTART_ONLY.iter().any(|p| p.name == param.name) {
        return Err(EngineError::new(
            "55P02",
            format!(
                "parameter \"{}\" cannot be changed without restarting the server",
                param.name
            ),
        ));
    }
    Ok(())
}

/// A memory size PostgreSQL could not read: with its list of units when the text
/// starts with a number (the unit was wrong), as it is otherwise.
fn unit_error(text: &str, invalid: EngineError) -> EngineError {
    let digits = text.trim_start().trim_start_matches(['+', '-']);
    let numeric = digits.starts_with(|c: char| c.is_ascii_digit())
        || (digits.starts_with('.') && digits[1..].starts_with(|c: char| c.is_ascii_digit()));
    if !numeric {
        return invalid;
    }
    invalid
        .with_hint("Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\".")
}

fn validate(param: &Param, text: &str) -> Result<Value> {
    let name = param.name;
    let invalid = || {
        EngineError::new(
            "22023",
            format!("invalid value for parameter \"{name}\": \"{text}\""),
        )
    };
    match param.kind {
        Kind::Int { min, max, .. } => {
            let value: i64 = parse_integer(text).ok_or_else(invalid)?;
            if value < min || value > max {
                return Err(EngineError::new(
                    "22023",
                    format!("{value} is outside the valid range for parameter \"{name}\" ({min} .. {max})"),
                ));
            }
            Ok(Value::Int(value))
        }
        Kind::Memory { min, max, .. } => {
            let value = parse_memory(text).ok_or_else(|| unit_error(text, invalid()))?;
            if value < min || value > max {
                return Err(EngineError::new(
                    "22023",
                    format!("{value} kB is outside the valid range for parameter \"{name}\" ({min} kB .. {max} kB)"),
                ));
            }
            Ok(Value::Int(value))
        }
        Kind::Blocks { min, max, .. } => {
            let value = parse_integer(text)
                .or_else(|| parse_memory(text).map(|kb| (kb as f64 / 8.0).round() as i64))
                .ok_or_else(|| unit_error(text, invalid()))?;
            if value < min || value > max {
                return Err(EngineError::new(
                    "22023",
                    format!("{value} 8kB is outside the valid range for parameter \"{name}\" ({min} .. {max})"),
                ));
            }
            Ok(Value::Int(value))
        }
        Kind::Real { min, max, .. } => {
            let value: f64 = text.trim().parse().map_err(|_| invalid())?;
            if !(min..=max).contains(&value) {
                let (min, max) = (format_g(min), format_g(max));
                return Err(EngineError::new(
                    "22023",
                    format!("{text} is outside the valid range for parameter \"{name}\" ({min} .. {max})"),
                ));
            }
            Ok(Value::Real(value))
        }
        Kind::Bool { .. } => match text.to_ascii_lowercase().as_str() {
            "on" | "true" | "yes" | "1" | "t" | "y" => Ok(Value::Bool(true)),
            "off" | "false" | "no" | "0" | "f" | "n" => Ok(Value::Bool(false)),
            _ => Err(EngineError::new(
                "22023",
                format!("parameter \"{name}\" requires a Boolean value"),
            )),
        },
        Kind::Text { .. } => Ok(Value::Text(text.to_string())),
        Kind::Fixed { .. } => Err(EngineError::new(
            "55P02",
            format!("parameter \"{name}\" cannot be changed"),
        )),
        Kind::Enum { options, .. } => {
            let lower = text.to_ascii_lowercase();
            match options.iter().find(|o| o.eq_ignore_ascii_case(&lower)) {
                Some(word) => Ok(Value::Word(word)),
                None => {
                    Err(invalid().with_hint(format!("Available values: {}.", options.join(", "))))
                }
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

/// A real number as C's `%g` prints it (six significant digits), as PostgreSQL's
/// range errors show bounds.
fn format_g(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return vec_types::float_text::format_float8(x);
    }
    let exponent = x.abs().log10().floor() as i32;
    let trim = |digits: String| {
        if digits.contains('.') {
            digits
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string()
        } else {
            digits
        }
    };
    if !(-4..6).contains(&exponent) {
        let mantissa = trim(format!("{:.5}", x / 10f64.powi(exponent)));
        let sign = if exponent < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exponent.abs());
    }
    trim(format!("{:.*}", (5 - exponent).max(0) as usize, x))
}

/// Prints kB with the largest unit that divides it, as `SHOW` does (0 without a unit).
fn format_memory(kb: i64) -> String {
    if kb == 0 {
        return "0".to_string();
    }
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
        let err = settings.set("hnsw.ef_search", Some("0")).unwrap_err();
        assert_eq!(
            err.message,
            "0 is outside the valid range for parameter \"hnsw.ef_search\" (1 .. 1000)"
        );
        settings.set("maintenance_work_mem", Some("1GB")).unwrap();
        assert_eq!(settings.show("maintenance_work_mem").unwrap(), "1GB");
        assert_eq!(settings.show("work_mem").unwrap(), "4MB");
        settings.reset("all").unwrap();
        assert_eq!(settings.show("maintenance_work_mem").unwrap(), "64MB");
    }

    #[test]
    fn parallel_settings_take_postgresql_units_and_ranges() {
        let mut settings = Settings::default();
        assert_eq!(
            settings.show("min_parallel_table_scan_size").unwrap(),
            "8MB"
        );
        assert_eq!(
            settings.show("min_parallel_index_scan_size").unwrap(),
            "512kB"
        );
        settings
            .set("min_parallel_table_scan_size", Some("100"))
            .unwrap();
        assert_eq!(
            settings.show("min_parallel_table_scan_size").unwrap(),
            "800kB"
        );
        assert_eq!(settings.int(&MIN_PARALLEL_TABLE_SCAN_SIZE), 100);
        settings
            .set("min_parallel_table_scan_size", Some("10kB"))
            .unwrap();
        assert_eq!(
            settings.show("min_parallel_table_scan_size").unwrap(),
            "8kB"
        );
        settings
            .set("min_parallel_table_scan_size", Some("0"))
            .unwrap();
        assert_eq!(settings.show("min_parallel_table_scan_size").unwrap(), "0");
        let err = settings.set("parallel_setup_cost", Some("-1")).unwrap_err();
        assert_eq!(
            err.message,
            "-1 is outside the valid range for parameter \"parallel_setup_cost\" (0 .. 1.79769e+308)"
        );
        assert_eq!(format_g(0.5), "0.5");
        assert_eq!(format_g(1000.0), "1000");
        assert_eq!(format_g(1e-5), "1e-05");
        assert_eq!(format_g(1234567.0), "1.23457e+06");
    }
}

#[cfg(test)]
mod typed_tests {
    use super::*;

    #[test]
    fn typed_reads_give_defaults_then_set_values() {
        let mut settings = Settings::default();
        assert_eq!(settings.int(&HNSW_EF_SEARCH), 40);
        assert!(settings.bool(&ENABLE_SEQSCAN));
        assert_eq!(settings.word(&HNSW_ITERATIVE_SCAN), "off");
        assert_eq!(settings.real(&HNSW_SCAN_MEM_MULTIPLIER), 1.0);
        settings.set("hnsw.ef_search", Some("100")).unwrap();
        settings.set("enable_seqscan", Some("off")).unwrap();
        settings
            .set("hnsw.iterative_scan", Some("Relaxed_Order"))
            .unwrap();
        settings.set("work_mem", Some("64MB")).unwrap();
        assert_eq!(settings.int(&HNSW_EF_SEARCH), 100);
        assert!(!settings.bool(&ENABLE_SEQSCAN));
        assert_eq!(settings.word(&HNSW_ITERATIVE_SCAN), "relaxed_order");
        assert_eq!(settings.int(&WORK_MEM), 65536);
        assert_eq!(settings.show("work_mem").unwrap(), "64MB");
        settings.set("hnsw.ef_search", None).unwrap();
        assert_eq!(settings.int(&HNSW_EF_SEARCH), 40);
        assert_eq!(
            settings.set("nope", Some("1")).unwrap_err().message,
            "unrecognized configuration parameter \"nope\""
        );
    }
}
