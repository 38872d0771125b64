//! The fleet spec (`fleetc.yaml`, version 1) as the user writes it.
//!
//! These types are the single source of truth for the spec's shape: the loader deserializes
//! into them, and `fleetc schema` derives the published JSON Schema from them. They carry no
//! meaning beyond shape; names, references and selectors are checked by `resolve`.
//!
//! Every struct denies unknown keys, so a typo is an error, never silently ignored.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

/// The only spec version this fleetc understands.
pub const SPEC_VERSION: u64 = 1;

/// A fleetc spec: one file that describes a whole fleet of clusters and the apps they run.
/// fleetc compiles it into Fleet GitRepos, ClusterGroups, fleet.yaml bundles and kustomize overlays.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "fleetc spec", extend("$id" = "https://fleetc.dev/schemas/fleetc.schema.json"))]
pub struct Spec {
    /// Spec format version. Must be `1`.
    #[schemars(extend("const" = 1), example = 1)]
    pub version: u64,
    /// How Fleet pulls this repository: workspace namespace, Git URL, branch and credentials.
    #[schemars(example = serde_json::json!({"repo": "https://gitlab.example.com/platform/fleet-manifests.git", "branch": "main"}))]
    pub fleet: FleetSettings,
    /// Deployment environments, in promotion order (the first is deployed first).
    #[schemars(length(min = 1))]
    #[schemars(example = serde_json::json!([{"name": "staging", "tier": "staging"}, {"name": "production", "tier": "production", "promotion": "manual"}]))]
    pub environments: Vec<Environment>,
    /// Every downstream cluster Fleet deploys to.
    #[schemars(length(min = 1))]
    #[schemars(example = serde_json::json!([{"name": "prod-eu-west-1", "environment": "production", "region": "eu-west-1"}]))]
    pub clusters: Vec<Cluster>,
    /// GitLab agents for Kubernetes and the clusters or environments each one serves.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"name": "prod-eu", "environments": ["production"]}]))]
    pub agents: Vec<Agent>,
    /// Applications: one Fleet bundle each.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"name": "web", "namespace": "web", "source": {"helm": {"repo": "https://charts.example.com", "chart": "web", "version": "1.2.0"}}, "targets": [{"environment": "production"}]}]))]
    pub apps: Vec<App>,
    /// The GitLab instance and projects. With it fleetc also writes agent configurations, agent
    /// Helm values and RBAC, and `.gitlab-ci.yml`.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"url": "https://gitlab.example.com", "agentProject": "platform/fleet-agents", "manifestsProject": "platform/fleet-manifests", "registry": "registry.gitlab.example.com/acme"}))]
    pub gitlab: Option<GitLab>,
    /// The generated pipeline: build, test, verification and the drift check.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"fleetcImage": "registry.gitlab.example.com/platform/fleetc:0.1"}))]
    pub pipeline: Option<Pipeline>,
    /// Prometheus alerts on Fleet's own metrics. With it fleetc writes a PrometheusRule.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"namespace": "cattle-monitoring-system", "labels": {"release": "rancher-monitoring"}}))]
    pub monitoring: Option<Monitoring>,
}

/// Settings for the Fleet side: where the GitRepos live and which repository and branch they pull.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FleetSettings {
    /// Fleet workspace namespace the GitRepos and ClusterGroups are created in.
    /// Downstream clusters registered through Rancher live in `fleet-default`.
    #[serde(default = "default_workspace")]
    #[schemars(example = &"fleet-default")]
    pub namespace: String,
    /// HTTPS or SSH URL of the Git repository Fleet pulls (the repository holding this spec's output).
    #[schemars(example = &"https://gitlab.example.com/platform/fleet-manifests.git")]
    pub repo: String,
    /// Branch Fleet pulls. Always emitted explicitly: Fleet's own default is `master`.
    #[schemars(example = &"main")]
    pub branch: String,
    /// Name of an existing Secret (type `kubernetes.io/basic-auth` or `kubernetes.io/ssh-auth`) in the
    /// workspace namespace holding the Git credentials. Never the credentials themselves.
    #[serde(default)]
    #[schemars(example = &"gitlab-fleet-deploy-token")]
    pub client_secret_name: Option<String>,
    /// Directory of the output root inside the Git repository, when the spec does not sit at the
    /// repository root. Prefixed to every GitRepo `paths` entry.
    #[serde(default)]
    #[schemars(example = &"gitops")]
    pub repo_path: Option<String>,
    /// How often Fleet polls the repository, as a Go duration (`15s`, `1m`, `1h`).
    /// Omitted: Fleet's default of 15 seconds.
    #[serde(default)]
    #[schemars(example = &"1m")]
    pub polling_interval: Option<String>,
    /// The Fleet version the management cluster runs (`MAJOR.MINOR[.PATCH]`). fleetc emits only
    /// what this version supports. Default: `0.13` (Rancher 2.12).
    #[serde(default)]
    #[schemars(example = &"0.15.6")]
    pub version: Option<String>,
    /// Label keys on the Fleet Cluster objects that carry a cluster's environment, region and name.
    /// Selectors and ClusterGroups match on these keys.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"environment": "env", "region": "region", "name": "management.cattle.io/cluster-display-name"}))]
    pub cluster_labels: ClusterLabelKeys,
}

fn default_workspace() -> String {
    "fleet-default".to_owned()
}

/// Label keys fleetc relies on. The defaults suit Rancher: it sets
/// `management.cattle.io/cluster-display-name` on every Fleet Cluster itself.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterLabelKeys {
    /// Label key holding the cluster's environment name.
    #[serde(default = "default_env_key")]
    #[schemars(example = &"env")]
    pub environment: String,
    /// Label key holding the cluster's region.
    #[serde(default = "default_region_key")]
    #[schemars(example = &"region")]
    pub region: String,
    /// Label key holding the cluster's name.
    #[serde(default = "default_name_key")]
    #[schemars(example = &"management.cattle.io/cluster-display-name")]
    pub name: String,
}

impl Default for ClusterLabelKeys {
    fn default() -> Self {
        ClusterLabelKeys {
            environment: default_env_key(),
            region: default_region_key(),
            name: default_name_key(),
        }
    }
}

fn default_env_key() -> String {
    "env".to_owned()
}
fn default_region_key() -> String {
    "region".to_owned()
}
fn default_name_key() -> String {
    "management.cattle.io/cluster-display-name".to_owned()
}

/// A deployment environment such as staging or production.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Environment {
    /// Environment name (a Kubernetes label value, lowercase letters, digits and `-`).
    #[schemars(example = &"production")]
    pub name: String,
    /// GitLab deployment tier of this environment.
    #[schemars(example = serde_json::json!("production"))]
    pub tier: Tier,
    /// Whether a change reaches this environment automatically after the previous one, or waits
    /// for a manual gate.
    #[serde(default)]
    #[schemars(example = serde_json::json!("manual"))]
    pub promotion: Promotion,
    /// Warning codes deliberately accepted for this environment, e.g. `[W005]` for a production
    /// environment that is promoted automatically on purpose.
    #[serde(default)]
    #[schemars(example = vec!["W005"])]
    pub acknowledge: Vec<String>,
}

/// GitLab deployment tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// Production environments.
    Production,
    /// Staging environments.
    Staging,
    /// Testing environments.
    Testing,
    /// Development environments.
    Development,
    /// Any other environment.
    Other,
}

/// How a change is promoted into an environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Promotion {
    /// Deployed as soon as the previous environment succeeded.
    #[default]
    Automatic,
    /// Waits for a person to start the deployment.
    Manual,
}

/// A downstream cluster registered in Fleet.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Cluster {
    /// Cluster name as Fleet displays it (a DNS label, at most 63 characters).
    #[schemars(example = &"prod-eu-west-1")]
    pub name: String,
    /// Name of the environment this cluster belongs to.
    #[schemars(example = &"production")]
    pub environment: String,
    /// Region the cluster runs in.
    #[schemars(example = &"eu-west-1")]
    pub region: String,
    /// Further labels of the Fleet Cluster object; app target selectors match on them.
    #[serde(default)]
    #[schemars(example = example_labels())]
    pub labels: BTreeMap<String, String>,
    /// GitLab agent serving this cluster. Omitted: the agent whose `clusters` or `environments` list it.
    #[serde(default)]
    #[schemars(example = &"prod-eu")]
    pub agent: Option<String>,
}

fn example_labels() -> serde_json::Value {
    serde_json::json!({"workload": "data-processing"})
}

/// A GitLab agent access policy. Every cluster it serves gets an agent registration of its own,
/// named after the cluster (one registration is one cluster: the agent server routes a request
/// to any agentk connected with the registration's token). An agent that lists no clusters and
/// no environments is one registration, named after it, for the Fleet management cluster.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Agent {
    /// Policy name; also the registration name of an agent for the management cluster
    /// (lowercase letters, digits and `-`).
    #[schemars(example = &"prod-eu")]
    pub name: String,
    /// Environments whose clusters this agent serves.
    #[serde(default)]
    #[schemars(example = serde_json::json!(["staging"]))]
    pub environments: Vec<String>,
    /// Individual clusters this agent serves.
    #[serde(default)]
    #[schemars(example = serde_json::json!(["prod-eu-west-1", "prod-eu-central-1"]))]
    pub clusters: Vec<String>,
    /// Projects and groups whose CI jobs may use this agent. Default: the manifests project,
    /// limited to the environments of the agent's clusters, protected branches only when one
    /// of them is production.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"projects": [{"id": "platform/fleet-manifests", "environments": ["production/*"], "protectedBranchesOnly": true}]}))]
    pub ci_access: Option<CiAccess>,
    /// Projects and groups whose members may use this agent from their own kubeconfig.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"groups": ["acme/sre"]}))]
    pub user_access: Option<UserAccess>,
    /// What the agent's service account may do on its clusters. Default: read-only access to
    /// workloads in the namespaces of the apps on its clusters, which is what verification
    /// jobs need.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"namespaces": ["web"], "rules": [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "watch"]}]}))]
    pub rbac: Option<AgentRbac>,
    /// Namespace the agent is installed in.
    #[serde(default = "default_agent_namespace")]
    #[schemars(example = &"gitlab-agent")]
    pub namespace: String,
    /// Existing Secret (key `token`) holding the agent token in the agent namespace. Default:
    /// `gitlab-agent-token`. The token itself never appears in the spec or the output.
    #[serde(default)]
    #[schemars(example = serde_json::json!("gitlab-agent-token"))]
    pub token_secret: Option<String>,
    /// Let the agent chart create the ClusterRole of GitLab's operational container scanning
    /// (cluster-wide read of workloads). Off unless asked.
    #[serde(default)]
    #[schemars(example = serde_json::json!(true))]
    pub container_scanning: bool,
    /// Warning codes deliberately accepted for this agent, e.g. `[W006]`, `[W007]`, `[W009]`.
    #[serde(default)]
    #[schemars(example = serde_json::json!(["W007"]))]
    pub acknowledge: Vec<String>,
}

fn default_agent_namespace() -> String {
    "gitlab-agent".to_owned()
}

/// CI/CD access to an agent (`ci_access` in the agent configuration).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CiAccess {
    /// Projects, by full path.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"id": "platform/fleet-manifests", "defaultNamespace": "web", "protectedBranchesOnly": true}]))]
    pub projects: Vec<CiAccessEntry>,
    /// Groups, by full path (their subgroups and projects included).
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"id": "acme/sre", "accessAs": "ci_job"}]))]
    pub groups: Vec<CiAccessEntry>,
}

/// One authorized project or group.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CiAccessEntry {
    /// Full path, e.g. `platform/fleet-manifests`.
    #[schemars(example = &"platform/fleet-manifests")]
    pub id: String,
    /// Namespace of the kubeconfig context CI jobs get.
    #[serde(default)]
    #[schemars(example = serde_json::json!("web"))]
    pub default_namespace: Option<String>,
    /// Environments (wildcards allowed, e.g. `production/*`) whose jobs get the context.
    #[serde(default)]
    #[schemars(example = serde_json::json!(["production/*"]))]
    pub environments: Vec<String>,
    /// Only pipelines on protected branches get the context.
    #[serde(default)]
    #[schemars(example = serde_json::json!(true))]
    pub protected_branches_only: bool,
    /// Whom CI jobs act as. Default: the agent's service account.
    #[serde(default)]
    #[schemars(example = serde_json::json!("agent"))]
    pub access_as: Option<AccessAs>,
}

/// Identity CI jobs use through the agent.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessAs {
    /// The agent's own service account.
    Agent,
    /// The CI job (`gitlab:ci_job` groups); needs RBAC bound to those groups (Premium).
    CiJob,
    /// A fixed Kubernetes user and groups (Premium).
    #[schemars(example = serde_json::json!({"impersonate": {"username": "fleet-deployer", "groups": ["deployers"]}}))]
    Impersonate(Impersonate),
}

/// A user to impersonate.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[schemars(example = serde_json::json!({"username": "fleet-deployer", "groups": ["deployers"]}))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Impersonate {
    /// Kubernetes user name.
    #[schemars(example = serde_json::json!("fleet-deployer"))]
    pub username: String,
    /// Kubernetes groups.
    #[serde(default)]
    #[schemars(example = serde_json::json!(["deployers"]))]
    pub groups: Vec<String>,
}

/// Access for people (`user_access`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UserAccess {
    /// Act as the agent, or impersonate the GitLab user (Premium).
    #[serde(default)]
    #[schemars(example = serde_json::json!("agent"))]
    pub access_as: UserAccessAs,
    /// Projects whose members get access.
    #[serde(default)]
    #[schemars(example = serde_json::json!(["acme/web"]))]
    pub projects: Vec<String>,
    /// Groups whose members get access.
    #[serde(default)]
    #[schemars(example = serde_json::json!(["acme/sre"]))]
    pub groups: Vec<String>,
}

/// Identity for `user_access`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum UserAccessAs {
    /// The agent's service account.
    #[default]
    Agent,
    /// The GitLab user.
    User,
}

/// RBAC of an agent's service account.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AgentRbac {
    /// Namespaces where `rules` apply (one Role and RoleBinding each). Default: the namespaces
    /// of the apps on the agent's clusters.
    #[serde(default)]
    #[schemars(example = serde_json::json!(["web", "ingress-nginx"]))]
    pub namespaces: Option<Vec<String>>,
    /// Rules in those namespaces. Default: read-only access to workloads, pods and events.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "watch"]}]))]
    pub rules: Option<Vec<RbacRule>>,
    /// Rules on cluster-scoped resources (a ClusterRole); only when really needed.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"apiGroups": [""], "resources": ["namespaces"], "verbs": ["get", "list"]}]))]
    pub cluster_rules: Vec<RbacRule>,
}

/// A Kubernetes RBAC policy rule.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RbacRule {
    /// API groups (`""` for the core group).
    #[serde(default)]
    #[schemars(example = serde_json::json!(["apps"]))]
    pub api_groups: Vec<String>,
    /// Resources.
    #[schemars(example = serde_json::json!(["deployments", "statefulsets"]))]
    pub resources: Vec<String>,
    /// Verbs.
    #[schemars(example = serde_json::json!(["get", "list", "watch"]))]
    pub verbs: Vec<String>,
    /// Only these objects.
    #[serde(default)]
    #[schemars(example = serde_json::json!(["web"]))]
    pub resource_names: Vec<String>,
}

/// The GitLab side.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GitLab {
    /// GitLab instance URL.
    #[schemars(example = &"https://gitlab.example.com")]
    pub url: String,
    /// The GitLab version the instance runs (`MAJOR.MINOR`). fleetc emits only what this
    /// version accepts (the agent server rejects a whole configuration file for one unknown
    /// key). Default: `18.0`.
    #[serde(default)]
    #[schemars(example = &"17.10")]
    pub version: Option<String>,
    /// Agent server (KAS) address. Default: `wss://kas.gitlab.com` for GitLab.com, else
    /// `wss://<host><relative root>/-/kubernetes-agent/` (self-managed Omnibus).
    #[serde(default)]
    #[schemars(example = serde_json::json!("wss://kas.gitlab.com"))]
    pub kas_address: Option<String>,
    /// Full path of the project holding `.gitlab/agents/<agent>/config.yaml` (KUBE_CONTEXT is
    /// `<agentProject>:<agent>`).
    #[schemars(example = &"platform/fleet-agents")]
    pub agent_project: String,
    /// Full path of the Fleet manifests project (this repository): its pipeline builds,
    /// validates, pins releases and verifies.
    #[schemars(example = &"platform/fleet-manifests")]
    pub manifests_project: String,
    /// Other projects whose pipelines deploy through the agents (added to each agent's default
    /// `ci_access`).
    #[serde(default)]
    #[schemars(example = serde_json::json!(["acme/web-app"]))]
    pub deploy_projects: Vec<String>,
    /// Host (and port) of GitLab's container registry, e.g. `registry.gitlab.example.com`. The
    /// pipeline's job token pushes only to the manifests project's own registry,
    /// `<registry>/<manifestsProject>`; images built elsewhere need `build.credentials`.
    #[schemars(example = &"registry.gitlab.example.com")]
    pub registry: String,
}

/// The generated `.gitlab-ci.yml`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Pipeline {
    /// Image with `fleetc`, `git` and `kubectl`, used by validation, pinning and verification.
    #[schemars(example = &"registry.gitlab.example.com/platform/fleetc:0.1")]
    pub fleetc_image: String,
    /// Build job.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"image": "golang:1.23", "script": ["make build"]}))]
    pub build: Option<Step>,
    /// Test job.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"image": "golang:1.23", "script": ["make test"]}))]
    pub test: Option<Step>,
    /// Image that builds and pushes container images (runs `docker` against a `docker:dind`
    /// service).
    #[serde(default = "default_docker_image")]
    #[schemars(example = serde_json::json!("docker:27"))]
    pub docker_image: String,
    /// How each environment is verified after Fleet rolled it out: `automatic` (default),
    /// `manual`, or `skip`.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"production": "manual"}))]
    pub verify: BTreeMap<String, Verify>,
    /// How long verification waits for Fleet to roll out, as a Go duration.
    #[serde(default = "default_verify_timeout")]
    #[schemars(example = serde_json::json!("20m"))]
    pub verify_timeout: String,
    /// Scheduled check that lists Fleet bundles that are not Ready.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"agent": "fleet-management", "schedule": "*/30 * * * *"}))]
    pub drift_check: Option<DriftCheck>,
}

fn default_docker_image() -> String {
    "docker:27".to_owned()
}
fn default_verify_timeout() -> String {
    "15m".to_owned()
}

/// A pipeline step.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Step {
    /// Container image the job runs in.
    #[schemars(example = serde_json::json!("golang:1.23"))]
    pub image: String,
    /// Shell commands.
    #[schemars(length(min = 1))]
    #[schemars(example = serde_json::json!(["make test"]))]
    pub script: Vec<String>,
}

/// How an environment is verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verify {
    /// Right after the environment is promoted.
    #[default]
    Automatic,
    /// When a person starts it.
    Manual,
    /// Not at all.
    Skip,
}

/// The scheduled drift check.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DriftCheck {
    /// Agent that reaches the Fleet management cluster (an agent serving no downstream cluster).
    #[schemars(example = serde_json::json!("fleet-management"))]
    pub agent: String,
    /// Cron expression of the pipeline schedule to create for it (GitLab schedules are created
    /// in the UI or API, with the variable `FLEETC_JOB=drift-check`).
    #[schemars(example = &"*/30 * * * *")]
    pub schedule: String,
}

/// Prometheus alerts on Fleet metrics.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Monitoring {
    /// Namespace of the PrometheusRule.
    #[schemars(example = &"cattle-monitoring-system")]
    pub namespace: String,
    /// The label that carries Fleet's own `namespace` (the workspace) as Prometheus stores it.
    /// Scraped through a ServiceMonitor without `honorLabels` (rancher-monitoring), Fleet's
    /// `namespace` collides with the target's and arrives as `exported_namespace`; with
    /// `honorLabels: true` it stays `namespace`.
    #[serde(default = "default_namespace_label")]
    #[schemars(example = &"namespace")]
    pub namespace_label: String,
    /// Image with `promtool` that the pipeline's `alerts` job runs the alerts' unit tests in.
    #[serde(default = "default_promtool_image")]
    #[schemars(example = &"prom/prometheus:v2.53.4")]
    pub promtool_image: String,
    /// Labels the Prometheus operator's `ruleSelector` matches.
    #[serde(default)]
    #[schemars(example = example_rule_labels())]
    pub labels: BTreeMap<String, String>,
    /// How long a condition lasts before its alert fires.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"outOfSync": "45m"}))]
    pub thresholds: Thresholds,
    /// Severity label of each alert.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"modified": "critical"}))]
    pub severities: Severities,
}

fn default_promtool_image() -> String {
    "prom/prometheus:v2.53.4".to_owned()
}

fn default_namespace_label() -> String {
    "exported_namespace".to_owned()
}

fn example_rule_labels() -> serde_json::Value {
    serde_json::json!({"release": "rancher-monitoring"})
}

/// Durations (Prometheus `for:`), per condition.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Thresholds {
    /// A bundle failed to apply on some cluster.
    #[serde(default = "d5m")]
    #[schemars(example = serde_json::json!("5m"))]
    pub failed: String,
    /// Deployed resources were modified outside Git (drift).
    #[serde(default = "d15m")]
    #[schemars(example = serde_json::json!("15m"))]
    pub modified: String,
    /// A new version is not yet rolled out to some cluster.
    #[serde(default = "d30m")]
    #[schemars(example = serde_json::json!("30m"))]
    pub out_of_sync: String,
    /// A cluster has not applied what it was given (likely unreachable).
    #[serde(default = "d15m")]
    #[schemars(example = serde_json::json!("15m"))]
    pub wait_applied: String,
    /// Fewer clusters are ready than should be.
    #[serde(default = "d15m")]
    #[schemars(example = serde_json::json!("15m"))]
    pub not_ready: String,
    /// Fleet cannot fetch the Git repository.
    #[serde(default = "d15m")]
    #[schemars(example = serde_json::json!("15m"))]
    pub git_fetch: String,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            failed: d5m(),
            modified: d15m(),
            out_of_sync: d30m(),
            wait_applied: d15m(),
            not_ready: d15m(),
            git_fetch: d15m(),
        }
    }
}

fn d5m() -> String {
    "5m".to_owned()
}
fn d15m() -> String {
    "15m".to_owned()
}
fn d30m() -> String {
    "30m".to_owned()
}

/// Alert severities.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Severities {
    /// Failed to apply.
    #[serde(default = "critical")]
    #[schemars(example = serde_json::json!("critical"))]
    pub failed: String,
    /// Drift.
    #[serde(default = "warning")]
    #[schemars(example = serde_json::json!("warning"))]
    pub modified: String,
    /// Out of sync.
    #[serde(default = "warning")]
    #[schemars(example = serde_json::json!("warning"))]
    pub out_of_sync: String,
    /// Waiting for a cluster.
    #[serde(default = "warning")]
    #[schemars(example = serde_json::json!("warning"))]
    pub wait_applied: String,
    /// Not all clusters ready.
    #[serde(default = "warning")]
    #[schemars(example = serde_json::json!("warning"))]
    pub not_ready: String,
    /// Git fetch failing.
    #[serde(default = "critical")]
    #[schemars(example = serde_json::json!("critical"))]
    pub git_fetch: String,
}

impl Default for Severities {
    fn default() -> Self {
        Severities {
            failed: critical(),
            modified: warning(),
            out_of_sync: warning(),
            wait_applied: warning(),
            not_ready: warning(),
            git_fetch: critical(),
        }
    }
}

fn critical() -> String {
    "critical".to_owned()
}
fn warning() -> String {
    "warning".to_owned()
}

/// An application: one Fleet bundle.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct App {
    /// App name; also its GitRepo name and, for Helm apps, its release name.
    #[schemars(example = &"web")]
    pub name: String,
    /// Namespace the app's resources are deployed into (`defaultNamespace` of the bundle).
    #[schemars(example = &"web")]
    pub namespace: String,
    /// Bundle directory, relative to the output root: fleetc writes `fleet.yaml` and overlays there.
    /// A kustomize base or a local chart lives inside it. Default: `bundles/<name>`.
    #[serde(default)]
    #[schemars(example = &"apps/web")]
    pub path: Option<String>,
    /// Where the manifests come from: exactly one of `kustomize` or `helm`.
    #[schemars(example = serde_json::json!({"kustomize": {"base": "base"}}))]
    pub source: Source,
    /// Container images the app runs, with their default tags.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"name": "registry.gitlab.example.com/acme/web", "tag": "1.4.2"}]))]
    pub images: Vec<Image>,
    /// Replica count of the app's workload, before overrides.
    #[serde(default)]
    #[schemars(range(max = 2_147_483_647))]
    #[schemars(example = serde_json::json!(3))]
    pub replicas: Option<u32>,
    /// Resource requests and limits of the app's main container, before overrides.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}}))]
    pub resources: Option<Resources>,
    /// Helm values (Helm apps only), before overrides.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"service": {"type": "ClusterIP"}}))]
    pub values: Option<serde_json::Map<String, serde_json::Value>>,
    /// Kustomize patches (kustomize apps only) applied everywhere.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"target": {"kind": "Deployment", "name": "web"}, "patch": "- op: replace\n  path: /spec/template/spec/priorityClassName\n  value: high\n"}]))]
    pub patches: Vec<Patch>,
    /// Where the app is deployed. A cluster matching any target gets the app.
    #[schemars(length(min = 1))]
    #[schemars(example = serde_json::json!([{"environment": "staging"}, {"environment": "production", "region": "eu-west-1"}]))]
    pub targets: Vec<Target>,
    /// Per environment, region or cluster changes. fleetc orders them so that Fleet's first-match
    /// rule gives every cluster its most specific override, with the broader ones merged in.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"environment": "production", "replicas": 4}, {"cluster": "prod-eu-west-1", "images": {"registry.gitlab.example.com/acme/web": "1.4.3"}}]))]
    pub overrides: Vec<Override>,
    /// Apps that must be ready on a cluster before this one is deployed there.
    #[serde(default)]
    #[schemars(example = serde_json::json!(["ingress-nginx"]))]
    pub depends_on: Vec<String>,
    /// Drift handling: correction and fields to ignore.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"correctDrift": {"enabled": true}}))]
    pub drift: Option<Drift>,
    /// Labels of the app's namespace. App-wide only: Fleet applies per-target namespace labels
    /// to every cluster (rancher/fleet#4210), so overrides cannot set them.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"team": "web"}))]
    pub namespace_labels: BTreeMap<String, String>,
    /// Keys in `values` and `patches` that look like secrets (`password`, `apiToken`, an `env`
    /// entry named `DB_PASSWORD`) but hold something else: a name (`tokenTTL`) or dotted path
    /// (`auth.token`). Without it a literal value under such a key is refused (E024).
    #[serde(default)]
    #[schemars(example = serde_json::json!(["auth.tokenTTL"]))]
    pub not_secret: Vec<String>,
    /// Annotations of the app's namespace. App-wide only, like `namespaceLabels`.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"owner": "web-team"}))]
    pub namespace_annotations: BTreeMap<String, String>,
}

/// Where an app's manifests come from. Exactly one key.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Source {
    /// A kustomize base inside the app's bundle directory.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"base": "base"}))]
    pub kustomize: Option<KustomizeSource>,
    /// A Helm chart from a repository, an OCI registry or a directory inside the bundle.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"repo": "https://kubernetes.github.io/ingress-nginx", "chart": "ingress-nginx", "version": "4.11.3"}))]
    pub helm: Option<HelmSource>,
}

/// A kustomize base.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KustomizeSource {
    /// Base directory relative to the bundle directory; it must contain a `kustomization.yaml`.
    #[serde(default = "default_base")]
    #[schemars(example = &"base")]
    pub base: String,
    /// The workload that `replicas` and `resources` change.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"kind": "Deployment", "name": "web", "container": "web"}))]
    pub workload: Option<Workload>,
}

fn default_base() -> String {
    "base".to_owned()
}

/// A workload inside a kustomize base.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Workload {
    /// Workload kind.
    #[serde(default)]
    #[schemars(example = serde_json::json!("StatefulSet"))]
    pub kind: WorkloadKind,
    /// Workload name. Default: the app name.
    #[serde(default)]
    #[schemars(example = serde_json::json!("web"))]
    pub name: Option<String>,
    /// Container whose `resources` are set. Default: the workload name.
    #[serde(default)]
    #[schemars(example = serde_json::json!("app"))]
    pub container: Option<String>,
}

/// Kind of a scalable workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
pub enum WorkloadKind {
    /// apps/v1 Deployment.
    #[default]
    Deployment,
    /// apps/v1 StatefulSet.
    StatefulSet,
}

/// A Helm chart.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HelmSource {
    /// Chart name in `repo`, an `oci://` reference, or a directory relative to the bundle directory.
    #[schemars(example = &"ingress-nginx")]
    pub chart: String,
    /// Helm repository URL. Omitted for OCI charts and local chart directories.
    #[serde(default)]
    #[schemars(example = &"https://kubernetes.github.io/ingress-nginx")]
    pub repo: Option<String>,
    /// Chart version (exact, or a semver constraint). Required with `repo` and for OCI charts.
    #[serde(default)]
    #[schemars(example = &"4.11.3")]
    pub version: Option<String>,
    /// Helm release name. Default: the app name. At most 53 characters.
    #[serde(default)]
    #[schemars(example = serde_json::json!("ingress"))]
    pub release_name: Option<String>,
    /// Values key that `replicas` sets.
    #[serde(default = "default_replicas_key")]
    #[schemars(example = serde_json::json!("controller.replicaCount"))]
    pub replicas_key: String,
    /// Values key that `resources` sets.
    #[serde(default = "default_resources_key")]
    #[schemars(example = serde_json::json!("controller.resources"))]
    pub resources_key: String,
}

fn default_replicas_key() -> String {
    "replicaCount".to_owned()
}
fn default_resources_key() -> String {
    "resources".to_owned()
}

/// A container image the app runs.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Image {
    /// Image name as the manifests spell it (kustomize `images[].name`); overrides refer to it.
    #[schemars(example = &"registry.gitlab.com/acme/web")]
    pub name: String,
    /// Replacement repository, when the image should be pulled from elsewhere.
    #[serde(default)]
    #[schemars(example = serde_json::json!("mirror.example.com/acme/web"))]
    pub new_name: Option<String>,
    /// Default tag.
    #[schemars(example = &"1.4.2")]
    pub tag: String,
    /// Helm apps: the values key holding `repository` and `tag` for this image.
    #[serde(default)]
    #[schemars(example = &"image")]
    pub values_key: Option<String>,
    /// Built by the pipeline from this repository: it is pushed as `<name>:<commit SHA>` and
    /// promoted environment by environment through release pins.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"context": "src/web", "dockerfile": "Dockerfile"}))]
    pub build: Option<ImageBuild>,
}

/// How the pipeline builds an image.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ImageBuild {
    /// Build context, relative to the output root like every path in the spec.
    #[schemars(example = &"src/web")]
    pub context: String,
    /// Dockerfile, relative to the context.
    #[serde(default = "default_dockerfile")]
    #[schemars(example = serde_json::json!("Containerfile"))]
    pub dockerfile: String,
    /// CI/CD variables holding credentials for the image's registry, when it is not the
    /// manifests project's own registry (the job token cannot push there).
    #[serde(default)]
    #[schemars(example = serde_json::json!({"username": "HARBOR_USER", "password": "HARBOR_PASSWORD"}))]
    pub credentials: Option<RegistryCredentials>,
}

/// Names of the CI/CD variables (masked, protected) that hold registry credentials. Never the
/// credentials themselves.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RegistryCredentials {
    /// Variable with the user name.
    #[schemars(example = &"HARBOR_USER")]
    pub username: String,
    /// Variable with the password or token.
    #[schemars(example = &"HARBOR_PASSWORD")]
    pub password: String,
}

fn default_dockerfile() -> String {
    "Dockerfile".to_owned()
}

/// Resource requests and limits of one container.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Resources {
    /// Requested resources, e.g. `cpu: 250m`, `memory: 256Mi`.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"cpu": "250m", "memory": "256Mi"}))]
    pub requests: BTreeMap<String, Quantity>,
    /// Resource limits.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"memory": "512Mi"}))]
    pub limits: BTreeMap<String, Quantity>,
}

/// A Kubernetes quantity (`250m`, `1Gi`, `2`).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Quantity {
    /// A quantity string.
    Text(String),
    /// A plain number.
    Number(serde_json::Number),
}

/// A kustomize patch.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Patch {
    /// Which resources the patch applies to; omitted for a strategic-merge patch naming its object.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"kind": "Deployment", "name": "web"}))]
    pub target: Option<PatchTarget>,
    /// The patch itself: a strategic-merge patch or a JSON 6902 patch, as YAML text.
    #[schemars(example = serde_json::json!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  minReadySeconds: 10\n"))]
    pub patch: String,
}

/// Resource selector of a kustomize patch.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PatchTarget {
    /// API group.
    #[serde(default)]
    #[schemars(example = serde_json::json!("apps"))]
    pub group: Option<String>,
    /// API version.
    #[serde(default)]
    #[schemars(example = serde_json::json!("v1"))]
    pub version: Option<String>,
    /// Resource kind.
    #[serde(default)]
    #[schemars(example = serde_json::json!("Deployment"))]
    pub kind: Option<String>,
    /// Resource name.
    #[serde(default)]
    #[schemars(example = serde_json::json!("web"))]
    pub name: Option<String>,
    /// Resource namespace.
    #[serde(default)]
    #[schemars(example = serde_json::json!("web"))]
    pub namespace: Option<String>,
    /// Label selector, in `kubectl` syntax.
    #[serde(default)]
    #[schemars(example = serde_json::json!("app.kubernetes.io/name=web"))]
    pub label_selector: Option<String>,
    /// Annotation selector, in `kubectl` syntax.
    #[serde(default)]
    #[schemars(example = serde_json::json!("fleetc.io/patch=true"))]
    pub annotation_selector: Option<String>,
}

/// A set of clusters. All given criteria must hold.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Target {
    /// Display name of the target in the GitRepo. Default: made from the criteria.
    #[serde(default)]
    #[schemars(example = serde_json::json!("production-eu"))]
    pub name: Option<String>,
    /// Clusters of this environment.
    #[serde(default)]
    #[schemars(example = serde_json::json!("production"))]
    pub environment: Option<String>,
    /// Clusters in this region.
    #[serde(default)]
    #[schemars(example = serde_json::json!("eu-west-1"))]
    pub region: Option<String>,
    /// This one cluster.
    #[serde(default)]
    #[schemars(example = serde_json::json!("prod-eu-west-1"))]
    pub cluster: Option<String>,
    /// Clusters whose labels match this selector.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"matchExpressions": [{"key": "region", "operator": "In", "values": ["eu-west-1", "eu-central-1"]}]}))]
    pub selector: Option<Selector>,
}

/// A Kubernetes label selector over cluster labels (including the environment and region keys).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Selector {
    /// Labels that must have exactly these values.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"workload": "data-processing"}))]
    pub match_labels: BTreeMap<String, String>,
    /// Set-based requirements.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"key": "region", "operator": "In", "values": ["eu-west-1", "eu-central-1"]}]))]
    pub match_expressions: Vec<Requirement>,
}

/// One set-based selector requirement.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Requirement {
    /// Label key.
    #[schemars(example = &"region")]
    pub key: String,
    /// Operator.
    #[schemars(example = serde_json::json!("In"))]
    pub operator: Operator,
    /// Values; required for `In` and `NotIn`, empty for `Exists` and `DoesNotExist`.
    #[serde(default)]
    #[schemars(example = serde_json::json!(["eu-west-1", "eu-central-1"]))]
    pub values: Vec<String>,
}

/// Selector operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
pub enum Operator {
    /// The label's value is one of `values`.
    In,
    /// The label is missing or its value is none of `values`.
    NotIn,
    /// The label is present.
    Exists,
    /// The label is absent.
    DoesNotExist,
}

/// Changes for the clusters of one environment, one region, one environment in one region,
/// or one cluster.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Override {
    /// Applies to this environment's clusters (combinable with `region`).
    #[serde(default)]
    #[schemars(example = serde_json::json!("production"))]
    pub environment: Option<String>,
    /// Applies to this region's clusters (combinable with `environment`).
    #[serde(default)]
    #[schemars(example = serde_json::json!("eu-west-1"))]
    pub region: Option<String>,
    /// Applies to this one cluster (not combinable).
    #[serde(default)]
    #[schemars(example = serde_json::json!("prod-eu-west-1"))]
    pub cluster: Option<String>,
    /// Replica count.
    #[serde(default)]
    #[schemars(range(max = 2_147_483_647))]
    #[schemars(example = serde_json::json!(5))]
    pub replicas: Option<u32>,
    /// Image tags by image name.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"registry.gitlab.example.com/acme/web": "1.4.3"}))]
    pub images: BTreeMap<String, String>,
    /// Resource requests and limits; replaces the broader setting key by key.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"requests": {"cpu": "500m"}}))]
    pub resources: Option<Resources>,
    /// Helm values, deep-merged over the broader ones.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"controller": {"replicaCount": 3}}))]
    pub values: Option<serde_json::Map<String, serde_json::Value>>,
    /// Kustomize patches, applied after the broader ones.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"patch": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  paused: false\n"}]))]
    pub patches: Vec<Patch>,
}

/// Drift handling of a bundle.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Drift {
    /// Let Fleet revert changes made to deployed resources outside Git.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"enabled": true}))]
    pub correct_drift: Option<CorrectDrift>,
    /// Fields Fleet ignores when comparing live resources with Git (fields that controllers mutate).
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "jsonPointers": ["/spec/replicas"]}]))]
    pub compare_patches: Vec<ComparePatch>,
}

/// Fleet drift correction.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CorrectDrift {
    /// Correct drift.
    #[schemars(example = serde_json::json!(true))]
    pub enabled: bool,
    /// Delete and recreate resources Helm cannot patch. Recreating causes downtime.
    #[serde(default)]
    #[schemars(example = serde_json::json!(false))]
    pub force: bool,
    /// Keep the Helm history of failed corrections.
    #[serde(default)]
    #[schemars(example = serde_json::json!(false))]
    pub keep_fail_history: bool,
}

/// A resource whose listed fields Fleet ignores when detecting drift.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ComparePatch {
    /// API version of the resource.
    #[schemars(example = &"apps/v1")]
    pub api_version: String,
    /// Kind of the resource.
    #[schemars(example = &"Deployment")]
    pub kind: String,
    /// Name of the resource.
    #[schemars(example = serde_json::json!("web"))]
    pub name: String,
    /// Namespace of the resource. Omitted: any namespace, and cluster-scoped resources (Fleet
    /// matches a patch whose namespace is empty or equal to the object's).
    #[serde(default)]
    #[schemars(example = serde_json::json!("web"))]
    pub namespace: Option<String>,
    /// JSON pointers of fields to ignore.
    #[serde(default)]
    #[schemars(example = serde_json::json!(["/spec/replicas"]))]
    pub json_pointers: Vec<String>,
    /// JSON patch operations applied before comparing.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"op": "remove", "path": "/spec/template/metadata/annotations"}]))]
    pub operations: Vec<PatchOperation>,
}

/// A JSON patch operation.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PatchOperation {
    /// Operation, usually `remove`.
    #[schemars(example = serde_json::json!("remove"))]
    pub op: String,
    /// JSON pointer of the field.
    #[schemars(example = serde_json::json!("/spec/replicas"))]
    pub path: String,
    /// Value for `add`, `replace` and `test`.
    #[serde(default)]
    #[schemars(example = serde_json::json!("3"))]
    pub value: Option<String>,
}
