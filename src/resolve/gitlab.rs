//! Resolving the GitLab side: one agent registration per cluster (the spec's agents are access
//! policies applied to the registrations of their clusters), their CI and user access, the RBAC
//! of their service accounts, the versions the output is made for, and the pipeline settings.
//!
//! One registration is one cluster because the agent server routes a request for an agent to
//! any agentk connected with its token (gitlab-agent `doc/kas_request_routing.md`,
//! `internal/module/reverse_tunnel/tunnel/registry_stripe.go`): a token installed in three
//! clusters makes them replicas of one agent, and a CI job reaches any of them.

use std::collections::BTreeSet;

use super::{Cx, RefNames};
use crate::codes::Code as C;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{AgentId, Fleet, GitLabSide};
use crate::pointer::Ptr;
use crate::spec::{self, Spec, Verify};
use crate::versions::{self, Version};

impl Cx<'_> {
    pub(super) fn gitlab(&mut self, spec: &Spec, fleet: &mut Fleet, names: &RefNames) {
        let Some(g) = &spec.gitlab else {
            if spec.pipeline.is_some() {
                self.push(
                    Diagnostic::new(Code::InvalidValue, "`pipeline` needs a `gitlab` block")
                        .label(self.ix.key(&Ptr::path(&["pipeline"])), "the pipeline runs in GitLab")
                        .help("add `gitlab:` with the instance URL, agent project, manifests project and registry"),
                );
            }
            return;
        };
        let version = self.version(
            g.version.as_deref(),
            versions::DEFAULT_GITLAB,
            &Ptr::path(&["gitlab", "version"]),
            "GitLab",
        );
        if version < versions::GITLAB_MINIMUM {
            self.push(
                Diagnostic::new(
                    Code::VersionTooOld,
                    format!("fleetc's output needs GitLab {} or later", versions::GITLAB_MINIMUM),
                )
                .label(self.at(&Ptr::path(&["gitlab", "version"])), "older than the pipeline keywords and agent configuration fleetc writes")
                .help("upgrade GitLab; 17.0 has workflow:auto_cancel, user_access and 500 authorized entries"),
            );
        }
        let kas_address = self.gitlab_settings(g);
        let mut registrations = Vec::new();
        for (a, agent) in spec.agents.iter().enumerate() {
            self.policy(a, agent, g, fleet, version, spec, &mut registrations);
        }
        for (r, reg) in registrations.iter().enumerate() {
            if let Some(c) = reg.cluster {
                fleet.clusters[c].registration = Some(r);
            }
        }
        let mut side = GitLabSide {
            settings: g.clone(),
            kas_address,
            version,
            agents: registrations,
            pipeline: None,
            drift_agent: None,
        };
        if let Some(p) = &spec.pipeline {
            side.pipeline = self
                .parse(
                    &p.verify_timeout,
                    &Ptr::path(&["pipeline", "verifyTimeout"]),
                )
                .map(|verify_timeout| crate::model::Pipeline {
                    settings: p.clone(),
                    verify_timeout,
                });
            side.drift_agent = self.pipeline(p, spec, fleet, names, &side);
            self.jobs_reach_their_clusters(spec, fleet, &side);
        }
        self.built_images(spec, g);
        fleet.gitlab = Some(side);
    }

    /// Reads a declared version (or the default).
    pub(super) fn version(
        &mut self,
        declared: Option<&str>,
        default: &str,
        ptr: &Ptr,
        what: &str,
    ) -> Version {
        let fallback = Version::parse(default).unwrap_or(Version::new(0, 0, 0));
        let Some(v) = declared else { return fallback };
        match Version::parse(v) {
            Some(v) => v,
            None => {
                self.push(
                    Diagnostic::new(Code::InvalidValue, format!("`{v}` is not a {what} version"))
                        .label(self.at(ptr), "expected MAJOR.MINOR or MAJOR.MINOR.PATCH")
                        .help(format!("e.g. `{default}`")),
                );
                fallback
            }
        }
    }

    /// Checks the `gitlab` block; returns the agent server address agentk connects to.
    pub(super) fn gitlab_settings(&mut self, g: &spec::GitLab) -> String {
        let host_and_root = g
            .url
            .strip_prefix("https://")
            .or_else(|| g.url.strip_prefix("http://"));
        if host_and_root.is_none_or(|r| r.is_empty() || r.starts_with('/')) {
            self.push(
                Diagnostic::new(Code::InvalidValue, "`gitlab.url` is not an HTTP(S) URL")
                    .label(
                        self.at(&Ptr::path(&["gitlab", "url"])),
                        "expected e.g. https://gitlab.example.com",
                    )
                    .help("give the address you open GitLab at"),
            );
        }
        let kas = match &g.kas_address {
            Some(k) => {
                if !k.starts_with("wss://") && !k.starts_with("ws://") {
                    self.push(
                        Diagnostic::new(Code::InvalidValue, "`gitlab.kasAddress` is not a WebSocket URL")
                            .label(self.at(&Ptr::path(&["gitlab", "kasAddress"])), "agentk connects over wss://")
                            .help("GitLab.com: `wss://kas.gitlab.com`; self-managed: `wss://<gitlab host>/-/kubernetes-agent/`"),
                    );
                }
                k.clone()
            }
            None => default_kas(&g.url),
        };
        self.project_path(&g.agent_project, &Ptr::path(&["gitlab", "agentProject"]));
        self.project_path(
            &g.manifests_project,
            &Ptr::path(&["gitlab", "manifestsProject"]),
        );
        for (i, p) in g.deploy_projects.iter().enumerate() {
            self.project_path(p, &Ptr::root().key("gitlab").key("deployProjects").index(i));
        }
        let host_ok = !g.registry.is_empty()
            && !g.registry.contains(['/', ' ', '@'])
            && !g.registry.contains("://")
            && g.registry
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
        if !host_ok {
            let mut d = Diagnostic::new(
                Code::InvalidValue,
                format!("`{}` is not a registry host", g.registry),
            )
            .label(
                self.at(&Ptr::path(&["gitlab", "registry"])),
                "expected the host (and port) of GitLab's container registry",
            );
            d = match g.registry.split_once('/') {
                Some((host, _)) if !host.contains(':') || host.contains('.') => d.help(format!(
                    "write the host only, `{host}`: images built by the pipeline go to `{host}/{}/...`",
                    g.manifests_project.to_lowercase()
                )),
                _ => d.help("e.g. `registry.gitlab.example.com`"),
            };
            self.push(d);
        }
        kas
    }

    /// A GitLab full path: `group/sub/project`.
    pub(super) fn project_path(&mut self, path: &str, ptr: &Ptr) {
        let ok = !path.is_empty()
            && path.split('/').all(|seg| {
                !seg.is_empty()
                    && !seg.starts_with(['.', '-'])
                    && seg
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            });
        if !ok {
            self.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("`{path}` is not a GitLab project or group path"),
                )
                .label(
                    self.at(ptr),
                    "expected a full path like `group/subgroup/project`",
                )
                .help("use the path from the project's URL, without the host"),
            );
        }
    }

    /// Checks the pipeline block; returns the drift-check agent registration.
    pub(super) fn pipeline(
        &mut self,
        p: &spec::Pipeline,
        spec: &Spec,
        fleet: &Fleet,
        names: &RefNames,
        side: &GitLabSide,
    ) -> Option<usize> {
        for env in p.verify.keys() {
            let at = self.ix.key(&Ptr::path(&["pipeline", "verify"]).key(env));
            self.reference_at(&names.envs, env, at, "environment");
        }
        // Every cluster verified by the pipeline needs an agent to reach it through.
        for app in &fleet.apps {
            for &c in &app.clusters {
                let cl = &fleet.clusters[c];
                let env = &fleet.environments[cl.environment];
                let verify = p.verify.get(&env.name).copied().unwrap_or_default();
                if verify != Verify::Skip && cl.registration.is_none() {
                    self.push(
                        Diagnostic::new(Code::AgentAssignment, format!("cluster `{}` has no GitLab agent", cl.name))
                            .label(self.at(&fleet.cluster_ptr(c).key("name")), "the pipeline verifies it through an agent")
                            .help(format!(
                                "serve it with an agent (`agents[].clusters` or `environments`), or set `pipeline.verify.{}: skip`",
                                env.name
                            )),
                    );
                    return None;
                }
            }
        }
        let drift = p.drift_check.as_ref()?;
        let agent_names: super::Names = spec
            .agents
            .iter()
            .enumerate()
            .map(|(i, a)| (a.name.clone(), i))
            .collect();
        let a = self.reference(
            &agent_names,
            &drift.agent,
            &Ptr::path(&["pipeline", "driftCheck", "agent"]),
            "agent",
        )?;
        let found = side
            .agents
            .iter()
            .position(|r| r.agent == AgentId::new(a) && r.cluster.is_none());
        if found.is_none() {
            self.push(
                Diagnostic::new(
                    Code::AgentAssignment,
                    format!("agent `{}` serves downstream clusters, not the management cluster", drift.agent),
                )
                .label(self.at(&Ptr::path(&["pipeline", "driftCheck", "agent"])), "the drift check reads Fleet's bundles on the management cluster")
                .help("name an agent with no `clusters` and no `environments`: it is the management cluster's registration"),
            );
        }
        found
    }

    /// W010: explicit `ciAccess` that gives the manifests project no context for a verify job.
    pub(super) fn jobs_reach_their_clusters(
        &mut self,
        spec: &Spec,
        fleet: &Fleet,
        side: &GitLabSide,
    ) {
        let Some(p) = &spec.pipeline else { return };
        let project = side.settings.manifests_project.to_ascii_lowercase();
        let mut reported = BTreeSet::new();
        for reg in &side.agents {
            let (Some(c), Some(ci)) = (reg.cluster, &spec.agents[reg.agent.index()].ci_access)
            else {
                continue;
            };
            let cl = &fleet.clusters[c];
            let env = &fleet.environments[cl.environment].name;
            if p.verify.get(env).copied().unwrap_or_default() == Verify::Skip
                || !fleet
                    .apps
                    .iter()
                    .any(|a| a.clusters.binary_search(&c).is_ok())
            {
                continue;
            }
            let job_env = format!("{env}/{}", cl.name);
            let shard_env = format!("{env}/verify");
            // The most specific entry applies: the project, else the innermost group.
            let entry = ci
                .projects
                .iter()
                .find(|e| e.id.to_ascii_lowercase() == project)
                .or_else(|| {
                    ci.groups
                        .iter()
                        .filter(|e| project.starts_with(&format!("{}/", e.id.to_ascii_lowercase())))
                        .max_by_key(|e| e.id.len())
                });
            let reaches = entry.is_some_and(|e| {
                e.environments.is_empty()
                    || e.environments
                        .iter()
                        .any(|pat| env_matches(pat, &job_env) && env_matches(pat, &shard_env))
            });
            let a = reg.agent.index();
            if !reaches
                && reported.insert(a)
                && !self
                    .acknowledged_quiet(&spec.agents[a].acknowledge)
                    .contains(&C::CiAccessMissesJobs)
            {
                self.push(
                    Diagnostic::new(
                        Code::CiAccessMissesJobs,
                        format!("`verify:{}` gets no context from agent `{}`", cl.name, spec.agents[a].name),
                    )
                    .label(self.ix.head(&Ptr::item("agents", a).key("ciAccess"), self.text), format!("no entry gives `{}` environment `{job_env}`", side.settings.manifests_project))
                    .help(format!("add `{}` with `environments: [\"{env}/*\"]`, or add `acknowledge: [W010]` to the agent", side.settings.manifests_project)),
                );
            }
        }
    }

    /// Built images must go where the pipeline may push them.
    pub(super) fn built_images(&mut self, spec: &Spec, g: &spec::GitLab) {
        let own = format!(
            "{}/{}",
            g.registry,
            g.manifests_project.to_ascii_lowercase()
        );
        for (i, app) in spec.apps.iter().enumerate() {
            for (j, img) in app.images.iter().enumerate() {
                let Some(b) = &img.build else { continue };
                let ptr = Ptr::item("apps", i).key("images").index(j);
                self.safe_path(&b.context, &ptr.key("build").key("context"));
                self.safe_path(&b.dockerfile, &ptr.key("build").key("dockerfile"));
                if let Some(c) = &b.credentials {
                    for (key, var) in [("username", &c.username), ("password", &c.password)] {
                        let ok = !var.is_empty()
                            && !var.starts_with(|ch: char| ch.is_ascii_digit())
                            && var
                                .chars()
                                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_');
                        if !ok {
                            self.push(
                                Diagnostic::new(Code::InvalidValue, format!("`{var}` is not a CI/CD variable name"))
                                    .label(self.at(&ptr.key("build").key("credentials").key(key)), "the name of a variable, not its value")
                                    .help("name the masked CI/CD variable that holds it, e.g. `REGISTRY_PASSWORD`"),
                            );
                        }
                    }
                    continue;
                }
                if img.name != own && !img.name.starts_with(&format!("{own}/")) {
                    self.push(
                        Diagnostic::new(
                            Code::RegistryPush,
                            format!("the pipeline cannot push `{}`", img.name),
                        )
                        .label(
                            self.at(&ptr.key("name")),
                            format!("the job token pushes only to `{own}`"),
                        )
                        .help(format!(
                            "name it `{own}/<name>`, or give `build.credentials` for its registry"
                        )),
                    );
                }
            }
        }
    }

    /// The warning codes an agent acknowledges, without reporting bad entries again.
    pub(super) fn acknowledged_quiet(&self, codes: &[String]) -> Vec<C> {
        codes.iter().filter_map(|c| C::parse(c)).collect()
    }
}

/// The agent server address for a GitLab URL: `wss://kas.gitlab.com` for GitLab.com, else the
/// Omnibus default `wss://<host><relative root>/-/kubernetes-agent/`.
pub fn default_kas(url: &str) -> String {
    let rest = url
        .strip_prefix("https://")
        .map(|r| ("wss", r))
        .or_else(|| url.strip_prefix("http://").map(|r| ("ws", r)));
    match rest {
        Some((_, r)) if r.trim_end_matches('/') == "gitlab.com" => {
            "wss://kas.gitlab.com".to_owned()
        }
        Some((scheme, r)) => format!("{scheme}://{}/-/kubernetes-agent/", r.trim_end_matches('/')),
        None => "wss://kas.gitlab.com".to_owned(),
    }
}

/// GitLab's environment scope matching: `*` matches any run of characters.
fn env_matches(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => {
            name.starts_with(head) && {
                let rest = &name[head.len()..];
                (0..=rest.len()).any(|i| rest.is_char_boundary(i) && env_matches(tail, &rest[i..]))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn kas_address_follows_the_instance() {
        assert_eq!(default_kas("https://gitlab.com"), "wss://kas.gitlab.com");
        assert_eq!(
            default_kas("https://gitlab.example.com"),
            "wss://gitlab.example.com/-/kubernetes-agent/"
        );
        assert_eq!(
            default_kas("https://example.com:8443/gitlab/"),
            "wss://example.com:8443/gitlab/-/kubernetes-agent/"
        );
        assert_eq!(
            default_kas("http://gitlab.local"),
            "ws://gitlab.local/-/kubernetes-agent/"
        );
    }

    #[test]
    pub(super) fn environment_scopes() {
        assert!(env_matches("production/*", "production/prod-1"));
        assert!(env_matches("*", "x"));
        assert!(!env_matches("production/*", "staging/s-1"));
        assert!(env_matches("production/prod-1", "production/prod-1"));
        // What follows a `*` must match too (GitLab's environment scopes, `*` any run).
        assert!(env_matches("production/*-eu", "production/web-eu"));
        assert!(!env_matches("production/*-eu", "production/web-us"));
    }
}
