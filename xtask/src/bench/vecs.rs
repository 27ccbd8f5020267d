//! TEXMEX `fvecs` / `ivecs` files: for each record, a little-endian `i32` count `d` followed by
//! `d` little-endian `f32` (fvecs) or `i32` (ivecs) values, with no file header.
//!
//! Reading checks what a damaged or mismatched file would break later: every record has the
//! same positive count, the file ends on a record boundary, floats are finite and ids are not
//! negative. Each error names the file and the record, so a truncated download is reported
//! as such instead of as a recall of zero.

use anyhow::{bail, Context, Result};
use std::path::Path;

/// A matrix of `rows × dims` values read from a `.fvecs` or `.ivecs` file, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix<T> {
    /// Values per row.
    pub dims: usize,
    /// The rows, back to back.
    pub data: Vec<T>,
}

impl<T> Matrix<T> {
    /// The number of rows.
    pub fn rows(&self) -> usize {
        self.data.len().checked_div(self.dims).unwrap_or(0)
    }

    /// Row `row_idx`.
    pub fn row(&self, row_idx: usize) -> &[T] {
        &self.data[row_idx * self.dims..(row_idx + 1) * self.dims]
    }
}

/// Reads a `.fvecs` file.
pub fn read_fvecs(path: &Path) -> Result<Matrix<f32>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let matrix = parse_records(&bytes, f32::from_le_bytes)
        .with_context(|| format!("{} is not a valid fvecs file", path.display()))?;
    if let Some(position) = matrix.data.iter().position(|value| !value.is_finite()) {
        bail!(
            "{}: record {} holds a non-finite value",
            path.display(),
            position / matrix.dims
        );
    }
    Ok(matrix)
}

/// Reads a `.ivecs` file of non-negative ids.
pub fn read_ivecs(path: &Path) -> Result<Matrix<u32>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let matrix = parse_records(&bytes, i32::from_le_bytes)
        .with_context(|| format!("{} is not a valid ivecs file", path.display()))?;
    let mut data = Vec::with_capacity(matrix.data.len());
    for (position, &value) in matrix.data.iter().enumerate() {
        if value < 0 {
            bail!(
                "{}: record {} holds the negative id {value}",
                path.display(),
                position / matrix.dims
            );
        }
        data.push(value as u32);
    }
    Ok(Matrix {
        dims: matrix.dims,
        data,
    })
}

/// Parses records of 4-byte values, checking counts and the file length.
pub fn parse_records<T>(bytes: &[u8], decode: impl Fn([u8; 4]) -> T) -> Result<Matrix<T>> {
    if bytes.is_empty() {
        bail!("the file is empty");
    }
    if bytes.len() < 4 {
        bail!(
            "the file is {} bytes long, shorter than one count",
            bytes.len()
        );
    }
    let dims = i32::from_le_bytes(word_at(bytes, 0));
    if dims <= 0 || dims > 1 << 20 {
        bail!("record 0 has the count {dims}; a count must be between 1 and 1048576");
    }
    let dims = dims as usize;
    let record_len = 4 + 4 * dims;
    let n_rows = bytes.len() / record_len;
    if n_rows * record_len != bytes.len() {
        bail!(
            "the file is {} bytes long, not a multiple of the record length {record_len} \
             (4 + 4 × {dims}): it is truncated or has mixed counts",
            bytes.len()
        );
    }
    let mut data = Vec::with_capacity(n_rows * dims);
    for (row_idx, record) in bytes.chunks_exact(record_len).enumerate() {
        let count = i32::from_le_bytes(word_at(record, 0));
        if count as i64 != dims as i64 {
            bail!("record {row_idx} has the count {count}, but record 0 has {dims}");
        }
        data.extend(
            record[4..]
                .chunks_exact(4)
                .map(|word| decode(word.try_into().expect("chunks_exact gives 4 bytes"))),
        );
    }
    Ok(Matrix { dims, data })
}

fn word_at(bytes: &[u8], offset: usize) -> [u8; 4] {
    bytes[offset..offset + 4]
        .try_into()
        .expect("caller checked the length")
}

/// Writes rows of `dims` floats as a `.fvecs` file.
pub fn write_fvecs(path: &Path, dims: usize, data: &[f32]) -> Result<()> {
    write_records(path, dims, data.iter().map(|value| value.to_le_bytes()))
}

/// Writes rows of `dims` ids as an `.ivecs` file.
pub fn write_ivecs(path: &Path, dims: usize, data: &[u32]) -> Result<()> {
    write_records(
        path,
        dims,
        data.iter().map(|&value| (value as i32).to_le_bytes()),
    )
}

fn write_records(path: &Path, dims: usize, words: impl Iterator<Item = [u8; 4]>) -> Result<()> {
    let mut bytes = Vec::new();
    for (position, word) in words.enumerate() {
        if position % dims == 0 {
            bytes.extend_from_slice(&(dims as i32).to_le_bytes());
        }
        bytes.extend_from_slice(&word);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    // Write beside the target and rename, so that an interrupted run never leaves a
    // truncated cache file behind.
    let partial = path.with_extension("partial");
    std::fs::write(&partial, &bytes)
        .with_context(|| format!("cannot write {}", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(count: i32, values: &[f32]) -> Vec<u8> {
        let mut bytes = count.to_le_bytes().to_vec();
        for value in values {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
        bytes
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.fvecs");
        write_fvecs(&path, 3, &[1.0, 2.0, 3.0, -4.0, 5.5, 6.0]).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 2 * 16);
        let matrix = read_fvecs(&path).unwrap();
        assert_eq!((matrix.rows(), matrix.dims), (2, 3));
        assert_eq!(matrix.row(1), &[-4.0, 5.5, 6.0]);
        let path = dir.path().join("a.ivecs");
        write_ivecs(&path, 2, &[7, 8, 9, 10]).unwrap();
        assert_eq!(read_ivecs(&path).unwrap().row(1), &[9, 10]);
    }

    #[test]
    fn corrupt_input_is_an_error() {
        let decode = f32::from_le_bytes;
        let error = |bytes: &[u8]| format!("{:#}", parse_records(bytes, decode).unwrap_err());
        assert_eq!(error(&[]), "the file is empty");
        assert!(error(&[1, 0]).contains("shorter than one count"));
        assert!(error(&record(0, &[])).contains("count 0"));
        assert!(error(&record(-3, &[1.0, 2.0, 3.0])).contains("count -3"));
        // A truncated last record.
        let mut bytes = record(2, &[1.0, 2.0]);
        bytes.extend_from_slice(&record(2, &[3.0, 4.0])[..10]);
        assert!(error(&bytes).contains("truncated"), "{}", error(&bytes));
        // Records of different lengths that happen to fill the file evenly.
        let mut bytes = record(3, &[1.0, 2.0, 3.0]);
        bytes.extend_from_slice(&record(1, &[1.0]));
        bytes.extend_from_slice(&record(1, &[2.0]));
        assert!(
            error(&bytes).contains("record 1 has the count 1"),
            "{}",
            error(&bytes)
        );
    }

    #[test]
    fn bad_values_name_the_file_and_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nan.fvecs");
        let mut bytes = record(1, &[1.0]);
        bytes.extend_from_slice(&record(1, &[f32::NAN]));
        std::fs::write(&path, &bytes).unwrap();
        let text = format!("{:#}", read_fvecs(&path).unwrap_err());
        assert!(text.contains("nan.fvecs: record 1"), "{text}");
        let path = dir.path().join("neg.ivecs");
        std::fs::write(&path, [1i32.to_le_bytes(), (-5i32).to_le_bytes()].concat()).unwrap();
        let text = format!("{:#}", read_ivecs(&path).unwrap_err());
        assert!(text.contains("negative id -5"), "{text}");
        let text = format!(
            "{:#}",
            read_fvecs(&dir.path().join("missing.fvecs")).unwrap_err()
        );
        assert!(text.contains("cannot read"), "{text}");
    }
}
