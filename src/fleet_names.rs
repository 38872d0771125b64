//! Fleet's own naming rules, reproduced exactly, so that fleetc knows the names Fleet will
//! derive (bundle names for `dependsOn`, default Helm release names) before anything is applied.
//!
//! Mirrors `internal/names/name.go` of rancher/fleet; the tests use Fleet's own test vectors.

use md5::{Digest, Md5};

/// Longest Helm release name (and Fleet bundle name).
pub const MAX_HELM_RELEASE_NAME_LEN: usize = 53;

/// Longest label value, and longest DNS label.
pub const MAX_LABEL_VALUE_LEN: usize = 63;

/// The bundle name Fleet derives for the bundle in directory `path` of GitRepo `gitrepo`:
/// `HelmReleaseName(filepath.Join(gitrepo, path))`.
pub fn bundle_name(gitrepo: &str, path: &str) -> String {
    let path = path.trim_matches('/');
    if path.is_empty() || path == "." {
        helm_release_name(gitrepo)
    } else {
        helm_release_name(&format!("{gitrepo}/{path}"))
    }
}

/// Fleet's `names.HelmReleaseName`: a DNS-label-safe name of at most 53 characters.
pub fn helm_release_name(input: &str) -> String {
    let mut s = input.replace('/', "-");
    let need_hex = s != s.to_lowercase() || s.chars().any(|c| !is_allowed(c));
    if need_hex {
        s = format!("{s}-{}", hex(&s, 8));
    }
    let s = s.to_lowercase();
    // Replace runs of disallowed characters with one dash, then collapse dashes.
    let mut cleaned = String::with_capacity(s.len());
    for c in s.chars() {
        let c = if is_allowed(c) { c } else { '-' };
        if c == '-' && cleaned.ends_with('-') {
            continue;
        }
        cleaned.push(c);
    }
    let cleaned = cleaned.trim_matches('-').to_owned();
    if is_dns_label_syntax(&cleaned) {
        limit(&cleaned, MAX_HELM_RELEASE_NAME_LEN)
    } else {
        hex(input, 24)
    }
}

/// Fleet's `names.Limit`: truncates to `count` bytes, ending in `-` and a 5-character hash.
pub fn limit(s: &str, count: usize) -> String {
    const HEX_LEN: usize = 5;
    if s.len() <= count {
        return s.to_owned();
    }
    if count <= HEX_LEN + 1 {
        return s[..count].to_owned();
    }
    let keep = count - HEX_LEN - 1;
    let sep = if s.as_bytes()[keep - 1] == b'-' {
        ""
    } else {
        "-"
    };
    format!("{}{sep}{}", &s[..keep], hex(s, HEX_LEN))
}

/// The first `len` hex digits of the MD5 of `s`.
pub fn hex(s: &str, len: usize) -> String {
    let digest = Md5::digest(s.as_bytes());
    let mut out = String::with_capacity(32);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out.truncate(len);
    out
}

fn is_allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

/// `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`, without a length limit.
pub fn is_dns_label_syntax(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// A DNS-1123 label: the syntax above, at most 63 characters.
pub fn is_dns_label(s: &str) -> bool {
    s.len() <= MAX_LABEL_VALUE_LEN && is_dns_label_syntax(s)
}

/// An OCI image tag (distribution spec: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`): `1:30` and `-x`
/// are not tags, and a registry refuses them.
pub fn is_oci_tag(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

/// A Kubernetes label value: empty, or at most 63 characters of alphanumerics, `-`, `_`, `.`,
/// starting and ending with an alphanumeric.
pub fn is_label_value(s: &str) -> bool {
    let b = s.as_bytes();
    b.is_empty()
        || (b.len() <= MAX_LABEL_VALUE_LEN
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric())
}

/// A Kubernetes label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63
/// characters.
pub fn is_label_key(s: &str) -> bool {
    let (prefix, name) = match s.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, s),
    };
    let prefix_ok = prefix.is_none_or(|p| p.len() <= 253 && p.split('.').all(is_dns_label));
    prefix_ok && !name.is_empty() && is_label_value(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STR50: &str = "12345678901234567890123456789012345678901234567890";

    #[test]
    fn limit_matches_fleet() {
        for (arg, n, want) in [
            ("1234567", 5, "12345"),
            ("1234567", 6, "123456"),
            ("1234567", 7, "1234567"),
            ("1234567", 8, "1234567"),
            ("12345678", 8, "12345678"),
            ("12345678", 7, "1-25d55"),
            ("123456789", 8, "12-25f9e"),
            ("1-3456789", 8, "1-9b657"),
        ] {
            assert_eq!(limit(arg, n), want, "limit({arg:?}, {n})");
        }
    }

    #[test]
    fn helm_release_name_matches_fleet() {
        let str53 = format!("{STR50}123");
        let str63 = format!("{STR50}1234567890123");
        let cases = [
            (str53.clone(), str53.clone()),
            (
                format!("{str53}a"),
                "12345678901234567890123456789012345678901234567-fdba4".to_owned(),
            ),
            (
                format!("{str63}a"),
                "12345678901234567890123456789012345678901234567-eb12d".to_owned(),
            ),
            (
                "long-name-test-shortpath-with@char".to_owned(),
                "long-name-test-shortpath-with-char-031bab5e".to_owned(),
            ),
            (
                "long-name-test-shortpath-with+char".to_owned(),
                "long-name-test-shortpath-with-char-21c88393".to_owned(),
            ),
            (
                "long-name-test-0.App_ ".to_owned(),
                "long-name-test-0-app-5bf6b3fb".to_owned(),
            ),
            (
                "long-name-test--App_-_12.factor".to_owned(),
                "long-name-test-app-12-factor-0efbac37".to_owned(),
            ),
            (
                "bundle.name.example.com".to_owned(),
                "bundle-name-example-com-645ef821".to_owned(),
            ),
            (
                format!("{}-1234567", &str53[..46]),
                "1234567890123456789012345678901234567890123456-d0bce".to_owned(),
            ),
        ];
        for (arg, want) in cases {
            assert_eq!(helm_release_name(&arg), want, "HelmReleaseName({arg:?})");
        }
    }

    #[test]
    fn bundle_names_join_gitrepo_and_path() {
        assert_eq!(bundle_name("web", "apps/web"), "web-apps-web");
        // A bundle at the repository root: Go's filepath.Join("web", ".") is "web".
        assert_eq!(bundle_name("web", "."), "web");
        assert_eq!(bundle_name("web", ""), "web");
        assert_eq!(bundle_name("web", "/"), "web");
        // A path Fleet must clean: the hash is of the string after `/` became `-`
        // (rancher/fleet v0.16.1 internal/names/name.go:66-82: ReplaceAll, then
        // Hex(str, 8)), md5("web-production-apps-My_Web") = 03803bc9…, not of the input with
        // its slashes (de8fc313…).
        assert_eq!(
            bundle_name("web-production", "apps/My_Web"),
            "web-production-apps-my-web-03803bc9"
        );
        assert_eq!(
            bundle_name("fleet-examples", "single-cluster/helm"),
            "fleet-examples-single-cluster-helm"
        );
    }

    #[test]
    fn oci_tags() {
        for ok in ["1.4.2", "v1", "_x", "2024-01-01", "0755", &"a".repeat(128)] {
            assert!(is_oci_tag(ok), "{ok}");
        }
        for bad in ["", "1:30", "-x", ".x", "a/b", "my tag", &"a".repeat(129)] {
            assert!(!is_oci_tag(bad), "{bad}");
        }
    }

    #[test]
    fn label_syntax() {
        assert!(is_label_key("management.cattle.io/cluster-display-name"));
        assert!(is_label_key("env"));
        assert!(!is_label_key("/env"));
        assert!(!is_label_key("Bad Key"));
        assert!(is_label_value("eu-west-1"));
        assert!(!is_label_value("-x"));
        assert!(!is_dns_label("Prod"));
        assert!(!is_dns_label(&"a".repeat(64)));
    }
}
