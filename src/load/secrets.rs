//! Finds secrets pasted into the spec: tokens, private keys, cloud access keys.
//!
//! The spec is committed and its values are copied into generated files, so a secret in it is
//! an error wherever it appears, whatever key holds it.

use serde_json::Value;

use super::{SpanIndex, escape};
use crate::diagnostic::{Code, Diagnostic, Span};

/// A kind of secret and how to recognise it.
struct Kind {
    /// What it is, for the message.
    what: &'static str,
    /// Where it belongs instead.
    instead: &'static str,
    /// Returns the byte offset of a match in the string.
    find: fn(&str) -> Option<usize>,
}

const GITLAB_PREFIXES: &[(&str, &str)] = &[
    ("glpat-", "a GitLab personal access token"),
    ("glagent-", "a GitLab agent token"),
    ("glrt-", "a GitLab runner token"),
    ("glptt-", "a GitLab pipeline trigger token"),
    ("gldt-", "a GitLab deploy token"),
    ("glcbt-", "a GitLab CI/CD job token"),
    ("glft-", "a GitLab feed token"),
    ("glimt-", "a GitLab incoming mail token"),
    ("gloas-", "a GitLab OAuth application secret"),
    ("glsoat-", "a GitLab SCIM token"),
];

/// Scans every key and string of the spec.
pub(super) fn scan(value: &Value, index: &SpanIndex, text: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    walk(value, String::new(), index, text, &mut out);
    out
}

fn walk(v: &Value, ptr: String, index: &SpanIndex, text: &str, out: &mut Vec<Diagnostic>) {
    match v {
        Value::String(s) => check(s, &ptr, false, index, text, out),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, format!("{ptr}/{i}"), index, text, out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                let child = format!("{ptr}/{}", escape(k));
                check(k, &child, true, index, text, out);
                walk(item, child, index, text, out);
            }
        }
        _ => {}
    }
}

fn check(
    s: &str,
    ptr: &str,
    is_key: bool,
    index: &SpanIndex,
    text: &str,
    out: &mut Vec<Diagnostic>,
) {
    if s.len() < 16 {
        return;
    }
    if let Some((what, at, len)) = find_gitlab(s) {
        out.push(report(what, "a Kubernetes Secret, referenced by name (for Git credentials: `fleet.clientSecretName`; for an agent: the Secret its Helm values name)", ptr, is_key, &s[at..at + len], index, text));
        return;
    }
    for kind in KINDS {
        if let Some(at) = (kind.find)(s) {
            let stops: &[char] = if kind.what == "a private key" {
                &['\n']
            } else {
                &['\n', '"', '\'', ' ']
            };
            let end = s[at..].find(stops).map_or(s.len(), |e| at + e);
            out.push(report(
                kind.what,
                kind.instead,
                ptr,
                is_key,
                &s[at..end.min(at + 40)],
                index,
                text,
            ));
            return;
        }
    }
}

const KINDS: &[Kind] = &[
    Kind {
        what: "a private key",
        instead: "a Kubernetes Secret (type kubernetes.io/ssh-auth or kubernetes.io/tls), referenced by name",
        find: |s| {
            let i = s.find("-----BEGIN ")?;
            s[i..]
                .lines()
                .next()
                .filter(|l| l.contains("PRIVATE KEY"))
                .map(|_| i)
        },
    },
    Kind {
        what: "an AWS access key",
        instead: "a Kubernetes Secret referenced by name, or workload identity (IRSA) instead of keys",
        find: |s| {
            ["AKIA", "ASIA"].iter().find_map(|p| {
                s.match_indices(p).map(|(i, _)| i).find(|&i| {
                    let rest = &s.as_bytes()[i + 4..];
                    rest.len() >= 16
                        && rest[..16]
                            .iter()
                            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                        && rest.get(16).is_none_or(|b| !b.is_ascii_alphanumeric())
                })
            })
        },
    },
    Kind {
        what: "a GitHub token",
        instead: "a Kubernetes Secret, referenced by name",
        find: |s| {
            ["ghp_", "gho_", "ghs_", "github_pat_"]
                .iter()
                .find_map(|p| {
                    s.match_indices(p)
                        .map(|(i, _)| i)
                        .find(|&i| token_len(&s[i + p.len()..]) >= 20)
                })
        },
    },
];

/// A GitLab token: a known prefix followed by at least 20 token characters.
fn find_gitlab(s: &str) -> Option<(&'static str, usize, usize)> {
    for (prefix, what) in GITLAB_PREFIXES {
        for (i, _) in s.match_indices(prefix) {
            let before_ok = i == 0 || !s.as_bytes()[i - 1].is_ascii_alphanumeric();
            let n = token_len(&s[i + prefix.len()..]);
            if before_ok && n >= 20 {
                return Some((what, i, prefix.len() + n));
            }
        }
    }
    None
}

fn token_len(s: &str) -> usize {
    s.bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-' || *b == b'.')
        .count()
}

fn report(
    what: &str,
    instead: &str,
    ptr: &str,
    is_key: bool,
    needle: &str,
    index: &SpanIndex,
    text: &str,
) -> Diagnostic {
    let node = if is_key {
        index.key(ptr)
    } else {
        index.value(ptr)
    };
    // Point at the secret itself when it appears verbatim in the source.
    let span: Span = text
        .get(node.clone())
        .and_then(|src| src.find(needle))
        .map_or(node.clone(), |i| {
            node.start + i..node.start + i + needle.len()
        });
    Diagnostic::new(
        Code::SecretInSpec,
        format!("{what} is pasted into the spec"),
    )
    .label(span, "secret here")
    .help(format!(
        "remove it and use {instead}; then revoke it, since it is in the Git history"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_tokens_and_keys() {
        assert!(find_gitlab("glpat-abcdefghij0123456789").is_some());
        assert!(find_gitlab("https://x:glpat-abcdefghij0123456789@gitlab.com").is_some());
        assert!(find_gitlab("glpat-short").is_none());
        assert!(find_gitlab("myglpat-abcdefghij0123456789").is_none());
        assert!((KINDS[0].find)("-----BEGIN OPENSSH PRIVATE KEY-----\nabc").is_some());
        assert!((KINDS[0].find)("-----BEGIN CERTIFICATE-----").is_none());
        assert!((KINDS[1].find)("key: AKIAIOSFODNN7EXAMPLE").is_some());
        assert!((KINDS[1].find)("AKIAshort").is_none());
    }
}
