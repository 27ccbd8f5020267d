//! The WAL record frame. The WAL itself does not interpret payloads: it stores a one-byte
//! kind and a two-byte tag for whoever wrote the record (the store's transaction layer, which
//! in turn gives the SQL engine its own kind with a free tag).
//!
//! | offset | size | field                                                       |
//! |-------:|-----:|-------------------------------------------------------------|
//! | 0      | 4    | CRC32C of bytes 4..24+len                                   |
//! | 4      | 4    | payload length `len`                                        |
//! | 8      | 8    | LSN: the record's own position (rejects stale bytes)        |
//! | 16     | 1    | kind (255 = segment switch, 0 = never valid)                |
//! | 17     | 1    | reserved, zero                                              |
//! | 18     | 2    | tag, free for the record's owner                            |
//! | 20     | 4    | reserved, zero                                              |
//! | 24     | len  | payload                                                     |

use crate::Lsn;

/// Size of the record header.
pub const RECORD_HEADER_SIZE: usize = 24;
/// Kind of the record that ends a segment; the next segment starts at its end.
pub const KIND_SWITCH: u8 = 255;

/// A record as read back from the WAL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalRecord {
    /// Position of the record.
    pub lsn: Lsn,
    /// Owner-defined kind (never 0 or 255).
    pub kind: u8,
    /// Owner-defined tag.
    pub tag: u16,
    /// The payload bytes.
    pub payload: Vec<u8>,
}

impl WalRecord {
    /// Position just past this record.
    pub fn end_lsn(&self) -> Lsn {
        Lsn(self.lsn.0 + (RECORD_HEADER_SIZE + self.payload.len()) as u64)
    }
}

/// Appends one framed record to `out`; `lsn` must be its position.
pub(crate) fn encode(out: &mut Vec<u8>, lsn: u64, kind: u8, tag: u16, payload: &[u8]) {
    let start = out.len();
    out.extend_from_slice(&[0u8; 4]);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&lsn.to_le_bytes());
    out.push(kind);
    out.push(0);
    out.extend_from_slice(&tag.to_le_bytes());
    out.extend_from_slice(&[0u8; 4]);
    out.extend_from_slice(payload);
    let crc = crc32c::crc32c(&out[start + 4..]);
    out[start..start + 4].copy_from_slice(&crc.to_le_bytes());
}

/// Decodes the record at `bytes[0..]` expected at position `lsn`; `None` if the bytes are not
/// a complete, valid record for that position (end of log or torn write). Never panics,
/// whatever the bytes (a fuzz target checks it).
pub fn decode(bytes: &[u8], lsn: u64) -> Option<(u8, u16, &[u8])> {
    if bytes.len() < RECORD_HEADER_SIZE {
        return None;
    }
    let stored_crc = u32::from_le_bytes(bytes[0..4].try_into().ok()?);
    let len = u32::from_le_bytes(bytes[4..8].try_into().ok()?) as usize;
    let rec_lsn = u64::from_le_bytes(bytes[8..16].try_into().ok()?);
    let kind = bytes[16];
    if rec_lsn != lsn || kind == 0 || bytes.len() - RECORD_HEADER_SIZE < len {
        return None;
    }
    let end = RECORD_HEADER_SIZE + len;
    if crc32c::crc32c(&bytes[4..end]) != stored_crc {
        return None;
    }
    let tag = u16::from_le_bytes([bytes[18], bytes[19]]);
    Some((kind, tag, &bytes[RECORD_HEADER_SIZE..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejections() {
        let mut buf = Vec::new();
        encode(&mut buf, 100, 7, 9, b"hello");
        assert_eq!(decode(&buf, 100), Some((7, 9, &b"hello"[..])));
        assert_eq!(decode(&buf, 101), None, "stale position");
        assert_eq!(decode(&buf[..buf.len() - 1], 100), None, "torn");
        let mut flipped = buf.clone();
        flipped[26] ^= 1;
        assert_eq!(decode(&flipped, 100), None, "bad crc");
    }
}
