//! Download and upload speed against a Link Triage server.
//!
//! Transfers grow until one takes long enough to be worth timing, then a few
//! transfers of a size that takes about half a second each are timed; the
//! figure quoted is a high percentile of those (see `Throughput::mbps`).
//! Round trips to the same server before any transfer and while the timed
//! ones run tell how far the path's queues grow under load (`UnderLoad`,
//! bufferbloat).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use linktriage_core::check::{RAN_OUT_OF_TIME, Throughput, UnderLoad};
use linktriage_core::config::Target;
use linktriage_core::payload::XorShift;
use linktriage_core::plan::SpeedTest;
use linktriage_core::stats::summarize;
use wasm_bindgen_futures::spawn_local;
use web_sys::RequestMode;

use super::http::{FetchError, Options, absolute_url, fetch, resource_timing};
use super::round_trips::one_round_trip;
use super::timers::{Deadline, sleep};

const FIRST_BYTES: u64 = 64 * 1024;
/// The largest transfer of any test: the upload's filler is this long.
const MAX_BYTES: u64 = SpeedTest::Full.largest_transfer_bytes();
/// A single transfer may take this long before it counts as failed.
const TRANSFER_TIMEOUT_MS: u32 = 5_000;
/// A transfer shorter than this is dominated by the round trip and slow start.
const LONG_ENOUGH_MS: f64 = 150.0;
/// What each timed transfer aims for.
const AIM_MS: f64 = 400.0;
const TIMED_TRANSFERS: usize = 3;
/// Round trips before any transfer, for the idle figure.
const IDLE_ROUND_TRIPS: u32 = 5;
/// How often a round trip under load starts: twenty a second, light beside
/// the transfer (each is a few hundred bytes), and enough to grade the
/// fifth of a second the timed transfers last on a gigabit line.
const UNDER_LOAD_EVERY_MS: u32 = 50;
/// Round trips under load in flight at once, at most.
const UNDER_LOAD_MOST_AT_ONCE: u32 = 3;
/// A round trip under load may take this long (a full queue on a slow
/// link can hold a second or more) before it counts as lost.
const UNDER_LOAD_TIMEOUT_MS: u32 = 3_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Down,
    Up,
}

/// Measures one direction against `target`, with transfers no larger than
/// `test` allows (`SpeedTest::largest_transfer_bytes`: on a faster link the
/// transfers are shorter than aimed for, and the figure is a floor).
pub async fn measure(
    target: &Target,
    direction: Direction,
    test: SpeedTest,
    deadline: Deadline,
) -> Throughput {
    let max_bytes = test.largest_transfer_bytes();
    let mut size = FIRST_BYTES;
    let mut result = Throughput {
        samples_mbps: Vec::new(),
        largest_bytes: 0,
        failure: None,
        under_load: None,
    };
    // Before any transfer, while the line is quiet.
    let idle_ms = idle_round_trip_ms(target, deadline).await;
    // Grow until a transfer is long enough to time.
    let ms = loop {
        match transfer(target, direction, size, deadline).await {
            Ok(ms) if ms >= LONG_ENOUGH_MS || size >= max_bytes => break ms,
            Ok(ms) => size = (size * 8).min(grow_towards(size, ms)).min(max_bytes),
            Err(why) => {
                result.failure = Some(why);
                return result;
            }
        }
    };
    let size = grow_towards(size, ms).clamp(size, max_bytes);
    let under_load = RoundTripsUnderLoad::start(target, deadline);
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
    let loaded_ms = under_load.finish().await;
    if result.failure.is_none() {
        result.under_load = idle_ms.map(|idle_ms| UnderLoad { idle_ms, loaded_ms });
    }
    result
}

/// The median of a few round trips one after another.
async fn idle_round_trip_ms(target: &Target, deadline: Deadline) -> Option<f64> {
    let mut samples = Vec::new();
    for _ in 0..IDLE_ROUND_TRIPS {
        let timeout = deadline.timeout(target.timeout_ms)?;
        samples.extend(one_round_trip(&ping_url(&target.url), timeout).await);
    }
    summarize(&samples).map(|s| s.median)
}

/// Round trips started at a steady pace while the transfers run, each on
/// its own: a queue that holds one for a second must not hold back the
/// next one's start, or a deep queue would leave too few to grade.
struct RoundTripsUnderLoad {
    transferring: Rc<Cell<bool>>,
    in_flight: Rc<Cell<u32>>,
    samples: Rc<RefCell<Vec<f64>>>,
}

impl RoundTripsUnderLoad {
    fn start(target: &Target, deadline: Deadline) -> RoundTripsUnderLoad {
        let this = RoundTripsUnderLoad {
            transferring: Rc::new(Cell::new(true)),
            in_flight: Rc::new(Cell::new(0)),
            samples: Rc::default(),
        };
        let (transferring, in_flight, samples) = (
            this.transferring.clone(),
            this.in_flight.clone(),
            this.samples.clone(),
        );
        let base = target.url.clone();
        spawn_local(async move {
            while transferring.get()
                && let Some(timeout) = deadline.timeout(UNDER_LOAD_TIMEOUT_MS)
            {
                // A browser keeps six connections to a host over HTTP/1.1:
                // round trips that took them all would hold back the very
                // transfer they measure.
                if in_flight.get() >= UNDER_LOAD_MOST_AT_ONCE {
                    sleep(UNDER_LOAD_EVERY_MS).await;
                    continue;
                }
                let (url, in_flight, samples) =
                    (ping_url(&base), in_flight.clone(), samples.clone());
                in_flight.set(in_flight.get() + 1);
                spawn_local(async move {
                    let sample = one_round_trip(&url, timeout).await;
                    samples.borrow_mut().extend(sample);
                    in_flight.set(in_flight.get() - 1);
                });
                sleep(UNDER_LOAD_EVERY_MS).await;
            }
        });
        this
    }

    /// Stops starting round trips. The ones under way end within their
    /// timeout, and count: each waited in the queue the load built.
    async fn finish(self) -> Vec<f64> {
        self.transferring.set(false);
        while self.in_flight.get() > 0 {
            sleep(10).await;
        }
        self.samples.take()
    }
}

/// A ping's address on the server at `base`, unique so that its timing is
/// its own.
fn ping_url(base: &str) -> String {
    let nonce = js_sys::Math::random().to_bits();
    absolute_url(base, &format!("/api/ping?load={nonce}"))
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
