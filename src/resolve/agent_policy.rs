//! Agent policies applied to registrations: each policy's CI and user access (GitLab's entry
//! limits and top-level-group rule), the impersonation each `accessAs` mode needs and the refusal
//! of escalation, and the least-privilege RBAC of the agent's service account.

use std::collections::BTreeSet;

use super::Cx;
use crate::codes::Code as C;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{AgentId, ClusterId, Fleet, Registration};
use crate::pointer::Ptr;
use crate::spec::{self, AccessAs, RbacRule, Spec, Tier, UserAccessAs};
use crate::versions::{self, Version};

/// Entries GitLab reads from `ci_access.projects` and from `ci_access.groups` (and the same for
/// `user_access`): the rest are dropped without an error (gitlab
/// `app/services/clusters/agents/authorizations/ci_access/refresh_service.rb`,
/// `AUTHORIZED_ENTITY_LIMIT = 500`, `first(AUTHORIZED_ENTITY_LIMIT)`).
pub const MAX_AUTHORIZED: usize = 500;

/// User extras the agent sets when it impersonates a CI job (gitlab-agent
/// `internal/module/kubernetes_api/server/proxy.go`, `impCiJobExtra`). Kubernetes checks
/// `impersonate` on `userextras/<key>` for each.
pub const CI_JOB_EXTRAS: &[&str] = &[
    "agent.gitlab.com/id",
    "agent.gitlab.com/config_project_id",
    "agent.gitlab.com/project_id",
    "agent.gitlab.com/ci_pipeline_id",
    "agent.gitlab.com/ci_job_id",
    "agent.gitlab.com/username",
    "agent.gitlab.com/environment_slug",
    "agent.gitlab.com/environment_tier",
];

/// User extras of `user_access` in `user` mode (same file, `impUserExtra`).
pub const USER_EXTRAS: &[&str] = &[
    "agent.gitlab.com/id",
    "agent.gitlab.com/username",
    "agent.gitlab.com/access_type",
    "agent.gitlab.com/config_project_id",
];

fn rule(groups: &[&str], resources: &[&str], verbs: &[&str], names: Vec<String>) -> RbacRule {
    let own = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect();
    RbacRule {
        api_groups: own(groups),
        resources: own(resources),
        verbs: own(verbs),
        resource_names: names,
    }
}

/// What the verify jobs run: `kubectl get … -o jsonpath` on workloads and `kubectl rollout
/// status` (which gets and watches the workload). Nothing else.
fn verify_rules() -> Vec<RbacRule> {
    vec![
        rule(
            &["apps"],
            &["deployments", "statefulsets", "daemonsets"],
            &["get", "list", "watch"],
            Vec::new(),
        ),
        rule(&["batch"], &["cronjobs"], &["get", "list"], Vec::new()),
    ]
}

/// What the drift check needs on the management cluster: read Fleet's bundles.
fn fleet_read_rules() -> Vec<RbacRule> {
    vec![rule(
        &["fleet.cattle.io"],
        &["bundles", "gitrepos"],
        &["get", "list"],
        Vec::new(),
    )]
}

/// Who CI jobs and users act as through one policy.
#[derive(Default)]
struct Identities {
    /// Some entry (or user access) acts as the agent's own service account.
    agent_mode: Option<Ptr>,
    /// Some entry needs impersonation of identities that cannot be named (ci_job, user).
    unrestricted: Option<Ptr>,
    /// Some entry impersonates a fixed identity.
    named: Option<Ptr>,
    ci_job: bool,
    user: bool,
    users: BTreeSet<String>,
    groups: BTreeSet<String>,
}

impl Identities {
    fn of(
        projects: &[spec::CiAccessEntry],
        groups: &[spec::CiAccessEntry],
        user: Option<&spec::UserAccess>,
        base: &Ptr,
        explicit: bool,
    ) -> Identities {
        let mut out = Identities::default();
        for (kind, list) in [("projects", projects), ("groups", groups)] {
            for (k, e) in list.iter().enumerate() {
                let ptr = if explicit {
                    base.key("ciAccess").key(kind).index(k)
                } else {
                    base.key("name")
                };
                match &e.access_as {
                    None | Some(AccessAs::Agent) => {
                        out.agent_mode.get_or_insert(ptr);
                    }
                    Some(AccessAs::CiJob) => {
                        out.ci_job = true;
                        out.unrestricted.get_or_insert(ptr);
                    }
                    Some(AccessAs::Impersonate(i)) => {
                        out.named.get_or_insert(ptr);
                        out.users.insert(i.username.clone());
                        out.groups.extend(i.groups.iter().cloned());
                    }
                }
            }
        }
        if let Some(u) = user {
            let ptr = base.key("userAccess");
            match u.access_as {
                UserAccessAs::Agent => {
                    out.agent_mode.get_or_insert(ptr);
                }
                UserAccessAs::User => {
                    out.user = true;
                    out.unrestricted.get_or_insert(ptr);
                }
            }
        }
        out
    }

    /// The ClusterRole rules impersonation needs: by name where the identity is fixed, every
    /// user, group and user extra where it carries IDs.
    fn rules(&self) -> Vec<RbacRule> {
        let imp = ["impersonate"];
        if self.unrestricted.is_some() {
            let mut extras: BTreeSet<&str> = BTreeSet::new();
            if self.ci_job {
                extras.extend(CI_JOB_EXTRAS);
            }
            if self.user {
                extras.extend(USER_EXTRAS);
            }
            let extras: Vec<String> = extras.iter().map(|e| format!("userextras/{e}")).collect();
            let extras: Vec<&str> = extras.iter().map(String::as_str).collect();
            return vec![
                rule(&[""], &["users", "groups"], &imp, Vec::new()),
                rule(&["authentication.k8s.io"], &extras, &imp, Vec::new()),
            ];
        }
        let mut out = Vec::new();
        if !self.users.is_empty() {
            out.push(rule(
                &[""],
                &["users"],
                &imp,
                self.users.iter().cloned().collect(),
            ));
        }
        if !self.groups.is_empty() {
            out.push(rule(
                &[""],
                &["groups"],
                &imp,
                self.groups.iter().cloned().collect(),
            ));
        }
        out
    }
}

impl Cx<'_> {
    /// Applies one agent policy: checks it once, then makes a registration for each of its
    /// clusters (or one for the management cluster).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn policy(
        &mut self,
        a: usize,
        agent: &spec::Agent,
        g: &spec::GitLab,
        fleet: &Fleet,
        version: Version,
        spec: &Spec,
        out: &mut Vec<Registration>,
    ) {
        let base = Ptr::item("agents", a);
        let clusters = &fleet.agents[AgentId::new(a)].clusters;
        let management = agent.clusters.is_empty() && agent.environments.is_empty();
        let reads_fleet = spec
            .pipeline
            .as_ref()
            .and_then(|p| p.drift_check.as_ref())
            .is_some_and(|d| d.agent == agent.name);
        let acknowledged = self.acknowledged(&agent.acknowledge, &base.key("acknowledge"));
        self.dns_label(&agent.namespace, &base.key("namespace"), "namespace");
        let rbac = agent.rbac.clone().unwrap_or(spec::AgentRbac {
            namespaces: None,
            rules: None,
            cluster_rules: Vec::new(),
        });
        if let Some(ns) = &rbac.namespaces {
            for (k, n) in ns.iter().enumerate() {
                self.dns_label(n, &base.key("rbac").key("namespaces").index(k), "namespace");
            }
        }
        let rules = rbac.rules.clone().unwrap_or_else(|| {
            if reads_fleet {
                fleet_read_rules()
            } else {
                verify_rules()
            }
        });
        self.broad_rbac(&base, agent, &rules, &rbac.cluster_rules, &acknowledged);
        let protected = version >= versions::GITLAB_PROTECTED_BRANCHES_ONLY;
        let serves_production = clusters
            .iter()
            .any(|c| fleet.environments[fleet.clusters[*c].environment].tier == Tier::Production);
        let explicit = agent.ci_access.clone();
        if let Some(ci) = &explicit {
            self.ci_access(
                &base,
                agent,
                ci,
                g,
                serves_production,
                protected,
                &acknowledged,
            );
        }
        if let Some(u) = &agent.user_access {
            for (kind, list) in [("projects", &u.projects), ("groups", &u.groups)] {
                self.entry_limit(list.len(), &base.key("userAccess").key(kind));
                for (k, p) in list.iter().enumerate() {
                    let ptr = base.key("userAccess").key(kind).index(k);
                    self.project_path(p, &ptr);
                    self.top_level(p, &g.agent_project, &ptr, &acknowledged);
                }
            }
        }
        let token_secret = agent
            .token_secret
            .clone()
            .unwrap_or_else(|| "gitlab-agent-token".to_owned());
        let targets: Vec<Option<ClusterId>> = if management {
            vec![None]
        } else {
            clusters.iter().copied().map(Some).collect()
        };
        for cluster in targets {
            let name = match cluster {
                Some(c) => fleet.clusters[c].name.clone(),
                None => agent.name.clone(),
            };
            let (projects, groups) = match &explicit {
                Some(ci) => (ci.projects.clone(), ci.groups.clone()),
                None => default_ci_access(g, fleet, cluster, protected),
            };
            let ids = Identities::of(
                &projects,
                &groups,
                agent.user_access.as_ref(),
                &base,
                explicit.is_some(),
            );
            let namespaces = match (&rbac.namespaces, cluster) {
                (Some(ns), _) => ns.clone(),
                (None, None) if reads_fleet => {
                    fleet.workspaces().into_iter().map(str::to_owned).collect()
                }
                (None, None) => Vec::new(),
                // Roles only in the namespaces that exist there: those of its apps.
                (None, Some(c)) => fleet
                    .apps
                    .iter()
                    .filter(|app| app.clusters.binary_search(&c).is_ok())
                    .map(|app| app.namespace_on(c).to_owned())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
            };
            let mut cluster_rules = rbac.cluster_rules.clone();
            if reads_fleet && cluster.is_none() && rbac.rules.is_none() {
                // `fleetc verify --revision` reads BundleDeployments, which live in one
                // namespace per downstream cluster.
                cluster_rules.push(rule(
                    &["fleet.cattle.io"],
                    &["bundledeployments"],
                    &["get", "list"],
                    Vec::new(),
                ));
            }
            cluster_rules.extend(ids.rules());
            out.push(Registration {
                name,
                agent: AgentId::new(a),
                cluster,
                ci_projects: projects,
                ci_groups: groups,
                user_access: agent.user_access.clone(),
                namespace: agent.namespace.clone(),
                token_secret: token_secret.clone(),
                rbac_namespaces: namespaces,
                rbac_rules: rules.clone(),
                cluster_rules,
                protected_branches: protected,
                container_scanning: agent.container_scanning,
            });
        }
        // Checked once per policy: every registration of it has the same identities.
        let ids = match &explicit {
            Some(ci) => Identities::of(
                &ci.projects,
                &ci.groups,
                agent.user_access.as_ref(),
                &base,
                true,
            ),
            None => Identities::of(&[], &[], agent.user_access.as_ref(), &base, true),
        };
        self.impersonation(&base, agent, &ids, explicit.is_none(), &acknowledged);
    }

    /// E028 and W009: impersonation that cannot be narrowed, and the mix with `agent` mode.
    fn impersonation(
        &mut self,
        base: &Ptr,
        agent: &spec::Agent,
        ids: &Identities,
        default_ci: bool,
        ack: &[C],
    ) {
        // Kubernetes' own identities are cluster-admin or the control plane.
        if let Some(named) = &ids.named
            && let Some(system) = ids
                .users
                .iter()
                .chain(&ids.groups)
                .find(|n| n.starts_with("system:"))
        {
            self.push(
                Diagnostic::new(
                    Code::ImpersonationEscalation,
                    format!("agent `{}` would impersonate `{system}`", agent.name),
                )
                .label(
                    self.ix.head(named, self.text),
                    "a Kubernetes system identity",
                )
                .help("impersonate a user and groups of your own, bound to the RBAC the jobs need"),
            );
        }
        let Some(grant) = ids.unrestricted.as_ref().or(ids.named.as_ref()) else {
            return;
        };
        let agent_mode = ids.agent_mode.clone().or_else(|| {
            // fleetc's default ci_access is in agent mode.
            default_ci.then(|| base.key("name"))
        });
        if let Some(agent_ptr) = agent_mode {
            // In `agent` mode agentk forwards a client's own Impersonate-* headers with the
            // service account's credentials (gitlab-agent
            // internal/module/kubernetes_api/agent/server.go), so the job may become whoever
            // the service account may impersonate.
            let (what, label) = if ids.unrestricted.is_some() {
                (
                    "may impersonate anyone",
                    "needs impersonation of any user and group",
                )
            } else {
                (
                    "may impersonate a fixed identity",
                    "the service account may impersonate this identity",
                )
            };
            self.push(
                Diagnostic::new(
                    Code::ImpersonationEscalation,
                    format!("agent `{}` {what} and also serves jobs in `agent` mode", agent.name),
                )
                .label(self.ix.head(&agent_ptr, self.text), "acts as the agent's service account and may pass `--as`/`--as-group`")
                .label(self.ix.head(grant, self.text), label)
                .help("an `agent`-mode job could act as that identity (or as `system:masters`); use one mode per agent policy: give every entry the same `accessAs`, or split the clusters between policies"),
            );
        } else if ids.unrestricted.is_some() && !ack.contains(&C::UnrestrictedImpersonation) {
            self.push(
                Diagnostic::new(
                    Code::UnrestrictedImpersonation,
                    format!("agent `{}` may impersonate any user, group and user extra", agent.name),
                )
                .label(self.ix.head(grant, self.text), "identities with job and user IDs cannot be named in RBAC")
                .help("GitLab needs it for this mode; bind RBAC to `gitlab:ci_job` (or `gitlab:user`) groups deliberately, and add `acknowledge: [W009]` to the agent"),
            );
        }
    }

    /// Checks explicit `ciAccess` entries.
    #[allow(clippy::too_many_arguments)]
    fn ci_access(
        &mut self,
        base: &Ptr,
        agent: &spec::Agent,
        ci: &spec::CiAccess,
        g: &spec::GitLab,
        serves_production: bool,
        protected: bool,
        ack: &[C],
    ) {
        for (kind, entries) in [("projects", &ci.projects), ("groups", &ci.groups)] {
            self.entry_limit(entries.len(), &base.key("ciAccess").key(kind));
            for (k, e) in entries.iter().enumerate() {
                let ptr = base.key("ciAccess").key(kind).index(k);
                self.project_path(&e.id, &ptr.key("id"));
                self.top_level(&e.id, &g.agent_project, &ptr.key("id"), ack);
                if let Some(ns) = &e.default_namespace {
                    self.dns_label(ns, &ptr.key("defaultNamespace"), "namespace");
                }
                if e.protected_branches_only && !protected {
                    self.push(
                        Diagnostic::new(
                            Code::VersionTooOld,
                            "`protectedBranchesOnly` needs GitLab 17.10",
                        )
                        .label(self.at(&ptr.key("protectedBranchesOnly")), format!("the targeted GitLab is {}", g.version.as_deref().unwrap_or(versions::DEFAULT_GITLAB)))
                        .help("an older agent server rejects the whole agent configuration for this key; upgrade GitLab and set `gitlab.version`, or remove it"),
                    );
                }
                if serves_production
                    && !e.protected_branches_only
                    && protected
                    && !ack.contains(&C::UnprotectedProductionAgent)
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
    }

    fn entry_limit(&mut self, n: usize, ptr: &Ptr) {
        if n > MAX_AUTHORIZED {
            self.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("{n} entries, but GitLab reads only the first {MAX_AUTHORIZED}"),
                )
                .label(
                    self.ix.key(ptr),
                    "the rest would be dropped without an error",
                )
                .help("authorize a group instead of its projects one by one"),
            );
        }
    }

    /// W011: authorizations outside the agent project's top-level group, which GitLab ignores.
    fn top_level(&mut self, id: &str, agent_project: &str, ptr: &Ptr, ack: &[C]) {
        let top = |p: &str| p.split('/').next().unwrap_or("").to_ascii_lowercase();
        if top(id) != top(agent_project) && !ack.contains(&C::OutsideTopLevelGroup) {
            self.push(
                Diagnostic::new(
                    Code::OutsideTopLevelGroup,
                    format!("GitLab ignores `{id}`: it is outside `{}`", top(agent_project)),
                )
                .label(self.at(ptr), format!("not in the agent project's top-level group `{}`", top(agent_project)))
                .help("move the agent project into the same top-level group, or (self-managed) turn on `organization_cluster_agent_authorization_enabled` and add `acknowledge: [W011]` to the agent"),
            );
        }
    }

    /// W007: `delete` or wildcards in an agent's RBAC.
    fn broad_rbac(
        &mut self,
        base: &Ptr,
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
                            "*" | "delete"
                                | "deletecollection"
                                | "escalate"
                                | "bind"
                                | "impersonate"
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
                        .label(self.ix.head(&base.key("rbac").key(kind).index(k), self.text), "more than verification needs")
                        .help("grant only the verbs and resources CI needs, or add `acknowledge: [W007]` to the agent if this is deliberate"),
                    );
                }
            }
        }
    }
}

/// fleetc's default CI access for one registration: the manifests project (and deploy projects),
/// for the verify environments of its cluster's environment, on protected branches where GitLab
/// supports it.
fn default_ci_access(
    g: &spec::GitLab,
    fleet: &Fleet,
    cluster: Option<ClusterId>,
    protected: bool,
) -> (Vec<spec::CiAccessEntry>, Vec<spec::CiAccessEntry>) {
    let (environments, production) = match cluster {
        // The verify jobs of its environment: `<env>/<cluster>`, or `<env>/verify` when the
        // environment is verified in shards. (Promote jobs, in `<env>`, get no context.)
        Some(c) => {
            let env = &fleet.environments[fleet.clusters[c].environment];
            (
                vec![format!("{}/*", env.name)],
                env.tier == Tier::Production,
            )
        }
        // The management cluster: the scheduled drift check, which has no environment.
        None => (Vec::new(), true),
    };
    let projects = std::iter::once(&g.manifests_project)
        .chain(&g.deploy_projects)
        .map(|id| spec::CiAccessEntry {
            id: id.clone(),
            default_namespace: None,
            environments: environments.clone(),
            protected_branches_only: protected && production,
            access_as: None,
        })
        .collect();
    (projects, Vec::new())
}
