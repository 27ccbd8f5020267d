//! pgvecto.rs 0.1's options document, the form its early README shows:
//!
//! ```toml
//! capacity = 2097152
//! [vectors]
//! memmap = "ram"
//! [algorithm.hnsw]
//! memmap = "ram"
//! m = 32
//! ef = 256
//! ```
//!
//! or `[algorithm.ivf]` with `nlist` and `nprobe` (or `[algorithm.flat]`), and the
//! earliest `size_ram` / `storage_vectors` / `storage` keys. It is read with the same
//! serde rules as 0.2's document (unknown keys refused) and mapped onto 0.2's options:
//! `ef` (or `ef_construction`) is the build's candidate list, `nprobe` the index's own
//! default for `vectors.ivf_nprobe`. `capacity` and the memory-map choices are accepted
//! and have no effect: vecsh's indexes grow as rows come, and live where the storage
//! puts them.

use serde::Deserialize;

use super::options::{schema, Indexing, VectorsOptions};

/// Whether `source` is a 0.1 document: its top level has a key only 0.1 had.
pub fn is_legacy(source: &str) -> bool {
    const LEGACY_KEYS: [&str; 5] = [
        "capacity",
        "vectors",
        "algorithm",
        "size_ram",
        "storage_vectors",
    ];
    match toml::from_str::<toml::Table>(source) {
        Ok(table) => table.keys().any(|key| LEGACY_KEYS.contains(&key.as_str())),
        Err(_) => false,
    }
}

/// Reads a 0.1 document into 0.2's options.
pub fn parse(source: &str) -> Result<VectorsOptions, toml::de::Error> {
    let legacy: Legacy = toml::from_str(source)?;
    let defaults = VectorsOptions::default();
    let (indexing, probes) = match legacy.algorithm.unwrap_or_default() {
        Algorithm::Hnsw(hnsw) => {
            let Indexing::Hnsw {
                m, ef_construction, ..
            } = hnsw_defaults()
            else {
                unreachable!("the HNSW defaults are HNSW's");
            };
            let indexing = Indexing::Hnsw {
                m: hnsw.m.map_or(m, u64::from),
                ef_construction: hnsw.ef_construction.or(hnsw.ef).unwrap_or(ef_construction),
                quantization: hnsw.quantization.into(),
            };
            (indexing, None)
        }
        Algorithm::Ivf(ivf) => {
            let defaults = schema::IvfIndexingOptions::default();
            let indexing = Indexing::Ivf {
                least_iterations: ivf
                    .least_iterations
                    .unwrap_or(defaults.least_iterations)
                    .into(),
                iterations: ivf.iterations.unwrap_or(defaults.iterations).into(),
                nlist: ivf.nlist.unwrap_or(defaults.nlist).into(),
                nsample: ivf.nsample.unwrap_or(defaults.nsample).into(),
                quantization: ivf.quantization.into(),
            };
            (indexing, ivf.nprobe.map(u64::from))
        }
        Algorithm::Flat(flat) => (
            Indexing::Flat {
                quantization: flat.quantization.into(),
            },
            None,
        ),
    };
    Ok(VectorsOptions {
        indexing,
        probes,
        ..defaults
    })
}

/// 0.2's HNSW defaults (`m` 12, `ef_construction` 300).
fn hnsw_defaults() -> Indexing {
    VectorsOptions::from(schema::Parsed::default()).indexing
}

/// The 0.1 document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Legacy {
    /// The most rows the index was to hold.
    capacity: Option<u64>,
    /// The earliest form's memory size.
    size_ram: Option<u64>,
    /// The earliest form's vector storage.
    storage_vectors: Option<Memmap>,
    /// `[vectors]`.
    vectors: Option<VectorsStorage>,
    /// `[algorithm.*]` (HNSW when absent).
    algorithm: Option<Algorithm>,
}

/// `"ram"` or `"disk"`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Memmap {
    Ram,
    Disk,
}

/// `[vectors]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct VectorsStorage {
    memmap: Option<Memmap>,
}

/// `[algorithm.hnsw]`, `[algorithm.ivf]` or `[algorithm.flat]`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Algorithm {
    Hnsw(Hnsw),
    Ivf(Ivf),
    Flat(Flat),
}

impl Default for Algorithm {
    fn default() -> Self {
        Algorithm::Hnsw(Hnsw::default())
    }
}

/// `[algorithm.hnsw]`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[allow(dead_code)]
struct Hnsw {
    memmap: Option<Memmap>,
    storage: Option<Memmap>,
    m: Option<u32>,
    ef: Option<u64>,
    ef_construction: Option<u64>,
    quantization: schema::QuantizationOptions,
}

/// `[algorithm.ivf]`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[allow(dead_code)]
struct Ivf {
    memmap: Option<Memmap>,
    storage: Option<Memmap>,
    nlist: Option<u32>,
    nprobe: Option<u32>,
    least_iterations: Option<u32>,
    iterations: Option<u32>,
    nsample: Option<u32>,
    quantization: schema::QuantizationOptions,
}

/// `[algorithm.flat]`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[allow(dead_code)]
struct Flat {
    memmap: Option<Memmap>,
    quantization: schema::QuantizationOptions,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_documents_map_onto_hnsw_and_ivf() {
        let hnsw = "capacity = 2097152\n[vectors]\nmemmap = \"ram\"\n[algorithm.hnsw]\nmemmap = \"ram\"\nm = 32\nef = 256\n";
        assert!(is_legacy(hnsw));
        let options = parse(hnsw).unwrap();
        assert_eq!(
            options.indexing,
            Indexing::Hnsw {
                m: 32,
                ef_construction: 256,
                quantization: super::super::options::Quantization::Trivial,
            }
        );
        assert_eq!(options.probes, None);
        let ivf = "capacity = 2097152\n[vectors]\nmemmap = \"ram\"\n[algorithm.ivf]\nmemmap = \"ram\"\nnlist = 1000\nnprobe = 10\n";
        let options = parse(ivf).unwrap();
        assert!(matches!(
            options.indexing,
            Indexing::Ivf { nlist: 1000, .. }
        ));
        assert_eq!(options.probes, Some(10));
        let earliest = "capacity = 2097152\nsize_ram = 4294967296\nstorage_vectors = \"ram\"\n[algorithm.hnsw]\nstorage = \"ram\"\nm = 32\nef = 256\n";
        assert!(parse(earliest).is_ok());
    }

    #[test]
    fn unknown_keys_and_the_new_form_are_told_apart() {
        assert!(!is_legacy("[indexing.hnsw]\nm = 16\n"));
        assert!(!is_legacy("not toml ["));
        assert!(parse("capacity = 10\n[algorithm.hnsw]\nwidth = 3\n").is_err());
        assert!(parse("capacity = 10\n[vectors]\nmemmap = \"tape\"\n").is_err());
    }
}
