//! Connections cut while in use: a dozen requests to a target one after
//! another, and what each answer says of the connection it came on; then a
//! few at once, each on a connection of its own, where a cut shows as a
//! failure that the browser cannot quietly retry.

use linktriage_core::check::{CheckKind, Measurement, RAN_OUT_OF_TIME};
use linktriage_core::config::{Target, TargetKind};
use linktriage_core::connections::{Carried, count};
use web_sys::{PerformanceResourceTiming, RequestMode};

use super::http::{
    Options, absolute_url, answered_at_once, fetch, resource_timing_beyond, resource_timings_of,
    server_timing_desc,
};
use super::timers::Deadline;

/// Requests one after another: a fraction of a second on a working path,
/// and enough for a connection cut one request in five to show twice, and
/// for durations to show a pattern where a host withholds its timing.
const REQUESTS: u32 = 12;

/// Requests sent at once after the series, in rounds: each needs a
/// connection (a browser opens up to six to a host and queues the rest), and
/// a cut on a connection opened for its request fails outright. How many
/// fresh connections a round opens depends on the browser's timing: in the
/// lab, against a host closing every second request it received, one round
/// of twelve showed two or more failures in five runs of six; against one
/// closing every third, three rounds showed two at least, no margin. So a
/// single failure, which alone is no pattern, is asked about again: up to
/// three rounds more (BENCHMARKS.md).
const AT_ONCE: usize = 12;
const ROUNDS: usize = 3;
const MORE_ROUNDS: usize = 3;

/// Counts the connections cut under a series of requests to `target`.
pub async fn check(target: &Target, deadline: Deadline) -> Measurement {
    let not_tested = |why: &str| Measurement::not_tested(CheckKind::Connections, why);
    let mode = match target.kind {
        TargetKind::Probe => RequestMode::Cors,
        TargetKind::Reach | TargetKind::Agent => RequestMode::NoCors,
    };
    let mut series = Vec::with_capacity(REQUESTS as usize);
    for n in 0..REQUESTS {
        let Some(timeout) = deadline.timeout(target.timeout_ms) else {
            break;
        };
        let url = match target.kind {
            TargetKind::Probe => absolute_url(&target.url, &format!("/api/ping?connection={n}")),
            TargetKind::Reach | TargetKind::Agent => target.url.clone(),
        };
        series.push(one_request(&url, mode, timeout).await);
    }
    if series.is_empty() {
        return not_tested(RAN_OUT_OF_TIME);
    }
    let url = match target.kind {
        TargetKind::Probe => absolute_url(&target.url, "/api/ping?connection=at-once"),
        TargetKind::Reach | TargetKind::Agent => target.url.clone(),
    };
    let failed_in_series = series.iter().filter(|c| **c == Carried::Failed).count();
    let mut at_once: Vec<bool> = Vec::with_capacity(AT_ONCE * ROUNDS);
    for round in 0..ROUNDS + MORE_ROUNDS {
        let failed = failed_in_series + at_once.iter().filter(|a| !**a).count();
        let Some(timeout) = deadline.timeout(target.timeout_ms) else {
            break;
        };
        if round >= ROUNDS && failed != 1 {
            break;
        }
        at_once.extend(answered_at_once(&url, mode, AT_ONCE, timeout).await);
    }
    match count(&series, &at_once) {
        Ok(counted) => Measurement::Connections(counted),
        Err(why) => not_tested(why),
    }
}

/// One request, and what its answer said of its connection.
async fn one_request(url: &str, mode: RequestMode, timeout_ms: u32) -> Carried {
    let seen = resource_timings_of(url);
    if fetch(url, &Options::get(mode, timeout_ms)).await.is_err() {
        return Carried::Failed;
    }
    match resource_timing_beyond(url, seen).await {
        Some(timing) => carried(&timing),
        // No entry (a browser without Resource Timing): nothing to tell by.
        None => Carried::Failed,
    }
}

/// The server's numbers where it gave them, with the browser's own timing
/// of the connection where the host allows it (`requestStart` reads zero
/// when it does not); else that timing alone; else the duration.
fn carried(timing: &PerformanceResourceTiming) -> Carried {
    // A kept connection's connectStart and connectEnd are one instant.
    let browser_opened =
        (timing.request_start() > 0.0).then(|| timing.connect_end() > timing.connect_start());
    if let Some((connection, request)) = server_timing_desc(timing, "conn")
        .as_deref()
        .and_then(|desc| desc.split_once('.'))
        .and_then(|(c, r)| Some((c.parse().ok()?, r.parse().ok()?)))
    {
        return Carried::Numbered {
            connection,
            request,
            browser_opened,
        };
    }
    match browser_opened {
        Some(opened) => Carried::Timed { opened },
        None => Carried::Took {
            ms: timing.duration(),
        },
    }
}
