//! A watch as a report carries it: each target's timeline a minute a cell,
//! the drops, slow spells and pauses, and how many samples each target
//! answered; not every sample. A report made during a watch holds the
//! watch so far; the desk reads the same timeline back from its code.

use serde::{Deserialize, Serialize};

use super::loss::{LossySpell, every_lossy_spell};
use super::{
    Cell, Outage, SlowSpell, Span, Watch, answer_counts, drops_counted, outages, pauses,
    slow_spells, summary_of, timeline,
};
use crate::loss::Minute;
use crate::redact::Texts;
use crate::segment::Segment;
use crate::time::format_timestamp;
use crate::verdict::{Confidence, Diagnosis, Finding};
use crate::wording::span_length;

/// A cell of a report's timeline: one minute.
pub const MINUTE_MS: f64 = 60_000.0;

/// What a report keeps of a watch. Times are whole milliseconds since the
/// Unix epoch, as the codec carries them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchSnapshot {
    pub started_at_ms: f64,
    /// When the snapshot was taken: the report's "so far".
    pub until_ms: f64,
    pub interval_ms: u32,
    /// Still watching when the snapshot was taken.
    pub running: bool,
    /// In the watch's order: drops and slow spells name targets by index.
    pub targets: Vec<SnapshotTarget>,
    pub drops: Vec<Outage>,
    pub slow_spells: Vec<SlowSpell>,
    /// When the browser paused the watch (never a drop).
    pub paused: Vec<Span>,
}

/// One watched target in a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotTarget {
    pub name: String,
    pub segment: Segment,
    /// Samples answered, of `sampled` (samples taken during a pause are not
    /// counted).
    pub answered: u32,
    pub sampled: u32,
    /// A minute a cell from the watch's start to the snapshot.
    pub minutes: Vec<Cell>,
    /// The minutes of loss probes over the watch's data channel (a probe
    /// target's, when the channel opened), in order.
    pub loss: Vec<Minute>,
}

impl WatchSnapshot {
    /// `watch` as it stands at `now_ms`.
    pub fn of(watch: &Watch, now_ms: f64, running: bool) -> WatchSnapshot {
        let until_ms = now_ms.max(watch.started_at_ms).round();
        let counts = answer_counts(watch, &pauses(watch));
        let rows = timeline(watch, MINUTE_MS, until_ms);
        let targets = watch
            .targets
            .iter()
            .zip(counts)
            .zip(rows)
            .enumerate()
            .map(
                |(t, ((target, (answered, sampled)), minutes))| SnapshotTarget {
                    name: target.name.clone(),
                    segment: target.segment,
                    answered,
                    sampled,
                    minutes,
                    loss: watch
                        .loss_of(t)
                        .iter()
                        .filter(|m| {
                            f64::from(m.minute) * MINUTE_MS < until_ms - watch.started_at_ms
                        })
                        .copied()
                        .collect(),
                },
            )
            .collect();
        let drops = outages(watch)
            .into_iter()
            .map(|o| Outage {
                start_ms: o.start_ms.round(),
                end_ms: o.end_ms.map(f64::round),
                ..o
            })
            .collect();
        let slow_spells = slow_spells(watch)
            .into_iter()
            .map(|s| SlowSpell {
                start_ms: s.start_ms.round(),
                end_ms: s.end_ms.map(f64::round),
                worst_ms: s.worst_ms.round(),
                ..s
            })
            .collect();
        let paused = pauses(watch)
            .into_iter()
            .map(|p| Span {
                from_ms: p.from_ms.round(),
                to_ms: p.to_ms.min(until_ms).round(),
            })
            .filter(|p| p.from_ms < until_ms)
            .collect();
        WatchSnapshot {
            started_at_ms: watch.started_at_ms.round(),
            until_ms,
            interval_ms: watch.interval_ms,
            running,
            targets,
            drops,
            slow_spells,
            paused,
        }
    }

    /// How long it watched.
    pub fn watched_ms(&self) -> f64 {
        self.until_ms - self.started_at_ms
    }

    /// The watch in plain English, as [`super::summary`] says it on the
    /// watch page, with times local to `utc_offset_minutes`.
    pub fn summary(&self, utc_offset_minutes: i32) -> String {
        let segments: Vec<Segment> = self.targets.iter().map(|t| t.segment).collect();
        let sampled: Vec<bool> = self.targets.iter().map(|t| t.sampled > 0).collect();
        let mut text = summary_of(
            &self.drops,
            &segments,
            &sampled,
            self.watched_ms(),
            self.until_ms,
            utc_offset_minutes,
            self.running,
        );
        let spells = self.lossy_spells();
        if let Some(loss) =
            super::loss::summary(&spells, &segments, self.until_ms, utc_offset_minutes)
        {
            text.push(' ');
            text.push_str(&loss);
        }
        text
    }

    /// Every target's spells of sustained packet loss, in order of their
    /// start.
    pub fn lossy_spells(&self) -> Vec<LossySpell> {
        let each_target = self.targets.iter().map(|t| t.loss.as_slice());
        every_lossy_spell(each_target, self.started_at_ms, self.running)
    }

    /// What the watch says for the verdict: a drop it saw first (a drop an
    /// hour ago is the answer the desk needs, though a check taken once the
    /// link came back finds everything working), then sustained packet
    /// loss. Empty when nothing dropped and nothing lost packets.
    pub fn findings(&self) -> Vec<Finding> {
        self.drop_finding()
            .into_iter()
            .chain(self.loss_finding())
            .collect()
    }

    /// Sustained packet loss: a degraded path, from the nearest segment
    /// whose target lost packets.
    fn loss_finding(&self) -> Option<Finding> {
        let spells = self.lossy_spells();
        let start = spells
            .iter()
            .filter_map(|s| self.targets.get(s.target).map(|t| t.segment))
            .min()?;
        let minutes: f64 = spells
            .iter()
            .map(|s| s.end_ms.unwrap_or(self.until_ms) - s.start_ms)
            .sum();
        let still = spells.iter().any(|s| s.end_ms.is_none());
        let headline = format!(
            "The connection {} packets for {} in {} of watching, starting at {}.",
            if still { "is losing" } else { "lost" },
            span_length(minutes),
            span_length(self.watched_ms()),
            start.plain_name()
        );
        Some(Finding {
            diagnosis: Diagnosis::Degraded,
            confidence: Confidence::Medium,
            headline,
            resolver: start.resolver().to_owned(),
            next_step: "Call your IT service desk and read them this report: it says when packets were lost, and which way.".to_owned(),
            evidence: spells
                .iter()
                .map(|s| {
                    format!(
                        "Watch: {} lost packets {}: {}; with packets lost, the clinical system's screens hang, then carry on, and its connections can drop",
                        self.names(&[s.target]).concat(),
                        self.when_utc(s.start_ms, s.end_ms),
                        s.words()
                    )
                })
                .collect(),
        })
    }

    /// A drop the watch saw, as a finding; `None` when nothing dropped.
    fn drop_finding(&self) -> Option<Finding> {
        let last = self.drops.last()?;
        let place = match last.diagnosis {
            Diagnosis::At(segment) => segment.plain_name(),
            _ => "a part of the path the checks could not place",
        };
        let times = match self.drops.len() {
            1 => "once".to_owned(),
            2 => "twice".to_owned(),
            n => format!("{n} times"),
        };
        let watched = span_length(self.watched_ms());
        let headline = match (last.end_ms, self.drops.len()) {
            (None, 1) => format!("The connection is down now, at {place}."),
            (None, _) => format!(
                "The connection is down now, at {place}: it has dropped {times} in {watched} of watching."
            ),
            (Some(_), 1) => {
                format!("The connection dropped once in {watched} of watching, at {place}.")
            }
            (Some(_), _) => format!(
                "The connection dropped {times} in {watched} of watching, the last time at {place}."
            ),
        };
        let resolver = match last.diagnosis {
            Diagnosis::At(segment) => segment.resolver(),
            _ => "Your IT service desk",
        };
        Some(Finding {
            diagnosis: last.diagnosis,
            confidence: Confidence::Medium,
            headline,
            resolver: resolver.to_owned(),
            next_step: "Call your IT service desk and read them this report: it says when each drop started and ended, and what failed.".to_owned(),
            evidence: self.drops.iter().map(|d| self.evidence(d)).collect(),
        })
    }

    /// "Watch: drop 09:05:10 to 09:31:20 UTC (26 min), HSCN DNS and Spine
    /// not answering", for the desk.
    fn evidence(&self, drop: &Outage) -> String {
        format!(
            "Watch: drop {}, {} not answering",
            self.when_utc(drop.start_ms, drop.end_ms),
            super::join_and(&self.names(&drop.targets))
        )
    }

    /// The names of `targets` (indices into the watch's targets).
    pub fn names(&self, targets: &[usize]) -> Vec<&str> {
        targets
            .iter()
            .filter_map(|&t| self.targets.get(t).map(|t| t.name.as_str()))
            .collect()
    }

    /// "09:05:10 to 09:31:20 UTC (26 min)", or "since 09:05:10 UTC (12
    /// min, still going at the time of this report)". A time on another
    /// day than the watch's start has its date.
    pub fn when_utc(&self, start_ms: f64, end_ms: Option<f64>) -> String {
        self.when(start_ms, end_ms, 0, "UTC")
    }

    /// [`WatchSnapshot::when_utc`] in local time, `utc_offset_minutes` east.
    pub fn when_local(
        &self,
        start_ms: f64,
        end_ms: Option<f64>,
        utc_offset_minutes: i32,
    ) -> String {
        self.when(start_ms, end_ms, utc_offset_minutes, "local")
    }

    fn when(
        &self,
        start_ms: f64,
        end_ms: Option<f64>,
        utc_offset_minutes: i32,
        zone: &str,
    ) -> String {
        let first_day = format_timestamp(self.started_at_ms, utc_offset_minutes);
        let clock = |ms: f64| {
            let stamp = format_timestamp(ms, utc_offset_minutes);
            if stamp[..10] == first_day[..10] {
                stamp[11..19].to_owned()
            } else {
                stamp[..19].to_owned()
            }
        };
        match end_ms {
            Some(end) => format!(
                "{} to {} {zone} ({})",
                clock(start_ms),
                clock(end),
                span_length(end - start_ms)
            ),
            None => format!(
                "since {} {zone} ({}, still going at the time of this report)",
                clock(start_ms),
                span_length(self.until_ms - start_ms)
            ),
        }
    }

    /// `drops_counted`, for the report's words.
    pub fn drops_counted(&self) -> String {
        drops_counted(self.drops.len())
    }
}

impl Texts for WatchSnapshot {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        let WatchSnapshot {
            started_at_ms: _,
            until_ms: _,
            interval_ms: _,
            running: _,
            targets,
            drops: _,
            slow_spells: _,
            paused: _,
        } = self;
        for target in targets {
            let SnapshotTarget {
                name,
                segment: _,
                answered: _,
                sampled: _,
                minutes: _,
                loss: _,
            } = target;
            name.each_text(f);
        }
    }
}
