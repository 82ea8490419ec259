//! Packet loss over a watch: each probe target's minutes of loss probes
//! (from the watch page's data channel), the spells of sustained loss they
//! show, and their words. A lossy spell is a degraded path, starting at the
//! target's segment, as a loss check's loss is.

use serde::{Deserialize, Serialize};

use crate::loss::Minute;
use crate::segment::Segment;
use crate::stats::summarize;
use crate::time::format_timestamp;
use crate::verdict::LOSS_LIMIT;
use crate::wording::fixed;

/// A minute with fewer probes than this says too little about loss (a
/// channel that opened or closed within it): it neither starts nor breaks
/// a lossy spell's count, and is left out of it. A hidden page sends one a
/// second, a visible one two.
pub const LOSSY_MINUTE_PROBES: u32 = 30;
/// Lossy minutes in a row that make a spell: sustained, not one bad minute.
/// At 60 probes a minute and a background loss of 0.5 %, one minute in 30
/// loses more than the limit by chance; three in a row, once in days.
pub const LOSSY_AFTER: u32 = 3;

use super::snapshot::MINUTE_MS;

/// Whether `minute` lost more than the limit, either way.
pub fn is_lossy(minute: &Minute) -> bool {
    minute.sent >= LOSSY_MINUTE_PROBES && minute.lost_share() > LOSS_LIMIT
}

/// A target losing packets for a while.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LossySpell {
    pub target: usize,
    /// The start of its first lossy minute.
    pub start_ms: f64,
    /// The end of its last lossy minute; `None` while it lasts.
    pub end_ms: Option<f64>,
    /// Over the spell: probes sent, and lost either way.
    pub lost: LossTotals,
}

/// Probes over some minutes: sent, and lost, split by direction over the
/// minutes whose count came back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct LossTotals {
    pub sent: u32,
    pub lost_out: u32,
    pub lost_back: u32,
    /// Lost in minutes whose count did not come back: direction unknown.
    pub unsplit: u32,
}

impl LossTotals {
    /// The totals of `minutes`.
    pub fn of<'a>(minutes: impl IntoIterator<Item = &'a Minute>) -> LossTotals {
        let mut totals = LossTotals::default();
        for m in minutes {
            totals.sent += m.sent;
            match (m.lost_out(), m.lost_back()) {
                (Some(out), Some(back)) => {
                    totals.lost_out += out;
                    totals.lost_back += back;
                }
                _ => totals.unsplit += m.lost(),
            }
        }
        totals
    }

    /// Lost either way.
    pub fn lost(&self) -> u32 {
        self.lost_out + self.lost_back + self.unsplit
    }

    /// Share of probes lost (0 to 1).
    pub fn lost_share(&self) -> f64 {
        crate::loss::share(self.lost(), self.sent)
    }

    /// "6.2 % of packets lost (52 on the way there, 8 back; 840 sent)",
    /// with "direction unknown" for what minutes without the server's count
    /// lost.
    pub fn words(&self) -> String {
        let share = fixed(self.lost_share() * 100.0, 1);
        let (out, back, unsplit, sent) = (self.lost_out, self.lost_back, self.unsplit, self.sent);
        match (out + back, unsplit) {
            (_, 0) => format!(
                "{share} % of packets lost ({out} on the way there, {back} back; {sent} sent)"
            ),
            (0, _) => format!("{share} % of packets lost ({unsplit} of {sent}, direction unknown)"),
            _ => format!(
                "{share} % of packets lost ({out} on the way there, {back} back, {unsplit} direction unknown; {sent} sent)"
            ),
        }
    }
}

impl LossySpell {
    /// The spell's loss in words, as [`LossTotals::words`].
    pub fn words(&self) -> String {
        self.lost.words()
    }
}

/// The lossy spells of one target's `minutes` (in order), in a watch that
/// began `started_at_ms`: [`LOSSY_AFTER`] lossy minutes or more in a row
/// (minutes too thin to tell are skipped; a missing or clean minute ends
/// the run). A spell reaching the target's last minute is still going while
/// the watch runs.
pub fn lossy_spells(
    target: usize,
    minutes: &[Minute],
    started_at_ms: f64,
    running: bool,
) -> Vec<LossySpell> {
    let mut spells = Vec::new();
    let mut run: Vec<&Minute> = Vec::new();
    let mut previous: Option<u32> = None;
    let mut end_run = |run: &mut Vec<&Minute>, still: bool| {
        if run.len() as u32 >= LOSSY_AFTER {
            let last = run[run.len() - 1].minute;
            spells.push(LossySpell {
                target,
                start_ms: started_at_ms + f64::from(run[0].minute) * MINUTE_MS,
                end_ms: (!still).then(|| started_at_ms + f64::from(last + 1) * MINUTE_MS),
                lost: LossTotals::of(run.iter().copied()),
            });
        }
        run.clear();
    };
    for minute in minutes {
        if previous.is_some_and(|p| minute.minute != p + 1) {
            end_run(&mut run, false);
        }
        previous = Some(minute.minute);
        if minute.sent < LOSSY_MINUTE_PROBES {
            continue;
        }
        if is_lossy(minute) {
            run.push(minute);
        } else {
            end_run(&mut run, false);
        }
    }
    end_run(&mut run, running);
    spells
}

/// The lossy spells of every target (`each_target`'s minutes, in the
/// watch's order), in order of their start.
pub fn every_lossy_spell<'a>(
    each_target: impl IntoIterator<Item = &'a [Minute]>,
    started_at_ms: f64,
    running: bool,
) -> Vec<LossySpell> {
    let mut spells: Vec<LossySpell> = Vec::new();
    for (t, minutes) in each_target.into_iter().enumerate() {
        for spell in lossy_spells(t, minutes, started_at_ms, running) {
            // By insertion, as the watch's pauses: spells are few.
            let at = spells.partition_point(|s| s.start_ms <= spell.start_ms);
            spells.insert(at, spell);
        }
    }
    spells
}

/// The spells in a sentence, for the watch's summary: "Packets were lost
/// 09:05 to 09:12 (7 min), starting at the NHS network link (HSCN)." Times
/// are local (`utc_offset_minutes` east); `now_ms` closes what still goes
/// on. `None` without a spell.
pub fn summary(
    spells: &[LossySpell],
    segments: &[Segment],
    now_ms: f64,
    utc_offset_minutes: i32,
) -> Option<String> {
    let start = spells
        .iter()
        .filter_map(|s| segments.get(s.target).copied())
        .min()?;
    let clock = |ms: f64| format_timestamp(ms, utc_offset_minutes)[11..16].to_owned();
    let spans: Vec<String> = spells
        .iter()
        .map(|s| super::when(s.start_ms, s.end_ms, now_ms, &clock, ", still losing"))
        .collect();
    let spans: Vec<&str> = spans.iter().map(String::as_str).collect();
    Some(format!(
        "Packets were lost {}, starting at {}.",
        super::join_and(&spans),
        start.plain_name()
    ))
}

/// A target's loss in each cell of the timeline (`cell_ms` long from the
/// watch's start to `until_ms`): the share lost in the minute the cell's
/// middle falls in, `None` where no probes were sent.
pub fn loss_cells(
    minutes: &[Minute],
    started_at_ms: f64,
    cell_ms: f64,
    until_ms: f64,
) -> Vec<Option<f64>> {
    let cells = ((until_ms - started_at_ms) / cell_ms).ceil().max(0.0) as usize;
    (0..cells)
        .map(|i| {
            let middle = (i as f64 + 0.5) * cell_ms;
            let minute = (middle / MINUTE_MS).floor() as u32;
            let at = minutes.partition_point(|m| m.minute < minute);
            minutes
                .get(at)
                .filter(|m| m.minute == minute && m.sent > 0)
                .map(Minute::lost_share)
        })
        .collect()
}

/// What a target's minutes add up to, for the report's line: "0.4 % of
/// packets lost (2 on the way there, 1 back; 7,200 sent), round trip over
/// UDP 12 ms".
pub fn target_words(minutes: &[Minute]) -> Option<String> {
    if minutes.is_empty() {
        return None;
    }
    let mut words = LossTotals::of(minutes).words();
    let medians: Vec<f64> = minutes.iter().filter_map(|m| m.round_trip_ms).collect();
    if let Some(round_trip) = summarize(&medians) {
        words.push_str(&format!(
            ", round trip over UDP {} ms",
            crate::wording::ms(round_trip.median)
        ));
    }
    let late: u32 = minutes.iter().map(|m| m.late).sum();
    if late > 0 {
        words.push_str(&format!(", {late} late"));
    }
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: f64 = 1_795_510_800_000.0;

    /// Minutes from a pattern, one character a minute: `.` clean (120
    /// probes), `x` lossy (120 probes, 6 lost out and 3 back), `?` lossy
    /// with no count, `t` too thin (10 probes, all lost), a space for no
    /// minute.
    fn minutes(pattern: &str) -> Vec<Minute> {
        pattern
            .bytes()
            .enumerate()
            .filter_map(|(i, c)| {
                let (sent, reached, back) = match c {
                    b'.' => (120, Some(120), 120),
                    b'x' => (120, Some(114), 111),
                    b'?' => (120, None, 111),
                    b't' => (10, Some(0), 0),
                    _ => return None,
                };
                Some(Minute {
                    minute: i as u32,
                    sent,
                    reached_server: reached,
                    came_back: back,
                    late: 0,
                    round_trip_ms: Some(12.0),
                })
            })
            .collect()
    }

    /// (first minute, last minute or none while it lasts, lost out where
    /// known) of a spell.
    type Found = (u32, Option<u32>, Option<u32>);

    fn spells(pattern: &str, running: bool) -> Vec<Found> {
        lossy_spells(0, &minutes(pattern), START, running)
            .into_iter()
            .map(|s| {
                let minute = |ms: f64| ((ms - START) / MINUTE_MS) as u32;
                (
                    minute(s.start_ms),
                    s.end_ms.map(|e| minute(e) - 1),
                    (s.lost.unsplit == 0).then_some(s.lost.lost_out),
                )
            })
            .collect()
    }

    #[test]
    fn sustained_loss_is_a_spell_and_a_bad_minute_is_not() {
        let cases: [(&str, &str, bool, Vec<Found>); 9] = [
            ("clean", "..........", true, vec![]),
            ("one bad minute", "...x......", true, vec![]),
            ("two in a row", "...xx.....", true, vec![]),
            (
                "three in a row",
                "...xxx....",
                true,
                vec![(3, Some(5), Some(18))],
            ),
            (
                "two spells",
                "xxx..xxxx.",
                false,
                vec![(0, Some(2), Some(18)), (5, Some(8), Some(24))],
            ),
            ("a gap ends the run", "xx xx.....", true, vec![]),
            (
                "a thin minute is skipped",
                "xxtx......",
                true,
                vec![(0, Some(3), Some(18))],
            ),
            (
                "still going while watched",
                "....xxx",
                true,
                vec![(4, None, Some(18))],
            ),
            (
                "a missing count leaves it unsplit",
                "..x?x..",
                true,
                vec![(2, Some(4), None)],
            ),
        ];
        for (name, pattern, running, expected) in cases {
            assert_eq!(spells(pattern, running), expected, "{name}");
        }
        // Ended with the watch.
        assert_eq!(spells("....xxx", false), vec![(4, Some(6), Some(18))]);
    }

    #[test]
    fn the_words_say_the_share_and_the_counts_behind_it() {
        let spell = &lossy_spells(0, &minutes("xxx"), START, false)[0];
        assert_eq!(
            spell.words(),
            "7.5 % of packets lost (18 on the way there, 9 back; 360 sent)"
        );
        assert_eq!(
            target_words(&minutes("..?.")).unwrap(),
            "1.9 % of packets lost (9 of 480, direction unknown), round trip over UDP 12.0 ms"
        );
        assert_eq!(
            target_words(&minutes("x?")).unwrap(),
            "7.5 % of packets lost (6 on the way there, 3 back, 9 direction unknown; 240 sent), round trip over UDP 12.0 ms"
        );
        assert_eq!(target_words(&[]), None);
        let two = lossy_spells(0, &minutes("xxx..xxx"), START, true);
        assert_eq!(
            summary(&two, &[Segment::Hscn], START + 9.0 * MINUTE_MS, 60).unwrap(),
            "Packets were lost 10:00 to 10:03 (3 min) and since 10:05 (4 min, still losing), starting at the NHS network link (HSCN)."
        );
        assert_eq!(summary(&[], &[Segment::Hscn], START, 0), None);
    }

    #[test]
    fn each_cell_shows_its_minutes_loss() {
        let minutes = minutes(".x ?");
        let shares = loss_cells(&minutes, START, 30_000.0, START + 4.0 * MINUTE_MS);
        assert_eq!(shares.len(), 8);
        assert_eq!(shares[..2], [Some(0.0), Some(0.0)]);
        assert_eq!(shares[2], Some(0.075));
        assert_eq!(shares[4..6], [None, None]);
        assert_eq!(shares[6], Some(0.075));
    }
}
