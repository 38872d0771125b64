//! Finds secrets pasted into the spec: tokens, private keys, cloud access keys, credentials in
//! URLs, webhook URLs, and literal values under keys named like secrets.
//!
//! The spec is committed and its values are copied into generated files, so a secret in it is
//! an error wherever it appears, whatever key holds it. Only the key-name rule is a guess; it can
//! be turned off for one key with the app's `notSecret`.

use serde_json::Value;

use super::SpanIndex;
use crate::diagnostic::{Code, Diagnostic, Span};
use crate::pointer::Ptr;

/// A secret found in a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// What it is, for the message ("a GitLab personal access token").
    pub what: &'static str,
    /// Where it belongs instead.
    pub instead: &'static str,
    /// Byte offset of the secret in the string.
    pub at: usize,
    /// Its length in bytes.
    pub len: usize,
}

const SECRET_REF: &str = "a Kubernetes Secret, referenced by name (for Git credentials: `fleet.clientSecretName`; for an agent: the Secret its Helm values name; for an app: `valuesFrom` or the chart's `existingSecret`)";

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

/// Hosts and paths of incoming-webhook URLs: whoever has the URL can post.
const WEBHOOKS: &[(&str, &str)] = &[
    ("hooks.slack.com/services/", "a Slack webhook URL"),
    ("hooks.slack.com/workflows/", "a Slack webhook URL"),
    ("discord.com/api/webhooks/", "a Discord webhook URL"),
    ("discordapp.com/api/webhooks/", "a Discord webhook URL"),
    (".webhook.office.com/", "a Microsoft Teams webhook URL"),
    (
        "outlook.office.com/webhook/",
        "a Microsoft Teams webhook URL",
    ),
    (
        "chat.googleapis.com/v1/spaces/",
        "a Google Chat webhook URL",
    ),
    ("hooks.zapier.com/hooks/", "a Zapier webhook URL"),
    ("api.telegram.org/bot", "a Telegram bot token URL"),
    (
        "events.pagerduty.com/integration/",
        "a PagerDuty integration URL",
    ),
];

/// The first secret in `s`, if any. Every rule but the key-name one.
pub fn find(s: &str) -> Option<Found> {
    if let Some((what, at, len)) = find_gitlab(s) {
        return Some(Found {
            what,
            instead: SECRET_REF,
            at,
            len,
        });
    }
    if let Some(f) = find_private_key(s)
        .or_else(|| find_aws(s))
        .or_else(|| find_github(s))
    {
        return Some(f);
    }
    if let Some(f) = find_url_credentials(s) {
        return Some(f);
    }
    find_webhook(s)
}

/// Scans every key and string of the spec.
pub(super) fn scan(value: &Value, index: &SpanIndex, text: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    walk(value, Ptr::root(), index, text, &mut out);
    // An app's `notSecret` covers every rule inside its values.
    out.retain(|d| {
        !d.labels
            .first()
            .is_some_and(|l| acknowledged_at(value, index, l.span.start))
    });
    if let Some(apps) = value.get("apps").and_then(Value::as_array) {
        for (i, app) in apps.iter().enumerate() {
            secret_named_values(app, &Ptr::item("apps", i), index, text, &mut out);
        }
    }
    out
}

fn walk(v: &Value, ptr: Ptr, index: &SpanIndex, text: &str, out: &mut Vec<Diagnostic>) {
    match v {
        Value::String(s) => check(s, &ptr, false, index, text, out),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, ptr.index(i), index, text, out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                let child = ptr.key(k);
                check(k, &child, true, index, text, out);
                walk(item, child, index, text, out);
            }
        }
        _ => {}
    }
}

fn check(
    s: &str,
    ptr: &Ptr,
    is_key: bool,
    index: &SpanIndex,
    text: &str,
    out: &mut Vec<Diagnostic>,
) {
    if s.len() < 8 {
        return;
    }
    if let Some(f) = find(s) {
        let node = if is_key {
            index.key(ptr)
        } else {
            index.nearest(ptr)
        };
        out.push(report(&f, &s[f.at..f.at + f.len], node, text));
    }
}

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

fn find_private_key(s: &str) -> Option<Found> {
    let i = s.find("-----BEGIN ")?;
    let line = s[i..].lines().next()?;
    line.contains("PRIVATE KEY").then_some(Found {
        what: "a private key",
        instead: "a Kubernetes Secret (type kubernetes.io/ssh-auth or kubernetes.io/tls), referenced by name",
        at: i,
        len: line.len(),
    })
}

fn find_aws(s: &str) -> Option<Found> {
    ["AKIA", "ASIA"].iter().find_map(|p| {
        s.match_indices(p).map(|(i, _)| i).find_map(|i| {
            let rest = &s.as_bytes()[i + 4..];
            let ok = rest.len() >= 16
                && rest[..16]
                    .iter()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                && rest.get(16).is_none_or(|b| !b.is_ascii_alphanumeric());
            ok.then_some(Found {
                what: "an AWS access key",
                instead: "a Kubernetes Secret referenced by name, or workload identity (IRSA) instead of keys",
                at: i,
                len: 20,
            })
        })
    })
}

fn find_github(s: &str) -> Option<Found> {
    ["ghp_", "gho_", "ghs_", "ghu_", "github_pat_"]
        .iter()
        .find_map(|p| {
            s.match_indices(p).find_map(|(i, _)| {
                let n = token_len(&s[i + p.len()..]);
                (n >= 20).then_some(Found {
                    what: "a GitHub token",
                    instead: SECRET_REF,
                    at: i,
                    len: p.len() + n,
                })
            })
        })
}

/// `scheme://user:password@host`, or a token as the user (`https://glpat-…@host`).
fn find_url_credentials(s: &str) -> Option<Found> {
    for (i, _) in s.match_indices("://") {
        let start = i + 3;
        let authority_end = s[start..]
            .find(['/', '?', '#', ' ', '\n', '"', '\''])
            .map_or(s.len(), |e| start + e);
        let authority = &s[start..authority_end];
        let Some(at) = authority.rfind('@') else {
            continue;
        };
        let userinfo = &authority[..at];
        if is_placeholder(userinfo) {
            continue;
        }
        let password = userinfo.split_once(':').map(|(_, p)| p);
        if password.is_some_and(|p| !p.is_empty()) || token_len(userinfo) >= 20 {
            return Some(Found {
                what: "a URL with credentials in it",
                instead: "a URL without credentials, and a Kubernetes Secret for them (`fleet.clientSecretName` for Git, `helmSecretName` for Helm repositories)",
                at: start,
                len: at + 1,
            });
        }
    }
    None
}

fn find_webhook(s: &str) -> Option<Found> {
    WEBHOOKS.iter().find_map(|(needle, what)| {
        let i = s.find(needle)?;
        let start = s[..i].rfind("://").map_or(i, |p| {
            // Back to the start of the scheme, so the whole URL is labelled.
            s[..p]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
                .map_or(0, |b| b + 1)
        });
        let end = s[i..]
            .find([' ', '\n', '"', '\''])
            .map_or(s.len(), |e| i + e);
        // A bare host name is documentation, not a secret: the path must go on.
        (end > i + needle.len()).then_some(Found {
            what,
            instead: "a Kubernetes Secret the chart reads (`valuesFrom`, or the chart's `existingSecret`)",
            at: start,
            len: end - start,
        })
    })
}

fn token_len(s: &str) -> usize {
    s.bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-' || *b == b'.')
        .count()
}

/// Whether a key names a secret: `password`, `dbPassword`, `api_key`, `clientSecret`,
/// `GITLAB_TOKEN`. Keys that name where a secret is (`existingSecret`, `passwordSecretName`,
/// `tokenFile`, `secretRef`), and a bare `secret` or `credentials` (in charts, almost always
/// the name of a Secret), do not.
pub fn is_secret_key(key: &str) -> bool {
    // An annotation key: its name is after the prefix.
    let key = key.rsplit('/').next().unwrap_or(key);
    let k: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    const SECRETS: &[&str] = &[
        "password",
        "passwd",
        "secret",
        "token",
        "apikey",
        "secretkey",
        "accesskey",
        "privatekey",
        "credential",
        "credentials",
        "passphrase",
    ];
    const NAMES: &[&str] = &["secret", "secrets", "credential", "credentials"];
    !k.starts_with("existing")
        && !NAMES.contains(&k.as_str())
        && SECRETS.iter().any(|s| k.ends_with(s))
}

/// A literal that would be a secret: not empty, not a template or variable reference, not a
/// switch.
fn is_literal_secret(v: &str) -> bool {
    let v = v.trim();
    let switch = matches!(
        v.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "enabled" | "disabled"
    );
    !v.is_empty() && v.len() >= 4 && !switch && !is_placeholder(v)
}

/// `${VAR}`, `$(VAR)`, `{{ .Values.x }}`: filled in elsewhere, not a secret.
fn is_placeholder(v: &str) -> bool {
    v.contains("${") || v.contains("$(") || v.contains("{{")
}

/// An app and each of its overrides, with their pointers: where `values` and `patches` live.
fn app_and_overrides<'v>(app: &'v Value, base: &Ptr) -> Vec<(Ptr, &'v Value)> {
    let overrides = app
        .get("overrides")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(k, o)| (base.key("overrides").index(k), o));
    std::iter::once((base.clone(), app))
        .chain(overrides)
        .collect()
}

/// An app's Helm values and those of its overrides, with their pointers; and their
/// `templateValues`, which become values too.
fn values_of<'v>(app: &'v Value, base: &Ptr) -> Vec<(Ptr, &'v Value)> {
    let mut out: Vec<(Ptr, &Value)> = app_and_overrides(app, base)
        .into_iter()
        .filter_map(|(ptr, o)| o.get("values").map(|v| (ptr.key("values"), v)))
        .collect();
    if let Some(t) = app.pointer("/source/helm/templateValues") {
        out.push((base.key("source").key("helm").key("templateValues"), t));
    }
    for (ptr, o) in app_and_overrides(app, base).into_iter().skip(1) {
        if let Some(t) = o.pointer("/helm/templateValues") {
            out.push((ptr.key("helm").key("templateValues"), t));
        }
    }
    out
}

/// Whether the byte offset lies inside a values key an app lists in `notSecret` (by name or
/// dotted path).
fn acknowledged_at(value: &Value, index: &SpanIndex, offset: usize) -> bool {
    let Some(apps) = value.get("apps").and_then(Value::as_array) else {
        return false;
    };
    apps.iter().enumerate().any(|(i, app)| {
        let allowed: Vec<&str> = app
            .get("notSecret")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if allowed.is_empty() {
            return false;
        }
        values_of(app, &Ptr::item("apps", i))
            .into_iter()
            .any(|(ptr, v)| {
                let mut leaves = Vec::new();
                crate::model::value_leaves(v, Ptr::root(), &mut leaves);
                leaves.into_iter().any(|leaf| {
                    let span = index.nearest(&ptr.join(&leaf));
                    let dotted = crate::model::dotted(&leaf);
                    let key = dotted.rsplit('.').next().unwrap_or(&dotted).to_owned();
                    span.contains(&offset) && allowed.iter().any(|a| *a == dotted || *a == key)
                })
            })
    })
}

/// Literal values under secret-named keys in an app's Helm values and kustomize patches (and in
/// `env` entries whose name is secret-like), unless the app lists the key in `notSecret`.
fn secret_named_values(
    app: &Value,
    base: &Ptr,
    index: &SpanIndex,
    text: &str,
    out: &mut Vec<Diagnostic>,
) {
    let allowed: Vec<&str> = app
        .get("notSecret")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let places = values_of(app, base);
    let mut patch_texts = Vec::new();
    for (ptr, o) in app_and_overrides(app, base) {
        for (j, p) in o
            .get("patches")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if let Some(text) = p.get("patch").and_then(Value::as_str) {
                patch_texts.push((ptr.key("patches").index(j).key("patch"), text.to_owned()));
            }
        }
    }
    let mut hits: Vec<(Ptr, String, String)> = Vec::new(); // (ptr, dotted path, literal)
    for (ptr, v) in &places {
        secret_leaves(v, ptr, "", &mut hits);
    }
    for (ptr, patch) in &patch_texts {
        // A patch is YAML (or a JSON 6902 list) as text; read it leniently, without aliases.
        let Ok(v) =
            serde_saphyr::from_str_with_options::<Value>(patch, crate::load::yaml_options())
        else {
            continue;
        };
        let mut found = Vec::new();
        secret_leaves(&v, ptr, "", &mut found);
        // Inside a patch the pointer stays the patch's; the label finds the literal in its text.
        hits.extend(
            found
                .into_iter()
                .map(|(_, path, lit)| (ptr.clone(), path, lit)),
        );
    }
    for (ptr, path, literal) in hits {
        let key = path.rsplit('.').next().unwrap_or(&path).to_owned();
        // Tokens, keys and URLs the other rules know are reported once, by them.
        if allowed.iter().any(|a| *a == path || *a == key) || find(&literal).is_some() {
            continue;
        }
        let node = index.nearest(&ptr);
        let span = text
            .get(node.clone())
            .and_then(|src| src.find(&literal))
            .map_or(node.clone(), |i| {
                node.start + i..node.start + i + literal.len()
            });
        out.push(
            Diagnostic::new(
                Code::SecretInSpec,
                format!("`{path}` holds a literal value; it is named like a secret"),
            )
            .label(span, "secret here?")
            .help(format!(
                "put it in a Kubernetes Secret and reference it (`valuesFrom`, the chart's `existingSecret`, `valueFrom.secretKeyRef` in a patch); if it is not a secret, add `notSecret: [{path}]` to the app"
            )),
        );
    }
}

/// Secret-named keys with literal string values below `v`, and `env` entries
/// (`{name: DB_PASSWORD, value: …}`) with literal values.
fn secret_leaves(v: &Value, ptr: &Ptr, path: &str, out: &mut Vec<(Ptr, String, String)>) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        Value::Object(map) => {
            if let (Some(Value::String(name)), Some(Value::String(value))) =
                (map.get("name"), map.get("value"))
                && is_secret_key(name)
                && is_literal_secret(value)
            {
                out.push((ptr.key("value"), name.clone(), value.clone()));
            }
            for (k, child) in map {
                let child_ptr = ptr.key(k);
                match child {
                    Value::String(s) if is_secret_key(k) && is_literal_secret(s) => {
                        out.push((child_ptr, join(k), s.clone()));
                    }
                    _ => secret_leaves(child, &child_ptr, &join(k), out),
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                secret_leaves(item, &ptr.index(i), &join(&i.to_string()), out);
            }
        }
        _ => {}
    }
}

fn report(f: &Found, needle: &str, node: Span, text: &str) -> Diagnostic {
    // Point at the secret itself when it appears verbatim in the source.
    let span: Span = text
        .get(node.clone())
        .and_then(|src| src.find(needle))
        .map_or(node.clone(), |i| {
            node.start + i..node.start + i + needle.len()
        });
    Diagnostic::new(
        Code::SecretInSpec,
        format!("{} is pasted into the spec", f.what),
    )
    .label(span, "secret here")
    .help(format!(
        "remove it and use {}; then revoke it, since it is in the Git history",
        f.instead
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
        assert!(find_private_key("-----BEGIN OPENSSH PRIVATE KEY-----\nabc").is_some());
        assert!(find_private_key("-----BEGIN CERTIFICATE-----").is_none());
        assert!(find_aws("key: AKIAIOSFODNN7EXAMPLE").is_some());
        assert!(find_aws("AKIAshort").is_none());
        // An access key ID is exactly 20 characters: followed by punctuation it is one, run on
        // into more capitals it is some other word.
        assert!(find_aws("keys: AKIAIOSFODNN7EXAMPLE, next").is_some());
        assert!(find_aws("AKIAIOSFODNN7EXAMPLEANDMORE").is_none());
    }

    #[test]
    fn recognises_credentials_in_urls_and_webhooks() {
        for bad in [
            "https://deploy:s3cret@charts.example.com",
            "oci://robot:abc123@registry.example.com/charts",
            "wss://user:pw@gitlab.example.com/-/kubernetes-agent/",
            "https://abcdefghijklmnopqrstuvwxyz012345@github.com/x.git",
            "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX",
            "https://acme.webhook.office.com/webhookb2/abc",
        ] {
            assert!(find(bad).is_some(), "{bad}");
        }
        for ok in [
            "https://gitlab.example.com/ops/fleet.git",
            "git@gitlab.example.com:ops/fleet.git",
            "ssh://git@gitlab.example.com/ops/fleet.git",
            "https://user@example.com/x",
            "hooks.slack.com/services/",
            "wss://kas.gitlab.com",
        ] {
            assert_eq!(find(ok), None, "{ok}");
        }
    }

    #[test]
    fn recognises_github_tokens_whole() {
        // GitHub's token formats: a prefix, then at least 20 of [A-Za-z0-9_]; fine-grained ones
        // (`github_pat_`) have underscores inside.
        let pat = "github_pat_11ABCDEFG0abcdefghij_KLMNOPQRSTUVWXYZ0123456789abcdef";
        for (text, at, token) in [
            (
                "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
                0,
                "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            ),
            (
                "token: gho_ABCDEFGHIJKLMNOPQRST01 (old)",
                7,
                "gho_ABCDEFGHIJKLMNOPQRST01",
            ),
            (pat, 0, pat),
        ] {
            let f = find(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(f.what, "a GitHub token", "{text}");
            assert_eq!(f.at, at, "{text}");
            assert_eq!(&text[f.at..f.at + f.len], token, "{text}");
        }
        assert_eq!(find("ghp_tooshort"), None);
    }

    #[test]
    fn a_token_runs_over_dashes_dots_and_underscores() {
        let t = "glpat-Ab_cD-eF.gH_iJ-kL.mN_oP";
        let (_, at, len) = find_gitlab(t).unwrap();
        assert_eq!((at, len), (0, t.len()));
        // The label of a webhook URL starts at its scheme and ends with its path.
        let text = "notify: https://hooks.slack.com/services/T0/B0/abc123 now";
        let f = find(text).unwrap();
        assert_eq!(
            &text[f.at..f.at + f.len],
            "https://hooks.slack.com/services/T0/B0/abc123"
        );
    }

    #[test]
    fn tells_secret_names_from_references() {
        for k in [
            "password",
            "dbPassword",
            "api_key",
            "clientSecret",
            "GITLAB_TOKEN",
            "secretKey",
        ] {
            assert!(is_secret_key(k), "{k}");
        }
        for k in [
            "existingSecret",
            "passwordSecretName",
            "tokenFile",
            "secretRef",
            "secretName",
            "tokenTTL",
            "replicaCount",
            "secretKeyRef",
            "passwordPath",
        ] {
            assert!(!is_secret_key(k), "{k}");
        }
    }
}
