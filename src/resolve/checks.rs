//! Checks shared by every part of the spec: names and references, label keys and values,
//! paths; and the one way a value of `crate::values` is parsed at a spec pointer.

use std::collections::BTreeMap;

use super::{Cx, Names};
use crate::diagnostic::{Code, Diagnostic};
use crate::fleet_names::is_dns_label;
use crate::pointer::Ptr;
use crate::suggest;
use crate::values::{LabelKey, LabelValue, Parse};

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

    /// Parses `raw` at `ptr` as a `T`, reporting `T`'s one message when it is refused.
    pub(crate) fn parse<T: Parse>(&mut self, raw: &str, ptr: &Ptr) -> Option<T> {
        self.parse_in(raw, ptr, None)
    }

    /// Like [`Cx::parse`], with a label that says why this value must be a `T`.
    pub(crate) fn parse_because<T: Parse>(
        &mut self,
        raw: &str,
        ptr: &Ptr,
        because: &str,
    ) -> Option<T> {
        self.parse_in(raw, ptr, Some(because))
    }

    /// Like [`Cx::parse`] for a mapping key: a refusal is labelled on the key at `ptr`.
    pub(crate) fn parse_key<T: Parse>(&mut self, raw: &str, ptr: &Ptr) -> Option<T> {
        self.parse_at(raw, ptr, true, None)
    }

    fn parse_in<T: Parse>(&mut self, raw: &str, ptr: &Ptr, because: Option<&str>) -> Option<T> {
        self.parse_at(raw, ptr, false, because)
    }

    fn parse_at<T: Parse>(
        &mut self,
        raw: &str,
        ptr: &Ptr,
        key: bool,
        because: Option<&str>,
    ) -> Option<T> {
        match T::parse(raw) {
            Ok(v) => Some(v),
            Err(e) => {
                // Spans only for a diagnostic: looking one up indexes the whole spec.
                let span = if key { self.ix.key(ptr) } else { self.at(ptr) };
                self.push(
                    Diagnostic::new(e.code, e.message)
                        .label(span, because.unwrap_or(e.label))
                        .help(e.help),
                );
                None
            }
        }
    }

    /// A map of labels at `ptr` (keys labelled on the key, values on the value); the entries
    /// that parse.
    pub(crate) fn labels(
        &mut self,
        labels: &BTreeMap<String, String>,
        ptr: &Ptr,
    ) -> BTreeMap<LabelKey, LabelValue> {
        let mut out = BTreeMap::new();
        for (k, v) in labels {
            let at = ptr.key(k);
            let key = self.parse_key::<LabelKey>(k, &at);
            let value = self.parse::<LabelValue>(v, &at);
            if let (Some(key), Some(value)) = (key, value) {
                out.insert(key, value);
            }
        }
        out
    }

    /// A map of annotations at `ptr`: label keys, any values.
    pub(crate) fn annotations(
        &mut self,
        annotations: &BTreeMap<String, String>,
        ptr: &Ptr,
    ) -> BTreeMap<LabelKey, String> {
        let mut out = BTreeMap::new();
        for (k, v) in annotations {
            if let Some(key) = self.parse_key::<LabelKey>(k, &ptr.key(k)) {
                out.insert(key, v.clone());
            }
        }
        out
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
        let at = self.at(ptr);
        self.reference_at(names, name, at, kind)
    }

    /// [`Cx::reference`] labelled at `at`: a name written as a mapping key
    /// (`pipeline.verify.<environment>`) is labelled, and fixed, on the key.
    pub(crate) fn reference_at(
        &mut self,
        names: &Names,
        name: &str,
        at: crate::diagnostic::Span,
        kind: &str,
    ) -> Option<usize> {
        if let Some(&i) = names.get(name) {
            return Some(i);
        }
        let mut d = Diagnostic::new(Code::UnknownReference, format!("unknown {kind} `{name}`"))
            .label(at, format!("no {kind} is declared with this name"));
        d = match suggest::closest(name, names.keys().map(String::as_str)) {
            Some(s) => d.did_you_mean(s),
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

    pub(super) fn check_repo_url(&mut self, url: &str, at: &Ptr) {
        let ok = url.starts_with("https://")
            || url.starts_with("http://")
            || url.starts_with("ssh://")
            || url.starts_with("git@");
        if !ok || url.contains(|c: char| c.is_whitespace() || c.is_control()) {
            let key = at.as_str().rsplit('/').next().unwrap_or("repo").to_owned();
            let owner = if at.as_str().starts_with("/fleet/") {
                "fleet."
            } else {
                ""
            };
            self.push(
                Diagnostic::new(Code::InvalidValue, format!("`{owner}{key}` is not a Git URL"))
                    .label(self.at(at), "expected an HTTPS or SSH URL")
                    .help("e.g. `https://gitlab.example.com/platform/fleet.git` or `git@gitlab.example.com:platform/fleet.git`"),
            );
        }
    }

    /// A branch name Fleet can clone.
    pub(super) fn branch_name(&mut self, branch: &str, at: &Ptr, what: &str) {
        if branch.trim().is_empty()
            || branch.contains(|c: char| c.is_whitespace() || c.is_control())
        {
            self.push(
                Diagnostic::new(Code::InvalidValue, format!("`{what}` is not a branch name"))
                    .label(self.at(at), "branch names have no spaces")
                    .help("name the branch Fleet pulls, e.g. `main`"),
            );
        }
    }
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
    pub(super) fn slugs() {
        assert_eq!(slug("Prod EU_1"), "prod-eu-1");
        assert_eq!(slug("../x"), "x");
    }
}
