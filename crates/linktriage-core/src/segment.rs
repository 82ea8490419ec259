//! The parts of the path between a clinician's PC and the clinical system.

use serde::{Deserialize, Serialize};

/// Where a configured target sits on the path, so that its failure points at a
/// part of the network and at the group that fixes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Segment {
    /// This PC and its browser.
    Device,
    /// The practice's own network.
    Lan,
    /// The NHS network link (HSCN, formerly N3).
    Hscn,
    /// The public internet.
    Internet,
    /// The clinical system supplier's hosts.
    Supplier,
    /// National identity services (smartcard sign-in, CIS2, Spine).
    Identity,
}

impl Segment {
    pub const ALL: [Segment; 6] = [
        Segment::Device,
        Segment::Lan,
        Segment::Hscn,
        Segment::Internet,
        Segment::Supplier,
        Segment::Identity,
    ];

    /// The segments beyond the practice's own network, which a check run
    /// from the practice should reach.
    pub const BEYOND_THE_PRACTICE: [Segment; 4] = [
        Segment::Hscn,
        Segment::Internet,
        Segment::Supplier,
        Segment::Identity,
    ];

    /// The stable id used in configuration files and reports.
    pub fn id(self) -> &'static str {
        match self {
            Segment::Device => "device",
            Segment::Lan => "lan",
            Segment::Hscn => "hscn",
            Segment::Internet => "internet",
            Segment::Supplier => "supplier",
            Segment::Identity => "identity",
        }
    }

    /// The segment whose id is `id`.
    pub fn from_id(id: &str) -> Option<Segment> {
        Segment::ALL.into_iter().find(|s| s.id() == id)
    }

    /// The plain-English name a clinician reads.
    pub fn plain_name(self) -> &'static str {
        match self {
            Segment::Device => "this computer",
            Segment::Lan => "the practice network",
            Segment::Hscn => "the NHS network link (HSCN)",
            Segment::Internet => "the internet",
            Segment::Supplier => "the clinical system supplier",
            Segment::Identity => "national identity services (smartcard sign-in)",
        }
    }

    /// Who fixes a fault here (the resolving group), as the clinician reads it.
    /// The group the desk routes a fault here to, in the desk's own words
    /// ([`Segment::resolver`] says it to the clinician).
    pub fn resolving_group(self) -> &'static str {
        match self {
            Segment::Device => "Practice or local IT (this computer)",
            Segment::Lan => "Local IT (the practice network)",
            Segment::Hscn => "The network provider (HSCN)",
            Segment::Internet => "The practice's internet provider",
            Segment::Supplier => "The clinical system supplier's service desk",
            Segment::Identity => "The National Service Desk (identity services)",
        }
    }

    pub fn resolver(self) -> &'static str {
        match self {
            Segment::Device => "Practice or local IT",
            Segment::Lan => "Local IT (practice network)",
            Segment::Hscn => "The network provider, through your IT service desk",
            Segment::Internet => "The practice's internet provider, through your IT service desk",
            Segment::Supplier => "The clinical system supplier's service desk",
            Segment::Identity => "The National Service Desk, through your IT service desk",
        }
    }
}
