//! GitLab: agent access policies, the GitLab instance and the pipeline.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

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
/// How long verify jobs wait when the spec does not say.
pub const DEFAULT_VERIFY_TIMEOUT: &str = "15m";

fn default_verify_timeout() -> String {
    DEFAULT_VERIFY_TIMEOUT.to_owned()
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
