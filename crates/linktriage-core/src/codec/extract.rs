//! Finding report codes in pasted text: one report or a whole email thread,
//! quoted with `> `, re-wrapped by a mail client, with what ticket systems,
//! word processors and mail gateways put into long lines on the way.
//!
//! What a paste may gain inside a code, and how each is read:
//! - spaces, tabs and line breaks (a mail client wrapping the line), and `>`
//!   quote marks after a break: skipped;
//! - characters nobody sees: zero-width spaces and joiners, the word joiner,
//!   a byte-order mark, soft hyphens, direction marks (ticket systems and
//!   word processors add them as line-break hints): skipped;
//! - spaces that look like spaces (no-break, narrow, thin, figure): skipped;
//! - dashes that look like the code's `-` (a word processor's hyphen,
//!   no-break hyphen, en dash, minus sign): read as `-`;
//! - Unicode's line and paragraph separators: line breaks;
//! - a quoted-printable soft line break (`=` at the end of a line, from a
//!   message's raw source): skipped;
//! - a share link rewritten by a mail gateway (Microsoft 365's Safe Links
//!   puts the whole link, percent-encoded, in another link's query, so the
//!   code follows `%23`, the encoded `#`): read from there.
//!
//! Every code carries a checksum over what it says, so reading a look-alike
//! as the character it stands for cannot make a different report: a change
//! it does not undo is refused as a changed code.

use super::{DecodeError, MARK, MAX_CODES, MAX_PAYLOAD_CHARS, decode};
use crate::report::Report;

/// One code found in pasted text: where it starts (a byte offset into the
/// text) and what it decoded to.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub at: usize,
    /// The code as gathered, with what mail and chat inserted taken out.
    pub code: String,
    pub report: Result<Report, DecodeError>,
}

/// Finds and decodes every code in `text`, at most [`MAX_CODES`]. Linear in
/// the text's length.
pub fn extract(text: &str) -> Vec<Found> {
    // Codes start with ASCII: scanning bytes needs no copy of a large paste.
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i + 3 < bytes.len() && found.len() < MAX_CODES {
        if bytes[i] == MARK.as_bytes()[0] && starts_code(text, i) && stands_apart(text, i) {
            let (code, end) = gather(text, i);
            let report = decode(&code);
            found.push(Found {
                at: i,
                code,
                report,
            });
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    found
}

/// What a character inside a code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Inside {
    /// Part of the code, as this ASCII character.
    Code(u8),
    /// Put there on the way (a space, an invisible character).
    Inserted,
    /// A line break: a mail client wrapped the code.
    LineBreak,
    /// Anything else: the code has ended.
    Other,
}

fn inside(c: char) -> Inside {
    match c {
        'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '_' | '.' => Inside::Code(c as u8),
        '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' => Inside::LineBreak,
        ' ' | '\t' => Inside::Inserted,
        c if is_invisible(c) || is_space_look_alike(c) => Inside::Inserted,
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2212}' | '\u{fe63}'
        | '\u{ff0d}' => Inside::Code(b'-'),
        _ => Inside::Other,
    }
}

/// Characters that show as nothing at all.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'..='\u{200f}' // zero-width space, joiners, direction marks
            | '\u{202a}'..='\u{202e}' // direction embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}' // direction isolates
            | '\u{feff}' // byte-order mark, zero-width no-break space
            | '\u{ad}' // soft hyphen
            | '\u{180e}' // Mongolian vowel separator
    )
}

fn is_space_look_alike(c: char) -> bool {
    matches!(
        c,
        '\u{a0}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
    )
}

/// The character at byte `i` of `text` (a character boundary) and where the
/// next one starts.
fn char_at(text: &str, i: usize) -> Option<(char, usize)> {
    let c = text.get(i..)?.chars().next()?;
    Some((c, i + c.len_utf8()))
}

/// Past any invisible characters from byte `i`.
fn skip_invisible(text: &str, mut i: usize) -> usize {
    while let Some((c, next)) = char_at(text, i) {
        if !is_invisible(c) {
            break;
        }
        i = next;
    }
    i
}

/// `LT`, one to three digits, a dot, from byte `i` (invisible characters
/// between them allowed): where a code may start. The start is otherwise
/// taken whole (a mail client wraps a code at its line width, almost never in
/// its first five characters), so that "LT2 cable" in a message is not read
/// as a damaged report.
fn starts_code(text: &str, i: usize) -> bool {
    let mut at = i;
    for expected in MARK.chars() {
        match char_at(text, at) {
            Some((c, next)) if c == expected => at = skip_invisible(text, next),
            _ => return false,
        }
    }
    let mut digits = 0;
    while let Some((c, next)) = char_at(text, at) {
        if !c.is_ascii_digit() {
            break;
        }
        digits += 1;
        at = skip_invisible(text, next);
    }
    (1..=3).contains(&digits) && char_at(text, at).is_some_and(|(c, _)| c == '.')
}

/// A code stands apart from the text before it: not glued to a word
/// ("BOLT2." is no code), unless that is a percent-encoded `#`, as in a
/// share link a mail gateway rewrote (`%23`, or `%2523` encoded twice).
fn stands_apart(text: &str, i: usize) -> bool {
    let before = text[..i].trim_end_matches(is_invisible);
    let glued = before
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric);
    !glued || before.ends_with("%23") || before.ends_with("%2523")
}

/// Gathers the code that starts at byte `start`, leaving out what was
/// inserted on the way (see the module's documentation). Returns the code
/// and the byte where it ended.
fn gather(text: &str, start: usize) -> (String, usize) {
    let mut code = String::new();
    let mut dots = 0;
    let mut checksum_digits = 0;
    let mut i = start;
    let mut after_break = false;
    while code.len() <= MAX_PAYLOAD_CHARS + 64 {
        let Some((c, next)) = char_at(text, i) else {
            break;
        };
        // A new code on a new line: this one was cut off before it.
        if after_break && i > start && starts_code(text, i) {
            break;
        }
        match inside(c) {
            Inside::LineBreak => after_break = true,
            Inside::Inserted => {}
            Inside::Other if after_break && c == '>' => {}
            // A quoted-printable soft line break.
            Inside::Other if c == '=' && starts_line_break(text, next) => {}
            Inside::Code(b) if dots < 2 => {
                after_break = false;
                if b == b'.' {
                    dots += 1;
                }
                code.push(char::from(b));
            }
            Inside::Code(b) if dots == 2 && b.is_ascii_hexdigit() && checksum_digits < 8 => {
                after_break = false;
                checksum_digits += 1;
                code.push(char::from(b));
                if checksum_digits == 8 {
                    return (code, next);
                }
            }
            Inside::Code(_) | Inside::Other => break,
        }
        i = next;
    }
    (code, i)
}

fn starts_line_break(text: &str, i: usize) -> bool {
    char_at(text, i).is_some_and(|(c, _)| inside(c) == Inside::LineBreak)
}
