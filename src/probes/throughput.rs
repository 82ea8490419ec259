//! Download and upload speed against a Link Triage server.
//!
//! Transfers grow until one takes long enough to be worth timing, then a few
//! transfers of a size that takes about half a second each are timed; the
//! figure quoted is a high percentile of those (see `Throughput::mbps`).

use linktriage_core::check::{RAN_OUT_OF_TIME, Throughput};
use linktriage_core::config::Target;
use linktriage_core::payload::XorShift;
use web_sys::RequestMode;

use super::http::{FetchError, Options, absolute_url, fetch, resource_timing};
use super::timers::Deadline;

const FIRST_BYTES: u64 = 64 * 1024;
/// 0.67 s at 100 Mbit/s, more than `AIM_MS`. On faster links the transfers
/// are shorter than aimed for, and the figure says "at least this fast";
/// bigger bodies cost the browser more time copying than they teach.
const MAX_BYTES: u64 = 8 * 1024 * 1024;
/// A single transfer may take this long before it counts as failed.
const TRANSFER_TIMEOUT_MS: u32 = 5_000;
/// A transfer shorter than this is dominated by the round trip and slow start.
const LONG_ENOUGH_MS: f64 = 150.0;
/// What each timed transfer aims for.
const AIM_MS: f64 = 400.0;
const TIMED_TRANSFERS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Down,
    Up,
}

pub async fn measure(target: &Target, direction: Direction, deadline: Deadline) -> Throughput {
    let mut size = FIRST_BYTES;
    let mut result = Throughput {
        samples_mbps: Vec::new(),
        largest_bytes: 0,
        failure: None,
    };
    // Grow until a transfer is long enough to time.
    let ms = loop {
        match transfer(target, direction, size, deadline).await {
            Ok(ms) if ms >= LONG_ENOUGH_MS || size >= MAX_BYTES => break ms,
            Ok(ms) => size = (size * 8).min(grow_towards(size, ms)).min(MAX_BYTES),
            Err(why) => {
                result.failure = Some(why);
                return result;
            }
        }
    };
    let size = grow_towards(size, ms).clamp(size, MAX_BYTES);
    for _ in 0..TIMED_TRANSFERS {
        match transfer(target, direction, size, deadline).await {
            Ok(ms) => {
                result.samples_mbps.push(size as f64 * 8.0 / ms / 1000.0);
                result.largest_bytes = size;
            }
            Err(why) => {
                if result.samples_mbps.is_empty() {
                    result.failure = Some(why);
                }
                break;
            }
        }
    }
    result
}

/// `len` incompressible bytes for an upload, cut from one buffer generated
/// once per page rather than once per transfer.
fn filler(len: usize) -> js_sys::Uint8Array {
    thread_local! {
        static FILLER: js_sys::Uint8Array = {
            let mut bytes = vec![0u8; MAX_BYTES as usize];
            XorShift::new(js_sys::Math::random().to_bits()).fill(&mut bytes);
            js_sys::Uint8Array::from(&bytes[..])
        };
    }
    FILLER.with(|all| all.slice(0, len.min(MAX_BYTES as usize) as u32))
}

/// The size that would take `AIM_MS` at the rate just seen.
fn grow_towards(size: u64, ms: f64) -> u64 {
    (size as f64 * AIM_MS / ms.max(1.0)) as u64
}

/// One transfer of `bytes`; the milliseconds the bytes themselves took.
async fn transfer(
    target: &Target,
    direction: Direction,
    bytes: u64,
    deadline: Deadline,
) -> Result<f64, String> {
    let timeout = deadline
        .timeout(TRANSFER_TIMEOUT_MS)
        .ok_or_else(|| RAN_OUT_OF_TIME.to_owned())?;
    let nonce = js_sys::Math::random().to_bits();
    let (url, options) = match direction {
        Direction::Down => (
            absolute_url(
                &target.url,
                &format!("/api/download?bytes={bytes}&n={nonce}"),
            ),
            Options::get(RequestMode::Cors, timeout),
        ),
        Direction::Up => {
            let options = Options {
                method: "POST",
                body: Some(filler(bytes as usize)),
                headers: vec![("content-type", "application/octet-stream".to_owned())],
                ..Options::get(RequestMode::Cors, timeout)
            };
            (
                absolute_url(&target.url, &format!("/api/upload?n={nonce}")),
                options,
            )
        }
    };
    match fetch(&url, &options).await {
        Ok(_) => {}
        Err(FetchError::TimedOut) => {
            return Err(format!(
                "a transfer of {bytes} bytes took longer than {timeout} ms"
            ));
        }
        Err(e) => return Err(e.to_string()),
    }
    let timing = resource_timing(&url)
        .await
        .ok_or_else(|| "the browser did not time the transfer".to_owned())?;
    // Downloads: the body's arrival. Uploads: from sending the request to the
    // first byte of the answer, which the server sends once it has it all.
    let ms = match direction {
        Direction::Down => timing.response_end() - timing.response_start(),
        Direction::Up => timing.response_start() - timing.request_start(),
    };
    if ms > 0.0 {
        Ok(ms)
    } else {
        Err("the server did not allow the browser to time the transfer".to_owned())
    }
}
