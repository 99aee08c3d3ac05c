//! Timestamps: unix seconds (`i64`, UTC) everywhere inside kocrank.
//!
//! Input may give a timestamp as unix seconds, or as an ISO-8601 date or date-time
//! (`2011-10-01`, `2011-10-01 08:26:00`, `2011-10-01T08:26:00Z`); all are read as UTC.

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// The latest timestamp accepted in input (2100-01-01T00:00:00Z); later values are
/// almost always milliseconds or microseconds written where seconds were expected.
pub const MAX_TS: i64 = 4_102_444_800;

/// Checks that a unix-seconds timestamp lies in `[0, MAX_TS]`; the error text explains.
pub fn check_ts(ts: i64) -> Result<i64, String> {
    if ts < 0 {
        Err(format!(
            "timestamp {ts} is before 1970-01-01; timestamps are unix seconds"
        ))
    } else if ts > MAX_TS {
        // The unit whose years 1973..2100 the value falls in.
        let hint = if ts <= 100_000_000_000 {
            ""
        } else if ts <= MAX_TS * 1_000 {
            " (it looks like milliseconds; divide by 1000)"
        } else if ts <= MAX_TS * 1_000_000 {
            " (it looks like microseconds; divide by 1,000,000)"
        } else {
            " (it looks like nanoseconds; divide by 1,000,000,000)"
        };
        Err(format!("timestamp {ts} is after 2100-01-01{hint}"))
    } else {
        Ok(ts)
    }
}

/// Parses a timestamp: unix seconds, or an ISO-8601 date / date-time. A date-time may
/// end in a UTC offset (`Z`, `+08:00`, `+0800`, `+08`, `-05:30`); without one it is
/// read as UTC, as is a date.
///
/// ```
/// use kocrank::data::time::parse_ts;
/// assert_eq!(parse_ts("0").unwrap(), 0);
/// assert_eq!(parse_ts("2011-10-01").unwrap(), 1_317_427_200);
/// assert_eq!(parse_ts("2011-10-01T08:26:00Z").unwrap(), 1_317_457_560);
/// // 16:26 in Beijing is 08:26 UTC.
/// assert_eq!(parse_ts("2011-10-01T16:26:00+08:00").unwrap(), 1_317_457_560);
/// assert_eq!(parse_ts("2011-10-01 03:26-0500").unwrap(), 1_317_457_560);
/// assert_eq!(parse_ts("2011-10-01 08:26:00 UTC").unwrap(), 1_317_457_560);
/// assert!(parse_ts("yesterday").is_err());
/// assert!(parse_ts("2011-10-01T08:26:00+25:00").is_err());
/// ```
pub fn parse_ts(text: &str) -> Result<i64, String> {
    parse_ts_unchecked(text).and_then(check_ts)
}

/// [`parse_ts`] without the range check: text that is no timestamp is an error, a
/// timestamp before 1970 or after 2100 is not.
pub(crate) fn parse_ts_unchecked(text: &str) -> Result<i64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty timestamp".into());
    }
    if t.bytes().all(|b| b.is_ascii_digit()) || (t.starts_with('-') && t.len() > 1) {
        return t
            .parse()
            .map_err(|_| format!("cannot read \"{t}\" as a timestamp (unix seconds or ISO-8601)"));
    }
    parse_iso(t)
        .ok_or_else(|| {
            let after_minutes = t.get(16..).unwrap_or("");
            if after_minutes.contains(['+', '-']) {
                format!("cannot read \"{t}\" as a timestamp: its UTC offset is not ±hh:mm, ±hhmm or ±hh within ±23:59")
            } else {
                format!("cannot read \"{t}\" as a timestamp (unix seconds or ISO-8601 such as 2011-10-01 or 2011-10-01T08:26:00Z)")
            }
        })
}

fn parse_iso(t: &str) -> Option<i64> {
    // `2019-10-01 00:00:00 UTC`, as some event logs write it.
    let t = t.strip_suffix(" UTC").unwrap_or(t);
    let b = t.as_bytes();
    if b.len() < 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let num = |s: &str| -> Option<i64> {
        if s.bytes().all(|c| c.is_ascii_digit()) && !s.is_empty() {
            s.parse().ok()
        } else {
            None
        }
    };
    let y = num(t.get(0..4)?)?;
    let m = num(t.get(5..7)?)?;
    let d = num(t.get(8..10)?)?;
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    let mut secs = days_from_civil(y, m, d) * DAY;
    let rest = t.get(10..)?;
    if rest.is_empty() {
        return Some(secs);
    }
    let rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
    let (rest, offset) = split_offset(rest)?;
    secs -= offset;
    let mut parts = rest.split(':');
    let h = num(parts.next()?)?;
    let mi = num(parts.next()?)?;
    let s = match parts.next() {
        Some(s) => {
            // drop fractional seconds
            let whole = s.split('.').next()?;
            num(whole)?
        }
        None => 0,
    };
    if parts.next().is_some() || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    secs += h * 3600 + mi * 60 + s;
    Some(secs)
}

/// Splits a time of day from its UTC offset: `Z`, `±hh:mm`, `±hhmm` or `±hh` (hours
/// up to 23, minutes up to 59), in seconds east of UTC; no suffix is UTC. `None` for a
/// malformed offset.
fn split_offset(time: &str) -> Option<(&str, i64)> {
    if let Some(t) = time.strip_suffix('Z').or_else(|| time.strip_suffix('z')) {
        return Some((t, 0));
    }
    // The sign comes after the minutes (`hh:mm`), so it is at index 5 or later.
    let Some(at) = time.rfind(['+', '-']).filter(|&at| at >= 5) else {
        return Some((time, 0));
    };
    let (t, off) = time.split_at(at);
    let sign = if off.starts_with('-') { -1 } else { 1 };
    let body = &off[1..];
    // ASCII only from here, so the slices below fall on character boundaries.
    if !body.bytes().all(|b| b.is_ascii_digit() || b == b':') {
        return None;
    }
    let (h, m) = match body.len() {
        2 => (body, "00"),
        4 => (&body[..2], &body[2..]),
        5 if body.as_bytes()[2] == b':' => (&body[..2], &body[3..]),
        _ => return None,
    };
    if !(h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit())) {
        return None;
    }
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    if h > 23 || m > 59 {
        return None;
    }
    Some((t, sign * (h * 3600 + m * 60)))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Formats unix seconds as `YYYY-MM-DD` (UTC).
pub fn format_date(ts: i64) -> String {
    let z = ts.div_euclid(DAY) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Parses a duration such as `30d`, `12h`, `90m`, `3600s` or `3600` (seconds).
///
/// ```
/// assert_eq!(kocrank::data::time::parse_duration("30d").unwrap(), 30 * 86_400);
/// assert!(kocrank::data::time::parse_duration("-1d").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let (num, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => (&t[..i], &t[i..]),
        None => (t, "s"),
    };
    let n: i64 = num
        .parse()
        .map_err(|_| format!("cannot read \"{t}\" as a duration (e.g. 30d, 12h, 3600s)"))?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => DAY,
        "w" => 7 * DAY,
        _ => {
            return Err(format!(
                "unknown unit in duration \"{t}\" (use s, m, h, d or w)"
            ))
        }
    };
    if n <= 0 {
        return Err(format!("duration \"{t}\" must be positive"));
    }
    n.checked_mul(mult)
        .ok_or_else(|| format!("duration \"{t}\" is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_dates() {
        for ts in [0, 1_317_427_200, 951_782_400 /* 2000-02-29 */, MAX_TS] {
            let d = format_date(ts);
            assert_eq!(parse_ts(&d).unwrap(), ts - ts.rem_euclid(DAY), "{d}");
        }
    }

    #[test]
    fn rejects_bad_dates_and_ranges() {
        assert!(parse_ts("2011-02-30").is_err());
        assert!(parse_ts("2011-13-01").is_err());
        assert!(parse_ts("-5").unwrap_err().contains("before 1970"));
        assert!(parse_ts("1700000000000")
            .unwrap_err()
            .ends_with("(it looks like milliseconds; divide by 1000)"));
        // 2023-11-14 in microseconds and in nanoseconds.
        assert!(parse_ts("1700000000000000")
            .unwrap_err()
            .ends_with("(it looks like microseconds; divide by 1,000,000)"));
        assert!(parse_ts("1700000000000000000")
            .unwrap_err()
            .ends_with("(it looks like nanoseconds; divide by 1,000,000,000)"));
        assert_eq!(parse_ts("2011-10-01 08:26").unwrap(), 1_317_457_560);
        assert_eq!(
            parse_ts("2011-10-01T08:26:00.5+00:00").unwrap(),
            1_317_457_560
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2w").unwrap(), 14 * DAY);
        assert!(parse_duration("5y").is_err());
        assert!(parse_duration("0d").is_err());
    }
}
