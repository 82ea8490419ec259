//! Facts about the browser and device that the report carries.

use serde::{Deserialize, Serialize};

use crate::redact::Texts;

/// What the browser says about itself and its device.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviceFacts {
    pub user_agent: String,
    /// `navigator.onLine`: false means the browser knows it has no network.
    pub online: bool,
    /// Network Information API, where the browser has it (Chromium does).
    pub connection: Option<ConnectionInfo>,
    /// IANA time zone, e.g. `Europe/London`.
    pub time_zone: String,
    pub language: String,
    pub cores: Option<u32>,
    /// Cross-origin isolated pages get 5 µs timers rather than 100 µs.
    pub precise_timers: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionInfo {
    /// `slow-2g`, `2g`, `3g` or `4g`: the browser's estimate, not a measurement.
    pub effective_type: Option<String>,
    pub downlink_mbps: Option<f64>,
    pub rtt_ms: Option<f64>,
}

/// The browser's own words hold no address: the user agent holds version
/// numbers that look like addresses (`Chrome/156.0.0.0`), which stay.
impl Texts for DeviceFacts {
    fn each_text(&mut self, _: &mut dyn FnMut(&mut String)) {
        let DeviceFacts {
            user_agent: _,
            online: _,
            connection: _,
            time_zone: _,
            language: _,
            cores: _,
            precise_timers: _,
        } = self;
    }
}

impl DeviceFacts {
    /// "Chrome 156 on Linux" from the user agent, or the user agent itself.
    pub fn browser_and_os(&self) -> String {
        let ua = &self.user_agent;
        let browser = [
            ("Edg/", "Edge"),
            ("Firefox/", "Firefox"),
            ("Chrome/", "Chrome"),
            ("Version/", "Safari"),
        ]
        .iter()
        .find_map(|(marker, name)| {
            let version = ua.split(marker).nth(1)?.split(['.', ' ']).next()?;
            Some(format!("{name} {version}"))
        });
        let os = [
            ("Windows NT 10.0", "Windows 10 or 11"),
            ("Windows", "Windows"),
            ("Mac OS X", "macOS"),
            ("Android", "Android"),
            ("CrOS", "ChromeOS"),
            ("iPhone", "iOS"),
            ("iPad", "iPadOS"),
            ("Linux", "Linux"),
        ]
        .iter()
        .find(|(marker, _)| ua.contains(marker))
        .map(|(_, name)| *name);
        match (browser, os) {
            (Some(browser), Some(os)) => format!("{browser} on {os}"),
            _ => ua.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_user_agents_read_as_browser_and_os() {
        let cases = [
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36",
                "Chrome 156 on Linux",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86",
                "Edge 131 on Windows 10 or 11",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
                "Firefox 133 on Windows 10 or 11",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
                "Safari 18 on macOS",
            ),
            ("curl/8.0", "curl/8.0"),
        ];
        for (ua, expected) in cases {
            let facts = DeviceFacts {
                user_agent: ua.into(),
                ..Default::default()
            };
            assert_eq!(facts.browser_and_os(), expected);
        }
    }
}
