//! Reading pgvector's binary (send/recv) format for the dense types: a big-endian
//! header of two unsigned 16-bit fields, the dimension count and a reserved field that
//! must be zero, then one big-endian element per dimension.
//!
//! The checks follow `vector_recv`/`halfvec_recv`: header, dimension limits, type
//! modifier, reserved field, then each element as it is read. Truncated input is
//! PostgreSQL's `insufficient data left in message`; bytes left over are
//! `incorrect binary data format`, as PostgreSQL's callers of a receive function report.

use crate::typmod::Typmod;
use crate::TypeError;

/// A cursor over received bytes, as PostgreSQL's `StringInfo` reading functions use.
pub(crate) struct WireReader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> WireReader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        WireReader { bytes, pos: 0 }
    }

    /// `pq_getmsgint(buf, 2)`: an unsigned big-endian 16-bit integer.
    pub(crate) fn read_u16(&mut self) -> Result<u16, TypeError> {
        let raw = self.take::<2>()?;
        Ok(u16::from_be_bytes(raw))
    }

    /// `pq_getmsgint(buf, 4)`: four big-endian bytes.
    pub(crate) fn read_u32(&mut self) -> Result<u32, TypeError> {
        let raw = self.take::<4>()?;
        Ok(u32::from_be_bytes(raw))
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], TypeError> {
        let end = self.pos.checked_add(N).ok_or(TypeError::InsufficientData)?;
        let chunk = self
            .bytes
            .get(self.pos..end)
            .ok_or(TypeError::InsufficientData)?;
        self.pos = end;
        let mut out = [0u8; N];
        out.copy_from_slice(chunk);
        Ok(out)
    }

    /// The bytes not read yet.
    pub(crate) fn remaining(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or(&[])
    }

    /// Fails unless every byte was read.
    pub(crate) fn finish(self) -> Result<(), TypeError> {
        if self.pos == self.bytes.len() {
            Ok(())
        } else {
            Err(TypeError::IncorrectBinaryFormat)
        }
    }
}

/// Reads the dense header and checks it in `*_recv`'s order; returns the dimension count.
pub(crate) fn read_dense_header(
    reader: &mut WireReader<'_>,
    typmod: Typmod,
    check_dims: fn(usize) -> Result<(), TypeError>,
) -> Result<usize, TypeError> {
    let dims = usize::from(reader.read_u16()?);
    let unused = reader.read_u16()?;
    check_dims(dims)?;
    typmod.check(dims)?;
    if unused != 0 {
        return Err(TypeError::UnusedNotZero {
            unused: i32::from(unused),
        });
    }
    Ok(dims)
}

/// The element bytes of `binary` when it holds, in the dense binary format, a value of
/// `dims` elements of `width` bytes each (and a zero reserved field); `None` otherwise.
pub(crate) fn elements_of_shape(binary: &[u8], dims: usize, width: usize) -> Option<&[u8]> {
    let (header, elements) = binary.split_first_chunk::<4>()?;
    let stored = usize::from(u16::from_be_bytes([header[0], header[1]]));
    let unused = u16::from_be_bytes([header[2], header[3]]);
    (stored == dims && unused == 0 && elements.len() == width * dims).then_some(elements)
}

/// Writes the dense header: dimension count and a zero reserved field.
pub(crate) fn write_dense_header(out: &mut Vec<u8>, dims: usize) {
    // Dimension counts never exceed 16,000, so they fit 16 bits.
    out.extend_from_slice(&(dims as u16).to_be_bytes());
    out.extend_from_slice(&0u16.to_be_bytes());
}
