//! Stage 2, resolve: typed spec → [`Fleet`], the validated model.
//!
//! Checks every name, reference, path and selector, reporting all problems at once, and
//! computes what Fleet will do: which clusters each app reaches, the bundle names Fleet derives,
//! and the customizations first-match needs. Reads the file system only to confirm that kustomize
//! bases and local charts exist; writes nothing.

mod apps;
mod gitlab;
pub use gitlab::{CI_JOB_EXTRAS, USER_EXTRAS};
mod overrides;
mod templating;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::diagnostic::{Code, Diagnostic, Span};
use crate::fleet_names::{is_dns_label, is_label_key, is_label_value};
use crate::load::{Loaded, SpanIndex};
use crate::model::{Agent, AgentId, Cluster, ClusterId, EnvId, Environment, Fleet};
use crate::pointer::Ptr;
use crate::spec::Spec;
use crate::suggest;

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
        self.check_repo_url(&s.repo);
        if s.branch.trim().is_empty()
            || s.branch
                .contains(|c: char| c.is_whitespace() || c.is_control())
        {
            self.push(
                Diagnostic::new(Code::InvalidValue, "`fleet.branch` is not a branch name")
                    .label(
                        self.at(&Ptr::path(&["fleet", "branch"])),
                        "branch names have no spaces",
                    )
                    .help("name the branch Fleet pulls, e.g. `main`"),
            );
        }
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
        if let Some(d) = &s.polling_interval {
            self.check_duration(d, &Ptr::path(&["fleet", "pollingInterval"]));
        }
        for (key, ptr) in [
            (
                &s.cluster_labels.environment,
                &Ptr::path(&["fleet", "clusterLabels", "environment"]),
            ),
            (
                &s.cluster_labels.region,
                &Ptr::path(&["fleet", "clusterLabels", "region"]),
            ),
            (
                &s.cluster_labels.name,
                &Ptr::path(&["fleet", "clusterLabels", "name"]),
            ),
        ] {
            self.label_key(key, self.at(ptr));
        }

        let fleet_version = self.version(
            s.version.as_deref(),
            crate::versions::DEFAULT_FLEET,
            &Ptr::path(&["fleet", "version"]),
            "Fleet",
        );
        let (environments, env_names) = self.environments(spec);
        let (mut clusters, cluster_names) = self.clusters(spec, &env_names);
        let agents = self.agents(spec, &env_names, &cluster_names, &mut clusters);
        let regions: Vec<String> = clusters
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
            polling_interval: s.polling_interval.clone(),
            label_keys: s.cluster_labels.clone(),
            environments,
            regions,
            clusters,
            agents,
            apps: Vec::new(),
            fleet_version,
            gitlab: None,
            monitoring: spec.monitoring.clone(),
        };
        let names = RefNames {
            envs: env_names,
            clusters: cluster_names,
        };
        fleet.apps = self.apps(spec, &fleet, &names);
        self.gitlab(spec, &mut fleet, &names);
        if let Some(m) = &spec.monitoring {
            self.monitoring(m);
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
    fn clusters(&mut self, spec: &Spec, envs: &Names) -> (Vec<Cluster>, Names) {
        let keys = &spec.fleet.cluster_labels;
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
            self.label_value(
                &c.region,
                &base.key("region"),
                "region",
                "regions become label values",
            );
            self.labels(&c.labels, &base.key("labels"), true);
            let mut labels = BTreeMap::new();
            for (k, v) in &c.labels {
                let ptr = base.key("labels").key(k);
                if [&keys.environment, &keys.region, &keys.name].contains(&k) {
                    self.push(
                        Diagnostic::new(
                            Code::InvalidValue,
                            format!("label `{k}` is set by fleetc"),
                        )
                        .label(
                            self.ix.key(&ptr),
                            "fleetc sets this label from the cluster's environment, region or name",
                        )
                        .help("remove it; use the cluster's `environment` and `region` keys"),
                    );
                }
                labels.insert(k.clone(), v.clone());
            }
            let Some(environment) = environment else {
                self.clusters_incomplete = true;
                self.dropped_clusters.insert(c.name.clone());
                continue;
            };
            labels.insert(keys.environment.clone(), c.environment.clone());
            labels.insert(keys.region.clone(), c.region.clone());
            labels.insert(keys.name.clone(), c.name.clone());
            if first {
                names.insert(c.name.clone(), out.len());
            }
            out.push(Cluster {
                origin: i,
                name: c.name.clone(),
                environment: EnvId::new(environment),
                region: c.region.clone(),
                labels,
                agent: None,
                registration: None,
            });
        }
        (out, names)
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

    fn monitoring(&mut self, m: &crate::spec::Monitoring) {
        self.dns_label(
            &m.namespace,
            &Ptr::path(&["monitoring", "namespace"]),
            "namespace",
        );
        self.labels(&m.labels, &Ptr::path(&["monitoring", "labels"]), true);
        let t = &m.thresholds;
        for (key, d) in [
            ("failed", &t.failed),
            ("modified", &t.modified),
            ("outOfSync", &t.out_of_sync),
            ("waitApplied", &t.wait_applied),
            ("notReady", &t.not_ready),
            ("gitFetch", &t.git_fetch),
        ] {
            if !is_prometheus_duration(d) {
                self.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("`{d}` is not a Prometheus duration"),
                    )
                    .label(
                        self.at(&Ptr::root().key("monitoring").key("thresholds").key(key)),
                        "Prometheus would reject the rule",
                    )
                    .help("use units ms, s, m, h, d, w or y, e.g. `5m` or `1h30m`"),
                );
            }
        }
        let s = &m.severities;
        for (key, v) in [
            ("failed", &s.failed),
            ("modified", &s.modified),
            ("outOfSync", &s.out_of_sync),
            ("waitApplied", &s.wait_applied),
            ("notReady", &s.not_ready),
            ("gitFetch", &s.git_fetch),
        ] {
            let ptr = Ptr::root().key("monitoring").key("severities").key(key);
            self.label_value(v, &ptr, "severity", "severities are label values");
        }
    }

    // ---- shared checks ----

    /// Reads an `acknowledge` list: warning codes only.
    fn acknowledged(&mut self, codes: &[String], ptr: &Ptr) -> Vec<crate::codes::Code> {
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

    /// Checks a map of label keys and values at `ptr`.
    pub(crate) fn labels(
        &mut self,
        labels: &BTreeMap<String, String>,
        ptr: &Ptr,
        values_are_labels: bool,
    ) {
        for (k, v) in labels {
            let at = ptr.key(k);
            self.label_key(k, self.ix.key(&at));
            if values_are_labels {
                self.label_value(v, &at, "label value", "not a Kubernetes label value");
            }
        }
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
        if let Some(&i) = names.get(name) {
            return Some(i);
        }
        let mut d = Diagnostic::new(Code::UnknownReference, format!("unknown {kind} `{name}`"))
            .label(
                self.at(ptr),
                format!("no {kind} is declared with this name"),
            );
        d = match suggest::closest(name, names.keys().map(String::as_str)) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
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

    fn dns_subdomain(&mut self, name: &str, ptr: &Ptr, what: &str) {
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

    fn label_key(&mut self, key: &str, span: crate::diagnostic::Span) {
        if !is_label_key(key) {
            self.push(
                Diagnostic::new(Code::InvalidName, format!("invalid label key `{key}`"))
                    .label(span, "not a Kubernetes label key")
                    .help("a label key is an optional DNS prefix and `/`, then at most 63 letters, digits, `-`, `_` or `.`"),
            );
        }
    }

    /// A value that becomes a Kubernetes label value.
    fn label_value(&mut self, value: &str, ptr: &Ptr, what: &str, why: &str) {
        if value.is_empty() || !is_label_value(value) {
            self.push(
                Diagnostic::new(Code::InvalidName, format!("invalid {what} `{value}`"))
                    .label(self.at(ptr), why)
                    .help("use at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit"),
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

    fn check_repo_url(&mut self, url: &str) {
        let ok = url.starts_with("https://")
            || url.starts_with("http://")
            || url.starts_with("ssh://")
            || url.starts_with("git@");
        if !ok || url.contains(|c: char| c.is_whitespace() || c.is_control()) {
            self.push(
                Diagnostic::new(Code::InvalidValue, "`fleet.repo` is not a Git URL")
                    .label(self.at(&Ptr::path(&["fleet", "repo"])), "expected an HTTPS or SSH URL")
                    .help("e.g. `https://gitlab.example.com/platform/fleet.git` or `git@gitlab.example.com:platform/fleet.git`"),
            );
        }
    }

    /// An OCI image tag, with one message wherever a tag is written.
    pub(crate) fn image_tag(&mut self, tag: &str, ptr: &Ptr) {
        if !crate::fleet_names::is_oci_tag(tag) {
            self.push(
                Diagnostic::new(Code::InvalidValue, format!("invalid image tag `{tag}`"))
                    .label(self.at(ptr), "not an OCI image tag")
                    .help("a tag is 1 to 128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`"),
            );
        }
    }

    fn check_duration(&mut self, d: &str, ptr: &Ptr) {
        if !is_go_duration(d) {
            self.push(
                Diagnostic::new(Code::InvalidValue, format!("`{d}` is not a Go duration"))
                    .label(self.at(ptr), "Fleet rejects this duration")
                    .help("use units ns, us, ms, s, m or h, e.g. `30s`, `5m` or `1h30m` (no `d` or `w`)"),
            );
        }
    }
}

/// The name tables apps resolve against.
pub(crate) struct RefNames {
    pub(crate) envs: Names,
    pub(crate) clusters: Names,
}

/// Prometheus duration syntax: `[0-9]+(ms|s|m|h|d|w|y)`, repeated, largest unit first.
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

/// Whole seconds (rounded up) of a Go duration (`1h30m`, `15m`, `90s`), or `None` when it is not
/// one. The one reading of Go durations.
pub fn go_duration_seconds(d: &str) -> Option<u64> {
    if !is_go_duration(d) {
        return None;
    }
    let mut total = 0f64;
    let mut num = String::new();
    let mut chars = d.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch.is_ascii_digit() || ch == '.' {
            num.push(ch);
            continue;
        }
        let mut unit = ch.to_string();
        if matches!(ch, 'm' | 'u' | 'n' | 'µ') && chars.peek() == Some(&'s') {
            unit.push('s');
            chars.next();
        }
        let n: f64 = num.parse().ok()?;
        num.clear();
        total += n * match unit.as_str() {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            "us" | "µs" => 0.000_001,
            _ => 0.000_000_001,
        };
    }
    Some(total.ceil() as u64)
}

/// Go's `time.ParseDuration` syntax, limited to what Fleet's CRD validation accepts.
fn is_go_duration(s: &str) -> bool {
    if s.is_empty() || s.len() > 32 {
        return false;
    }
    if s == "0" {
        return true;
    }
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return false;
        }
        rest = &rest[num_len..];
        let unit = ["ns", "us", "µs", "ms", "s", "m", "h"]
            .iter()
            .filter(|u| rest.starts_with(*u))
            .max_by_key(|u| u.len());
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
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
    fn go_durations() {
        for ok in ["15s", "1m", "1h30m", "500ms", "0", "1.5h"] {
            assert!(is_go_duration(ok), "{ok}");
        }
        for bad in ["", "1d", "2w", "m", "10", "1 m"] {
            assert!(!is_go_duration(bad), "{bad}");
        }
    }

    #[test]
    fn go_duration_seconds_read_once() {
        assert_eq!(go_duration_seconds("15m"), Some(900));
        assert_eq!(go_duration_seconds("1h30m"), Some(5400));
        assert_eq!(go_duration_seconds("90s"), Some(90));
        assert_eq!(go_duration_seconds("1500ms"), Some(2));
        assert_eq!(go_duration_seconds("1d"), None);
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Prod EU_1"), "prod-eu-1");
        assert_eq!(slug("../x"), "x");
    }
}
