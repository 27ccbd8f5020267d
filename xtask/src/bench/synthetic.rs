//! Synthetic datasets, `synthetic:ROWS:DIM[:CLUSTERS]`, generated from a seed.
//!
//! Without clusters every coordinate is a standard normal draw; with `CLUSTERS` centers
//! (standard normal) each row is a random center plus normal noise of standard deviation
//! [`CLUSTER_SPREAD`], which gives k-means something to find, as real embeddings do. Queries
//! come from the same distribution with a different stream of the same seed, so they are
//! never copies of base rows. The generator is SplitMix64 with the Box–Muller transform:
//! the same spec and seed give the same bytes on every machine.

use anyhow::{bail, Context, Result};

/// The standard deviation of rows around their cluster center.
pub const CLUSTER_SPREAD: f32 = 1.0;

/// A parsed `synthetic:ROWS:DIM[:CLUSTERS]` spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntheticSpec {
    /// Base rows.
    pub rows: usize,
    /// Dimensions.
    pub dims: usize,
    /// Cluster centers; 0 draws every row from one normal distribution.
    pub clusters: usize,
}

impl SyntheticSpec {
    /// Parses `synthetic:ROWS:DIM[:CLUSTERS]`; `None` when `text` is not a synthetic spec.
    pub fn parse(text: &str) -> Option<Result<SyntheticSpec>> {
        let rest = text.strip_prefix("synthetic:")?;
        Some(Self::parse_fields(rest).with_context(|| {
            format!("{text:?} is not a synthetic spec; write synthetic:ROWS:DIM[:CLUSTERS]")
        }))
    }

    fn parse_fields(rest: &str) -> Result<SyntheticSpec> {
        let fields: Vec<&str> = rest.split(':').collect();
        if fields.len() < 2 || fields.len() > 3 {
            bail!("expected two or three numbers");
        }
        let number = |field: &str| -> Result<usize> {
            field
                .parse::<usize>()
                .with_context(|| format!("{field:?} is not a count"))
        };
        let spec = SyntheticSpec {
            rows: number(fields[0])?,
            dims: number(fields[1])?,
            clusters: fields
                .get(2)
                .map(|field| number(field))
                .transpose()?
                .unwrap_or(0),
        };
        if spec.rows == 0 || spec.dims == 0 || spec.dims > 16_000 {
            bail!("ROWS must be positive and DIM between 1 and 16000");
        }
        Ok(spec)
    }

    /// A name for reports and cache directories.
    pub fn name(&self) -> String {
        format!("synthetic-{}x{}-c{}", self.rows, self.dims, self.clusters)
    }

    /// Generates `(base, queries)`, row-major, `n_queries` queries.
    pub fn generate(&self, n_queries: usize, seed: u64) -> (Vec<f32>, Vec<f32>) {
        let mut center_rng = SplitMix64::new(seed ^ 0xC0FF_EE00);
        let centers: Vec<f32> = (0..self.clusters * self.dims)
            .map(|_| center_rng.normal())
            .collect();
        let draw = |count: usize, stream: u64| {
            let mut rng = SplitMix64::new(seed.wrapping_mul(0x9E37_79B9).wrapping_add(stream));
            let mut data = Vec::with_capacity(count * self.dims);
            for _ in 0..count {
                if self.clusters == 0 {
                    data.extend((0..self.dims).map(|_| rng.normal()));
                } else {
                    let cluster = (rng.next_u64() % self.clusters as u64) as usize;
                    let center = &centers[cluster * self.dims..(cluster + 1) * self.dims];
                    data.extend(
                        center
                            .iter()
                            .map(|&value| value + CLUSTER_SPREAD * rng.normal()),
                    );
                }
            }
            data
        };
        (draw(self.rows, 1), draw(n_queries, 2))
    }
}

/// SplitMix64 (Steele, Lea and Flood), a small generator with a fixed output for a seed.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.state)
    }

    /// A uniform draw in `(0, 1]`.
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    }

    /// A standard normal draw (Box–Muller; the second value is dropped for simplicity).
    pub fn normal(&mut self) -> f32 {
        let radius = (-2.0 * self.unit().ln()).sqrt();
        let angle = 2.0 * std::f64::consts::PI * self.unit();
        (radius * angle.cos()) as f32
    }
}

/// SplitMix64's output function: a strong 64-bit mix, also used to hash row ids.
pub fn mix64(value: u64) -> u64 {
    let mut z = value;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse() {
        let spec = SyntheticSpec::parse("synthetic:1000:16:8")
            .unwrap()
            .unwrap();
        assert_eq!((spec.rows, spec.dims, spec.clusters), (1000, 16, 8));
        assert_eq!(spec.name(), "synthetic-1000x16-c8");
        let spec = SyntheticSpec::parse("synthetic:10:3").unwrap().unwrap();
        assert_eq!(spec.clusters, 0);
        assert!(SyntheticSpec::parse("some/dir").is_none());
        for bad in [
            "synthetic:10",
            "synthetic:0:3",
            "synthetic:a:3",
            "synthetic:1:2:3:4",
        ] {
            let error = SyntheticSpec::parse(bad).unwrap().unwrap_err();
            assert!(format!("{error:#}").contains("synthetic:ROWS:DIM"), "{bad}");
        }
    }

    #[test]
    fn generation_is_deterministic() {
        let spec = SyntheticSpec {
            rows: 200,
            dims: 8,
            clusters: 4,
        };
        let (base, queries) = spec.generate(10, 7);
        assert_eq!((base.len(), queries.len()), (1600, 80));
        assert_eq!(spec.generate(10, 7), (base.clone(), queries.clone()));
        let (other_base, _) = spec.generate(10, 8);
        assert_ne!(base, other_base);
        assert!(base.iter().all(|value| value.is_finite()));
        // Queries are not copies of base rows.
        assert!(!base.chunks_exact(8).any(|row| row == &queries[..8]));
        // A fixed value guards against accidental changes of the generator.
        assert_eq!(SplitMix64::new(0).next_u64(), 0xE220_A839_7B1D_CDAF);
    }
}
