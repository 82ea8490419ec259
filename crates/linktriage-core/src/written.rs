//! A report written out for sharing: the text a clinician pastes (ending in
//! its code), the code, the share link and the link's QR code. The pages
//! send a report's wire bytes and the clinician's [`Sharing`] choices to
//! the report writer (a worker of their own, fetched once the verdict is
//! shown, so none of this is on the first load: the site details' tidying
//! and the removal of addresses neither) and show what comes back. Written
//! from the wire bytes of the report as shared, not from the page's report:
//! the text is then exactly what the desk reads back from the code.

use crate::codec::{code_of, from_wire_bytes, share_link, wire_bytes};
use crate::qr::QrCode;
use crate::report::{Sharing, render_pasteable};

/// Everything a page shows of a report to be shared.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// The report as text, its code on the last line.
    pub text: String,
    /// The code alone (`LT4.…`).
    pub code: String,
    /// The desk view's address with the code after `#`.
    pub link: String,
    /// The link as a QR code, or `None` if it is too long for one.
    pub qr: Option<QrDrawing>,
}

/// A QR code as a page draws it: modules on a side (without the quiet
/// zone), and an SVG path of the dark modules, in module units, offset by
/// the quiet zone ([`QrCode::svg_path`]).
#[derive(Debug, Clone, PartialEq)]
pub struct QrDrawing {
    pub modules: usize,
    pub path: String,
}

/// The report in `wire` (this version's wire bytes) as shared with
/// `sharing`, written out with its share link on the desk view served from
/// `origin`; or why `wire` is not a report.
pub fn write_up(wire: &[u8], origin: &str, sharing: &Sharing) -> Result<Written, String> {
    let shared = from_wire_bytes(wire)?.shared(sharing);
    let wire = wire_bytes(&shared);
    // The text from what the code holds, read back, so that the two agree
    // to the last figure.
    let report = from_wire_bytes(&wire)?;
    let code = code_of(&wire);
    let link = share_link(origin, &code);
    let qr = QrCode::encode(link.as_bytes()).map(|qr| QrDrawing {
        modules: qr.size(),
        path: qr.svg_path(),
    });
    Ok(Written {
        text: render_pasteable(&report, &code),
        code,
        link,
        qr,
    })
}
