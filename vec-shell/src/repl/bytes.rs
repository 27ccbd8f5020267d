//! Script input as bytes. psql reads scripts, `COPY` data and command-line arguments as
//! bytes and sends each statement to the server, which rejects one that is not valid
//! UTF-8 with `invalid byte sequence for encoding "UTF8": 0xff` and goes on with the
//! next. The shell does the same: a line is decoded with each byte that is not part of
//! valid UTF-8 kept as a marker character (U+10FF00 plus the byte, in a private-use
//! plane), so statement splitting works on text while the bad bytes stay known, and
//! [`invalid_sequence`] finds them in a complete statement and names them as
//! PostgreSQL's `report_invalid_encoding` does.

/// The first marker: the byte `b` is kept as `char::from_u32(MARKER_BASE + b)`.
const MARKER_BASE: u32 = 0x10_FF00;

use crate::error::EngineError;

/// The UTF-8 byte-order mark, skipped at the start of a script.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes `raw` as UTF-8, keeping each byte of an invalid sequence as a marker.
pub fn decode_lossless(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    loop {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                out.push_str(valid);
                return out;
            }
            Err(error) => {
                let (valid, after) = rest.split_at(error.valid_up_to());
                // The prefix is valid by construction; `unwrap_or_default` never applies.
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let bad = error.error_len().unwrap_or(after.len()).max(1);
                for &byte in &after[..bad] {
                    out.push(marker(byte));
                }
                rest = &after[bad..];
            }
        }
    }
}

fn marker(byte: u8) -> char {
    char::from_u32(MARKER_BASE + u32::from(byte)).unwrap_or(char::REPLACEMENT_CHARACTER)
}

fn marked_byte(c: char) -> Option<u8> {
    let code = u32::from(c);
    (MARKER_BASE..MARKER_BASE + 256)
        .contains(&code)
        .then(|| (code - MARKER_BASE) as u8)
}

/// The bytes `text` was decoded from by [`decode_lossless`].
pub fn original_bytes(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut buf = [0u8; 4];
    for c in text.chars() {
        match marked_byte(c) {
            Some(byte) => out.push(byte),
            None => out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes()),
        }
    }
    out
}

/// If `text` holds bytes that are not valid UTF-8, PostgreSQL's error for them (see
/// [`EngineError::invalid_encoding`]).
pub fn invalid_sequence(text: &str) -> Option<EngineError> {
    // Marks are not ASCII; most statements are all ASCII, which is checked fast.
    if text.is_ascii() || !text.chars().any(|c| marked_byte(c).is_some()) {
        return None;
    }
    let bytes = original_bytes(text);
    match std::str::from_utf8(&bytes) {
        Ok(_) => None,
        Err(error) => Some(EngineError::invalid_encoding(&bytes[error.valid_up_to()..])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_names_bad_bytes() {
        let raw = b"SELECT 'a\xffb', '\xe2\x82(';";
        let text = decode_lossless(raw);
        assert_eq!(original_bytes(&text), raw);
        let message = |text: &str| invalid_sequence(text).map(|e| e.message);
        assert_eq!(
            message(&text).as_deref(),
            Some("invalid byte sequence for encoding \"UTF8\": 0xff")
        );
        let text = decode_lossless(b"SELECT '\xe2\x82(';");
        assert!(message(&text).unwrap().ends_with(": 0xe2 0x82 0x28"));
        assert_eq!(message("SELECT 'é';"), None);
        assert_eq!(decode_lossless("é".as_bytes()), "é");
    }
}
