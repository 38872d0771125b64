//! The resolved fleet: every name checked, every reference an index, every selector matched
//! against the declared clusters, every override turned into the ordered Fleet customizations
//! that first-match semantics need. Emitters read only this; they never see the raw spec.

use std::collections::BTreeMap;

mod bundle;
mod helm;
mod inventory;
mod settings;
mod targeting;

pub use bundle::{
    APP_LABEL, BundleOptions, Dependency, DependencyOn, DeployOptions, ENV_LABEL, Partition,
    Rollout,
};
pub use helm::{ChartForm, ChartOverride, HelmOptions, chart_form, strict_semver};
pub use inventory::{Inventory, LiveCluster};
pub use settings::{Origin, Settings, deep_merge, dotted, value_leaves};
pub use targeting::{ClusterGroup, GroupView, MANAGED_BY, Matcher};

use crate::pointer::Ptr;
use crate::spec::{self, Operator, Promotion, Tier, WorkloadKind};
use crate::values::{GoDuration, LabelKey, LabelValue, PromDuration};

/// A typed index: an environment, cluster, agent or app is only ever looked up in its own
/// list, and a reference that did not resolve has no id at all (never a stand-in `0`).
macro_rules! id {
    ($(#[$doc:meta])* $name:ident => $item:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(u32);

        impl $name {
            /// The id of the item at `index` (spec order).
            pub fn new(index: usize) -> Self {
                Self(u32::try_from(index).expect("input budgets keep lists far below 2^32"))
            }

            /// Its position in the list (and in the spec's list).
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// Every id of a list of `len` items, in order.
            pub fn all(len: usize) -> impl Iterator<Item = Self> {
                (0..len).map(Self::new)
            }
        }

        impl std::ops::Index<$name> for [$item] {
            type Output = $item;
            fn index(&self, id: $name) -> &$item {
                &self[id.index()]
            }
        }

        impl std::ops::IndexMut<$name> for [$item] {
            fn index_mut(&mut self, id: $name) -> &mut $item {
                &mut self[id.index()]
            }
        }

        impl std::ops::Index<$name> for Vec<$item> {
            type Output = $item;
            fn index(&self, id: $name) -> &$item {
                &self[id.index()]
            }
        }

        impl std::ops::IndexMut<$name> for Vec<$item> {
            fn index_mut(&mut self, id: $name) -> &mut $item {
                &mut self[id.index()]
            }
        }
    };
}

id!(
    /// An environment: index into [`Fleet::environments`].
    EnvId => Environment
);
id!(
    /// A cluster: index into [`Fleet::clusters`].
    ClusterId => Cluster
);
id!(
    /// An agent policy: index into [`Fleet::agents`].
    AgentId => Agent
);
id!(
    /// An app: index into [`Fleet::apps`].
    AppId => App
);

/// A whole, valid fleet.
#[derive(Debug, Clone)]
pub struct Fleet {
    /// The spec's file name relative to the output root, as generated-file headers name it.
    pub spec_name: String,
    /// Fleet workspace namespace.
    pub workspace: String,
    /// Git repository Fleet pulls.
    pub repo: String,
    /// Branch Fleet pulls.
    pub branch: String,
    /// Where the output root sits inside the Git repository (`""` at its root).
    pub repo_path: String,
    /// Existing Secret with Git credentials.
    pub client_secret_name: Option<String>,
    /// How often Fleet polls.
    pub polling_interval: Option<GoDuration>,
    /// Label keys for environment, region and cluster name.
    pub label_keys: LabelKeys,
    /// Environments, in promotion order.
    pub environments: Vec<Environment>,
    /// Every region some cluster is in, sorted.
    pub regions: Vec<LabelValue>,
    /// Clusters, in spec order.
    pub clusters: Vec<Cluster>,
    /// The spec's own ClusterGroups (`clusterGroups`), in spec order.
    pub cluster_groups: Vec<ClusterGroup>,
    /// GitLab agents, in spec order.
    pub agents: Vec<Agent>,
    /// Apps, in spec order.
    pub apps: Vec<App>,
    /// The Fleet version the output is made for.
    pub fleet_version: crate::versions::Version,
    /// The GitLab side, when the spec has a `gitlab` block.
    pub gitlab: Option<GitLabSide>,
    /// Alerting, when the spec has a `monitoring` block.
    pub monitoring: Option<Monitoring>,
    /// Credentials and change detection shared by every GitRepo.
    pub repository: RepoSettings,
    /// The spec's shared GitRepos (`gitRepos`), in spec order.
    pub git_repos: Vec<SharedGitRepo>,
    /// GitRepoRestrictions (`workspaces`), in spec order: (workspace, the restriction, its
    /// position in `workspaces`).
    pub restrictions: Vec<(String, spec::GitRepoRestriction, usize)>,
    /// BundleNamespaceMappings (`workspaces[].clusterWorkspaces`): workspace → the other
    /// workspaces whose clusters its bundles may reach, with its position in `workspaces`.
    pub mappings: BTreeMap<String, (Vec<String>, usize)>,
    /// The live fleet, when the spec names a cluster inventory file.
    pub inventory: Option<Inventory>,
    /// Maintenance windows (`schedules`), in spec order.
    pub schedules: Vec<Schedule>,
}

/// A Fleet Schedule (`schedules`): while none of its windows is open, its clusters take no new
/// deployments (rancher/fleet v0.16.1 internal/cmd/controller/target/target.go:71).
#[derive(Debug, Clone)]
pub struct Schedule {
    /// Name.
    pub name: String,
    /// The workspace it is in; it holds only that workspace's clusters.
    pub workspace: String,
    /// The Quartz cron expression, as written.
    pub cron: String,
    /// The same, parsed.
    pub parsed: crate::quartz::Cron,
    /// The time zone its openings are in (UTC for the controller's own).
    pub tz: jiff::tz::TimeZone,
    /// How long a window stays open.
    pub duration: GoDuration,
    /// IANA time zone, when the spec gives one.
    pub location: Option<String>,
    /// Its targets, as Fleet gets them.
    pub targets: Vec<Target>,
    /// The declared clusters it holds.
    pub clusters: Vec<ClusterId>,
    /// Its position in `schedules`.
    pub origin: usize,
}

/// A GitRepo of `gitRepos`: several apps, one revision for every environment. Fleet applies
/// its `serviceAccount`, `targetNamespace`, `keepResources`, `paused` and
/// `forceSyncGeneration` to each of its bundles (rancher/fleet v0.16.1
/// internal/bundlereader/read.go:224-291).
#[derive(Debug, Clone)]
pub struct SharedGitRepo {
    /// Name.
    pub name: String,
    /// The Fleet workspace it is in.
    pub workspace: String,
    /// Git URL (the spec's or `fleet.repo`).
    pub repo: String,
    /// Branch it follows, unless it holds a `revision`.
    pub branch: Option<String>,
    /// Commit or tag it holds.
    pub revision: Option<String>,
    /// Existing Secret with Git credentials.
    pub client_secret_name: Option<String>,
    /// How often Fleet polls.
    pub polling_interval: Option<GoDuration>,
    /// Credentials and change detection, the `fleet` block's where the GitRepo sets none.
    pub repository: RepoSettings,
    /// Labels of the GitRepo object.
    pub labels: BTreeMap<LabelKey, LabelValue>,
    /// Namespace every resource of its bundles goes to.
    pub target_namespace: Option<String>,
    /// Service account its bundles deploy as.
    pub service_account: Option<String>,
    /// Leave resources behind when a bundle leaves a cluster.
    pub keep_resources: bool,
    /// Roll out nothing.
    pub paused: bool,
    /// Fleet copies it to every bundle of the GitRepo.
    pub force_sync_generation: Option<u64>,
    /// Delete `target_namespace` on the clusters when the GitRepo goes.
    pub delete_namespace: bool,
    /// Driven scan: each app a `bundles` entry (base directory and options file), no `paths`.
    pub driven: bool,
    /// Its apps, in spec order.
    pub apps: Vec<AppId>,
}

/// What every GitRepo says besides where it points: credentials for charts and registries, and
/// how Fleet learns of new commits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoSettings {
    pub helm_secret_name: Option<String>,
    /// Checked to compile.
    pub helm_repo_url_regex: Option<String>,
    pub webhook_secret: Option<String>,
    pub disable_polling: bool,
    pub helm_secret_name_for_paths: Option<String>,
    /// Base64 of the PEM text, as the GitRepo's `caBundle` (format: byte) takes it.
    pub ca_bundle: Option<String>,
    pub insecure_skip_tls_verify: bool,
    /// Secret naming the OCI registry Fleet keeps bundle contents in.
    pub oci_registry_secret: Option<String>,
}

/// The pipeline (`pipeline`): its images and steps as the spec gives them, its timeout parsed.
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// Images, build and test steps, the drift check: passed on as written.
    pub settings: spec::Pipeline,
    /// How long verify jobs wait (`pipeline.verifyTimeout`).
    pub verify_timeout: GoDuration,
}

/// The label keys fleetc sets on every cluster (`fleet.clusterLabels`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelKeys {
    pub environment: LabelKey,
    pub region: LabelKey,
    pub name: LabelKey,
}

/// Alerting on Fleet's metrics (`monitoring`), parsed.
#[derive(Debug, Clone)]
pub struct Monitoring {
    /// Namespace of the PrometheusRule.
    pub namespace: String,
    /// The label carrying Fleet's own `namespace` as Prometheus stores it.
    pub namespace_label: String,
    /// Image of the pipeline's `alerts` job.
    pub promtool_image: String,
    /// Labels of the PrometheusRule.
    pub labels: BTreeMap<LabelKey, LabelValue>,
    /// How long each condition lasts before its alert fires.
    pub thresholds: Conditions<PromDuration>,
    /// Each alert's severity label.
    pub severities: Conditions<LabelValue>,
}

/// One value per alerting condition.
#[derive(Debug, Clone)]
pub struct Conditions<T> {
    pub failed: T,
    pub modified: T,
    pub out_of_sync: T,
    pub wait_applied: T,
    pub not_ready: T,
    pub git_fetch: T,
}

/// Everything GitLab needs: one agent registration per cluster, and the pipeline.
#[derive(Debug, Clone)]
pub struct GitLabSide {
    /// The `gitlab` block as written.
    pub settings: spec::GitLab,
    /// The agent server address agentk connects to.
    pub kas_address: String,
    /// The GitLab version the output is made for.
    pub version: crate::versions::Version,
    /// Agent registrations: one per cluster an agent policy serves, plus one per policy for the
    /// management cluster.
    pub agents: Vec<Registration>,
    /// The pipeline, when the spec has a `pipeline` block.
    pub pipeline: Option<Pipeline>,
    /// The registration the drift check reaches the management cluster through.
    pub drift_agent: Option<usize>,
}

impl GitLabSide {
    /// `KUBE_CONTEXT` of an agent registration: `<agent project>:<agent name>`.
    pub fn kube_context(&self, registration: usize) -> String {
        format!(
            "{}:{}",
            self.settings.agent_project, self.agents[registration].name
        )
    }
}

/// One GitLab agent registration: one token, one agentk installation, one cluster.
#[derive(Debug, Clone)]
pub struct Registration {
    /// Registered name: the cluster's name, or the policy's for the management cluster.
    pub name: String,
    /// The spec agent (access policy) it applies.
    pub agent: AgentId,
    /// The downstream cluster; `None` for the Fleet management cluster.
    pub cluster: Option<ClusterId>,
    /// `ci_access` projects.
    pub ci_projects: Vec<spec::CiAccessEntry>,
    /// `ci_access` groups.
    pub ci_groups: Vec<spec::CiAccessEntry>,
    /// `user_access`.
    pub user_access: Option<spec::UserAccess>,
    /// Namespace agentk runs in.
    pub namespace: String,
    /// Secret holding the token.
    pub token_secret: String,
    /// Namespaces with a Role and RoleBinding: those of the apps on its cluster.
    pub rbac_namespaces: Vec<String>,
    /// Rules of those Roles.
    pub rbac_rules: Vec<spec::RbacRule>,
    /// Cluster-scoped rules (a ClusterRole): impersonation, or what the spec asks for.
    pub cluster_rules: Vec<spec::RbacRule>,
    /// Whether `protected_branches_only` may be written (GitLab 17.10 and later).
    pub protected_branches: bool,
    /// Whether the chart creates the operational container scanning ClusterRole.
    pub container_scanning: bool,
}

/// A deployment environment.
#[derive(Debug, Clone)]
pub struct Environment {
    /// Name.
    pub name: String,
    /// GitLab deployment tier.
    pub tier: Tier,
    /// Automatic or manual promotion.
    pub promotion: Promotion,
    /// Warnings deliberately accepted for this environment.
    pub acknowledged: Vec<crate::codes::Code>,
    /// The commit its GitRepos pull (release pins); `None`: they follow the branch.
    pub revision: Option<String>,
}

/// A downstream cluster.
#[derive(Debug, Clone)]
pub struct Cluster {
    /// Its position in the spec's `clusters` (a cluster whose environment does not resolve is
    /// left out of the model, so this can differ from its id).
    pub origin: usize,
    /// Name.
    pub name: String,
    /// Its environment.
    pub environment: EnvId,
    /// Its region.
    pub region: LabelValue,
    /// Every label of its Fleet Cluster object, the environment, region and name keys included.
    pub labels: BTreeMap<LabelKey, LabelValue>,
    /// The agent policy that serves it.
    pub agent: Option<AgentId>,
    /// Its agent registration, in [`GitLabSide::agents`].
    pub registration: Option<usize>,
    /// The Fleet workspace its Cluster object is in.
    pub workspace: String,
}

/// A GitLab agent.
#[derive(Debug, Clone)]
pub struct Agent {
    /// Name.
    pub name: String,
    /// Clusters it serves, in spec order.
    pub clusters: Vec<ClusterId>,
}

/// An app: one Fleet bundle pulled by one GitRepo.
#[derive(Debug, Clone)]
pub struct App {
    /// Name.
    pub name: String,
    /// Namespace its resources go to.
    pub namespace: String,
    /// Bundle directory relative to the output root.
    pub bundle_dir: String,
    /// Bundle directory as the GitRepo's `paths` names it (relative to the Git repository root).
    pub repo_dir: String,
    /// Where its kustomize overlays go, relative to the bundle directory: `overlays`, or
    /// `overlays/<app>` where apps of a driven GitRepo share the directory.
    pub overlays: String,
    /// One GitRepo per environment the app reaches, each pulling that environment's revision;
    /// none when a shared GitRepo pulls the app (`shared`). With `helm_op`, the same per
    /// environment objects are HelmOps, each its own bundle's name.
    pub gitrepos: Vec<EnvGitRepo>,
    /// Delivered by HelmOps (`helmOp`) rather than GitRepos.
    pub helm_op: Option<HelmOpSettings>,
    /// The shared GitRepo (`gitRepos`) that pulls the app, if one does.
    pub shared: Option<SharedPull>,
    /// The Fleet workspace its bundle is in (its shared GitRepo's, else `fleet.namespace`):
    /// it reaches only clusters of this workspace.
    pub workspace: String,
    /// Where its manifests come from.
    pub source: AppSource,
    /// Images it runs.
    pub images: Vec<ImageRef>,
    /// The app's own targets (what `explain` and the lints speak of).
    pub targets: Vec<Target>,
    /// Every cluster it is deployed to, in cluster order.
    pub clusters: Vec<ClusterId>,
    /// Settings before overrides.
    pub base: Settings,
    /// Fleet targetCustomizations, most specific first.
    pub customizations: Vec<Customization>,
    /// Cluster → the index in `customizations` of the one Fleet applies there, sorted by
    /// cluster (as large as the customizations' own cluster lists, not apps × clusters).
    pub customization_of: Vec<(ClusterId, u32)>,
    /// Apps that must be ready first.
    pub depends_on: Vec<AppId>,
    /// Drift handling.
    pub drift: Option<spec::Drift>,
    /// Clusters where a region, environment-and-region or cluster override sets an image's
    /// tag, so an environment's release pin does not reach them.
    pub tag_held: std::collections::BTreeSet<(ClusterId, String)>,
    /// Labels of the app's namespace.
    pub namespace_labels: BTreeMap<LabelKey, LabelValue>,
    /// Annotations of the app's namespace.
    pub namespace_annotations: BTreeMap<LabelKey, String>,
    /// Bundle options: labels, forced namespace, removal, rollout.
    pub bundle: BundleOptions,
    /// Its `dependsOn` entries, as fleet.yaml gets them (`depends_on` holds the apps of the
    /// spec they reach, for cycles and placement).
    pub dependencies: Vec<Dependency>,
}

/// An app pulled by a shared GitRepo: one bundle for every environment, targeted by the
/// fleet.yaml's `overrideTargets` (the app's own targets).
#[derive(Debug, Clone)]
pub struct SharedPull {
    /// Index into [`Fleet::git_repos`].
    pub repo: usize,
    /// The bundle's name: the app's `bundleName`, else `HelmReleaseName(<gitrepo>/<path>)`.
    pub bundle: String,
    /// Whether the spec sets it (then fleet.yaml says `name`).
    pub named: bool,
    /// In a driven GitRepo: the options file the `bundles` entry names (none for
    /// `fleet.yaml`, which Fleet reads by default and leaves out of the bundle's name).
    pub options: Option<String>,
}

impl App {
    /// The file in the bundle directory that holds its bundle options: `fleet.yaml`, or the
    /// `optionsFile` of an app of a driven GitRepo.
    pub fn options_file(&self) -> &str {
        self.shared
            .as_ref()
            .and_then(|s| s.options.as_deref())
            .unwrap_or("fleet.yaml")
    }

    /// The namespace its resources go to on cluster `c`: the one of the customization Fleet
    /// picks there, else the app's.
    pub fn namespace_on(&self, c: ClusterId) -> &str {
        self.customization_on(c)
            .and_then(|cu| {
                cu.delta
                    .deploy
                    .namespace
                    .as_deref()
                    .or(self.base.deploy.namespace.as_deref())
            })
            .unwrap_or(&self.namespace)
    }

    /// The customization Fleet applies on declared cluster `c`, if one takes it.
    pub fn customization_on(&self, c: ClusterId) -> Option<&Customization> {
        App::picked(&self.customizations, &self.customization_of, c)
    }

    /// The customization of `customizations` that `index` ([`App::index_customizations`])
    /// says takes cluster `c`: [`App::customization_on`] before the app is built.
    pub fn picked<'a>(
        customizations: &'a [Customization],
        index: &[(ClusterId, u32)],
        c: ClusterId,
    ) -> Option<&'a Customization> {
        let at = index.binary_search_by_key(&c, |(c, _)| *c).ok()?;
        customizations.get(index[at].1 as usize)
    }

    /// What the clusters of `cu` run (the app's own settings without one).
    pub fn settings_under(&self, cu: Option<&Customization>) -> std::borrow::Cow<'_, Settings> {
        match cu {
            Some(cu) => std::borrow::Cow::Owned(cu.full(&self.base)),
            None => std::borrow::Cow::Borrowed(&self.base),
        }
    }

    /// Each cluster of `customizations` with the index of the first that takes it, sorted by
    /// cluster (see [`App::customization_of`]).
    pub fn index_customizations(customizations: &[Customization]) -> Vec<(ClusterId, u32)> {
        let mut of: Vec<(ClusterId, u32)> = customizations
            .iter()
            .enumerate()
            .flat_map(|(k, cu)| cu.clusters.iter().map(move |&c| (c, k as u32)))
            .collect();
        // Stable: of two customizations listing a cluster, the first stays first.
        of.sort_by_key(|(c, _)| *c);
        of.dedup_by_key(|(c, _)| *c);
        of
    }

    /// Every bundle name the app has in Fleet: one per environment, or its shared one.
    pub fn bundle_names(&self) -> impl Iterator<Item = &str> {
        self.gitrepos
            .iter()
            .map(|r| r.bundle.as_str())
            .chain(self.shared.as_ref().map(|s| s.bundle.as_str()))
    }
}

/// How an app's HelmOps reach its chart repository.
#[derive(Debug, Clone)]
pub struct HelmOpSettings {
    /// How often Fleet checks for a newer chart matching a version constraint.
    pub polling_interval: Option<GoDuration>,
    /// Existing Secret with the repository's credentials.
    pub helm_secret_name: Option<String>,
    pub insecure_skip_tls_verify: bool,
    /// Whether Fleet polls the repository for newer charts: a polling interval and a version a
    /// newer chart can match (helmop_controller.go:423-442).
    pub polls: bool,
    /// The app's customizations (by index) that go to the root of their environment's HelmOp:
    /// an environment's own, when it changes only Helm options and values.
    pub at_root: Vec<usize>,
}

/// An app's GitRepo for one environment.
#[derive(Debug, Clone)]
pub struct EnvGitRepo {
    /// The environment.
    pub env: EnvId,
    /// GitRepo name: `<app>-<environment>`.
    pub name: String,
    /// The name Fleet derives for the bundle it makes: `HelmReleaseName(<gitrepo>/<path>)`.
    pub bundle: String,
    /// The app's targets, each restricted to this environment's ClusterGroup.
    pub targets: Vec<Target>,
}

/// Where an app's manifests come from.
#[derive(Debug, Clone)]
pub enum AppSource {
    /// A kustomize base inside the bundle directory.
    Kustomize {
        /// Base directory relative to the bundle directory.
        base: String,
        /// Workload that replicas and resources change.
        workload: WorkloadRef,
        /// The Helm release Fleet installs it as.
        release_name: String,
    },
    /// A Helm chart.
    Helm(HelmChart),
    /// Raw YAML files in the bundle directory, changed per cluster by `yaml.overlays`.
    Manifests {
        /// The workload replicas, resources and images change.
        workload: Option<ManifestWorkload>,
        /// The Helm release Fleet installs it as.
        release_name: String,
    },
}

/// A workload in a raw YAML file, as read from the file.
#[derive(Debug, Clone)]
pub struct ManifestWorkload {
    /// The file, relative to the bundle directory.
    pub file: String,
    /// Which workload, and its main container.
    pub workload: WorkloadRef,
    /// The main container's own `resources` in the file (a strategic-merge patch merges into
    /// them; an overlay that replaces them starts from them).
    pub own_resources: serde_json::Value,
    /// Image name → the (list, container) pairs running it: `containers` or
    /// `initContainers`, by container name.
    pub containers: BTreeMap<String, Vec<(&'static str, String)>>,
}

/// The workload replicas and resources apply to.
#[derive(Debug, Clone)]
pub struct WorkloadRef {
    /// Deployment or StatefulSet.
    pub kind: WorkloadKind,
    /// Its name.
    pub name: String,
    /// Its main container.
    pub container: String,
}

/// A Helm chart and how fleetc writes values into it.
#[derive(Debug, Clone)]
pub struct HelmChart {
    /// Chart reference as fleet.yaml's `helm.chart` takes it.
    pub chart: String,
    /// Repository URL.
    pub repo: Option<String>,
    /// Version.
    pub version: Option<String>,
    /// Release name.
    pub release_name: String,
    /// Dotted values path for replicas.
    pub replicas_key: String,
    /// Dotted values path for resources.
    pub resources_key: String,
}

/// An image the app runs.
#[derive(Debug, Clone)]
pub struct ImageRef {
    /// Name in the manifests.
    pub name: String,
    /// Replacement repository.
    pub new_name: Option<String>,
    /// Helm apps: dotted values path holding `repository` and `tag`.
    pub values_key: Option<String>,
    /// How the pipeline builds it, when it does.
    pub build: Option<spec::ImageBuild>,
}

/// A GitRepo target: criteria ANDed.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Display name.
    pub name: String,
    /// ClusterGroup it names.
    pub cluster_group: Option<String>,
    /// Label selector over ClusterGroups' own labels.
    pub cluster_group_selector: Option<LabelSelector>,
    /// Label selector over clusters.
    pub selector: Option<LabelSelector>,
    /// The declared clusters it reaches.
    pub matcher: Matcher,
    /// Whether it selects by an opt-in label no declared cluster carries yet (W017): it may
    /// reach clusters fleetc does not know, so it stays in the GitRepos of the environments it
    /// allows even where it reaches no declared cluster.
    pub awaits_opt_in: bool,
}

/// A Kubernetes label selector.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector {
    /// Exact matches.
    pub match_labels: BTreeMap<String, String>,
    /// Set-based requirements.
    pub match_expressions: Vec<Requirement>,
}

/// A set-based requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// Label key.
    pub key: String,
    /// Operator.
    pub operator: Operator,
    /// Values.
    pub values: Vec<String>,
}

impl LabelSelector {
    /// Whether a cluster with these labels matches.
    pub fn matches(&self, labels: &BTreeMap<LabelKey, LabelValue>) -> bool {
        self.matches_by(|k| labels.get(k).map(LabelValue::as_str))
    }

    /// Whether an object with these labels (a ClusterGroup's) matches.
    pub fn matches_plain(&self, labels: &BTreeMap<String, String>) -> bool {
        self.matches_by(|k| labels.get(k).map(String::as_str))
    }

    fn matches_by<'l>(&self, get: impl Fn(&str) -> Option<&'l str>) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| get(k) == Some(v.as_str()))
            && self.match_expressions.iter().all(|r| {
                let value = get(&r.key);
                let listed = |v: &str| r.values.iter().any(|x| x == v);
                match r.operator {
                    Operator::In => value.is_some_and(listed),
                    Operator::NotIn => value.is_none_or(|v| !listed(v)),
                    Operator::Exists => value.is_some(),
                    Operator::DoesNotExist => value.is_none(),
                }
            })
    }
}

/// Which clusters a customization is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// One cluster.
    Cluster(ClusterId),
    /// The clusters of one environment in one region.
    EnvRegion(EnvId, LabelValue),
    /// The clusters of one environment.
    Env(EnvId),
    /// The clusters of one environment (in one region, when a region's overrides concern
    /// them) that match every one of these named selector overrides.
    Selected {
        env: EnvId,
        region: Option<LabelValue>,
        /// The overrides' names, in spec order.
        names: Vec<String>,
        /// Their selectors, ANDed.
        selector: LabelSelector,
    },
}

/// One Fleet targetCustomization.
#[derive(Debug, Clone)]
pub struct Customization {
    /// Which clusters it selects.
    pub scope: Scope,
    /// The clusters that actually get it under first-match (those no earlier entry took).
    pub clusters: Vec<ClusterId>,
    /// What the overrides change, merged from broadest to most specific.
    pub delta: Settings,
}

impl Customization {
    /// The app's base with `delta` laid over it: what these clusters run. Computed when asked
    /// rather than stored: one copy of the base per customization was most of a large fleet's
    /// memory (BENCHMARKS.md).
    pub fn full(&self, base: &Settings) -> Settings {
        let mut full = base.clone();
        full.merge(&self.delta);
        full
    }

    /// Whether its clusters get nothing (`doNotDeploy`).
    pub fn excludes(&self) -> bool {
        self.delta.deploy.do_not_deploy == Some(true)
    }
}

impl Fleet {
    /// Every environment with its id, in promotion order.
    pub fn environment_ids(&self) -> impl Iterator<Item = (EnvId, &Environment)> {
        self.environments
            .iter()
            .enumerate()
            .map(|(i, e)| (EnvId::new(i), e))
    }

    /// Every cluster with its id, in spec order.
    pub fn cluster_ids(&self) -> impl Iterator<Item = (ClusterId, &Cluster)> {
        self.clusters
            .iter()
            .enumerate()
            .map(|(i, c)| (ClusterId::new(i), c))
    }

    /// The cluster named `name`.
    pub fn cluster_named(&self, name: &str) -> Option<ClusterId> {
        self.clusters
            .iter()
            .position(|c| c.name == name)
            .map(ClusterId::new)
    }

    /// Where environment `e` is declared in the spec.
    pub fn env_ptr(&self, e: EnvId) -> Ptr {
        Ptr::item("environments", e.index())
    }

    /// Where cluster `c` is declared in the spec (its `origin`).
    pub fn cluster_ptr(&self, c: ClusterId) -> Ptr {
        Ptr::item("clusters", self.clusters[c].origin)
    }

    /// Where agent policy `a` is declared in the spec.
    pub fn agent_ptr(&self, a: AgentId) -> Ptr {
        Ptr::item("agents", a.index())
    }

    /// The environment named `name`.
    pub fn environment_named(&self, name: &str) -> Option<EnvId> {
        self.environments
            .iter()
            .position(|e| e.name == name)
            .map(EnvId::new)
    }

    /// Name of the ClusterGroup of an environment.
    pub fn env_group(&self, env: EnvId) -> String {
        format!("env-{}", self.environments[env].name)
    }

    /// Name of the ClusterGroup of a region.
    pub fn region_group(region: &str) -> String {
        format!("region-{region}")
    }

    /// Display name of a customization scope (its fleet.yaml `name`).
    pub fn scope_name(&self, scope: &Scope) -> String {
        match scope {
            Scope::Cluster(c) => format!("cluster-{}", self.clusters[*c].name),
            // Prefixed, so they never equal a GitRepo target's name (`staging`, `production-eu`).
            Scope::EnvRegion(e, r) => format!("env-{}-{r}", self.environments[*e].name),
            Scope::Env(e) => format!("env-{}", self.environments[*e].name),
            Scope::Selected {
                env, region, names, ..
            } => {
                // `+` between names: `a` and `b` never read as one override `a-b`.
                let mut n = format!("sel-{}-{}", names.join("+"), self.environments[*env].name);
                if let Some(r) = region {
                    n = format!("{n}-{r}");
                }
                n
            }
        }
    }

    /// The selector a customization scope stands for.
    pub fn scope_selector(&self, scope: &Scope) -> LabelSelector {
        let keys = &self.label_keys;
        let mut sel = LabelSelector::default();
        match scope {
            Scope::Cluster(c) => {
                sel.match_labels
                    .insert(keys.name.to_string(), self.clusters[*c].name.clone());
            }
            Scope::EnvRegion(e, r) => {
                sel.match_labels.insert(
                    keys.environment.to_string(),
                    self.environments[*e].name.clone(),
                );
                sel.match_labels
                    .insert(keys.region.to_string(), r.to_string());
            }
            Scope::Env(e) => {
                sel.match_labels.insert(
                    keys.environment.to_string(),
                    self.environments[*e].name.clone(),
                );
            }
            Scope::Selected {
                env,
                region,
                selector,
                ..
            } => {
                sel = selector.clone();
                sel.match_labels.insert(
                    keys.environment.to_string(),
                    self.environments[*env].name.clone(),
                );
                if let Some(r) = region {
                    sel.match_labels
                        .insert(keys.region.to_string(), r.to_string());
                }
            }
        }
        sel
    }
}
