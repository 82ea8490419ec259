//! Calendar formatting of instants that arrive as data (the core reads no clock).

/// The first and last instants formatted as they are: years 1 to 9999.
/// Anything outside (a wrong clock, a forged report) is shown at the nearest
/// end rather than overflowing the calendar arithmetic.
const EARLIEST_MS: f64 = -62_135_596_800_000.0;
const LATEST_MS: f64 = 253_402_300_799_000.0;

/// Formats milliseconds since the Unix epoch, shifted by `offset_minutes`, as
/// `YYYY-MM-DD HH:MM:SS`.
pub fn format_timestamp(unix_ms: f64, offset_minutes: i32) -> String {
    let shifted = unix_ms + f64::from(offset_minutes) * 60_000.0;
    let shifted = if shifted.is_nan() {
        EARLIEST_MS
    } else {
        shifted.clamp(EARLIEST_MS, LATEST_MS)
    };
    let total_seconds = (shifted / 1000.0).floor() as i64;
    let days = total_seconds.div_euclid(86_400);
    let seconds_of_day = total_seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        seconds_of_day / 3600,
        seconds_of_day / 60 % 60,
        seconds_of_day % 60
    )
}

/// ISO 8601 in UTC, to the second: `2026-11-24T09:05:00Z`, as machines and
/// the page's `data-` attributes read it.
pub fn iso_8601(unix_ms: f64) -> String {
    format!("{}Z", format_timestamp(unix_ms, 0).replacen(' ', "T", 1))
}

/// Formats an offset from UTC as `UTC+01:00`.
pub fn format_offset(offset_minutes: i32) -> String {
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let m = offset_minutes.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

/// Year, month, day of a count of days since 1970-01-01 (proleptic Gregorian),
/// after Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants_format_as_calendar_time() {
        let cases: &[(f64, i32, &str)] = &[
            (0.0, 0, "1970-01-01 00:00:00"),
            (951_782_400_000.0, 0, "2000-02-29 00:00:00"),
            (1_795_511_145_999.0, 0, "2026-11-24 09:05:45"),
            (1_795_511_145_000.0, 60, "2026-11-24 10:05:45"),
            (1_795_511_145_000.0, -600, "2026-11-23 23:05:45"),
            (-1_000.0, 0, "1969-12-31 23:59:59"),
            (f64::MAX, 0, "9999-12-31 23:59:59"),
            (f64::NEG_INFINITY, 0, "0001-01-01 00:00:00"),
            (f64::NAN, 0, "0001-01-01 00:00:00"),
            (LATEST_MS, i32::MAX, "9999-12-31 23:59:59"),
        ];
        for &(ms, offset, expected) in cases {
            assert_eq!(format_timestamp(ms, offset), expected, "{ms} at {offset}");
        }
        assert_eq!(iso_8601(1_795_511_145_999.0), "2026-11-24T09:05:45Z");
    }

    #[test]
    fn offsets_read_as_utc_plus_or_minus() {
        assert_eq!(format_offset(0), "UTC+00:00");
        assert_eq!(format_offset(60), "UTC+01:00");
        assert_eq!(format_offset(-330), "UTC-05:30");
    }
}
