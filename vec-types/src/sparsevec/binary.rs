//! pgvector's binary format for `sparsevec` (`sparsevec_send` / `sparsevec_recv`), all
//! fields big-endian:
//!
//! | offset         | size      | content                                  |
//! |----------------|-----------|------------------------------------------|
//! | 0              | 4         | dimensions, `int32`                      |
//! | 4              | 4         | `nnz`, number of stored elements, `int32` |
//! | 8              | 4         | unused, always 0, `int32`                |
//! | 12             | 4 × nnz   | 0-based indices, ascending, `int32`      |
//! | 12 + 4 × nnz   | 4 × nnz   | values, `float4`, finite and non-zero    |

use super::{check_dim, check_element, SparseVector, SPARSEVEC_MAX_NNZ};
use crate::typmod::Typmod;
use crate::TypeError;

impl SparseVector {
    /// Appends the value in pgvector's binary format.
    pub fn write_binary(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self.dim as i32).to_be_bytes());
        out.extend_from_slice(&(self.nnz() as i32).to_be_bytes());
        out.extend_from_slice(&0i32.to_be_bytes());
        for index in &self.indices {
            out.extend_from_slice(&(*index as i32).to_be_bytes());
        }
        for value in &self.values {
            out.extend_from_slice(&value.to_bits().to_be_bytes());
        }
    }

    /// The value in pgvector's binary format.
    pub fn to_binary(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(12 + 8 * self.nnz());
        self.write_binary(&mut out);
        out
    }

    /// Reads a value in pgvector's binary format, with the checks of `sparsevec_recv` in
    /// its order (dimensions, element count, type modifier, unused field, each index, each
    /// value). The whole of `bytes` must be consumed (`incorrect binary data format`
    /// otherwise); truncated input is `insufficient data left in message`.
    pub fn from_binary(bytes: &[u8], typmod: Typmod) -> Result<SparseVector, TypeError> {
        let mut reader = Reader { bytes, pos: 0 };
        let dim = reader.read_i32()?;
        let nnz = reader.read_i32()?;
        let unused = reader.read_i32()?;

        check_dim(i64::from(dim))?;
        if nnz < 0 {
            return Err(TypeError::NegativeNonZeroCount);
        }
        if nnz as usize > SPARSEVEC_MAX_NNZ {
            return Err(TypeError::TooManyNonZero {
                max: SPARSEVEC_MAX_NNZ,
            });
        }
        if nnz > dim {
            return Err(TypeError::MoreElementsThanDimensions);
        }
        typmod.check(dim as usize)?;
        if unused != 0 {
            return Err(TypeError::UnusedNotZero { unused });
        }

        let nnz = nnz as usize;
        let mut indices: Vec<u32> = Vec::with_capacity(nnz);
        for _ in 0..nnz {
            let index = reader.read_i32()?;
            if index < 0 || index >= dim {
                return Err(TypeError::SparsevecIndexOutOfBounds);
            }
            if let Some(previous) = indices.last() {
                let index = index as u32;
                if index < *previous {
                    return Err(TypeError::SparsevecIndicesNotAscending);
                }
                if index == *previous {
                    return Err(TypeError::SparsevecDuplicateIndices);
                }
            }
            indices.push(index as u32);
        }
        let mut values = Vec::with_capacity(nnz);
        for _ in 0..nnz {
            let value = f32::from_bits(reader.read_i32()? as u32);
            check_element(value)?;
            if value == 0.0 {
                return Err(TypeError::ZeroInBinarySparsevec);
            }
            values.push(value);
        }
        if reader.pos != bytes.len() {
            return Err(TypeError::IncorrectBinaryFormat);
        }
        Ok(SparseVector {
            dim: dim as u32,
            indices,
            values,
        })
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    /// `pq_getmsgint(buf, 4)`.
    fn read_i32(&mut self) -> Result<i32, TypeError> {
        let field: [u8; 4] = self
            .bytes
            .get(self.pos..self.pos + 4)
            .and_then(|slice| slice.try_into().ok())
            .ok_or(TypeError::InsufficientData)?;
        self.pos += 4;
        Ok(i32::from_be_bytes(field))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(fields: &[i32]) -> Vec<u8> {
        fields
            .iter()
            .flat_map(|field| field.to_be_bytes())
            .collect()
    }

    #[test]
    fn layout() {
        let vector: SparseVector = "{1:1.5,3:-2}/5".parse().unwrap();
        let encoded = vector.to_binary();
        let mut expected = encode(&[5, 2, 0, 0, 2]);
        expected.extend_from_slice(&1.5f32.to_be_bytes());
        expected.extend_from_slice(&(-2f32).to_be_bytes());
        assert_eq!(encoded, expected);
        assert_eq!(
            SparseVector::from_binary(&encoded, Typmod::NONE).unwrap(),
            vector
        );
    }

    #[test]
    fn receive_checks() {
        let err = |fields: &[i32]| {
            SparseVector::from_binary(&encode(fields), Typmod::NONE)
                .unwrap_err()
                .to_string()
        };
        let one = 1f32.to_bits() as i32;
        assert_eq!(err(&[0, 0, 0]), "sparsevec must have at least 1 dimension");
        assert_eq!(
            err(&[3, -1, 0]),
            "sparsevec cannot have negative number of elements"
        );
        assert_eq!(
            err(&[3, 16001, 0]),
            "sparsevec cannot have more than 16000 non-zero elements"
        );
        assert_eq!(
            err(&[3, 4, 0]),
            "sparsevec cannot have more elements than dimensions"
        );
        assert_eq!(err(&[3, 1, 7]), "expected unused to be 0, not 7");
        assert_eq!(err(&[3, 1, 0, 3, one]), "sparsevec index out of bounds");
        assert_eq!(
            err(&[3, 2, 0, 2, 1, one, one]),
            "sparsevec indices must be in ascending order"
        );
        assert_eq!(
            err(&[3, 2, 0, 1, 1, one, one]),
            "sparsevec indices must not contain duplicates"
        );
        assert_eq!(
            err(&[3, 1, 0, 1, 0]),
            "binary representation of sparsevec cannot contain zero values"
        );
        assert_eq!(
            err(&[3, 1, 0, 1, f32::NAN.to_bits() as i32]),
            "NaN not allowed in sparsevec"
        );
        assert_eq!(err(&[3, 1, 0, 1]), "insufficient data left in message");
        assert_eq!(err(&[3, 1, 0, 1, one, 0]), "incorrect binary data format");
        let typed = SparseVector::from_binary(&encode(&[3, 0, 0]), Typmod::new(2));
        assert_eq!(
            typed.unwrap_err().to_string(),
            "expected 2 dimensions, not 3"
        );
    }
}
