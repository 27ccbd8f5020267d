//! The binary `COPY` format: PostgreSQL's `PGCOPY` signature and framing, each value
//! in its type's send format (big-endian numbers, UTF-8 text, pgvector's formats for the
//! vector types).

use super::ColumnType;
use crate::error::{EngineError, Result};
use crate::value::cast::{apply_typmod, CoercionContext};
use crate::value::Datum;

/// The file signature.
pub(super) const SIGNATURE: &[u8] = b"PGCOPY\n\xff\r\n\0";

/// A value in its type's binary send format (`None` for NULL).
pub(super) fn send(datum: &Datum) -> Result<Option<Vec<u8>>> {
    Ok(crate::value::binary::send(datum))
}

/// Reads a value from its binary form, checking the column's modifier.
fn receive(bytes: &[u8], column: &ColumnType) -> Result<Datum> {
    let value = crate::value::binary::recv(&column.0, bytes)?;
    apply_typmod(value, &column.0, column.1, CoercionContext::Assignment)
}

pub(super) fn read_binary(data: &[u8], columns: &[ColumnType]) -> Result<Vec<Vec<Datum>>> {
    let bad = |what: &str| EngineError::new("22P04", format!("invalid COPY file {what}"));
    if !data.starts_with(SIGNATURE) || data.len() < SIGNATURE.len() + 8 {
        return Err(EngineError::new(
            "22P04",
            "COPY file signature not recognized",
        ));
    }
    let mut pos = SIGNATURE.len() + 4;
    let take = |pos: &mut usize, n: usize| -> Result<&[u8]> {
        let end = pos
            .checked_add(n)
            .filter(|e| *e <= data.len())
            .ok_or_else(|| bad("(truncated)"))?;
        let slice = &data[*pos..end];
        *pos = end;
        Ok(slice)
    };
    let extension =
        u32::from_be_bytes(take(&mut pos, 4)?.try_into().map_err(|_| bad("header"))?) as usize;
    take(&mut pos, extension)?;
    let mut rows = Vec::new();
    loop {
        let count = i16::from_be_bytes(take(&mut pos, 2)?.try_into().map_err(|_| bad("header"))?);
        if count == -1 {
            return Ok(rows);
        }
        if count as usize != columns.len() {
            return Err(EngineError::new(
                "22P04",
                format!("row field count is {count}, expected {}", columns.len()),
            ));
        }
        let mut row = Vec::with_capacity(columns.len());
        for column in columns {
            let len = i32::from_be_bytes(take(&mut pos, 4)?.try_into().map_err(|_| bad("header"))?);
            if len < 0 {
                row.push(Datum::Null);
            } else {
                row.push(receive(take(&mut pos, len as usize)?, column)?);
            }
        }
        rows.push(row);
    }
}
