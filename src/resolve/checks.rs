//! Checks shared by every part of the spec: names and references, label keys and values,
//! paths, image tags and durations, each with one message.

use std::collections::BTreeMap;

use super::{Cx, Names};
use crate::diagnostic::{Code, Diagnostic};
use crate::fleet_names::{is_dns_label, is_label_key, is_label_value};
use crate::pointer::Ptr;
use crate::suggest;

impl Cx<'_> {
    /// Reads an `acknowledge` list: warning codes only.
    pub(super) fn acknowledged(&mut self, codes: &[String], ptr: &Ptr) -> Vec<crate::codes::Code> {
        let mut out = Vec::new();
        for (k, c) in codes.iter().enumerate() {
            match crate::codes::Code::parse(c) {
                Some(code) if code.severity() == crate::diagnostic::Severity::Warning => {
                    out.push(code)
                }
                Some(_) => self.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("`{c}` is an error and cannot be acknowledged"),
                    )
                    .label(self.at(&ptr.index(k)), "only warnings can be acknowledged")
                    .help("fix the error instead"),
                ),
                None => self.push(
                    Diagnostic::new(Code::InvalidValue, format!("unknown diagnostic code `{c}`"))
                        .label(self.at(&ptr.index(k)), "not a fleetc code")
                        .help("`fleetc explain list` lists every code"),
                ),
            }
        }
        out
    }

    /// Checks a map of label keys and values at `ptr`.
    pub(crate) fn labels(
        &mut self,
        labels: &BTreeMap<String, String>,
        ptr: &Ptr,
        values_are_labels: bool,
    ) {
        for (k, v) in labels {
            let at = ptr.key(k);
            self.label_key(k, self.ix.key(&at));
            if values_are_labels {
                self.label_value(v, &at, "label value", "not a Kubernetes label value");
            }
        }
    }

    /// Records `name` at `ptr`; reports a duplicate with the first definition as second label.
    pub(crate) fn unique(
        &mut self,
        names: &mut Names,
        name: &str,
        ptr: &Ptr,
        kind: &str,
        list_ptr: &Ptr,
        idx: usize,
    ) {
        if let Some(&first) = names.get(name) {
            let first_ptr = list_ptr.index(first).key("name");
            self.push(
                Diagnostic::new(
                    Code::DuplicateName,
                    format!("duplicate {kind} name `{name}`"),
                )
                .label(self.at(ptr), "declared again here")
                .label(self.at(&first_ptr), "first declared here")
                .help(format!("{kind} names must be unique; rename or remove one")),
            );
        } else {
            names.insert(name.to_owned(), idx);
        }
    }

    /// Resolves a reference by name; reports it when undeclared.
    pub(crate) fn reference(
        &mut self,
        names: &Names,
        name: &str,
        ptr: &Ptr,
        kind: &str,
    ) -> Option<usize> {
        if let Some(&i) = names.get(name) {
            return Some(i);
        }
        let mut d = Diagnostic::new(Code::UnknownReference, format!("unknown {kind} `{name}`"))
            .label(
                self.at(ptr),
                format!("no {kind} is declared with this name"),
            );
        d = match suggest::closest(name, names.keys().map(String::as_str)) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => {
                let mut known: Vec<&str> = names.keys().map(String::as_str).collect();
                known.sort_unstable();
                known.truncate(8);
                if known.is_empty() {
                    d.help(format!("declare the {kind} first"))
                } else {
                    d.help(format!("declared: {}", known.join(", ")))
                }
            }
        };
        self.push(d);
        None
    }

    pub(crate) fn dns_label(&mut self, name: &str, ptr: &Ptr, what: &str) {
        if !is_dns_label(name) {
            let why = if name.len() > 63 {
                format!("{} characters; at most 63 fit", name.len())
            } else {
                "only lowercase letters, digits and `-`, starting and ending with a letter or digit"
                    .to_owned()
            };
            self.push(
                Diagnostic::new(Code::InvalidName, format!("invalid {what} `{}`", truncate(name)))
                    .label(self.at(ptr), why)
                    .help(format!(
                        "{what}s become Kubernetes names and label values: use a DNS label such as `{}`",
                        slug(name)
                    )),
            );
        }
    }

    pub(super) fn dns_subdomain(&mut self, name: &str, ptr: &Ptr, what: &str) {
        if name.len() > 253 || !name.split('.').all(is_dns_label) {
            self.push(
                Diagnostic::new(
                    Code::InvalidName,
                    format!("invalid {what} `{}`", truncate(name)),
                )
                .label(self.at(ptr), "not a Kubernetes object name")
                .help("use lowercase letters, digits, `-` and `.`"),
            );
        }
    }

    pub(super) fn label_key(&mut self, key: &str, span: crate::diagnostic::Span) {
        if !is_label_key(key) {
            self.push(
                Diagnostic::new(Code::InvalidName, format!("invalid label key `{key}`"))
                    .label(span, "not a Kubernetes label key")
                    .help("a label key is an optional DNS prefix and `/`, then at most 63 letters, digits, `-`, `_` or `.`"),
            );
        }
    }

    /// A value that becomes a Kubernetes label value.
    pub(super) fn label_value(&mut self, value: &str, ptr: &Ptr, what: &str, why: &str) {
        if value.is_empty() || !is_label_value(value) {
            self.push(
                Diagnostic::new(Code::InvalidName, format!("invalid {what} `{value}`"))
                    .label(self.at(ptr), why)
                    .help("use at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit"),
            );
        }
    }

    /// A path relative to the output root that cannot escape it.
    pub(crate) fn safe_path(&mut self, path: &str, ptr: &Ptr) -> bool {
        let problem = if path.is_empty() {
            Some("the path is empty")
        } else if path.starts_with('/') || path.contains(':') {
            Some("absolute paths are not allowed")
        } else if path.contains('\\') {
            Some("use `/` to separate directories")
        } else if path.split('/').any(|seg| seg == "..") {
            Some("`..` would leave the output directory")
        } else if path.split('/').any(|seg| seg.starts_with(".git")) {
            Some("fleetc does not write into `.git` directories")
        } else if path.trim_end_matches('/').split('/').any(str::is_empty) {
            Some("empty path segment")
        } else if path.chars().any(|c| c.is_control()) {
            Some("control characters in a path")
        } else {
            None
        };
        if let Some(why) = problem {
            self.push(
                Diagnostic::new(
                    Code::UnsafePath,
                    format!("unsafe path `{}`", truncate(path)),
                )
                .label(self.at(ptr), why)
                .help("give a relative path inside the repository, such as `apps/web`"),
            );
            return false;
        }
        true
    }

    pub(super) fn check_repo_url(&mut self, url: &str) {
        let ok = url.starts_with("https://")
            || url.starts_with("http://")
            || url.starts_with("ssh://")
            || url.starts_with("git@");
        if !ok || url.contains(|c: char| c.is_whitespace() || c.is_control()) {
            self.push(
                Diagnostic::new(Code::InvalidValue, "`fleet.repo` is not a Git URL")
                    .label(self.at(&Ptr::path(&["fleet", "repo"])), "expected an HTTPS or SSH URL")
                    .help("e.g. `https://gitlab.example.com/platform/fleet.git` or `git@gitlab.example.com:platform/fleet.git`"),
            );
        }
    }

    /// An OCI image tag, with one message wherever a tag is written.
    pub(crate) fn image_tag(&mut self, tag: &str, ptr: &Ptr) {
        if !crate::fleet_names::is_oci_tag(tag) {
            self.push(
                Diagnostic::new(Code::InvalidValue, format!("invalid image tag `{tag}`"))
                    .label(self.at(ptr), "not an OCI image tag")
                    .help("a tag is 1 to 128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`"),
            );
        }
    }

    pub(super) fn check_duration(&mut self, d: &str, ptr: &Ptr) {
        if !is_go_duration(d) {
            self.push(
                Diagnostic::new(Code::InvalidValue, format!("`{d}` is not a Go duration"))
                    .label(self.at(ptr), "Fleet rejects this duration")
                    .help("use units ns, us, ms, s, m or h, e.g. `30s`, `5m` or `1h30m` (no `d` or `w`)"),
            );
        }
    }
}

/// Prometheus duration syntax: `[0-9]+(ms|s|m|h|d|w|y)`, repeated, largest unit first.
pub(super) fn is_prometheus_duration(s: &str) -> bool {
    const UNITS: [&str; 7] = ["y", "w", "d", "h", "m", "s", "ms"];
    let mut rest = s;
    let mut last = None;
    if s.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if n == 0 {
            return false;
        }
        rest = &rest[n..];
        let unit = if rest.starts_with("ms") {
            "ms"
        } else {
            &rest[..rest.len().min(1)]
        };
        let Some(pos) = UNITS.iter().position(|u| *u == unit) else {
            return false;
        };
        if last.is_some_and(|l| pos <= l) {
            return false;
        }
        last = Some(pos);
        rest = &rest[unit.len()..];
    }
    true
}

/// Whole seconds (rounded up) of a Go duration (`1h30m`, `15m`, `90s`), or `None` when it is not
/// one. The one reading of Go durations.
pub fn go_duration_seconds(d: &str) -> Option<u64> {
    if !is_go_duration(d) {
        return None;
    }
    let mut total = 0f64;
    let mut num = String::new();
    let mut chars = d.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch.is_ascii_digit() || ch == '.' {
            num.push(ch);
            continue;
        }
        let mut unit = ch.to_string();
        if matches!(ch, 'm' | 'u' | 'n' | 'µ') && chars.peek() == Some(&'s') {
            unit.push('s');
            chars.next();
        }
        let n: f64 = num.parse().ok()?;
        num.clear();
        total += n * match unit.as_str() {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            "us" | "µs" => 0.000_001,
            _ => 0.000_000_001,
        };
    }
    Some(total.ceil() as u64)
}

/// Go's `time.ParseDuration` syntax, limited to what Fleet's CRD validation accepts.
pub(super) fn is_go_duration(s: &str) -> bool {
    if s.is_empty() || s.len() > 32 {
        return false;
    }
    if s == "0" {
        return true;
    }
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return false;
        }
        rest = &rest[num_len..];
        let unit = ["ns", "us", "µs", "ms", "s", "m", "h"]
            .iter()
            .filter(|u| rest.starts_with(*u))
            .max_by_key(|u| u.len());
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 70 {
        format!("{}…", s.chars().take(70).collect::<String>())
    } else {
        s.to_owned()
    }
}

/// A DNS-label version of `s`, to suggest.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.to_ascii_lowercase().chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '-' };
        if !(c == '-' && (out.is_empty() || out.ends_with('-'))) {
            out.push(c);
        }
    }
    let out = out.trim_end_matches('-');
    let out: String = out.chars().take(63).collect();
    if out.is_empty() {
        "my-name".to_owned()
    } else {
        out.trim_end_matches('-').to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn go_durations() {
        for ok in ["15s", "1m", "1h30m", "500ms", "0", "1.5h"] {
            assert!(is_go_duration(ok), "{ok}");
        }
        for bad in ["", "1d", "2w", "m", "10", "1 m"] {
            assert!(!is_go_duration(bad), "{bad}");
        }
    }

    #[test]
    pub(super) fn go_duration_seconds_read_once() {
        assert_eq!(go_duration_seconds("15m"), Some(900));
        assert_eq!(go_duration_seconds("1h30m"), Some(5400));
        assert_eq!(go_duration_seconds("90s"), Some(90));
        assert_eq!(go_duration_seconds("1500ms"), Some(2));
        assert_eq!(go_duration_seconds("1d"), None);
    }

    #[test]
    pub(super) fn slugs() {
        assert_eq!(slug("Prod EU_1"), "prod-eu-1");
        assert_eq!(slug("../x"), "x");
    }
}
