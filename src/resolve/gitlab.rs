//! Resolving the GitLab side: agent registrations (sharded), their CI and user access, the RBAC
//! of their service accounts, and the pipeline settings.

use std::collections::BTreeSet;

use super::{Cx, RefNames};
use crate::codes::Code as C;
use crate::diagnostic::{Code, Diagnostic};
use crate::fleet_names::MAX_LABEL_VALUE_LEN;
use crate::model::{AgentShard, Fleet, GitLabSide};
use crate::spec::{self, AccessAs, RbacRule, Spec, Tier, Verify};

/// What verification jobs need: read workloads, their pods and events, nothing else.
fn read_only_rules() -> Vec<RbacRule> {
    let rule = |groups: &[&str], resources: &[&str], verbs: &[&str]| RbacRule {
        api_groups: groups.iter().map(|s| (*s).to_owned()).collect(),
        resources: resources.iter().map(|s| (*s).to_owned()).collect(),
        verbs: verbs.iter().map(|s| (*s).to_owned()).collect(),
        resource_names: Vec::new(),
    };
    vec![
        rule(
            &["apps"],
            &["deployments", "statefulsets", "daemonsets", "replicasets"],
            &["get", "list", "watch"],
        ),
        rule(
            &[""],
            &["pods", "services", "events", "configmaps"],
            &["get", "list", "watch"],
        ),
        rule(&[""], &["pods/log"], &["get"]),
        rule(&["batch"], &["jobs", "cronjobs"], &["get", "list", "watch"]),
    ]
}

/// The impersonation CI and users need. A fixed identity is granted by name; the per-job
/// identities of `ci_job` and `user` access cannot be named in advance.
fn impersonation_rules(
    projects: &[spec::CiAccessEntry],
    groups: &[spec::CiAccessEntry],
    user_access: Option<&spec::UserAccess>,
) -> Vec<RbacRule> {
    let mut users = BTreeSet::new();
    let mut named_groups = BTreeSet::new();
    let mut dynamic = user_access.is_some_and(|u| u.access_as == spec::UserAccessAs::User);
    for e in projects.iter().chain(groups) {
        match &e.access_as {
            Some(AccessAs::Impersonate(i)) => {
                users.insert(i.username.clone());
                named_groups.extend(i.groups.iter().cloned());
            }
            Some(AccessAs::CiJob) => dynamic = true,
            _ => {}
        }
    }
    let rule = |resources: &[&str], names: Vec<String>| RbacRule {
        api_groups: vec![String::new()],
        resources: resources.iter().map(|s| (*s).to_owned()).collect(),
        verbs: vec!["impersonate".to_owned()],
        resource_names: names,
    };
    if dynamic {
        return vec![rule(&["users", "groups"], Vec::new())];
    }
    let mut out = Vec::new();
    if !users.is_empty() {
        out.push(rule(&["users"], users.into_iter().collect()));
    }
    if !named_groups.is_empty() {
        out.push(rule(&["groups"], named_groups.into_iter().collect()));
    }
    out
}

/// What the drift check needs on the management cluster: read Fleet's objects.
fn fleet_read_rules() -> Vec<RbacRule> {
    vec![RbacRule {
        api_groups: vec!["fleet.cattle.io".to_owned()],
        resources: ["bundles", "gitrepos", "clusters", "clustergroups"]
            .map(str::to_owned)
            .to_vec(),
        verbs: ["get", "list", "watch"].map(str::to_owned).to_vec(),
        resource_names: Vec::new(),
    }]
}

impl Cx<'_> {
    pub(super) fn gitlab(&mut self, spec: &Spec, fleet: &mut Fleet, names: &RefNames) {
        let Some(g) = &spec.gitlab else {
            if spec.pipeline.is_some() {
                self.push(
                    Diagnostic::new(Code::InvalidValue, "`pipeline` needs a `gitlab` block")
                        .label(self.ix.key("/pipeline"), "the pipeline runs in GitLab")
                        .help("add `gitlab:` with the instance URL, agent project, manifests project and registry"),
                );
            }
            return;
        };
        self.gitlab_settings(g);
        let drift_agent = spec
            .pipeline
            .as_ref()
            .and_then(|p| p.drift_check.as_ref())
            .and_then(|d| spec.agents.iter().position(|a| a.name == d.agent));
        let mut shards = Vec::new();
        for (a, agent) in spec.agents.iter().enumerate() {
            let reads_fleet = drift_agent == Some(a);
            self.agent_shards(a, agent, g, fleet, reads_fleet, &mut shards);
        }
        for (s, shard) in shards.iter().enumerate() {
            for &c in &shard.clusters {
                fleet.clusters[c].shard = Some(s);
            }
        }
        let mut side = GitLabSide {
            settings: g.clone(),
            agents: shards,
            pipeline: spec.pipeline.clone(),
            drift_agent: None,
        };
        if let Some(p) = &spec.pipeline {
            side.drift_agent = self.pipeline(p, spec, fleet, names, &side);
        }
        self.built_images(spec, g);
        fleet.gitlab = Some(side);
    }

    fn gitlab_settings(&mut self, g: &spec::GitLab) {
        if !g.url.starts_with("https://") && !g.url.starts_with("http://") {
            self.push(
                Diagnostic::new(Code::InvalidValue, "`gitlab.url` is not an HTTP(S) URL")
                    .label(
                        self.at("/gitlab/url"),
                        "expected e.g. https://gitlab.example.com",
                    )
                    .help("give the address you open GitLab at"),
            );
        }
        if !g.kas_address.starts_with("wss://") && !g.kas_address.starts_with("ws://") {
            self.push(
                Diagnostic::new(Code::InvalidValue, "`gitlab.kasAddress` is not a WebSocket URL")
                    .label(self.at("/gitlab/kasAddress"), "agentk connects over wss://")
                    .help("GitLab.com: `wss://kas.gitlab.com`; self-managed: `wss://<gitlab host>/-/kubernetes-agent/`"),
            );
        }
        self.project_path(&g.agent_project, "/gitlab/agentProject");
        self.project_path(&g.manifests_project, "/gitlab/manifestsProject");
        for (i, p) in g.deploy_projects.iter().enumerate() {
            self.project_path(p, &format!("/gitlab/deployProjects/{i}"));
        }
        if g.registry.is_empty()
            || g.registry.contains("://")
            || g.registry.ends_with('/')
            || g.registry.contains(char::is_whitespace)
        {
            self.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("invalid registry `{}`", g.registry),
                )
                .label(
                    self.at("/gitlab/registry"),
                    "expected a registry host and path, without scheme",
                )
                .help("e.g. `registry.gitlab.example.com/acme`"),
            );
        }
    }

    /// A GitLab full path: `group/sub/project`.
    fn project_path(&mut self, path: &str, ptr: &str) {
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

    fn agent_shards(
        &mut self,
        a: usize,
        agent: &spec::Agent,
        g: &spec::GitLab,
        fleet: &Fleet,
        reads_fleet: bool,
        out: &mut Vec<AgentShard>,
    ) {
        let base = format!("/agents/{a}");
        let clusters = &fleet.agents[a].clusters;
        let acknowledged = self.acknowledged(&agent.acknowledge, &format!("{base}/acknowledge"));
        let size = agent.shard_size.max(1) as usize;
        let chunks: Vec<&[usize]> = if clusters.len() > size {
            clusters.chunks(size).collect()
        } else {
            vec![clusters.as_slice()]
        };
        let sharded = chunks.len() > 1;
        if sharded {
            let longest = format!("{}-{}", agent.name, chunks.len() - 1);
            if longest.len() > MAX_LABEL_VALUE_LEN {
                self.push(
                    Diagnostic::new(
                        Code::NameTooLong,
                        format!(
                            "agent shard name `{longest}` has {} characters",
                            longest.len()
                        ),
                    )
                    .label(
                        self.at(&format!("{base}/name")),
                        "shards are named `<agent>-<n>`; GitLab allows 63 characters",
                    )
                    .help("shorten the agent name, or raise `shardSize`"),
                );
            }
        }
        // Namespaces of the apps that run on this agent's clusters.
        let app_namespaces: BTreeSet<&str> = fleet
            .apps
            .iter()
            .filter(|app| app.clusters.iter().any(|c| clusters.contains(c)))
            .map(|app| app.namespace.as_str())
            .collect();
        let rbac = agent.rbac.clone().unwrap_or(spec::AgentRbac {
            namespaces: None,
            rules: None,
            cluster_rules: Vec::new(),
        });
        let namespaces: Vec<String> = match &rbac.namespaces {
            Some(ns) => {
                for (k, n) in ns.iter().enumerate() {
                    self.dns_label(n, &format!("{base}/rbac/namespaces/{k}"), "namespace");
                }
                ns.clone()
            }
            None if reads_fleet => vec![fleet.workspace.clone()],
            None => app_namespaces.iter().map(|s| (*s).to_owned()).collect(),
        };
        let rules = rbac.rules.clone().unwrap_or_else(|| {
            if reads_fleet {
                fleet_read_rules()
            } else {
                read_only_rules()
            }
        });
        let mut cluster_rules = rbac.cluster_rules.clone();
        self.broad_rbac(&base, agent, &rules, &cluster_rules, &acknowledged);

        let serves_production = clusters
            .iter()
            .any(|c| fleet.environments[fleet.clusters[*c].environment].tier == Tier::Production);
        let (projects, groups) = match &agent.ci_access {
            Some(ci) => {
                for (kind, entries) in [("projects", &ci.projects), ("groups", &ci.groups)] {
                    for (k, e) in entries.iter().enumerate() {
                        let ptr = format!("{base}/ciAccess/{kind}/{k}");
                        self.project_path(&e.id, &format!("{ptr}/id"));
                        if let Some(ns) = &e.default_namespace {
                            self.dns_label(ns, &format!("{ptr}/defaultNamespace"), "namespace");
                        }
                        if serves_production
                            && !e.protected_branches_only
                            && !acknowledged.contains(&C::UnprotectedProductionAgent)
                        {
                            self.push(
                                Diagnostic::new(
                                    Code::UnprotectedProductionAgent,
                                    format!("agent `{}` serves production to `{}` from any branch", agent.name, e.id),
                                )
                                .label(self.ix.head(&ptr, self.text), "no `protectedBranchesOnly: true`")
                                .help("set `protectedBranchesOnly: true`, or add `acknowledge: [W006]` to the agent if this is deliberate"),
                            );
                        }
                    }
                }
                (ci.projects.clone(), ci.groups.clone())
            }
            None => {
                // The manifests project (and any deploy project), limited to the environments
                // of the clusters the agent serves.
                let mut envs: Vec<usize> = clusters
                    .iter()
                    .map(|c| fleet.clusters[*c].environment)
                    .collect();
                envs.sort_unstable();
                envs.dedup();
                let environments: Vec<String> = envs
                    .iter()
                    .map(|e| format!("{}/*", fleet.environments[*e].name))
                    .collect();
                let projects = std::iter::once(&g.manifests_project)
                    .chain(&g.deploy_projects)
                    .map(|id| spec::CiAccessEntry {
                        id: id.clone(),
                        default_namespace: None,
                        environments: environments.clone(),
                        protected_branches_only: serves_production || clusters.is_empty(),
                        access_as: None,
                    })
                    .collect();
                (projects, Vec::new())
            }
        };
        cluster_rules.extend(impersonation_rules(
            &projects,
            &groups,
            agent.user_access.as_ref(),
        ));
        if let Some(u) = &agent.user_access {
            for (k, p) in u.projects.iter().enumerate() {
                self.project_path(p, &format!("{base}/userAccess/projects/{k}"));
            }
            for (k, p) in u.groups.iter().enumerate() {
                self.project_path(p, &format!("{base}/userAccess/groups/{k}"));
            }
        }
        self.dns_label(&agent.namespace, &format!("{base}/namespace"), "namespace");
        let token_secret = agent
            .token_secret
            .clone()
            .unwrap_or_else(|| "gitlab-agent-token".to_owned());
        for (n, chunk) in chunks.iter().enumerate() {
            out.push(AgentShard {
                name: if sharded {
                    format!("{}-{n}", agent.name)
                } else {
                    agent.name.clone()
                },
                agent: a,
                clusters: chunk.to_vec(),
                ci_projects: projects.clone(),
                ci_groups: groups.clone(),
                user_access: agent.user_access.clone(),
                namespace: agent.namespace.clone(),
                token_secret: token_secret.clone(),
                rbac_namespaces: namespaces.clone(),
                rbac_rules: rules.clone(),
                cluster_rules: cluster_rules.clone(),
            });
        }
    }

    /// W007: `delete` or wildcards in an agent's RBAC.
    fn broad_rbac(
        &mut self,
        base: &str,
        agent: &spec::Agent,
        rules: &[RbacRule],
        cluster_rules: &[RbacRule],
        ack: &[C],
    ) {
        if ack.contains(&C::BroadAgentRbac) {
            return;
        }
        for (kind, list) in [("rules", rules), ("clusterRules", cluster_rules)] {
            for (k, r) in list.iter().enumerate() {
                let risky: Vec<&str> = r
                    .verbs
                    .iter()
                    .chain(&r.resources)
                    .chain(&r.api_groups)
                    .map(String::as_str)
                    .filter(|v| {
                        matches!(
                            *v,
                            "*" | "delete" | "deletecollection" | "escalate" | "bind"
                        )
                    })
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                if !risky.is_empty() {
                    self.push(
                        Diagnostic::new(
                            Code::BroadAgentRbac,
                            format!("agent `{}` may `{}`", agent.name, risky.join("`, `")),
                        )
                        .label(self.ix.head(&format!("{base}/rbac/{kind}/{k}"), self.text), "more than verification needs")
                        .help("grant only the verbs and resources CI needs, or add `acknowledge: [W007]` to the agent if this is deliberate"),
                    );
                }
            }
        }
    }

    /// Checks the pipeline block; returns the drift-check agent registration.
    fn pipeline(
        &mut self,
        p: &spec::Pipeline,
        spec: &Spec,
        fleet: &Fleet,
        names: &RefNames,
        side: &GitLabSide,
    ) -> Option<usize> {
        for env in p.verify.keys() {
            self.reference(
                &names.envs,
                env,
                &format!("/pipeline/verify/{}", crate::load::escape(env)),
                "environment",
            );
        }
        if !super::is_go_duration(&p.verify_timeout) {
            self.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("`{}` is not a duration", p.verify_timeout),
                )
                .label(self.at("/pipeline/verifyTimeout"), "expected e.g. `15m`")
                .help("use units s, m or h"),
            );
        }
        // Every cluster verified by the pipeline needs an agent to reach it through.
        for app in &fleet.apps {
            for &c in &app.clusters {
                let cl = &fleet.clusters[c];
                let env = &fleet.environments[cl.environment];
                let verify = p.verify.get(&env.name).copied().unwrap_or_default();
                if verify != Verify::Skip && cl.shard.is_none() {
                    self.push(
                        Diagnostic::new(Code::AgentAssignment, format!("cluster `{}` has no GitLab agent", cl.name))
                            .label(self.at(&format!("/clusters/{c}/name")), "the pipeline verifies it through an agent")
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
            "/pipeline/driftCheck/agent",
            "agent",
        )?;
        side.agents.iter().position(|s| s.agent == a)
    }

    /// Built images must live in the configured registry, so the pipeline can push them.
    fn built_images(&mut self, spec: &Spec, g: &spec::GitLab) {
        for (i, app) in spec.apps.iter().enumerate() {
            for (j, img) in app.images.iter().enumerate() {
                let Some(b) = &img.build else { continue };
                let ptr = format!("/apps/{i}/images/{j}");
                self.safe_path(&b.context, &format!("{ptr}/build/context"));
                self.safe_path(&b.dockerfile, &format!("{ptr}/build/dockerfile"));
                if !img.name.starts_with(&format!("{}/", g.registry)) {
                    self.push(
                        Diagnostic::new(
                            Code::InvalidValue,
                            format!(
                                "built image `{}` is outside the registry `{}`",
                                img.name, g.registry
                            ),
                        )
                        .label(
                            self.at(&format!("{ptr}/name")),
                            "the pipeline pushes built images to `gitlab.registry`",
                        )
                        .help(format!("name it `{}/<name>`", g.registry)),
                    );
                }
            }
        }
    }
}
