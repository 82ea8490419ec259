//! Watching for hours: what a stream of light samples says about drops that
//! come and go. The app samples each target once a cycle and hands the
//! samples here with their own timestamps; this module decides, with no
//! clock of its own, when each target was down (with flap control), which
//! drops happened and where on the path each was, when the link was slow,
//! and when the watch itself was paused (a frozen tab, a sleeping laptop),
//! which is never a drop.

use serde::{Deserialize, Serialize};

use crate::check::{CheckResult, Measurement, Reach, ReachOutcome};
use crate::config::{Config, TargetKind};
use crate::device::DeviceFacts;
use crate::segment::Segment;
use crate::stats::{Summary, summarize};
use crate::time::format_timestamp;
use crate::verdict::{Diagnosis, judge};
use crate::wording::span_length;

mod loss;
mod snapshot;

pub use loss::{
    LOSSY_AFTER, LOSSY_MINUTE_PROBES, LossTotals, LossySpell, every_lossy_spell, is_lossy,
    loss_cells, lossy_spells, target_words as loss_words,
};
pub use snapshot::{MINUTE_MS, SnapshotTarget, WatchSnapshot};

/// A target is down after this many failed samples in a row, and up again
/// after [`UP_AFTER`] answered ones: Gatus's rule (alert after 3 failures,
/// resolve after 2 successes). One lost request, which a healthy link gives
/// now and then, is never a drop; at the default 10 s interval a drop is
/// declared 20 s after its first failure, and its start is that failure.
pub const DOWN_AFTER: u32 = 3;
/// See [`DOWN_AFTER`].
pub const UP_AFTER: u32 = 2;
/// Answered samples slower than the target's threshold this many times in a
/// row are a slow spell (30 s at the default interval): sustained, not one
/// slow answer.
pub const SLOW_AFTER: u32 = 3;
/// Samples further apart than this many intervals mean the watch did not
/// run between them (the browser froze the page, the computer slept): the
/// gap is a pause, and failures either side of it are not consecutive.
pub const GAP_INTERVALS: f64 = 2.5;

/// Where the watch page is served: a page and bundle of its own, which
/// "Keep watching" opens, so the clinician's first load carries no watch.
pub const WATCH_PATH: &str = "/watch/";

/// A light check cycle this often unless a link asks for another.
pub const DEFAULT_INTERVAL_MS: u32 = 10_000;
/// The shortest and longest interval a watch may have: one second is as
/// fine as a browser can keep, five minutes as coarse as a drop of a few
/// minutes can still be seen.
pub const INTERVALS_MS: std::ops::RangeInclusive<u32> = 1_000..=300_000;
/// The intervals the page offers, with their words.
pub const INTERVAL_CHOICES: [(u32, &str); 7] = [
    (1_000, "1 second"),
    (2_000, "2 seconds"),
    (5_000, "5 seconds"),
    (10_000, "10 seconds"),
    (30_000, "30 seconds"),
    (60_000, "1 minute"),
    (300_000, "5 minutes"),
];
/// How long a watch runs unless stopped: a working day.
pub const DEFAULT_DURATION_MS: f64 = 8.0 * 3_600_000.0;
/// The longest a watch runs, when asked to watch until stopped: a week,
/// as long as the browser keeps a watch's record.
pub const LONGEST_DURATION_MS: f64 = 7.0 * 24.0 * 3_600_000.0;

/// A watch asked for by a link: `#watch` (the default interval), or
/// `#watch=2s`, `#watch=30s`, `#watch=1m`; followed by `&for=` and
/// [`AS_LONG_AS_LEFT`] to watch until stopped rather than for 8 hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchRequest {
    pub interval_ms: u32,
    /// Until stopped ([`LONGEST_DURATION_MS`] at most), not
    /// [`DEFAULT_DURATION_MS`].
    pub until_stopped: bool,
}

/// The words of a link for a watch until stopped: `&for=as-long-as-left`.
/// Any other `for` is the default 8 hours.
pub const AS_LONG_AS_LEFT: &str = "as-long-as-left";

impl Default for WatchRequest {
    fn default() -> WatchRequest {
        WatchRequest {
            interval_ms: DEFAULT_INTERVAL_MS,
            until_stopped: false,
        }
    }
}

impl WatchRequest {
    /// How long the watch runs, in milliseconds.
    pub fn duration_ms(self) -> f64 {
        if self.until_stopped {
            LONGEST_DURATION_MS
        } else {
            DEFAULT_DURATION_MS
        }
    }
}

/// The watch a page address asks for, if it asks for one: the request, and
/// what was wrong with it when the default was used instead (a sentence for
/// the page).
pub fn requested_by(fragment: &str) -> Option<(WatchRequest, Option<String>)> {
    let rest = fragment.strip_prefix('#').unwrap_or(fragment);
    let (rest, options) = rest.split_once('&').unwrap_or((rest, ""));
    let until_stopped = options
        .split('&')
        .any(|option| option.strip_prefix("for=") == Some(AS_LONG_AS_LEFT));
    let asked = |interval_ms| WatchRequest {
        interval_ms,
        until_stopped,
    };
    let value = match rest.strip_prefix("watch") {
        Some("") => return Some((asked(DEFAULT_INTERVAL_MS), None)),
        Some(value) => value.strip_prefix('=')?,
        None => return None,
    };
    let parsed = value
        .strip_suffix('s')
        .map(|n| (n, 1_000))
        .or_else(|| value.strip_suffix('m').map(|n| (n, 60_000)))
        .filter(|(n, _)| !n.is_empty() && n.len() <= 4 && n.bytes().all(|b| b.is_ascii_digit()))
        .map(|(n, unit)| n.bytes().fold(0u32, |v, d| v * 10 + u32::from(d - b'0')) * unit);
    match parsed {
        Some(ms) if INTERVALS_MS.contains(&ms) => Some((asked(ms), None)),
        _ => Some((
            asked(DEFAULT_INTERVAL_MS),
            Some(format!(
                "The link asked to watch every \"{value}\", which is not an interval from 1 second to 5 minutes (such as 2s, 30s or 1m): watching every {} seconds instead.",
                DEFAULT_INTERVAL_MS / 1_000
            )),
        )),
    }
}

/// How many pings make a probe target's sample: one round trip is noisy
/// (a scheduling hiccup on either side), the median of three is steady,
/// and more would be needless load on the server for hours. The sample is
/// answered if any ping was.
pub const PINGS_PER_SAMPLE: u32 = 3;

/// How many requests a cycle of `targets` sends.
pub fn requests_per_cycle(targets: &[Watched]) -> u32 {
    targets
        .iter()
        .map(|t| match t.kind {
            SampleKind::Reach => 1,
            SampleKind::Ping => PINGS_PER_SAMPLE,
        })
        .sum()
}

/// How a watched target is sampled once a cycle: light.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleKind {
    /// One `HEAD` request in no-cors mode: answered or not, no body.
    Reach,
    /// [`PINGS_PER_SAMPLE`] `GET /api/ping`s to a Link Triage server, one
    /// after another on the sample's deadline: the median round trip.
    Ping,
}

/// A target as the watch samples it.
#[derive(Debug, Clone, PartialEq)]
pub struct Watched {
    pub target: WatchTarget,
    /// As configured: a path means the page's own origin.
    pub url: String,
    pub kind: SampleKind,
    /// The target's own timeout; the watch cuts it to fit the interval.
    pub timeout_ms: u32,
}

/// The targets a watch samples, placed for a page served from `page_host`
/// (over HTTPS when `page_over_https`).
/// Services on this computer (agents) are not watched: whether a page may
/// reach them does not change with the network, and asking every few
/// seconds would only repeat the first check. Nor are targets a page cannot
/// check (`Target::untestable_here`: blocked as mixed content, or refusing
/// the page its answers): every sample would fail, and read as a drop that
/// never was.
pub fn watched(config: &Config, page_host: &str, page_over_https: bool) -> Vec<Watched> {
    config
        .targets
        .iter()
        .filter(|t| t.untestable_here(page_over_https).is_none())
        .filter_map(|t| {
            let kind = match t.kind {
                TargetKind::Reach => SampleKind::Reach,
                TargetKind::Probe => SampleKind::Ping,
                TargetKind::Agent => return None,
            };
            Some(Watched {
                target: WatchTarget {
                    name: t.name.clone(),
                    segment: t.segment.segment(page_host),
                    late_ms: t.late_ms,
                },
                url: t.url.clone(),
                kind,
                timeout_ms: t.timeout_ms,
            })
        })
        .collect()
}

/// A sample's deadline: the target's timeout, cut to leave a fifth of the
/// interval free, so that one cycle's requests end before the next begins.
pub fn sample_timeout_ms(target_timeout_ms: u32, interval_ms: u32) -> u32 {
    target_timeout_ms.min(interval_ms / 5 * 4).max(200)
}

/// What a watch samples.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchTarget {
    pub name: String,
    pub segment: Segment,
    /// A round trip slower than this is late (the target's `late_ms`).
    pub late_ms: u32,
}

/// One light check of one target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// When it was sent, in milliseconds since the Unix epoch.
    pub at_ms: f64,
    /// Which target (an index into the watch's targets).
    pub target: usize,
    /// Whether an answer came back before the sample's deadline.
    pub answered: bool,
    /// The round trip, where the target gives one.
    pub round_trip_ms: Option<f64>,
}

/// A span of time, in milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub from_ms: f64,
    pub to_ms: f64,
}

impl Span {
    fn contains(&self, at_ms: f64) -> bool {
        self.from_ms <= at_ms && at_ms < self.to_ms
    }
}

/// A watch's record so far: what it samples, how often, and what it saw.
#[derive(Debug, Clone, PartialEq)]
pub struct Watch {
    pub started_at_ms: f64,
    pub interval_ms: u32,
    pub targets: Vec<WatchTarget>,
    /// In the order they were sent.
    pub samples: Vec<Sample>,
    /// Spans the page itself knew it was not running (hidden and frozen,
    /// discarded and reloaded), as it recorded them.
    pub paused: Vec<Span>,
    /// What the watch saw before its oldest sample, a minute a cell, once
    /// [`Watch::compact`] has folded those samples away: a watch of many
    /// hours keeps its recent samples, and the minutes before them.
    pub earlier: Option<Box<WatchSnapshot>>,
    /// Each probe target's minutes of loss probes over the watch's data
    /// channel, by target index (shorter than `targets` where the last
    /// have none): a minute each, so never folded.
    pub loss: Vec<Vec<crate::loss::Minute>>,
}

/// Each target's samples before a fold that must have answered in time:
/// enough that no run [`DOWN_AFTER`], [`UP_AFTER`] or [`SLOW_AFTER`]
/// counts is cut in two.
const QUIET_SAMPLES: usize = {
    let most = if DOWN_AFTER > UP_AFTER {
        DOWN_AFTER
    } else {
        UP_AFTER
    };
    (if most > SLOW_AFTER { most } else { SLOW_AFTER }) as usize
};

/// A watch keeps every sample this long; [`Watch::compact`] folds older
/// ones into minutes. Two hours of samples at the fastest interval of the
/// default list are about 58,000: a few megabytes, in memory and stored.
pub const SAMPLES_KEPT_MS: f64 = 2.0 * 3_600_000.0;

impl Watch {
    /// Folds the samples from before `before_ms` into [`Watch::earlier`],
    /// a minute a cell, cutting at a minute of the watch when nothing was
    /// failing or slow (within the hour before `before_ms`), so that no
    /// drop or slow spell is cut in two. What the watch found is the same
    /// after as before, to the minute. Returns the cut, or `None` when
    /// there was nothing to fold or no quiet minute.
    pub fn compact(&mut self, before_ms: f64) -> Option<f64> {
        let folded_to = self
            .earlier
            .as_ref()
            .map_or(self.started_at_ms, |e| e.until_ms);
        let minute = |at: f64| {
            self.started_at_ms
                + ((at - self.started_at_ms) / snapshot::MINUTE_MS).floor() * snapshot::MINUTE_MS
        };
        let pauses = pauses(self);
        let drops = raw_outages(self, &pauses);
        let spells = raw_slow_spells(self, &pauses);
        let across =
            |start: f64, end: Option<f64>, cut: f64| start < cut && end.is_none_or(|e| e > cut);
        // Quiet at `cut`: no drop, slow spell or pause across it, and each
        // target's last samples before it answered in time (so no run of
        // failures, of answers ending a drop, or of slow answers is cut).
        let quiet = |cut: f64| {
            !drops.iter().any(|d| across(d.start_ms, d.end_ms, cut))
                && !spells.iter().any(|s| across(s.start_ms, s.end_ms, cut))
                && !pauses.iter().any(|p| across(p.from_ms, Some(p.to_ms), cut))
                && self.targets.iter().enumerate().all(|(t, target)| {
                    self.samples
                        .iter()
                        .rev()
                        .filter(|s| s.target == t && s.at_ms < cut)
                        .take(QUIET_SAMPLES)
                        .all(|s| {
                            s.answered
                                && s.round_trip_ms
                                    .is_none_or(|ms| ms <= f64::from(target.late_ms))
                        })
                })
        };
        let latest = minute(before_ms);
        let cut = (0..=60)
            .map(|back| latest - f64::from(back) * snapshot::MINUTE_MS)
            .take_while(|&cut| cut > folded_to)
            .find(|&cut| quiet(cut))?;
        if !self.samples.iter().any(|s| s.at_ms < cut) {
            return None;
        }
        // Every pause, those the samples' gaps show included, goes to the
        // side of the cut it is on: a gap that ends after the cut would not
        // be seen again in the samples kept.
        let before = Watch {
            started_at_ms: self.started_at_ms,
            interval_ms: self.interval_ms,
            targets: self.targets.clone(),
            samples: self
                .samples
                .iter()
                .filter(|s| s.at_ms < cut)
                .copied()
                .collect(),
            paused: pauses.iter().filter(|p| p.to_ms <= cut).copied().collect(),
            earlier: self.earlier.take(),
            // Kept whole in `self.loss`, not folded.
            loss: Vec::new(),
        };
        self.earlier = Some(Box::new(WatchSnapshot::of(&before, cut, true)));
        self.samples.retain(|s| s.at_ms >= cut);
        self.paused = pauses.into_iter().filter(|p| p.from_ms >= cut).collect();
        Some(cut)
    }

    /// Adds a minute of `target`'s loss probes. A minute already there (a
    /// channel that closed, and its successor, within one minute) takes
    /// the new one's probes in; one older than the last is left out, so the
    /// minutes stay in order.
    pub fn add_loss(&mut self, target: usize, minute: crate::loss::Minute) {
        if self.loss.len() <= target {
            self.loss.resize(target + 1, Vec::new());
        }
        let minutes = &mut self.loss[target];
        match minutes.last_mut() {
            Some(last) if last.minute == minute.minute => *last = last.joined(&minute),
            Some(last) if last.minute > minute.minute => {}
            _ => minutes.push(minute),
        }
    }

    /// `target`'s minutes of loss probes.
    pub fn loss_of(&self, target: usize) -> &[crate::loss::Minute] {
        self.loss.get(target).map_or(&[], Vec::as_slice)
    }
}

/// A time when one or more targets were down together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outage {
    /// The first failed sample.
    pub start_ms: f64,
    /// The first answered sample of the recovery; `None` while it lasts.
    pub end_ms: Option<f64>,
    /// Every target down at some moment of it, in the watch's order.
    pub targets: Vec<usize>,
    /// Where on the path it was, by the verdict's own rules.
    pub diagnosis: Diagnosis,
}

impl Outage {
    /// When it was, in words: "09:05 to 09:31 (26 min)", or while it
    /// lasts "since 09:05 (12 min{open})". `clock` writes a time of day.
    pub fn when(&self, now_ms: f64, clock: &dyn Fn(f64) -> String, open: &str) -> String {
        when(self.start_ms, self.end_ms, now_ms, clock, open)
    }
}

/// A span in words, as [`Outage::when`] says it: "09:05 to 09:31 (26 min)",
/// or while it lasts "since 09:05 (12 min{open})".
fn when(
    start_ms: f64,
    end_ms: Option<f64>,
    now_ms: f64,
    clock: &dyn Fn(f64) -> String,
    open: &str,
) -> String {
    match end_ms {
        Some(end) => format!(
            "{} to {} ({})",
            clock(start_ms),
            clock(end),
            span_length(end - start_ms)
        ),
        None => format!(
            "since {} ({}{open})",
            clock(start_ms),
            span_length(now_ms - start_ms)
        ),
    }
}

/// A target answering, but late, for a while.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlowSpell {
    pub target: usize,
    pub start_ms: f64,
    /// The first answer in time again, or a failure; `None` while it lasts.
    pub end_ms: Option<f64>,
    /// The slowest round trip of the spell.
    pub worst_ms: f64,
}

/// The samples that count: those taken while the watch ran. One stamped
/// inside a span the page recorded as paused is not trusted (a request
/// that was in flight when the page froze).
fn counted<'a>(watch: &'a Watch, pauses: &'a [Span]) -> impl Iterator<Item = &'a Sample> + 'a {
    watch
        .samples
        .iter()
        .filter(|s| !pauses.iter().any(|p| p.contains(s.at_ms)))
}

/// One target's samples in order, cut at the watch's `pauses`.
fn runs_of(watch: &Watch, pauses: &[Span], target: usize) -> Vec<Vec<Sample>> {
    let mut runs: Vec<Vec<Sample>> = Vec::new();
    let mut last: Option<f64> = None;
    for sample in counted(watch, pauses).filter(|s| s.target == target) {
        let paused_between = last.is_none_or(|last| {
            pauses
                .iter()
                .any(|p| p.from_ms >= last && p.from_ms < sample.at_ms)
        });
        if paused_between {
            runs.push(Vec::new());
        }
        if let Some(run) = runs.last_mut() {
            run.push(*sample);
        }
        last = Some(sample.at_ms);
    }
    runs
}

/// When the watch did not run: the spans the page recorded, and every gap
/// between cycles longer than [`GAP_INTERVALS`] intervals (from one
/// interval after the last sample to the next), merged and in order.
pub fn pauses(watch: &Watch) -> Vec<Span> {
    let interval = f64::from(watch.interval_ms);
    let mut times: Vec<f64> = watch.samples.iter().map(|s| s.at_ms).collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    let gaps = times
        .windows(2)
        .filter(|w| w[1] - w[0] > GAP_INTERVALS * interval)
        .map(|w| Span {
            from_ms: w[0] + interval,
            to_ms: w[1],
        });
    // In order of their start, by insertion: pauses are few, and one more
    // sort of its own would cost the clinician's page kilobytes.
    let mut spans: Vec<Span> = Vec::new();
    let earlier = watch.earlier.iter().flat_map(|e| e.paused.iter().copied());
    for span in earlier.chain(watch.paused.iter().copied()).chain(gaps) {
        let at = spans.partition_point(|s| s.from_ms <= span.from_ms);
        spans.insert(at, span);
    }
    let mut merged: Vec<Span> = Vec::new();
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.from_ms <= last.to_ms => last.to_ms = last.to_ms.max(span.to_ms),
            _ => merged.push(span),
        }
    }
    merged
}

/// When `target` was down: from its first failed sample to the first
/// answered one of the [`UP_AFTER`] that brought it back, after
/// [`DOWN_AFTER`] failures in a row with no pause between them.
pub fn down_spans(watch: &Watch, target: usize) -> Vec<(f64, Option<f64>)> {
    down_spans_in(watch, &pauses(watch), target)
}

/// [`down_spans`], with the watch's pauses worked out once by the caller.
fn down_spans_in(watch: &Watch, pauses: &[Span], target: usize) -> Vec<(f64, Option<f64>)> {
    let mut spans = Vec::new();
    for run in runs_of(watch, pauses, target) {
        let mut failed_from: Option<(f64, u32)> = None;
        let mut down_since: Option<f64> = None;
        let mut answered_from: Option<(f64, u32)> = None;
        for sample in run {
            if sample.answered {
                failed_from = None;
                if let Some(since) = down_since {
                    let (first, count) =
                        answered_from.map_or((sample.at_ms, 1), |(f, n)| (f, n + 1));
                    answered_from = Some((first, count));
                    if count >= UP_AFTER {
                        spans.push((since, Some(first)));
                        down_since = None;
                        answered_from = None;
                    }
                }
            } else {
                answered_from = None;
                if down_since.is_none() {
                    let (first, count) = failed_from.map_or((sample.at_ms, 1), |(f, n)| (f, n + 1));
                    failed_from = Some((first, count));
                    if count >= DOWN_AFTER {
                        down_since = Some(first);
                        failed_from = None;
                    }
                }
            }
        }
        // Down when the run stopped: still down if it is the last run;
        // otherwise the pause hides when it came back, so it ends where the
        // pause began (a pause is never a drop).
        if let Some(since) = down_since {
            spans.push((since, pause_after(pauses, since)));
        }
    }
    spans
}

/// The drops of the whole watch: each time one or more targets were down,
/// the targets down together, and where on the path it was.
pub fn outages(watch: &Watch) -> Vec<Outage> {
    let mut all = watch
        .earlier
        .as_ref()
        .map_or_else(Vec::new, |e| e.drops.clone());
    all.extend(raw_outages(watch, &pauses(watch)));
    all
}

/// The drops of the samples kept (not of [`Watch::earlier`]).
fn raw_outages(watch: &Watch, pauses: &[Span]) -> Vec<Outage> {
    // Every target's down spans in order of their start (by insertion, as
    // in `pauses`).
    let mut spans: Vec<(f64, Option<f64>, usize)> = Vec::new();
    for target in 0..watch.targets.len() {
        for (start, end) in down_spans_in(watch, pauses, target) {
            let at = spans.partition_point(|s| s.0 <= start);
            spans.insert(at, (start, end, target));
        }
    }
    let mut outages: Vec<Outage> = Vec::new();
    for (start, end, target) in spans {
        let overlaps = outages
            .last()
            .is_some_and(|o| o.end_ms.is_none_or(|e| start < e));
        if let (true, Some(last)) = (overlaps, outages.last_mut()) {
            last.end_ms = match (last.end_ms, end) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            };
            if let Err(at) = last.targets.binary_search(&target) {
                last.targets.insert(at, target);
            }
        } else {
            outages.push(Outage {
                start_ms: start,
                end_ms: end,
                targets: vec![target],
                diagnosis: Diagnosis::Unknown,
            });
        }
    }
    for outage in &mut outages {
        for target in failing_throughout(watch, outage) {
            if let Err(at) = outage.targets.binary_search(&target) {
                outage.targets.insert(at, target);
            }
        }
        outage.diagnosis = place(watch, &outage.targets);
    }
    outages
}

/// The targets asked during `outage` that failed every time, though not
/// yet the [`DOWN_AFTER`] times in a row that make a target down: those
/// asked a moment after the first at a drop's start, and those whose
/// failures a short drop cut off. Such a target is no evidence that its
/// part of the path stayed up, and a drop placed as if it were names the
/// wrong place (everything public failing at once read as the last part of
/// the path to fail, with the others "up").
fn failing_throughout(watch: &Watch, outage: &Outage) -> Vec<usize> {
    let during =
        |s: &&Sample| s.at_ms >= outage.start_ms && outage.end_ms.is_none_or(|end| s.at_ms < end);
    // Per target: (asked during the drop, answered during it).
    let mut asked = vec![(false, false); watch.targets.len()];
    for sample in watch.samples.iter().filter(during) {
        if let Some(seen) = asked.get_mut(sample.target) {
            *seen = (true, seen.1 || sample.answered);
        }
    }
    asked
        .into_iter()
        .enumerate()
        .filter(|(_, (asked, answered))| *asked && !answered)
        .map(|(target, _)| target)
        .collect()
}

/// Where a drop of `down` was, by the verdict's rules: the targets down
/// failed and every other target sampled answered, as if one check had been
/// taken in the middle of it. So a drop of the HSCN hosts while the
/// internet answers is an HSCN drop, and a drop of everything beyond this
/// computer is the practice's connection, not the supplier.
fn place(watch: &Watch, down: &[usize]) -> Diagnosis {
    let sampled = |t: usize| watch.samples.iter().any(|s| s.target == t);
    let results: Vec<CheckResult> = watch
        .targets
        .iter()
        .enumerate()
        .filter(|(t, _)| sampled(*t))
        .map(|(t, target)| CheckResult {
            target: target.name.clone(),
            segment: target.segment,
            measurement: Measurement::Reach(Reach {
                outcome: if down.contains(&t) {
                    ReachOutcome::TimedOut { after_ms: 0.0 }
                } else {
                    ReachOutcome::Reached { status: None }
                },
                first_ms: None,
                repeat_ms: None,
            }),
        })
        .collect();
    let online = DeviceFacts {
        online: true,
        ..DeviceFacts::default()
    };
    judge(&results, &online).primary().diagnosis
}

/// Each target's slow spells: [`SLOW_AFTER`] or more answered samples in a
/// row slower than its threshold, with no pause between them. A spell still
/// slow when a pause began ends there, as a drop does.
pub fn slow_spells(watch: &Watch) -> Vec<SlowSpell> {
    let mut all = watch
        .earlier
        .as_ref()
        .map_or_else(Vec::new, |e| e.slow_spells.clone());
    all.extend(raw_slow_spells(watch, &pauses(watch)));
    all
}

/// The slow spells of the samples kept (not of [`Watch::earlier`]).
fn raw_slow_spells(watch: &Watch, pauses: &[Span]) -> Vec<SlowSpell> {
    let mut spells = Vec::new();
    for (t, target) in watch.targets.iter().enumerate() {
        let late = |s: &Sample| {
            s.answered
                && s.round_trip_ms
                    .is_some_and(|ms| ms > f64::from(target.late_ms))
        };
        for run in runs_of(watch, pauses, t) {
            let mut i = 0;
            while i < run.len() {
                let slow = run[i..].iter().take_while(|s| late(s)).count();
                if slow as u32 >= SLOW_AFTER {
                    let start = run[i].at_ms;
                    let at = spells.partition_point(|s: &SlowSpell| s.start_ms <= start);
                    spells.insert(
                        at,
                        SlowSpell {
                            target: t,
                            start_ms: start,
                            end_ms: run
                                .get(i + slow)
                                .map(|s| s.at_ms)
                                .or_else(|| pause_after(pauses, start)),
                            worst_ms: run[i..i + slow]
                                .iter()
                                .filter_map(|s| s.round_trip_ms)
                                .fold(0.0, f64::max),
                        },
                    );
                }
                i += slow.max(1);
            }
        }
    }
    spells
}

/// Where the first pause after `at_ms` begins.
fn pause_after(pauses: &[Span], at_ms: f64) -> Option<f64> {
    pauses.iter().find(|p| p.from_ms > at_ms).map(|p| p.from_ms)
}

/// Each target's share of its samples that were answered, 0 to 1, or
/// `None` for a target not yet sampled.
pub fn availability(watch: &Watch) -> Vec<Option<f64>> {
    answer_counts(watch, &pauses(watch))
        .into_iter()
        .map(|(answered, all)| (all > 0).then(|| f64::from(answered) / f64::from(all)))
        .collect()
}

/// Each target's samples answered, and all its samples, outside `pauses`.
fn answer_counts(watch: &Watch, pauses: &[Span]) -> Vec<(u32, u32)> {
    let mut counts = vec![(0u32, 0u32); watch.targets.len()];
    if let Some(earlier) = &watch.earlier {
        for (count, target) in counts.iter_mut().zip(&earlier.targets) {
            *count = (target.answered, target.sampled);
        }
    }
    for sample in counted(watch, pauses) {
        if let Some((answered, all)) = counts.get_mut(sample.target) {
            *answered += u32::from(sample.answered);
            *all += 1;
        }
    }
    counts
}

/// The watch in plain English, for the top of the page and the report:
/// "2 drops so far: 09:05 to 09:31 (26 min) and 11:10 to 11:12 (2 min). The
/// NHS network link (HSCN) failed; the internet stayed up." Times are local
/// (`utc_offset_minutes` east); `now_ms` closes what is still open.
pub fn summary(watch: &Watch, now_ms: f64, utc_offset_minutes: i32) -> String {
    let sampled: Vec<bool> = (0..watch.targets.len())
        .map(|t| {
            watch.samples.iter().any(|s| s.target == t)
                || watch
                    .earlier
                    .as_ref()
                    .and_then(|e| e.targets.get(t))
                    .is_some_and(|e| e.sampled > 0)
        })
        .collect();
    let segments: Vec<Segment> = watch.targets.iter().map(|t| t.segment).collect();
    let found = outages(watch);
    let watched_ms = now_ms - watch.started_at_ms;
    let mut text = summary_of(
        &found,
        &segments,
        &sampled,
        watched_ms,
        now_ms,
        utc_offset_minutes,
        true,
    );
    let each_target = (0..watch.targets.len()).map(|t| watch.loss_of(t));
    let spells = loss::every_lossy_spell(each_target, watch.started_at_ms, true);
    if let Some(loss) = loss::summary(&spells, &segments, now_ms, utc_offset_minutes) {
        text.push(' ');
        text.push_str(&loss);
    }
    text
}

/// [`summary`] from what a watch found: its drops, each target's segment
/// and whether it was sampled, how long it has watched, and whether it
/// still watches (its drops are "so far").
fn summary_of(
    found: &[Outage],
    segments: &[Segment],
    sampled: &[bool],
    watched_ms: f64,
    now_ms: f64,
    utc_offset_minutes: i32,
    so_far: bool,
) -> String {
    let clock = |ms: f64| format_timestamp(ms, utc_offset_minutes)[11..16].to_owned();
    if found.is_empty() {
        return format!("No drops in {} of watching.", span_length(watched_ms));
    }
    let spans: Vec<String> = found
        .iter()
        .map(|o| o.when(now_ms, &clock, ", still down"))
        .collect();
    let spans: Vec<&str> = spans.iter().map(String::as_str).collect();
    let counted = drops_counted(found.len());
    let mut text = match so_far {
        true => format!("{counted} so far: {}.", join_and(&spans)),
        false => format!("{counted}: {}.", join_and(&spans)),
    };
    // Which parts failed, and which of the others were shown to stay up.
    let mut failed: Vec<Segment> = Vec::new();
    for o in found {
        for &t in &o.targets {
            if let Some(&segment) = segments.get(t)
                && !failed.contains(&segment)
            {
                failed.push(segment);
            }
        }
    }
    let was_sampled = |segment: Segment| {
        segments
            .iter()
            .zip(sampled)
            .any(|(s, sampled)| *s == segment && *sampled)
    };
    let stayed_up: Vec<&str> = Segment::ALL
        .into_iter()
        .filter(|s| !failed.contains(s) && *s != Segment::Device && was_sampled(*s))
        .map(Segment::plain_name)
        .collect();
    let failed: Vec<&str> = failed.into_iter().map(Segment::plain_name).collect();
    let mut second = format!(" {} failed", join_and(&failed));
    if !stayed_up.is_empty() {
        second.push_str(&format!("; {} stayed up", join_and(&stayed_up)));
    }
    text.push_str(&capitalised(&second));
    text.push('.');
    text
}

/// "1 drop", "3 drops".
fn drops_counted(count: usize) -> String {
    match count {
        1 => "1 drop".to_owned(),
        n => format!("{n} drops"),
    }
}

/// "a", "a and b", "a, b and c".
fn join_and(items: &[&str]) -> String {
    match items.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// `text` with its first letter (after a leading space) in capitals. The
/// segments' names start with ASCII letters; ASCII only, because Unicode's
/// case tables would cost the clinician's page 18 KB.
fn capitalised(text: &str) -> String {
    let mut out = text.to_owned();
    if let Some(first) = out.bytes().position(|b| b != b' ') {
        out[first..=first].make_ascii_uppercase();
    }
    out
}

/// How a target fared in one cell of the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell {
    /// Every sample answered.
    Up,
    /// Some answered, some did not.
    SomeFailed,
    /// None answered.
    Down,
    /// The watch was paused and took no sample.
    Paused,
    /// Nothing sampled (before the watch, or a target added later).
    NoData,
}

/// One row per target of cells `cell_ms` long from the watch's start to
/// `until_ms`: the timeline's data (a minute a cell, or ten seconds zoomed).
pub fn timeline(watch: &Watch, cell_ms: f64, until_ms: f64) -> Vec<Vec<Cell>> {
    let cells = ((until_ms - watch.started_at_ms) / cell_ms).ceil().max(0.0) as usize;
    let pauses = pauses(watch);
    let mut counts = vec![vec![(0u32, 0u32); cells]; watch.targets.len()];
    for sample in counted(watch, &pauses) {
        let cell = ((sample.at_ms - watch.started_at_ms) / cell_ms).floor();
        if cell < 0.0 || cell as usize >= cells || sample.target >= counts.len() {
            continue;
        }
        let (answered, failed) = &mut counts[sample.target][cell as usize];
        if sample.answered {
            *answered += 1;
        } else {
            *failed += 1;
        }
    }
    // Cells before the samples kept read the minutes they were folded into.
    let folded = |t: usize, middle: f64| {
        let earlier = watch.earlier.as_ref().filter(|e| middle < e.until_ms)?;
        let minute = ((middle - watch.started_at_ms) / snapshot::MINUTE_MS).floor() as usize;
        earlier.targets.get(t)?.minutes.get(minute).copied()
    };
    counts
        .into_iter()
        .enumerate()
        .map(|(t, row)| {
            row.into_iter()
                .enumerate()
                .map(|(i, counted)| {
                    let middle = watch.started_at_ms + (i as f64 + 0.5) * cell_ms;
                    if let Some(cell) = folded(t, middle) {
                        return cell;
                    }
                    match counted {
                        (0, 0) if pauses.iter().any(|p| p.contains(middle)) => Cell::Paused,
                        (0, 0) => Cell::NoData,
                        (_, 0) => Cell::Up,
                        (0, _) => Cell::Down,
                        _ => Cell::SomeFailed,
                    }
                })
                .collect()
        })
        .collect()
}

/// A target's round trips in each cell of the timeline (median and spread,
/// for the timeline's band), `None` where nothing answered with one.
pub fn round_trips(
    watch: &Watch,
    target: usize,
    cell_ms: f64,
    until_ms: f64,
) -> Vec<Option<Summary>> {
    let cells = ((until_ms - watch.started_at_ms) / cell_ms).ceil().max(0.0) as usize;
    let pauses = pauses(watch);
    let mut per_cell: Vec<Vec<f64>> = vec![Vec::new(); cells];
    for sample in counted(watch, &pauses).filter(|s| s.target == target && s.answered) {
        let cell = ((sample.at_ms - watch.started_at_ms) / cell_ms).floor();
        if let (Some(ms), Some(times)) = (
            sample.round_trip_ms,
            per_cell.get_mut(cell.max(0.0) as usize),
        ) && cell >= 0.0
        {
            times.push(ms);
        }
    }
    per_cell.iter().map(|times| summarize(times)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Segment::*;

    const START: f64 = 1_795_510_800_000.0; // 2026-11-24 09:00:00 UTC
    const INTERVAL: u32 = 10_000;

    /// A watch of `targets`, each sampled once a cycle by its pattern: `.`
    /// answered, `s` answered slowly (500 ms, threshold 300), `x` failed,
    /// and a space for a cycle with no sample (the watch paused).
    fn watch(targets: &[(&str, Segment, &str)]) -> Watch {
        let mut samples = Vec::new();
        let cycles = targets.iter().map(|t| t.2.len()).max().unwrap_or(0);
        for cycle in 0..cycles {
            for (t, (_, _, pattern)) in targets.iter().enumerate() {
                let at_ms = START + (cycle as f64) * f64::from(INTERVAL) + t as f64 * 100.0;
                let (answered, round_trip_ms) = match pattern.as_bytes().get(cycle) {
                    Some(b'.') => (true, Some(20.0)),
                    Some(b's') => (true, Some(500.0)),
                    Some(b'x') => (false, None),
                    _ => continue,
                };
                samples.push(Sample {
                    at_ms,
                    target: t,
                    answered,
                    round_trip_ms,
                });
            }
        }
        Watch {
            started_at_ms: START,
            interval_ms: INTERVAL,
            targets: targets
                .iter()
                .map(|(name, segment, _)| WatchTarget {
                    name: (*name).to_owned(),
                    segment: *segment,
                    late_ms: 300,
                })
                .collect(),
            samples,
            paused: Vec::new(),
            earlier: None,
            loss: Vec::new(),
        }
    }

    /// The time of cycle `n` (target 0's sample in it).
    fn cycle(n: u32) -> f64 {
        START + f64::from(n * INTERVAL)
    }

    /// A down span as (first cycle, recovery cycle).
    type Cycles = (u32, Option<u32>);

    /// Down spans of target 0, in cycles.
    fn down_cycles(pattern: &str) -> Vec<Cycles> {
        let w = watch(&[("host", Hscn, pattern)]);
        down_spans(&w, 0)
            .into_iter()
            .map(|(s, e)| {
                let n = |ms: f64| ((ms - START) / f64::from(INTERVAL)).round() as u32;
                (n(s), e.map(n))
            })
            .collect()
    }

    #[test]
    fn a_drop_just_begun_counts_the_targets_failing_with_it_never_as_up() {
        // Every public target failing from the start, at 2 s: the first
        // has failed three times when the others have failed twice.
        let w = watch(&[
            ("Spine", Identity, "xxx"),
            ("server", Lan, "..."),
            ("HSCN host", Hscn, "xx"),
            ("web", Internet, "xx"),
            ("supplier", Supplier, "xx"),
        ]);
        let found = outages(&w);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].targets, [0, 2, 3, 4]);
        assert_eq!(
            found[0].diagnosis,
            Diagnosis::At(Lan),
            "the practice's own connection"
        );
        assert!(
            summary(&w, cycle(3), 0).ends_with(
                "the internet and the clinical system supplier failed; the practice network stayed up."
            ),
            "{}",
            summary(&w, cycle(3), 0)
        );
        // A target that answered during the drop did stay up.
        let w = watch(&[("Spine", Identity, "xxxx"), ("HSCN host", Hscn, "x...")]);
        let found = outages(&w);
        assert_eq!(found[0].targets, [0]);
        assert_eq!(found[0].diagnosis, Diagnosis::At(Identity));
    }

    #[test]
    fn a_target_is_down_after_three_failures_and_up_after_two_answers() {
        let cases: &[(&str, &str, &[Cycles])] = &[
            ("all answered", "..........", &[]),
            ("one lost request is no drop", "...x......", &[]),
            ("two in a row are not either", "...xx.....", &[]),
            ("three in a row are a drop", "...xxx....", &[(3, Some(6))]),
            ("still down at the end", "....xxxx", &[(4, None)]),
            (
                "one answer amid failures does not end it (flap control)",
                "..xxx.xx..",
                &[(2, Some(8))],
            ),
            (
                "two drops with a recovery between",
                ".xxx...xxxx..",
                &[(1, Some(4)), (7, Some(11))],
            ),
            (
                "failures either side of a pause are not consecutive",
                "..xx    xx..",
                &[],
            ),
        ];
        for (name, pattern, expected) in cases {
            assert_eq!(down_cycles(pattern), *expected, "{name}: {pattern:?}");
        }
    }

    #[test]
    fn a_gap_in_the_samples_is_a_pause_and_cuts_an_open_drop() {
        // Down from cycle 2; the watch stops after cycle 5 and resumes at 12.
        let w = watch(&[("host", Hscn, "..xxxx      ....")]);
        assert_eq!(
            pauses(&w),
            [Span {
                from_ms: cycle(6),
                to_ms: cycle(12)
            }]
        );
        // It is not known when the host came back: the drop ends where the
        // pause began, and the paused span is no drop.
        assert_eq!(down_spans(&w, 0), [(cycle(2), Some(cycle(6)))]);
        // A few missed cycles are not a pause.
        assert_eq!(pauses(&watch(&[("host", Hscn, ".. ..")])), []);
    }

    #[test]
    fn a_pause_the_page_recorded_counts_though_samples_kept_coming() {
        let mut w = watch(&[("host", Hscn, "..xxxx..")]);
        assert_eq!(down_spans(&w, 0), [(cycle(2), Some(cycle(6)))]);
        // Frozen for a moment between cycles 3 and 4: two failures before
        // and two after are not four in a row.
        w.paused.push(Span {
            from_ms: cycle(3) + 1.0,
            to_ms: cycle(4) - 1.0,
        });
        assert_eq!(down_spans(&w, 0), []);
    }

    #[test]
    fn each_drop_is_placed_on_the_path_by_the_verdicts_rules() {
        let targets = |server: &'static str,
                       hscn: &'static str,
                       internet: &'static str,
                       supplier: &'static str| {
            watch(&[
                ("server", Device, server),
                ("hscn host", Hscn, hscn),
                ("internet ref 1", Internet, internet),
                ("internet ref 2", Internet, internet),
                ("supplier api", Supplier, supplier),
            ])
        };
        let cases = [
            (
                "HSCN hosts drop while the internet answers",
                targets("..........", "..xxxx....", "..........", ".........."),
                vec![(Diagnosis::At(Hscn), vec![1])],
            ),
            (
                "the supplier refuses",
                targets("..........", "..........", "..........", "...xxx...."),
                vec![(Diagnosis::At(Supplier), vec![4])],
            ),
            (
                "everything beyond this computer drops: the practice's connection, not the supplier",
                targets("..........", "..xxxx....", "..xxxx....", "..xxxx...."),
                vec![(Diagnosis::At(Lan), vec![1, 2, 3, 4])],
            ),
            (
                "two drops at different times, each placed",
                targets(
                    "..............",
                    ".xxx..........",
                    "..............",
                    "........xxx...",
                ),
                vec![
                    (Diagnosis::At(Hscn), vec![1]),
                    (Diagnosis::At(Supplier), vec![4]),
                ],
            ),
        ];
        for (name, w, expected) in cases {
            let got: Vec<(Diagnosis, Vec<usize>)> = outages(&w)
                .into_iter()
                .map(|o| (o.diagnosis, o.targets))
                .collect();
            assert_eq!(got, expected, "{name}");
        }
    }

    #[test]
    fn overlapping_drops_of_several_targets_are_one_drop() {
        let w = watch(&[
            ("hscn host", Hscn, "..xxxxx......."),
            ("internet ref", Internet, "....xxxxxx...."),
            ("other ref", Internet, ".............."),
        ]);
        let found = outages(&w);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].targets, [0, 1]);
        assert_eq!(found[0].start_ms, cycle(2));
        // The later target's recovery ends it (its sample is 100 ms after
        // target 0's in each cycle).
        assert_eq!(found[0].end_ms, Some(cycle(10) + 100.0));
    }

    #[test]
    fn sustained_slowness_is_a_slow_spell_apart_from_drops() {
        let w = watch(&[("server", Lan, "..s.sss..ssss")]);
        let spells: Vec<(f64, Option<f64>, f64)> = slow_spells(&w)
            .into_iter()
            .map(|s| (s.start_ms, s.end_ms, s.worst_ms))
            .collect();
        assert_eq!(
            spells,
            [(cycle(4), Some(cycle(7)), 500.0), (cycle(9), None, 500.0)]
        );
        assert_eq!(outages(&w), []);
    }

    #[test]
    fn a_watch_link_asks_for_an_interval_or_gets_the_default_with_a_reason() {
        let ok = |interval_ms| {
            Some((
                WatchRequest {
                    interval_ms,
                    until_stopped: false,
                },
                None,
            ))
        };
        assert_eq!(requested_by("#watch"), ok(10_000));
        // The clinician's form, as the browser submits it.
        assert_eq!(requested_by("watch=30s&for=8h"), ok(30_000));
        let until_stopped = requested_by("watch=2s&for=as-long-as-left").map(|(r, _)| r);
        assert_eq!(
            until_stopped.map(|r| (r.interval_ms, r.duration_ms())),
            Some((2_000, LONGEST_DURATION_MS))
        );
        assert_eq!(
            requested_by("#watch&for=as-long-as-left").map(|(r, _)| r.until_stopped),
            Some(true)
        );
        assert_eq!(requested_by("#watch=2s"), ok(2_000));
        assert_eq!(requested_by("#watch=30s"), ok(30_000));
        assert_eq!(requested_by("#watch=1m"), ok(60_000));
        assert_eq!(requested_by("#watch=5m"), ok(300_000));
        for bad in [
            "#watch=0s",
            "#watch=6m",
            "#watch=fast",
            "#watch=",
            "#watch=2",
            "#watch=99999s",
        ] {
            let (request, problem) = requested_by(bad).unwrap_or_default();
            assert_eq!(request, WatchRequest::default(), "{bad}");
            let problem = problem.unwrap_or_default();
            assert!(
                problem.starts_with("The link asked to watch every"),
                "{bad}: {problem}"
            );
            assert!(
                problem.ends_with("watching every 10 seconds instead."),
                "{bad}"
            );
        }
        for other in ["", "#", "#selftest-panic", "#watcher", "#LT2.abc.def"] {
            assert_eq!(requested_by(other), None, "{other}");
        }
    }

    /// The words a link uses for each interval the page offers.
    fn link_words(interval_ms: u32) -> String {
        if interval_ms.is_multiple_of(60_000) {
            format!("{}m", interval_ms / 60_000)
        } else {
            format!("{}s", interval_ms / 1_000)
        }
    }

    #[test]
    fn every_interval_offered_reads_back_from_its_link_words() {
        for (interval_ms, _) in INTERVAL_CHOICES {
            let asked = format!("watch={}", link_words(interval_ms));
            let expected = WatchRequest {
                interval_ms,
                until_stopped: false,
            };
            assert_eq!(requested_by(&asked), Some((expected, None)));
            assert_eq!(requested_by(&format!("#{asked}")), Some((expected, None)));
        }
    }

    #[test]
    fn the_summary_says_when_it_dropped_what_failed_and_what_stayed_up() {
        let w = watch(&[
            ("server", Device, "...................................."),
            ("hscn host", Hscn, "..xxxxx......................xxx...."),
            (
                "internet ref",
                Internet,
                "....................................",
            ),
        ]);
        let now = cycle(36);
        assert_eq!(
            summary(&w, now, 60),
            "2 drops so far: 10:00 to 10:01 (50 s) and 10:04 to 10:05 (30 s). The NHS network link (HSCN) failed; the internet stayed up."
        );
        let quiet = watch(&[("server", Device, "......")]);
        assert_eq!(
            summary(&quiet, cycle(360), 0),
            "No drops in 1 h of watching."
        );
        let open = watch(&[("hscn host", Hscn, "....xxxx")]);
        assert_eq!(
            summary(&open, cycle(8), 0),
            "1 drop so far: since 09:00 (40 s, still down). The NHS network link (HSCN) failed."
        );
        assert_eq!(availability(&w), [Some(1.0), Some(28.0 / 36.0), Some(1.0)]);
    }

    #[test]
    fn round_trips_are_summed_up_per_cell() {
        let w = watch(&[("server", Lan, "..s.xx..")]);
        let cells = round_trips(&w, 0, 20_000.0, cycle(8));
        let medians: Vec<Option<f64>> = cells.iter().map(|c| c.map(|s| s.median)).collect();
        // Cells of two cycles: (20, 20), (500, 20), (failed, failed), (20,
        // 20); the median is the nearest rank's, the spread shows the 500.
        assert_eq!(medians, [Some(20.0), Some(20.0), None, Some(20.0)]);
        assert_eq!(cells[1].map(|s| (s.min, s.max)), Some((20.0, 500.0)));
    }

    #[test]
    fn a_watch_on_a_secure_page_leaves_out_plain_http_targets_it_cannot_reach() {
        let mut config = Config::embedded_default();
        config.targets[1].url = "http://vantage.example.nhs.uk/".into();
        let name = config.targets[1].name.clone();
        let names = |over_https| -> Vec<String> {
            watched(&config, "linktriage.example.nhs.uk", over_https)
                .into_iter()
                .map(|w| w.target.name)
                .collect()
        };
        assert!(names(false).contains(&name));
        assert!(
            !names(true).contains(&name),
            "every sample would fail: a drop that never was"
        );
        assert_eq!(names(true).len(), names(false).len() - 1);
    }

    #[test]
    fn a_watch_samples_every_target_but_local_services_lightly() {
        let config = Config::embedded_default();
        let found = watched(&config, "127.0.0.1", false);
        let agents = config
            .targets
            .iter()
            .filter(|t| t.kind == TargetKind::Agent)
            .count();
        assert_eq!(found.len(), config.targets.len() - agents);
        assert_eq!(found[0].kind, SampleKind::Ping);
        assert_eq!(
            found[0].target.segment, Device,
            "the page's own server, on loopback"
        );
        assert!(found[1..].iter().all(|w| w.kind == SampleKind::Reach));
        // One request a reach target, a few pings the probe.
        assert_eq!(
            requests_per_cycle(&found),
            found.len() as u32 - 1 + PINGS_PER_SAMPLE
        );
        assert_eq!(sample_timeout_ms(4_000, 10_000), 4_000);
        assert_eq!(sample_timeout_ms(4_000, 2_000), 1_600);
        assert_eq!(sample_timeout_ms(4_000, 1_000), 800);
    }

    #[test]
    fn a_snapshot_keeps_the_minutes_the_drops_and_the_counts() {
        let w = watch(&[
            ("Internet", Internet, "............"),
            ("HSCN", Hscn, "...xxxxx...."),
        ]);
        let s = WatchSnapshot::of(&w, cycle(12), true);
        assert_eq!(s.targets[0].minutes, [Cell::Up, Cell::Up]);
        assert_eq!(s.targets[1].minutes, [Cell::SomeFailed, Cell::SomeFailed]);
        assert_eq!((s.targets[1].answered, s.targets[1].sampled), (7, 12));
        assert_eq!(s.drops.len(), 1);
        assert_eq!(s.drops[0].diagnosis, Diagnosis::At(Hscn));
        assert_eq!(
            s.summary(0),
            "1 drop so far: 09:00 to 09:01 (50 s). The NHS network link (HSCN) failed; the internet stayed up."
        );
        assert_eq!(
            s.when_utc(s.drops[0].start_ms, s.drops[0].end_ms),
            "09:00:30 to 09:01:20 UTC (50 s)"
        );
        let finding = s.findings().remove(0);
        assert_eq!(
            finding.headline,
            "The connection dropped once in 2 min of watching, at the NHS network link (HSCN)."
        );
        assert_eq!(
            finding.evidence,
            ["Watch: drop 09:00:30 to 09:01:20 UTC (50 s), HSCN not answering"]
        );
        // Still down when the snapshot was taken: said so.
        let open = WatchSnapshot::of(&watch(&[("HSCN", Hscn, "....xxxx")]), cycle(8), true);
        assert_eq!(
            open.findings().first().map(|f| f.headline.clone()),
            Some("The connection is down now, at the NHS network link (HSCN).".to_owned())
        );
        assert_eq!(
            open.when_local(open.drops[0].start_ms, None, 60),
            "since 10:00:40 local (40 s, still going at the time of this report)"
        );
        // Nothing dropped: no finding.
        assert_eq!(
            WatchSnapshot::of(&watch(&[("HSCN", Hscn, "....")]), cycle(4), false).findings(),
            []
        );
    }

    /// A minute of `sent` loss probes, `out` lost on the way and `back`
    /// on the way back.
    fn loss_minute(minute: u32, sent: u32, out: u32, back: u32) -> crate::loss::Minute {
        crate::loss::Minute {
            minute,
            sent,
            reached_server: Some(sent - out),
            came_back: sent - out - back,
            late: 0,
            round_trip_ms: Some(14.0),
        }
    }

    #[test]
    fn sustained_packet_loss_over_a_watch_is_a_degraded_path_where_it_starts() {
        let mut w = watch(&[
            ("Internet", Internet, &".".repeat(60)),
            ("HSCN server", Hscn, &".".repeat(60)),
        ]);
        for minute in 0..10 {
            let lossy = (3..7).contains(&minute);
            w.add_loss(1, loss_minute(minute, 120, if lossy { 6 } else { 0 }, 0));
        }
        let s = WatchSnapshot::of(&w, cycle(60), false);
        assert_eq!(s.targets[1].loss.len(), 10);
        assert!(s.targets[0].loss.is_empty());
        let findings = s.findings();
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].diagnosis, Diagnosis::Degraded);
        assert_eq!(
            findings[0].headline,
            "The connection lost packets for 4 min in 10 min of watching, starting at the NHS network link (HSCN)."
        );
        assert_eq!(
            findings[0].evidence,
            [
                "Watch: HSCN server lost packets 09:03:00 to 09:07:00 UTC (4 min): 5.0 % of packets lost (24 on the way there, 0 back; 480 sent); with packets lost, the clinical system's screens hang, then carry on, and its connections can drop"
            ]
        );
        assert_eq!(
            s.summary(0),
            "No drops in 10 min of watching. Packets were lost 09:03 to 09:07 (4 min), starting at the NHS network link (HSCN)."
        );
        // The watch page says the same of the live record.
        assert_eq!(summary(&w, cycle(60), 0), s.summary(0));
        // Loss within the limit, or one bad minute, is no finding.
        let mut quiet = watch(&[("HSCN server", Hscn, &".".repeat(60))]);
        for minute in 0..10 {
            quiet.add_loss(
                0,
                loss_minute(minute, 120, u32::from(minute == 4) * 20 + 1, 0),
            );
        }
        assert_eq!(WatchSnapshot::of(&quiet, cycle(60), false).findings(), []);
    }

    #[test]
    fn folding_old_samples_into_minutes_keeps_what_the_watch_found() {
        // 18 minutes at 10 s: HSCN down in minutes 2 to 4, slow in minute
        // 8, a gap in minutes 11 and 12, and down again from minute 16.
        let mut hscn = String::new();
        for minute in 0..18 {
            hscn.push_str(match minute {
                2..=4 => "xxxxxx",
                8 => "ssssss",
                11 | 12 => "      ",
                16 | 17 => "xxxxxx",
                _ => "......",
            });
        }
        let whole = watch(&[
            ("Internet", Internet, &".".repeat(108)),
            ("HSCN", Hscn, &hscn),
        ]);
        let now = cycle(108);
        let found = |w: &Watch| {
            (
                outages(w),
                slow_spells(w),
                timeline(w, 60_000.0, now),
                availability(w),
                summary(w, now, 0),
            )
        };
        let mut folded = whole.clone();
        // Asked to fold up to 09:17:30: the drop open since 09:16 is not
        // cut, so the fold is at 09:16 (the quiet minute before it).
        assert_eq!(
            folded.compact(START + 17.5 * 60_000.0),
            Some(START + 16.0 * 60_000.0)
        );
        assert!(
            folded
                .samples
                .iter()
                .all(|s| s.at_ms >= START + 16.0 * 60_000.0)
        );
        assert_eq!(found(&folded), found(&whole));
        assert_eq!(
            WatchSnapshot::of(&folded, now, true),
            WatchSnapshot::of(&whole, now, true)
        );
        // Nothing before the last fold is folded again.
        assert_eq!(folded.compact(START + 10.0 * 60_000.0), None);
        // A fold inside the drop of minutes 2 to 4 moves before it.
        let mut early = whole.clone();
        assert_eq!(
            early.compact(START + 3.5 * 60_000.0),
            Some(START + 2.0 * 60_000.0)
        );
        assert_eq!(found(&early), found(&whole));
    }

    #[test]
    fn the_timeline_shows_up_some_failed_down_and_paused() {
        // Two cycles a cell: 20 s cells.
        let w = watch(&[("host", Hscn, "...xxx        ..")]);
        let row = &timeline(&w, 20_000.0, cycle(16))[0];
        use Cell::*;
        assert_eq!(
            row,
            &[Up, SomeFailed, Down, Paused, Paused, Paused, Paused, Up]
        );
    }
}
