//! Watching over generated sample streams: whatever arrives (failures,
//! gaps, pauses the page recorded), the drops found keep their promises.
#![cfg(not(target_arch = "wasm32"))]

use linktriage_core::codec::{decode, encode};
use linktriage_core::device::DeviceFacts;
use linktriage_core::report::{Report, RunFacts};
use linktriage_core::segment::Segment;
use linktriage_core::watch::{
    DOWN_AFTER, Sample, Span, Watch, WatchSnapshot, WatchTarget, down_spans, outages, pauses,
    slow_spells,
};
use proptest::prelude::*;

const START: f64 = 1_795_510_800_000.0;
const INTERVAL: u32 = 1_000;

/// A watch of three targets on different segments; each cycle each target
/// is answered, failed, or not sampled, and some cycles fall in a pause.
fn watch() -> impl Strategy<Value = Watch> {
    let cycle = proptest::collection::vec(0u8..4, 3);
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
            started_at_ms: START,
            utc_offset_minutes: 60,
        };
        let report = Report::judged(run, vec![], DeviceFacts::default()).with_watch(snapshot);
        prop_assert_eq!(decode(&encode(&report)).unwrap(), report);
    }
}
