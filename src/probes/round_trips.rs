//! Timed round trips to a Link Triage server's `/api/ping`.

use linktriage_core::check::RoundTrips;
use linktriage_core::config::Target;
use web_sys::RequestMode;

use super::http::{absolute_url, fetch_body, ping_network_ms, resource_timing};
use super::timers::{Deadline, monotonic_ms};

/// Round trips not counted: the first opens the connection (DNS, TCP, TLS),
/// the second settles it.
const WARM_UP: u32 = 2;

/// Times `target.samples` round trips one after another, after a warm-up.
///
/// Each sample is the network's share of the round trip: Resource Timing's
/// `responseStart - requestStart` less the server's own `Server-Timing`.
/// Timing `await fetch()` instead would add 1.5 to 3.5 ms of the page's own
/// scheduling to every sample.
///
/// Bounded: a server that answers none of the warm-up requests is declared
/// dead at once, and the series stops at the deadline, counting only what it tried.
pub async fn measure(target: &Target, run_id: u32, deadline: Deadline) -> RoundTrips {
    let mut samples = Vec::with_capacity(target.samples as usize);
    let mut failed = 0;
    let mut warm_up_answered = false;
    for n in 0..WARM_UP + target.samples {
        let Some(timeout) = deadline.timeout(target.timeout_ms) else {
            break;
        };
        let url = absolute_url(&target.url, &format!("/api/ping?run={run_id}&n={n}"));
        let sample = one_round_trip(&url, timeout).await;
        if n < WARM_UP {
            warm_up_answered |= sample.is_some();
            // No answer to any warm-up request: nobody is there.
            if n + 1 == WARM_UP && !warm_up_answered {
                return RoundTrips::from_samples(samples, target.samples, target.late_ms);
            }
            continue;
        }
        match sample {
            Some(ms) => samples.push(ms),
            None => failed += 1,
        }
    }
    RoundTrips::from_samples(samples, failed, target.late_ms)
}

/// The network's share of one round trip to a ping `url` (absolute and
/// unique: its timing is looked up by it), or `None` without an answer.
pub async fn one_round_trip(url: &str, timeout_ms: u32) -> Option<f64> {
    let started = monotonic_ms();
    fetch_body(url, RequestMode::Cors, timeout_ms).await.ok()?;
    let elapsed = monotonic_ms() - started;
    let Some(timing) = resource_timing(url).await else {
        return Some(elapsed);
    };
    Some(ping_network_ms(&timing))
}
