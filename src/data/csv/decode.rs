//! A file's bytes as text: UTF-8 (with or without a byte-order mark) and UTF-16 LE/BE (with
//! a mark, or recognised by its zero bytes), the same in every browser; anything else is
//! refused in words.
//!
//! The page hands the engine the file's bytes rather than the browser's own decoding:
//! `Blob.text()` always reads UTF-8, so a UTF-16 file (what Excel's "Unicode text" and
//! many Windows tools write) arrives as text full of NUL characters or ragged rows,
//! differently in each browser.

use super::MAX_CSV_BYTES;
use crate::{Error, Result};

/// How many leading byte pairs decide whether a file without a mark is UTF-16.
const SNIFF_PAIRS: usize = 256;

/// The text of a file's `bytes`; a byte-order mark is dropped.
///
/// Errors: [`Error::Limit`] above [`MAX_CSV_BYTES`]; [`Error::InvalidData`] for bytes that
/// are neither UTF-8 nor UTF-16, naming the byte offset and what to do.
pub fn decode_text(bytes: &[u8]) -> Result<String> {
    if bytes.len() > MAX_CSV_BYTES {
        return Err(Error::Limit(format!(
            "the file is {:.1} MB; files up to {} MB can be loaded",
            bytes.len() as f64 / (1024.0 * 1024.0),
            MAX_CSV_BYTES / (1024 * 1024)
        )));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        return utf8(rest, 3);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xff, 0xfe]) {
        return utf16(rest, false, 2);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        return utf16(rest, true, 2);
    }
    match sniff_utf16(bytes) {
        Some(big_endian) => utf16(bytes, big_endian, 0),
        None => utf8(bytes, 0),
    }
}

/// UTF-16 without a mark: at least half the pairs at the file's start have a zero byte,
/// nearly all on the same side (a CSV's digits, commas and names are mostly ASCII, one zero byte each).
fn sniff_utf16(bytes: &[u8]) -> Option<bool> {
    if bytes.len() < 2 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let (mut pairs, mut low, mut high) = (0usize, 0usize, 0usize);
    for p in bytes.chunks_exact(2).take(SNIFF_PAIRS) {
        pairs += 1;
        low += usize::from(p[1] == 0);
        high += usize::from(p[0] == 0);
    }
    // Half the pairs at least: a stray NUL in UTF-8 text is not UTF-16.
    if 2 * low >= pairs && low >= 4 * high {
        Some(false)
    } else if 2 * high >= pairs && high >= 4 * low {
        Some(true)
    } else {
        None
    }
}

fn utf8(bytes: &[u8], offset: usize) -> Result<String> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::InvalidData(format!(
            "the file is not UTF-8 or UTF-16 text (byte {} cannot be read); save it as CSV UTF-8",
            offset + e.valid_up_to() + 1
        ))
    })?;
    if let Some(at) = text.bytes().position(|b| b == 0) {
        return Err(Error::InvalidData(format!(
            "the file holds a NUL byte at byte {}, so it is not a text table; save it as CSV UTF-8",
            offset + at + 1
        )));
    }
    Ok(text.to_string())
}

fn utf16(bytes: &[u8], big_endian: bool, offset: usize) -> Result<String> {
    if !bytes.len().is_multiple_of(2) {
        return Err(Error::InvalidData(format!(
            "the file is UTF-16 text with an odd number of bytes ({}); save it again as CSV UTF-8",
            offset + bytes.len()
        )));
    }
    let units = bytes.chunks_exact(2).map(|p| {
        if big_endian {
            u16::from_be_bytes([p[0], p[1]])
        } else {
            u16::from_le_bytes([p[0], p[1]])
        }
    });
    let mut text = String::with_capacity(bytes.len() / 2);
    // Code units read so far, for the offset of a broken one.
    let mut at = 0;
    for ch in char::decode_utf16(units) {
        match ch {
            Ok('\0') | Err(_) => {
                return Err(Error::InvalidData(format!(
                    "the UTF-16 file has a broken character at byte {}; save it again as CSV UTF-8",
                    offset + 2 * at + 1
                )))
            }
            Ok(c) => {
                at += c.len_utf16();
                text.push(c);
            }
        }
    }
    Ok(text)
}
