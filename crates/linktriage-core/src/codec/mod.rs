//! The report's wire format: one line of compact code inside the pasted text,
//! which the desk view and `linktriage decode` turn back into the full report.
//! This is the only module that knows the format, and every version ever
//! released keeps decoding (golden codes under `tests/golden/` are decoded by
//! the tests forever). Its parts: this file (the code's frame: version tag,
//! compression, checksum), `v1` to `v8` (each version's frozen wire
//! structs), `extract` (finding codes in a paste), `link` (the share link)
//! and `json` (the reports as JSON for tooling, a versioned format of its own);
//! and the last frame's parts, not yet written: `base32` (letters and digits
//! only), `frame` (`LTR`, a length, the payload, a checksum; no version
//! number ever) and `parts` (numbered parts, each body read by the prefix
//! its reader knows).
//!
//! A code reads `LT8.<payload>.<checksum>`:
//! - `LT8` names the version (1: the first release; 2: version 1 followed
//!   by the site details and whether addresses were removed; 3: version 2
//!   followed by the watch so far, if there was one; 4: version 3 followed
//!   by the release of Link Triage that made the report; 5: version 4,
//!   whose results leave out what version 1 cannot carry, followed by those
//!   results, each with its place: the loss check's; 6: version 5, whose
//!   lists leave out what only version 6 carries, followed by those
//!   results, each with its place in the whole list: the count of
//!   connections cut; 7: version 6 followed by each transfer's round trips
//!   under load, with the transfer's place in the whole list; 8: version 7
//!   followed by the watch's packet loss, each probe target's minutes as
//!   runs).
//! - The payload is the report as this version's wire structs (below; frozen,
//!   and apart from the model so the model can change), encoded positionally
//!   with postcard (varints, no field names), raw-deflated, then base64url
//!   without padding: characters that survive URLs, tickets, email and chat.
//! - The checksum is the CRC-32 of the payload text in 8 hex digits, checked
//!   before anything is decoded, so a mangled paste is refused, not misread.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub mod base32;
mod extract;
pub mod frame;
mod json;
mod link;
pub mod parts;
mod v1;
mod v2;
mod v3;
mod v4;
mod v5;
mod v6;
mod v7;
mod v8;

pub use extract::{Found, extract};
pub use json::{JSON_FORMAT, JSON_VERSION, to_json};
pub use link::{DESK_PATH, code_in_link, share_link};

use crate::report::Report;
use crate::watch::WatchSnapshot;

/// What every code starts with, before its version number.
pub const MARK: &str = "LT";
/// The version this build writes.
pub const VERSION: u32 = 8;
/// A payload longer than this is not a report (a typical one is under 1,500).
pub const MAX_PAYLOAD_CHARS: usize = 32 * 1024;
/// Decompressed, a report may not be larger than this (a deflate bomb is refused).
const MAX_INFLATED_BYTES: usize = 256 * 1024;
/// At most this many codes are read from one paste.
pub const MAX_CODES: usize = 1_000;

/// Why a code could not be read. Each says what is wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The code stops before its checksum: cut off when copied.
    Truncated,
    /// The checksum does not match: characters were changed or lost.
    ChecksumMismatch,
    /// Written by a newer (or unknown) version of Link Triage.
    UnknownVersion(String),
    /// The checksum matches but the content is not a report.
    NotAReport(String),
    /// Longer than any report.
    TooLong,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Truncated => f.write_str(
                "the report code is cut off (its end is missing): copy the whole report again",
            ),
            DecodeError::ChecksumMismatch => f.write_str(
                "the report code was changed on the way (its checksum does not match): copy the whole report again",
            ),
            DecodeError::UnknownVersion(v) => write!(
                f,
                "the report code is version {v}, which this version of Link Triage cannot read: update Link Triage"
            ),
            DecodeError::NotAReport(why) => write!(f, "the report code is not a Link Triage report ({why})"),
            DecodeError::TooLong => f.write_str("the report code is far longer than any report: it is not one"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// The code for a report.
pub fn encode(report: &Report) -> String {
    code_of(&wire_bytes(report))
}

/// The code for a report's [`wire_bytes`], deflated at the best level:
/// reports are a few kilobytes, and every byte saved shortens the link and
/// its QR code.
pub fn code_of(wire: &[u8]) -> String {
    finish(&miniz_oxide::deflate::compress_to_vec(wire, 10))
}

/// The report as this version's wire bytes, before compression: what a page
/// sends the report writer, which makes the code with [`code_of`].
pub fn wire_bytes(report: &Report) -> Vec<u8> {
    postcard::to_allocvec(&v8::ReportV8::from(report)).unwrap_or_default()
}

/// [`wire_bytes`] of a report of the checks alone, as the clinician's page
/// makes it: the same bytes, with no watch's encoder compiled into the
/// page's first load (a watch makes its report on the watch page).
pub fn checks_wire_bytes(report: &Report) -> Vec<u8> {
    debug_assert!(report.watch.is_none(), "the checks' report has no watch");
    postcard::to_allocvec(&v8::ReportV8::checks(report)).unwrap_or_default()
}

/// The report [`wire_bytes`] (or [`checks_wire_bytes`]) wrote, or why these
/// bytes are not one: the report writer reads what a page sends it with this.
pub fn from_wire_bytes(bytes: &[u8]) -> Result<Report, String> {
    read_as::<v8::ReportV8>(bytes)
}

/// A watch's folded minutes as bytes, for the browser's record of a running
/// watch (`Watch::earlier`): version 3's wire struct for a watch, as in a
/// report's code, uncompressed.
pub fn watch_bytes(watch: &WatchSnapshot) -> Vec<u8> {
    v3::watch_bytes(watch)
}

/// The watch [`watch_bytes`] wrote, or why these bytes are not one.
pub fn watch_from_bytes(bytes: &[u8]) -> Result<WatchSnapshot, String> {
    v3::watch_from_bytes(bytes)
}

/// `bytes` as a raw deflate stream of stored (uncompressed) blocks: valid
/// for any inflater. Earlier releases made such codes in browsers with no
/// compressor of their own, so they must keep decoding; the tests forge
/// codes with it.
pub fn deflate_stored(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 5 * (bytes.len() / 65_535 + 1));
    let mut blocks = bytes.chunks(65_535).peekable();
    if blocks.peek().is_none() {
        return vec![1, 0, 0, 0xff, 0xff];
    }
    while let Some(block) = blocks.next() {
        let last = u8::from(blocks.peek().is_none());
        let len = block.len() as u16;
        out.push(last);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out
}

/// The code for raw-deflated [`wire_bytes`]. Any raw deflate stream decodes.
pub fn finish(compressed: &[u8]) -> String {
    let payload = URL_SAFE_NO_PAD.encode(compressed);
    format!(
        "{MARK}{VERSION}.{payload}.{:08x}",
        crc32(payload.as_bytes())
    )
}

/// Reads one clean code (as `encode` wrote it).
pub fn decode(code: &str) -> Result<Report, DecodeError> {
    let rest = code
        .trim()
        .strip_prefix(MARK)
        .ok_or_else(|| DecodeError::NotAReport("it does not start with LT".into()))?;
    let (version, rest) = rest.split_once('.').ok_or(DecodeError::Truncated)?;
    let read: fn(&[u8]) -> Result<Report, String> = match version {
        "1" => |bytes| read_as::<v1::ReportV1>(bytes),
        "2" => |bytes| read_as::<v2::ReportV2>(bytes),
        "3" => |bytes| read_as::<v3::ReportV3>(bytes),
        "4" => |bytes| read_as::<v4::ReportV4>(bytes),
        "5" => |bytes| read_as::<v5::ReportV5>(bytes),
        "6" => |bytes| read_as::<v6::ReportV6>(bytes),
        "7" => |bytes| read_as::<v7::ReportV7>(bytes),
        "8" => |bytes| read_as::<v8::ReportV8>(bytes),
        _ if !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()) => {
            return Err(DecodeError::UnknownVersion(version.to_owned()));
        }
        _ => return Err(DecodeError::NotAReport("no version number after LT".into())),
    };
    let (payload, checksum) = rest.rsplit_once('.').ok_or(DecodeError::Truncated)?;
    if payload.len() > MAX_PAYLOAD_CHARS {
        return Err(DecodeError::TooLong);
    }
    if checksum.len() < 8 {
        return Err(DecodeError::Truncated);
    }
    if u32::from_str_radix(checksum, 16).ok() != Some(crc32(payload.as_bytes())) {
        return Err(DecodeError::ChecksumMismatch);
    }
    let compressed = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|e| DecodeError::NotAReport(format!("not base64url: {e}")))?;
    let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(&compressed, MAX_INFLATED_BYTES)
        .map_err(|_| DecodeError::NotAReport("the content does not unpack".into()))?;
    let report = read(&bytes).map_err(DecodeError::NotAReport)?;
    // What every report made by Link Triage has, and what showing one
    // relies on: a verdict with at least one finding.
    if report.verdict.findings.is_empty() {
        return Err(DecodeError::NotAReport("it has no verdict".into()));
    }
    Ok(report)
}

/// Reads a version's wire struct, then the model from it.
fn read_as<Wire>(bytes: &[u8]) -> Result<Report, String>
where
    Wire: serde::de::DeserializeOwned + TryInto<Report, Error = String>,
{
    let (wire, rest): (Wire, _) =
        postcard::take_from_bytes(bytes).map_err(|e| format!("the content does not read: {e}"))?;
    // Each version is the one before it with more after, and the version
    // number is outside the checksum: read to the last byte, a code whose
    // number was damaged to an earlier one is refused, not read short.
    if !rest.is_empty() {
        return Err(format!(
            "the content does not read: {} bytes left over",
            rest.len()
        ));
    }
    wire.try_into()
        .map_err(|e| format!("the content does not read: {e}"))
}

/// CRC-32 (IEEE, the checksum of zip and PNG) of `bytes`. The `crc`
/// crate's bitwise form, with no lookup tables: payloads are at most 32 KB,
/// and a table-driven CRC (crc32fast's is 16 KB of tables) would cost the
/// clinician's first load more than it saves.
pub fn crc32(bytes: &[u8]) -> u32 {
    const CRC32: crc::Crc<u32, crc::NoTable> =
        crc::Crc::<u32, crc::NoTable>::new(&crc::CRC_32_ISO_HDLC);
    CRC32.checksum(bytes)
}
