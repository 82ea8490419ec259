//! The support desk's reading of several reports at once: one row per report,
//! and the sites that failed on the same segment at about the same time (the
//! regional-outage signal no single report shows).

use crate::check::{Measurement, ReachOutcome};
use crate::codec::{self, DecodeError};
use crate::report::Report;
use crate::segment::Segment;
use crate::time::format_timestamp;
use crate::verdict::{Diagnosis, segments_down};
use crate::wording::{mbit, ms, span_length};

/// Reports of one fault this far apart or closer, one after another, belong to
/// one episode: a regional outage is reported over tens of minutes, and a
/// fault an hour after the last report is news.
pub const SAME_EPISODE_MS: f64 = 60.0 * 60.0 * 1000.0;

/// A paste larger than this is refused with a message, not read: ten
/// thousand reports are under 16 MB, and a browser tab should not be asked to
/// hold much more.
pub const MAX_PASTE_BYTES: usize = 16 * 1024 * 1024;

/// One code found in a paste, numbered in paste order.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// From 1, damaged reports included, so "report 3" means the third
    /// different code.
    pub number: usize,
    /// The line of the paste the code first starts on, from 1.
    pub line: usize,
    /// How many times the same code was found: a reply quotes the mail
    /// before it, and a share link beside the text carries the same code,
    /// yet it is one report, read once.
    pub appeared: usize,
    pub code: String,
    pub report: Result<Report, DecodeError>,
}

/// Why a paste was not read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasteError {
    Empty,
    TooLarge { bytes: usize },
    NoReport,
}

impl std::fmt::Display for PasteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PasteError::Empty => f.write_str("Nothing was pasted. Paste a Link Triage report, or an email thread with several, then press Read reports."),
            PasteError::TooLarge { bytes } => write!(
                f,
                "The paste is {} MB, more than the {} MB this page reads. Paste only the messages with reports in them.",
                bytes.div_ceil(1024 * 1024),
                MAX_PASTE_BYTES / (1024 * 1024)
            ),
            PasteError::NoReport => f.write_str("No Link Triage report was found in the paste. A report ends with its code: the long line under \"Report code\", starting with LT. Paste the whole report, code included."),
        }
    }
}

/// Every different report code in `text`, decoded, with the line each first
/// starts on and how many times it appeared.
pub fn read_paste(text: &str) -> Result<Vec<Entry>, PasteError> {
    if text.len() > MAX_PASTE_BYTES {
        return Err(PasteError::TooLarge { bytes: text.len() });
    }
    if text.trim().is_empty() {
        return Err(PasteError::Empty);
    }
    let bytes = text.as_bytes();
    let (mut line, mut counted_to) = (1, 0);
    let mut entries: Vec<Entry> = Vec::new();
    for found in codec::extract(text) {
        line += bytes[counted_to..found.at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted_to = found.at;
        // A search rather than a map: a paste holds a thousand codes at
        // most, and a hash map's code would cost the desk view's bundle
        // kilobytes.
        if let Some(earlier) = entries.iter_mut().find(|e| same_code(&e.code, &found.code)) {
            earlier.appeared += 1;
            continue;
        }
        entries.push(Entry {
            number: entries.len() + 1,
            line,
            appeared: 1,
            code: found.code,
            report: found.report,
        });
    }
    if entries.is_empty() {
        return Err(PasteError::NoReport);
    }
    Ok(entries)
}

/// Whether two codes are the same, compared from their end, where the
/// checksum makes different codes differ at once.
fn same_code(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().rev().eq(b.bytes().rev())
}

/// "Found 3 reports; 1 could not be read."
pub fn summary(entries: &[Entry]) -> String {
    let damaged = entries.iter().filter(|e| e.report.is_err()).count();
    let found = match entries.len() {
        1 => "Found 1 report".to_owned(),
        n if n >= codec::MAX_CODES => {
            format!("Found {n} reports, the most read from one paste (paste the rest separately)")
        }
        n => format!("Found {n} reports"),
    };
    let read = match damaged {
        0 => format!("{found}."),
        1 if entries.len() == 1 => format!("{found}, which could not be read."),
        d => format!("{found}; {d} could not be read."),
    };
    let repeated: Vec<String> = entries
        .iter()
        .filter(|e| e.appeared > 1)
        .map(|e| match entries.len() {
            1 => format!("it appeared {} times", e.appeared),
            _ => format!("report {} appeared {} times", e.number, e.appeared),
        })
        .collect();
    if repeated.is_empty() {
        return read;
    }
    format!(
        "{read} The same code more than once (a quoted reply, or a share link beside the text) is one report, read once: {}.",
        repeated.join(", ")
    )
}

/// One report, as a row of the desk's table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The practice name or ODS code typed, or a stand-in naming the report.
    pub site: String,
    pub ticket: String,
    /// `YYYY-MM-DD HH:MM UTC`.
    pub checked_utc: String,
    pub diagnosis: Diagnosis,
    pub verdict: String,
    /// The figures the desk compares first, in one short line.
    pub key_figures: String,
}

/// What several sites can lose together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharedLoss {
    /// A fault placed on one part of the path beyond the practice, or
    /// security software, or a degraded path.
    Diagnosed(Diagnosis),
    /// Everything beyond the building failed while the practice's own
    /// network answered or was not tried. At one site that is its router or
    /// firewall; at many sites at once it is something they share: a
    /// network provider, DNS, or a wide-area link run for many practices.
    BeyondTheBuilding,
}

impl SharedLoss {
    /// A stable id for pages and tests: the diagnosis's, or
    /// `beyond-practice`.
    pub fn id(self) -> &'static str {
        match self {
            SharedLoss::Diagnosed(diagnosis) => diagnosis.id(),
            SharedLoss::BeyondTheBuilding => "beyond-practice",
        }
    }

    /// The loss in a few words, for a headline over many sites.
    pub fn name(self) -> &'static str {
        match self {
            SharedLoss::Diagnosed(diagnosis) => fault_name(diagnosis),
            SharedLoss::BeyondTheBuilding => {
                "everything beyond the practice unreachable (a shared network provider, DNS or wide-area link)"
            }
        }
    }

    /// What a fault placed at `diagnosis` could share with other sites, when
    /// the segments in `down` had a target failing; `None` for a fault of
    /// one PC or one practice's own network.
    pub fn of(diagnosis: Diagnosis, down: &[Segment]) -> Option<SharedLoss> {
        let local = |s: &Segment| matches!(s, Segment::Device | Segment::Lan);
        match diagnosis {
            Diagnosis::At(Segment::Lan)
                if !down.iter().any(local)
                    && down
                        .iter()
                        .any(|s| Segment::BEYOND_THE_PRACTICE.contains(s)) =>
            {
                Some(SharedLoss::BeyondTheBuilding)
            }
            Diagnosis::At(segment) if Segment::BEYOND_THE_PRACTICE.contains(&segment) => {
                Some(SharedLoss::Diagnosed(diagnosis))
            }
            Diagnosis::Security | Diagnosis::Degraded => Some(SharedLoss::Diagnosed(diagnosis)),
            Diagnosis::At(_) | Diagnosis::None | Diagnosis::Unknown => None,
        }
    }
}

/// Sites that failed on the same segment within one episode.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedFault {
    pub loss: SharedLoss,
    /// Distinct sites, in the order they reported; only the sites named in
    /// their reports (two reports with no site given may be one site).
    pub sites: Vec<String>,
    /// Reports with the same fault in the episode that name no site, by
    /// their place among the reports read.
    pub unnamed: Vec<usize>,
    pub first_ms: f64,
    pub last_ms: f64,
}

impl SharedFault {
    /// "4 sites: HSCN unreachable, 09:05 to 09:40 UTC".
    pub fn headline(&self) -> String {
        let from = &format_timestamp(self.first_ms, 0);
        let to = &format_timestamp(self.last_ms, 0);
        let (from_day, to_day) = (&from[..10], &to[..10]);
        let span = if from_day == to_day {
            format!("{} to {} UTC on {from_day}", &from[11..16], &to[11..16])
        } else {
            format!("{} to {} UTC", &from[..16], &to[..16])
        };
        format!("{} sites: {}, {span}", self.sites.len(), self.loss.name())
    }

    /// The sites, then any reports that named none: "Y001, Y002, and 2
    /// reports with no site given".
    pub fn sites_listed(&self) -> String {
        let sites = self.sites.join(", ");
        match self.unnamed.len() {
            0 => sites,
            1 => format!("{sites}, and 1 report with {NO_SITE_GIVEN}"),
            n => format!("{sites}, and {n} reports with {NO_SITE_GIVEN}"),
        }
    }
}

/// The row for `report`; `number` (from 1) names a report with no site typed.
pub fn row(report: &Report, number: usize) -> Row {
    let primary = report.verdict.primary();
    Row {
        site: site_name(report, number),
        ticket: report.site.ticket.clone(),
        checked_utc: checked_utc(report),
        diagnosis: primary.diagnosis,
        verdict: primary.headline.clone(),
        key_figures: key_figures(report),
    }
}

/// When a report's checks ran, to the minute: `YYYY-MM-DD HH:MM UTC`.
pub fn checked_utc(report: &Report) -> String {
    format!("{} UTC", &format_timestamp(report.started_at_ms, 0)[..16])
}

/// Faults that two or more named sites reported on a segment beyond the
/// practice, within one episode. A fault on one PC or one practice's own
/// network is not shared, however many practices happen to have one; but
/// many practices each losing everything beyond their building at once is
/// the regional signal of something they share ([`SharedLoss::BeyondTheBuilding`]).
/// A report's fault is its verdict at the time it was made, or, for a report
/// with a watch that saw drops, each drop at its own time: four practices
/// whose watches dropped on HSCN between 09:05 and 09:40 are one episode,
/// though their reports were sent at noon.
pub fn shared_faults<'a>(reports: impl IntoIterator<Item = &'a Report>) -> Vec<SharedFault> {
    // (loss, from, to, site or the report's place), in order of loss, then time.
    let mut faults: Vec<(SharedLoss, f64, f64, Result<String, usize>)> = Vec::new();
    for (i, report) in reports.into_iter().enumerate() {
        let site = site_of(report).map(str::to_owned).ok_or(i);
        match report.watch.as_ref().filter(|w| !w.drops.is_empty()) {
            Some(watch) => faults.extend(watch.drops.iter().filter_map(|d| {
                let down: Vec<Segment> = d
                    .targets
                    .iter()
                    .filter_map(|&t| Some(watch.targets.get(t)?.segment))
                    .collect();
                let loss = SharedLoss::of(d.diagnosis, &down)?;
                let end = d.end_ms.unwrap_or(watch.until_ms);
                Some((loss, d.start_ms, end, site.clone()))
            })),
            None => {
                let at = report.started_at_ms;
                let down = segments_down(&report.results);
                if let Some(loss) = SharedLoss::of(report.verdict.primary().diagnosis, &down) {
                    faults.push((loss, at, at, site));
                }
            }
        }
    }
    faults.sort_by(|a, b| a.0.id().cmp(b.0.id()).then(a.1.total_cmp(&b.1)));
    let mut episodes: Vec<SharedFault> = Vec::new();
    for (loss, from, to, site) in faults {
        let same_episode = episodes
            .last()
            .is_some_and(|e| e.loss == loss && from - e.last_ms <= SAME_EPISODE_MS);
        if !same_episode {
            episodes.push(SharedFault {
                loss,
                sites: Vec::new(),
                unnamed: Vec::new(),
                first_ms: from,
                last_ms: to,
            });
        }
        let Some(episode) = episodes.last_mut() else {
            continue;
        };
        episode.last_ms = episode.last_ms.max(to);
        match site {
            Ok(site) if !episode.sites.iter().any(|s| same_site(s, &site)) => {
                episode.sites.push(site);
            }
            Ok(_) => {}
            Err(report) if !episode.unnamed.contains(&report) => episode.unnamed.push(report),
            Err(_) => {}
        }
    }
    episodes.retain(|e| e.sites.len() >= 2);
    episodes.sort_by(|a, b| {
        b.sites
            .len()
            .cmp(&a.sites.len())
            .then(a.first_ms.total_cmp(&b.first_ms))
    });
    episodes
}

/// A segment's fault in a few words, for a headline over many sites.
pub fn fault_name(diagnosis: Diagnosis) -> &'static str {
    match diagnosis {
        Diagnosis::At(Segment::Device) => "fault on the computer",
        Diagnosis::At(Segment::Lan) => "practice network down",
        Diagnosis::At(Segment::Hscn) => "HSCN unreachable",
        Diagnosis::At(Segment::Internet) => "internet unreachable",
        Diagnosis::At(Segment::Supplier) => "clinical supplier unreachable",
        Diagnosis::At(Segment::Identity) => "national identity services unreachable",
        Diagnosis::Security => "security software interfering",
        Diagnosis::Degraded => "connection slow or unreliable",
        Diagnosis::None => "no fault found",
        Diagnosis::Unknown => "fault not placed",
    }
}

/// Said where a report names no site.
pub const NO_SITE_GIVEN: &str = "no site given";

/// The site a report names, or `None` when none was typed.
pub fn site_of(report: &Report) -> Option<&str> {
    Some(report.site.place.as_str()).filter(|place| !place.is_empty())
}

fn site_name(report: &Report, number: usize) -> String {
    match site_of(report) {
        Some(place) => place.to_owned(),
        None => format!("Report {number} ({NO_SITE_GIVEN})"),
    }
}

/// "Y01234" and "y01234 " are one site.
fn same_site(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Hosts reached of those tried, the slowest typical round trip, and the
/// fastest download and upload.
fn key_figures(report: &Report) -> String {
    let mut reached = 0;
    let mut tried = 0;
    let mut slowest: Option<(f64, &str)> = None;
    let mut down: Option<f64> = None;
    let mut up: Option<f64> = None;
    for result in &report.results {
        match &result.measurement {
            Measurement::Reach(r) => {
                tried += 1;
                reached += usize::from(matches!(r.outcome, ReachOutcome::Reached { .. }));
            }
            Measurement::RoundTrips(rt) => {
                if let Some(s) = rt.summary
                    && slowest.is_none_or(|(m, _)| s.median > m)
                {
                    slowest = Some((s.median, &result.target));
                }
            }
            Measurement::Download(t) => down = faster(down, t.mbps()),
            Measurement::Upload(t) => up = faster(up, t.mbps()),
            _ => {}
        }
    }
    let mut parts = Vec::new();
    if let Some(watch) = &report.watch {
        parts.push(format!(
            "{} while watched {}",
            watch.drops_counted(),
            span_length(watch.watched_ms())
        ));
    }
    if tried > 0 {
        parts.push(format!("reached {reached} of {tried}"));
    }
    if let Some((median, target)) = slowest {
        parts.push(format!("round trip {} ms ({target})", ms(median)));
    }
    if let Some(d) = down {
        parts.push(format!("down {} Mbit/s", mbit(d)));
    }
    if let Some(u) = up {
        parts.push(format!("up {} Mbit/s", mbit(u)));
    }
    parts.join("; ")
}

fn faster(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{CheckResult, Reach};
    use crate::device::DeviceFacts;
    use crate::report::{RunFacts, Sharing, SiteDetails};

    const NINE_UTC: f64 = 1_795_510_800_000.0; // 2026-11-24 09:00:00 UTC
    const MINUTE: f64 = 60_000.0;

    /// A report from `place` at `minutes` past nine whose checks reached
    /// everything but `down` (the segments that failed).
    fn report(place: &str, minutes: f64, down: &[Segment]) -> Report {
        let results = Segment::ALL
            .iter()
            .filter(|s| **s != Segment::Device)
            .map(|&segment| CheckResult {
                target: format!("{} host", segment.id()),
                segment,
                measurement: Measurement::Reach(Reach {
                    outcome: if down.contains(&segment) {
                        ReachOutcome::TimedOut { after_ms: 4000.0 }
                    } else {
                        ReachOutcome::Reached { status: Some(204) }
                    },
                    first_ms: (!down.contains(&segment)).then_some(30.0),
                    repeat_ms: (!down.contains(&segment)).then_some(10.0),
                }),
            })
            .collect();
        let sharing = Sharing {
            site: SiteDetails {
                place: place.into(),
                ..SiteDetails::default()
            },
            remove_addresses: false,
        };
        Report::judged(run_at(minutes), results, device()).shared(&sharing)
    }

    fn run_at(minutes: f64) -> RunFacts {
        RunFacts {
            config_name: "Test".into(),
            config_version: "1".into(),
            release: String::new(),
            started_at_ms: NINE_UTC + minutes * MINUTE,
            utc_offset_minutes: 0,
        }
    }

    fn device() -> DeviceFacts {
        DeviceFacts {
            user_agent: "Chrome/156.0.0.0".into(),
            online: true,
            connection: None,
            time_zone: "Europe/London".into(),
            language: "en-GB".into(),
            cores: Some(4),
            precise_timers: true,
        }
    }

    #[test]
    fn sites_failing_together_are_grouped_with_their_time_window() {
        let hscn = [Segment::Hscn];
        let reports = [
            report("Y001", 5.0, &hscn),
            report("Y002", 12.0, &hscn),
            report("Y003", 20.0, &[]),
            report("Y004", 31.0, &hscn),
            report("y001 ", 33.0, &hscn), // the same site again
            report("Y005", 40.0, &hscn),
            report("Y006", 45.0, &[Segment::Lan]), // local: never shared
            report("Y007", 46.0, &[Segment::Lan]),
            report("Y008", 200.0, &hscn), // hours later: a new episode alone
        ];
        let faults = shared_faults(&reports);
        assert_eq!(faults.len(), 1, "{faults:?}");
        assert_eq!(faults[0].sites, ["Y001", "Y002", "Y004", "Y005"]);
        assert_eq!(
            faults[0].headline(),
            "4 sites: HSCN unreachable, 09:05 to 09:40 UTC on 2026-11-24"
        );
    }

    /// A report sent at noon from `place`, all working by then, with a
    /// watch from nine that saw HSCN drop from `from` to `to` minutes past.
    fn watched(place: &str, from: f64, to: f64) -> Report {
        use crate::watch::{Sample, Watch, WatchSnapshot, WatchTarget};
        let watch = Watch {
            started_at_ms: NINE_UTC,
            interval_ms: 60_000,
            targets: vec![WatchTarget {
                name: "HSCN host".into(),
                segment: Segment::Hscn,
                late_ms: 300,
            }],
            samples: (0..180)
                .map(|m| Sample {
                    at_ms: NINE_UTC + f64::from(m) * MINUTE,
                    target: 0,
                    answered: !(from..to).contains(&f64::from(m)),
                    round_trip_ms: None,
                })
                .collect(),
            paused: vec![],
            earlier: None,
            loss: Vec::new(),
        };
        let snapshot = WatchSnapshot::of(&watch, NINE_UTC + 180.0 * MINUTE, false);
        report(place, 180.0, &[]).with_watch(snapshot)
    }

    #[test]
    fn a_watch_s_own_report_says_nothing_of_checks_it_never_ran() {
        // As the watch page makes it: the watch alone, no checks.
        let with_checks = watched("Y001", 5.0, 20.0);
        let snapshot = with_checks.watch.clone().unwrap();
        let alone = Report::judged(run_at(180.0), Vec::new(), device()).with_watch(snapshot);
        let headlines: Vec<&str> = alone
            .verdict
            .findings
            .iter()
            .map(|f| f.headline.as_str())
            .collect();
        assert_eq!(headlines.len(), 1, "{headlines:?}");
        assert!(
            headlines[0].starts_with("The connection dropped once"),
            "{headlines:?}"
        );
        assert_eq!(row(&alone, 1).key_figures, "1 drop while watched 3 h");
    }

    #[test]
    fn watches_that_dropped_together_are_grouped_at_the_drops_own_times() {
        let reports = [
            watched("Y001", 5.0, 20.0),
            watched("Y002", 9.0, 40.0),
            report("Y003", 10.0, &[Segment::Hscn]),
            watched("Y004", 12.0, 30.0),
        ];
        let faults = shared_faults(&reports);
        assert_eq!(faults.len(), 1, "{faults:?}");
        assert_eq!(faults[0].sites, ["Y001", "Y002", "Y003", "Y004"]);
        assert_eq!(
            faults[0].headline(),
            "4 sites: HSCN unreachable, 09:05 to 09:40 UTC on 2026-11-24"
        );
        // Sent at noon, their checks found nothing: without the watches'
        // drops they would not be grouped.
        assert!(reports[0].results.iter().all(|r| matches!(&r.measurement, Measurement::Reach(r) if matches!(r.outcome, ReachOutcome::Reached { .. }))));
        assert_eq!(
            row(&reports[0], 1).key_figures,
            "1 drop while watched 3 h; reached 5 of 5"
        );
    }

    #[test]
    fn one_site_or_no_fault_is_no_shared_fault() {
        let hscn = [Segment::Hscn];
        let cases: [&[Report]; 3] = [
            &[],
            &[report("Y001", 0.0, &hscn), report("Y001", 10.0, &hscn)],
            &[report("Y001", 0.0, &[]), report("Y002", 1.0, &[])],
        ];
        for reports in cases {
            assert_eq!(shared_faults(reports), []);
        }
    }

    #[test]
    fn reports_without_a_site_are_never_taken_for_separate_sites() {
        let hscn = [Segment::Hscn];
        let unnamed = [report("", 0.0, &hscn), report("", 5.0, &hscn)];
        assert_eq!(
            shared_faults(&unnamed),
            [],
            "two unnamed reports may be one site"
        );
        let mixed = [
            report("Y001", 0.0, &hscn),
            report("", 2.0, &hscn),
            report("Y002", 4.0, &hscn),
            report("", 6.0, &hscn),
        ];
        let faults = shared_faults(&mixed);
        assert_eq!(faults.len(), 1, "{faults:?}");
        assert_eq!(faults[0].sites, ["Y001", "Y002"]);
        assert_eq!(
            faults[0].sites_listed(),
            "Y001, Y002, and 2 reports with no site given"
        );
        assert!(faults[0].headline().starts_with("2 sites: "));
    }

    /// Everything beyond the practice, as the page's own connection fails.
    const BEYOND: [Segment; 4] = Segment::BEYOND_THE_PRACTICE;

    #[test]
    fn practices_each_losing_everything_beyond_the_building_are_grouped() {
        let every_link = [
            Segment::Lan,
            Segment::Hscn,
            Segment::Internet,
            Segment::Supplier,
            Segment::Identity,
        ];
        // Each page says "the practice's own connection (router or firewall)".
        let lone = report("Y001", 0.0, &BEYOND);
        assert_eq!(
            lone.verdict.primary().diagnosis,
            Diagnosis::At(Segment::Lan)
        );
        let reports = [
            lone,
            report("Y002", 1.0, &BEYOND),
            report("Y003", 2.0, &BEYOND),
            // A practice whose own network is down too: its LAN, alone.
            report("Y004", 2.5, &every_link),
        ];
        let faults = shared_faults(&reports);
        assert_eq!(faults.len(), 1, "{faults:?}");
        assert_eq!(faults[0].loss, SharedLoss::BeyondTheBuilding);
        assert_eq!(faults[0].loss.id(), "beyond-practice");
        assert_eq!(faults[0].sites, ["Y001", "Y002", "Y003"]);
        assert_eq!(
            faults[0].headline(),
            "3 sites: everything beyond the practice unreachable (a shared network provider, DNS or wide-area link), 09:00 to 09:02 UTC on 2026-11-24"
        );
        // Practices whose own networks are down are never one fault.
        let lans = [
            report("Y005", 0.0, &every_link),
            report("Y006", 1.0, &every_link),
            report("Y007", 2.0, &[Segment::Lan]),
        ];
        assert_eq!(shared_faults(&lans), []);
    }

    #[test]
    fn what_sites_can_share_is_told_by_the_segments_down() {
        use Segment::*;
        let cases: [(Diagnosis, &[Segment], Option<SharedLoss>); 8] = [
            (
                Diagnosis::At(Lan),
                &[Hscn, Internet],
                Some(SharedLoss::BeyondTheBuilding),
            ),
            (Diagnosis::At(Lan), &[Lan, Hscn, Internet], None),
            (Diagnosis::At(Lan), &[Lan], None),
            (Diagnosis::At(Lan), &[Device, Hscn], None),
            (Diagnosis::At(Device), &[Device], None),
            (
                Diagnosis::At(Hscn),
                &[Hscn],
                Some(SharedLoss::Diagnosed(Diagnosis::At(Hscn))),
            ),
            (
                Diagnosis::Degraded,
                &[],
                Some(SharedLoss::Diagnosed(Diagnosis::Degraded)),
            ),
            (Diagnosis::None, &[], None),
        ];
        for (diagnosis, down, expected) in cases {
            assert_eq!(
                SharedLoss::of(diagnosis, down),
                expected,
                "{diagnosis:?} with {down:?} down"
            );
        }
    }

    #[test]
    fn one_report_pasted_twice_is_read_once_and_said_so() {
        let good = codec::encode(&report("", 0.0, &[Segment::Supplier]));
        let link = codec::share_link("https://linktriage.example.nhs.uk", &good);
        // A reply quoting the first mail, and the share link beside the text
        // as a mail client links it.
        let paste = format!("{good}\n<{link}>\n\n> {good}\n> {link}\n");
        let entries = read_paste(&paste).unwrap();
        assert_eq!(entries.len(), 1, "{entries:?}");
        assert_eq!(
            (entries[0].number, entries[0].line, entries[0].appeared),
            (1, 1, 4)
        );
        assert_eq!(
            summary(&entries),
            "Found 1 report. The same code more than once (a quoted reply, or a share link beside the text) is one report, read once: it appeared 4 times."
        );
        let reports: Vec<&Report> = entries
            .iter()
            .filter_map(|e| e.report.as_ref().ok())
            .collect();
        assert_eq!(shared_faults(reports), []);
        let other = codec::encode(&report("Y002", 1.0, &[Segment::Supplier]));
        let entries = read_paste(&format!("{other}\n{good}\n{good}\n")).unwrap();
        assert_eq!(
            summary(&entries),
            "Found 2 reports. The same code more than once (a quoted reply, or a share link beside the text) is one report, read once: report 2 appeared 2 times."
        );
    }

    #[test]
    fn a_paste_gives_each_code_its_number_and_line_or_a_reason() {
        let good = codec::encode(&report("Y001", 0.0, &[]));
        let paste = format!("Hello\n\n{good}\n> quoted\n> {}\nbye\n{good}", &good[..50]);
        let entries = read_paste(&paste).unwrap();
        let seen: Vec<(usize, usize, bool)> = entries
            .iter()
            .map(|e| (e.number, e.line, e.report.is_ok()))
            .collect();
        assert_eq!(seen, [(1, 3, true), (2, 5, false)]);
        assert_eq!(entries[0].appeared, 2);
        assert_eq!(
            summary(&entries),
            "Found 2 reports; 1 could not be read. The same code more than once (a quoted reply, or a share link beside the text) is one report, read once: report 1 appeared 2 times."
        );
        assert_eq!(summary(&read_paste(&good).unwrap()), "Found 1 report.");
        assert_eq!(
            summary(&entries[1..2]),
            "Found 1 report, which could not be read."
        );
        let many: String = (0..codec::MAX_CODES + 5)
            .map(|i| format!("{}\n", codec::encode(&report(&format!("Y{i}"), 0.0, &[]))))
            .collect();
        let many = read_paste(&many).unwrap();
        assert_eq!(many.len(), codec::MAX_CODES);
        assert_eq!(
            summary(&many),
            "Found 1000 reports, the most read from one paste (paste the rest separately)."
        );
        let refusals = [
            ("  \n ".to_owned(), PasteError::Empty),
            ("no codes here, LTD.".to_owned(), PasteError::NoReport),
            (
                "x".repeat(MAX_PASTE_BYTES + 1),
                PasteError::TooLarge {
                    bytes: MAX_PASTE_BYTES + 1,
                },
            ),
        ];
        for (text, expected) in refusals {
            assert_eq!(read_paste(&text), Err(expected));
        }
    }

    #[test]
    fn a_row_names_site_time_verdict_and_figures() {
        let r = row(&report("Y001", 5.0, &[Segment::Hscn]), 1);
        assert_eq!(r.site, "Y001");
        assert_eq!(r.checked_utc, "2026-11-24 09:05 UTC");
        assert_eq!(r.diagnosis, Diagnosis::At(Segment::Hscn));
        assert!(
            r.verdict
                .starts_with("The NHS network link (HSCN) looks down.")
        );
        assert_eq!(r.key_figures, "reached 4 of 5");
    }
}
