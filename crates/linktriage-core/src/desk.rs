//! The support desk's reading of several reports at once: one row per report,
//! and the sites that failed on the same segment at about the same time (the
//! regional-outage signal no single report shows).

use crate::check::{Measurement, ReachOutcome};
use crate::report::{Report, mbit, ms};
use crate::time::format_timestamp;
use crate::verdict::Diagnosis;

/// Reports of one fault this far apart or closer, one after another, belong to
/// one episode: a regional outage is reported over tens of minutes, and a
/// fault an hour after the last report is news.
pub const SAME_EPISODE_MS: f64 = 60.0 * 60.0 * 1000.0;

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

/// Sites that failed on the same segment within one episode.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedFault {
    pub diagnosis: Diagnosis,
    /// Distinct sites, in the order they reported.
    pub sites: Vec<String>,
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
        format!(
            "{} sites: {}, {span}",
            self.sites.len(),
            fault_name(self.diagnosis)
        )
    }
}

/// The row for `report`; `number` (from 1) names a report with no site typed.
pub fn row(report: &Report, number: usize) -> Row {
    let primary = report.verdict.primary();
    Row {
        site: site_name(report, number),
        ticket: report.site.ticket.clone(),
        checked_utc: format!("{} UTC", &format_timestamp(report.started_at_ms, 0)[..16]),
        diagnosis: primary.diagnosis,
        verdict: primary.headline.clone(),
        key_figures: key_figures(report),
    }
}

/// Faults that two or more sites reported on a segment beyond the practice
/// (a fault on one PC or one practice's own network is not shared, however
/// many practices happen to have one), within one episode.
pub fn shared_faults<'a>(reports: impl IntoIterator<Item = &'a Report>) -> Vec<SharedFault> {
    let mut faults: Vec<(Diagnosis, f64, String)> = reports
        .into_iter()
        .enumerate()
        .filter(|(_, r)| beyond_the_practice(r.verdict.primary().diagnosis))
        .map(|(i, r)| {
            let site = site_name(r, i + 1);
            (r.verdict.primary().diagnosis, r.started_at_ms, site)
        })
        .collect();
    faults.sort_by(|a, b| a.0.id().cmp(b.0.id()).then(a.1.total_cmp(&b.1)));
    let mut episodes: Vec<SharedFault> = Vec::new();
    for (diagnosis, at, site) in faults {
        match episodes.last_mut() {
            Some(e) if e.diagnosis == diagnosis && at - e.last_ms <= SAME_EPISODE_MS => {
                e.last_ms = at;
                if !e.sites.iter().any(|s| same_site(s, &site)) {
                    e.sites.push(site);
                }
            }
            _ => episodes.push(SharedFault {
                diagnosis,
                sites: vec![site],
                first_ms: at,
                last_ms: at,
            }),
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

fn beyond_the_practice(diagnosis: Diagnosis) -> bool {
    matches!(
        diagnosis,
        Diagnosis::Hscn
            | Diagnosis::Internet
            | Diagnosis::Supplier
            | Diagnosis::Identity
            | Diagnosis::Security
            | Diagnosis::Degraded
    )
}

/// A segment's fault in a few words, for a headline over many sites.
pub fn fault_name(diagnosis: Diagnosis) -> &'static str {
    match diagnosis {
        Diagnosis::Device => "fault on the computer",
        Diagnosis::Lan => "practice network down",
        Diagnosis::Hscn => "HSCN unreachable",
        Diagnosis::Internet => "internet unreachable",
        Diagnosis::Supplier => "clinical supplier unreachable",
        Diagnosis::Identity => "national identity services unreachable",
        Diagnosis::Security => "security software interfering",
        Diagnosis::Degraded => "connection slow or unreliable",
        Diagnosis::None => "no fault found",
        Diagnosis::Unknown => "fault not placed",
    }
}

fn site_name(report: &Report, number: usize) -> String {
    if report.site.place.is_empty() {
        format!("Report {number} (no site given)")
    } else {
        report.site.place.clone()
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
    let mut parts = vec![format!("reached {reached} of {tried}")];
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
    use crate::report::{RunFacts, SiteDetails};
    use crate::segment::Segment;

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
        let run = RunFacts {
            config_name: "Test".into(),
            config_version: "1".into(),
            started_at_ms: NINE_UTC + minutes * MINUTE,
            utc_offset_minutes: 0,
        };
        let device = DeviceFacts {
            user_agent: "Chrome/156.0.0.0".into(),
            online: true,
            connection: None,
            time_zone: "Europe/London".into(),
            language: "en-GB".into(),
            cores: Some(4),
            precise_timers: true,
        };
        let site = SiteDetails {
            place: place.into(),
            ..SiteDetails::default()
        };
        Report::judged(run, results, device).shared(&site, false)
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
    fn reports_without_a_site_each_count_as_one() {
        let hscn = [Segment::Hscn];
        let reports = [report("", 0.0, &hscn), report("", 5.0, &hscn)];
        let faults = shared_faults(&reports);
        assert_eq!(
            faults[0].sites,
            ["Report 1 (no site given)", "Report 2 (no site given)"]
        );
    }

    #[test]
    fn a_row_names_site_time_verdict_and_figures() {
        let r = row(&report("Y001", 5.0, &[Segment::Hscn]), 1);
        assert_eq!(r.site, "Y001");
        assert_eq!(r.checked_utc, "2026-11-24 09:05 UTC");
        assert_eq!(r.diagnosis, Diagnosis::Hscn);
        assert!(r.verdict.starts_with("The NHS network link (HSCN) looks down."));
        assert_eq!(r.key_figures, "reached 4 of 5");
    }
}
