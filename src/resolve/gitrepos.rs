//! Shared GitRepos (`gitRepos`): their repository settings, and which apps they pull.

use std::collections::BTreeMap;

use super::{Cx, Names, RepoView};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Fleet, SharedGitRepo};
use crate::pointer::Ptr;
use crate::spec::{self, Spec};

impl Cx<'_> {
    /// `gitRepos`, checked, each with the `fleet` block's settings where it sets none. Their
    /// apps are filled in by [`Cx::git_repo_members`] once the apps are resolved.
    pub(super) fn git_repos(&mut self, spec: &Spec, fleet: &Fleet) -> Vec<SharedGitRepo> {
        // GitRepo names are unique per workspace (namespace).
        let mut names: BTreeMap<&str, Names> = BTreeMap::new();
        let mut out = Vec::new();
        for (i, g) in spec.git_repos.iter().enumerate() {
            let base = Ptr::item("gitRepos", i);
            self.dns_label(&g.name, &base.key("name"), "GitRepo name");
            let ws = g.workspace.as_deref().unwrap_or(&fleet.workspace);
            self.unique(
                names.entry(ws).or_default(),
                &g.name,
                &base.key("name"),
                "GitRepo",
                &Ptr::path(&["gitRepos"]),
                i,
            );
            if let Some(url) = &g.repo {
                self.check_repo_url(url, &base.key("repo"));
            }
            if let Some(b) = &g.branch {
                self.branch_name(b, &base.key("branch"), "branch");
            }
            if let Some(rev) = &g.revision {
                self.revision(rev, &base, g.branch.is_some());
            }
            if let Some(secret) = &g.client_secret_name {
                self.dns_subdomain(secret, &base.key("clientSecretName"), "Secret name");
            }
            let polling_interval = match &g.polling_interval {
                Some(d) => self.parse_because(
                    d,
                    &base.key("pollingInterval"),
                    "Fleet rejects this duration",
                ),
                None => fleet.polling_interval.clone(),
            };
            let repository = self.repository(
                &inherited(&spec.fleet, g, &base),
                fleet.fleet_version,
                &base,
            );
            let labels = self.labels(&g.labels, &base.key("labels"));
            self.managed_by_label(&g.labels, &base.key("labels"));
            if let Some(ns) = &g.target_namespace {
                self.dns_label(ns, &base.key("targetNamespace"), "namespace");
            }
            if let Some(sa) = &g.service_account {
                self.dns_subdomain(sa, &base.key("serviceAccount"), "service account name");
            }
            // `bundles` (the driven scan) is in Fleet from v0.13.0 (gitrepo_types.go).
            if g.driven && fleet.fleet_version < crate::versions::Version::new(0, 13, 0) {
                self.push(
                    Diagnostic::new(Code::VersionTooOld, "`driven` needs Fleet 0.13.0")
                        .label(self.ix.key(&base.key("driven")), format!("the targeted Fleet is {}", fleet.fleet_version))
                        .help("Fleet before that has no `bundles` and would scan the whole repository; set `fleet.version` to the Fleet you run, or remove `driven`"),
                );
            }
            // Fleet deletes the GitRepo's targetNamespace, and not with keepResources
            // (rancher/fleet v0.16.1 internal/cmd/controller/finalize/finalize.go:110-119).
            if g.delete_namespace && (g.target_namespace.is_none() || g.keep_resources) {
                let (why, help) = if g.target_namespace.is_none() {
                    (
                        "the GitRepo has no `targetNamespace`, the only namespace Fleet deletes",
                        "set `targetNamespace`, or remove `deleteNamespace`",
                    )
                } else {
                    (
                        "`keepResources` keeps the namespace too",
                        "remove one of them: keeping the resources keeps their namespace",
                    )
                };
                self.push(
                    Diagnostic::new(
                        Code::IgnoredByFleet,
                        "`deleteNamespace` deletes nothing here",
                    )
                    .label(self.ix.key(&base.key("deleteNamespace")), why)
                    .help(help),
                );
            }
            let workspace = match &g.workspace {
                Some(w) => {
                    self.dns_label(w, &base.key("workspace"), "workspace namespace");
                    w.clone()
                }
                None => fleet.workspace.clone(),
            };
            out.push(SharedGitRepo {
                name: g.name.clone(),
                workspace,
                repo: g.repo.clone().unwrap_or_else(|| fleet.repo.clone()),
                branch: match (&g.branch, &g.revision) {
                    (_, Some(_)) => None,
                    (Some(b), None) => Some(b.clone()),
                    (None, None) => Some(fleet.branch.clone()),
                },
                revision: g.revision.clone(),
                client_secret_name: g
                    .client_secret_name
                    .clone()
                    .or_else(|| fleet.client_secret_name.clone()),
                polling_interval,
                repository,
                labels,
                target_namespace: g.target_namespace.clone(),
                service_account: g.service_account.clone(),
                keep_resources: g.keep_resources,
                paused: g.paused,
                force_sync_generation: g.force_sync_generation,
                driven: g.driven,
                delete_namespace: g.delete_namespace,
                apps: Vec::new(),
            });
        }
        out
    }

    /// A commit or tag: one token. Beside `branch` Fleet clones the branch but polls the
    /// revision (rancher/fleet v0.16.1 internal/cmd/controller/gitops/reconciler), so a
    /// GitRepo takes one of them.
    fn revision(&mut self, rev: &str, base: &Ptr, with_branch: bool) {
        if rev.trim().is_empty() || rev.contains(|c: char| c.is_whitespace() || c.is_control()) {
            self.push(
                Diagnostic::new(Code::InvalidValue, "`revision` is not a commit or tag")
                    .label(
                        self.at(&base.key("revision")),
                        "a commit SHA or a tag, one word",
                    )
                    .help("give the commit (or tag) the GitRepo holds, e.g. `v1.4.0`"),
            );
        }
        if with_branch {
            self.push(
                Diagnostic::new(Code::InvalidValue, "`branch` and `revision` together")
                    .label(self.ix.key(&base.key("revision")), "Fleet would poll this")
                    .label(self.ix.key(&base.key("branch")), "but clone this")
                    .help("keep `revision` to hold the GitRepo at one commit, or `branch` to follow it"),
            );
        }
    }

    /// Records each shared GitRepo's apps; a GitRepo without apps is an error (its `paths`
    /// would be empty, and Fleet then reads every bundle of the repository). GitRepo names
    /// must not collide with the per-environment ones (`<app>-<environment>`), nor bundle
    /// names with each other (bundles of one workspace share a namespace).
    pub(super) fn git_repo_members(&mut self, spec: &Spec, fleet: &mut Fleet) {
        for (a, app) in fleet.apps.iter().enumerate() {
            if let Some(s) = &app.shared {
                fleet.git_repos[s.repo]
                    .apps
                    .push(crate::model::AppId::new(a));
            }
        }
        let mut env_repos: BTreeMap<&str, usize> = BTreeMap::new();
        for (a, app) in fleet.apps.iter().enumerate() {
            for r in &app.gitrepos {
                env_repos.entry(&r.name).or_insert(a);
            }
        }
        for (i, g) in fleet.git_repos.iter().enumerate() {
            let at = Ptr::item("gitRepos", i).key("name");
            if g.apps.is_empty() {
                self.push(
                    Diagnostic::new(Code::InvalidValue, format!("GitRepo `{}` pulls no app", g.name))
                        .label(self.at(&at), "no app names this GitRepo in `gitRepo`")
                        .help(format!("add `gitRepo: {}` to the apps it should pull, or remove it (with no `paths` Fleet would read every bundle of the repository)", g.name)),
                );
            }
            if let Some(&a) = env_repos
                .get(g.name.as_str())
                .filter(|_| g.workspace == fleet.workspace)
            {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateName,
                        format!("GitRepo `{}` is also the name of an app's GitRepo", g.name),
                    )
                    .label(self.at(&at), "declared here")
                    .label(
                        self.at(&Ptr::item("apps", a).key("name")),
                        "this app gets GitRepos named `<app>-<environment>`",
                    )
                    .help("rename the shared GitRepo"),
                );
            }
        }
        // Bundle names are unique per workspace.
        let mut bundles: BTreeMap<(String, String), usize> = BTreeMap::new();
        for (a, app) in fleet.apps.iter().enumerate() {
            for b in app.bundle_names() {
                let key = (app.workspace.clone(), b.to_owned());
                // An app's own bundles differ: one per environment, each named after its GitRepo.
                match bundles.get(&key) {
                    Some(&first) => {
                        let key = if spec.apps[a].bundle_name.is_some() {
                            "bundleName"
                        } else {
                            "name"
                        };
                        self.push(
                            Diagnostic::new(
                                Code::DuplicateName,
                                format!("two apps make the bundle `{b}`"),
                            )
                            .label(self.at(&Ptr::item("apps", a).key(key)), "this app's bundle")
                            .label(
                                self.at(&Ptr::item("apps", first).key("name")),
                                "has the name of this app's",
                            )
                            .help("bundles of one workspace need their own names: set another `bundleName`"),
                        );
                    }
                    None => {
                        bundles.insert(key, a);
                    }
                }
            }
        }
    }

    /// A selector over a namespace's labels: valid keys and values, and values exactly where
    /// the operator takes them (metav1.LabelSelectorAsSelector, which Fleet's agent runs).
    fn namespace_selector(&mut self, sel: &spec::Selector, at: &Ptr) {
        use crate::values::{LabelKey, LabelValue};
        for (k, v) in &sel.match_labels {
            let ptr = at.key("matchLabels").key(k);
            self.parse_because::<LabelKey>(k, &ptr, "Kubernetes refuses this label key");
            self.parse_because::<LabelValue>(v, &ptr, "Kubernetes refuses this label value");
        }
        for (n, r) in sel.match_expressions.iter().enumerate() {
            let ptr = at.key("matchExpressions").index(n);
            self.parse_because::<LabelKey>(
                &r.key,
                &ptr.key("key"),
                "Kubernetes refuses this label key",
            );
            let takes_values = matches!(r.operator, spec::Operator::In | spec::Operator::NotIn);
            if takes_values == r.values.is_empty() {
                self.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!(
                            "`{:?}` {} values",
                            r.operator,
                            if takes_values { "needs" } else { "takes no" }
                        ),
                    )
                    .label(
                        self.ix.key(&ptr.key("operator")),
                        "Fleet's agent refuses the selector and deploys nothing",
                    )
                    .help("`In` and `NotIn` list values; `Exists` and `DoesNotExist` list none"),
                );
            }
            for (k, v) in r.values.iter().enumerate() {
                self.parse_because::<LabelValue>(
                    v,
                    &ptr.key("values").index(k),
                    "Kubernetes refuses this label value",
                );
            }
        }
    }

    /// The options file of app `i`: `None` for `fleet.yaml`. Only an app of a driven GitRepo
    /// may name another, a plain file name in its directory: Fleet's `.fleetignore`, which
    /// keeps the other apps' options files out of its bundle, matches base names only
    /// (rancher/fleet v0.16.1 internal/bundlereader/loaddirectory.go:39-66).
    pub(super) fn options_file(&mut self, i: usize, a: &spec::App, driven: bool) -> Option<String> {
        let f = a.options_file.as_ref()?;
        let at = Ptr::item("apps", i).key("optionsFile");
        if !driven {
            self.push(
                Diagnostic::new(Code::InvalidValue, "`optionsFile` outside a driven GitRepo")
                    .label(
                        self.at(&at),
                        "Fleet reads `fleet.yaml` when it scans `paths`",
                    )
                    .help("set `driven: true` on the app's GitRepo, or remove `optionsFile`"),
            );
            return None;
        }
        let plain = !f.is_empty()
            && !f.starts_with('.')
            && f.bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'));
        if !plain || !(f.ends_with(".yaml") || f.ends_with(".yml")) {
            self.push(
                Diagnostic::new(Code::InvalidValue, format!("options file `{f}` is not a plain YAML file name"))
                    .label(self.at(&at), "a name in the app's directory, ending `.yaml` or `.yml`")
                    .help("write a file name such as `production.yaml`: letters, digits, `.`, `_` and `-`, no directories (the `.fleetignore` that keeps it out of the other bundles matches names only)"),
            );
            return None;
        }
        (f != "fleet.yaml").then(|| f.clone())
    }

    /// The GitRepo settings an app in shared GitRepo `g` cannot have: Fleet replaces or
    /// overrules them with the GitRepo's (rancher/fleet v0.16.1
    /// internal/bundlereader/read.go:224-258).
    pub(super) fn shared_conflicts(
        &mut self,
        i: usize,
        a: &spec::App,
        g: &SharedGitRepo,
        repo_at: &Ptr,
    ) {
        let base = Ptr::item("apps", i);
        let refuse = |cx: &mut Self, key: &str, msg: String, help: String| {
            cx.push(
                Diagnostic::new(Code::IgnoredByFleet, msg)
                    .label(cx.ix.key(&base.key(key)), "Fleet ignores this")
                    .label(
                        cx.at(repo_at),
                        format!("the app is in GitRepo `{}`", g.name),
                    )
                    .help(help),
            );
        };
        if a.force_sync_generation.is_some() {
            refuse(
                self,
                "forceSyncGeneration",
                "an app's `forceSyncGeneration` in a shared GitRepo".to_owned(),
                format!(
                    "Fleet sets every bundle's from its GitRepo's (read.go:234): set `forceSyncGeneration` on GitRepo `{}`",
                    g.name
                ),
            );
        }
        if let (Some(_), Some(sa)) = (&a.service_account, &g.service_account) {
            refuse(
                self,
                "serviceAccount",
                format!("GitRepo `{}` deploys its apps as `{sa}`", g.name),
                "Fleet replaces a bundle's service account with its GitRepo's (read.go:228): remove one of them".to_owned(),
            );
        }
        if let Some(ns) = &g.target_namespace {
            if &a.namespace != ns {
                refuse(
                    self,
                    "namespace",
                    format!("GitRepo `{}` puts every resource into `{ns}`", g.name),
                    format!(
                        "Fleet deploys the GitRepo's bundles into its `targetNamespace` (read.go:262-267): set `namespace: {ns}`"
                    ),
                );
            } else if a.force_namespace {
                refuse(
                    self,
                    "forceNamespace",
                    format!("GitRepo `{}` already forces `{ns}`", g.name),
                    "the GitRepo's `targetNamespace` forces every resource into it: remove `forceNamespace`".to_owned(),
                );
            }
            // Fleet sets every target's namespace to the GitRepo's (read.go:266-271).
            for (j, o) in a.overrides.iter().enumerate() {
                if o.namespace.is_some() {
                    let at = base.key("overrides").index(j).key("namespace");
                    self.push(
                        Diagnostic::new(
                            Code::IgnoredByFleet,
                            format!("GitRepo `{}` puts every resource into `{ns}`", g.name),
                        )
                        .label(self.ix.key(&at), "Fleet ignores this")
                        .help("Fleet sets each target's namespace to the GitRepo's `targetNamespace` (read.go:266-271): remove it"),
                    );
                }
            }
        }
    }
}

/// A shared GitRepo's repository settings: its own where it sets them, else the `fleet`
/// block's.
fn inherited<'a>(f: &'a spec::FleetSettings, g: &'a spec::GitRepo, base: &Ptr) -> RepoView<'a> {
    let fleet = RepoView::of_fleet(f);
    let own = |v: &'a Option<String>, k: &str, from_fleet: Option<(&'a str, Ptr)>| {
        v.as_deref().map(|v| (v, base.key(k))).or(from_fleet)
    };
    RepoView {
        helm_secret_name: own(
            &g.helm_secret_name,
            "helmSecretName",
            fleet.helm_secret_name,
        ),
        helm_repo_url_regex: own(
            &g.helm_repo_url_regex,
            "helmRepoURLRegex",
            fleet.helm_repo_url_regex,
        ),
        webhook_secret: own(&g.webhook_secret, "webhookSecret", fleet.webhook_secret),
        disable_polling: match g.disable_polling {
            Some(true) => Some(base.key("disablePolling")),
            Some(false) => None,
            None => fleet.disable_polling,
        },
        polling_interval: match &g.polling_interval {
            Some(_) => Some(base.key("pollingInterval")),
            None => fleet.polling_interval,
        },
        helm_secret_name_for_paths: own(
            &g.helm_secret_name_for_paths,
            "helmSecretNameForPaths",
            fleet.helm_secret_name_for_paths,
        ),
        ca_bundle: own(&g.ca_bundle, "caBundle", fleet.ca_bundle),
        insecure_skip_tls_verify: g.insecure_skip_tls_verify || fleet.insecure_skip_tls_verify,
        oci_registry_secret: own(
            &g.oci_registry_secret,
            "ociRegistrySecret",
            fleet.oci_registry_secret,
        ),
    }
}

/// A GitRepo fleetc writes, as a GitRepoRestriction sees it: each value with the spec key
/// that decides it.
struct Seen<'a> {
    /// What to call it in a message.
    what: String,
    /// Where it is declared.
    at: Ptr,
    repo: (&'a str, Ptr),
    client_secret_name: Option<(&'a str, Ptr)>,
    service_account: Option<(&'a str, Ptr)>,
    target_namespace: Option<(&'a str, Ptr)>,
    /// A shared GitRepo (else the apps' per-environment ones).
    shared: bool,
}

impl Cx<'_> {
    /// `workspaces[].clusterWorkspaces`: each a DNS label other than the workspace itself.
    pub(super) fn mappings(
        &mut self,
        spec: &Spec,
        _fleet: &Fleet,
    ) -> BTreeMap<String, (Vec<String>, usize)> {
        let mut out = BTreeMap::new();
        for (i, w) in spec.workspaces.iter().enumerate() {
            if w.cluster_workspaces.is_empty() {
                continue;
            }
            let at = Ptr::item("workspaces", i).key("clusterWorkspaces");
            let mut list = Vec::new();
            for (k, other) in w.cluster_workspaces.iter().enumerate() {
                self.dns_label(other, &at.index(k), "workspace namespace");
                if other == &w.name {
                    self.push(
                        Diagnostic::new(Code::InvalidValue, format!("`{other}` is this workspace"))
                            .label(
                                self.at(&at.index(k)),
                                "a bundle always reaches its own workspace's clusters",
                            )
                            .help("list the other workspaces whose clusters its bundles reach"),
                    );
                } else if !list.contains(other) {
                    list.push(other.clone());
                }
            }
            list.sort();
            out.insert(w.name.clone(), (list, i));
        }
        out
    }

    /// `workspaces`: names, and each GitRepoRestriction checked against the GitRepos fleetc
    /// writes into its workspace as Fleet checks them (rancher/fleet v0.16.1
    /// internal/cmd/controller/gitops/reconciler/restrictions.go:22-157).
    pub(super) fn restrictions(
        &mut self,
        spec: &Spec,
        fleet: &Fleet,
    ) -> Vec<(String, spec::GitRepoRestriction, usize)> {
        let mut names = Names::new();
        let mut out = Vec::new();
        for (i, w) in spec.workspaces.iter().enumerate() {
            let base = Ptr::item("workspaces", i);
            self.dns_label(&w.name, &base.key("name"), "workspace namespace");
            self.unique(
                &mut names,
                &w.name,
                &base.key("name"),
                "workspace",
                &Ptr::path(&["workspaces"]),
                i,
            );
            let Some(r) = &w.git_repo_restriction else {
                continue;
            };
            let rb = base.key("gitRepoRestriction");
            let mut patterns = Vec::new();
            for (k, p) in r.allowed_repo_patterns.iter().enumerate() {
                match regex::Regex::new(p) {
                    Ok(re) => patterns.push((p.as_str(), re)),
                    Err(e) => {
                        let why = e.to_string();
                        let last = why.lines().last().unwrap_or_default().trim().to_owned();
                        self.push(
                            Diagnostic::new(Code::InvalidValue, format!("`{p}` is not a regular expression"))
                                .label(self.at(&rb.key("allowedRepoPatterns").index(k)), last)
                                .help("Fleet compiles it with Go's regexp (RE2 syntax) and refuses every GitRepo of the workspace"),
                        );
                    }
                }
            }
            if let Some(sel) = &r.allowed_target_namespace_selector {
                let at = rb.key("allowedTargetNamespaceSelector");
                self.namespace_selector(sel, &at);
                // restrictions.go at v0.15.0 is the first to read it.
                if fleet.fleet_version < crate::versions::Version::new(0, 15, 0) {
                    self.push(
                        Diagnostic::new(Code::VersionTooOld, "`allowedTargetNamespaceSelector` needs Fleet 0.15.0")
                            .label(self.ix.key(&at), format!("the targeted Fleet is {}", fleet.fleet_version))
                            .help("Fleet before that drops the key without a word and restricts nothing; set `fleet.version` to the Fleet you run, or remove it"),
                    );
                }
            }
            for g in seen(fleet, &w.name) {
                self.restricted(&g, r, &rb, &patterns, &w.name);
            }
            out.push((w.name.clone(), r.clone(), i));
        }
        out
    }

    fn restricted(
        &mut self,
        g: &Seen<'_>,
        r: &spec::GitRepoRestriction,
        rb: &Ptr,
        patterns: &[(&str, regex::Regex)],
        ws: &str,
    ) {
        let refuse = |cx: &mut Self, msg: String, at: &Ptr, key: &str, help: String| {
            cx.push(
                Diagnostic::new(Code::RestrictedGitRepo, msg)
                    .label(cx.at(at), "Fleet refuses the GitRepo for this")
                    .label(
                        cx.ix.key(&rb.key(key)),
                        format!("workspace `{ws}` allows these"),
                    )
                    .help(help),
            );
        };
        let allowed = |list: &[String], v: &str| list.is_empty() || list.iter().any(|x| x == v);
        // (restrictions.go:63-68: either list or selector requires a target namespace.)
        if g.target_namespace.is_none()
            && r.allowed_target_namespaces.is_empty()
            && r.allowed_target_namespace_selector.is_some()
        {
            refuse(
                self,
                format!(
                    "{} sets no `targetNamespace`, which workspace `{ws}` requires",
                    g.what
                ),
                &g.at,
                "allowedTargetNamespaceSelector",
                if g.shared {
                    "set the GitRepo's `targetNamespace` to a namespace the selector allows"
                        .to_owned()
                } else {
                    "fleetc's per-environment GitRepos set none: put the apps in a shared GitRepo with a `targetNamespace`".to_owned()
                },
            );
        }
        match &g.target_namespace {
            None if !r.allowed_target_namespaces.is_empty() => refuse(
                self,
                format!(
                    "{} sets no `targetNamespace`, which workspace `{ws}` requires",
                    g.what
                ),
                &g.at,
                "allowedTargetNamespaces",
                if g.shared {
                    "set the GitRepo's `targetNamespace` to one of the list".to_owned()
                } else {
                    "fleetc's per-environment GitRepos set none: put the apps in a shared GitRepo with a `targetNamespace`".to_owned()
                },
            ),
            Some((ns, at)) if !allowed(&r.allowed_target_namespaces, ns) => refuse(
                self,
                format!(
                    "{} deploys into `{ns}`, which workspace `{ws}` does not allow",
                    g.what
                ),
                at,
                "allowedTargetNamespaces",
                "use an allowed namespace, or add it to `allowedTargetNamespaces`".to_owned(),
            ),
            _ => {}
        }
        if let Some((sa, at)) = &g.service_account
            && !allowed(&r.allowed_service_accounts, sa)
        {
            refuse(
                self,
                format!(
                    "{} deploys as `{sa}`, which workspace `{ws}` does not allow",
                    g.what
                ),
                at,
                "allowedServiceAccounts",
                "use an allowed service account, or add it to `allowedServiceAccounts`".to_owned(),
            );
        }
        if let Some((secret, at)) = &g.client_secret_name
            && !allowed(&r.allowed_client_secret_names, secret)
        {
            refuse(
                self,
                format!(
                    "{} reads Git with `{secret}`, which workspace `{ws}` does not allow",
                    g.what
                ),
                at,
                "allowedClientSecretNames",
                "use an allowed Secret, or add it to `allowedClientSecretNames`".to_owned(),
            );
        }
        // Unanchored, or equal (restrictions.go:140-157).
        let (repo, at) = &g.repo;
        if !patterns.is_empty()
            && !patterns
                .iter()
                .any(|(p, re)| p == repo || re.is_match(repo))
        {
            refuse(
                self,
                format!(
                    "{} pulls `{repo}`, which workspace `{ws}` does not allow",
                    g.what
                ),
                at,
                "allowedRepoPatterns",
                "pull an allowed repository, or add a pattern that matches it".to_owned(),
            );
        }
    }
}

/// The GitRepos fleetc writes into workspace `ws`: one entry for all the apps' per-environment
/// GitRepos (they share the `fleet` block's settings) when `ws` is `fleet.namespace`, one per
/// shared GitRepo there.
fn seen<'a>(fleet: &'a Fleet, ws: &str) -> Vec<Seen<'a>> {
    let mut out = Vec::new();
    let fleet_key = |k: &str| Ptr::path(&["fleet"]).key(k);
    if ws == fleet.workspace
        && let Some(i) = fleet.apps.iter().position(|a| !a.gitrepos.is_empty())
    {
        out.push(Seen {
            what: format!(
                "GitRepo `{}` (as every per-environment GitRepo)",
                fleet.apps[i].gitrepos[0].name
            ),
            at: Ptr::item("apps", i).key("name"),
            repo: (&fleet.repo, fleet_key("repo")),
            client_secret_name: fleet
                .client_secret_name
                .as_deref()
                .map(|s| (s, fleet_key("clientSecretName"))),
            service_account: None,
            target_namespace: None,
            shared: false,
        });
    }
    for (i, g) in fleet.git_repos.iter().enumerate() {
        if g.workspace != ws {
            continue;
        }
        let base = Ptr::item("gitRepos", i);
        // A value the GitRepo inherits is pointed at in `fleet`.
        let own = |set: bool, k: &str| if set { base.key(k) } else { fleet_key(k) };
        out.push(Seen {
            what: format!("GitRepo `{}`", g.name),
            at: base.key("name"),
            repo: (&g.repo, own(g.repo != fleet.repo, "repo")),
            client_secret_name: g.client_secret_name.as_deref().map(|s| {
                let set = fleet.client_secret_name.as_deref() != Some(s);
                (s, own(set, "clientSecretName"))
            }),
            service_account: g
                .service_account
                .as_deref()
                .map(|s| (s, base.key("serviceAccount"))),
            target_namespace: g
                .target_namespace
                .as_deref()
                .map(|s| (s, base.key("targetNamespace"))),
            shared: true,
        });
    }
    out
}
