//! Time as epoch milliseconds, and the ISO 8601 / RFC 3339 dates providers send.

/// Milliseconds since the Unix epoch, UTC. Every `now` in this crate is one of these.
pub type Millis = i64;

pub const SECOND: Millis = 1_000;
pub const MINUTE: Millis = 60 * SECOND;

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Parses `2015-01-14T16:31:00Z`, `2015-01-14T16:31:00.123Z`, `2015-01-14T16:31:00+02:00` and the
/// space-separated form `2015-01-14 16:31:00` (taken as UTC). `None` for anything else, including
/// the all-zero placeholder some providers send before a value exists.
pub fn parse_rfc3339(s: &str) -> Option<Millis> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    if b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b't' || b[10] == b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut ms = 0i64;
    if i < b.len() && b[i] == b'.' {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let frac = &s[start..i];
        if frac.is_empty() {
            return None;
        }
        let digits: String = frac.chars().chain("000".chars()).take(3).collect();
        ms = digits.parse().ok()?;
    }
    let offset_min = match &s[i..] {
        "" | "Z" | "z" => 0,
        rest if (rest.starts_with('+') || rest.starts_with('-')) && rest.len() == 6 => {
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            let oh: i64 = rest.get(1..3)?.parse().ok()?;
            let om: i64 = rest.get(4..6)?.parse().ok()?;
            sign * (oh * 60 + om)
        }
        _ => return None,
    };
    let days = days_from_civil(y, mo, d);
    let secs = days * 86_400 + h * 3600 + mi * 60 + sec - offset_min * 60;
    Some(secs * 1000 + ms)
}

/// Formats as `2015-01-14T16:31:00Z` (UTC, whole seconds).
pub fn format_rfc3339(t: Millis) -> String {
    let secs = t.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// A short human duration: `850 ms`, `12 s`, `3 min 05 s`, `2 h 04 min`.
pub fn format_duration(ms: Millis) -> String {
    let ms = ms.max(0);
    if ms < 1000 {
        return format!("{ms} ms");
    }
    let s = ms / 1000;
    if s < 60 {
        format!("{s} s")
    } else if s < 3600 {
        format!("{} min {:02} s", s / 60, s % 60)
    } else {
        format!("{} h {:02} min", s / 3600, (s % 3600) / 60)
    }
}

/// A running clock in whole seconds ("0 s", "12 s", "1 min 05 s"), for times that tick on
/// screen once a second.
pub fn format_elapsed(ms: Millis) -> String {
    if ms < 1000 {
        "0 s".into()
    } else {
        format_duration(ms / 1000 * 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticking_clock_shows_whole_seconds() {
        assert_eq!(format_elapsed(-20), "0 s", "a clock a little behind");
        assert_eq!(format_elapsed(350), "0 s");
        assert_eq!(format_elapsed(12_900), "12 s");
        assert_eq!(format_elapsed(65_000), "1 min 05 s");
    }

    #[test]
    fn parses_the_documented_example() {
        let t = parse_rfc3339("2015-01-14T16:31:00Z").unwrap();
        assert_eq!(t, 1_421_253_060_000);
        assert_eq!(format_rfc3339(t), "2015-01-14T16:31:00Z");
    }

    #[test]
    fn parses_fractions_offsets_and_space_form() {
        assert_eq!(
            parse_rfc3339("2015-01-14T16:31:00.5Z"),
            Some(1_421_253_060_500)
        );
        assert_eq!(
            parse_rfc3339("2015-01-14T18:31:00+02:00"),
            Some(1_421_253_060_000)
        );
        assert_eq!(
            parse_rfc3339("2015-01-14 16:31:00"),
            Some(1_421_253_060_000)
        );
    }

    #[test]
    fn rejects_placeholders_and_garbage() {
        assert_eq!(parse_rfc3339("0000-00-00 00:00:00"), None);
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert_eq!(parse_rfc3339("2015-13-01T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("2015-01-14T16:31:00 UTC"), None);
    }

    #[test]
    fn round_trips_across_leap_years() {
        for t in [0, 951_782_400_000, 1_709_210_096_000, 4_102_444_799_000] {
            assert_eq!(parse_rfc3339(&format_rfc3339(t)), Some(t));
        }
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(850), "850 ms");
        assert_eq!(format_duration(12_400), "12 s");
        assert_eq!(format_duration(185_000), "3 min 05 s");
        assert_eq!(format_duration(7_440_000), "2 h 04 min");
    }
}
