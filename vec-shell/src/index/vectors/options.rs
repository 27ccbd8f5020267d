//! pgvecto.rs's index options (`WITH (options = $$ … $$)`), read from TOML with its key
//! names, defaults and ranges (pgvecto.rs 0.2):
//!
//! | key | range | default |
//! |---|---|---|
//! | `segment.max_growing_segment_size` | 1..=4,000,000,000 | 20,000 |
//! | `segment.max_sealed_segment_size` | 1..=4,000,000,000 | 1,000,000 |
//! | `optimizing.sealing_secs` | 1..=60 | 60 |
//! | `optimizing.sealing_size` | 1..=4,000,000,000 | 1 |
//! | `optimizing.delete_threshold` | 0.01..=1.0 | 0.2 |
//! | `optimizing.optimizing_threads` | 1..=65535 | √cores |
//! | `[indexing.hnsw]` `m`, `ef_construction` | 4..=128, 10..=2000 | 12, 300 |
//! | `[indexing.ivf]` `nlist`, `nsample`, `least_iterations`, `iterations` | 1..=1,000,000 each | 1000, 65536, 16, 500 |
//! | `[indexing.flat]` | | |
//! | `quantization.trivial` / `.scalar` / `.product` (`sample` 1..=1,000,000, `ratio` `"x4"`…`"x64"`) | | trivial; 65535, `"x4"` |
//!
//! `indexing` defaults to HNSW. Errors read as pgvecto.rs's: a document that does not fit
//! the schema (bad syntax, an unknown key, a wrong type) is `failed to parse options: …`
//! with the `toml` crate's rendering and serde's wording; a value out of range is
//! `pgvecto.rs: The given index option is invalid.` with the `validator` crate's reason.

use std::ops::Range;

use super::toml::{self, Item, Table, TomlError, Value};
use crate::error::{EngineError, Result};

/// `[segment]`: accepted and range-checked; vecsh has no separate growing and sealed
/// segments (rows enter the index as they are inserted).
#[derive(Clone, Debug, PartialEq)]
pub struct SegmentOptions {
    /// `max_growing_segment_size`.
    pub max_growing_segment_size: u64,
    /// `max_sealed_segment_size`.
    pub max_sealed_segment_size: u64,
}

/// `[optimizing]`: accepted and range-checked; vecsh has no background optimizer.
#[derive(Clone, Debug, PartialEq)]
pub struct OptimizingOptions {
    /// `sealing_secs`.
    pub sealing_secs: u64,
    /// `sealing_size`.
    pub sealing_size: u64,
    /// `delete_threshold`.
    pub delete_threshold: f64,
    /// `optimizing_threads`: build threads.
    pub optimizing_threads: u64,
}

/// `quantization`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Quantization {
    /// `trivial`: rows as they are (the default).
    #[default]
    Trivial,
    /// `scalar`: SQ8.
    Scalar,
    /// `product`: PQ.
    Product {
        /// `sample`.
        sample: u64,
        /// `ratio`.
        ratio: vec_ivf::ProductRatio,
    },
}

/// `[indexing.*]`.
#[derive(Clone, Debug, PartialEq)]
pub enum Indexing {
    /// `[indexing.flat]`.
    Flat {
        /// `quantization`.
        quantization: Quantization,
    },
    /// `[indexing.ivf]`.
    Ivf {
        /// `least_iterations`.
        least_iterations: u64,
        /// `iterations`.
        iterations: u64,
        /// `nlist`.
        nlist: u64,
        /// `nsample`.
        nsample: u64,
        /// `quantization`.
        quantization: Quantization,
    },
    /// `[indexing.hnsw]`.
    Hnsw {
        /// `m`.
        m: u64,
        /// `ef_construction`.
        ef_construction: u64,
        /// `quantization`.
        quantization: Quantization,
    },
}

impl Indexing {
    fn hnsw_default() -> Indexing {
        Indexing::Hnsw {
            m: 12,
            ef_construction: 300,
            quantization: Quantization::Trivial,
        }
    }
}

/// All of an index's options, with pgvecto.rs's defaults filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct VectorsOptions {
    /// `[segment]`.
    pub segment: SegmentOptions,
    /// `[optimizing]`.
    pub optimizing: OptimizingOptions,
    /// `[indexing]`.
    pub indexing: Indexing,
}

impl Default for VectorsOptions {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        VectorsOptions {
            segment: SegmentOptions {
                max_growing_segment_size: 20_000,
                max_sealed_segment_size: 1_000_000,
            },
            optimizing: OptimizingOptions {
                sealing_secs: 60,
                sealing_size: 1,
                delete_threshold: 0.2,
                optimizing_threads: ((cores as f64).sqrt() as u64).max(1),
            },
            indexing: Indexing::hnsw_default(),
        }
    }
}

/// Reads `WITH (options = …)` (no `WITH`, or no `options`, gives the defaults). Other
/// storage parameters are PostgreSQL's `unrecognized parameter` error.
pub fn parse_with(with: &[(String, String)]) -> Result<VectorsOptions> {
    let mut options = VectorsOptions::default();
    for (name, value) in with {
        if name != "options" {
            return Err(EngineError::new(
                "22023",
                format!("unrecognized parameter \"{name}\""),
            ));
        }
        options = parse(value)?;
    }
    Ok(options)
}

/// Reads an options document.
pub fn parse(source: &str) -> Result<VectorsOptions> {
    let parse_error = |error: TomlError| {
        EngineError::new(
            "XX000",
            format!("failed to parse options: {}", error.render(source)),
        )
    };
    let root = toml::parse(source).map_err(parse_error)?;
    let options = decode(&root).map_err(parse_error)?;
    let reason = validate(&options);
    if !reason.is_empty() {
        return Err(EngineError::new(
            "XX000",
            format!(
                "pgvecto.rs: The given index option is invalid.\nINFORMATION: reason = {reason:?}"
            ),
        ));
    }
    Ok(options)
}

type Decoded<T> = std::result::Result<T, TomlError>;

/// The entries of a struct table by field, checking for unknown keys as serde's
/// `deny_unknown_fields` does.
fn fields<'t>(item: &'t Item, struct_name: &str, names: &[&str]) -> Decoded<Vec<Option<&'t Item>>> {
    let Value::Table(table) = &item.value else {
        return Err(invalid_type(item, &format!("struct {struct_name}")));
    };
    let mut found = vec![None; names.len()];
    for (key, span, value) in &table.entries {
        let Some(index) = names.iter().position(|n| n == key) else {
            return Err(TomlError::new(
                format!(
                    "unknown field `{key}`, {}",
                    expected(names, "there are no fields")
                ),
                span.clone(),
            ));
        };
        found[index] = Some(value);
    }
    Ok(found)
}

/// serde's list of what was expected.
fn expected(names: &[&str], none: &str) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.as_slice() {
        [] => none.to_string(),
        [one] => format!("expected {one}"),
        [a, b] => format!("expected {a} or {b}"),
        all => format!("expected one of {}", all.join(", ")),
    }
}

/// serde's `invalid type` error for a value.
fn invalid_type(item: &Item, expected: &str) -> TomlError {
    let found = match &item.value {
        Value::Integer(i) => format!("integer `{i}`"),
        Value::Float(f) => format!("floating point `{f:?}`"),
        Value::String(s) => format!("string {s:?}"),
        Value::Boolean(b) => format!("boolean `{b}`"),
        Value::Array(_) => "sequence".to_string(),
        Value::Table(_) => "map".to_string(),
    };
    TomlError::new(
        format!("invalid type: {found}, expected {expected}"),
        item.span.clone(),
    )
}

/// An unsigned integer field of Rust type `ty` (`u32`, `u64`, `usize`).
fn unsigned(item: Option<&Item>, ty: &str, default: u64) -> Decoded<u64> {
    let Some(item) = item else {
        return Ok(default);
    };
    let max = if ty == "u32" {
        u64::from(u32::MAX)
    } else {
        i64::MAX as u64
    };
    match item.value {
        Value::Integer(i) if i >= 0 && (i as u64) <= max => Ok(i as u64),
        Value::Integer(i) => Err(TomlError::new(
            format!("invalid value: integer `{i}`, expected {ty}"),
            item.span.clone(),
        )),
        _ => Err(invalid_type(item, ty)),
    }
}

fn float(item: Option<&Item>, default: f64) -> Decoded<f64> {
    let Some(item) = item else {
        return Ok(default);
    };
    match item.value {
        Value::Integer(i) => Ok(i as f64),
        Value::Float(f) => Ok(f),
        _ => Err(invalid_type(item, "f64")),
    }
}

/// An externally tagged enum: a table with exactly one key naming the variant. A bare
/// string names a variant too, which serde reads as a unit variant.
fn variant<'t>(item: &'t Item, enum_name: &str, variants: &[&str]) -> Decoded<(usize, &'t Item)> {
    let unknown = |name: &str, span: Range<usize>| {
        TomlError::new(
            format!(
                "unknown variant `{name}`, {}",
                expected(variants, "there are no variants")
            ),
            span,
        )
    };
    match &item.value {
        Value::Table(table) => {
            let [(key, span, value)] = table.entries.as_slice() else {
                let message = if table.entries.is_empty() {
                    "wanted exactly 1 element, found 0 elements"
                } else {
                    "wanted exactly 1 element, more than 1 element"
                };
                return Err(TomlError::new(message, item.span.clone()));
            };
            let index = variants
                .iter()
                .position(|v| v == key)
                .ok_or_else(|| unknown(key, span.clone()))?;
            Ok((index, value))
        }
        Value::String(name) => {
            if variants.contains(&name.as_str()) {
                Err(TomlError::new(
                    "invalid type: unit variant, expected newtype variant",
                    item.span.clone(),
                ))
            } else {
                Err(unknown(name, item.span.clone()))
            }
        }
        _ => Err(invalid_type(item, &format!("enum {enum_name}"))),
    }
}

fn quantization(item: Option<&Item>) -> Decoded<Quantization> {
    let Some(item) = item else {
        return Ok(Quantization::Trivial);
    };
    let (index, value) = variant(
        item,
        "QuantizationOptions",
        &["trivial", "scalar", "product"],
    )?;
    Ok(match index {
        0 => {
            fields(value, "TrivialQuantizationOptions", &[])?;
            Quantization::Trivial
        }
        1 => {
            fields(value, "ScalarQuantizationOptions", &[])?;
            Quantization::Scalar
        }
        _ => {
            let found = fields(value, "ProductQuantizationOptions", &["sample", "ratio"])?;
            let sample = unsigned(found[0], "u32", 65535)?;
            let ratio = match found[1] {
                None => vec_ivf::ProductRatio::X4,
                Some(item) => {
                    let names = ["x4", "x8", "x16", "x32", "x64"];
                    match &item.value {
                        Value::String(name) => {
                            let index = names.iter().position(|n| n == name).ok_or_else(|| {
                                TomlError::new(
                                    format!("unknown variant `{name}`, {}", expected(&names, "")),
                                    item.span.clone(),
                                )
                            })?;
                            vec_ivf::ProductRatio::ALL[index]
                        }
                        _ => {
                            return Err(invalid_type(item, "enum ProductQuantizationOptionsRatio"))
                        }
                    }
                }
            };
            Quantization::Product { sample, ratio }
        }
    })
}

fn decode(root: &Table) -> Decoded<VectorsOptions> {
    let mut options = VectorsOptions::default();
    let root_item = Item {
        value: Value::Table(root.clone()),
        span: 0..0,
    };
    let top = fields(&root_item, "Parsed", &["segment", "optimizing", "indexing"])?;
    if let Some(item) = top[0] {
        let found = fields(
            item,
            "SegmentsOptions",
            &["max_growing_segment_size", "max_sealed_segment_size"],
        )?;
        let segment = &mut options.segment;
        segment.max_growing_segment_size =
            unsigned(found[0], "u32", segment.max_growing_segment_size)?;
        segment.max_sealed_segment_size =
            unsigned(found[1], "u32", segment.max_sealed_segment_size)?;
    }
    if let Some(item) = top[1] {
        let found = fields(
            item,
            "OptimizingOptions",
            &[
                "sealing_secs",
                "sealing_size",
                "delete_threshold",
                "optimizing_threads",
            ],
        )?;
        let optimizing = &mut options.optimizing;
        optimizing.sealing_secs = unsigned(found[0], "u64", optimizing.sealing_secs)?;
        optimizing.sealing_size = unsigned(found[1], "u32", optimizing.sealing_size)?;
        optimizing.delete_threshold = float(found[2], optimizing.delete_threshold)?;
        optimizing.optimizing_threads = unsigned(found[3], "usize", optimizing.optimizing_threads)?;
    }
    if let Some(item) = top[2] {
        let (index, value) = variant(item, "IndexingOptions", &["flat", "ivf", "hnsw"])?;
        options.indexing = match index {
            0 => {
                let found = fields(value, "FlatIndexingOptions", &["quantization"])?;
                Indexing::Flat {
                    quantization: quantization(found[0])?,
                }
            }
            1 => {
                let found = fields(
                    value,
                    "IvfIndexingOptions",
                    &[
                        "least_iterations",
                        "iterations",
                        "nlist",
                        "nsample",
                        "quantization",
                    ],
                )?;
                Indexing::Ivf {
                    least_iterations: unsigned(found[0], "u32", 16)?,
                    iterations: unsigned(found[1], "u32", 500)?,
                    nlist: unsigned(found[2], "u32", 1000)?,
                    nsample: unsigned(found[3], "u32", 65536)?,
                    quantization: quantization(found[4])?,
                }
            }
            _ => {
                let found = fields(
                    value,
                    "HnswIndexingOptions",
                    &["m", "ef_construction", "quantization"],
                )?;
                Indexing::Hnsw {
                    m: unsigned(found[0], "u32", 12)?,
                    ef_construction: unsigned(found[1], "usize", 300)?,
                    quantization: quantization(found[2])?,
                }
            }
        };
    }
    Ok(options)
}

/// The `validator` crate's reason text for every value out of range (empty when all are
/// in range), paths as pgvecto.rs nests them.
fn validate(options: &VectorsOptions) -> String {
    let mut reason = String::new();
    let mut range = |path: &str, value: f64, shown: String, min: f64, max: f64| {
        if !(min..=max).contains(&value) {
            reason.push_str(&format!(
                "{path}: Validation error: range [{{\"value\": Number({shown}), \"min\": Number({min:?}), \"max\": Number({max:?})}}]"
            ));
        }
    };
    let int = |v: u64| (v as f64, v.to_string());
    let segment = &options.segment;
    for (name, value) in [
        ("max_growing_segment_size", segment.max_growing_segment_size),
        ("max_sealed_segment_size", segment.max_sealed_segment_size),
    ] {
        let (v, shown) = int(value);
        range(&format!("segment.{name}"), v, shown, 1.0, 4_000_000_000.0);
    }
    let optimizing = &options.optimizing;
    let (v, shown) = int(optimizing.sealing_secs);
    range("optimizing.sealing_secs", v, shown, 1.0, 60.0);
    let (v, shown) = int(optimizing.sealing_size);
    range("optimizing.sealing_size", v, shown, 1.0, 4_000_000_000.0);
    let threshold = optimizing.delete_threshold;
    range(
        "optimizing.delete_threshold",
        threshold,
        format!("{threshold:?}"),
        0.01,
        1.0,
    );
    let (v, shown) = int(optimizing.optimizing_threads);
    range("optimizing.optimizing_threads", v, shown, 1.0, 65535.0);
    let quantization = match &options.indexing {
        Indexing::Flat { quantization } => quantization,
        Indexing::Ivf {
            least_iterations,
            iterations,
            nlist,
            nsample,
            quantization,
        } => {
            for (name, value) in [
                ("least_iterations", least_iterations),
                ("iterations", iterations),
                ("nlist", nlist),
                ("nsample", nsample),
            ] {
                let (v, shown) = int(*value);
                range(&format!("indexing.{name}"), v, shown, 1.0, 1_000_000.0);
            }
            quantization
        }
        Indexing::Hnsw {
            m,
            ef_construction,
            quantization,
        } => {
            let (v, shown) = int(*m);
            range("indexing.m", v, shown, 4.0, 128.0);
            let (v, shown) = int(*ef_construction);
            range("indexing.ef_construction", v, shown, 10.0, 2000.0);
            quantization
        }
    };
    if let Quantization::Product { sample, .. } = quantization {
        let (v, shown) = int(*sample);
        range("indexing.quantization.sample", v, shown, 1.0, 1_000_000.0);
    }
    if segment.max_growing_segment_size > segment.max_sealed_segment_size {
        reason.push_str("segment.__all__: Validation error: `max_growing_segment_size` must be less than or equal to `max_sealed_segment_size` [{}]");
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_values() {
        let defaults = parse("").unwrap();
        assert_eq!(defaults.indexing, Indexing::hnsw_default());
        assert_eq!(defaults.segment.max_growing_segment_size, 20_000);
        let options =
            parse("[indexing.ivf]\nnlist = 20\nquantization.product.ratio = \"x16\"").unwrap();
        assert_eq!(
            options.indexing,
            Indexing::Ivf {
                least_iterations: 16,
                iterations: 500,
                nlist: 20,
                nsample: 65536,
                quantization: Quantization::Product {
                    sample: 65535,
                    ratio: vec_ivf::ProductRatio::X16
                },
            }
        );
        let options =
            parse("indexing.flat.quantization = { scalar = {} }\noptimizing.delete_threshold = 1")
                .unwrap();
        assert_eq!(
            options.indexing,
            Indexing::Flat {
                quantization: Quantization::Scalar
            }
        );
        assert_eq!(options.optimizing.delete_threshold, 1.0);
    }

    fn message(source: &str) -> String {
        parse(source).unwrap_err().message
    }

    #[test]
    fn schema_errors_read_as_serde_and_toml() {
        assert_eq!(
            message("[indexing.foo]"),
            "failed to parse options: TOML parse error at line 1, column 11\n  |\n1 | [indexing.foo]\n  |           ^^^\nunknown variant `foo`, expected one of `flat`, `ivf`, `hnsw`"
        );
        assert!(message("foo = 1")
            .ends_with("unknown field `foo`, expected one of `segment`, `optimizing`, `indexing`"));
        assert!(message("[indexing.hnsw]\nm = \"12\"")
            .ends_with("invalid type: string \"12\", expected u32"));
        assert!(message("[indexing.hnsw]\nm = -1")
            .ends_with("invalid value: integer `-1`, expected u32"));
        assert!(message("[indexing.flat]\nquantization.product.foo = 1")
            .ends_with("unknown field `foo`, expected `sample` or `ratio`"));
        assert!(message("[indexing.flat]\nquantization.trivial.foo = 1")
            .ends_with("unknown field `foo`, there are no fields"));
        assert!(
            message("[indexing.flat]\nquantization.product.ratio = \"x3\"")
                .ends_with("unknown variant `x3`, expected one of `x4`, `x8`, `x16`, `x32`, `x64`")
        );
        assert!(message("[indexing.ivf]\n[indexing.hnsw]")
            .ends_with("wanted exactly 1 element, more than 1 element"));
    }

    #[test]
    fn range_errors_read_as_validator() {
        assert_eq!(
            message("[indexing.hnsw]\nm = 200"),
            "pgvecto.rs: The given index option is invalid.\nINFORMATION: reason = \"indexing.m: Validation error: range [{\\\"value\\\": Number(200), \\\"min\\\": Number(4.0), \\\"max\\\": Number(128.0)}]\""
        );
        assert!(message("optimizing.delete_threshold = 0.001").contains(
            "optimizing.delete_threshold: Validation error: range [{\\\"value\\\": Number(0.001), \\\"min\\\": Number(0.01), \\\"max\\\": Number(1.0)}]"
        ));
        assert!(message("[segment]\nmax_growing_segment_size = 2000000\nmax_sealed_segment_size = 1000000")
            .contains("segment.__all__: Validation error: `max_growing_segment_size` must be less than or equal to `max_sealed_segment_size` [{}]"));
    }
}
