//! The last frame's numbered parts: a report is a list of parts, each a
//! number that is never given to anything else, its length and its body, so
//! that a reader skips a part it does not know and says how many it skipped
//! (protocol buffers' unknown fields, Perfetto's "there will never be a
//! version number"). A part's body is fields one after another (postcard),
//! and only ever grows at its end: a reader takes the fields it knows and
//! leaves a newer release's after them; a field past the end of an older
//! release's body reads as its default ([`Body`]).

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Parts as they are written, one after another.
#[derive(Debug, Default)]
pub struct PartsWriter {
    bytes: Vec<u8>,
}

impl PartsWriter {
    pub fn new() -> PartsWriter {
        PartsWriter::default()
    }

    /// Adds part `number` with `body` as it is.
    pub fn part(&mut self, number: u32, body: &[u8]) {
        push_varint(&mut self.bytes, number);
        // A body is a few kilobytes at most: its length fits a u32.
        push_varint(&mut self.bytes, body.len() as u32);
        self.bytes.extend_from_slice(body);
    }

    /// Adds part `number` whose body is `fields`, one after another.
    pub fn fields(&mut self, number: u32, fields: &impl Serialize) {
        self.part(number, &postcard::to_allocvec(fields).unwrap_or_default());
    }

    pub fn finish(self) -> Vec<u8> {
        self.bytes
    }
}

/// Why a list of parts does not read: a part's number or length runs past
/// the end, or a length claims more than is left. Either is damage, which
/// a checksum refuses first; a reader reports it rather than guess.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CutShort;

/// The parts of `bytes`, in order: each its number and body, or [`CutShort`]
/// (after which there are none).
pub fn parts(bytes: &[u8]) -> Parts<'_> {
    Parts { rest: bytes }
}

/// An iterator over a list of parts ([`parts`]).
#[derive(Debug, Clone)]
pub struct Parts<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Parts<'a> {
    type Item = Result<(u32, &'a [u8]), CutShort>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let read = (|| {
            let (number, rest) = take_varint(self.rest)?;
            let (len, rest) = take_varint(rest)?;
            let len = usize::try_from(len).map_err(|_| CutShort)?;
            let body = rest.get(..len).ok_or(CutShort)?;
            Ok((number, body, &rest[len..]))
        })();
        match read {
            Ok((number, body, rest)) => {
                self.rest = rest;
                Some(Ok((number, body)))
            }
            Err(cut) => {
                self.rest = &[];
                Some(Err(cut))
            }
        }
    }
}

/// A part's body, read field by field by the prefix this release knows.
#[derive(Debug, Clone)]
pub struct Body<'a> {
    rest: &'a [u8],
}

impl<'a> Body<'a> {
    pub fn new(body: &'a [u8]) -> Body<'a> {
        Body { rest: body }
    }

    /// The next field; its default where an older release's body ended
    /// before it. A field that is there but does not read is damage.
    pub fn field<T: DeserializeOwned + Default>(&mut self) -> Result<T, String> {
        if self.rest.is_empty() {
            return Ok(T::default());
        }
        let (value, rest) = postcard::take_from_bytes(self.rest)
            .map_err(|e| format!("a field does not read: {e}"))?;
        self.rest = rest;
        Ok(value)
    }

    /// Whether a newer release wrote fields after those read.
    pub fn has_newer_fields(&self) -> bool {
        !self.rest.is_empty()
    }
}

/// LEB128, as postcard writes its varints.
fn push_varint(out: &mut Vec<u8>, mut value: u32) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn take_varint(bytes: &[u8]) -> Result<(u32, &[u8]), CutShort> {
    let mut value = 0u32;
    for (i, &byte) in bytes.iter().enumerate().take(5) {
        value |= u32::from(byte & 0x7F) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok((value, &bytes[i + 1..]));
        }
    }
    Err(CutShort)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_read_back_in_order_with_their_numbers() {
        let mut writer = PartsWriter::new();
        writer.part(1, b"first");
        writer.part(300, &[]);
        writer.part(2, &[7; 200]);
        let bytes = writer.finish();
        let read: Vec<_> = parts(&bytes).collect::<Result<_, _>>().unwrap();
        assert_eq!(
            read,
            [(1, &b"first"[..]), (300, &[][..]), (2, &[7; 200][..])]
        );
        assert_eq!(parts(&[]).count(), 0);
    }

    #[test]
    fn a_part_cut_short_is_damage_and_ends_the_list() {
        let mut writer = PartsWriter::new();
        writer.part(1, b"whole");
        writer.part(2, b"cut off");
        let bytes = writer.finish();
        for cut in 1..bytes.len() {
            let read: Vec<_> = parts(&bytes[..cut]).collect();
            let last = read.last().unwrap();
            if cut == 7 {
                assert_eq!(read, [Ok((1, &b"whole"[..]))], "cut at the boundary");
            } else {
                assert_eq!(*last, Err(CutShort), "cut at {cut}");
            }
        }
        // A number or length that never ends.
        assert_eq!(parts(&[0xFF; 6]).next(), Some(Err(CutShort)));
    }

    #[test]
    fn a_body_reads_by_the_prefix_its_reader_knows() {
        // Release n wrote two fields; release n + 1 a third after them.
        let older = postcard::to_allocvec(&(7u32, String::from("site"))).unwrap();
        let newer = postcard::to_allocvec(&(7u32, String::from("site"), 99u64)).unwrap();

        // Release n reading release n + 1: the known fields, the new one left.
        let mut body = Body::new(&newer);
        assert_eq!(body.field::<u32>(), Ok(7));
        assert_eq!(body.field::<String>().as_deref(), Ok("site"));
        assert!(body.has_newer_fields());

        // Release n + 1 reading release n: the new field is its default.
        let mut body = Body::new(&older);
        assert_eq!(body.field::<u32>(), Ok(7));
        assert_eq!(body.field::<String>().as_deref(), Ok("site"));
        assert_eq!(body.field::<Option<u64>>(), Ok(None));
        assert!(!body.has_newer_fields());

        // A field that is there but broken is refused, not defaulted.
        let mut body = Body::new(&[0xFF]);
        assert!(body.field::<u32>().is_err());
    }
}
