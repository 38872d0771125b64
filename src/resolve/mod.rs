//! Stage 2, resolve: typed spec → [`Fleet`], the validated model.
//!
//! Checks every name, reference, path and selector, reporting all problems at once, and
//! computes what Fleet will do: which clusters each app reaches, the bundle names Fleet derives,
//! and the customizations first-match needs. Reads the file system only to confirm that kustomize
//! bases and local charts exist; writes nothing.

mod agent_policy;
mod apps;
mod bundle;
mod checks;
mod gitlab;
mod gitrepos;
mod groups;
mod helm;
mod helmops;
mod inventory;
mod manifests;
pub use agent_policy::{CI_JOB_EXTRAS, USER_EXTRAS};
mod overrides;
mod schedules;
mod targets;
mod templating;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::diagnostic::{Code, Diagnostic, Span};
use crate::load::{Loaded, SpanIndex};
use crate::model::{
    Agent, AgentId, Cluster, ClusterId, Conditions, EnvId, Environment, Fleet, LabelKeys,
    Monitoring,
};
use crate::pointer::Ptr;
use crate::spec::Spec;
use crate::suggest;
use crate::values::{LabelKey, LabelValue, Parse, PromDuration};

/// Resolves a loaded spec. `root` is the output root that spec paths are relative to.
/// On success returns the fleet and its warnings; otherwise every diagnostic found.
pub fn resolve(
    loaded: &Loaded,
    text: &str,
    spec_name: &str,
    root: &dyn crate::workspace::Workspace,
    pins: &crate::pins::Pins,
) -> Result<(Fleet, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut cx = Cx {
        pins,
        ix: &loaded.index,
        text,
        root,
        diags: Vec::new(),
        clusters_incomplete: false,
        dropped_clusters: Default::default(),
        declared_labels: BTreeMap::new(),
        opt_in: BTreeMap::new(),
    };
    let fleet = cx.fleet(&loaded.spec, spec_name);
    let mut diags = cx.diags;
    crate::diagnostic::sort(&mut diags);
    if crate::diagnostic::has_errors(&diags) {
        // Warnings computed from a fleet with errors in it are mostly their echoes.
        diags.retain(crate::diagnostic::Diagnostic::is_error);
        Err(diags)
    } else {
        Ok((fleet, diags))
    }
}

/// Resolution context: where to point and where to collect.
pub(crate) struct Cx<'a> {
    pub(crate) pins: &'a crate::pins::Pins,
    pub(crate) ix: &'a SpanIndex,
    pub(crate) text: &'a str,
    pub(crate) root: &'a dyn crate::workspace::Workspace,
    pub(crate) diags: Vec<Diagnostic>,
    /// Some cluster's environment did not resolve, so "matches no cluster" would be an echo.
    pub(crate) clusters_incomplete: bool,
    /// Clusters left out of the model for an error of their own: references to them are not
    /// reported again.
    pub(crate) dropped_clusters: std::collections::HashSet<String>,
    /// Every label key any declared cluster carries (region and name keys included, the
    /// clusters left out of the model too) → its values: what targets and selectors may name.
    /// Built once, in `clusters`.
    pub(crate) declared_labels: BTreeMap<String, BTreeSet<String>>,
    /// `optInLabels`: label keys clusters may carry later → the values listed (none: any).
    pub(crate) opt_in: BTreeMap<String, BTreeSet<String>>,
}

/// A GitRepo's repository settings, each with the key that set it.
#[derive(Default)]
pub(super) struct RepoView<'a> {
    pub(super) helm_secret_name: Option<(&'a str, Ptr)>,
    pub(super) helm_repo_url_regex: Option<(&'a str, Ptr)>,
    pub(super) webhook_secret: Option<(&'a str, Ptr)>,
    /// Where `disablePolling: true` is said.
    pub(super) disable_polling: Option<Ptr>,
    /// Where a `pollingInterval` is said.
    pub(super) polling_interval: Option<Ptr>,
    pub(super) helm_secret_name_for_paths: Option<(&'a str, Ptr)>,
    pub(super) ca_bundle: Option<(&'a str, Ptr)>,
    pub(super) insecure_skip_tls_verify: bool,
    pub(super) oci_registry_secret: Option<(&'a str, Ptr)>,
}

impl<'a> RepoView<'a> {
    /// The `fleet` block's settings.
    fn of_fleet(s: &'a crate::spec::FleetSettings) -> Self {
        let at = |k: &str| Ptr::path(&["fleet"]).key(k);
        let set = |v: &'a Option<String>, k: &str| v.as_deref().map(|v| (v, at(k)));
        RepoView {
            helm_secret_name: set(&s.helm_secret_name, "helmSecretName"),
            helm_repo_url_regex: set(&s.helm_repo_url_regex, "helmRepoURLRegex"),
            webhook_secret: set(&s.webhook_secret, "webhookSecret"),
            disable_polling: s.disable_polling.then(|| at("disablePolling")),
            polling_interval: s.polling_interval.is_some().then(|| at("pollingInterval")),
            helm_secret_name_for_paths: set(
                &s.helm_secret_name_for_paths,
                "helmSecretNameForPaths",
            ),
            ca_bundle: set(&s.ca_bundle, "caBundle"),
            insecure_skip_tls_verify: s.insecure_skip_tls_verify,
            oci_registry_secret: set(&s.oci_registry_secret, "ociRegistrySecret"),
        }
    }
}

/// Name → index, for one kind of named thing.
pub(crate) type Names = HashMap<String, usize>;

impl Cx<'_> {
    pub(crate) fn at(&self, ptr: &Ptr) -> Span {
        self.ix.nearest(ptr)
    }

    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn fleet(&mut self, spec: &Spec, spec_name: &str) -> Fleet {
        let s = &spec.fleet;
        self.dns_label(
            &s.namespace,
            &Ptr::path(&["fleet", "namespace"]),
            "workspace namespace",
        );
        self.check_repo_url(&s.repo, &Ptr::path(&["fleet", "repo"]));
        self.branch_name(&s.branch, &Ptr::path(&["fleet", "branch"]), "fleet.branch");
        if let Some(secret) = &s.client_secret_name {
            self.dns_subdomain(
                secret,
                &Ptr::path(&["fleet", "clientSecretName"]),
                "Secret name",
            );
        }
        if let Some(p) = &s.repo_path {
            self.safe_path(p, &Ptr::path(&["fleet", "repoPath"]));
        }
        let mut polling_interval = None;
        if let Some(d) = &s.polling_interval {
            polling_interval = self.parse_because(
                d,
                &Ptr::path(&["fleet", "pollingInterval"]),
                "Fleet rejects this duration",
            );
        }
        let label_keys = self.label_keys(&s.cluster_labels);

        let fleet_version = self.version(
            s.version.as_deref(),
            crate::versions::DEFAULT_FLEET,
            &Ptr::path(&["fleet", "version"]),
            "Fleet",
        );
        let (environments, env_names) = self.environments(spec);
        let (mut clusters, cluster_names) = self.clusters(spec, &env_names, &label_keys);
        self.opt_in_labels(spec);
        let agents = self.agents(spec, &env_names, &cluster_names, &mut clusters);
        let regions: Vec<LabelValue> = clusters
            .iter()
            .map(|c| c.region.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();

        let mut fleet = Fleet {
            spec_name: spec_name.to_owned(),
            workspace: s.namespace.clone(),
            repo: s.repo.clone(),
            branch: s.branch.clone(),
            repo_path: s
                .repo_path
                .as_deref()
                .map(|p| p.trim_matches('/'))
                .filter(|p| *p != ".")
                .unwrap_or_default()
                .to_owned(),
            client_secret_name: s.client_secret_name.clone(),
            polling_interval,
            label_keys,
            environments,
            regions,
            clusters,
            cluster_groups: Vec::new(),
            agents,
            apps: Vec::new(),
            fleet_version,
            gitlab: None,
            monitoring: None,
            repository: Default::default(),
            git_repos: Vec::new(),
            restrictions: Vec::new(),
            mappings: BTreeMap::new(),
            inventory: None,
            schedules: Vec::new(),
        };
        let names = RefNames {
            envs: env_names,
            clusters: cluster_names,
        };
        fleet.repository = self.repository(
            &RepoView::of_fleet(s),
            fleet.fleet_version,
            &Ptr::path(&["fleet"]),
        );
        fleet.git_repos = self.git_repos(spec, &fleet);
        fleet.mappings = self.mappings(spec, &fleet);
        fleet.cluster_groups = self.cluster_groups(spec, &fleet);
        // Before the apps: their templates are checked against the live clusters too.
        fleet.inventory = self.inventory(spec, &fleet);
        fleet.apps = self.apps(spec, &fleet, &names);
        self.git_repo_members(spec, &mut fleet);
        fleet.restrictions = self.restrictions(spec, &fleet);
        fleet.schedules = self.schedules(spec, &fleet, &names);
        self.gitlab(spec, &mut fleet, &names);
        if let Some(m) = &spec.monitoring {
            fleet.monitoring = self.monitoring(m);
        }
        fleet
    }

    fn environments(&mut self, spec: &Spec) -> (Vec<Environment>, Names) {
        let mut names = Names::new();
        let mut out = Vec::new();
        for (i, e) in spec.environments.iter().enumerate() {
            let ptr = Ptr::item("environments", i).key("name");
            self.dns_label(&e.name, &ptr, "environment name");
            self.unique(
                &mut names,
                &e.name,
                &ptr,
                "environment",
                &Ptr::path(&["environments"]),
                out.len(),
            );
            let acknowledged = self.acknowledged(
                &e.acknowledge,
                &Ptr::item("environments", i).key("acknowledge"),
            );
            out.push(Environment {
                name: e.name.clone(),
                tier: e.tier,
                promotion: e.promotion,
                acknowledged,
                revision: self.pins.revisions.get(&e.name).cloned(),
            });
        }
        for env in self.pins.revisions.keys() {
            if !names.contains_key(env) {
                let mut d = Diagnostic::new(
                    Code::UnknownReference,
                    format!(
                        "`{}` pins environment `{env}`, which the spec does not declare",
                        crate::pins::FILE
                    ),
                )
                .file(crate::pins::FILE);
                d = match suggest::closest(env, names.keys().map(String::as_str)) {
                    Some(s) => d.help(format!(
                        "did you mean `{s}`? Pin again with `fleetc pin`, or remove the entry"
                    )),
                    None => d.help("pin again with `fleetc pin`, or remove the entry"),
                };
                self.push(d);
            }
        }
        (out, names)
    }

    /// The clusters whose environment resolves, each with its position in the spec
    /// (`origin`), and their names. A cluster whose environment does not resolve is left out of
    /// the model (its error is reported; references to it stay silent), never given a stand-in
    /// environment.
    fn clusters(&mut self, spec: &Spec, envs: &Names, keys: &LabelKeys) -> (Vec<Cluster>, Names) {
        let mut seen = Names::new();
        let mut names = Names::new();
        let mut out = Vec::with_capacity(spec.clusters.len());
        for (i, c) in spec.clusters.iter().enumerate() {
            let base = Ptr::item("clusters", i);
            self.dns_label(&c.name, &base.key("name"), "cluster name");
            let first = !seen.contains_key(&c.name);
            self.unique(
                &mut seen,
                &c.name,
                &base.key("name"),
                "cluster",
                &Ptr::path(&["clusters"]),
                i,
            );
            let environment = self.reference(
                envs,
                &c.environment,
                &base.key("environment"),
                "environment",
            );
            let region: Option<LabelValue> = self.parse_because(
                &c.region,
                &base.key("region"),
                "regions become label values",
            );
            let mut labels = self.labels(&c.labels, &base.key("labels"));
            for k in c.labels.keys() {
                if [&keys.environment, &keys.region, &keys.name]
                    .iter()
                    .any(|key| key.as_str() == k)
                {
                    self.push(
                        Diagnostic::new(
                            Code::InvalidValue,
                            format!("label `{k}` is set by fleetc"),
                        )
                        .label(
                            self.ix.key(&base.key("labels").key(k)),
                            "fleetc sets this label from the cluster's environment, region or name",
                        )
                        .help("remove it; use the cluster's `environment` and `region` keys"),
                    );
                }
            }
            // Declared as written, valid or not, so a reference to a label a broken cluster
            // carries does not add a second, misleading problem.
            let mut declared: Vec<(&str, &str)> = c
                .labels
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            declared.push((keys.region.as_str(), &c.region));
            declared.push((keys.name.as_str(), &c.name));
            if environment.is_some() {
                declared.push((keys.environment.as_str(), &c.environment));
            }
            for (k, v) in declared {
                self.declared_labels
                    .entry(k.to_owned())
                    .or_default()
                    .insert(v.to_owned());
            }
            // Names and environments were checked as DNS labels, which are label values.
            let name = LabelValue::parse(&c.name).ok();
            let env_value = LabelValue::parse(&c.environment).ok();
            let (Some(environment), Some(region), Some(name), Some(env_value)) =
                (environment, region, name, env_value)
            else {
                self.clusters_incomplete = true;
                self.dropped_clusters.insert(c.name.clone());
                continue;
            };
            let workspace = match &c.workspace {
                Some(w) => {
                    self.dns_label(w, &base.key("workspace"), "workspace namespace");
                    w.clone()
                }
                None => spec.fleet.namespace.clone(),
            };
            labels.insert(keys.region.clone(), region.clone());
            labels.insert(keys.name.clone(), name);
            labels.insert(keys.environment.clone(), env_value);
            if first {
                names.insert(c.name.clone(), out.len());
            }
            out.push(Cluster {
                origin: i,
                name: c.name.clone(),
                environment: EnvId::new(environment),
                region,
                labels,
                agent: None,
                registration: None,
                workspace,
            });
        }
        (out, names)
    }

    /// `fleet.clusterLabels`, parsed; a key that does not parse is reported and replaced by its
    /// default so resolution goes on (the spec then fails to compile anyway).
    fn label_keys(&mut self, k: &crate::spec::ClusterLabelKeys) -> LabelKeys {
        let defaults = crate::spec::ClusterLabelKeys::default();
        let base = Ptr::path(&["fleet", "clusterLabels"]);
        let mut key = |raw: &str, ptr: Ptr, default: &str| {
            self.parse(raw, &ptr).unwrap_or_else(|| {
                LabelKey::parse(default).expect("the default label keys are label keys")
            })
        };
        LabelKeys {
            environment: key(
                &k.environment,
                base.key("environment"),
                &defaults.environment,
            ),
            region: key(&k.region, base.key("region"), &defaults.region),
            name: key(&k.name, base.key("name"), &defaults.name),
        }
    }

    /// Whether some declared cluster (resolved or not) is in region `r`.
    pub(crate) fn region_declared(&self, region_key: &str, r: &str) -> bool {
        self.declared_labels
            .get(region_key)
            .is_some_and(|v| v.contains(r))
    }

    /// A reference to a cluster by name: its id, or `None` (reported, unless the cluster was
    /// left out of the model for an error of its own).
    pub(crate) fn cluster_ref(
        &mut self,
        names: &Names,
        name: &str,
        ptr: &Ptr,
    ) -> Option<ClusterId> {
        if self.dropped_clusters.contains(name) {
            return None;
        }
        self.reference(names, name, ptr, "cluster")
            .map(ClusterId::new)
    }

    fn agents(
        &mut self,
        spec: &Spec,
        envs: &Names,
        cluster_names: &Names,
        clusters: &mut [Cluster],
    ) -> Vec<Agent> {
        let mut names = Names::new();
        let mut by_cluster: HashMap<ClusterId, Vec<(usize, Ptr)>> = HashMap::new();
        let mut by_env: HashMap<EnvId, Vec<(usize, Ptr)>> = HashMap::new();
        for (i, a) in spec.agents.iter().enumerate() {
            let base = Ptr::item("agents", i);
            self.dns_label(&a.name, &base.key("name"), "agent name");
            self.unique(
                &mut names,
                &a.name,
                &base.key("name"),
                "agent",
                &Ptr::path(&["agents"]),
                i,
            );
            for (j, e) in a.environments.iter().enumerate() {
                let ptr = base.key("environments").index(j);
                if let Some(env) = self.reference(envs, e, &ptr, "environment") {
                    by_env.entry(EnvId::new(env)).or_default().push((i, ptr));
                }
            }
            for (j, c) in a.clusters.iter().enumerate() {
                let ptr = base.key("clusters").index(j);
                if let Some(cl) = self.cluster_ref(cluster_names, c, &ptr) {
                    by_cluster.entry(cl).or_default().push((i, ptr));
                }
            }
        }
        let mut agents: Vec<Agent> = spec
            .agents
            .iter()
            .map(|a| Agent {
                name: a.name.clone(),
                clusters: Vec::new(),
            })
            .collect();
        for ci in ClusterId::all(clusters.len()) {
            let c = &spec.clusters[clusters[ci].origin];
            let base = Ptr::item("clusters", clusters[ci].origin);
            let listed = by_cluster
                .get(&ci)
                .or_else(|| by_env.get(&clusters[ci].environment))
                .cloned()
                .unwrap_or_default();
            let chosen = match &c.agent {
                Some(name) => {
                    let ptr = base.key("agent");
                    let explicit = self.reference(&names, name, &ptr, "agent");
                    if let Some(a) = explicit {
                        let serves_others = !spec.agents[a].clusters.is_empty()
                            || !spec.agents[a].environments.is_empty();
                        if serves_others && !listed.iter().any(|(l, _)| *l == a) {
                            let mut d = Diagnostic::new(
                                Code::AgentAssignment,
                                format!(
                                    "cluster `{}` names agent `{name}`, which does not serve it",
                                    c.name
                                ),
                            )
                            .label(self.at(&ptr), "named here");
                            if let Some((other, optr)) = listed.first() {
                                d = d.label(
                                    self.at(optr),
                                    format!(
                                        "agent `{}` serves it through this entry",
                                        spec.agents[*other].name
                                    ),
                                );
                            }
                            self.push(d.help(format!(
                                "add `{}` to the `clusters` of agent `{name}`, or drop the cluster's `agent`",
                                c.name
                            )));
                        }
                    }
                    explicit
                }
                None => match listed.as_slice() {
                    [] => None,
                    [(a, _)] => Some(*a),
                    [(a, first), (b, second), ..] => {
                        self.push(
                            Diagnostic::new(
                                Code::AgentAssignment,
                                format!(
                                    "cluster `{}` is served by two agents, `{}` and `{}`",
                                    c.name, spec.agents[*a].name, spec.agents[*b].name
                                ),
                            )
                            .label(self.at(second), "second claim")
                            .label(self.at(first), "first claim")
                            .label(self.at(&base.key("name")), "the cluster")
                            .help("set `agent:` on the cluster, or list it under one agent only"),
                        );
                        Some(*a)
                    }
                },
            };
            let chosen = chosen.map(AgentId::new);
            clusters[ci].agent = chosen;
            if let Some(a) = chosen {
                agents[a].clusters.push(ci);
            }
        }
        agents
    }

    /// A GitRepo's credentials and change detection, checked as the targeted Fleet reads them.
    /// Each value comes with the pointer of the key that set it (the `fleet` block's, or a
    /// shared GitRepo's own); only values set under `own` are checked here, so a setting a
    /// GitRepo inherits is reported once, at `fleet`.
    pub(super) fn repository(
        &mut self,
        r: &RepoView<'_>,
        version: crate::versions::Version,
        own: &Ptr,
    ) -> crate::model::RepoSettings {
        let mine = |p: &Ptr| p.as_str().starts_with(own.as_str());
        for (v, at) in [
            &r.helm_secret_name,
            &r.webhook_secret,
            &r.helm_secret_name_for_paths,
        ]
        .into_iter()
        .flatten()
        {
            if mine(at) {
                self.dns_subdomain(v, at, "Secret name");
            }
        }
        if let Some((re, at)) = &r.helm_repo_url_regex
            && mine(at)
            && let Err(e) = regex::Regex::new(re)
        {
            let why = e.to_string();
            let last = why.lines().last().unwrap_or_default().trim().to_owned();
            self.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("`{re}` is not a regular expression"),
                )
                .label(self.at(at), last)
                .help("Fleet compiles it with Go's regexp (RE2 syntax) and then fails every Helm bundle of the GitRepo"),
            );
        }
        // Fleet treats an empty expression as none (resources.go:270).
        let regex = r
            .helm_repo_url_regex
            .as_ref()
            .filter(|(re, _)| !re.is_empty());
        match (&r.helm_secret_name, regex) {
            (None, Some((_, at))) if mine(at) => self.push(
                Diagnostic::new(
                    Code::IgnoredByFleet,
                    "`helmRepoURLRegex` without `helmSecretName` selects nothing to send",
                )
                .label(self.ix.key(at), "no Helm credentials are given")
                .help("set `helmSecretName` to the Secret with the credentials, or remove this"),
            ),
            // rancher/fleet v0.16.1 internal/bundlereader/resources.go:269-272 and 228-234:
            // without a regex the credentials are stripped for every repository (a log line
            // in the GitRepo's job is all that says so); older patch releases sent them
            // everywhere (`versions::fleet_strips_helm_credentials`).
            (Some((_, at)), None)
                if mine(at) && crate::versions::fleet_strips_helm_credentials(version) =>
            {
                self.push(
                    Diagnostic::new(
                        Code::IgnoredByFleet,
                        format!("Fleet {version} sends the Helm credentials to no repository"),
                    )
                    .label(self.ix.key(at), "without `helmRepoURLRegex` this Fleet strips them")
                    .help("set `helmRepoURLRegex` to the repositories that need them, e.g. `https://charts\\.example\\.com/`"),
                );
            }
            _ => {}
        }
        // Fleet hands the job the per-path Secret and then no `helmSecretName` at all
        // (rancher/fleet v0.16.1 internal/cmd/controller/gitops/reconciler/gitjob.go:435-448).
        if let (Some((_, paths)), Some((_, single))) =
            (&r.helm_secret_name_for_paths, &r.helm_secret_name)
            && (mine(paths) || mine(single))
        {
            self.push(
                Diagnostic::new(
                    Code::IgnoredByFleet,
                    "`helmSecretName` is ignored beside `helmSecretNameForPaths`",
                )
                .label(self.ix.key(single), "Fleet never mounts this Secret")
                .label(self.ix.key(paths), "this one replaces it")
                .help("give each path its credentials in the per-path Secret, and remove `helmSecretName`"),
            );
        }
        if let (Some(off), Some(every)) = (&r.disable_polling, &r.polling_interval)
            && (mine(off) || mine(every))
        {
            self.push(
                Diagnostic::new(
                    Code::IgnoredByFleet,
                    "`pollingInterval` is ignored with `disablePolling`",
                )
                .label(self.ix.key(every), "Fleet schedules no polling at all")
                .help("remove one of them (rancher/fleet v0.16.1 internal/cmd/controller/gitops/reconciler/gitjob_controller.go:854)"),
            );
        }
        let ca_bundle = r.ca_bundle.as_ref().map(|(pem, at)| {
            if mine(at) && !pem.contains("-----BEGIN CERTIFICATE-----") {
                self.push(
                    Diagnostic::new(Code::InvalidValue, "`caBundle` holds no PEM certificate")
                        .label(self.at(at), "expected `-----BEGIN CERTIFICATE-----` blocks")
                        .help("paste the CA certificates in PEM form; fleetc base64-encodes them for the GitRepo"),
                );
            }
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, pem.as_bytes())
        });
        if let Some((name, at)) = &r.oci_registry_secret
            && mine(at)
        {
            self.dns_subdomain(name, at, "Secret name");
        }
        let value = |x: &Option<(&str, Ptr)>| x.as_ref().map(|(v, _)| (*v).to_owned());
        crate::model::RepoSettings {
            helm_secret_name: value(&r.helm_secret_name),
            helm_repo_url_regex: value(&r.helm_repo_url_regex),
            webhook_secret: value(&r.webhook_secret),
            disable_polling: r.disable_polling.is_some(),
            helm_secret_name_for_paths: value(&r.helm_secret_name_for_paths),
            ca_bundle,
            insecure_skip_tls_verify: r.insecure_skip_tls_verify,
            oci_registry_secret: value(&r.oci_registry_secret),
        }
    }

    fn monitoring(&mut self, m: &crate::spec::Monitoring) -> Option<Monitoring> {
        let base = Ptr::path(&["monitoring"]);
        self.dns_label(&m.namespace, &base.key("namespace"), "namespace");
        let labels = self.labels(&m.labels, &base.key("labels"));
        let (t, s) = (&m.thresholds, &m.severities);
        let thresholds = base.key("thresholds");
        let mut durations = [
            ("failed", &t.failed),
            ("modified", &t.modified),
            ("outOfSync", &t.out_of_sync),
            ("waitApplied", &t.wait_applied),
            ("notReady", &t.not_ready),
            ("gitFetch", &t.git_fetch),
        ]
        .map(|(key, d)| self.parse::<PromDuration>(d, &thresholds.key(key)));
        let severities = base.key("severities");
        let mut levels = [
            ("failed", &s.failed),
            ("modified", &s.modified),
            ("outOfSync", &s.out_of_sync),
            ("waitApplied", &s.wait_applied),
            ("notReady", &s.not_ready),
            ("gitFetch", &s.git_fetch),
        ]
        .map(|(key, v)| {
            self.parse_because::<LabelValue>(v, &severities.key(key), "severities are label values")
        });
        Some(Monitoring {
            namespace: m.namespace.clone(),
            namespace_label: m.namespace_label.clone(),
            promtool_image: m.promtool_image.clone(),
            labels,
            thresholds: conditions(&mut durations)?,
            severities: conditions(&mut levels)?,
        })
    }
}

/// The six alerting conditions' values, in `Conditions` order, when all parsed.
fn conditions<T>(v: &mut [Option<T>; 6]) -> Option<Conditions<T>> {
    Some(Conditions {
        failed: v[0].take()?,
        modified: v[1].take()?,
        out_of_sync: v[2].take()?,
        wait_applied: v[3].take()?,
        not_ready: v[4].take()?,
        git_fetch: v[5].take()?,
    })
}

/// The name tables apps resolve against.
pub(crate) struct RefNames {
    pub(crate) envs: Names,
    pub(crate) clusters: Names,
}
