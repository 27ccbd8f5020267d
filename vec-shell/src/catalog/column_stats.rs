//! Per-column statistics as `ANALYZE` gathers them and `pg_stats` shows them, by
//! PostgreSQL's rules for a type with an ordering (`compute_scalar_stats`): the
//! fraction of NULLs, the average stored width, the number of distinct values (negative:
//! a fraction of the rows), the most common values (those seen more than once, most
//! frequent first) with their frequencies, histogram bounds dividing the other values
//! into equal-population buckets, and the correlation between the values' order and the
//! rows' physical order. Up to [`SAMPLE_ROWS`] rows are read: a table no larger is read
//! whole (and the figures are PostgreSQL's exactly); a larger one through a fixed-seed
//! random sample of that many rows, kept in physical order.

use std::cmp::Ordering;

use crate::error::Result;
use crate::storage::codec::{encode_datum, Reader};
use crate::value::Datum;

/// Values wider than this many bytes are left out of the most common values and the
/// histogram.
const WIDTH_THRESHOLD: usize = 1024;

/// PostgreSQL's `default_statistics_target`: the most common values kept, and the
/// number of histogram buckets.
pub const STATISTICS_TARGET: usize = 100;

/// The rows a table's sample holds at most (PostgreSQL's 300 × the statistics target).
pub const SAMPLE_ROWS: usize = 300 * STATISTICS_TARGET;

/// What `ANALYZE` found about one column.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnStats {
    /// The fraction of the sampled rows where the column is NULL.
    pub null_frac: f32,
    /// The average width in bytes of the non-NULL values as stored.
    pub avg_width: i32,
    /// The number of distinct non-NULL values, or, when negative, minus that number
    /// divided by the number of rows (it grows with the table).
    pub n_distinct: f32,
    /// The most common values, most frequent first, and their frequencies.
    pub most_common: Vec<(Datum, f32)>,
    /// Values dividing the rest into buckets of equal population, in order.
    pub histogram: Vec<Datum>,
    /// The correlation between the values' order and the rows' physical order.
    pub correlation: Option<f32>,
}

/// The statistics of one table's columns (in column order; `None` for a column not
/// analyzed).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TableStats {
    /// The table's rows when it was analyzed (PostgreSQL's `pg_class.reltuples`).
    pub rows: u64,
    /// Each column's statistics.
    pub columns: Vec<Option<ColumnStats>>,
}

/// A fixed-seed sample of up to [`SAMPLE_ROWS`] of a table's rows, in the order they
/// were offered (physical order), as reservoir sampling keeps them.
pub struct Sampler {
    seen: u64,
    state: u64,
    kept: Vec<(u64, Vec<Datum>)>,
    capacity: usize,
}

impl Default for Sampler {
    fn default() -> Self {
        Sampler::with_capacity(SAMPLE_ROWS)
    }
}

impl Sampler {
    /// A sampler keeping up to `capacity` rows (300 × the largest statistics target of
    /// the columns analyzed).
    pub fn with_capacity(capacity: usize) -> Sampler {
        Sampler {
            seen: 0,
            state: 0x9E37_79B9_7F4A_7C15,
            kept: Vec::new(),
            capacity: capacity.max(1),
        }
    }

    /// Offers the next row.
    pub fn offer(&mut self, row: &[Datum]) {
        let position = self.seen;
        self.seen += 1;
        if self.kept.len() < self.capacity {
            self.kept.push((position, row.to_vec()));
            return;
        }
        // xorshift64*: repeatable, so the same table gives the same statistics.
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        let random = self.state.wrapping_mul(0x2545_F491_4F6C_DD1D);
        let slot = random % self.seen;
        if (slot as usize) < self.capacity {
            self.kept[slot as usize] = (position, row.to_vec());
        }
    }

    /// The number of rows offered.
    pub fn total_rows(&self) -> u64 {
        self.seen
    }

    /// The sampled rows in physical order.
    pub fn into_rows(mut self) -> Vec<Vec<Datum>> {
        self.kept.sort_by_key(|(position, _)| *position);
        self.kept.into_iter().map(|(_, row)| row).collect()
    }
}

/// The statistics of column `column` of the sampled `rows`, out of `total_rows` rows,
/// at the default statistics target.
pub fn compute(rows: &[Vec<Datum>], column: usize, total_rows: u64) -> ColumnStats {
    compute_with_target(rows, column, total_rows, STATISTICS_TARGET)
}

/// The statistics of column `column` of the sampled `rows`, out of `total_rows` rows,
/// keeping at most `target` most common values and `target` histogram buckets
/// (`ALTER TABLE … SET STATISTICS`).
pub fn compute_with_target(
    rows: &[Vec<Datum>],
    column: usize,
    total_rows: u64,
    target: usize,
) -> ColumnStats {
    let sample_rows = rows.len();
    // (value, its place among the sample's non-NULL values)
    let mut values: Vec<(&Datum, usize)> = rows
        .iter()
        .filter_map(|row| match row.get(column) {
            Some(Datum::Null) | None => None,
            Some(value) => Some(value),
        })
        .enumerate()
        .map(|(tupno, value)| (value, tupno))
        .collect();
    let null_count = sample_rows - values.len();
    let null_frac = if sample_rows == 0 {
        0.0
    } else {
        null_count as f64 / sample_rows as f64
    };
    if values.is_empty() {
        return ColumnStats {
            null_frac: null_frac as f32,
            avg_width: 0,
            n_distinct: 0.0,
            most_common: Vec::new(),
            histogram: Vec::new(),
            correlation: None,
        };
    }
    let total_width: f64 = values.iter().map(|(v, _)| stored_width(v) as f64).sum();
    // Truncated, as PostgreSQL stores the average in an integer.
    let avg_width = (total_width / values.len() as f64) as i32;
    // Values over 1 kB count as distinct, and nothing more: they are never most common
    // values or histogram bounds (PostgreSQL's `WIDTH_THRESHOLD`).
    let nonnull = values.len();
    values.retain(|(value, _)| stored_width(value) <= WIDTH_THRESHOLD);
    let too_wide = nonnull - values.len();
    values.sort_by(|a, b| a.0.compare(b.0).then(a.1.cmp(&b.1)));
    let count = values.len();

    // Runs of equal values: their first place in `values` and their length.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (i, (value, _)) in values.iter().enumerate() {
        match runs.last_mut() {
            Some((start, length)) if values[*start].0.compare(value) == Ordering::Equal => {
                *length += 1
            }
            _ => runs.push((i, 1)),
        }
    }
    let distinct = runs.len();
    let repeated = runs.iter().filter(|(_, length)| *length > 1).count();
    let singles = distinct - repeated + too_wide;
    let all_distinct = distinct + too_wide;
    let total = total_rows.max(sample_rows as u64) as f64;

    let mut n_distinct = if repeated == 0 {
        -(1.0 - null_frac)
    } else if repeated == all_distinct {
        all_distinct as f64
    } else {
        // The Haas and Stokes estimator over the non-NULL rows (exactly `distinct` when
        // the whole table was read).
        let n = nonnull as f64;
        let big_n = total * (1.0 - null_frac);
        let d = all_distinct as f64;
        let estimate = n * d / ((n - singles as f64) + singles as f64 * n / big_n);
        estimate.clamp(d, big_n.max(d)).round()
    };
    if n_distinct > 0.1 * total {
        n_distinct = -(n_distinct / total);
    }

    // The values seen more than once, most frequent first (ties in value order).
    let mut tracked: Vec<(usize, usize)> = runs.iter().copied().filter(|(_, l)| *l > 1).collect();
    tracked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    tracked.truncate(target);
    let whole_table = sample_rows as u64 >= total_rows;
    if !whole_table {
        tracked = significant(tracked, n_distinct, null_frac, sample_rows, total);
    }
    let most_common: Vec<(Datum, f32)> = tracked
        .iter()
        .map(|(start, length)| {
            (
                values[*start].0.clone(),
                (*length as f64 / sample_rows as f64) as f32,
            )
        })
        .collect();

    // The histogram over the values not among the most common (duplicates kept).
    let common_starts: Vec<usize> = tracked.iter().map(|(start, _)| *start).collect();
    let rest: Vec<&Datum> = runs
        .iter()
        .filter(|(start, _)| !common_starts.contains(start))
        .flat_map(|(start, length)| values[*start..*start + *length].iter().map(|(v, _)| *v))
        .collect();
    let mut buckets = distinct - tracked.len();
    if buckets > target {
        buckets = target + 1;
    }
    let mut histogram = Vec::new();
    if buckets >= 2 {
        let n = rest.len();
        let delta = (n - 1) / (buckets - 1);
        let delta_frac = (n - 1) % (buckets - 1);
        let (mut position, mut fraction) = (0, 0);
        for _ in 0..buckets {
            histogram.push(rest[position].clone());
            position += delta;
            fraction += delta_frac;
            if fraction >= buckets - 1 {
                position += 1;
                fraction -= buckets - 1;
            }
        }
    }

    // Correlation of sorted position with sample position.
    let correlation = (count > 1).then(|| {
        let n = count as f64;
        let xy: f64 = values
            .iter()
            .enumerate()
            .map(|(i, (_, tupno))| i as f64 * *tupno as f64)
            .sum();
        let x_sum = (n - 1.0) * n / 2.0;
        let x2_sum = (n - 1.0) * n * (2.0 * n - 1.0) / 6.0;
        ((n * xy - x_sum * x_sum) / (n * x2_sum - x_sum * x_sum)) as f32
    });
    ColumnStats {
        null_frac: null_frac as f32,
        avg_width,
        n_distinct: n_distinct as f32,
        most_common,
        histogram,
        correlation,
    }
}

/// From a sample of part of a table: keeps the most common values whose sample count
/// is significantly above what a value left out of the list would have (the lower end
/// of a Wald-type confidence interval of the value's own frequency, as PostgreSQL
/// judges it); drops the least common first.
fn significant(
    mut tracked: Vec<(usize, usize)>,
    n_distinct: f64,
    null_frac: f64,
    sample_rows: usize,
    total: f64,
) -> Vec<(usize, usize)> {
    let table_distinct = if n_distinct < 0.0 {
        -n_distinct * total
    } else {
        n_distinct
    };
    let n = sample_rows as f64;
    let mut sum: f64 = tracked.iter().map(|(_, c)| *c as f64).sum();
    while let Some(&(_, count)) = tracked.last() {
        let count = count as f64;
        let mut selectivity = (1.0 - sum / n - null_frac).clamp(0.0, 1.0);
        let other_distinct = table_distinct - (tracked.len() as f64 - 1.0);
        if other_distinct > 1.0 {
            selectivity /= other_distinct;
        }
        let k = total * count / n;
        let variance = n * k * (total - k) * (total - n) / (total * total * (total - 1.0));
        if count > selectivity * n + 2.0 * variance.max(0.0).sqrt() + 0.5 {
            break;
        }
        sum -= count;
        tracked.pop();
    }
    tracked
}

/// The bytes a value takes in a PostgreSQL row: fixed-size types their size,
/// variable-size ones their data plus a one-byte header when the whole fits in 127
/// bytes, else a four-byte header.
pub fn stored_width(value: &Datum) -> usize {
    let variable = |data: usize| if data + 1 <= 127 { data + 1 } else { data + 4 };
    match value {
        Datum::Null => 0,
        Datum::Bool(_) => 1,
        Datum::Int4(_) | Datum::Float4(_) => 4,
        Datum::Int8(_) | Datum::Float8(_) => 8,
        Datum::Text(text) => variable(text.len()),
        Datum::Numeric(n) => variable(
            2 + 2 * n
                .to_string()
                .trim_start_matches('-')
                .replace('.', "")
                .len()
                .div_ceil(4),
        ),
        Datum::Vector(v) => variable(4 + 4 * v.dims()),
        Datum::HalfVec(v) => variable(4 + 2 * v.dims()),
        Datum::SparseVec(v) => variable(12 + 8 * v.nnz()),
        Datum::Bit(b) => variable(4 + b.len().div_ceil(8)),
        Datum::Array(a) => {
            variable(12 + 8 * a.dims.len() + a.elements.iter().map(stored_width).sum::<usize>())
        }
        // A count, a 4-byte entry per lexeme, then each lexeme (2-byte aligned, then a
        // position count and 2 bytes per position, when it has positions).
        Datum::TsVector(v) => variable(
            4 + v
                .entries()
                .iter()
                .map(|e| match e.positions.len() {
                    0 => 4 + e.lexeme.len(),
                    n => 4 + e.lexeme.len().next_multiple_of(2) + 2 + 2 * n,
                })
                .sum::<usize>(),
        ),
        // A count, a 12-byte item per node, then each operand's text and a NUL.
        Datum::TsQuery(q) => {
            let mut operands = Vec::new();
            if let Some(root) = &q.root {
                root.operands(&mut operands);
            }
            let text: usize = operands.iter().map(|o| o.lexeme.len() + 1).sum();
            variable(4 + 12 * q.node_count() + text)
        }
    }
}

/// Appends the statistics' durable form (the catalog entry's statistics section).
pub fn encode(stats: &TableStats, out: &mut Vec<u8>) {
    let put_u32 = |out: &mut Vec<u8>, value: u32| out.extend_from_slice(&value.to_le_bytes());
    let put_f32 = |out: &mut Vec<u8>, value: f32| out.extend_from_slice(&value.to_le_bytes());
    put_u32(out, (stats.rows & u64::from(u32::MAX)) as u32);
    put_u32(out, (stats.rows >> 32) as u32);
    put_u32(out, stats.columns.len() as u32);
    for column in &stats.columns {
        let Some(column) = column else {
            out.push(0);
            continue;
        };
        out.push(1);
        put_f32(out, column.null_frac);
        put_u32(out, column.avg_width as u32);
        put_f32(out, column.n_distinct);
        put_f32(out, column.correlation.unwrap_or(f32::NAN));
        put_u32(out, column.most_common.len() as u32);
        for (value, frequency) in &column.most_common {
            encode_datum(out, value);
            put_f32(out, *frequency);
        }
        put_u32(out, column.histogram.len() as u32);
        for value in &column.histogram {
            encode_datum(out, value);
        }
    }
}

/// Reads what [`encode`] wrote.
pub fn decode(reader: &mut Reader<'_>) -> Result<TableStats> {
    let f32_of = |reader: &mut Reader<'_>| -> Result<f32> {
        Ok(f32::from_le_bytes(
            reader.take(4)?.try_into().unwrap_or([0; 4]),
        ))
    };
    let rows = u64::from(reader.u32()?) | (u64::from(reader.u32()?) << 32);
    let mut columns = Vec::new();
    for _ in 0..reader.u32()? {
        if reader.u8()? == 0 {
            columns.push(None);
            continue;
        }
        let null_frac = f32_of(reader)?;
        let avg_width = reader.u32()? as i32;
        let n_distinct = f32_of(reader)?;
        let correlation = Some(f32_of(reader)?).filter(|c| !c.is_nan());
        let mut most_common = Vec::new();
        for _ in 0..reader.u32()? {
            let value = reader.datum(0)?;
            most_common.push((value, f32_of(reader)?));
        }
        let mut histogram = Vec::new();
        for _ in 0..reader.u32()? {
            histogram.push(reader.datum(0)?);
        }
        columns.push(Some(ColumnStats {
            null_frac,
            avg_width,
            n_distinct,
            most_common,
            histogram,
            correlation,
        }));
    }
    Ok(TableStats { rows, columns })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(values: &[Option<i32>]) -> Vec<Vec<Datum>> {
        values
            .iter()
            .map(|v| vec![v.map_or(Datum::Null, Datum::Int4)])
            .collect()
    }

    #[test]
    fn unique_values_give_a_histogram_and_minus_one_distinct() {
        let values: Vec<Option<i32>> = (1..=10).map(Some).collect();
        let stats = compute(&rows(&values), 0, 10);
        assert_eq!(stats.n_distinct, -1.0);
        assert!(stats.most_common.is_empty());
        assert_eq!(stats.histogram.len(), 10);
        assert_eq!(stats.correlation, Some(1.0));
        assert_eq!(stats.avg_width, 4);
    }

    #[test]
    fn repeated_values_are_the_most_common_ones() {
        let values = [Some(1), Some(2), Some(2), Some(3), Some(3), Some(3), None];
        let stats = compute(&rows(&values), 0, 7);
        assert_eq!(
            stats.most_common,
            vec![(Datum::Int4(3), 3.0 / 7.0), (Datum::Int4(2), 2.0 / 7.0)]
        );
        assert!(stats.histogram.is_empty());
        assert_eq!(stats.null_frac, 1.0 / 7.0);
    }

    #[test]
    fn statistics_read_back_as_written() {
        let values = [Some(1), Some(2), Some(2), Some(3), None];
        let stats = TableStats {
            rows: (1 << 33) + 5,
            columns: vec![Some(compute(&rows(&values), 0, 5)), None],
        };
        let mut bytes = Vec::new();
        encode(&stats, &mut bytes);
        let mut reader = Reader::new(&bytes);
        assert_eq!(decode(&mut reader).unwrap(), stats);
        assert!(reader.at_end());
    }

    #[test]
    fn a_large_table_is_sampled_in_physical_order() {
        let mut sampler = Sampler::default();
        for i in 0..(SAMPLE_ROWS as i32 * 3) {
            sampler.offer(&[Datum::Int4(i)]);
        }
        assert_eq!(sampler.total_rows(), SAMPLE_ROWS as u64 * 3);
        let sample = sampler.into_rows();
        assert_eq!(sample.len(), SAMPLE_ROWS);
        assert!(sample
            .windows(2)
            .all(|w| w[0][0].compare(&w[1][0]) == Ordering::Less));
    }
}
