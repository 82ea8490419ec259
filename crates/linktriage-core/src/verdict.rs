//! The verdict: where the fault most likely is, how sure, on what evidence,
//! who fixes it and what to do now. Pure rules over the check results.
//!
//! The rules follow the path from the PC outwards: this computer, the
//! practice network, the NHS network link and the internet, then the services
//! beyond them (the clinical supplier, national identity services). A part is
//! blamed only when it fails while the parts it depends on are shown to work;
//! where they could not be tested the confidence drops, and where the
//! evidence conflicts the verdict is "could not tell". Security software,
//! a wrong clock and a slow link are findings of their own that can stand
//! beside a primary fault.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::check::{CheckKind, CheckResult, LocalAgent, LossCheck, Measurement, ReachOutcome};
use crate::connections::{Connections, SeenBy};
use crate::device::DeviceFacts;
use crate::redact::Texts;
use crate::segment::Segment;
use crate::wording::{describe, describe_under_load, fixed, mbit, ms};

/// Where a verdict puts the fault. The ids are stable: tools and people key
/// on them (a fault at a segment has that segment's id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Diagnosis {
    /// The fault is in this part of the path.
    At(Segment),
    /// Security software or a proxy is changing or blocking traffic.
    Security,
    /// Everything answers, but slowly or unreliably.
    Degraded,
    /// Everything that could be tested passed.
    None,
    /// The evidence conflicts, or too little could be tested.
    Unknown,
}

impl Diagnosis {
    pub fn id(self) -> &'static str {
        match self {
            Diagnosis::At(segment) => segment.id(),
            Diagnosis::Security => "security",
            Diagnosis::Degraded => "degraded",
            Diagnosis::None => "none",
            Diagnosis::Unknown => "unknown",
        }
    }

    /// The diagnosis whose id is `id`.
    pub fn from_id(id: &str) -> Option<Diagnosis> {
        let beside_the_path = [
            Diagnosis::Security,
            Diagnosis::Degraded,
            Diagnosis::None,
            Diagnosis::Unknown,
        ];
        Segment::ALL
            .into_iter()
            .map(Diagnosis::At)
            .chain(beside_the_path)
            .find(|d| d.id() == id)
    }
}

impl Serialize for Diagnosis {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

impl<'de> Deserialize<'de> for Diagnosis {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Diagnosis::from_id(&id)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown diagnosis \"{id}\"")))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

/// One fault (or the absence of one), explained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub diagnosis: Diagnosis,
    pub confidence: Confidence,
    /// One plain sentence for the clinician.
    pub headline: String,
    /// Who fixes it.
    pub resolver: String,
    /// What to do now, in plain words.
    pub next_step: String,
    /// The checks and figures it rests on, for the desk.
    pub evidence: Vec<String>,
}

impl Finding {
    /// Where the desk routes this finding: the resolving group of its part
    /// of the path, or who fixes it as the clinician was told.
    pub fn routes_to(&self) -> &str {
        match self.diagnosis {
            Diagnosis::At(segment) => segment.resolving_group(),
            _ => &self.resolver,
        }
    }
}

/// All findings, most important first; never empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub findings: Vec<Finding>,
}

impl Texts for Verdict {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        let Verdict { findings } = self;
        findings.each_text(f);
    }
}

impl Texts for Finding {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        let Finding {
            diagnosis: _,
            confidence: _,
            headline,
            resolver,
            next_step,
            evidence,
        } = self;
        headline.each_text(f);
        resolver.each_text(f);
        next_step.each_text(f);
        evidence.each_text(f);
    }
}

impl Verdict {
    /// The finding the headline speaks of.
    pub fn primary(&self) -> &Finding {
        &self.findings[0]
    }

    /// Compact, for the desk: `hscn (high); also security (high)`.
    pub fn summary(&self) -> String {
        let mut parts = self
            .findings
            .iter()
            .map(|f| format!("{} ({})", f.diagnosis.id(), confidence_word(f.confidence)));
        let first = parts.next().unwrap_or_default();
        let rest: Vec<String> = parts.collect();
        if rest.is_empty() {
            first
        } else {
            format!("{first}; also {}", rest.join(", "))
        }
    }
}

pub fn confidence_word(c: Confidence) -> &'static str {
    match c {
        Confidence::Low => "low",
        Confidence::Medium => "medium",
        Confidence::High => "high",
    }
}

/// A clock further off than this breaks smartcard sign-in (Kerberos allows
/// five minutes) and, much further, TLS; two minutes is worth fixing first.
pub const CLOCK_LIMIT_MS: f64 = 120_000.0;
/// More late or failed round trips than this share is a degraded link.
pub const DEGRADED_SHARE: f64 = 0.10;
/// Below this a clinical system is painful to use (images, letters, records).
pub const MIN_USABLE_MBPS: f64 = 2.0;
/// A round trip this much longer under load than idle (bufferbloat grade D
/// or worse) is a degraded link: a clinical system's screens wait a fifth
/// of a second more per request while anyone on the line transfers.
pub const BLOATED_MS: f64 = 200.0;
/// A host that takes longer than this to answer is slow, not just far.
pub const SLOW_REACH_MS: f64 = 1_500.0;
/// More packet loss than this share, either way, is a degraded link: TCP
/// recovers each lost packet only after a wait, and a clinical system's
/// screens stall from about 1 to 2 % loss.
pub const LOSS_LIMIT: f64 = 0.02;
/// Fewer probes than this say too little about loss to blame a link: at
/// 100, one lost probe is 1 %.
pub const MIN_LOSS_PROBES: u32 = 100;
/// This many connections to one host cut while a dozen requests went one
/// after another is something ending connections: a healthy path cuts none
/// (servers keep connections open for seconds at least), and one may be a
/// browser's own spare connection.
pub const MIN_CUT_CONNECTIONS: u32 = 2;
/// Whether the connections cut are enough to call the path degraded. Told
/// exactly (the server's numbers, the browser's timing), two are. Estimated
/// from durations alone, a pattern is needed, not a few pauses: at least
/// half of the answers after the first took a connection's detour (and
/// three at least). A busy computer's own pauses lengthen a request now and
/// then, and on a loaded machine one healthy host in three showed three such
/// "detours" in a dozen; a host that cuts its kept-alive connections makes
/// the browser open a new one for every second request or more.
fn enough_cut(c: &Connections) -> bool {
    match c.seen_by {
        SeenBy::ServerNumbers | SeenBy::BrowserTiming => c.cut >= MIN_CUT_CONNECTIONS,
        SeenBy::Durations => {
            c.cut > MIN_CUT_CONNECTIONS && 2 * c.cut >= c.answered.saturating_sub(1)
        }
    }
}

/// Whether requests that failed outright while the others were answered are
/// enough to call the path degraded: as exact as a count of connections
/// (each is a connection ended before its answer), so two are.
fn enough_unanswered(c: &Connections) -> bool {
    c.unanswered() >= MIN_CUT_CONNECTIONS
}

/// What a count of connections says is wrong, if anything.
fn connections_problem(c: &Connections) -> Option<String> {
    let (retried, unanswered) = (enough_cut(c), enough_unanswered(c));
    if !retried && !unanswered {
        return None;
    }
    let mut what = String::new();
    if retried {
        let _ = write!(
            what,
            "{} of {} connections were cut while in use and the browser quietly retried",
            c.cut, c.connections
        );
    }
    if unanswered {
        if retried {
            what.push_str(", and ");
        }
        let _ = write!(
            what,
            "{} of {} requests were cut off with no answer while the others were answered",
            c.unanswered(),
            c.requests
        );
    } else {
        let _ = write!(what, " ({} requests)", c.requests);
    }
    what.push_str("; something on the path, often security software or a firewall, is ending connections, which the clinical system shows as \"Contacting Server\" or a dropped session");
    Some(what)
}

/// Who fixes what the verdict cannot pin on one part of the path.
const SERVICE_DESK: &str = "Your IT service desk";
/// Who fixes this computer's settings and the software on it.
const LOCAL_IT: &str = "Local IT";
/// The next step wherever the desk is the one to act.
const CALL_THE_DESK: &str = "Call your IT service desk and quote this report.";

/// The words of a finding, by name: what the clinician reads.
struct Says<'a> {
    headline: &'a str,
    resolver: &'a str,
    next_step: &'a str,
}

impl Says<'_> {
    fn finding(
        self,
        diagnosis: Diagnosis,
        confidence: Confidence,
        evidence: Vec<String>,
    ) -> Finding {
        Finding {
            diagnosis,
            confidence,
            headline: self.headline.to_owned(),
            resolver: self.resolver.to_owned(),
            next_step: self.next_step.to_owned(),
            evidence,
        }
    }
}

/// The segments where some target did not answer, by the verdict's own
/// reading of each check: the desk tells a practice's own network (a LAN
/// target down) from everything beyond its building by them.
pub fn segments_down(results: &[CheckResult]) -> Vec<Segment> {
    // Each result read as `PathState::of` reads it, without the map and
    // the words the desk view's bundle would otherwise carry for nothing.
    let down = |r: &CheckResult| matches!(reachability(&r.measurement), Some(Err(_)));
    Segment::ALL
        .into_iter()
        .filter(|s| results.iter().any(|r| r.segment == *s && down(r)))
        .collect()
}

/// Judges the results of one run.
pub fn judge(results: &[CheckResult], device: &DeviceFacts) -> Verdict {
    let paths = PathState::of(results);
    let mut findings = Vec::new();
    if !device.online {
        findings.push(
            Says {
                headline: "This computer is not connected to a network.",
                resolver: Segment::Device.resolver(),
                next_step: "Check this computer's network cable or Wi-Fi. If other computers in the practice work, call your IT service desk about this one.",
            }
            .finding(
                Diagnosis::At(Segment::Device),
                Confidence::High,
                vec!["the browser reports that it is offline".to_owned()],
            ),
        );
    } else if let Some(f) = connectivity(&paths) {
        findings.push(f);
    }
    findings.extend(identity_agents(results));
    findings.extend(security(results));
    findings.extend(clock(results));
    findings.extend(degraded(results));
    if findings.is_empty() {
        findings.push(nothing_wrong(&paths));
        // Said beside "nothing wrong" only: with a fault, the report's line
        // for the check says it, and nothing distracts from the fault.
        findings.extend(udp_blocked(results));
    }
    // The path's own faults first, then what stands beside them; found
    // order among equals (by place, not a stable sort, which costs the
    // first load 2 KB more than this).
    let mut ranked: Vec<(u8, usize, Finding)> = findings
        .into_iter()
        .enumerate()
        .map(|(place, f)| (priority(f.diagnosis), place, f))
        .collect();
    ranked.sort_unstable_by_key(|(priority, place, _)| (*priority, *place));
    Verdict {
        findings: ranked.into_iter().map(|(_, _, f)| f).collect(),
    }
}

fn priority(d: Diagnosis) -> u8 {
    use Segment::*;
    match d {
        Diagnosis::At(Device) => 0,
        Diagnosis::At(Lan) => 1,
        Diagnosis::At(Hscn | Internet) => 2,
        Diagnosis::At(Supplier | Identity) => 3,
        Diagnosis::Unknown => 4,
        Diagnosis::Security => 5,
        Diagnosis::Degraded => 6,
        Diagnosis::None => 7,
    }
}

/// Whether each target answered, by segment.
#[derive(Debug, Default)]
struct SegmentState {
    up: Vec<String>,
    down: Vec<String>,
    untested: Vec<String>,
}

impl SegmentState {
    fn tested(&self) -> bool {
        !self.up.is_empty() || !self.down.is_empty()
    }
    fn all_down(&self) -> bool {
        self.up.is_empty() && !self.down.is_empty()
    }
    fn partly_down(&self) -> bool {
        !self.up.is_empty() && !self.down.is_empty()
    }
    fn works(&self) -> bool {
        !self.up.is_empty() && self.down.is_empty()
    }
    fn evidence(&self, segment: Segment) -> String {
        let tested = self.up.len() + self.down.len();
        let mut line = format!(
            "{}: {} of {tested} answered",
            segment.plain_name(),
            self.up.len()
        );
        if !self.down.is_empty() {
            line.push_str(&format!(" (no answer: {})", self.down.join("; ")));
        }
        if !self.untested.is_empty() {
            line.push_str(&format!("; could not test {}", self.untested.len()));
        }
        line
    }
}

#[derive(Debug, Default)]
struct PathState {
    segments: std::collections::BTreeMap<Segment, SegmentState>,
}

impl PathState {
    fn of(results: &[CheckResult]) -> PathState {
        let mut paths = PathState::default();
        for r in results {
            let state = paths.segments.entry(r.segment).or_default();
            match reachability(&r.measurement) {
                Some(Ok(())) => state.up.push(r.target.clone()),
                Some(Err(why)) => state.down.push(format!("{} {why}", r.target)),
                None if matches!(&r.measurement, Measurement::NotTested(n) if matches!(n.kind, CheckKind::Reach | CheckKind::RoundTrips)) =>
                {
                    state.untested.push(r.target.clone());
                }
                None => {}
            }
        }
        paths
    }

    fn get(&self, segment: Segment) -> &SegmentState {
        static EMPTY: SegmentState = SegmentState {
            up: Vec::new(),
            down: Vec::new(),
            untested: Vec::new(),
        };
        self.segments.get(&segment).unwrap_or(&EMPTY)
    }

    fn evidence(&self, segments: &[Segment]) -> Vec<String> {
        segments
            .iter()
            .filter(|s| self.get(**s).tested() || !self.get(**s).untested.is_empty())
            .map(|s| self.get(*s).evidence(*s))
            .collect()
    }
}

/// Did the target answer? `None` for checks that say nothing about reach.
/// An HTTP 5xx is an answer from a broken service: down, for a service.
fn reachability(m: &Measurement) -> Option<Result<(), String>> {
    match m {
        Measurement::Reach(reach) => Some(match reach.outcome {
            ReachOutcome::Reached { status: Some(code) } if code >= 500 => {
                Err(format!("answered HTTP {code}"))
            }
            ReachOutcome::Reached { .. } => Ok(()),
            ReachOutcome::Failed { after_ms } => Err(format!("failed after {} ms", ms(after_ms))),
            ReachOutcome::TimedOut { after_ms } => {
                Err(format!("timed out after {} ms", ms(after_ms)))
            }
        }),
        Measurement::RoundTrips(rt) if rt.summary.is_some() => Some(Ok(())),
        Measurement::RoundTrips(rt) => {
            Some(Err(format!("no answer to {} round trips", rt.attempted)))
        }
        _ => None,
    }
}

/// The primary fault along the path, if any part is down.
fn connectivity(paths: &PathState) -> Option<Finding> {
    use Segment::*;
    let (lan, hscn, internet) = (paths.get(Lan), paths.get(Hscn), paths.get(Internet));
    let tested: Vec<&SegmentState> = paths.segments.values().filter(|s| s.tested()).collect();
    let every_target_down = !tested.is_empty()
        && tested.iter().all(|s| s.all_down())
        && tested.iter().map(|s| s.down.len()).sum::<usize>() >= 2;
    if every_target_down || lan.all_down() {
        let confidence = if lan.all_down() || tested.len() >= 3 {
            Confidence::High
        } else {
            Confidence::Medium
        };
        let headline = if lan.all_down() {
            "The practice network looks down: this computer cannot reach the practice's own systems."
        } else {
            "Nothing can be reached from this computer, although it says it is connected."
        };
        return Some(
            Says {
                headline,
                resolver: Lan.resolver(),
                next_step: "Call your IT service desk and quote this report. Check whether other computers in the practice have the same problem.",
            }
            .finding(Diagnosis::At(Lan), confidence, paths.evidence(&Segment::ALL)),
        );
    }
    if paths.get(Device).all_down() {
        return Some(
            Says {
                headline: "A service on this computer is not answering.",
                resolver: Device.resolver(),
                next_step: "Restart this computer. If that does not help, call your IT service desk and quote this report.",
            }
            .finding(
                Diagnosis::At(Device),
                Confidence::Medium,
                paths.evidence(&[Device]),
            ),
        );
    }
    if hscn.all_down() && internet.all_down() {
        return Some(
            Says {
                headline: "Neither the NHS network nor the internet can be reached: the practice's own connection (router or firewall) is the most likely fault.",
                resolver: Lan.resolver(),
                next_step: CALL_THE_DESK,
            }
            .finding(
                Diagnosis::At(Lan),
                Confidence::Medium,
                paths.evidence(&Segment::ALL),
            ),
        );
    }
    // One link down: sure when the other is shown working.
    for (down, other, fine, alone, next_step) in [
        (
            Hscn,
            Internet,
            "The NHS network link (HSCN) looks down. This computer and the internet are fine.",
            "The NHS network link (HSCN) looks down.",
            "Call your IT service desk and quote this report: they will raise it with the network provider.",
        ),
        (
            Internet,
            Hscn,
            "The practice's internet connection looks down. The NHS network is fine.",
            "The practice's internet connection looks down.",
            CALL_THE_DESK,
        ),
    ] {
        if !paths.get(down).all_down() {
            continue;
        }
        let other_works = paths.get(other).works();
        return Some(
            Says {
                headline: if other_works { fine } else { alone },
                resolver: down.resolver(),
                next_step,
            }
            .finding(
                Diagnosis::At(down),
                if other_works {
                    Confidence::High
                } else {
                    Confidence::Medium
                },
                paths.evidence(&[Lan, Hscn, Internet]),
            ),
        );
    }
    // The network works (or could not be tested) but a service beyond it does not.
    let network_shown_working = hscn.works() || internet.works();
    for (segment, headline, next_step) in [
        (
            Supplier,
            "The clinical system supplier's service is not answering.",
            "Call the clinical system supplier's service desk (or your IT service desk) and quote this report.",
        ),
        (
            Identity,
            "National identity services (smartcard sign-in) are not answering.",
            "Call your IT service desk and quote this report: they will raise it with the National Service Desk.",
        ),
    ] {
        let state = paths.get(segment);
        if !(state.all_down() || state.partly_down()) {
            continue;
        }
        let confidence = match (state.all_down(), network_shown_working) {
            (true, true) => Confidence::High,
            (true, false) | (false, true) => Confidence::Medium,
            (false, false) => Confidence::Low,
        };
        let headline = if network_shown_working {
            format!("{headline} Your network is fine.")
        } else {
            headline.to_owned()
        };
        return Some(
            Says {
                headline: &headline,
                resolver: segment.resolver(),
                next_step,
            }
            .finding(
                Diagnosis::At(segment),
                confidence,
                paths.evidence(&[Hscn, Internet, segment]),
            ),
        );
    }
    // Part of a network segment answers and part does not: the evidence conflicts.
    let conflicting: Vec<Segment> = [Lan, Hscn, Internet]
        .into_iter()
        .filter(|s| paths.get(*s).partly_down())
        .collect();
    if !conflicting.is_empty() {
        return Some(
            Says {
                headline: "Could not tell where the fault is: some checks on the same part of the network passed and others failed.",
                resolver: SERVICE_DESK,
                next_step: "Run the check again in a few minutes. If it keeps failing, call your IT service desk and quote this report.",
            }
            .finding(Diagnosis::Unknown, Confidence::Low, paths.evidence(&conflicting)),
        );
    }
    None
}

/// A credential agent on this PC that is configured but not answering.
fn identity_agents(results: &[CheckResult]) -> Option<Finding> {
    let silent: Vec<&str> = results
        .iter()
        .filter(|r| {
            matches!(
                r.measurement,
                Measurement::LocalAgent(LocalAgent::NotAnswering)
            )
        })
        .map(|r| r.target.as_str())
        .collect();
    let answering = results.iter().any(|r| {
        matches!(
            r.measurement,
            Measurement::LocalAgent(LocalAgent::Answering)
        )
    });
    // One agent of several answering is enough: each listens on its own port.
    if silent.is_empty() || answering {
        return None;
    }
    Some(
        Says {
            headline: "The smartcard software on this computer (NHS Credential Management) is not answering.",
            // The software is on this PC, so the desk sends local IT, not
            // the national service.
            resolver: SERVICE_DESK,
            next_step: "If smartcard sign-in fails, restart this computer; if it still fails, call your IT service desk and quote this report.",
        }
        .finding(
            Diagnosis::At(Segment::Identity),
            Confidence::Low,
            silent
                .iter()
                .map(|t| format!("{t}: not answering"))
                .collect(),
        ),
    )
}

fn security(results: &[CheckResult]) -> Option<Finding> {
    let mut evidence = Vec::new();
    let mut confidence = Confidence::Medium;
    for r in results {
        match &r.measurement {
            Measurement::Interception(i) if !i.is_clean() => {
                confidence = Confidence::High;
                evidence.push(format!("{}: {}", r.target, describe(&r.measurement)));
            }
            Measurement::WebSocket(ws) if ws.failure.is_some() => {
                // Only telling when plain HTTP to the same server works.
                let http_works = results.iter().any(|o| {
                    o.target == r.target && matches!(&o.measurement, Measurement::RoundTrips(rt) if rt.summary.is_some())
                });
                if http_works {
                    evidence.push(format!(
                        "{}: WebSocket failed ({}) while ordinary requests to it work",
                        r.target,
                        ws.failure.as_deref().unwrap_or_default()
                    ));
                }
            }
            _ => {}
        }
    }
    if evidence.is_empty() {
        return None;
    }
    Some(
        Says {
            headline: "Something between this computer and the server (a web proxy or security software) is changing or blocking traffic.",
            resolver: LOCAL_IT,
            next_step: "Call your IT service desk and quote this report: security software or a web proxy is interfering.",
        }
        .finding(Diagnosis::Security, confidence, evidence),
    )
}

fn clock(results: &[CheckResult]) -> Option<Finding> {
    let (result, offset) = results.iter().find_map(|r| match &r.measurement {
        Measurement::Clock(c) if c.offset_ms.abs() > CLOCK_LIMIT_MS => Some((r, c.offset_ms)),
        _ => None,
    })?;
    let minutes = offset.abs() / 60_000.0;
    let direction = if offset > 0.0 { "fast" } else { "slow" };
    let headline = format!(
        "This computer's clock is wrong: about {} minutes {direction}. Smartcard sign-in fails until it is right.",
        fixed(minutes, 0)
    );
    Some(
        Says {
            headline: &headline,
            resolver: LOCAL_IT,
            next_step: "Ask your IT service desk to correct the time on this computer, and quote this report.",
        }
        .finding(
            Diagnosis::At(Segment::Device),
            Confidence::High,
            vec![format!(
                "{}: {}",
                result.target,
                describe(&result.measurement)
            )],
        ),
    )
}

/// Reachable but poor: late or failed round trips, slow answers, low speed.
fn degraded(results: &[CheckResult]) -> Option<Finding> {
    let mut worst: Vec<(Segment, String)> = Vec::new();
    for r in results {
        let problem = match &r.measurement {
            Measurement::RoundTrips(rt)
                if rt.summary.is_some()
                    && rt.attempted >= 5
                    && rt.late_or_failed_share() > DEGRADED_SHARE =>
            {
                Some(format!(
                    "{} % of round trips late (over {} ms) or failed",
                    fixed(rt.late_or_failed_share() * 100.0, 0),
                    rt.late_ms
                ))
            }
            Measurement::Reach(reach) if matches!(reach.outcome, ReachOutcome::Reached { .. }) => {
                reach
                    .repeat_ms
                    .or(reach.first_ms)
                    .filter(|t| *t > SLOW_REACH_MS)
                    .map(|t| format!("slow to answer: {} ms", ms(t)))
            }
            Measurement::Download(t) | Measurement::Upload(t) => {
                let transfer = match r.measurement {
                    Measurement::Download(_) => "download",
                    _ => "upload",
                };
                let slow = t
                    .mbps()
                    .filter(|m| *m < MIN_USABLE_MBPS)
                    .map(|m| format!("only {} Mbit/s", mbit(m)));
                let bloated = t
                    .under_load
                    .as_ref()
                    .filter(|u| u.increase_ms().is_some_and(|i| i >= BLOATED_MS))
                    .map(|u| {
                        format!(
                            "{}; while anyone at the practice downloads or uploads, every click on the clinical system waits that much longer",
                            describe_under_load(u, transfer)
                        )
                    });
                match (slow, bloated) {
                    (Some(slow), Some(bloated)) => Some(format!("{slow}, and {bloated}")),
                    (slow, bloated) => slow.or(bloated),
                }
            }
            Measurement::Loss(LossCheck::Measured(loss))
                if loss.sent >= MIN_LOSS_PROBES
                    && (loss.out_share() > LOSS_LIMIT || loss.back_share() > LOSS_LIMIT) =>
            {
                Some(format!(
                    "{} % of packets lost on the way there and {} % on the way back ({} sent); with packets lost, the clinical system's screens hang, then carry on, and its connections can drop",
                    fixed(loss.out_share() * 100.0, 1),
                    fixed(loss.back_share() * 100.0, 1),
                    loss.sent
                ))
            }
            Measurement::Connections(c) => connections_problem(c),
            _ => None,
        };
        if let Some(problem) = problem {
            worst.push((r.segment, format!("{}: {problem}", r.target)));
        }
    }
    // Where along the path the trouble starts: the nearest segment affected.
    let start = worst.iter().map(|(s, _)| *s).min()?;
    let headline = format!(
        "The connection works but is slow or unreliable, starting at {}.",
        start.plain_name()
    );
    Some(
        Says {
            headline: &headline,
            resolver: start.resolver(),
            next_step: "If the clinical system is slow or keeps saying \"Contacting Server\", call your IT service desk and quote this report.",
        }
        .finding(
            Diagnosis::Degraded,
            Confidence::Medium,
            worst.into_iter().map(|(_, e)| e).collect(),
        ),
    )
}

/// UDP that could not get through to a Link Triage server: no fault of the
/// path (a browser's clinical system needs no UDP), and no loss measured.
fn udp_blocked(results: &[CheckResult]) -> Option<Finding> {
    let blocked: Vec<String> = results
        .iter()
        .filter(|r| matches!(r.measurement, Measurement::Loss(LossCheck::UdpBlocked)))
        .map(|r| format!("{}: {}", r.target, describe(&r.measurement)))
        .collect();
    if blocked.is_empty() {
        return None;
    }
    Some(
        Says {
            headline: "UDP to the Link Triage server is blocked, so packet loss could not be measured.",
            resolver: SERVICE_DESK,
            next_step: "Nothing to do for the clinical system, which does not need it. To measure packet loss, the IT service desk can allow UDP to the Link Triage server.",
        }
        .finding(Diagnosis::None, Confidence::High, blocked),
    )
}

fn nothing_wrong(paths: &PathState) -> Finding {
    let tested: Vec<Segment> = paths
        .segments
        .iter()
        .filter(|(_, s)| s.tested())
        .map(|(seg, _)| *seg)
        .collect();
    if tested.is_empty() {
        return Says {
            headline: "Could not tell where the fault is: none of the connection checks could run in this browser.",
            resolver: SERVICE_DESK,
            next_step: "Call your IT service desk and quote this report: it shows what could not be tested and why.",
        }
        .finding(
            Diagnosis::Unknown,
            Confidence::Low,
            paths.evidence(&Segment::ALL),
        );
    }
    let missing: Vec<&str> = Segment::BEYOND_THE_PRACTICE
        .into_iter()
        .filter(|s| !tested.contains(s))
        .map(Segment::plain_name)
        .collect();
    let (confidence, headline) = if missing.is_empty() {
        (
            Confidence::High,
            "Everything checked is working.".to_owned(),
        )
    } else {
        (
            Confidence::Medium,
            format!(
                "Everything checked is working, but {} could not be checked.",
                missing.join(", ")
            ),
        )
    };
    Says {
        headline: &headline,
        resolver: SERVICE_DESK,
        next_step: "If the clinical system still fails, the fault may be in the system itself or in a connection a browser cannot test: call your IT service desk and quote this report.",
    }
    .finding(
        Diagnosis::None,
        confidence,
        paths.evidence(&Segment::ALL),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::*;
    use Segment::*;

    fn result(target: &str, segment: Segment, measurement: Measurement) -> CheckResult {
        CheckResult {
            target: target.into(),
            segment,
            measurement,
        }
    }
    fn up(target: &str, segment: Segment) -> CheckResult {
        let reach = Reach {
            outcome: ReachOutcome::Reached { status: None },
            first_ms: Some(30.0),
            repeat_ms: Some(12.0),
        };
        result(target, segment, Measurement::Reach(reach))
    }
    fn status(target: &str, segment: Segment, code: u16) -> CheckResult {
        let reach = Reach {
            outcome: ReachOutcome::Reached { status: Some(code) },
            first_ms: Some(30.0),
            repeat_ms: None,
        };
        result(target, segment, Measurement::Reach(reach))
    }
    fn slow(target: &str, segment: Segment) -> CheckResult {
        let reach = Reach {
            outcome: ReachOutcome::Reached { status: None },
            first_ms: Some(3_000.0),
            repeat_ms: Some(2_500.0),
        };
        result(target, segment, Measurement::Reach(reach))
    }
    fn refused(target: &str, segment: Segment) -> CheckResult {
        let reach = Reach {
            outcome: ReachOutcome::Failed { after_ms: 6.0 },
            first_ms: None,
            repeat_ms: None,
        };
        result(target, segment, Measurement::Reach(reach))
    }
    fn timeout(target: &str, segment: Segment) -> CheckResult {
        let reach = Reach {
            outcome: ReachOutcome::TimedOut { after_ms: 4_000.0 },
            first_ms: None,
            repeat_ms: None,
        };
        result(target, segment, Measurement::Reach(reach))
    }
    fn blocked(target: &str, segment: Segment) -> CheckResult {
        result(
            target,
            segment,
            Measurement::NotTested(NotTested {
                kind: CheckKind::Reach,
                reason: "mixed content".into(),
            }),
        )
    }
    fn pings(target: &str, segment: Segment, samples: &[f64], failed: u32) -> CheckResult {
        result(
            target,
            segment,
            Measurement::RoundTrips(RoundTrips::from_samples(samples.to_vec(), failed, 300)),
        )
    }
    fn healthy_pings(target: &str, segment: Segment) -> CheckResult {
        pings(target, segment, &[5.0; 20], 0)
    }
    fn websocket_broken(target: &str, segment: Segment) -> CheckResult {
        let ws = WebSocketEcho {
            failure: Some("closed with code 1006".into()),
            round_trips: RoundTrips::from_samples(vec![], 0, 300),
        };
        result(target, segment, Measurement::WebSocket(ws))
    }
    fn intercepted(target: &str, segment: Segment) -> CheckResult {
        let found = Interception {
            injected_headers: vec!["via: 1.1 proxy".into()],
            altered_check_header: None,
            payload_difference_at: None,
        };
        result(target, segment, Measurement::Interception(found))
    }
    fn clock_off(target: &str, segment: Segment, offset_ms: f64) -> CheckResult {
        result(
            target,
            segment,
            Measurement::Clock(ClockOffset {
                offset_ms,
                uncertainty_ms: 1.0,
            }),
        )
    }
    fn download(target: &str, segment: Segment, mbps: f64) -> CheckResult {
        let t = Throughput {
            samples_mbps: vec![mbps; 3],
            largest_bytes: 100_000,
            failure: None,
            under_load: None,
        };
        result(target, segment, Measurement::Download(t))
    }
    /// A healthy download whose round trips were `idle_ms` before it and
    /// `loaded_ms` while it ran.
    fn loaded(target: &str, segment: Segment, idle_ms: f64, loaded_ms: &[f64]) -> CheckResult {
        let mut r = download(target, segment, 50.0);
        if let Measurement::Download(t) = &mut r.measurement {
            t.under_load = Some(crate::check::UnderLoad {
                idle_ms,
                loaded_ms: loaded_ms.to_vec(),
            });
        }
        r
    }
    fn agent(target: &str, answering: bool) -> CheckResult {
        let outcome = if answering {
            LocalAgent::Answering
        } else {
            LocalAgent::NotAnswering
        };
        result(target, Identity, Measurement::LocalAgent(outcome))
    }

    /// A loss check of `sent` probes: `lost_out` lost on the way, then
    /// `lost_back` of the echoes.
    fn loss(
        target: &str,
        segment: Segment,
        sent: u32,
        lost_out: u32,
        lost_back: u32,
    ) -> CheckResult {
        let loss = crate::loss::Loss {
            sent,
            reached_server: sent - lost_out,
            server_counted: true,
            came_back: sent - lost_out - lost_back,
            late: 0,
            late_ms: 300,
            reordered: 0,
            duplicated: 0,
            round_trip: None,
        };
        result(
            target,
            segment,
            Measurement::Loss(LossCheck::Measured(loss)),
        )
    }
    fn udp_blocked(target: &str, segment: Segment) -> CheckResult {
        result(target, segment, Measurement::Loss(LossCheck::UdpBlocked))
    }
    /// `requests` one after another, on `cut + 1` connections, told apart
    /// by the browser's timing.
    fn cut(target: &str, segment: Segment, requests: u32, cut: u32) -> CheckResult {
        cut_seen_by(target, segment, requests, cut, SeenBy::BrowserTiming)
    }
    /// 12 requests, `cut` of them estimated from durations to have come on
    /// a new connection.
    fn estimated_cut(target: &str, segment: Segment, cut: u32) -> CheckResult {
        cut_seen_by(target, segment, 12, cut, SeenBy::Durations)
    }
    /// `requests`, `failed` of them unanswered, from a host whose timing
    /// cannot tell kept connections from new ones.
    fn unanswered(target: &str, segment: Segment, requests: u32, failed: u32) -> CheckResult {
        let connections = crate::connections::Connections {
            requests,
            answered: requests - failed,
            connections: 1,
            cut: 0,
            seen_by: SeenBy::Durations,
        };
        result(target, segment, Measurement::Connections(connections))
    }
    fn cut_seen_by(
        target: &str,
        segment: Segment,
        requests: u32,
        cut: u32,
        seen_by: SeenBy,
    ) -> CheckResult {
        let connections = crate::connections::Connections {
            requests,
            answered: requests,
            connections: cut + 1,
            cut,
            seen_by,
        };
        result(target, segment, Measurement::Connections(connections))
    }

    /// A practice where everything works: a LAN probe and a target on each remote segment.
    fn healthy() -> Vec<CheckResult> {
        vec![
            healthy_pings("practice server", Lan),
            up("hscn host", Hscn),
            up("internet ref 1", Internet),
            up("internet ref 2", Internet),
            up("supplier api", Supplier),
            up("cis2", Identity),
        ]
    }

    /// `healthy()` with the same target's same kind of check replaced, or added.
    fn healthy_but(replacements: Vec<CheckResult>) -> Vec<CheckResult> {
        let same_check = |a: &CheckResult, b: &CheckResult| {
            a.target == b.target
                && std::mem::discriminant(&a.measurement) == std::mem::discriminant(&b.measurement)
        };
        let mut results = healthy();
        for r in replacements {
            match results.iter_mut().find(|o| same_check(o, &r)) {
                Some(slot) => *slot = r,
                None => results.push(r),
            }
        }
        results
    }

    fn online() -> DeviceFacts {
        DeviceFacts {
            online: true,
            ..DeviceFacts::default()
        }
    }

    /// The findings as `id/confidence`, primary first.
    fn check(results: Vec<CheckResult>, device: DeviceFacts, expected: &[&str]) {
        check_case("", results, device, expected);
    }

    /// As [`check`], naming the case in every failure.
    fn check_case(name: &str, results: Vec<CheckResult>, device: DeviceFacts, expected: &[&str]) {
        let verdict = judge(&results, &device);
        let got: Vec<String> = verdict
            .findings
            .iter()
            .map(|f| format!("{}/{}", f.diagnosis.id(), confidence_word(f.confidence)))
            .collect();
        assert_eq!(got, expected, "case {name:?}; results: {results:#?}");
        for f in &verdict.findings {
            assert!(
                !f.headline.is_empty() && !f.next_step.is_empty() && !f.resolver.is_empty(),
                "case {name:?}: {f:#?}"
            );
        }
        // Whatever is down is never hidden behind "nothing wrong".
        let anything_down = results
            .iter()
            .any(|r| matches!(reachability(&r.measurement), Some(Err(_))));
        if anything_down {
            assert!(
                verdict
                    .findings
                    .iter()
                    .all(|f| f.diagnosis != Diagnosis::None),
                "case {name:?}: {verdict:#?}"
            );
        }
    }

    #[test]
    fn verdicts_for_each_segment() {
        let cases: Vec<(&str, Vec<CheckResult>, DeviceFacts, Vec<&str>)> = vec![
            ("everything healthy", healthy(), online(), vec!["none/high"]),
            (
                "browser offline",
                healthy(),
                DeviceFacts::default(),
                vec!["device/high"],
            ),
            (
                "the LAN probe is down",
                healthy_but(vec![pings("practice server", Lan, &[], 20)]),
                online(),
                vec!["lan/high"],
            ),
            (
                "everything down while online",
                vec![
                    timeout("hscn host", Hscn),
                    refused("internet ref 1", Internet),
                    timeout("supplier api", Supplier),
                ],
                online(),
                vec!["lan/high"],
            ),
            (
                "HSCN down, internet up",
                healthy_but(vec![timeout("hscn host", Hscn)]),
                online(),
                vec!["hscn/high"],
            ),
            (
                "HSCN down, internet not configured",
                vec![
                    healthy_pings("practice server", Lan),
                    refused("hscn host", Hscn),
                    up("supplier api", Supplier),
                ],
                online(),
                vec!["hscn/medium"],
            ),
            (
                "internet down, HSCN up",
                healthy_but(vec![
                    refused("internet ref 1", Internet),
                    timeout("internet ref 2", Internet),
                ]),
                online(),
                vec!["internet/high"],
            ),
            (
                "both links down, LAN up: the practice's own connection",
                healthy_but(vec![
                    timeout("hscn host", Hscn),
                    timeout("internet ref 1", Internet),
                    timeout("internet ref 2", Internet),
                ]),
                online(),
                vec!["lan/medium"],
            ),
            (
                "supplier refuses",
                healthy_but(vec![refused("supplier api", Supplier)]),
                online(),
                vec!["supplier/high"],
            ),
            (
                "supplier answers 503",
                healthy_but(vec![status("supplier api", Supplier, 503)]),
                online(),
                vec!["supplier/high"],
            ),
            (
                "supplier answers 404: it is up",
                healthy_but(vec![status("supplier api", Supplier, 404)]),
                online(),
                vec!["none/high"],
            ),
            (
                "one of two supplier hosts down",
                healthy_but(vec![refused("supplier identity", Supplier)]),
                online(),
                vec!["supplier/medium"],
            ),
            (
                "identity times out",
                healthy_but(vec![timeout("cis2", Identity)]),
                online(),
                vec!["identity/high"],
            ),
            (
                "credential agent silent",
                healthy_but(vec![agent("credential management 43485", false)]),
                online(),
                vec!["identity/low"],
            ),
            (
                "one agent of two answering is enough",
                healthy_but(vec![
                    agent("credential management 43485", false),
                    agent("credential management 55000", true),
                ]),
                online(),
                vec!["none/high"],
            ),
            (
                "injected header",
                healthy_but(vec![intercepted("practice server", Lan)]),
                online(),
                vec!["security/high"],
            ),
            (
                "WebSocket broken while HTTP works",
                healthy_but(vec![websocket_broken("practice server", Lan)]),
                online(),
                vec!["security/medium"],
            ),
            (
                "clock five minutes off",
                healthy_but(vec![clock_off("practice server", Lan, 300_000.0)]),
                online(),
                vec!["device/high"],
            ),
            (
                "clock a second off is fine",
                healthy_but(vec![clock_off("practice server", Lan, 1_000.0)]),
                online(),
                vec!["none/high"],
            ),
            (
                "a quarter of round trips late",
                healthy_but(vec![pings(
                    "practice server",
                    Lan,
                    &[[5.0; 15].as_slice(), &[400.0; 5]].concat(),
                    0,
                )]),
                online(),
                vec!["degraded/medium"],
            ),
            (
                "a single flaky sample is not a fault",
                healthy_but(vec![pings(
                    "practice server",
                    Lan,
                    &[[5.0; 19].as_slice(), &[900.0]].concat(),
                    0,
                )]),
                online(),
                vec!["none/high"],
            ),
            (
                "a slow supplier",
                healthy_but(vec![slow("supplier api", Supplier)]),
                online(),
                vec!["degraded/medium"],
            ),
            (
                "a starved link",
                healthy_but(vec![download("practice server", Lan, 0.5)]),
                online(),
                vec!["degraded/medium"],
            ),
            (
                "a queue that fills under load (bufferbloat grade D)",
                healthy_but(vec![loaded("hscn server", Hscn, 10.0, &[250.0; 6])]),
                online(),
                vec!["degraded/medium"],
            ),
            (
                "a queue that grows a little under load is no fault (grade C)",
                healthy_but(vec![loaded("hscn server", Hscn, 10.0, &[150.0; 6])]),
                online(),
                vec!["none/high"],
            ),
            (
                "too few round trips under load to blame a queue",
                healthy_but(vec![loaded("hscn server", Hscn, 10.0, &[900.0; 2])]),
                online(),
                vec!["none/high"],
            ),
            (
                "packets lost on the way to the HSCN server",
                healthy_but(vec![loss("hscn server", Hscn, 250, 13, 0)]),
                online(),
                vec!["degraded/medium"],
            ),
            (
                "packets lost on the way back from the practice server",
                healthy_but(vec![loss("practice server", Lan, 250, 0, 10)]),
                online(),
                vec!["degraded/medium"],
            ),
            (
                "loss within the limit is no fault",
                healthy_but(vec![loss("practice server", Lan, 250, 2, 3)]),
                online(),
                vec!["none/high"],
            ),
            (
                "too few probes to blame a link for loss",
                healthy_but(vec![loss("practice server", Lan, 50, 10, 0)]),
                online(),
                vec!["none/high"],
            ),
            (
                "connections to the supplier cut and retried by the browser",
                healthy_but(vec![cut("supplier api", Supplier, 8, 3)]),
                online(),
                vec!["degraded/medium"],
            ),
            (
                "one connection cut is no fault: it may be the browser's spare",
                healthy_but(vec![cut("hscn host", Hscn, 8, 1)]),
                online(),
                vec!["none/high"],
            ),
            (
                "a few detours estimated from durations alone are a busy computer's pauses, not cuts",
                healthy_but(vec![estimated_cut("supplier api", Supplier, 3)]),
                online(),
                vec!["none/high"],
            ),
            (
                "nor are five of eleven",
                healthy_but(vec![estimated_cut("supplier api", Supplier, 5)]),
                online(),
                vec!["none/high"],
            ),
            (
                "half of the answers after the first, taking a new connection's detour, are a pattern",
                healthy_but(vec![estimated_cut("supplier api", Supplier, 6)]),
                online(),
                vec!["degraded/medium"],
            ),
            (
                "requests to the supplier cut off unanswered while others were answered, its timing withheld",
                healthy_but(vec![unanswered("supplier api", Supplier, 18, 3)]),
                online(),
                vec!["degraded/medium"],
            ),
            (
                "one request unanswered is no pattern: it may be a moment's loss",
                healthy_but(vec![unanswered("supplier api", Supplier, 18, 1)]),
                online(),
                vec!["none/high"],
            ),
            (
                "connections kept open throughout",
                healthy_but(vec![cut("practice server", Lan, 12, 0)]),
                online(),
                vec!["none/high"],
            ),
            (
                "UDP blocked is said, and blames no part",
                healthy_but(vec![udp_blocked("practice server", Lan)]),
                online(),
                vec!["none/high", "none/high"],
            ),
            (
                "UDP blocked does not hide a fault, nor stand beside it",
                healthy_but(vec![
                    udp_blocked("practice server", Lan),
                    timeout("hscn host", Hscn),
                ]),
                online(),
                vec!["hscn/high"],
            ),
        ];
        for (name, results, device, expected) in cases {
            check_case(name, results, device, &expected);
        }
    }

    /// The first finding for a healthy path but `faults`, which must be a
    /// degraded path starting at the NHS network link.
    fn degraded_from_the_hscn(faults: Vec<CheckResult>) -> Finding {
        let verdict = judge(&healthy_but(faults), &online());
        let finding = verdict.findings[0].clone();
        assert_eq!(finding.diagnosis, Diagnosis::Degraded);
        assert!(
            finding
                .headline
                .contains("starting at the NHS network link"),
            "{}",
            finding.headline
        );
        finding
    }

    #[test]
    fn a_queue_under_load_is_placed_at_its_target_with_the_grade_behind_it() {
        let finding = degraded_from_the_hscn(vec![
            loaded("practice server", Lan, 4.0, &[30.0; 8]),
            loaded("hscn server", Hscn, 12.0, &[500.0, 480.0, 520.0, 610.0]),
        ]);
        assert_eq!(
            finding.evidence,
            [
                "hscn server: round trip 12.0 ms idle, 500 ms during the download (bufferbloat grade F, 4 round trips); while anyone at the practice downloads or uploads, every click on the clinical system waits that much longer"
            ]
        );
    }

    #[test]
    fn cut_connections_are_placed_where_they_begin_with_the_count_behind_them() {
        let finding = degraded_from_the_hscn(vec![
            cut("supplier api", Supplier, 8, 2),
            cut("hscn host", Hscn, 8, 3),
        ]);
        assert!(
            finding.evidence.iter().any(|e| e.starts_with(
                "hscn host: 3 of 4 connections were cut while in use and the browser quietly retried (8 requests"
            )),
            "{:?}",
            finding.evidence
        );
    }

    #[test]
    fn several_faults_at_once_are_all_reported_path_first() {
        check(
            healthy_but(vec![
                clock_off("practice server", Lan, -600_000.0),
                download("practice server", Lan, 0.4),
                timeout("hscn host", Hscn),
            ]),
            online(),
            &["device/high", "hscn/high", "degraded/medium"],
        );
        check(
            healthy_but(vec![
                refused("supplier api", Supplier),
                intercepted("practice server", Lan),
            ]),
            online(),
            &["supplier/high", "security/high"],
        );
    }

    #[test]
    fn honest_uncertainty_never_invents_a_fault() {
        // Everything blocked by the browser: nothing tested, nothing blamed.
        check(
            vec![
                blocked("hscn host", Hscn),
                blocked("internet ref 1", Internet),
            ],
            online(),
            &["unknown/low"],
        );
        // Nothing configured at all.
        check(vec![], online(), &["unknown/low"]);
        // Only the LAN configured and working: fine, but the rest was not checked.
        check(
            vec![healthy_pings("practice server", Lan)],
            online(),
            &["none/medium"],
        );
        // An ad-blocked supplier check lowers confidence and blames nobody.
        let mut supplier_blocked: Vec<CheckResult> = healthy()
            .into_iter()
            .filter(|r| r.target != "supplier api")
            .collect();
        supplier_blocked.push(blocked("supplier api", Supplier));
        check(supplier_blocked, online(), &["none/medium"]);
        // Half the internet references answer: the evidence conflicts.
        check(
            healthy_but(vec![timeout("internet ref 2", Internet)]),
            online(),
            &["unknown/low"],
        );
        // A supplier failure with the network not shown working: less sure.
        check(
            vec![
                refused("supplier api", Supplier),
                blocked("hscn host", Hscn),
            ],
            online(),
            &["supplier/medium"],
        );
    }

    #[test]
    fn the_headline_says_the_network_is_fine_only_when_shown() {
        let verdict = judge(&healthy_but(vec![timeout("hscn host", Hscn)]), &online());
        assert_eq!(
            verdict.primary().headline,
            "The NHS network link (HSCN) looks down. This computer and the internet are fine."
        );
        assert!(verdict.primary().evidence.iter().any(|e| e.contains("the NHS network link (HSCN): 0 of 1 answered (no answer: hscn host timed out after 4000 ms)")), "{:?}", verdict.primary().evidence);
        let verdict = judge(&[refused("supplier api", Supplier)], &online());
        assert!(!verdict.primary().headline.contains("network is fine"));
    }

    #[test]
    fn the_summary_lists_every_finding() {
        let verdict = judge(
            &healthy_but(vec![
                refused("supplier api", Supplier),
                intercepted("practice server", Lan),
            ]),
            &online(),
        );
        assert_eq!(verdict.summary(), "supplier (high); also security (high)");
    }
}
