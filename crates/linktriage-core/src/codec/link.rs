//! The share link: the desk view's address with a report's code in the URL
//! fragment (after `#`), which browsers never send to a server. One function
//! writes it and one reads it; the clinician's page, the desk view and the
//! server's routes all take the desk's path from here.

use super::MARK;

/// Where the desk view is served, beside the clinician's page.
pub const DESK_PATH: &str = "/desk/";

/// The link that opens `code` in the desk view served from `origin`
/// (`https://host:port`, no trailing slash).
pub fn share_link(origin: &str, code: &str) -> String {
    format!("{origin}{DESK_PATH}#{code}")
}

/// The code a share link carries: whatever follows its `#`, if that is a
/// code. Takes a whole link or the fragment alone (`location.hash`).
pub fn code_in_link(link: &str) -> Option<&str> {
    let (_, fragment) = link.rsplit_once('#')?;
    fragment.starts_with(MARK).then_some(fragment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_link_reads_back_to_its_code() {
        let code = "LT2.abc-_9.0123abcd";
        let link = share_link("https://triage.example:8443", code);
        assert_eq!(
            link,
            "https://triage.example:8443/desk/#LT2.abc-_9.0123abcd"
        );
        assert_eq!(code_in_link(&link), Some(code));
        let fragment = &link[link.find('#').unwrap_or_default()..];
        assert_eq!(code_in_link(fragment), Some(code));
    }

    #[test]
    fn a_link_without_a_code_has_none() {
        for link in [
            "https://h/desk/",
            "https://h/desk/#",
            "#report-2",
            "",
            "#lt2.x.y",
        ] {
            assert_eq!(code_in_link(link), None, "{link:?}");
        }
    }
}
