//! Watching over generated sample streams: whatever arrives (failures,
//! gaps, pauses the page recorded), the drops found keep their promises.
#![cfg(not(target_arch = "wasm32"))]

use linktriage_core::codec::{decode, encode};
use linktriage_core::device::DeviceFacts;
use linktriage_core::report::{Report, RunFacts};
use linktriage_core::segment::Segment;
use linktriage_core::watch::{
    DOWN_AFTER, Sample, Span, Watch, WatchSnapshot, WatchTarget, availability, down_spans, outages,
    pauses, slow_spells, timeline,
};
use proptest::prelude::*;

const START: f64 = 1_795_510_800_000.0;
const INTERVAL: u32 = 1_000;

/// A watch of three targets on different segments; each cycle each target
/// is answered, failed, or not sampled, and some cycles fall in a pause.
fn watch() -> impl Strategy<Value = Watch> {
    watch_of((0u8..4).boxed())
}

/// [`watch`], mostly answered: drops, slow spells and gaps come now and
/// then, with quiet minutes between them, as on a real link.
fn mostly_answered_watch() -> impl Strategy<Value = Watch> {
    watch_of(prop_oneof![2 => Just(0u8), 90 => Just(1u8), 4 => Just(2u8), 4 => Just(3u8)].boxed())
}

/// A watch whose samples are in `state` each (0 failed, 1 answered, 2
/// answered slowly, 3 not sampled).
fn watch_of(state: BoxedStrategy<u8>) -> impl Strategy<Value = Watch> {
    let cycle = proptest::collection::vec(state, 3);
    (
        proptest::collection::vec(cycle, 0..300),
        proptest::collection::vec((0usize..300, 1usize..20), 0..4),
    )
        .prop_map(|(cycles, paused)| {
            let at = |c: usize| START + (c as f64) * f64::from(INTERVAL);
            let mut samples = Vec::new();
            for (c, states) in cycles.iter().enumerate() {
                for (target, state) in states.iter().enumerate() {
                    if *state == 3 {
                        continue;
                    }
                    samples.push(Sample {
                        at_ms: at(c) + target as f64,
                        target,
                        answered: *state != 0,
                        round_trip_ms: Some(if *state == 2 { 900.0 } else { 5.0 }),
                    });
                }
            }
            let targets = [Segment::Device, Segment::Hscn, Segment::Supplier]
                .into_iter()
                .enumerate()
                .map(|(i, segment)| WatchTarget {
                    name: format!("target {i}"),
                    segment,
                    late_ms: 300,
                })
                .collect();
            Watch {
                started_at_ms: START,
                interval_ms: INTERVAL,
                targets,
                samples,
                paused: paused
                    .into_iter()
                    .map(|(from, len)| Span {
                        from_ms: at(from) + 0.5,
                        to_ms: at(from + len) - 0.5,
                    })
                    .collect(),
                earlier: None,
                loss: Vec::new(),
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn drops_start_on_a_failure_end_on_an_answer_or_a_pause_and_never_overlap(w in watch()) {
        let paused = pauses(&w);
        for target in 0..w.targets.len() {
            let mut last_end = f64::NEG_INFINITY;
            for (start, end) in down_spans(&w, target) {
                prop_assert!(start >= last_end, "overlapping: {start} before {last_end}");
                prop_assert!(w.samples.iter().any(|s| s.target == target && s.at_ms == start && !s.answered));
                // At least DOWN_AFTER failures of this target from its start.
                let failed = w.samples.iter().filter(|s| {
                    s.target == target && !s.answered && s.at_ms >= start && end.is_none_or(|e| s.at_ms < e)
                }).count();
                prop_assert!(failed as u32 >= DOWN_AFTER);
                if let Some(end) = end {
                    prop_assert!(end > start);
                    let answered_there = w.samples.iter().any(|s| s.target == target && s.at_ms == end && s.answered);
                    let pause_there = paused.iter().any(|p| p.from_ms == end);
                    prop_assert!(answered_there || pause_there);
                    last_end = end;
                }
                // A drop never starts inside a pause.
                prop_assert!(!paused.iter().any(|p| p.from_ms <= start && start < p.to_ms));
            }
        }
        let found = outages(&w);
        for pair in found.windows(2) {
            prop_assert!(pair[0].end_ms.is_some_and(|e| e <= pair[1].start_ms));
        }
        for outage in &found {
            prop_assert!(!outage.targets.is_empty());
        }
        let _ = slow_spells(&w);
    }

    #[test]
    fn a_stream_without_failures_has_no_drop(mut w in watch()) {
        for sample in &mut w.samples {
            sample.answered = true;
        }
        prop_assert!(outages(&w).is_empty());
    }

    #[test]
    fn any_watch_in_a_report_reads_back_from_its_code(w in watch(), ends in 0u32..400, running: bool) {
        let now_ms = START + f64::from(ends) * f64::from(INTERVAL) + 0.25;
        let snapshot = WatchSnapshot::of(&w, now_ms, running);
        prop_assert_eq!(snapshot.drops.len(), outages(&w).len());
        let run = RunFacts {
            config_name: "Generated".into(),
            config_version: "1".into(),
            release: String::new(),
            started_at_ms: START,
            utc_offset_minutes: 60,
        };
        let report = Report::judged(run, vec![], DeviceFacts::default()).with_watch(snapshot);
        prop_assert_eq!(decode(&encode(&report)).unwrap(), report);
    }

    /// Folding old samples into minutes, wherever asked and as often,
    /// changes nothing the watch found: its drops (when, which targets),
    /// slow spells, minutes and answered shares.
    #[test]
    fn folding_changes_nothing_found(w in mostly_answered_watch(), folds in proptest::collection::vec(0u32..300, 1..4)) {
        let now = START + 300.0 * f64::from(INTERVAL);
        // Times to the millisecond, as the folded minutes keep them.
        let found = |w: &Watch| {
            let drops: Vec<(i64, Option<i64>, Vec<usize>)> = outages(w)
                .into_iter()
                .map(|o| (o.start_ms.round() as i64, o.end_ms.map(|e| e.round() as i64), o.targets))
                .collect();
            let spells: Vec<(usize, i64, Option<i64>)> = slow_spells(w)
                .into_iter()
                .map(|s| (s.target, s.start_ms.round() as i64, s.end_ms.map(|e| e.round() as i64)))
                .collect();
            (drops, spells, timeline(w, 60_000.0, now), availability(w))
        };
        let before = found(&w);
        let mut folded = w.clone();
        for at in folds {
            folded.compact(START + f64::from(at) * f64::from(INTERVAL));
        }
        prop_assert_eq!(found(&folded), before);
        // And the watch in a report reads the same folded or not.
        prop_assert_eq!(WatchSnapshot::of(&folded, now, true).drops.len(), outages(&w).len());
    }
}
