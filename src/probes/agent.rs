//! A service on this computer, such as NHS Credential Management.

use linktriage_core::check::{CheckKind, LocalAgent, Measurement, RAN_OUT_OF_TIME};
use linktriage_core::config::Target;
use web_sys::RequestMode;

use super::http::{FetchError, fetch_body, page_is_on_loopback};
use super::timers::Deadline;

/// Best effort. A page served from elsewhere may be stopped by the browser
/// from reaching this computer's own services (Private Network Access), and
/// that looks exactly like nothing listening: then it "could not test".
pub async fn check(target: &Target, deadline: Deadline) -> Measurement {
    let Some(timeout) = deadline.timeout(target.timeout_ms) else {
        return Measurement::not_tested(CheckKind::LocalAgent, RAN_OUT_OF_TIME);
    };
    match fetch_body(&target.url, RequestMode::NoCors, timeout).await {
        Ok(_) => Measurement::LocalAgent(LocalAgent::Answering),
        Err(FetchError::Network(_) | FetchError::TimedOut) if page_is_on_loopback() => {
            Measurement::LocalAgent(LocalAgent::NotAnswering)
        }
        Err(_) => Measurement::not_tested(
            CheckKind::LocalAgent,
            "no answer, but the browser may block web pages from reaching services on this computer, so it may be running",
        ),
    }
}
