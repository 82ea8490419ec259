//! Version 2's wire structs: frozen. Version 1's report, then what version 2
//! added: the site details and whether addresses were removed (postcard is
//! positional, so nesting costs nothing on the wire).

use serde::{Deserialize, Serialize};

use super::v1::ReportV1;
use crate::report::{Report, SiteDetails};

#[derive(Debug, Serialize, Deserialize)]
pub struct ReportV2 {
    v1: ReportV1,
    place: String,
    ticket: String,
    note: String,
    addresses_removed: bool,
}

impl From<&Report> for ReportV2 {
    fn from(r: &Report) -> ReportV2 {
        ReportV2 {
            v1: ReportV1::from(r),
            place: r.site.place.clone(),
            ticket: r.site.ticket.clone(),
            note: r.site.note.clone(),
            addresses_removed: r.addresses_removed,
        }
    }
}

impl TryFrom<ReportV2> for Report {
    type Error = String;

    fn try_from(w: ReportV2) -> Result<Report, String> {
        Ok(Report {
            site: SiteDetails {
                place: w.place,
                ticket: w.ticket,
                note: w.note,
            },
            addresses_removed: w.addresses_removed,
            ..Report::try_from(w.v1)?
        })
    }
}
