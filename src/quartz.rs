//! The cron dialect of Fleet's Schedules, as Fleet reads it.
//!
//! Fleet parses `spec.schedule` with go-quartz (rancher/fleet v0.16.1 go.mod: reugn/go-quartz
//! v0.15.2; internal/cmd/controller/reconciler/cronduration_job.go:112, 128): six or seven
//! fields, seconds first, Quartz's `?`, `L`, `W` and `#`. The parser here follows go-quartz's
//! `quartz/cron.go` and `quartz/util.go` at v0.15.2 rule by rule, and is stricter in one place:
//! go-quartz accepts an out-of-range number inside a list (`0,99`) and then never fires on it.
//!
//! Fleet also refuses a Schedule whose `duration` reaches the next firing (cronduration_job.go:
//! 127-150, measured from the moment it reconciles), so [`Cron::shortest_gap`] finds the
//! shortest time between two firings over the years ahead.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;

/// A parsed expression. An empty list means any value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    seconds: Vec<u8>,
    minutes: Vec<u8>,
    hours: Vec<u8>,
    day_of_month: DayOfMonth,
    months: Vec<u8>,
    day_of_week: DayOfWeek,
    years: Vec<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum DayOfMonth {
    Days(Vec<u8>),
    /// `L` (0) or `L-n`: the last day of the month less n.
    Last(u8),
    /// `LW`: the last weekday (Monday to Friday) of the month.
    LastWeekday,
    /// `nW`: the weekday nearest day n, within the month.
    NearestWeekday(u8),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum DayOfWeek {
    /// Sunday is 1, as in Quartz.
    Days(Vec<u8>),
    /// `6L`: the last such day of the month.
    Last(u8),
    /// `6#3`: the n-th such day of the month.
    Nth(u8, u8),
}

/// Why an expression is refused: the field at fault (`None` for the whole expression) and what
/// is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronError {
    pub field: Option<(&'static str, String)>,
    pub message: String,
}

const FIELDS: [&str; 7] = [
    "seconds",
    "minutes",
    "hours",
    "day of month",
    "month",
    "day of week",
    "year",
];
const MONTHS: [&str; 13] = [
    "0", "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 8] = ["0", "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// go-quartz's shorthands (cron.go `special`).
const SPECIAL: [(&str, &str); 5] = [
    ("@yearly", "0 0 0 1 1 *"),
    ("@monthly", "0 0 0 1 * *"),
    ("@weekly", "0 0 0 * * 1"),
    ("@daily", "0 0 0 * * *"),
    ("@hourly", "0 0 * * * *"),
];

struct Bound {
    lower: i64,
    upper: i64,
}

type Field<'a> = (usize, &'a str);

fn fail(field: Field<'_>, message: impl Into<String>) -> CronError {
    CronError {
        field: Some((FIELDS[field.0], field.1.to_owned())),
        message: message.into(),
    }
}

impl Cron {
    pub fn parse(expression: &str) -> Result<Cron, CronError> {
        // go-quartz collapses `\s+` (RE2: tab, newline, form feed, carriage return, space).
        let trimmed = expression
            .split(['\t', '\n', '\x0c', '\r', ' '])
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let text = SPECIAL
            .iter()
            .find(|(k, _)| *k == trimmed)
            .map_or(trimmed.as_str(), |(_, v)| v);
        let mut tokens: Vec<&str> = text.split(' ').collect();
        if !(6..=7).contains(&tokens.len()) {
            return Err(CronError {
                field: None,
                message: format!(
                    "has {} fields; Fleet's Quartz cron has 6 or 7: seconds, minutes, hours, day of month, month, day of week and an optional year",
                    tokens.len()
                ),
            });
        }
        if tokens.len() == 6 {
            tokens.push("*");
        }
        let any = |t: &str| t == "?" || t == "*";
        if !any(tokens[3]) && !any(tokens[5]) {
            return Err(CronError {
                field: None,
                message: "sets both the day of month and the day of week; one of them must be `?`"
                    .into(),
            });
        }
        let small = |v: Vec<i64>| v.into_iter().map(|x| x as u8).collect::<Vec<u8>>();
        let seconds = small(field((0, tokens[0]), &Bound::new(0, 59), &[])?);
        let minutes = small(field((1, tokens[1]), &Bound::new(0, 59), &[])?);
        let hours = small(field((2, tokens[2]), &Bound::new(0, 23), &[])?);
        let day_of_month = day_of_month((3, tokens[3]))?;
        let months = small(field((4, tokens[4]), &Bound::new(1, 12), &MONTHS)?);
        let day_of_week = day_of_week((5, tokens[5]))?;
        let years = field((6, tokens[6]), &Bound::new(1970, 1970 * 2), &[])?
            .into_iter()
            .map(|x| x as u16)
            .collect();
        Ok(Cron {
            seconds,
            minutes,
            hours,
            day_of_month,
            months,
            day_of_week,
            years,
        })
    }

    /// The seconds of the day it fires at, in order.
    fn times_of_day(&self) -> Vec<u32> {
        let all = |v: &[u8], n: u8| -> Vec<u32> {
            if v.is_empty() {
                (0..n).map(u32::from).collect()
            } else {
                v.iter().map(|&x| u32::from(x)).collect()
            }
        };
        let mut out = Vec::new();
        for h in all(&self.hours, 24) {
            for m in all(&self.minutes, 60) {
                for s in all(&self.seconds, 60) {
                    out.push(h * 3600 + m * 60 + s);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    fn fires_on(&self, d: Date) -> bool {
        let in_list = |v: &[u8], x: i8| v.is_empty() || v.contains(&(x as u8));
        if !in_list(&self.months, d.month()) {
            return false;
        }
        if !self.years.is_empty() && !self.years.contains(&(d.year() as u16)) {
            return false;
        }
        let last = d.days_in_month();
        let weekday = |day: i8| {
            Date::new(d.year(), d.month(), day)
                .map(|x| x.weekday().to_monday_one_offset() <= 5)
                .unwrap_or(false)
        };
        let dom = match &self.day_of_month {
            DayOfMonth::Days(v) => in_list(v, d.day()),
            DayOfMonth::Last(n) => i16::from(d.day()) == i16::from(last) - i16::from(*n),
            DayOfMonth::LastWeekday => {
                let day = (1..=last).rev().find(|&x| weekday(x));
                day == Some(d.day())
            }
            DayOfMonth::NearestWeekday(n) => {
                // go-quartz internal/csm/util.go `closestWeekday`: the day itself, else the
                // nearest weekday before or after it (before first) within the month.
                let n = (*n as i8).min(last);
                let target = (0..=7)
                    .flat_map(|i| [n - i, n + i])
                    .find(|&x| (1..=last).contains(&x) && weekday(x))
                    .unwrap_or(n);
                d.day() == target
            }
        };
        let sunday_one = d.weekday().to_sunday_one_offset() as u8;
        let dow = match &self.day_of_week {
            DayOfWeek::Days(v) => v.is_empty() || v.contains(&sunday_one),
            DayOfWeek::Last(w) => *w == sunday_one && d.day() + 7 > last,
            DayOfWeek::Nth(w, n) => *w == sunday_one && (d.day() - 1) / 7 + 1 == *n as i8,
        };
        dom && dow
    }

    /// The shortest time between two firings, in seconds, over `years` years from `from`, in
    /// time zone `tz` (clock changes included); `None` when it fires fewer than twice in that
    /// time, which Fleet refuses as well (go-quartz `ErrTriggerExpired`).
    pub fn shortest_gap(&self, tz: &TimeZone, from: Date, years: i16) -> Option<i64> {
        let times = self.times_of_day();
        let civil_in_day = times.windows(2).map(|w| i64::from(w[1] - w[0])).min();
        let end = from.year().saturating_add(years);
        // The instant as Go's `time.Date` makes it, which go-quartz uses: a time the clocks
        // skip lands an hour off (go-quartz's own test: 02:00 on the day New York springs
        // forward fires at 01:00 EST); a time they repeat is the first.
        let at = |d: Date, secs: u32| -> Option<i64> {
            let t = Time::new(
                (secs / 3600) as i8,
                (secs / 60 % 60) as i8,
                (secs % 60) as i8,
                0,
            )
            .ok()?;
            go_date(tz, DateTime::from_parts(d, t))
        };
        let mut shortest: Option<i64> = None;
        let mut keep = |gap: i64| shortest = Some(shortest.map_or(gap, |s: i64| s.min(gap)));
        let mut previous_last: Option<i64> = None;
        let mut fired = 0usize;
        let mut d = from;
        while d.year() < end {
            if self.fires_on(d)
                && let Some(first) = at(d, times[0])
                && let Some(last) = at(d, times[times.len() - 1])
            {
                fired += times.len();
                let civil_span = i64::from(times[times.len() - 1] - times[0]);
                if last - first == civil_span {
                    if let Some(p) = previous_last {
                        keep(first - p);
                    }
                    if let Some(g) = civil_in_day {
                        keep(g);
                    }
                    previous_last = Some(last);
                } else if times.len() <= 1440 {
                    // The clocks change this day: the real instants, each after the one before
                    // (go-quartz takes the next firing after the previous, cron.go:95-103).
                    for &s in &times {
                        let Some(i) = at(d, s) else { continue };
                        match previous_last {
                            Some(p) if i <= p => {}
                            Some(p) => {
                                keep(i - p);
                                previous_last = Some(i);
                            }
                            None => previous_last = Some(i),
                        }
                    }
                } else {
                    if let Some(p) = previous_last {
                        keep(first - p);
                    }
                    if let Some(g) = civil_in_day {
                        keep((g - (civil_span - (last - first)).abs()).max(1));
                    }
                    previous_last = Some(last);
                }
            }
            let Ok(next) = d.tomorrow() else { break };
            d = next;
        }
        (fired >= 2).then_some(shortest).flatten()
    }
}

/// Go's `time.Date` for a wall-clock time in `tz`: the offset of the instant the wall clock
/// would be in UTC, corrected once if the result falls outside that offset's period
/// (go/src/time/time.go `Date`). In a gap the result is the wall time read with the offset
/// before the change; in a fold, the earlier instant.
fn go_date(tz: &TimeZone, dt: DateTime) -> Option<i64> {
    let local = TimeZone::UTC.to_timestamp(dt).ok()?.as_second();
    let first = i64::from(tz.to_offset(Timestamp::from_second(local).ok()?).seconds());
    let utc = local - first;
    let offset = i64::from(tz.to_offset(Timestamp::from_second(utc).ok()?).seconds());
    Some(local - offset)
}

impl Cron {
    /// Every opening over `years` years from `from` in `tz`, in order (each after the one
    /// before, as go-quartz finds them); `None` beyond `cap` openings.
    pub fn openings(&self, tz: &TimeZone, from: Date, years: i16, cap: usize) -> Option<Vec<i64>> {
        let times = self.times_of_day();
        let end = from.year().saturating_add(years);
        let mut out: Vec<i64> = Vec::new();
        let mut d = from;
        while d.year() < end {
            if self.fires_on(d) {
                if out.len() + times.len() > cap {
                    return None;
                }
                for &s in &times {
                    let Ok(t) = Time::new((s / 3600) as i8, (s / 60 % 60) as i8, (s % 60) as i8, 0)
                    else {
                        continue;
                    };
                    if let Some(i) = go_date(tz, DateTime::from_parts(d, t))
                        && out.last().is_none_or(|&p| i > p)
                    {
                        out.push(i);
                    }
                }
            }
            let Ok(next) = d.tomorrow() else { break };
            d = next;
        }
        Some(out)
    }
}

/// Whether a window of one schedule is open when the other opens: openings `a` and `b` (in
/// order) with windows of `da` and `db` seconds.
pub fn windows_overlap(a: &[i64], da: i64, b: &[i64], db: i64) -> bool {
    let (mut i, mut j) = (0, 0);
    let (mut last_a, mut last_b): (Option<i64>, Option<i64>) = (None, None);
    while i < a.len() || j < b.len() {
        let take_a = j == b.len() || (i < a.len() && a[i] <= b[j]);
        if take_a {
            let x = a[i];
            if last_b.is_some_and(|y| x < y + db) {
                return true;
            }
            last_a = Some(x);
            i += 1;
        } else {
            let x = b[j];
            if last_a.is_some_and(|y| x < y + da) {
                return true;
            }
            last_b = Some(x);
            j += 1;
        }
    }
    false
}

impl Bound {
    const fn new(lower: i64, upper: i64) -> Bound {
        Bound { lower, upper }
    }

    fn holds(&self, v: i64) -> bool {
        (self.lower..=self.upper).contains(&v)
    }
}

/// A number, or a name from `names` (any case), as go-quartz's `normalize`.
fn number(f: Field<'_>, s: &str, names: &[&str]) -> Result<i64, CronError> {
    if let Ok(n) = s.parse::<i64>() {
        return Ok(n);
    }
    let up = s.to_ascii_uppercase();
    names
        .iter()
        .position(|n| *n == up)
        .map(|p| p as i64)
        .ok_or_else(|| {
            fail(
                f,
                if names.is_empty() {
                    format!("`{s}` is not a number")
                } else {
                    format!(
                        "`{s}` is neither a number nor a name ({})",
                        names[1..].join(", ")
                    )
                },
            )
        })
}

fn in_scope(f: Field<'_>, v: i64, b: &Bound) -> Result<i64, CronError> {
    if b.holds(v) {
        Ok(v)
    } else {
        Err(fail(f, format!("`{v}` is outside {}-{}", b.lower, b.upper)))
    }
}

/// go-quartz `parseField`: `*`/`?`, a list, a step, a range or one value.
fn field(f: Field<'_>, b: &Bound, names: &[&str]) -> Result<Vec<i64>, CronError> {
    let s = f.1;
    if s == "*" || s == "?" {
        return Ok(Vec::new());
    }
    if s.contains(',') {
        let mut out = Vec::new();
        for part in s.split(',') {
            if part.contains('/') {
                out.extend(step(f, part, b, names)?);
            } else if part.contains('-') {
                out.extend(range(f, part, b, names)?);
            } else {
                // go-quartz does not range-check list items; a value it can never reach is a
                // mistake all the same.
                out.push(in_scope(f, number(f, part, names)?, b)?);
            }
        }
        out.sort_unstable();
        out.dedup();
        return Ok(out);
    }
    if s.contains('/') {
        return step(f, s, b, names);
    }
    if s.contains('-') {
        return range(f, s, b, names);
    }
    Ok(vec![in_scope(f, number(f, s, names)?, b)?])
}

fn range(f: Field<'_>, s: &str, b: &Bound, names: &[&str]) -> Result<Vec<i64>, CronError> {
    let parts: Vec<&str> = s.split('-').collect();
    let [from, to] = parts[..] else {
        return Err(fail(f, format!("`{s}` is not a range `a-b`")));
    };
    let from = in_scope(f, number(f, from, names)?, b)?;
    let to = in_scope(f, number(f, to, names)?, b)?;
    if to < from {
        return Err(fail(f, format!("range `{s}` runs backwards")));
    }
    Ok((from..=to).collect())
}

fn step(f: Field<'_>, s: &str, b: &Bound, names: &[&str]) -> Result<Vec<i64>, CronError> {
    let parts: Vec<&str> = s.split('/').collect();
    let [start, by] = parts[..] else {
        return Err(fail(f, format!("`{s}` is not a step `start/step`")));
    };
    let (from, to) = if start == "*" {
        (b.lower, b.upper)
    } else if start.contains('-') {
        let r: Vec<&str> = start.split('-').collect();
        let [x, y] = r[..] else {
            return Err(fail(f, format!("`{s}` is not a step `a-b/step`")));
        };
        (number(f, x, names)?, number(f, y, names)?)
    } else {
        (number(f, start, names)?, b.upper)
    };
    let by: i64 = by
        .parse()
        .map_err(|_| fail(f, format!("step `{by}` is not a number")))?;
    in_scope(f, from, b)?;
    in_scope(f, to, b)?;
    if !(1..=b.upper).contains(&by) {
        return Err(fail(f, format!("step `{by}` is outside 1-{}", b.upper)));
    }
    if to < from {
        return Err(fail(f, format!("`{s}` runs backwards")));
    }
    Ok((from..=to).step_by(by as usize).collect())
}

fn day_of_month(f: Field<'_>) -> Result<DayOfMonth, CronError> {
    let s = f.1;
    let b = Bound::new(1, 31);
    if s == "L" {
        return Ok(DayOfMonth::Last(0));
    }
    if let Some(n) = s.strip_prefix("L-") {
        let n: i64 = n
            .parse()
            .ok()
            .filter(|_| s[2..].bytes().all(|c| c.is_ascii_digit()))
            .ok_or_else(|| fail(f, format!("`{s}` is not `L-<days>`")))?;
        return Ok(DayOfMonth::Last(in_scope(f, n, &b)? as u8));
    }
    if s == "LW" {
        return Ok(DayOfMonth::LastWeekday);
    }
    if let Some(day) = s.strip_suffix('W')
        && !day.is_empty()
        && day.bytes().all(|c| c.is_ascii_digit())
    {
        let n = in_scope(f, number(f, day, &[])?, &b)?;
        return Ok(DayOfMonth::NearestWeekday(n as u8));
    }
    Ok(DayOfMonth::Days(
        field(f, &b, &[])?.into_iter().map(|x| x as u8).collect(),
    ))
}

fn day_of_week(f: Field<'_>) -> Result<DayOfWeek, CronError> {
    let s = f.1;
    let b = Bound::new(1, 7);
    let word = |t: &str| !t.is_empty() && t.bytes().all(|c| c.is_ascii_alphanumeric());
    if let Some(day) = s.strip_suffix('L')
        && (day.is_empty() || word(day))
    {
        if day.is_empty() {
            return Ok(DayOfWeek::Last(7));
        }
        let d = in_scope(f, number(f, day, &DAYS)?, &b)?;
        return Ok(DayOfWeek::Last(d as u8));
    }
    if let Some((day, n)) = s.split_once('#')
        && word(day)
        && !n.is_empty()
        && n.bytes().all(|c| c.is_ascii_digit())
    {
        let d = in_scope(f, number(f, day, &DAYS)?, &b)?;
        let n: i64 = n
            .parse()
            .map_err(|_| fail(f, format!("`{n}` is not a number")))?;
        if !(1..=5).contains(&n) {
            return Err(fail(
                f,
                format!("`#{n}`: a month has at most 5 of a weekday"),
            ));
        }
        return Ok(DayOfWeek::Nth(d as u8, n as u8));
    }
    Ok(DayOfWeek::Days(
        field(f, &b, &DAYS)?.into_iter().map(|x| x as u8).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `n`-th firing after `start` in UTC, as go-quartz's tests' `iterate` finds it.
    fn nth_after(c: &Cron, start: DateTime, n: usize) -> DateTime {
        let times = c.times_of_day();
        let mut left = n;
        let mut d = start.date();
        loop {
            if c.fires_on(d) {
                for &s in &times {
                    let t = Time::new((s / 3600) as i8, (s / 60 % 60) as i8, (s % 60) as i8, 0)
                        .unwrap();
                    let at = DateTime::from_parts(d, t);
                    if at > start {
                        left -= 1;
                        if left == 0 {
                            return at;
                        }
                    }
                }
            }
            d = d.tomorrow().unwrap();
        }
    }

    /// Expressions and results of go-quartz v0.15.2 quartz/cron_test.go (`TestCronExpression`,
    /// `…Special`, `…DayOfMonth`, `…DayOfWeek`): the n-th firing after 2024-01-01 12:00 UTC.
    #[test]
    fn fires_when_go_quartz_fires() {
        let start = DateTime::constant(2024, 1, 1, 12, 0, 0, 0);
        for (expr, n, expected) in [
            ("10/20 15 14 5-10 * ? *", 50, "2024-03-09T14:15:30"),
            ("10 5,7,9 14-16 * * ? *", 50, "2024-01-06T15:07:10"),
            ("0 5,7,9 14/2 ? * WED,Sat *", 50, "2024-01-13T16:07:00"),
            ("0 0 14/2 ? * mon/3 *", 50, "2024-02-01T22:00:00"),
            ("*/3 */51 */12 */2 */4 ? *", 50, "2024-01-03T00:00:30"),
            ("0 0 0 29 2 ?", 50, "2228-02-29T00:00:00"),
            ("0 0 0 1 5 ? 2023/2", 50, "2123-05-01T00:00:00"),
            ("0 0 0 ? * SUN,TUE-WED,Fri-Sat", 50, "2024-03-10T00:00:00"),
            ("0 0 1,5-11/3 * * *", 50, "2024-01-14T05:00:00"),
            ("@weekly", 100, "2025-11-30T00:00:00"),
            ("@hourly", 100, "2024-01-05T16:00:00"),
            ("0 15 10 L-5 * ?", 15, "2025-03-26T10:15:00"),
            ("0 15 10 15W * ?", 15, "2025-03-14T10:15:00"),
            ("0 15 10 1W 1/2 ?", 15, "2026-07-01T10:15:00"),
            ("0 15 10 31W * ?", 15, "2025-03-31T10:15:00"),
            ("0 15 10 LW * ?", 15, "2025-03-31T10:15:00"),
            ("0 0 12 L-30 * ?", 15, "2026-03-01T12:00:00"),
            ("0 15 10 ? * L", 10, "2024-10-26T10:15:00"),
            ("0 15 10 ? * THUL", 10, "2024-10-31T10:15:00"),
            ("0 15 12 ? * 2#1", 10, "2024-10-07T12:15:00"),
            ("0 15 10 ? * 2#1", 10, "2024-11-04T10:15:00"),
            ("0 15 10 ? * Tue#5", 10, "2026-03-31T10:15:00"),
            ("0 15 10 ? * sat#5", 10, "2026-05-30T10:15:00"),
        ] {
            let c = Cron::parse(expr).unwrap_or_else(|e| panic!("{expr}: {e:?}"));
            let got = nth_after(&c, start, n);
            assert_eq!(got.to_string(), expected, "{expr}");
        }
    }

    /// go-quartz v0.15.2 `TestCronExpressionParseError` and `…InvalidLength`, all refused.
    #[test]
    fn refuses_what_go_quartz_refuses() {
        for expr in [
            "0 0 0 * *",
            "-1 * * * * *",
            "X * * * * *",
            "* X * * * *",
            "* * X * * *",
            "* * * X * *",
            "* * * * X *",
            "* * * * * X",
            "* * * * * * X",
            "1,X/1 * * * * *",
            "1,X-1 * * * * *",
            "1-2-3 * * * * *",
            "X-2 * * * * *",
            "1-X * * * * *",
            "100-200 * * * * *",
            "1/2/3 * * * * *",
            "1-2-3/4 * * * * *",
            "X-2/4 * * * * *",
            "1-X/4 * * * * *",
            "X/4 * * * * *",
            "*/X * * * * *",
            "200/100 * * * * *",
            "0 5,7 14 1 * Sun *",
            "0 5,7 14 ? * 2#6 *",
            "0 5,7 14 ? * 2#4,4L *",
            "0 0 0 * * -1#1",
            "0 0 0 ? * 1#-1",
            "0 0 0 ? * #1",
            "0 0 0 ? * 1#",
            "0 0 0 * * a#2",
            "0 0 0 * * 50#2",
            "0 5,7 14 ? * 8L *",
            "0 5,7 14 ? * -1L *",
            "0 5,7 14 ? * 0L *",
            "0 15 10 W * ?",
            "0 15 10 0W * ?",
            "0 15 10 32W * ?",
            "0 15 10 W15 * ?",
            "0 15 10 L- * ?",
            "0 15 10 L-a * ?",
            "0 15 10 L-32 * ?",
            "0 15 10 WL * ?",
            // Stricter than go-quartz: a list item it can never reach.
            "0,99 * * * * ?",
        ] {
            assert!(Cron::parse(expr).is_err(), "{expr}");
        }
        let e = Cron::parse("0 0 25 * * ?").unwrap_err();
        assert_eq!(e.field, Some(("hours", "25".into())));
        assert_eq!(e.message, "`25` is outside 0-23");
    }

    /// go-quartz v0.15.2 `TestCronExpressionWithLoc`: "0 0 2 9 3 ?" in New York fires at
    /// 01:00 EST on 2025-03-09, the 02:00 the clocks skip (Go's `time.Date`).
    #[test]
    fn skipped_times_land_where_go_puts_them() {
        let ny = jiff::tz::db().get("America/New_York").unwrap();
        let got = go_date(&ny, DateTime::constant(2025, 3, 9, 2, 0, 0, 0)).unwrap();
        let want = TimeZone::UTC
            .to_timestamp(DateTime::constant(2025, 3, 9, 6, 0, 0, 0))
            .unwrap()
            .as_second();
        assert_eq!(got, want);
        // A repeated time is the first: 01:30 EDT on 2025-11-02.
        let got = go_date(&ny, DateTime::constant(2025, 11, 2, 1, 30, 0, 0)).unwrap();
        let want = TimeZone::UTC
            .to_timestamp(DateTime::constant(2025, 11, 2, 5, 30, 0, 0))
            .unwrap()
            .as_second();
        assert_eq!(got, want);
    }

    #[test]
    fn windows_overlap_in_time_or_not() {
        let utc = TimeZone::UTC;
        let from = Date::constant(2026, 1, 1);
        let open = |e: &str| {
            Cron::parse(e)
                .unwrap()
                .openings(&utc, from, 1, 100_000)
                .unwrap()
        };
        // Weeknights 01:00-05:00 and Saturdays from 10:00: never open together.
        assert!(!windows_overlap(
            &open("0 0 1 ? * MON-FRI"),
            4 * 3600,
            &open("0 0 10 ? * SAT"),
            12 * 3600
        ));
        // Nightly 01:00-05:00 and Sundays from 00:00 for a day: Sunday 01:00 falls inside.
        assert!(windows_overlap(
            &open("0 0 1 * * ?"),
            4 * 3600,
            &open("0 0 0 ? * SUN"),
            23 * 3600
        ));
        // The same opening.
        assert!(windows_overlap(
            &open("0 0 1 * * ?"),
            60,
            &open("0 0 1 ? * MON"),
            60
        ));
        assert!(
            Cron::parse("* * * * * ?")
                .unwrap()
                .openings(&utc, from, 1, 1000)
                .is_none()
        );
    }

    #[test]
    fn shortest_gap_between_firings() {
        let utc = TimeZone::UTC;
        let from = Date::constant(2026, 1, 1);
        let gap = |e: &str, tz: &TimeZone| Cron::parse(e).unwrap().shortest_gap(tz, from, 4);
        assert_eq!(gap("0 0 22 ? * FRI", &utc), Some(7 * 86400));
        assert_eq!(gap("0 0 1,13 * * ?", &utc), Some(12 * 3600));
        assert_eq!(gap("0 0 23 L * ?", &utc), Some(28 * 86400));
        // A firing every day at 02:30 in Berlin: 23 hours apart when the clocks go forward.
        let berlin = jiff::tz::db().get("Europe/Berlin").unwrap();
        assert_eq!(gap("0 30 3 * * ?", &berlin), Some(23 * 3600));
        assert_eq!(gap("0 0 * * * ?", &berlin), Some(3600));
        // 02:30 does not exist the night Berlin springs forward: Go reads it as 03:30, an
        // hour before the next night's 02:30 CEST would be 24 hours later.
        assert_eq!(gap("0 30 2 * * ?", &berlin), Some(23 * 3600));
        // Once, or never again: Fleet cannot find a second firing.
        assert_eq!(gap("0 0 0 1 1 ? 2027", &utc), None);
        assert_eq!(gap("0 0 0 1 1 ? 2020", &utc), None);
    }
}
