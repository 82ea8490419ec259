//! Connections cut while in use: what a series of requests to one host, sent
//! one after another, says about the connections that carried them.
//!
//! A browser keeps a connection open and sends the next request on it. When
//! something on the path (security software, a firewall, a proxy) cuts a
//! kept-alive connection, the browser quietly sends the request again on a
//! new one: the request succeeds, only later, and the page is never told.
//! What the page can see is that an answer came on a new connection when
//! the one before should have carried it. Back to back, a series takes well
//! under a second on a working path, and every server keeps a connection
//! open for seconds at least, so on a healthy path none is cut.
//!
//! The browser retries quietly only on a connection it had kept: a request
//! cut on a connection opened for it fails outright. So after the series the
//! page sends a few requests at once, each needing a connection of its own,
//! and a path that ends connections unanswered shows as requests that failed
//! while the others were answered, even where the host withholds its timing
//! and every answer of the series took the same detour.
//!
//! Pure: the probe records what each answer said of its connection
//! ([`Carried`]); [`count`] turns the series into [`Connections`].

use serde::{Deserialize, Serialize};

use crate::stats::summarize;

/// What one answer of the series said about its connection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Carried {
    /// A Link Triage server's own number for the connection and the
    /// request's number on it (its `Server-Timing: conn`): exact, when the
    /// connection is the browser's. `browser_opened` is what the browser's
    /// own timing said, if it said: a proxy the server could not recognise
    /// opens connections of its own to the server, and then the browser's
    /// timing is what counts (when the two disagree on any answer).
    Numbered {
        connection: u64,
        request: u32,
        browser_opened: Option<bool>,
    },
    /// The browser's timing of the request, where the host allows it
    /// (`Timing-Allow-Origin`): whether a connection was opened for it.
    Timed { opened: bool },
    /// Only how long the request took (a host that withholds timing).
    Took { ms: f64 },
    /// No answer.
    Failed,
}

/// A series' connections: how many carried it and how many of them took
/// over from one that was cut; and of all the requests, the series' and
/// those sent at once, how many were answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connections {
    /// Requests sent: the series, one after another, then those at once.
    pub requests: u32,
    /// Of them, answered.
    pub answered: u32,
    /// Connections the answers came on.
    pub connections: u32,
    /// Of those, opened while the series was under way: each means the
    /// connection before it ended while still in use.
    pub cut: u32,
    /// How the answers' connections were told apart.
    pub seen_by: SeenBy,
}

/// How a new connection was told from a kept one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeenBy {
    /// The server numbered its connections: exact.
    ServerNumbers,
    /// The browser timed each connection's opening: exact.
    BrowserTiming,
    /// Requests that took the extra round trips of opening a connection:
    /// an estimate.
    Durations,
}

/// Durations tell a new connection from a kept one only with this many
/// answers: the typical answer (the median) stands for a kept connection.
pub const MIN_TIMED_ANSWERS: usize = 6;

/// A cut costs the browser a round trip to learn of it and one or two more
/// to open the next connection (TCP, TLS): an answer this many times the
/// typical one took that detour. Jitter alone seldom triples an answer.
pub const NEW_CONNECTION_FACTOR: f64 = 2.5;

/// And at least this much longer (ms): a browser's own delays (its other
/// work, the page's other checks) lengthen a request by a few
/// milliseconds, now and then by ten or more, but seldom by this much.
pub const MIN_DETOUR_MS: f64 = 20.0;

/// A new connection's detour is about two typical answers (each about a
/// round trip): where that is shorter than [`MIN_DETOUR_MS`] (a practice
/// LAN, this computer), durations cannot tell a detour from a delay.
pub const MIN_TYPICAL_MS: f64 = MIN_DETOUR_MS / 2.0;

/// Why durations could not tell: the check says so instead of counting.
pub const CANNOT_TELL: &str = "the host does not share its timing, and its answers are too few or too quick to tell a new connection from a kept one";

/// Why nothing can be said of a series none of whose requests was answered.
pub const NO_ANSWER: &str = "none of its requests was answered";

impl Connections {
    /// Requests that failed outright while others to the same host were
    /// answered: each a connection ended before its answer, where the
    /// browser had no kept connection to retry on.
    pub fn unanswered(&self) -> u32 {
        self.requests.saturating_sub(self.answered)
    }
}

/// The series' connections, or why they cannot be told apart, with the
/// requests sent `at_once` after it, each answered or not (they open
/// connections side by side, so they say nothing of cuts by their timing).
/// The first answer is never counted as cut: nothing in the series came
/// before it (the connection it found may have been closed as idle, as is
/// healthy). Where durations cannot tell kept connections from new ones but
/// some requests went unanswered, those are still counted.
pub fn count(series: &[Carried], at_once: &[bool]) -> Result<Connections, &'static str> {
    // The server saw a new connection where the browser kept one, or the
    // other way round: something between them holds connections of its own.
    let proxied = series.iter().any(|c| match *c {
        Carried::Numbered {
            request,
            browser_opened: Some(opened),
            ..
        } => (request <= 1) != opened,
        _ => false,
    });
    if proxied {
        return count(&browser_timing_of(series)?, at_once);
    }
    let requests = (series.len() + at_once.len()) as u32;
    let answered = series
        .iter()
        .filter(|c| !matches!(c, Carried::Failed))
        .count()
        + at_once.iter().filter(|answered| **answered).count();
    let answered = answered as u32;
    if answered == 0 {
        return Err(NO_ANSWER);
    }
    let opened: Vec<bool> = if series.iter().any(|c| matches!(c, Carried::Took { .. })) {
        match opened_by_duration(series) {
            Ok(opened) => opened,
            Err(_) if answered < requests => Vec::new(),
            Err(why) => return Err(why),
        }
    } else {
        opened_by_report(series)
    };
    let seen_by = match series.iter().find(|c| !matches!(c, Carried::Failed)) {
        Some(Carried::Numbered { .. }) => SeenBy::ServerNumbers,
        Some(Carried::Timed { .. }) => SeenBy::BrowserTiming,
        _ => SeenBy::Durations,
    };
    let cut = opened.iter().skip(1).filter(|o| **o).count() as u32;
    let connections = match seen_by {
        // Distinct numbers: a browser may hold two idle connections and
        // take either, which is no cut.
        SeenBy::ServerNumbers => {
            let ids: Vec<u64> = series
                .iter()
                .filter_map(|c| match c {
                    Carried::Numbered { connection, .. } => Some(*connection),
                    _ => None,
                })
                .collect();
            // A dozen at most: no sort needed (nor its code in the page).
            ids.iter()
                .enumerate()
                .filter(|(i, id)| !ids[..*i].contains(id))
                .count() as u32
        }
        // The first answer's connection, and one for each cut.
        _ => 1 + cut,
    };
    Ok(Connections {
        requests,
        answered,
        connections,
        cut,
        seen_by,
    })
}

/// A series the server numbered, as the browser timed it: the server's
/// numbers were of a proxy's connections.
fn browser_timing_of(series: &[Carried]) -> Result<Vec<Carried>, &'static str> {
    series
        .iter()
        .map(|c| match *c {
            Carried::Numbered {
                browser_opened: Some(opened),
                ..
            } => Ok(Carried::Timed { opened }),
            Carried::Numbered {
                browser_opened: None,
                ..
            } => Err(CANNOT_TELL),
            other => Ok(other),
        })
        .collect()
}

/// For each answer, in order: whether its connection was opened for it, as
/// the server or the browser said.
fn opened_by_report(series: &[Carried]) -> Vec<bool> {
    series
        .iter()
        .filter_map(|c| match c {
            Carried::Numbered { request, .. } => Some(*request <= 1),
            Carried::Timed { opened } => Some(*opened),
            Carried::Took { .. } | Carried::Failed => None,
        })
        .collect()
}

/// For each answer, in order: whether it took a connection's opening
/// longer than the typical answer.
fn opened_by_duration(series: &[Carried]) -> Result<Vec<bool>, &'static str> {
    let took: Vec<f64> = series
        .iter()
        .filter_map(|c| match c {
            Carried::Took { ms } => Some(*ms),
            _ => None,
        })
        .collect();
    let typical = summarize(&took)
        .filter(|_| took.len() >= MIN_TIMED_ANSWERS)
        .map(|s| s.median)
        .filter(|median| *median >= MIN_TYPICAL_MS)
        .ok_or(CANNOT_TELL)?;
    Ok(took
        .iter()
        .map(|ms| *ms >= typical * NEW_CONNECTION_FACTOR && *ms >= typical + MIN_DETOUR_MS)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Carried::{Failed, Numbered, Timed, Took};

    fn on(connection: u64, request: u32) -> Carried {
        Numbered {
            connection,
            request,
            browser_opened: Some(request == 1),
        }
    }

    /// A case's name, what each answer said, and what is expected of it.
    type Case<Expected> = (&'static str, Vec<Carried>, Expected);

    fn counted(series: &[Carried]) -> (u32, u32, u32, u32) {
        let c = count(series, &[]).unwrap();
        (c.requests, c.answered, c.connections, c.cut)
    }

    #[test]
    fn numbered_answers_count_each_connection_that_took_over() {
        // (what each answer said, then requests, answered, connections, cut)
        let cases: Vec<Case<(u32, u32, u32, u32)>> = vec![
            (
                "kept open throughout, on a connection the page opened",
                vec![on(7, 4), on(7, 5), on(7, 6), on(7, 7)],
                (4, 4, 1, 0),
            ),
            (
                "the first request opens one: not a cut",
                vec![on(9, 1), on(9, 2), on(9, 3)],
                (3, 3, 1, 0),
            ),
            (
                "two idle connections taken in turn: no cut",
                vec![on(3, 2), on(4, 2), on(3, 3), on(4, 3)],
                (4, 4, 2, 0),
            ),
            (
                "cut after each answer",
                vec![on(1, 1), on(2, 1), on(3, 1), on(4, 1)],
                (4, 4, 4, 3),
            ),
            (
                "cut one in three",
                vec![on(1, 5), on(1, 6), on(2, 1), on(2, 2), on(3, 1), on(3, 2)],
                (6, 6, 3, 2),
            ),
            (
                "a request that failed outright, then a new connection",
                vec![on(1, 2), Failed, on(2, 1), on(2, 2)],
                (4, 3, 2, 1),
            ),
        ];
        for (name, series, expected) in cases {
            assert_eq!(counted(&series), expected, "{name}");
            assert_eq!(count(&series, &[]).unwrap().seen_by, SeenBy::ServerNumbers);
        }
        assert_eq!(count(&[Failed, Failed], &[]), Err(NO_ANSWER));
    }

    #[test]
    fn behind_a_proxy_the_server_s_numbers_give_way_to_the_browser_s_timing() {
        // A proxy with no connections of its own kept to the server: every
        // request is the first on its connection there, while the browser
        // keeps one connection to the proxy.
        let proxied = |opened| Numbered {
            connection: 1,
            request: 1,
            browser_opened: Some(opened),
        };
        let c = count(
            &[
                proxied(true),
                proxied(false),
                proxied(false),
                proxied(false),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(
            (c.connections, c.cut, c.seen_by),
            (1, 0, SeenBy::BrowserTiming)
        );
        let c = count(
            &[proxied(false), proxied(true), proxied(false), proxied(true)],
            &[],
        )
        .unwrap();
        assert_eq!(
            (c.connections, c.cut, c.seen_by),
            (3, 2, SeenBy::BrowserTiming)
        );
        // A proxy keeping one connection to the server while the browser's
        // connections to it are cut.
        let pooled = |request, opened| Numbered {
            connection: 5,
            request,
            browser_opened: Some(opened),
        };
        let c = count(
            &[
                pooled(8, false),
                pooled(9, true),
                pooled(10, false),
                pooled(11, true),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(
            (c.connections, c.cut, c.seen_by),
            (3, 2, SeenBy::BrowserTiming)
        );
        let untimed = Numbered {
            connection: 2,
            request: 1,
            browser_opened: None,
        };
        assert_eq!(count(&[proxied(false), untimed], &[]), Err(CANNOT_TELL));
    }

    #[test]
    fn timed_answers_count_each_opening_after_the_first() {
        let opened = |o: bool| Timed { opened: o };
        let cases: Vec<Case<(u32, u32, u32, u32)>> = vec![
            (
                "kept open",
                vec![opened(true), opened(false), opened(false)],
                (3, 3, 1, 0),
            ),
            (
                "reused one from before",
                vec![opened(false), opened(false)],
                (2, 2, 1, 0),
            ),
            (
                "cut one in two",
                vec![
                    opened(false),
                    opened(true),
                    opened(false),
                    opened(true),
                    opened(false),
                ],
                (5, 5, 3, 2),
            ),
            ("cut after each answer", vec![opened(true); 8], (8, 8, 8, 7)),
        ];
        for (name, series, expected) in cases {
            assert_eq!(counted(&series), expected, "{name}");
            assert_eq!(count(&series, &[]).unwrap().seen_by, SeenBy::BrowserTiming);
        }
    }

    #[test]
    fn durations_count_answers_that_took_a_new_connection_s_round_trips() {
        let took = |ms: &[f64]| ms.iter().map(|&ms| Took { ms }).collect::<Vec<_>>();
        let cases: Vec<Case<Result<(u32, u32), &str>>> = vec![
            (
                "20 ms each, jitter within half again",
                took(&[20.0, 24.0, 19.0, 29.0, 21.0, 22.0, 20.0, 23.0]),
                Ok((1, 0)),
            ),
            (
                "two answers at four round trips: a cut and a new TLS connection each",
                took(&[20.0, 21.0, 82.0, 20.0, 22.0, 79.0, 21.0, 20.0]),
                Ok((3, 2)),
            ),
            (
                "the first answer opened a connection: not a cut",
                took(&[80.0, 21.0, 20.0, 22.0, 20.0, 21.0]),
                Ok((1, 0)),
            ),
            (
                "too few answers to know what is typical",
                took(&[20.0, 80.0, 20.0, 21.0, 20.0]),
                Err(CANNOT_TELL),
            ),
            (
                "a LAN: connections open faster than answers vary",
                took(&[0.6, 0.5, 2.0, 0.7, 0.5, 0.6, 0.5, 0.6]),
                Err(CANNOT_TELL),
            ),
            (
                "this computer, answers lengthened by the page's own work",
                took(&[4.0, 3.5, 12.0, 4.2, 3.9, 11.0, 4.1, 3.8]),
                Err(CANNOT_TELL),
            ),
            (
                "a near host: three times as long, but too little longer to be a detour",
                took(&[12.0, 12.5, 30.0, 11.8, 12.1, 12.2, 12.4, 12.0]),
                Ok((1, 0)),
            ),
        ];
        for (name, series, expected) in cases {
            let got = count(&series, &[]).map(|c| (c.connections, c.cut));
            assert_eq!(got, expected, "{name}");
        }
        let mut with_failure = took(&[20.0, 21.0, 82.0, 20.0, 22.0, 21.0]);
        with_failure.push(Failed);
        let c = count(&with_failure, &[]).unwrap();
        assert_eq!(
            (c.requests, c.answered, c.cut, c.seen_by),
            (7, 6, 1, SeenBy::Durations)
        );
    }

    #[test]
    fn requests_at_once_show_cuts_that_no_timing_does() {
        // A host that withholds its timing, on this computer (too quick for
        // durations), cutting every second request it receives: each request
        // of the series took the browser's quiet retry, so none stands out.
        let series = vec![Took { ms: 3.0 }; 12];
        assert_eq!(count(&series, &[true; 6]), Err(CANNOT_TELL));
        let at_once = [true, false, true, false, true, false];
        let c = count(&series, &at_once).unwrap();
        assert_eq!(
            (c.requests, c.answered, c.unanswered(), c.cut),
            (18, 15, 3, 0)
        );
        // Told exactly, the two add up: cuts retried and cuts unanswered.
        let timed = [Timed { opened: true }, Timed { opened: true }];
        let c = count(&timed, &[false, true]).unwrap();
        assert_eq!((c.requests, c.cut, c.unanswered()), (4, 1, 1));
        // Nothing answered at all is no series to judge.
        assert_eq!(count(&[Failed], &[false]), Err(NO_ANSWER));
    }
}
