//! Whether any HTTPS host answers, how fast, and how it failed.

use linktriage_core::check::{CheckKind, Measurement, RAN_OUT_OF_TIME, Reach, ReachOutcome};
use linktriage_core::config::Target;
use web_sys::RequestMode;

use super::http::{FetchError, Options, fetch, resource_timing_beyond, resource_timings_of};
use super::timers::{Deadline, monotonic_ms};

/// Asks the host: CORS first, so a host that allows it shows its status (a
/// 503 is a 503), then no-cors, which any host answers opaquely (twice if
/// the first failed outright). A repeat over the open connection separates
/// the cost of opening it.
pub async fn check(target: &Target, deadline: Deadline) -> Measurement {
    let Some(timeout) = deadline.timeout(target.timeout_ms) else {
        return Measurement::not_tested(CheckKind::Reach, RAN_OUT_OF_TIME);
    };
    let first = timed(&target.url, RequestMode::Cors, timeout).await;
    let (status, first_ms) = match first {
        (Ok(()), ms) => (Some(200), ms),
        (Err(FetchError::Status(code)), ms) => (Some(code), ms),
        (Err(FetchError::TimedOut), ms) => return failure(ReachOutcome::TimedOut { after_ms: ms }),
        (Err(unsupported @ FetchError::Unsupported(_)), _) => {
            return Measurement::not_tested(CheckKind::Reach, unsupported.to_string());
        }
        // No CORS, or a network failure: the browser does not say which.
        (Err(FetchError::Network(_)), cors_ms) => {
            let Some(timeout) = deadline.timeout(target.timeout_ms) else {
                return Measurement::not_tested(CheckKind::Reach, RAN_OUT_OF_TIME);
            };
            match no_cors(target, deadline, timeout).await {
                Ok(()) => (None, cors_ms),
                Err(failed) => return failed,
            }
        }
    };
    let repeat_ms = match deadline.timeout(target.timeout_ms) {
        Some(timeout) => match timed(&target.url, RequestMode::NoCors, timeout).await {
            (Ok(()), ms) => Some(ms),
            _ => None,
        },
        None => None,
    };
    Measurement::Reach(Reach {
        outcome: ReachOutcome::Reached { status },
        first_ms: Some(first_ms),
        repeat_ms,
    })
}

/// A no-cors request, asked once more if it failed outright: the browser
/// retries a request quietly only where it had kept the connection, so a
/// host or path that ends connections unanswered (security software cutting
/// them) fails a request on a new one though it answers the next. An
/// answered second try is an answer; the count of cut connections that
/// follows measures the cutting. A second failure is the host's.
async fn no_cors(target: &Target, deadline: Deadline, timeout_ms: u32) -> Result<(), Measurement> {
    const TRIES: u32 = 2;
    let (mut timeout_ms, mut tried) = (timeout_ms, 0);
    loop {
        tried += 1;
        match timed(&target.url, RequestMode::NoCors, timeout_ms).await {
            (Ok(()), _) => return Ok(()),
            (Err(FetchError::TimedOut), ms) => {
                return Err(failure(ReachOutcome::TimedOut { after_ms: ms }));
            }
            (Err(_), ms) => match deadline.timeout(target.timeout_ms) {
                Some(next) if tried < TRIES => timeout_ms = next,
                _ => return Err(failure(ReachOutcome::Failed { after_ms: ms })),
            },
        }
    }
}

/// One request; its duration from Resource Timing where there is an entry
/// (the browser's own figure), else from the page's clock.
async fn timed(url: &str, mode: RequestMode, timeout_ms: u32) -> (Result<(), FetchError>, f64) {
    let seen = resource_timings_of(url);
    let started = monotonic_ms();
    let outcome = fetch(url, &Options::get(mode, timeout_ms)).await.map(drop);
    let elapsed = monotonic_ms() - started;
    let ms = match outcome {
        Ok(()) | Err(FetchError::Status(_)) => resource_timing_beyond(url, seen)
            .await
            .map_or(elapsed, |t| t.duration()),
        Err(_) => elapsed,
    };
    (outcome, ms)
}

fn failure(outcome: ReachOutcome) -> Measurement {
    Measurement::Reach(Reach {
        outcome,
        first_ms: None,
        repeat_ms: None,
    })
}
