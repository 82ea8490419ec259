//! `linktriage check-config FILE --try`: each target of a list asked from
//! this machine as a page would ask it, so that the desk hears of a host a
//! browser cannot check (one that refuses cross-origin reads, a vantage
//! server that is not one) before a clinician's page says it is down; and
//! `serve --try-targets`, which asks the same at start and every hour and
//! serves the list with the hosts that refuse reads marked, so that a page
//! says "could not test" of them rather than an outage.
//! What a browser makes of the answer is the core's rule
//! (`Target::refused_read`); this module only asks.

use std::time::Duration;

use futures_util::future::join_all;
use linktriage_core::config::{Config, Target, TargetKind};

use crate::{AppState, health, log};

/// How often `serve --try-targets` asks again: a host's owner may change
/// its headers, either way.
const TRY_AGAIN_EVERY: Duration = Duration::from_secs(60 * 60);

/// The origin the trial's requests name, as a page's would: a host that
/// allows only some origins is not taken to allow every page.
pub const TRIAL_ORIGIN: &str = "https://linktriage.invalid";

/// What the trial found of one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// Answered, and a page can read the answer.
    Readable(String),
    /// A page's check of it would fail whatever the network does.
    Unreadable(String),
    /// Not asked (why), or no answer from here (why): it may answer only
    /// from inside the practice or HSCN.
    NotTried(String),
}

/// Each target's finding, in the list's order, with its place in the
/// list (`target[2] "Supplier API"`).
pub async fn try_targets(config: &Config) -> Vec<(String, Found)> {
    let asked = config.targets.iter().map(try_target);
    let found = join_all(asked).await;
    config
        .targets
        .iter()
        .enumerate()
        .zip(found)
        .map(|((i, t), found)| (format!("target[{i}] {:?}", t.name), found))
        .collect()
}

/// For each target, in the list's order, why a browser cannot read its
/// answers: a reach host that refuses cross-origin reads (whatever else the
/// trial found is for `check-config --try` to say).
pub async fn refused_reads(config: &Config) -> Vec<Option<String>> {
    let tried = try_targets(config).await;
    config
        .targets
        .iter()
        .zip(tried)
        .map(|(target, (_, found))| match (target.kind, found) {
            (TargetKind::Reach, Found::Unreadable(why)) => Some(why),
            _ => None,
        })
        .collect()
}

/// `serve --try-targets`: asks each target now and every hour until the
/// server stops, and serves what it learned (`AppState::learn_refused_reads`).
pub async fn keep_learning(state: AppState) {
    let mut stopping = state.stopping();
    loop {
        let refused = refused_reads(&state.config).await;
        for (target, why) in state.config.targets.iter().zip(&refused) {
            if let Some(why) = why {
                log::warn(
                    "targets",
                    &format!(
                        "{:?} {why}; pages say \"could not test\" of it",
                        target.name
                    ),
                );
            }
        }
        state.learn_refused_reads(&refused);
        tokio::select! {
            () = tokio::time::sleep(TRY_AGAIN_EVERY) => {}
            _ = stopping.wait_for(|stopped| *stopped) => return,
        }
    }
}

async fn try_target(target: &Target) -> Found {
    if !target.url.starts_with("http://") && !target.url.starts_with("https://") {
        return Found::NotTried("this server itself".into());
    }
    let (url, default_path) = match target.kind {
        TargetKind::Agent => return Found::NotTried("a service on each practice computer".into()),
        TargetKind::Reach => (target.url.clone(), "/"),
        TargetKind::Probe => (
            format!("{}/healthz", target.url.trim_end_matches('/')),
            "/healthz",
        ),
    };
    let answer = match health::ask(&url, default_path, &[("Origin", TRIAL_ORIGIN)]).await {
        Ok(answer) => answer,
        Err(why) => {
            return Found::NotTried(format!(
                "no answer from here ({why:#}); it may answer only from inside the practice or HSCN"
            ));
        }
    };
    let (status, headers) = head_of(&answer);
    match target.kind {
        TargetKind::Probe if status == "200" => Found::Readable("a Link Triage server".into()),
        TargetKind::Probe => Found::Unreadable(format!(
            "answered /healthz with HTTP {status}: a probe target must be a Link Triage server (linktriage serve)"
        )),
        _ => match target.refused_read(&headers) {
            Some(why) => Found::Unreadable(why),
            None => Found::Readable(format!("answered HTTP {status}; a page can read it")),
        },
    }
}

/// The status code and the headers of an HTTP/1.1 answer as it came.
fn head_of(answer: &str) -> (String, Vec<(String, String)>) {
    let head = answer.split("\r\n\r\n").next().unwrap_or_default();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .unwrap_or("?")
        .to_owned();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    (status, headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_s_status_and_headers_are_read_as_they_came() {
        let answer = "HTTP/1.1 204 No Content\r\nCross-Origin-Resource-Policy: same-origin\r\nX-A:b:c\r\n\r\nbody: not a header";
        let (status, headers) = head_of(answer);
        assert_eq!(status, "204");
        assert_eq!(
            headers,
            [
                (
                    "Cross-Origin-Resource-Policy".to_owned(),
                    "same-origin".to_owned()
                ),
                ("X-A".to_owned(), "b:c".to_owned()),
            ]
        );
        assert_eq!(head_of("").0, "?");
    }
}
