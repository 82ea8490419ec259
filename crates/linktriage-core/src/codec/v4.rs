//! Version 4's wire structs: frozen. Version 3's report, then the release
//! of Link Triage that made it (empty when the page did not know it).

use serde::{Deserialize, Serialize};

use super::v3::{NoWatch, ReportV3, WatchV3};
use crate::report::{Report, is_release_id};

/// `W` as in [`ReportV3`]: [`NoWatch`] writes a report of the checks alone
/// without the watch's encoder.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReportV4<W = WatchV3> {
    v3: ReportV3<W>,
    release: String,
}

impl ReportV4<NoWatch> {
    pub fn checks(r: &Report) -> ReportV4<NoWatch> {
        ReportV4 {
            v3: ReportV3::checks(r),
            release: r.release.clone(),
        }
    }
}

impl From<&Report> for ReportV4 {
    fn from(r: &Report) -> ReportV4 {
        ReportV4 {
            v3: ReportV3::from(r),
            release: r.release.clone(),
        }
    }
}

impl TryFrom<ReportV4> for Report {
    type Error = String;

    fn try_from(w: ReportV4) -> Result<Report, String> {
        if !is_release_id(&w.release) {
            return Err("its release is not a release id".into());
        }
        Ok(Report {
            release: w.release,
            ..Report::try_from(w.v3)?
        })
    }
}
