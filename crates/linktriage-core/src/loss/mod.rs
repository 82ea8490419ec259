//! True packet loss, split by direction: the messages of a loss check on an
//! unordered data channel with no retransmission, the server's echo of each
//! (with its own count of what reached it), and the accounting of what was
//! lost on the way out, lost on the way back, late, reordered or duplicated.
//!
//! Both ends are here, as pure code: the server's side ([`Echoer`]) answers
//! each message with bytes, and the page's side ([`Tally`] for a check,
//! [`Minutes`] for a watch) adds up what came back. The wire is a few fixed
//! little-endian fields (no serde): the server reads a message's first byte
//! and sequence numbers and nothing else.

use serde::{Deserialize, Serialize};

use crate::stats::{Summary, summarize};

mod minutes;

pub use minutes::{ASK_EVERY_MS, COUNT_FOR_MS, Minute, Minutes, SETTLE_MS};

/// A probe, browser to server: kind, sequence number, the browser's send
/// time, then any padding.
const PROBE: u8 = 1;
/// The echo of a probe, server to browser: the probe's first 13 bytes, then
/// how many probes of this session had reached the server by then (first
/// copies only) and the server's receive time in milliseconds since the
/// session began.
const ECHO: u8 = 2;
/// Asked at the end, and answered with the server's final counts: sent on
/// the same lossy channel, again until answered.
const COUNT: u8 = 3;
/// The answer to [`COUNT`]: first copies received, then duplicates.
const COUNTED: u8 = 4;
/// Asked for each minute of a watch: how many of the probes numbered from
/// the first number to before the second reached the server. Unlike
/// [`COUNT`], the answer stays the same however late it is asked (stragglers
/// aside), so a watch asks again each second until one comes back while
/// probes of the next minute are already on their way.
const COUNT_RANGE: u8 = 5;
/// The answer to [`COUNT_RANGE`]: the range, then the first copies in it
/// that reached the server, or [`FORGOTTEN`].
const RANGE_COUNTED: u8 = 6;
/// Said of a range the server no longer remembers (older than its window).
const FORGOTTEN: u32 = u32::MAX;

/// The shortest probe: kind, sequence number, send time.
pub const PROBE_BYTES: usize = 13;
/// The longest message either side sends or reads: one that fits a single
/// UDP datagram on any path (SCTP and DTLS take their share of 1,200).
pub const MAX_MESSAGE_BYTES: usize = 1_024;
/// How far back the server remembers which probes it has seen, to tell a
/// duplicate from a first copy: older ones are counted as first copies.
const SEEN_WINDOW: u32 = 4_096;

/// A probe message of `size` bytes (at least [`PROBE_BYTES`]).
pub fn probe(seq: u32, sent_at_ms: f64, size: usize) -> Vec<u8> {
    let mut message = vec![0; size.clamp(PROBE_BYTES, MAX_MESSAGE_BYTES)];
    message[0] = PROBE;
    message[1..5].copy_from_slice(&seq.to_le_bytes());
    message[5..13].copy_from_slice(&sent_at_ms.to_le_bytes());
    message
}

/// The message asking for the server's final counts.
pub fn count_request() -> Vec<u8> {
    vec![COUNT]
}

/// The message asking how many of the probes numbered `from` to before `to`
/// reached the server.
pub fn range_request(from: u32, to: u32) -> Vec<u8> {
    let mut message = vec![COUNT_RANGE];
    message.extend_from_slice(&from.to_le_bytes());
    message.extend_from_slice(&to.to_le_bytes());
    message
}

/// What the server sent back, as the page reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Answer {
    Echo {
        seq: u32,
        sent_at_ms: f64,
        /// First copies of probes the server had received when it echoed this.
        reached_so_far: u32,
        server_ms: f64,
    },
    Counted {
        reached: u32,
        duplicates: u32,
    },
    RangeCounted {
        from: u32,
        to: u32,
        /// `None` when the server no longer remembers the range.
        reached: Option<u32>,
    },
}

/// Reads a message from the server; `None` if it is not one.
pub fn read_answer(message: &[u8]) -> Option<Answer> {
    let u32_at = |at: usize| {
        Some(u32::from_le_bytes(
            message.get(at..at + 4)?.try_into().ok()?,
        ))
    };
    let f64_at = |at: usize| {
        Some(f64::from_le_bytes(
            message.get(at..at + 8)?.try_into().ok()?,
        ))
    };
    match *message.first()? {
        ECHO => Some(Answer::Echo {
            seq: u32_at(1)?,
            sent_at_ms: f64_at(5)?,
            reached_so_far: u32_at(13)?,
            server_ms: f64_at(17)?,
        }),
        COUNTED => Some(Answer::Counted {
            reached: u32_at(1)?,
            duplicates: u32_at(5)?,
        }),
        RANGE_COUNTED => Some(Answer::RangeCounted {
            from: u32_at(1)?,
            to: u32_at(5)?,
            reached: Some(u32_at(9)?).filter(|&r| r != FORGOTTEN),
        }),
        _ => None,
    }
}

/// The server's side of one session: echoes probes and counts them. Holds
/// nothing beyond the session.
#[derive(Debug, Default)]
pub struct Echoer {
    reached: u32,
    duplicates: u32,
    /// The highest sequence number seen, and which of the [`SEEN_WINDOW`]
    /// below it were seen (bit `i` of word `i / 64`, by `seq % SEEN_WINDOW`).
    highest: Option<u32>,
    seen: Vec<u64>,
}

impl Echoer {
    /// The answer to `message`, received `now_ms` after the session began;
    /// `None` for anything that is not a probe or a request for the counts.
    pub fn answer(&mut self, message: &[u8], now_ms: f64) -> Option<Vec<u8>> {
        if message.len() > MAX_MESSAGE_BYTES {
            return None;
        }
        match *message.first()? {
            PROBE if message.len() >= PROBE_BYTES => {
                let seq = u32::from_le_bytes(message[1..5].try_into().ok()?);
                if self.first_copy(seq) {
                    self.reached += 1;
                } else {
                    self.duplicates += 1;
                }
                let mut echo = Vec::with_capacity(25);
                echo.push(ECHO);
                echo.extend_from_slice(&message[1..PROBE_BYTES]);
                echo.extend_from_slice(&self.reached.to_le_bytes());
                echo.extend_from_slice(&now_ms.to_le_bytes());
                Some(echo)
            }
            COUNT => {
                let mut counted = vec![COUNTED];
                counted.extend_from_slice(&self.reached.to_le_bytes());
                counted.extend_from_slice(&self.duplicates.to_le_bytes());
                Some(counted)
            }
            COUNT_RANGE if message.len() >= 9 => {
                let range = &message[1..9];
                let from = u32::from_le_bytes(range[..4].try_into().ok()?);
                let to = u32::from_le_bytes(range[4..].try_into().ok()?);
                let mut counted = vec![RANGE_COUNTED];
                counted.extend_from_slice(range);
                let reached = self.reached_in(from, to).unwrap_or(FORGOTTEN);
                counted.extend_from_slice(&reached.to_le_bytes());
                Some(counted)
            }
            _ => None,
        }
    }

    /// How many of the probes numbered `from` to before `to` reached the
    /// server, first copies only; `None` for a range that reaches below the
    /// window of numbers it remembers, or runs backwards.
    fn reached_in(&self, from: u32, to: u32) -> Option<u32> {
        if to < from {
            return None;
        }
        let Some(highest) = self.highest else {
            return Some(0);
        };
        // Numbers above the highest have not arrived: their slots still
        // hold numbers a window older.
        let end = to.min(highest.saturating_add(1));
        if from >= end {
            return Some(0);
        }
        if highest - from >= SEEN_WINDOW {
            return None;
        }
        Some(
            (from..end)
                .filter(|&seq| self.seen[slot(seq)] & bit(seq) != 0)
                .count() as u32,
        )
    }

    /// Whether `seq` is seen for the first time (as far as the window tells).
    fn first_copy(&mut self, seq: u32) -> bool {
        if self.seen.is_empty() {
            self.seen = vec![0; (SEEN_WINDOW / 64) as usize];
        }
        match self.highest {
            Some(highest) if seq <= highest => {
                if highest - seq >= SEEN_WINDOW {
                    return true;
                }
                let fresh = self.seen[slot(seq)] & bit(seq) == 0;
                self.seen[slot(seq)] |= bit(seq);
                fresh
            }
            highest => {
                // Forget the numbers that fall out of the window.
                let from = highest.map_or(seq, |h| h + 1);
                if seq - from < SEEN_WINDOW {
                    for gone in from..seq {
                        self.seen[slot(gone)] &= !bit(gone);
                    }
                } else {
                    self.seen.fill(0);
                }
                self.seen[slot(seq)] |= bit(seq);
                self.highest = Some(seq);
                true
            }
        }
    }
}

/// Where `seq` is remembered in [`Echoer`]'s window: the word, and the bit.
fn slot(seq: u32) -> usize {
    ((seq % SEEN_WINDOW) / 64) as usize
}
fn bit(seq: u32) -> u64 {
    1u64 << (seq % 64)
}

/// The page's side: what was sent, what came back, and when.
#[derive(Debug, Clone)]
pub struct Tally {
    /// An echo later than this after its probe was sent is late, not lost.
    late_ms: f64,
    /// Send time of each probe, by sequence number.
    sent_at_ms: Vec<f64>,
    /// When each probe's first echo came back, by sequence number.
    back_at_ms: Vec<Option<f64>>,
    /// Round trips of echoes in time, in the order they arrived.
    round_trips_ms: Vec<f64>,
    highest_back: Option<u32>,
    reordered: u32,
    duplicated_back: u32,
    /// The most the server said had reached it, from any answer.
    reached_at_least: u32,
    counted: Option<(u32, u32)>,
}

impl Tally {
    pub fn new(late_ms: u32) -> Tally {
        Tally {
            late_ms: f64::from(late_ms),
            sent_at_ms: Vec::new(),
            back_at_ms: Vec::new(),
            round_trips_ms: Vec::new(),
            highest_back: None,
            reordered: 0,
            duplicated_back: 0,
            reached_at_least: 0,
            counted: None,
        }
    }

    /// The next probe, sent `now_ms`, as bytes of `size`.
    pub fn next_probe(&mut self, now_ms: f64, size: usize) -> Vec<u8> {
        let seq = self.sent_at_ms.len() as u32;
        self.sent_at_ms.push(now_ms);
        self.back_at_ms.push(None);
        probe(seq, now_ms, size)
    }

    /// How many probes were sent.
    pub fn sent(&self) -> u32 {
        self.sent_at_ms.len() as u32
    }

    /// Whether the server's final counts have come back.
    pub fn counted(&self) -> bool {
        self.counted.is_some()
    }

    /// Takes in a message from the server, received `now_ms`.
    pub fn receive(&mut self, message: &[u8], now_ms: f64) {
        match read_answer(message) {
            Some(Answer::Echo {
                seq,
                reached_so_far,
                ..
            }) => {
                self.reached_at_least = self.reached_at_least.max(reached_so_far);
                let Some(&sent) = self.sent_at_ms.get(seq as usize) else {
                    return;
                };
                let slot = &mut self.back_at_ms[seq as usize];
                if slot.is_some() {
                    self.duplicated_back += 1;
                    return;
                }
                *slot = Some(now_ms);
                match self.highest_back {
                    Some(highest) if seq < highest => self.reordered += 1,
                    _ => self.highest_back = Some(seq),
                }
                let round_trip = now_ms - sent;
                if round_trip <= self.late_ms {
                    self.round_trips_ms.push(round_trip);
                }
            }
            Some(Answer::Counted {
                reached,
                duplicates,
            }) => {
                self.reached_at_least = self.reached_at_least.max(reached);
                self.counted = Some((reached, duplicates));
            }
            Some(Answer::RangeCounted { .. }) | None => {}
        }
    }

    /// What the check found.
    pub fn result(&self) -> Loss {
        let sent = self.sent();
        let back = self.back_at_ms.iter().filter(|b| b.is_some()).count() as u32;
        let late = self
            .back_at_ms
            .iter()
            .zip(&self.sent_at_ms)
            .filter(|(back, sent)| back.is_some_and(|b| b - *sent > self.late_ms))
            .count() as u32;
        // Never fewer than came back, nor more than were sent: a server's
        // count of a session it lost track of says nothing.
        let reached = self.reached_at_least.clamp(back, sent);
        let (duplicated_out, counted) = match self.counted {
            Some((_, duplicates)) => (duplicates, true),
            None => (0, false),
        };
        Loss {
            sent,
            reached_server: reached,
            server_counted: counted,
            came_back: back,
            late,
            late_ms: self.late_ms as u32,
            reordered: self.reordered,
            duplicated: duplicated_out + self.duplicated_back,
            round_trip: summarize(&self.round_trips_ms),
        }
    }
}

/// What a loss check found: counts behind every figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Loss {
    pub sent: u32,
    /// First copies of probes that reached the server.
    pub reached_server: u32,
    /// Whether the server's final count came back; if not, `reached_server`
    /// is the most any echo said, and some of the loss back may have been
    /// loss out.
    pub server_counted: bool,
    /// First copies of echoes that came back, late ones included.
    pub came_back: u32,
    /// Echoes that came back later than `late_ms` after their probe.
    pub late: u32,
    pub late_ms: u32,
    /// Echoes that came back after one of a later probe.
    pub reordered: u32,
    /// Extra copies, either way.
    pub duplicated: u32,
    /// Round trips of the echoes in time (milliseconds).
    pub round_trip: Option<Summary>,
}

impl Loss {
    /// Probes lost on the way to the server.
    pub fn lost_out(&self) -> u32 {
        self.sent - self.reached_server
    }

    /// Echoes lost on the way back.
    pub fn lost_back(&self) -> u32 {
        self.reached_server - self.came_back
    }

    /// Share of probes lost on the way out (0 to 1).
    pub fn out_share(&self) -> f64 {
        share(self.lost_out(), self.sent)
    }

    /// Share of echoes lost on the way back (0 to 1), of those the server sent.
    pub fn back_share(&self) -> f64 {
        share(self.lost_back(), self.reached_server)
    }
}

/// `part` of `whole` (0 to 1), or 0 of nothing.
pub(crate) fn share(part: u32, whole: u32) -> f64 {
    if whole == 0 {
        0.0
    } else {
        f64::from(part) / f64::from(whole)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path that carries messages between a [`Tally`] and an [`Echoer`]:
    /// `out` and `back` say, for each message by its number on that leg,
    /// what happens to it.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Fate {
        Arrives,
        Lost,
        Twice,
        /// Held back until the next message on that leg has arrived.
        Overtaken,
        /// Arrives this many milliseconds late.
        Delayed(f64),
    }

    struct Path {
        out: fn(u32) -> Fate,
        back: fn(u32) -> Fate,
    }

    /// Sends `n` probes 20 ms apart over `path` (each leg 10 ms), then asks
    /// for the counts until they come back; returns what the page found.
    fn run(n: u32, path: Path) -> Loss {
        let mut tally = Tally::new(1_000);
        let mut server = Echoer::default();
        // (arrival time, message) for each leg.
        let mut to_server: Vec<(f64, Vec<u8>)> = Vec::new();
        let mut to_page: Vec<(f64, Vec<u8>)> = Vec::new();
        let carry = |leg: &mut Vec<(f64, Vec<u8>)>, fate: Fate, at: f64, m: Vec<u8>| match fate {
            Fate::Arrives => leg.push((at, m)),
            Fate::Lost => {}
            Fate::Twice => {
                leg.push((at, m.clone()));
                leg.push((at + 1.0, m));
            }
            Fate::Overtaken => leg.push((at + 25.0, m)),
            Fate::Delayed(ms) => leg.push((at + ms, m)),
        };
        for seq in 0..n {
            let now = f64::from(seq) * 20.0;
            let probe = tally.next_probe(now, 64);
            carry(&mut to_server, (path.out)(seq), now + 10.0, probe);
        }
        to_server.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut echoes = 0;
        for (at, message) in to_server {
            if let Some(echo) = server.answer(&message, at) {
                carry(&mut to_page, (path.back)(echoes), at + 10.0, echo);
                echoes += 1;
            }
        }
        to_page.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (at, message) in to_page {
            tally.receive(&message, at);
        }
        // The request for the counts is retried until it gets through.
        let counted = server.answer(&count_request(), 1e9).unwrap();
        tally.receive(&counted, 1e9);
        tally.result()
    }

    #[test]
    fn a_clean_path_loses_nothing() {
        let loss = run(
            200,
            Path {
                out: |_| Fate::Arrives,
                back: |_| Fate::Arrives,
            },
        );
        assert_eq!(
            (loss.sent, loss.reached_server, loss.came_back),
            (200, 200, 200)
        );
        assert_eq!(
            (
                loss.lost_out(),
                loss.lost_back(),
                loss.late,
                loss.reordered,
                loss.duplicated
            ),
            (0, 0, 0, 0, 0)
        );
        assert_eq!(loss.round_trip.unwrap().median, 20.0);
        assert!(loss.server_counted);
    }

    #[test]
    fn loss_is_split_by_the_direction_it_happens_in() {
        // One in ten lost out, one in five of the echoes lost back.
        let out = run(
            200,
            Path {
                out: |s| {
                    if s % 10 == 3 {
                        Fate::Lost
                    } else {
                        Fate::Arrives
                    }
                },
                back: |_| Fate::Arrives,
            },
        );
        assert_eq!((out.lost_out(), out.lost_back()), (20, 0));
        assert!((out.out_share() - 0.10).abs() < 1e-9);
        let back = run(
            200,
            Path {
                out: |_| Fate::Arrives,
                back: |s| {
                    if s % 5 == 0 {
                        Fate::Lost
                    } else {
                        Fate::Arrives
                    }
                },
            },
        );
        assert_eq!((back.lost_out(), back.lost_back()), (0, 40));
        assert!((back.back_share() - 0.20).abs() < 1e-9);
        let both = run(
            100,
            Path {
                out: |s| {
                    if s % 10 == 0 {
                        Fate::Lost
                    } else {
                        Fate::Arrives
                    }
                },
                back: |s| {
                    if s % 10 == 0 {
                        Fate::Lost
                    } else {
                        Fate::Arrives
                    }
                },
            },
        );
        // 10 lost out of 100; 9 of the 90 echoes lost back.
        assert_eq!(
            (both.sent, both.reached_server, both.came_back),
            (100, 90, 81)
        );
        assert!((both.back_share() - 0.10).abs() < 1e-9);
    }

    #[test]
    fn late_is_not_lost() {
        let loss = run(
            50,
            Path {
                out: |s| {
                    if s < 5 {
                        Fate::Delayed(2_000.0)
                    } else {
                        Fate::Arrives
                    }
                },
                back: |_| Fate::Arrives,
            },
        );
        assert_eq!((loss.lost_out(), loss.lost_back(), loss.late), (0, 0, 5));
        // The late ones are no round trip of the path's.
        assert_eq!(loss.round_trip.unwrap().count, 45);
    }

    #[test]
    fn reordering_and_duplicates_are_counted_not_lost() {
        let reordered = run(
            100,
            Path {
                out: |s| {
                    if s % 10 == 0 {
                        Fate::Overtaken
                    } else {
                        Fate::Arrives
                    }
                },
                back: |_| Fate::Arrives,
            },
        );
        assert_eq!(
            (
                reordered.lost_out(),
                reordered.lost_back(),
                reordered.reordered
            ),
            (0, 0, 10)
        );
        let twice_out = run(
            100,
            Path {
                out: |s| {
                    if s % 20 == 0 {
                        Fate::Twice
                    } else {
                        Fate::Arrives
                    }
                },
                back: |_| Fate::Arrives,
            },
        );
        // The server echoes both copies; the page counts the second echo
        // too, and the server its second probe.
        assert_eq!(
            (
                twice_out.reached_server,
                twice_out.came_back,
                twice_out.duplicated
            ),
            (100, 100, 10)
        );
        let twice_back = run(
            100,
            Path {
                out: |_| Fate::Arrives,
                back: |s| {
                    if s % 25 == 0 {
                        Fate::Twice
                    } else {
                        Fate::Arrives
                    }
                },
            },
        );
        assert_eq!(
            (
                twice_back.came_back,
                twice_back.duplicated,
                twice_back.lost_back()
            ),
            (100, 4, 0)
        );
    }

    #[test]
    fn without_the_servers_count_the_echoes_bound_what_reached_it() {
        let mut tally = Tally::new(1_000);
        let mut server = Echoer::default();
        for seq in 0..10 {
            let probe = tally.next_probe(f64::from(seq), 20);
            let echo = server.answer(&probe, 0.0).unwrap();
            // Only the sixth echo comes back: it says six had arrived.
            if seq == 5 {
                tally.receive(&echo, 50.0);
            }
        }
        let loss = tally.result();
        assert!(!loss.server_counted);
        assert_eq!((loss.reached_server, loss.came_back), (6, 1));
    }

    #[test]
    fn the_server_answers_nothing_but_probes_and_count_requests() {
        let mut server = Echoer::default();
        for message in [
            &b""[..],
            b"\x01short",
            b"\x09anything at all",
            &[1u8; MAX_MESSAGE_BYTES + 1],
        ] {
            assert_eq!(server.answer(message, 0.0), None, "{message:?}");
        }
        let echo = server.answer(&probe(7, 123.5, 13), 4.25).unwrap();
        assert_eq!(
            read_answer(&echo),
            Some(Answer::Echo {
                seq: 7,
                sent_at_ms: 123.5,
                reached_so_far: 1,
                server_ms: 4.25
            })
        );
        // Echoes are small whatever the probe's size: no amplification.
        assert_eq!(server.answer(&probe(8, 0.0, 1_000), 0.0).unwrap().len(), 25);
        assert_eq!(read_answer(b"\x02\x00"), None);
    }

    #[test]
    fn duplicates_are_told_within_the_window_and_old_numbers_count_once() {
        let mut server = Echoer::default();
        let first = |server: &mut Echoer, seq| server.first_copy(seq);
        assert!(first(&mut server, 10));
        assert!(!first(&mut server, 10));
        assert!(first(&mut server, 3));
        assert!(!first(&mut server, 3));
        // Far ahead: the window moves on, and what it held is forgotten.
        assert!(first(&mut server, 10 + SEEN_WINDOW));
        assert!(first(&mut server, 11));
        assert!(first(&mut server, 10 + 2 * SEEN_WINDOW + 5));
        assert!(!first(&mut server, 10 + 2 * SEEN_WINDOW + 5));
        assert!(first(&mut server, 10 + 2 * SEEN_WINDOW + 4));
    }
}
