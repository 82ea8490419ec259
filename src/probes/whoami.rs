//! The clock and interception checks, both from what the server saw.

use linktriage_core::check::{ClockOffset, Interception, RAN_OUT_OF_TIME};
use linktriage_core::config::Target;
use linktriage_core::interception::analyse;
use linktriage_core::payload::first_difference;
use linktriage_core::wire::{CHECK_HEADER, COMPACT_QUERY, WhoAmI, from_compact};
use web_sys::RequestMode;

use super::http::{Options, absolute_url, fetch};
use super::timers::{Deadline, wall_clock_ms};

/// Exchanges for the clock; the one with the shortest round trip wins.
const CLOCK_EXCHANGES: u32 = 3;

/// The browser's clock against the server's, NTP-style: the server's time is
/// taken to be the midpoint of the exchange.
pub async fn clock(target: &Target, deadline: Deadline) -> Result<ClockOffset, String> {
    let mut best: Option<ClockOffset> = None;
    let mut last_error = String::from(RAN_OUT_OF_TIME);
    for _ in 0..CLOCK_EXCHANGES {
        let Some(timeout) = deadline.timeout(target.timeout_ms) else {
            break;
        };
        let sent = wall_clock_ms();
        match who_am_i(target, timeout, None).await {
            Ok(who) => {
                let received = wall_clock_ms();
                let offset = ClockOffset {
                    offset_ms: (sent + received) / 2.0 - who.server_time_ms,
                    uncertainty_ms: (received - sent) / 2.0,
                };
                if best.is_none_or(|b| offset.uncertainty_ms < b.uncertainty_ms) {
                    best = Some(offset);
                }
            }
            Err(why) => last_error = why,
        }
    }
    best.ok_or(last_error)
}

/// Sends a check header and fetches the payload; what came back altered.
pub async fn interception(target: &Target, deadline: Deadline) -> Result<Interception, String> {
    let timeout = deadline.timeout(target.timeout_ms).ok_or(RAN_OUT_OF_TIME)?;
    let token = format!("lt-{:016x}", js_sys::Math::random().to_bits());
    let who = who_am_i(target, timeout, Some(&token)).await?;
    let timeout = deadline.timeout(target.timeout_ms).ok_or(RAN_OUT_OF_TIME)?;
    let url = absolute_url(&target.url, "/api/payload");
    let (_, body) = fetch(&url, &Options::get(RequestMode::Cors, timeout))
        .await
        .map_err(|e| format!("the payload could not be fetched ({e})"))?;
    let received = js_sys::Uint8Array::new(&body).to_vec();
    Ok(analyse(&who.headers, &token, first_difference(&received)))
}

async fn who_am_i(target: &Target, timeout_ms: u32, token: Option<&str>) -> Result<WhoAmI, String> {
    let url = absolute_url(&target.url, &format!("/api/whoami?{COMPACT_QUERY}"));
    let mut options = Options::get(RequestMode::Cors, timeout_ms);
    if let Some(token) = token {
        options.headers.push((CHECK_HEADER, token.to_owned()));
    }
    let (_, body) = fetch(&url, &options).await.map_err(|e| e.to_string())?;
    from_compact(&js_sys::Uint8Array::new(&body).to_vec())
        .map_err(|e| format!("the server's answer was not understood ({e})"))
}
