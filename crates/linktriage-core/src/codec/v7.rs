//! Version 7's wire structs: frozen. Version 6's report, then the round
//! trips each transfer measured under load, with the place of its download
//! or upload in the whole list of results.

use serde::{Deserialize, Serialize};

use super::v3::{NoWatch, WatchV3};
use super::v6::ReportV6;
use crate::check::{Measurement, UnderLoad};
use crate::report::Report;

/// `W` as in version 3: [`NoWatch`] writes a report of the checks alone
/// without the watch's encoder.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReportV7<W = WatchV3> {
    v6: ReportV6<W>,
    under_load: Vec<UnderLoadV7>,
}

/// A transfer's round trips under load, in hundredths of a millisecond as
/// version 1's times, and the place of the transfer in the report's list.
#[derive(Debug, Serialize, Deserialize)]
struct UnderLoadV7 {
    place: u32,
    idle_h: u32,
    loaded_h: Vec<u32>,
}

fn to_h(ms: f64) -> u32 {
    (ms * 100.0).round() as u32
}
fn from_h(h: u32) -> f64 {
    f64::from(h) / 100.0
}

fn under_load_of(r: &Report) -> Vec<UnderLoadV7> {
    r.results
        .iter()
        .enumerate()
        .filter_map(|(place, result)| match &result.measurement {
            Measurement::Download(t) | Measurement::Upload(t) => {
                t.under_load.as_ref().map(|u| UnderLoadV7 {
                    place: place as u32,
                    idle_h: to_h(u.idle_ms),
                    loaded_h: u.loaded_ms.iter().copied().map(to_h).collect(),
                })
            }
            _ => None,
        })
        .collect()
}

impl ReportV7<NoWatch> {
    pub fn checks(r: &Report) -> ReportV7<NoWatch> {
        ReportV7 {
            v6: ReportV6::checks(r),
            under_load: under_load_of(r),
        }
    }
}

impl From<&Report> for ReportV7 {
    fn from(r: &Report) -> ReportV7 {
        ReportV7 {
            v6: ReportV6::from(r),
            under_load: under_load_of(r),
        }
    }
}

impl TryFrom<ReportV7> for Report {
    type Error = String;

    fn try_from(w: ReportV7) -> Result<Report, String> {
        let mut report = Report::try_from(w.v6)?;
        for u in w.under_load {
            let result = report.results.get_mut(u.place as usize);
            let Some(Measurement::Download(t) | Measurement::Upload(t)) =
                result.map(|r| &mut r.measurement)
            else {
                return Err("round trips under load belong to no transfer".into());
            };
            if t.under_load.is_some() {
                return Err("a transfer has two sets of round trips under load".into());
            }
            t.under_load = Some(UnderLoad {
                idle_ms: from_h(u.idle_h),
                loaded_ms: u.loaded_h.into_iter().map(from_h).collect(),
            });
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The version 7 golden report's wire struct after `change`, read back.
    fn read_changed(change: impl FnOnce(&mut ReportV7)) -> Result<Report, String> {
        let report = super::super::decode(include_str!(
            "../../tests/golden/v7-default-config-lab.code"
        ))
        .map_err(|e| e.to_string())?;
        let mut wire = ReportV7::from(&report);
        change(&mut wire);
        super::super::read_as::<ReportV7>(&postcard::to_allocvec(&wire).unwrap())
    }

    #[test]
    fn round_trips_under_load_read_back_onto_their_transfer_only() {
        let report = read_changed(|_| {}).unwrap();
        let transfers_under_load = report
            .results
            .iter()
            .filter(|r| match &r.measurement {
                Measurement::Download(t) | Measurement::Upload(t) => t.under_load.is_some(),
                _ => false,
            })
            .count();
        assert_eq!(transfers_under_load, 2);
        /// The error expected, and the damage that makes it.
        type Case = (&'static str, fn(&mut ReportV7));
        let cases: [Case; 3] = [
            ("round trips under load belong to no transfer", |w| {
                w.under_load[0].place = 0
            }),
            ("round trips under load belong to no transfer", |w| {
                w.under_load[0].place = 10_000
            }),
            ("a transfer has two sets of round trips under load", |w| {
                let place = w.under_load[0].place;
                w.under_load[1].place = place;
            }),
        ];
        for (expected, change) in cases {
            assert_eq!(
                read_changed(change).unwrap_err(),
                format!("the content does not read: {expected}")
            );
        }
    }
}
