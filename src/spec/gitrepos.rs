//! Shared GitRepos: one Fleet GitRepo pulling several apps, the layout most existing Fleet
//! repositories have.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

/// A GitRepo that pulls every app naming it in `gitRepo`, from the branch (or one fixed
/// `revision`) for all environments at once. Repository settings left out are the `fleet`
/// block's.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GitRepo {
    /// GitRepo name (a DNS label). Its bundles are named `<name>-<path>` by Fleet's rule unless
    /// an app sets `bundleName`.
    #[schemars(example = &"platform")]
    pub name: String,
    /// The Fleet workspace (namespace) it is created in; its apps reach only the clusters of
    /// this workspace. Default: `fleet.namespace`.
    #[serde(default)]
    #[schemars(example = &"fleet-local")]
    pub workspace: Option<String>,
    /// Git URL. Default: `fleet.repo`.
    #[serde(default)]
    #[schemars(example = &"https://gitlab.example.com/platform/fleet-manifests.git")]
    pub repo: Option<String>,
    /// Branch. Default: `fleet.branch`. Not with `revision`.
    #[serde(default)]
    #[schemars(example = &"main")]
    pub branch: Option<String>,
    /// A commit SHA or tag to hold the GitRepo at, instead of following a branch.
    #[serde(default)]
    #[schemars(example = &"v1.4.0")]
    pub revision: Option<String>,
    /// Existing Secret with the Git credentials. Default: `fleet.clientSecretName`.
    #[serde(default)]
    #[schemars(example = &"gitlab-fleet-deploy-token")]
    pub client_secret_name: Option<String>,
    /// Go duration between polls. Default: `fleet.pollingInterval`.
    #[serde(default)]
    #[schemars(example = &"5m")]
    pub polling_interval: Option<String>,
    /// Poll never, only on webhook calls. Default: `fleet.disablePolling`.
    #[serde(default)]
    #[schemars(example = serde_json::json!(true))]
    pub disable_polling: Option<bool>,
    /// Existing Secret with Helm repository credentials. Default: `fleet.helmSecretName`.
    #[serde(default)]
    #[schemars(example = &"helm-credentials")]
    pub helm_secret_name: Option<String>,
    /// Which chart URLs get them. Default: `fleet.helmRepoURLRegex`.
    #[serde(default, rename = "helmRepoURLRegex")]
    #[schemars(example = &"https://charts\\.example\\.com/")]
    pub helm_repo_url_regex: Option<String>,
    /// Existing Secret with Helm credentials per bundle path (Fleet's `helmSecretNameForPaths`:
    /// a key `secrets-path.yaml` mapping paths to credentials).
    #[serde(default)]
    #[schemars(example = &"helm-credentials-by-path")]
    pub helm_secret_name_for_paths: Option<String>,
    /// Existing Secret Fleet checks webhook calls with. Default: `fleet.webhookSecret`.
    #[serde(default)]
    #[schemars(example = &"gitlab-webhook")]
    pub webhook_secret: Option<String>,
    /// PEM-encoded CA certificates that sign the Git server's (and Helm repositories')
    /// certificate. fleetc writes them base64-encoded, as the GitRepo takes them.
    #[serde(default)]
    #[schemars(example = &"-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n")]
    pub ca_bundle: Option<String>,
    /// Skip TLS verification of the Git server. Prefer `caBundle`.
    #[serde(default, rename = "insecureSkipTLSVerify")]
    #[schemars(example = serde_json::json!(false))]
    pub insecure_skip_tls_verify: bool,
    /// Existing Secret naming the OCI registry for the bundles' contents. Default:
    /// `fleet.ociRegistrySecret`.
    #[serde(default)]
    #[schemars(example = &"bundle-storage")]
    pub oci_registry_secret: Option<String>,
    /// Delete `targetNamespace` on the clusters when the GitRepo is deleted (not with
    /// `keepResources`).
    #[serde(default)]
    #[schemars(example = serde_json::json!(true))]
    pub delete_namespace: bool,
    /// Labels of the GitRepo object (copied by Fleet onto its bundles).
    #[serde(default)]
    #[schemars(example = serde_json::json!({"team": "platform"}))]
    pub labels: BTreeMap<String, String>,
    /// Deploy every resource of every app of this GitRepo into this namespace; each app's
    /// `namespace` must then be this one.
    #[serde(default)]
    #[schemars(example = &"platform")]
    pub target_namespace: Option<String>,
    /// Service account every app of this GitRepo is deployed as (replaces the apps' own).
    #[serde(default)]
    #[schemars(example = &"fleet-platform-deployer")]
    pub service_account: Option<String>,
    /// Leave the resources of every app on the clusters when it is removed.
    #[serde(default)]
    #[schemars(example = serde_json::json!(true))]
    pub keep_resources: bool,
    /// Stop rolling out changes of every app of this GitRepo.
    #[serde(default)]
    #[schemars(example = serde_json::json!(false))]
    pub paused: bool,
    /// Raise it to redeploy every app of this GitRepo although nothing changed.
    #[serde(default)]
    #[schemars(range(min = 1, max = 9_007_199_254_740_991_u64))]
    #[schemars(example = serde_json::json!(2))]
    pub force_sync_generation: Option<u64>,
    /// Pull each app as a bundle of its own (the GitRepo's `bundles`, Fleet's driven scan)
    /// rather than scanning `paths`: apps may then share a directory, each with its own
    /// `optionsFile`, and Fleet reads no other directory.
    #[serde(default)]
    #[schemars(example = serde_json::json!(true))]
    pub driven: bool,
}

/// Settings of one Fleet workspace (namespace).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Workspace {
    /// The workspace's namespace: `fleet.namespace`, one of a cluster or shared GitRepo, or a
    /// tenant's workspace where others write the GitRepos.
    #[schemars(example = &"tenant-shop")]
    pub name: String,
    /// Fleet's GitRepoRestriction for the workspace: which repositories, credentials, service
    /// accounts and target namespaces its GitRepos may use. fleetc writes it and checks its
    /// own GitRepos there against it (E034).
    #[serde(default)]
    #[schemars(example = serde_json::json!({"allowedRepoPatterns": ["^https://git\\.shop\\.example\\.com/"], "allowedTargetNamespaces": ["shop"]}))]
    pub git_repo_restriction: Option<GitRepoRestriction>,
    /// Other workspaces whose clusters the bundles of this one may reach (Fleet's
    /// BundleNamespaceMapping): a tenant's GitRepos in their own workspace deploying to the
    /// clusters of `fleet-default`.
    #[serde(default)]
    #[schemars(example = serde_json::json!(["fleet-default"]))]
    pub cluster_workspaces: Vec<String>,
}

/// A GitRepoRestriction (rancher/fleet v0.16.1
/// internal/cmd/controller/gitops/reconciler/restrictions.go): an empty list allows anything.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GitRepoRestriction {
    /// Regular expressions a GitRepo's `repo` must match somewhere (or equal).
    #[serde(default)]
    #[schemars(example = serde_json::json!(["^https://git\\.shop\\.example\\.com/"]))]
    pub allowed_repo_patterns: Vec<String>,
    /// Service accounts a GitRepo may name.
    #[serde(default)]
    #[schemars(example = serde_json::json!(["shop-deployer"]))]
    pub allowed_service_accounts: Vec<String>,
    /// Git credential Secrets a GitRepo may name.
    #[serde(default)]
    #[schemars(example = serde_json::json!(["shop-git"]))]
    pub allowed_client_secret_names: Vec<String>,
    /// Namespaces a GitRepo may deploy into; with any listed, a GitRepo must set
    /// `targetNamespace`.
    #[serde(default)]
    #[schemars(example = serde_json::json!(["shop"]))]
    pub allowed_target_namespaces: Vec<String>,
    /// Service account of a GitRepo that names none.
    #[serde(default)]
    #[schemars(example = &"shop-deployer")]
    pub default_service_account: Option<String>,
    /// Git credentials of a GitRepo that names none.
    #[serde(default)]
    #[schemars(example = &"shop-git")]
    pub default_client_secret_name: Option<String>,
    /// Labels the target namespace must carry on each downstream cluster (Fleet 0.15+). Fleet's
    /// agent then deploys only into a namespace that already exists there with these labels
    /// (it creates none), and every GitRepo of the workspace needs `targetNamespace`.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"matchLabels": {"tenant": "shop"}}))]
    pub allowed_target_namespace_selector: Option<super::Selector>,
}
