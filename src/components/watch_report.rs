//! The watch's report, at any moment of a running watch: the watch so far
//! as a report (the site details typed, Copy, the share link and its QR
//! code), made again each minute (and once its packet loss is counted), at
//! each drop's start and end, and when the watch stops: what is copied is
//! never more than a minute old, and never misses a drop.

use std::rc::Rc;

use linktriage_core::codec::wire_bytes;
use linktriage_core::report::{ListFacts, Report, Sharing};
use linktriage_core::verdict::Diagnosis;
use linktriage_core::watch::WatchSnapshot;
use yew::prelude::*;

use super::{CopyReport, SharedReport, SiteForm};
use crate::hooks::{SameBytes, WatchRecord, use_written_report};
use crate::probes::{device, timers};
use crate::state::SameReport;

#[derive(Debug, Properties, PartialEq)]
pub struct WatchReportProps {
    pub record: WatchRecord,
    pub running: bool,
    /// How many drops so far, whether the last still lasts, and where it
    /// was placed: the report is made again as soon as any changes (a drop
    /// just begun is placed again as the other targets' failures come in).
    pub drops: (usize, bool, Option<Diagnosis>),
    /// The target list and the release, for the report's configuration line.
    pub config: Rc<ListFacts>,
}

#[function_component]
pub fn WatchReport(props: &WatchReportProps) -> Html {
    // What the clinician chose to add or take out: the writer applies it.
    let sharing = use_state(Sharing::default);
    // The minute of the newest sample, and how many minutes of loss
    // probes have been counted: the snapshot is made again when either
    // changes (a minute's loss is counted a few seconds after it ends),
    // not on every sample.
    let minute = props.record.read(|w| {
        let newest = w
            .samples
            .last()
            .map_or(0, |s| ((s.at_ms - w.started_at_ms) / 60_000.0) as u64);
        (newest, w.loss.iter().map(Vec::len).sum::<usize>())
    });
    let report = {
        let (record, config) = (props.record.clone(), props.config.clone());
        use_memo(
            (minute, props.drops, props.running),
            move |&(_, _, running)| {
                let now = timers::wall_clock_ms();
                record.read(|watch| {
                    let run = config.run_at(watch.started_at_ms, timers::utc_offset_minutes());
                    Report::judged(run, Vec::new(), device::facts())
                        .with_watch(WatchSnapshot::of(watch, now, running))
                })
            },
        )
    };
    let bytes = use_memo(SameReport(report), |report| Rc::new(wire_bytes(&report.0)));
    let writing = use_written_report(SameBytes((*bytes).clone()), (*sharing).clone());
    let on_change = Callback::from(move |s| sharing.set(s));
    html! {
        <section id="watch-report" aria-labelledby="watch-report-heading">
            <h3 id="watch-report-heading" class="nhsuk-heading-m">{ "Report for the IT service desk" }</h3>
            <p>{ "Copy this report and paste it into your ticket, email or chat to the IT service desk. It holds the watch so far, and is brought up to date every minute." }</p>
            <SiteForm {on_change} />
            <CopyReport writing={writing.clone()} />
            <SharedReport {writing} />
        </section>
    }
}
