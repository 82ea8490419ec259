//! Connections cut while in use: a dozen requests to a target one after
//! another, and what each answer says of the connection it came on.

use linktriage_core::check::{CheckKind, Measurement, RAN_OUT_OF_TIME};
use linktriage_core::config::{Target, TargetKind};
use linktriage_core::connections::{Carried, count};
use web_sys::{PerformanceResourceTiming, RequestMode};

use super::http::{
    Options, absolute_url, fetch, resource_timing_beyond, resource_timings_of, server_timing_desc,
};
use super::timers::Deadline;

/// Requests one after another: a fraction of a second on a working path,
/// and enough for a connection cut one request in five to show twice, and
/// for durations to show a pattern where a host withholds its timing.
const REQUESTS: u32 = 12;

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
    match count(&series) {
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
