//! Maintenance windows (`schedules`): Fleet Schedules, checked as Fleet's schedule controller
//! checks them before it opens any window.

use jiff::tz::TimeZone;

use super::{Cx, Names, RefNames};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Fleet, Schedule};
use crate::pointer::Ptr;
use crate::quartz::Cron;
use crate::spec::Spec;
use crate::suggest;
use crate::values::GoDuration;
use crate::versions::Version;

/// The Schedule CRD is in Fleet from v0.14.0 (pkg/apis/fleet.cattle.io/v1alpha1/schedule_types.go
/// first appears at that tag).
const FLEET_SCHEDULES: Version = Version::new(0, 14, 0);

/// How far ahead the time between two windows is measured: a whole cycle of the calendar's
/// weekdays and leap years (28 years), so a schedule Fleet would refuse on some later day is
/// refused now.
const YEARS_AHEAD: i16 = 28;

impl Cx<'_> {
    pub(super) fn schedules(
        &mut self,
        spec: &Spec,
        fleet: &Fleet,
        names: &RefNames,
    ) -> Vec<Schedule> {
        let mut seen: std::collections::BTreeMap<String, Names> = Default::default();
        let mut out = Vec::new();
        if !spec.schedules.is_empty() && fleet.fleet_version < FLEET_SCHEDULES {
            self.push(
                Diagnostic::new(
                    Code::VersionTooOld,
                    format!("Schedules need Fleet {FLEET_SCHEDULES}"),
                )
                .label(self.ix.key(&Ptr::path(&["schedules"])), format!("the targeted Fleet is {}", fleet.fleet_version))
                .help("Fleet before that has no Schedule resource, so applying the output fails; set `fleet.version` to the Fleet you run, or remove `schedules`"),
            );
        }
        for (i, s) in spec.schedules.iter().enumerate() {
            let base = Ptr::item("schedules", i);
            self.dns_label(&s.name, &base.key("name"), "Schedule name");
            let workspace = match &s.workspace {
                Some(w) => {
                    self.dns_label(w, &base.key("workspace"), "workspace namespace");
                    w.clone()
                }
                None => fleet.workspace.clone(),
            };
            self.unique(
                seen.entry(workspace.clone()).or_default(),
                &s.name,
                &base.key("name"),
                "Schedule",
                &Ptr::path(&["schedules"]),
                i,
            );
            let tz = self.location(s.location.as_deref(), &base.key("location"));
            let cron = self.cron(&s.schedule, &base.key("schedule"));
            let duration: Option<GoDuration> = self.parse_because(
                &s.duration,
                &base.key("duration"),
                "Fleet refuses a Schedule with this duration",
            );
            if let (Some(tz), Some(cron), Some(d)) = (&tz, &cron, &duration) {
                self.window_fits(cron, tz, d, &base);
            }
            if s.targets.is_empty() {
                self.push(
                    Diagnostic::new(Code::InvalidValue, "this Schedule holds no cluster")
                        .label(self.ix.key(&base.key("targets")), "no targets")
                        .help("give it targets, as an app's: `- environment: production`"),
                );
            }
            let (targets, clusters) = self.targets(
                &base.key("targets"),
                &s.name,
                &s.targets,
                fleet,
                names,
                &[workspace.as_str()],
            );
            let (Some(duration), Some(tz), Some(parsed)) = (duration, tz, cron) else {
                continue;
            };
            out.push(Schedule {
                name: s.name.clone(),
                workspace,
                cron: s.schedule.clone(),
                parsed,
                tz,
                duration,
                location: s.location.clone(),
                targets,
                clusters,
                origin: i,
            });
        }
        out
    }

    /// The time zone, as Go's `time.LoadLocation` finds it: `UTC`, `Local` (the controller's
    /// own, taken as UTC here) or an IANA name, spelled exactly.
    fn location(&mut self, name: Option<&str>, ptr: &Ptr) -> Option<TimeZone> {
        let Some(name) = name.filter(|n| !matches!(*n, "" | "UTC" | "Local")) else {
            return Some(TimeZone::UTC);
        };
        let db = jiff::tz::db();
        if db.available().any(|n| n.as_str() == name)
            && let Ok(tz) = db.get(name)
        {
            return Some(tz);
        }
        let names: Vec<String> = db.available().map(|n| n.as_str().to_owned()).collect();
        let help = match suggest::closest(name, names.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "write an IANA time zone name such as `Europe/Berlin`, or `UTC`".to_owned(),
        };
        self.push(
            Diagnostic::new(Code::InvalidSchedule, format!("unknown time zone `{name}`"))
                .label(
                    self.at(ptr),
                    "Fleet loads it with Go's time.LoadLocation, which fails",
                )
                .help(help),
        );
        None
    }

    fn cron(&mut self, text: &str, ptr: &Ptr) -> Option<Cron> {
        match Cron::parse(text) {
            Ok(c) => Some(c),
            Err(e) => {
                let node = self.at(ptr);
                let (label_at, what) = match &e.field {
                    Some((name, token)) => {
                        let source = self.text.get(node.clone()).unwrap_or_default();
                        let at = source.find(token.as_str()).map_or(node.clone(), |o| {
                            node.start + o..node.start + o + token.len()
                        });
                        (at, format!("the {name} field"))
                    }
                    None => (node, "the expression".to_owned()),
                };
                self.push(
                    Diagnostic::new(Code::InvalidSchedule, format!("{what} {}", e.message))
                        .label(label_at, "Fleet's cron parser (go-quartz) refuses it")
                        .help("write `sec min hour day-of-month month day-of-week [year]`, with `?` in one of the day fields: `0 0 22 ? * FRI` opens a window every Friday at 22:00"),
                );
                None
            }
        }
    }

    /// Fleet refuses a window still open at the next opening, and a schedule with no next
    /// opening (cronduration_job.go:127-150).
    fn window_fits(&mut self, cron: &Cron, tz: &TimeZone, d: &GoDuration, base: &Ptr) {
        if d.seconds() == 0 {
            self.push(
                Diagnostic::new(Code::InvalidSchedule, "a window of no time never opens")
                    .label(self.at(&base.key("duration")), "zero")
                    .help("give the window a length, e.g. `2h`"),
            );
            return;
        }
        let today = tz.to_datetime(jiff::Timestamp::now()).date();
        match cron.shortest_gap(tz, today, YEARS_AHEAD) {
            None => self.push(
                Diagnostic::new(
                    Code::InvalidSchedule,
                    "this schedule opens fewer than two windows from now on",
                )
                .label(
                    self.at(&base.key("schedule")),
                    "Fleet needs a next and a following opening",
                )
                .help("widen the year field, or leave it out"),
            ),
            // Whole seconds rounded up, where Fleet truncates (int64(Duration.Seconds())): the
            // two differ only for a window within a second of the gap.
            Some(gap) if d.seconds() as i64 >= gap => self.push(
                Diagnostic::new(
                    Code::InvalidSchedule,
                    format!("a window of {d} reaches the next opening"),
                )
                .label(
                    self.at(&base.key("duration")),
                    format!("two openings can be {} apart", go_duration(gap)),
                )
                .help("shorten `duration` below that, or open windows less often"),
            ),
            Some(_) => {}
        }
    }
}

/// A number of seconds as a Go duration, in the units `duration` takes (`168h`, `23h30m`).
fn go_duration(secs: i64) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    for (n, unit) in [(h, "h"), (m, "m"), (s, "s")] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    if out.is_empty() { "0s".into() } else { out }
}

#[cfg(test)]
mod tests {
    #[test]
    fn gaps_read_as_go_durations() {
        assert_eq!(super::go_duration(7 * 86400), "168h");
        assert_eq!(super::go_duration(23 * 3600 + 30 * 60), "23h30m");
        assert_eq!(super::go_duration(90_061), "25h1m1s");
        assert_eq!(super::go_duration(0), "0s");
    }
}
