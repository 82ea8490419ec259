//! Summary statistics of round-trip samples: the figures a report quotes.

use serde::{Deserialize, Serialize};

/// What a series of round-trip samples (milliseconds) comes to.
///
/// Percentiles use the nearest-rank method: every figure is a sample that was
/// really measured, never an interpolation between two.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub count: usize,
    pub min: f64,
    pub median: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
    /// Mean absolute difference of consecutive samples, in the order taken
    /// (RFC 3550's idea of jitter without its smoothing).
    pub jitter: f64,
}

/// Summarises samples taken in order; `None` when there are none to summarise.
///
/// Non-finite samples (a timer that returned NaN) are ignored rather than
/// allowed to poison every figure.
pub fn summarize(samples_in_order: &[f64]) -> Option<Summary> {
    let in_order: Vec<f64> = samples_in_order
        .iter()
        .copied()
        .filter(|s| s.is_finite())
        .collect();
    let mut sorted = in_order.clone();
    // Unstable is exact here (values that compare equal are the same value),
    // and the standard library's stable sort costs the first load 2 KB more.
    sorted.sort_unstable_by(f64::total_cmp);
    let (&min, &max) = (sorted.first()?, sorted.last()?);
    let jitter = if in_order.len() < 2 {
        0.0
    } else {
        let total: f64 = in_order.windows(2).map(|w| (w[1] - w[0]).abs()).sum();
        total / (in_order.len() - 1) as f64
    };
    Some(Summary {
        count: sorted.len(),
        min,
        median: percentile(&sorted, 50.0),
        p90: percentile(&sorted, 90.0),
        p99: percentile(&sorted, 99.0),
        max,
        jitter,
    })
}

/// Nearest-rank percentile of a sorted, non-empty slice.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(samples: &[f64], expect: Option<[f64; 6]>) {
        let got = summarize(samples).map(|s| [s.min, s.median, s.p90, s.p99, s.max, s.jitter]);
        assert_eq!(got, expect, "samples {samples:?}");
    }

    #[test]
    fn summaries_of_known_series() {
        check(&[], None);
        check(&[f64::NAN], None);
        check(&[5.0], Some([5.0, 5.0, 5.0, 5.0, 5.0, 0.0]));
        check(&[1.0, 3.0], Some([1.0, 1.0, 3.0, 3.0, 3.0, 2.0]));
        check(&[3.0, 1.0, 2.0], Some([1.0, 2.0, 3.0, 3.0, 3.0, 1.5]));
        // One to ten in order: every step is 1 ms of jitter.
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        check(&ten, Some([1.0, 5.0, 9.0, 10.0, 10.0, 1.0]));
        // A NaN in the middle is dropped, not counted as a step.
        check(&[1.0, f64::NAN, 3.0], Some([1.0, 1.0, 3.0, 3.0, 3.0, 2.0]));
    }

    #[test]
    fn a_hundred_samples_put_p99_on_the_ninety_ninth() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        let s = summarize(&samples).unwrap();
        assert_eq!((s.median, s.p90, s.p99), (50.0, 90.0, 99.0));
    }
}
