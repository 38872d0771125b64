//! Values parsed once: durations, image tags, label keys and values. Each type has one parser and
//! one message for what it refuses, so a duration in `fleet.pollingInterval`, in
//! `pipeline.verifyTimeout` and on `fleetc verify --timeout` reads the same and is refused the
//! same way; the model holds the parsed type, so emitters never re-read the text.

use std::borrow::Borrow;
use std::fmt;

use serde::{Serialize, Serializer};

use crate::diagnostic::Code;
use crate::fleet_names::{is_label_key, is_label_value, is_oci_tag};

/// Why a value was refused: the diagnostic's message, the label under the span, and help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub code: Code,
    pub message: String,
    pub label: &'static str,
    pub help: &'static str,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.message, self.label)
    }
}

/// A value parsed from spec text.
pub trait Parse: Sized {
    fn parse(s: &str) -> Result<Self, Invalid>;
}

macro_rules! text_value {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        // Ord, Eq and Hash are the string's, so maps keyed by the type are looked up by `&str`.
        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
    };
}

text_value!(
    /// An OCI image tag (distribution spec `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`).
    ImageTag
);
text_value!(
    /// A Kubernetes label key: an optional DNS-subdomain prefix and `/`, then at most 63
    /// characters.
    LabelKey
);
text_value!(
    /// A Kubernetes label value fleetc writes; unlike Kubernetes, fleetc refuses the empty value,
    /// which no selector of the spec could tell from a missing label.
    LabelValue
);

impl Parse for ImageTag {
    fn parse(s: &str) -> Result<Self, Invalid> {
        if is_oci_tag(s) {
            Ok(Self(s.to_owned()))
        } else {
            Err(Invalid {
                code: Code::InvalidValue,
                message: format!("invalid image tag `{}`", shorten(s)),
                label: "not an OCI image tag",
                help: "a tag is 1 to 128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`",
            })
        }
    }
}

impl Parse for LabelKey {
    fn parse(s: &str) -> Result<Self, Invalid> {
        if is_label_key(s) {
            Ok(Self(s.to_owned()))
        } else {
            Err(Invalid {
                code: Code::InvalidName,
                message: format!("invalid label key `{}`", shorten(s)),
                label: "not a Kubernetes label key",
                help: "a label key is an optional DNS prefix and `/`, then at most 63 letters, digits, `-`, `_` or `.`",
            })
        }
    }
}

impl Parse for LabelValue {
    fn parse(s: &str) -> Result<Self, Invalid> {
        if !s.is_empty() && is_label_value(s) {
            Ok(Self(s.to_owned()))
        } else {
            Err(Invalid {
                code: Code::InvalidName,
                message: format!("invalid label value `{}`", shorten(s)),
                label: "not a Kubernetes label value",
                help: "use at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit",
            })
        }
    }
}

/// A Go duration (`time.ParseDuration`, as Fleet's CRDs take it): `30s`, `1h30m`, `0`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoDuration {
    text: String,
    /// Whole seconds, rounded up.
    seconds: u64,
}

impl GoDuration {
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whole seconds, rounded up (`1500ms` is 2).
    pub fn seconds(&self) -> u64 {
        self.seconds
    }
}

impl fmt::Display for GoDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for GoDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl Parse for GoDuration {
    fn parse(s: &str) -> Result<Self, Invalid> {
        go_duration_seconds(s)
            .map(|seconds| Self {
                text: s.to_owned(),
                seconds,
            })
            .ok_or_else(|| Invalid {
                code: Code::InvalidValue,
                message: format!("`{}` is not a Go duration", shorten(s)),
                label: "not a duration Go reads",
                help: "use units ns, us, ms, s, m or h, e.g. `30s`, `5m` or `1h30m` (no `d` or `w`)",
            })
    }
}

/// A Prometheus duration (`[0-9]+(ms|s|m|h|d|w|y)`, repeated, largest unit first), as alert
/// rules' `for:` and range selectors take it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromDuration(String);

impl PromDuration {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PromDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for PromDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl Parse for PromDuration {
    fn parse(s: &str) -> Result<Self, Invalid> {
        if is_prometheus_duration(s) {
            Ok(Self(s.to_owned()))
        } else {
            Err(Invalid {
                code: Code::InvalidValue,
                message: format!("`{}` is not a Prometheus duration", shorten(s)),
                label: "Prometheus would reject the rule",
                help: "use units ms, s, m, h, d, w or y, largest first, e.g. `5m` or `1h30m`",
            })
        }
    }
}

/// Prometheus's duration syntax (`model.ParseDuration` in prometheus/common).
fn is_prometheus_duration(s: &str) -> bool {
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

/// Whole seconds (rounded up) of a Go duration, or `None` when it is not one: Go's
/// `time.ParseDuration` syntax, limited to what Fleet's CRD validation accepts (no sign).
fn go_duration_seconds(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 32 {
        return None;
    }
    if s == "0" {
        return Some(0);
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        // `[0-9]+([.][0-9]+)?`, as the CRDs' duration rule has it (Go itself also takes `.5h`
        // and `5.h`, which the API server then refuses).
        let num = &rest[..num_len];
        let (int, frac) = num.split_once('.').unwrap_or((num, "1"));
        if int.is_empty() || frac.is_empty() || frac.contains('.') {
            return None;
        }
        let n: f64 = num.parse().ok()?;
        rest = &rest[num_len..];
        let unit = ["ns", "us", "µs", "ms", "s", "m", "h"]
            .into_iter()
            .filter(|u| rest.starts_with(*u))
            .max_by_key(|u| u.len())?;
        rest = &rest[unit.len()..];
        total += n * match unit {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            "us" | "µs" => 0.000_001,
            _ => 0.000_000_001,
        };
    }
    // The CRDs' limit, `duration(self) <= duration('2562047h')`.
    (total <= 2_562_047.0 * 3600.0).then(|| total.ceil() as u64)
}

/// Long values are cut in messages; the span shows the whole.
fn shorten(s: &str) -> String {
    if s.chars().count() > 70 {
        format!("{}…", s.chars().take(70).collect::<String>())
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        for (ok, secs) in [
            ("15s", 15),
            ("1m", 60),
            ("1h30m", 5400),
            ("500ms", 1),
            ("1500ms", 2),
            ("0", 0),
            ("1.5h", 5400),
            ("90s", 90),
        ] {
            assert_eq!(GoDuration::parse(ok).map(|d| d.seconds()), Ok(secs), "{ok}");
        }
        // `.5h`, `5.h` and more than 2562047h: Go takes them, the CRDs' rule does not.
        for bad in [
            "", "1d", "2w", "m", "10", "1 m", ".s", "1..5s", "-1s", ".5h", "5.h", "2562048h",
        ] {
            assert!(GoDuration::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn prometheus_durations() {
        for ok in ["5m", "1h30m", "1d", "2w", "1y", "100ms", "0s"] {
            assert!(PromDuration::parse(ok).is_ok(), "{ok}");
        }
        // Units out of order, repeated, Go-only, or missing: Prometheus refuses each.
        for bad in ["", "30m1h", "5m5m", "1.5h", "5", "m", "1us"] {
            assert!(PromDuration::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn labels_and_tags() {
        assert!(LabelKey::parse("fleet.example.com/tier").is_ok());
        assert!(LabelKey::parse("/tier").is_err());
        assert!(LabelValue::parse("eu-west-1").is_ok());
        assert!(LabelValue::parse("").is_err());
        assert!(LabelValue::parse("-x").is_err());
        assert!(ImageTag::parse("v1.2.3_rc-1").is_ok());
        assert!(ImageTag::parse("1:30").is_err());
        assert!(ImageTag::parse(&"a".repeat(129)).is_err());
    }

    #[test]
    fn one_message_per_type() {
        let e = GoDuration::parse("1d").unwrap_err();
        assert_eq!(e.message, "`1d` is not a Go duration");
        assert!(e.help.contains("no `d` or `w`"));
    }
}
