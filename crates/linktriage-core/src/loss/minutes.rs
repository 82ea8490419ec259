//! The page's side of a watch's loss probes: a few a second for hours on
//! one data channel, added up a minute at a time (the watch's own minutes,
//! counted from its start). After each minute the page asks the server how
//! many of that minute's probes reached it, again each second until the
//! answer gets through, so that each minute's loss is split by direction;
//! a minute whose count never comes back keeps its loss, unsplit.

use serde::{Deserialize, Serialize};

use super::{Answer, PROBE_BYTES, probe, range_request, read_answer};
use crate::stats::summarize;

/// How long after a minute ends its echoes are still taken in: the
/// stragglers of its last probes. Later ones are lost, as far as the minute
/// is concerned (a watch cannot wait for ever); a target's late limit
/// longer than this is waited for instead.
pub const SETTLE_MS: f64 = 5_000.0;
/// How long after a minute ends the server's count for it is asked for,
/// before its loss is left unsplit ("direction unknown").
pub const COUNT_FOR_MS: f64 = 30_000.0;
/// How often an unanswered count is asked for again.
pub const ASK_EVERY_MS: f64 = 1_000.0;

const MINUTE_MS: f64 = 60_000.0;

/// One minute of a watch's loss probes to one target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Minute {
    /// Whole minutes after the watch began.
    pub minute: u32,
    pub sent: u32,
    /// Of them, first copies that reached the server; `None` when its
    /// count did not come back.
    pub reached_server: Option<u32>,
    /// Echoes that came back, late ones included.
    pub came_back: u32,
    /// Echoes later than the target's late limit.
    pub late: u32,
    /// The median round trip of the echoes in time (milliseconds).
    pub round_trip_ms: Option<f64>,
}

impl Minute {
    /// Probes or echoes lost, either way.
    pub fn lost(&self) -> u32 {
        self.sent.saturating_sub(self.came_back)
    }

    /// Share of probes lost either way (0 to 1).
    pub fn lost_share(&self) -> f64 {
        super::share(self.lost(), self.sent)
    }

    /// This minute and `other`, the same minute over another channel: the
    /// counts added (split by direction only if both were), the round trip
    /// of the one with more probes.
    pub fn joined(&self, other: &Minute) -> Minute {
        Minute {
            minute: self.minute,
            sent: self.sent + other.sent,
            reached_server: self.reached().zip(other.reached()).map(|(a, b)| a + b),
            came_back: self.came_back + other.came_back,
            late: self.late + other.late,
            round_trip_ms: if other.sent > self.sent {
                other.round_trip_ms.or(self.round_trip_ms)
            } else {
                self.round_trip_ms.or(other.round_trip_ms)
            },
        }
    }

    /// The server's count, kept between what came back and what was sent.
    fn reached(&self) -> Option<u32> {
        self.reached_server
            .map(|r| r.clamp(self.came_back.min(self.sent), self.sent))
    }

    /// Probes lost on the way to the server, where its count came back.
    pub fn lost_out(&self) -> Option<u32> {
        self.reached().map(|r| self.sent - r)
    }

    /// Echoes lost on the way back, where the server's count came back.
    pub fn lost_back(&self) -> Option<u32> {
        self.reached().map(|r| r - self.came_back.min(r))
    }
}

/// A probe sent, and when its first echo came back.
#[derive(Debug, Clone, Copy)]
struct Sent {
    at_ms: f64,
    back_at_ms: Option<f64>,
}

/// A minute not yet closed: its probes' numbers, and the server's count.
#[derive(Debug, Clone, Copy)]
struct Open {
    minute: u32,
    from_seq: u32,
    to_seq: u32,
    /// The server's answer: `Some(None)` when it had forgotten the range.
    counted: Option<Option<u32>>,
    asked_at_ms: Option<f64>,
}

/// The page's side of one channel's probes during a watch. Times are
/// milliseconds since the Unix epoch, on one clock that does not jump (the
/// page's monotonic clock from its time origin).
#[derive(Debug, Clone)]
pub struct Minutes {
    started_at_ms: f64,
    late_ms: f64,
    /// The probes of the minutes still open, from number `first_seq`.
    first_seq: u32,
    sent: Vec<Sent>,
    open: Vec<Open>,
}

impl Minutes {
    /// A channel's probes for a watch that began `started_at_ms`, to a
    /// target whose answers are late after `late_ms`.
    pub fn new(started_at_ms: f64, late_ms: u32) -> Minutes {
        Minutes {
            started_at_ms,
            late_ms: f64::from(late_ms),
            first_seq: 0,
            sent: Vec::new(),
            open: Vec::new(),
        }
    }

    /// The next probe, sent `now_ms`.
    pub fn next_probe(&mut self, now_ms: f64) -> Vec<u8> {
        let seq = self.first_seq + self.sent.len() as u32;
        let minute = ((now_ms - self.started_at_ms) / MINUTE_MS).floor().max(0.0) as u32;
        self.sent.push(Sent {
            at_ms: now_ms,
            back_at_ms: None,
        });
        match self.open.last_mut() {
            Some(open) if open.minute == minute => open.to_seq = seq + 1,
            _ => self.open.push(Open {
                minute,
                from_seq: seq,
                to_seq: seq + 1,
                counted: None,
                asked_at_ms: None,
            }),
        }
        probe(seq, now_ms, PROBE_BYTES)
    }

    /// Takes in a message from the server, received `now_ms`.
    pub fn receive(&mut self, message: &[u8], now_ms: f64) {
        match read_answer(message) {
            Some(Answer::Echo { seq, .. }) => {
                let Some(index) = seq.checked_sub(self.first_seq) else {
                    return;
                };
                if let Some(sent) = self.sent.get_mut(index as usize)
                    && sent.back_at_ms.is_none()
                {
                    sent.back_at_ms = Some(now_ms);
                }
            }
            Some(Answer::RangeCounted { from, to, reached }) => {
                if let Some(open) = self
                    .open
                    .iter_mut()
                    .find(|o| o.from_seq == from && o.to_seq == to)
                {
                    open.counted = Some(reached);
                }
            }
            _ => {}
        }
    }

    /// When `minute` ends.
    fn end_of(&self, minute: u32) -> f64 {
        self.started_at_ms + f64::from(minute + 1) * MINUTE_MS
    }

    /// How long after its end a minute's echoes are taken in.
    fn settle_ms(&self) -> f64 {
        SETTLE_MS.max(self.late_ms)
    }

    /// The counts to ask the server for now: each settled minute's not yet
    /// answered, once a second.
    pub fn requests(&mut self, now_ms: f64) -> Vec<Vec<u8>> {
        let settled = now_ms - self.settle_ms();
        let ends: Vec<f64> = self.open.iter().map(|o| self.end_of(o.minute)).collect();
        let mut asks = Vec::new();
        for (open, end) in self.open.iter_mut().zip(ends) {
            let due = open
                .asked_at_ms
                .is_none_or(|at| now_ms - at >= ASK_EVERY_MS);
            if end <= settled && open.counted.is_none() && due {
                open.asked_at_ms = Some(now_ms);
                asks.push(range_request(open.from_seq, open.to_seq));
            }
        }
        asks
    }

    /// The minutes finished by `now_ms`: settled and counted, or past
    /// waiting for the count; in order.
    pub fn closed(&mut self, now_ms: f64) -> Vec<Minute> {
        let mut done = 0;
        for open in &self.open {
            let end = self.end_of(open.minute);
            let settled = end + self.settle_ms() <= now_ms;
            let counted = open.counted.is_some() || end + COUNT_FOR_MS <= now_ms;
            if !(settled && counted) {
                break;
            }
            done += 1;
        }
        self.take(done)
    }

    /// Every minute still open, as it stands: the channel has closed, so
    /// nothing more will come back for them.
    pub fn close_all(&mut self) -> Vec<Minute> {
        self.take(self.open.len())
    }

    /// The first `count` open minutes, closed.
    fn take(&mut self, count: usize) -> Vec<Minute> {
        let closing: Vec<Open> = self.open.drain(..count).collect();
        let mut minutes = Vec::with_capacity(closing.len());
        for open in closing {
            let probes = (open.to_seq - open.from_seq) as usize;
            let sent: Vec<Sent> = self.sent.drain(..probes.min(self.sent.len())).collect();
            self.first_seq = open.to_seq;
            let round_trips: Vec<f64> = sent
                .iter()
                .filter_map(|s| s.back_at_ms.map(|b| b - s.at_ms))
                .filter(|&rt| rt <= self.late_ms)
                .collect();
            let came_back = sent.iter().filter(|s| s.back_at_ms.is_some()).count() as u32;
            minutes.push(Minute {
                minute: open.minute,
                sent: sent.len() as u32,
                reached_server: open.counted.flatten(),
                came_back,
                late: came_back - round_trips.len() as u32,
                round_trip_ms: summarize(&round_trips).map(|s| s.median),
            });
        }
        minutes
    }
}

#[cfg(test)]
mod tests {
    use super::super::Echoer;
    use super::*;

    const START: f64 = 1_795_510_800_000.0;

    /// What happens to a message on one leg of the path.
    #[derive(Clone, Copy, Debug)]
    enum Fate {
        Arrives,
        Lost,
        /// Arrives this many milliseconds later than the others.
        Delayed(f64),
    }

    /// A watch's channel for `seconds`, two probes a second, each leg 10
    /// ms: `out` and `back` say what happens to each probe and echo by the
    /// probe's number, `counts` whether a count request gets through (by
    /// how many were asked before it). The minutes closed along the way,
    /// then those closed once the channel ends `tail_ms` after the last
    /// probe.
    fn watch_for(
        seconds: u32,
        out: impl Fn(u32) -> Fate,
        back: impl Fn(u32) -> Fate,
        counts: impl Fn(u32) -> bool,
        tail_ms: f64,
    ) -> (Vec<Minute>, Vec<Minute>) {
        let mut page = Minutes::new(START, 1_000);
        let mut server = Echoer::default();
        // (arrival, message) on each leg, taken in time order.
        let mut to_server: Vec<(f64, Vec<u8>)> = Vec::new();
        let mut to_page: Vec<(f64, Vec<u8>)> = Vec::new();
        let mut closed = Vec::new();
        let mut asked = 0;
        let end = START + f64::from(seconds) * 1_000.0 + tail_ms;
        let mut now = START;
        let mut seq = 0;
        while now < end {
            if now < START + f64::from(seconds) * 1_000.0 {
                let probe = page.next_probe(now);
                match out(seq) {
                    Fate::Arrives => to_server.push((now + 10.0, probe)),
                    Fate::Delayed(ms) => to_server.push((now + 10.0 + ms, probe)),
                    Fate::Lost => {}
                }
                seq += 1;
            }
            for ask in page.requests(now) {
                if counts(asked) {
                    to_server.push((now + 10.0, ask));
                }
                asked += 1;
            }
            now += 500.0;
            to_server.sort_by(|a, b| a.0.total_cmp(&b.0));
            while to_server.first().is_some_and(|m| m.0 <= now) {
                let (at, message) = to_server.remove(0);
                if let Some(answer) = server.answer(&message, at) {
                    let fate = match read_answer(&answer) {
                        Some(Answer::Echo { seq, .. }) => back(seq),
                        _ => Fate::Arrives,
                    };
                    match fate {
                        Fate::Arrives => to_page.push((at + 10.0, answer)),
                        Fate::Delayed(ms) => to_page.push((at + 10.0 + ms, answer)),
                        Fate::Lost => {}
                    }
                }
            }
            to_page.sort_by(|a, b| a.0.total_cmp(&b.0));
            while to_page.first().is_some_and(|m| m.0 <= now) {
                let (at, message) = to_page.remove(0);
                page.receive(&message, at);
            }
            closed.extend(page.closed(now));
        }
        (closed, page.close_all())
    }

    /// (minute, sent, lost on the way out, lost back, late) of a minute.
    type Counts = (u32, u32, Option<u32>, Option<u32>, u32);

    fn counts(minutes: &[Minute]) -> Vec<Counts> {
        minutes
            .iter()
            .map(|m| (m.minute, m.sent, m.lost_out(), m.lost_back(), m.late))
            .collect()
    }

    #[test]
    fn each_minute_is_counted_and_split_by_direction() {
        struct Case {
            name: &'static str,
            out: fn(u32) -> Fate,
            back: fn(u32) -> Fate,
            counts: fn(u32) -> bool,
            expected: Vec<Counts>,
        }
        let cases = [
            Case {
                name: "a clean path",
                out: |_| Fate::Arrives,
                back: |_| Fate::Arrives,
                counts: |_| true,
                expected: vec![(0, 120, Some(0), Some(0), 0), (1, 120, Some(0), Some(0), 0)],
            },
            Case {
                name: "one in ten lost on the way out, in the second minute only",
                out: |s| match s >= 120 && s % 10 == 0 {
                    true => Fate::Lost,
                    false => Fate::Arrives,
                },
                back: |_| Fate::Arrives,
                counts: |_| true,
                expected: vec![
                    (0, 120, Some(0), Some(0), 0),
                    (1, 120, Some(12), Some(0), 0),
                ],
            },
            Case {
                name: "one in four lost on the way back",
                out: |_| Fate::Arrives,
                back: |s| match s % 4 {
                    0 => Fate::Lost,
                    _ => Fate::Arrives,
                },
                counts: |_| true,
                expected: vec![
                    (0, 120, Some(0), Some(30), 0),
                    (1, 120, Some(0), Some(30), 0),
                ],
            },
            Case {
                name: "both ways",
                out: |s| match s % 20 {
                    1 => Fate::Lost,
                    _ => Fate::Arrives,
                },
                back: |s| match s % 20 {
                    2 | 3 => Fate::Lost,
                    _ => Fate::Arrives,
                },
                counts: |_| true,
                expected: vec![
                    (0, 120, Some(6), Some(12), 0),
                    (1, 120, Some(6), Some(12), 0),
                ],
            },
            Case {
                name: "the first counts asked are lost: asked again until one gets through",
                out: |_| Fate::Arrives,
                back: |s| match s % 10 {
                    0 => Fate::Lost,
                    _ => Fate::Arrives,
                },
                counts: |asked| asked >= 3,
                expected: vec![
                    (0, 120, Some(0), Some(12), 0),
                    (1, 120, Some(0), Some(12), 0),
                ],
            },
            Case {
                name: "no count ever gets through: the loss stands, unsplit",
                out: |s| match s % 10 {
                    0 => Fate::Lost,
                    _ => Fate::Arrives,
                },
                back: |_| Fate::Arrives,
                counts: |_| false,
                expected: vec![(0, 120, None, None, 0), (1, 120, None, None, 0)],
            },
            Case {
                name: "late is not lost",
                out: |s| match s % 30 {
                    0 => Fate::Delayed(2_000.0),
                    _ => Fate::Arrives,
                },
                back: |_| Fate::Arrives,
                counts: |_| true,
                expected: vec![(0, 120, Some(0), Some(0), 4), (1, 120, Some(0), Some(0), 4)],
            },
        ];
        for case in cases {
            let (closed, left) = watch_for(120, case.out, case.back, case.counts, 40_000.0);
            assert_eq!(counts(&closed), case.expected, "{}", case.name);
            assert!(left.is_empty(), "{}", case.name);
        }
    }

    #[test]
    fn lost_counts_and_round_trips_add_up() {
        let (closed, _) = watch_for(
            60,
            |s| match s % 10 {
                0 => Fate::Lost,
                _ => Fate::Arrives,
            },
            |_| Fate::Arrives,
            |_| true,
            40_000.0,
        );
        let minute = closed[0];
        assert_eq!(
            (minute.sent, minute.came_back, minute.lost()),
            (120, 108, 12)
        );
        assert!((minute.lost_share() - 0.10).abs() < 1e-9);
        assert_eq!(minute.round_trip_ms, Some(20.0));
    }

    #[test]
    fn a_channel_that_ends_closes_its_minutes_with_what_came_back() {
        // Ends 2 s after its last probe: too soon for the last minute's
        // count, and its last probe's echo is in (each leg is 10 ms).
        let (closed, left) = watch_for(90, |_| Fate::Arrives, |_| Fate::Arrives, |_| true, 2_000.0);
        assert_eq!(counts(&closed), vec![(0, 120, Some(0), Some(0), 0)]);
        assert_eq!(counts(&left), vec![(1, 60, None, None, 0)]);
        assert_eq!(left[0].lost(), 0);
    }

    #[test]
    fn one_minute_over_two_channels_is_one_minute() {
        let (first, _) = watch_for(60, |_| Fate::Arrives, |_| Fate::Arrives, |_| true, 40_000.0);
        let lost = Minute {
            came_back: 50,
            reached_server: None,
            ..first[0]
        };
        let joined = first[0].joined(&lost);
        assert_eq!(
            (
                joined.sent,
                joined.came_back,
                joined.lost(),
                joined.lost_out()
            ),
            (240, 170, 70, None)
        );
        let both = first[0].joined(&first[0]);
        assert_eq!((both.lost_out(), both.lost_back()), (Some(0), Some(0)));
    }

    #[test]
    fn the_server_counts_a_range_exactly_and_says_when_it_has_forgotten_it() {
        let mut server = Echoer::default();
        for seq in (0..100).filter(|s| s % 3 != 0) {
            server.answer(&probe(seq, 0.0, PROBE_BYTES), 0.0);
        }
        let count = |server: &mut Echoer, from, to| match read_answer(
            &server.answer(&range_request(from, to), 0.0).unwrap(),
        ) {
            Some(Answer::RangeCounted {
                from: f,
                to: t,
                reached,
            }) if (f, t) == (from, to) => reached,
            other => panic!("{other:?}"),
        };
        assert_eq!(count(&mut server, 0, 30), Some(20));
        assert_eq!(count(&mut server, 90, 100), Some(6));
        // Beyond the highest number seen: nothing has arrived there.
        assert_eq!(count(&mut server, 90, 500), Some(6));
        assert_eq!(count(&mut server, 200, 300), Some(0));
        assert_eq!(count(&mut server, 30, 10), None);
        // A duplicate is no second copy in the count.
        server.answer(&probe(1, 0.0, PROBE_BYTES), 0.0);
        assert_eq!(count(&mut server, 0, 3), Some(2));
        // Once the window has moved past a range, it is forgotten.
        server.answer(&probe(10_000, 0.0, PROBE_BYTES), 0.0);
        assert_eq!(count(&mut server, 0, 30), None);
        assert_eq!(count(&mut server, 9_990, 10_001), Some(1));
        // A short request is not one.
        assert_eq!(server.answer(&range_request(0, 1)[..5], 0.0), None);
    }
}
