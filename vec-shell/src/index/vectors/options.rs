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
//! `indexing` defaults to HNSW. The document is read as pgvecto.rs reads it: the `toml`
//! crate (0.8, pgvecto.rs's) deserialises it with serde into the `schema` types, which
//! mirror pgvecto.rs's option types (names, integer types, defaults, unknown fields
//! denied), so a document that does not fit (bad syntax, an unknown key, a wrong type, a
//! duplicate key) fails with `failed to parse options: ` and toml's error as it displays
//! it, less its final newline. A value out of range is then `pgvecto.rs: The given index
//! option is invalid.` with the `validator` crate's reason, as pgvecto.rs checks ranges
//! after reading.

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

/// All of an index's options, with pgvecto.rs's defaults filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct VectorsOptions {
    /// `[segment]`.
    pub segment: SegmentOptions,
    /// `[optimizing]`.
    pub optimizing: OptimizingOptions,
    /// `[indexing]`.
    pub indexing: Indexing,
    /// pgvecto.rs 0.1's `[algorithm.ivf] nprobe`: the index's lists probed when the
    /// session has not set `vectors.ivf_nprobe`.
    pub probes: Option<u64>,
}

impl Default for VectorsOptions {
    fn default() -> Self {
        schema::Parsed::default().into()
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

/// Reads an options document: deserialises it, then checks its ranges.
pub fn parse(source: &str) -> Result<VectorsOptions> {
    let options = if super::legacy::is_legacy(source) {
        super::legacy::parse(source).map_err(parse_error)?
    } else {
        VectorsOptions::from(toml::from_str::<schema::Parsed>(source).map_err(parse_error)?)
    };
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

/// `failed to parse options: ` and toml's error as it displays it.
fn parse_error(error: toml::de::Error) -> EngineError {
    // toml ends its rendering with a newline; an error message does not.
    let rendered = error.to_string();
    let rendered = rendered.strip_suffix('\n').unwrap_or(&rendered);
    EngineError::new("XX000", format!("failed to parse options: {rendered}"))
}

/// The options document as serde reads it, in pgvecto.rs's types: their names are in
/// serde's messages (`expected struct SegmentsOptions`), their integer types set what
/// `invalid value: …, expected u32` accepts, and their field and variant order is the
/// order of serde's `expected one of` lists. Each struct's `Default` is pgvecto.rs's
/// defaults; `#[serde(default)]` fills absent keys from it.
pub(super) mod schema {
    use serde::Deserialize;

    /// The document: pgvecto.rs's `IndexOptions` less `vector` (dimensions, distance and
    /// vector type come from the column and the operator class, not from the document;
    /// pgvecto.rs names this struct `Parsed`).
    #[derive(Debug, Default, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Parsed {
        /// `[segment]`.
        #[serde(default)]
        pub segment: SegmentsOptions,
        /// `[optimizing]`.
        #[serde(default)]
        pub optimizing: OptimizingOptions,
        /// `[indexing]`.
        #[serde(default)]
        pub indexing: IndexingOptions,
    }

    /// `[segment]`.
    #[derive(Debug, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    pub struct SegmentsOptions {
        /// `max_growing_segment_size`.
        pub max_growing_segment_size: u32,
        /// `max_sealed_segment_size`.
        pub max_sealed_segment_size: u32,
    }

    impl Default for SegmentsOptions {
        fn default() -> Self {
            SegmentsOptions {
                max_growing_segment_size: 20_000,
                max_sealed_segment_size: 1_000_000,
            }
        }
    }

    /// `[optimizing]`.
    #[derive(Debug, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    pub struct OptimizingOptions {
        /// `sealing_secs`.
        pub sealing_secs: u64,
        /// `sealing_size`.
        pub sealing_size: u32,
        /// `delete_threshold`.
        pub delete_threshold: f64,
        /// `optimizing_threads`.
        pub optimizing_threads: usize,
    }

    impl Default for OptimizingOptions {
        fn default() -> Self {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            OptimizingOptions {
                sealing_secs: 60,
                sealing_size: 1,
                delete_threshold: 0.2,
                optimizing_threads: ((cores as f64).sqrt() as usize).max(1),
            }
        }
    }

    /// `[indexing.flat]`, `[indexing.ivf]` or `[indexing.hnsw]` (externally tagged: the
    /// one key of `indexing` names the variant).
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum IndexingOptions {
        /// `[indexing.flat]`.
        Flat(FlatIndexingOptions),
        /// `[indexing.ivf]`.
        Ivf(IvfIndexingOptions),
        /// `[indexing.hnsw]`.
        Hnsw(HnswIndexingOptions),
    }

    impl Default for IndexingOptions {
        fn default() -> Self {
            IndexingOptions::Hnsw(HnswIndexingOptions::default())
        }
    }

    /// `[indexing.flat]`.
    #[derive(Debug, Default, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    pub struct FlatIndexingOptions {
        /// `quantization`.
        pub quantization: QuantizationOptions,
    }

    /// `[indexing.ivf]`.
    #[derive(Debug, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    pub struct IvfIndexingOptions {
        /// `least_iterations`.
        pub least_iterations: u32,
        /// `iterations`.
        pub iterations: u32,
        /// `nlist`.
        pub nlist: u32,
        /// `nsample`.
        pub nsample: u32,
        /// `quantization`.
        pub quantization: QuantizationOptions,
    }

    impl Default for IvfIndexingOptions {
        fn default() -> Self {
            IvfIndexingOptions {
                least_iterations: 16,
                iterations: 500,
                nlist: 1000,
                nsample: 65536,
                quantization: QuantizationOptions::default(),
            }
        }
    }

    /// `[indexing.hnsw]`.
    #[derive(Debug, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    pub struct HnswIndexingOptions {
        /// `m`.
        pub m: u32,
        /// `ef_construction`.
        pub ef_construction: usize,
        /// `quantization`.
        pub quantization: QuantizationOptions,
    }

    impl Default for HnswIndexingOptions {
        fn default() -> Self {
            HnswIndexingOptions {
                m: 12,
                ef_construction: 300,
                quantization: QuantizationOptions::default(),
            }
        }
    }

    /// `quantization.trivial`, `.scalar` or `.product` (externally tagged).
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum QuantizationOptions {
        /// `trivial`.
        Trivial(TrivialQuantizationOptions),
        /// `scalar`.
        Scalar(ScalarQuantizationOptions),
        /// `product`.
        Product(ProductQuantizationOptions),
    }

    impl Default for QuantizationOptions {
        fn default() -> Self {
            QuantizationOptions::Trivial(TrivialQuantizationOptions {})
        }
    }

    /// `quantization.trivial`: no keys.
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct TrivialQuantizationOptions {}

    /// `quantization.scalar`: no keys.
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ScalarQuantizationOptions {}

    /// `quantization.product`.
    #[derive(Debug, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    pub struct ProductQuantizationOptions {
        /// `sample`.
        pub sample: u32,
        /// `ratio`.
        pub ratio: ProductQuantizationOptionsRatio,
    }

    impl Default for ProductQuantizationOptions {
        fn default() -> Self {
            ProductQuantizationOptions {
                sample: 65535,
                ratio: ProductQuantizationOptionsRatio::X4,
            }
        }
    }

    /// `ratio`: `"x4"` … `"x64"`.
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum ProductQuantizationOptionsRatio {
        /// `"x4"`.
        X4,
        /// `"x8"`.
        X8,
        /// `"x16"`.
        X16,
        /// `"x32"`.
        X32,
        /// `"x64"`.
        X64,
    }
}

impl From<schema::QuantizationOptions> for Quantization {
    fn from(options: schema::QuantizationOptions) -> Self {
        use schema::ProductQuantizationOptionsRatio as Ratio;
        match options {
            schema::QuantizationOptions::Trivial(_) => Quantization::Trivial,
            schema::QuantizationOptions::Scalar(_) => Quantization::Scalar,
            schema::QuantizationOptions::Product(product) => Quantization::Product {
                sample: product.sample.into(),
                ratio: match product.ratio {
                    Ratio::X4 => vec_ivf::ProductRatio::X4,
                    Ratio::X8 => vec_ivf::ProductRatio::X8,
                    Ratio::X16 => vec_ivf::ProductRatio::X16,
                    Ratio::X32 => vec_ivf::ProductRatio::X32,
                    Ratio::X64 => vec_ivf::ProductRatio::X64,
                },
            },
        }
    }
}

impl From<schema::Parsed> for VectorsOptions {
    fn from(parsed: schema::Parsed) -> Self {
        let (segment, optimizing) = (parsed.segment, parsed.optimizing);
        VectorsOptions {
            segment: SegmentOptions {
                max_growing_segment_size: segment.max_growing_segment_size.into(),
                max_sealed_segment_size: segment.max_sealed_segment_size.into(),
            },
            optimizing: OptimizingOptions {
                sealing_secs: optimizing.sealing_secs,
                sealing_size: optimizing.sealing_size.into(),
                delete_threshold: optimizing.delete_threshold,
                optimizing_threads: optimizing.optimizing_threads as u64,
            },
            indexing: match parsed.indexing {
                schema::IndexingOptions::Flat(flat) => Indexing::Flat {
                    quantization: flat.quantization.into(),
                },
                schema::IndexingOptions::Ivf(ivf) => Indexing::Ivf {
                    least_iterations: ivf.least_iterations.into(),
                    iterations: ivf.iterations.into(),
                    nlist: ivf.nlist.into(),
                    nsample: ivf.nsample.into(),
                    quantization: ivf.quantization.into(),
                },
                schema::IndexingOptions::Hnsw(hnsw) => Indexing::Hnsw {
                    m: hnsw.m.into(),
                    ef_construction: hnsw.ef_construction as u64,
                    quantization: hnsw.quantization.into(),
                },
            },
            probes: None,
        }
    }
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

    fn message(source: &str) -> String {
        parse(source).unwrap_err().message
    }

    /// `failed to parse options: ` and toml's rendering of an error at a line and column.
    fn rendered(line: usize, column: usize, text: &str, carets: &str, what: &str) -> String {
        format!(
            "failed to parse options: TOML parse error at line {line}, column {column}\n  |\n{line} | {text}\n  |{}{carets}\n{what}",
            " ".repeat(column)
        )
    }

    #[test]
    fn defaults_and_values() {
        let defaults = parse("").unwrap();
        assert_eq!(defaults, VectorsOptions::default());
        assert_eq!(parse_with(&[]).unwrap(), defaults);
        assert_eq!(
            defaults.indexing,
            Indexing::Hnsw {
                m: 12,
                ef_construction: 300,
                quantization: Quantization::Trivial
            }
        );
        assert_eq!(defaults.segment.max_growing_segment_size, 20_000);
        assert_eq!(defaults.segment.max_sealed_segment_size, 1_000_000);
        assert_eq!(defaults.optimizing.sealing_secs, 60);
        assert_eq!(defaults.optimizing.sealing_size, 1);
        assert_eq!(defaults.optimizing.delete_threshold, 0.2);
        assert!(defaults.optimizing.optimizing_threads >= 1);
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
        assert_eq!(
            parse_with(&[("lists".into(), "3".into())])
                .unwrap_err()
                .message,
            "unrecognized parameter \"lists\""
        );
    }

    #[test]
    fn toml_syntax_is_read_in_full() {
        // Comments, quoted and dotted keys, integer bases and `_`, inline tables, literal
        // and multi-line strings, escapes and CRLF line ends.
        let doc = "# options\r\n[indexing.ivf]\r\nnlist = 1_000 # lists\r\nnsample = 0x10\r\niterations = 0o20\r\nleast_iterations = 0b11\r\n\"quantization\".'product' = { sample = +300, ratio = '''\nx32''' }\r\n\r\n[segment]\r\n'max_growing_segment_size' = 10\r\n\"max_sealed_segment_size\" = 20\r\n[optimizing]\r\ndelete_threshold = 5e-1\r\n";
        let options = parse(doc).unwrap();
        assert_eq!(
            options.indexing,
            Indexing::Ivf {
                least_iterations: 3,
                iterations: 16,
                nlist: 1000,
                nsample: 16,
                quantization: Quantization::Product {
                    sample: 300,
                    ratio: vec_ivf::ProductRatio::X32
                },
            }
        );
        assert_eq!(options.segment.max_growing_segment_size, 10);
        assert_eq!(options.segment.max_sealed_segment_size, 20);
        assert_eq!(options.optimizing.delete_threshold, 0.5);
        // A table header alone gives its defaults.
        assert_eq!(
            parse("[indexing.ivf.quantization.product]")
                .unwrap()
                .indexing,
            Indexing::Ivf {
                least_iterations: 16,
                iterations: 500,
                nlist: 1000,
                nsample: 65536,
                quantization: Quantization::Product {
                    sample: 65535,
                    ratio: vec_ivf::ProductRatio::X4
                },
            }
        );
        let escaped = "indexing.flat.quantization.product.ratio = \"\\u0078\\u0038\"";
        assert_eq!(
            parse(escaped).unwrap().indexing,
            Indexing::Flat {
                quantization: Quantization::Product {
                    sample: 65535,
                    ratio: vec_ivf::ProductRatio::X8
                }
            }
        );
    }

    #[test]
    fn syntax_errors_point_at_the_text() {
        assert_eq!(
            message("[indexing.ivf]\nnlist = 10 nprobe = 2"),
            rendered(2, 12, "nlist = 10 nprobe = 2", "^", "expected newline, `#`")
        );
        assert_eq!(
            message("[indexing"),
            rendered(
                1,
                10,
                "[indexing",
                "^",
                "invalid table header\nexpected `.`, `]`"
            )
        );
        assert_eq!(
            message("[indexing.hnsw]\nm = 12\nm = 13\n"),
            rendered(
                3,
                1,
                "m = 13",
                "^",
                "duplicate key `m` in table `indexing.hnsw`"
            )
        );
        assert_eq!(
            message("[segment]\n[segment]"),
            rendered(
                2,
                1,
                "[segment]",
                "^",
                "invalid table header\nduplicate key `\"segment\"` in document root"
            )
        );
        for bad in [
            "[indexing.ivf]\nnlist = ",
            "optimizing.sealing_secs = \"x",
            "[indexing.ivf]\nnlist = 01",
            "[indexing.ivf]\nnlist = 1__0",
            "= 1",
            "optimizing.delete_threshold = 1.",
            "optimizing = { sealing_secs = 1",
            "[indexing.flat]\nquantization.product.ratio = 'x4\n'",
            "segment.max_growing_segment_size = 1\nsegment.max_growing_segment_size.c = 2",
            "[indexing.ivf]\nnlist = 99999999999999999999",
            "[indexing.flat]\nquantization.product.ratio = \"\\q\"",
            "segment = {}\n[segment]",
        ] {
            let message = message(bad);
            assert!(
                message.starts_with("failed to parse options: TOML parse error at line "),
                "{bad:?}: {message}"
            );
            assert!(!message.contains("invalid type"), "{bad:?}: {message}");
        }
    }

    #[test]
    fn schema_errors_read_as_serde_and_toml() {
        // Unknown keys.
        assert_eq!(
            message("[indexing.foo]"),
            rendered(
                1,
                11,
                "[indexing.foo]",
                "^^^",
                "unknown variant `foo`, expected one of `flat`, `ivf`, `hnsw`"
            )
        );
        assert_eq!(
            message("[segment]\nfoo = 1"),
            rendered(
                2,
                1,
                "foo = 1",
                "^^^",
                "unknown field `foo`, expected `max_growing_segment_size` or `max_sealed_segment_size`"
            )
        );
        assert!(message("foo = 1")
            .ends_with("unknown field `foo`, expected one of `segment`, `optimizing`, `indexing`"));
        assert!(message("[indexing.flat]\nquantization.product.foo = 1")
            .ends_with("unknown field `foo`, expected `sample` or `ratio`"));
        assert!(message("[indexing.flat]\nquantization.trivial.foo = 1")
            .ends_with("unknown field `foo`, there are no fields"));
        assert!(
            message("[indexing.flat]\nquantization.product.ratio = \"x3\"")
                .ends_with("unknown variant `x3`, expected one of `x4`, `x8`, `x16`, `x32`, `x64`")
        );
        // Wrong types, and integers outside the Rust type.
        assert_eq!(
            message("[indexing.ivf]\nnlist = \"10\""),
            rendered(
                2,
                9,
                "nlist = \"10\"",
                "^^^^",
                "invalid type: string \"10\", expected u32"
            )
        );
        assert_eq!(
            message("segment = 3"),
            rendered(
                1,
                11,
                "segment = 3",
                "^",
                "invalid type: integer `3`, expected struct SegmentsOptions"
            )
        );
        assert_eq!(
            message("indexing = 3"),
            rendered(1, 12, "indexing = 3", "^", "wanted string or table")
        );
        assert!(message("[indexing.hnsw]\nm = -1")
            .ends_with("invalid value: integer `-1`, expected u32"));
        assert!(message("[indexing.hnsw]\nm = 5000000000")
            .ends_with("invalid value: integer `5000000000`, expected u32"));
        assert!(message("optimizing.optimizing_threads = -3")
            .ends_with("invalid value: integer `-3`, expected usize"));
        assert!(message("optimizing.delete_threshold = \"x\"")
            .ends_with("invalid type: string \"x\", expected f64"));
        assert!(message("[segment]\nmax_sealed_segment_size = 1979-05-27")
            .ends_with("invalid type: map, expected u32"));
        assert!(message("indexing = \"hnsw\"")
            .ends_with("invalid type: unit variant, expected newtype variant"));
        // An enum table names exactly one variant.
        assert_eq!(
            message("indexing = {}"),
            rendered(
                1,
                12,
                "indexing = {}",
                "^^",
                "wanted exactly 1 element, found 0 elements"
            )
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
