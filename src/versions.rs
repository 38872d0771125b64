//! The GitLab and Fleet versions a spec targets, and what each version can take.
//!
//! GitLab's agent server parses agent configurations strictly and Fleet ignores or rejects what
//! it does not know, so fleetc emits only what the declared versions accept, and a spec asking
//! for more is an error naming the version it needs (E029).

use std::fmt;

/// A `MAJOR.MINOR[.PATCH]` version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    /// Major.
    pub major: u32,
    /// Minor.
    pub minor: u32,
    /// Patch.
    pub patch: u32,
}

impl Version {
    /// `Version::new(17, 10, 0)`.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Version {
        Version {
            major,
            minor,
            patch,
        }
    }

    /// Reads `18.0`, `0.15.6` or `v0.16.1`.
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.strip_prefix('v').unwrap_or(s);
        let mut parts = s.split('.');
        let mut next = || -> Option<Option<u32>> {
            match parts.next() {
                None => Some(None),
                Some(p)
                    if !p.is_empty() && p.len() <= 6 && p.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    p.parse().ok().map(Some)
                }
                Some(_) => None,
            }
        };
        let major = next()??;
        let minor = next()??;
        let patch = next()?.unwrap_or(0);
        match next()? {
            None => Some(Version::new(major, minor, patch)),
            Some(_) => None,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The GitLab version assumed when the spec declares none: the oldest release of the current
/// major line, so the output works on every supported instance.
pub const DEFAULT_GITLAB: &str = "18.0";
/// The Fleet version assumed when the spec declares none: Fleet 0.13 (Rancher 2.12), the oldest
/// Fleet of a supported Rancher at the time of writing.
pub const DEFAULT_FLEET: &str = "0.13";

/// The oldest GitLab fleetc's output is for: `workflow:auto_cancel:on_new_commit` (16.8),
/// `user_access` in agent configurations (16.1) and the 500-entry authorization limit (17.0).
pub const GITLAB_MINIMUM: Version = Version::new(17, 0, 0);

/// `ci_access.*.protected_branches_only`: behind a feature flag from 17.3, generally available
/// (flag removed) in 17.10; an older agent server rejects the whole configuration file for an
/// unknown field (strict `protojson.Unmarshal`, gitlab-agent
/// `internal/module/agent_configuration/server/server.go`).
pub const GITLAB_PROTECTED_BRANCHES_ONLY: Version = Version::new(17, 10, 0);
/// `environment:kubernetes:agent` in `.gitlab-ci.yml`.
pub const GITLAB_ENVIRONMENT_KUBERNETES_AGENT: Version = Version::new(17, 6, 0);
/// `fleet_gitrepo_fetch_latest_commit_failure_total` and `fleet_gitjobs_created_failure_total`
/// (rancher/fleet#3649, first in v0.13.0).
pub const FLEET_GIT_METRICS: Version = Version::new(0, 13, 0);

/// Whether Fleet sends a GitRepo's Helm credentials to no repository when `helmRepoURLRegex` is
/// empty, and anchors the expression at the start of the URL. Backported: v0.13.11, v0.14.6,
/// v0.15.2 and every 0.16 (rancher/fleet internal/bundlereader/resources.go
/// `shouldAddAuthToRequest` at those tags; v0.13.10, v0.14.5 and v0.15.1 still send them to every
/// repository and match the expression anywhere).
pub fn fleet_strips_helm_credentials(v: Version) -> bool {
    v >= Version::new(0, 16, 0)
        || (v >= Version::new(0, 15, 2) && v < Version::new(0, 16, 0))
        || (v >= Version::new(0, 14, 6) && v < Version::new(0, 15, 0))
        || (v >= Version::new(0, 13, 11) && v < Version::new(0, 14, 0))
}

/// Whether Fleet still keeps bundles with runtime-injected webhook `caBundle`s Modified
/// (rancher/fleet#5368, fixed by #5369 in v0.15.6 and v0.16.1; v0.16.0 does not have it).
pub fn fleet_ca_bundle_drift(v: Version) -> bool {
    v < Version::new(0, 15, 6) || (v >= Version::new(0, 16, 0) && v < Version::new(0, 16, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions() {
        assert_eq!(Version::parse("18.0"), Some(Version::new(18, 0, 0)));
        assert_eq!(Version::parse("v0.16.1"), Some(Version::new(0, 16, 1)));
        for bad in ["", "18", "18.x", "1.2.3.4", "18..0", "-1.0"] {
            assert_eq!(Version::parse(bad), None, "{bad}");
        }
        assert!(fleet_ca_bundle_drift(Version::new(0, 13, 7)));
        for (v, strips) in [
            ((0, 13, 10), false),
            ((0, 13, 11), true),
            ((0, 14, 5), false),
            ((0, 14, 6), true),
            ((0, 15, 1), false),
            ((0, 15, 2), true),
            ((0, 16, 0), true),
        ] {
            assert_eq!(
                fleet_strips_helm_credentials(Version::new(v.0, v.1, v.2)),
                strips,
                "{v:?}"
            );
        }
        assert!(fleet_ca_bundle_drift(Version::new(0, 16, 0)));
        assert!(!fleet_ca_bundle_drift(Version::new(0, 15, 6)));
        assert!(!fleet_ca_bundle_drift(Version::new(0, 16, 1)));
    }
}
