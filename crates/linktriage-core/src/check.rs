//! What the checks found: the results model that the verdict and the report read.
//!
//! The app measures, the core records. Every result says which target it was
//! about and which segment that target stands for, so that the verdict can
//! reason about segments without going back to the configuration.

use serde::{Deserialize, Serialize};

use crate::segment::Segment;
use crate::stats::{Summary, summarize};

/// One check of one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub target: String,
    pub segment: Segment,
    #[serde(flatten)]
    pub measurement: Measurement,
}

/// The kinds of measurement, each with the figures it yields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "check", rename_all = "snake_case")]
pub enum Measurement {
    /// HTTP round trips to a Link Triage server.
    RoundTrips(RoundTrips),
}

/// A series of timed HTTP round trips.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundTrips {
    /// Round trips tried after the warm-up.
    pub attempted: u32,
    /// Those that got no answer in time (or no answer at all).
    pub failed: u32,
    /// Those answered, but slower than `late_ms`.
    pub late: u32,
    pub late_ms: u32,
    /// Network time of each answered round trip in milliseconds, in order.
    pub samples_ms: Vec<f64>,
    pub summary: Option<Summary>,
}

impl RoundTrips {
    /// Records a series from the answered samples and the count that failed.
    pub fn from_samples(samples_ms: Vec<f64>, failed: u32, late_ms: u32) -> RoundTrips {
        let late = samples_ms
            .iter()
            .filter(|&&s| s > f64::from(late_ms))
            .count() as u32;
        RoundTrips {
            attempted: samples_ms.len() as u32 + failed,
            failed,
            late,
            late_ms,
            summary: summarize(&samples_ms),
            samples_ms,
        }
    }

    /// Late or failed round trips as a share of those tried (0 to 1).
    pub fn late_or_failed_share(&self) -> f64 {
        if self.attempted == 0 {
            return 0.0;
        }
        f64::from(self.late + self.failed) / f64::from(self.attempted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_and_failed_round_trips_are_counted_against_the_threshold() {
        let rt = RoundTrips::from_samples(vec![10.0, 350.0, 20.0, 300.0], 1, 300);
        assert_eq!((rt.attempted, rt.failed, rt.late), (5, 1, 1));
        assert!((rt.late_or_failed_share() - 0.4).abs() < 1e-9);
        assert_eq!(rt.summary.unwrap().median, 20.0);
    }

    #[test]
    fn nothing_attempted_is_no_share_at_all() {
        let rt = RoundTrips::from_samples(vec![], 0, 300);
        assert_eq!(rt.late_or_failed_share(), 0.0);
        assert_eq!(rt.summary, None);
    }
}
