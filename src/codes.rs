//! The registry of diagnostic codes. Codes are stable: a code is never reused for another problem.
//! `fleetc explain CODE` prints the long explanation kept here.

use crate::diagnostic::Severity;

macro_rules! codes {
    ($( $variant:ident = $code:literal, $sev:ident, $title:literal, $explain:literal; )*) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $( #[doc = $title] $variant, )* }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// `E010`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// One-line title.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }

            /// Long explanation, as `fleetc explain` prints it.
            pub fn explanation(self) -> &'static str {
                match self { $(Code::$variant => $explain,)* }
            }

            /// Default severity.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }

            /// Looks a code up by its name (`E010`, `e010` or `fleetc::E010`).
            pub fn parse(s: &str) -> Option<Code> {
                let s = s.trim().trim_start_matches("fleetc::").to_ascii_uppercase();
                Code::ALL.iter().copied().find(|c| c.as_str() == s)
            }
        }
    };
}

codes! {
    YamlSyntax = "E001", Error, "the spec is not valid YAML",
"The spec file could not be parsed as YAML: a missing colon, bad indentation, a tab used for
indentation, an unclosed quote or bracket, or bytes that are not UTF-8. The label points at the
place where the parser gave up; the mistake is often on the line before it.";
    WrongType = "E002", Error, "a value has the wrong type or form",
"A key holds a value of the wrong type (a list where a mapping is expected, text where a number
is expected), or a value outside its allowed set (an unknown `tier`, a negative replica count).
The help lists what the key accepts; `fleetc schema` prints the whole spec schema.";
    UnknownKey = "E003", Error, "unknown key",
"The spec is strict: every key must be one fleetc knows. Fleet itself silently ignores unknown
keys in fleet.yaml, so a misspelled key there quietly does nothing; fleetc refuses it instead.
The help suggests the closest known key.";
    MissingKey = "E004", Error, "a required key is missing",
"A mapping lacks a key it must have, such as `name`, `fleet.repo` or an app's `targets`.";
    DuplicateKey = "E005", Error, "duplicate mapping key",
"The same key appears twice in one mapping. YAML readers disagree on which value wins, so
fleetc rejects the file. Remove one of the two.";
    UnsupportedVersion = "E006", Error, "unsupported spec version",
"The spec must start with `version: 1`. A spec without a version, or with another version, is
not read any further, because its keys may mean something else.";
    InputLimit = "E007", Error, "the spec is too large or too deeply nested",
"fleetc caps its input to stay fast and safe on hostile files: the spec may be at most 32 MiB,
nested at most 64 levels deep, and may expand YAML aliases only within a budget. Real fleets
stay far below these limits; split generated content out of the spec.";
    DuplicateName = "E010", Error, "duplicate name",
"Two environments, clusters, agents, apps, ClusterGroups or GitRepos share a name, or two apps
would make bundles of one name. Names identify objects in Fleet and GitLab, so they must be
unique within their kind. The secondary label shows the first one.";
    InvalidName = "E011", Error, "invalid name",
"Names become Kubernetes object names, label values and directory names, so they must be DNS
labels: at most 63 characters of lowercase letters, digits and `-`, starting and ending with a
letter or digit. Namespaces follow the same rule. Label keys and values follow the Kubernetes
label syntax.";
    UnknownReference = "E012", Error, "reference to something that is not declared",
"A cluster, target, override, agent or dependency names an environment, region, cluster,
agent, app or image that the spec does not declare. Regions are declared by the clusters that
use them. The help suggests the closest declared name.";
    NameTooLong = "E013", Error, "a derived name is too long",
"Helm release names may have at most 53 characters and a GitRepo's name (`<app>-<environment>`)
at most 63: Helm and the Kubernetes API server refuse longer ones, so the release or the GitRepo
would never exist. Bundle names are not limited: Fleet shortens a long one with a hash of its
own (`names.HelmReleaseName`), and fleetc derives and uses the same shortened name (`explain`
shows it).";
    UnsafePath = "E014", Error, "path escapes the output directory",
"Paths in the spec (bundle directories, kustomize bases, local charts) are relative to the
output root and may not be absolute, contain `..`, backslashes or empty segments. Anything else
could make fleetc write outside the repository or make Fleet read files it cannot see.";
    SourceKind = "E015", Error, "an app must have exactly one source",
"`source` takes exactly one of `kustomize`, `helm` or `manifests`; a raw YAML bundle
directory (`manifests`) holds no kustomization at its top, or Fleet would build it with
kustomize.";
    MissingBase = "E016", Error, "source directory or file not found",
"A kustomize base must be a directory inside the app's bundle directory containing a
`kustomization.yaml`, a local Helm chart a directory containing `Chart.yaml`, and a Helm values
file (`valuesFiles`) a file there. Fleet only reads the files under a bundle's directory, and a
missing values file fails the whole bundle.";
    EmptySelector = "E017", Error, "target matches no cluster",
"A target or selector matches none of the declared clusters, so the app would be deployed
nowhere through it; or a rollout partition matches none of the app's clusters. Check the
environment, region and labels it names.";
    DependencyCycle = "E018", Error, "dependsOn cycle",
"Apps depend on each other in a cycle. Fleet would wait forever for each bundle to become ready
before deploying the next. Break the cycle.";
    OverrideScope = "E019", Error, "override scope is not valid",
"An override applies to one environment, one region, one environment in one region, one
cluster, or the clusters of a label `selector` or of a `clusterGroup`. `cluster` cannot be
combined with the others, a selector or group override stands alone and is named (a group's
name by default), and at least one must be given.";
    NotForSource = "E020", Error, "setting does not apply to this source",
"`values` and `helm` settings only apply to Helm apps, `kustomize` settings only to kustomize
apps; a patch names a `file` only in a raw YAML app and a `target` in any other (a Helm chart's
output is post-rendered with kustomize). Move the setting, or change the source.";
    OutputConflict = "E021", Error, "fleetc would overwrite a file it did not generate",
"fleetc only writes files that carry its generated-file header or that it recorded in its
manifest (`.fleetc-manifest`). A file at an output path without that header belongs to someone
else; fleetc leaves it alone and fails instead. Move the file, or change the spec so the output
goes elsewhere.";
    AgentAssignment = "E022", Error, "a cluster's agent is ambiguous or inconsistent",
"Each cluster is served by exactly one GitLab agent: the one named by the cluster's `agent`, or
else the one whose `clusters` or `environments` list it. Two agents claiming one cluster, or a
cluster naming an agent that does not serve it, is an error.";
    InvalidValue = "E023", Error, "invalid value",
"A value is well-formed YAML of the right type but is not acceptable: an empty target, a
`NotIn` requirement without values, a Go duration Fleet would reject, a URL that is not one.";
    SecretInSpec = "E024", Error, "a secret is pasted into the spec",
"The spec is committed to Git and its values are copied into generated files, so it must never
hold a secret: no GitLab tokens (glpat-, glagent-, glrt-, glptt-, gldt-, ...), no private keys, no
cloud access keys. Create a Kubernetes Secret instead and name it: `fleet.clientSecretName` for
Git credentials, a Secret the chart's values name or `source.helm.valuesFrom` reads for an app, the agent's Secret for an
agent token. Then revoke the token: it is in your Git history now.";
    TemplateLabelMissing = "E025", Error, "a Fleet template reads a label some cluster lacks",
"Fleet renders `${ .ClusterLabels.x }` in Helm values per cluster with `missingkey=error`: on a
cluster without label `x` the whole bundle fails to deploy, on every cluster (rancher/fleet#5526).
Add the label to those clusters, or read it with a default: `${ get .ClusterLabels \"x\" }`.";
    LiteralTemplate = "E026", Error, "`${` in Helm values that Fleet would template",
"Fleet treats `${ ... }` in Helm values as a Go template action. A literal such as an envsubst
`${VAR}` makes Fleet fail the bundle with `function \"VAR\" not defined` (rancher/fleet#1510).
Escape it as `${`${VAR}`}` so Fleet writes it out unchanged.";
    StaleOutput = "E027", Error, "a generated file differs from what the spec produces",
"`fleetc check` found a generated file that was edited by hand, is missing, or is no longer
produced by the spec. Generated files are never edited by hand: change the spec (the label shows
the part of it the file comes from) and run `fleetc build`.";
    ImpersonationEscalation = "E028", Error, "impersonation that would let a job become anyone",
"An agent registration whose service account may impersonate any user or group (needed for
`accessAs: ci_job` and `userAccess.accessAs: user`, whose identities carry job and user IDs) also
serves entries in `agent` mode. In `agent` mode agentk forwards a client's own `Impersonate-*`
headers with the service account's credentials (gitlab-agent
`internal/module/kubernetes_api/agent/server.go`), so any job with that context could run
`kubectl --as-group=system:masters` and be cluster-admin. Use one mode per agent: give the
`agent`-mode entries a policy of their own, or give them `accessAs: ci_job` too.";
    VersionTooOld = "E029", Error, "the targeted GitLab or Fleet version cannot do this",
"The spec asks for something the GitLab or Fleet version it targets (`gitlab.version`,
`fleet.version`) does not have. GitLab's agent server rejects a whole agent configuration for
one unknown key, and Fleet ignores or rejects unknown fields, so fleetc refuses instead. The help
names the first version that has it: upgrade, or declare the version you run.";
    RegistryPush = "E030", Error, "the pipeline cannot push this image",
"A CI job token may push only to its own project's container registry
(`<registry>/<manifests project>/...`). An image the pipeline builds for another path needs
`build.credentials`: the names of CI/CD variables holding credentials for that registry.";
    PinnedRevision = "E031", Error, "an environment's pinned commit cannot be compiled",
"An environment's GitRepos are built from the spec at the commit its last promotion pinned
(`releases.yaml`), so that adding or removing an app, moving its path or changing its targets
reaches the environment only with its promote job. fleetc reads that commit from Git: the clone
must have it (fetch the whole history; in CI, `GIT_DEPTH: 0`), the spec must exist there, declare
the environment and compile with this fleetc. Promote the environment again, or pin a commit by
hand with `fleetc pin --environment <env> --revision <commit>`.";
    IgnoredByFleet = "E032", Error, "Fleet would silently ignore this setting",
"Fleet accepts some settings where they have no effect, without a word: an override's
`maxHistory`, `skipSchemaValidation` or `disableDependencyUpdate` (Fleet never merges them from a
targetCustomization), an override that sets a Helm flag to `false` (Fleet ORs the app's flags
with the target's, so a target can switch one on but never off), and `templateValues` together
with `disablePreProcess: true` (Fleet then renders no templates at all), `helmSecretName`
without `helmRepoURLRegex` on Fleet 0.16 (which then sends the credentials to no repository),
`helmRepoURLRegex` without credentials, and `pollingInterval` with `disablePolling`. fleetc
refuses them so the spec says what Fleet does: move the setting where it applies, or remove it.";
    ClustersOutsideRollout = "E033", Error, "clusters the app targets are in no rollout partition",
"With `rolloutStrategy.partitions`, Fleet rolls a bundle out partition by partition and only to
clusters some partition selects: a targeted cluster that no partition matches never gets the
app, and nothing reports it (rancher/fleet v0.16.1 internal/cmd/controller/target/rollout.go).
Add a partition for the remaining clusters, or narrow the app's targets.";
    RestrictedGitRepo = "E034", Error, "the workspace's GitRepoRestriction refuses a GitRepo",
"A workspace's GitRepoRestriction (`workspaces[].gitRepoRestriction`) lists the repositories,
credential Secrets, service accounts and target namespaces its GitRepos may use; Fleet refuses
a GitRepo that uses others (and one without `targetNamespace` when target namespaces are
listed) and deploys nothing from it (rancher/fleet v0.16.1
internal/cmd/controller/gitops/reconciler/restrictions.go). fleetc checks each GitRepo it writes
into the workspace. Change the GitRepo, or allow what it uses.";
    InvalidSchedule = "E035", Error, "Fleet refuses this Schedule",
"Fleet reads a Schedule's `schedule` as a Quartz cron expression (go-quartz: seconds first, `?`
in one day field), its `location` as an IANA time zone and its `duration` as a Go duration, and
refuses the Schedule when any of them is wrong, when the window would still be open at the next
opening, or when there is no next opening (rancher/fleet v0.16.1
internal/cmd/controller/reconciler/cronduration_job.go:38-150). A refused Schedule opens no
window, so its clusters take no new deployments at all. Fix the value the message names.";
    UntargetedCluster = "W001", Warning, "cluster runs no app",
"No app targets this cluster. It may be new, or a target may be too narrow.";
    OverrideNeverApplies = "W002", Warning, "override never applies",
"An override's clusters are not among the app's targets, so it changes nothing: a Fleet
targetCustomization can only customise clusters the GitRepo targets, never add one.";
    DependencyNotColocated = "W003", Warning, "dependency is not deployed where the app is",
"An app depends on another app that is not deployed on some of the same clusters. Fleet would
keep the dependent bundle waiting on those clusters forever.";
    ShadowedOverride = "W004", Warning, "override is shadowed everywhere",
"Every cluster this override applies to gets the same setting from a more specific override
(region over environment, environment-and-region over region, cluster over all), so the setting
never takes effect. Remove it, or remove the more specific ones.";
    ProductionAutoPromotion = "W005", Warning, "production environment without a manual gate",
"A production-tier environment is promoted automatically, so every merge reaches production
without a person deciding. Set `promotion: manual`, or acknowledge the choice with
`acknowledge: [W005]` on the environment.";
    UnprotectedProductionAgent = "W006", Warning, "agent serves production to unprotected branches",
"A `ci_access` entry of an agent that serves production clusters lacks
`protectedBranchesOnly: true`, so a pipeline on any branch (a merge request from anyone with
Developer access) gets a kubeconfig context for production. Set it, or acknowledge with
`acknowledge: [W006]` on the agent.";
    BroadAgentRbac = "W007", Warning, "agent RBAC grants delete or wildcards",
"The agent's service account may delete resources or use `*` (or `escalate`, `bind`). CI reaches
the cluster through it, so any job that gets the context can do the same. fleetc's default is
read-only; grant more only on purpose, acknowledged with `acknowledge: [W007]` on the agent.";
    DriftingDependency = "W008", Warning, "a dependency on a chart that stays Modified",
"A Helm chart whose admission webhook gets its `caBundle` injected at runtime (ingress-nginx,
cert-manager, kube-prometheus-stack) differs from Git on every Fleet before 0.15.6 (and 0.16.0):
the bundle stays Modified, never Ready, and every `dependsOn` on it waits forever
(rancher/fleet#5368). Add a `drift.comparePatches` entry for the webhook's caBundle (the help
gives it), or target a Fleet version with the fix.";
    UnrestrictedImpersonation = "W009", Warning, "the agent may impersonate any user or group",
"`accessAs: ci_job` and `userAccess.accessAs: user` impersonate identities that carry job, user
and project IDs, so the agent's service account needs `impersonate` on every user, group and
user extra, which cannot be narrowed by name. That is what GitLab requires; make sure the RBAC
bound to `gitlab:ci_job` and friends is what you mean, and acknowledge with
`acknowledge: [W009]` on the agent.";
    CiAccessMissesJobs = "W010", Warning, "ciAccess does not reach fleetc's own jobs",
"An agent's explicit `ciAccess` gives the manifests project no context for fleetc's verify jobs
(environment `<environment>/<cluster>`): the project is not listed, or its `environments` do not
match. GitLab then hands those jobs no kubeconfig context and verification fails. Add the
environments (for example `production/*`) or the project.";
    UngatedEnvironment = "W012", Warning, "a gated environment follows the branch",
"With a pipeline, every environment's GitRepos pull the commit its last promotion pinned
(`releases.yaml`), so a change reaches it only through its promote job. An environment that has
never been promoted has no pin yet and follows the branch: every merge reaches it ungated. Run
its promote job once, or pin the commit it runs now with
`fleetc pin --environment <env> --revision <commit>`.";
    PinnedSpecDiffers = "W014", Warning, "a pinned environment's commit used other label keys or another workspace",
"A pinned environment's GitRepos come from the spec at its pinned commit, but the ClusterGroups
and the GitRepos' namespace (the Fleet workspace) follow the branch. After a change of
`fleet.clusterLabels` or `fleet.namespace`, the pinned GitRepos select clusters by the old label
keys while the ClusterGroups use the new ones, or the GitRepos move to another workspace, at
merge: the environment can lose or gain clusters before its promotion. Promote the environment
right after such a change, or keep both until then (give the clusters both labels), and
acknowledge with `acknowledge: [W014]` on the environment.";
    OutsideTopLevelGroup = "W011", Warning, "GitLab ignores an authorized project or group",
"Projects and groups in `ciAccess` and `userAccess` must be in the agent project's top-level
group; GitLab silently ignores the others (GitLab.com always; self-managed unless the instance
setting `organization_cluster_agent_authorization_enabled` is on).";
    UnpinnedChart = "W015", Warning, "a chart version is not pinned",
"A chart from a Helm repository or an OCI registry without `version` is whatever is newest when
Fleet builds the bundle: the same commit can deploy another chart tomorrow, and `fleetc diff`
cannot show the change. Pin `version:` (an exact version, or a semver range you accept).
Charts inside the repository and chart archives named by URL carry their version already.";
    CredentialsReachNoChart = "W016", Warning, "Helm credentials reach none of the charts",
"`fleet.helmRepoURLRegex` decides which chart URLs get the credentials of `helmSecretName`. When
it matches none of the spec's charts, every private chart download fails (Fleet 0.16 matches it
at the start of the repository URL, or of the chart URL for a chart without a repository;
earlier versions anywhere in it). Fix the expression, or drop the credentials if no chart needs
them.";
    AwaitsOptIn = "W017", Warning, "a selector waits for clusters to opt in",
"A target, ClusterGroup or partition selects by a label listed under `optInLabels` that no
declared cluster carries. Fleet will reach the clusters that get the label later (set on their
Fleet Cluster object, in Rancher or with `kubectl label`), but today it reaches none that fleetc
knows, so `explain`, `diff` and the static checks cannot say what they will run. This is how
opt-in deployments start; once a cluster carries the label, give it that label in the spec
and the warning goes away. An unlisted key stays an error (E012), so a
typo in a label key is never taken for an opt-in.";
    NotInInventory = "W019", Warning, "a declared cluster is not in the cluster inventory",
"The spec declares a cluster that the cluster inventory file (`clusterInventory`) does not hold
in its workspace: it is not registered with Fleet (yet), was removed, or is named otherwise
there. Nothing is deployed to it. Register it, remove it from the spec, or export the inventory
again.";
    LiveLabelsDiffer = "W020", Warning, "a cluster's live labels differ from the spec",
"A declared cluster carries other labels in the live fleet (`clusterInventory`) than the spec
gives it: Fleet targets it by the live ones, so it may get other apps, or other
customizations, than `explain` and `diff` say. Label the Fleet Cluster as the spec says, or
change the spec.";
    SharedPastGate = "W018", Warning, "a shared GitRepo reaches a gated environment past its gate",
"An app in a shared GitRepo (`gitRepos`) is pulled from one branch (or one revision) for every
environment at once, so its changes reach a manually promoted (or production) environment at
merge, not through the environment's promote job. Pull the app per environment (remove
`gitRepo`), hold the shared GitRepo at a `revision`, or accept it with `acknowledge: [W018]` on
the environment.";
    PollingPastGate = "W022", Warning, "a HelmOp follows new chart releases past the promotion gate",
"An app delivered by HelmOps (`helmOp`) with a version range and `pollingInterval` gets every
new chart release matching the range from Fleet itself, which updates the Bundle when it polls
(rancher/fleet v0.16.1 internal/cmd/controller/helmops/reconciler/polling_job.go:159): in a
manually promoted or production environment the new chart arrives without its promotion. Pin an
exact `version` (promoted like any change), drop `pollingInterval`, or accept it with
`acknowledge: [W022]` on the environment.";
    OverlappingSchedules = "W021", Warning, "a cluster is held by two Schedules whose windows meet",
"Each Schedule opens and closes the windows of its clusters on its own: when one of them closes
its window it closes the cluster's, even while the other's is open (rancher/fleet v0.16.1
internal/cmd/controller/reconciler/cronduration_job.go:206-263). Windows that never meet add up
and are fine; these meet. Move one Schedule's openings out of the other's windows, or give the
cluster one Schedule.";
    Yaml11Boolean = "W026", Warning, "an unquoted yes/no/on/off in Helm values is a string",
"fleetc reads the spec as YAML 1.2, where only `true` and `false` are booleans: `enabled: no`
is the string \"no\", and fleetc writes it quoted into fleet.yaml, so the chart gets \"no\". A
values.yaml file, read by Helm as YAML 1.1, would give the chart `false` for the same line, and
in a template `{{ if .Values.enabled }}` the string \"no\" is true. Write `true` or `false` for a
boolean, or quote the word (`\"no\"`) to say that the string is meant; either silences this
warning.";
    KeptVerbatim = "W023", Warning, "an imported bundle keeps Fleet targetCustomizations verbatim",
"`fleetc import` reports this for a bundle whose targetCustomizations it copied into the app's
`verbatim.targetCustomizations` as they are. Fleet applies the first customization that matches
a cluster, while the spec's `overrides` merge from broad to narrow, so fleetc keeps Fleet's list
rather than guess; it writes them first in the bundle's fleet.yaml and does not look inside
(`explain`, `diff` and the lints see only `targets` and `overrides`). Review them: where they are
one per environment or region, `overrides` say the same more briefly.";
    ImportLeft = "W024", Warning, "a GitRepo is left as it is",
"`fleetc import` could not express a GitRepo (or one of its bundles) in the spec, or could not
read it, so it imported none of that GitRepo: its objects and files stay as they are, owned by
you, and `fleetc build` never touches them. The message names the first place and the reason: a
key the spec has no counterpart for, a bundle directory another GitRepo pulls too, a target the
cluster export cannot resolve, a file Fleet itself could not read. Keep the GitRepo beside the
spec, or change it so it can be imported and run `fleetc import` again.";
    ImportDropped = "W025", Warning, "something of the original has no effect and is left out",
"`fleetc import` left out a setting that changes nothing on the clusters: a key Fleet does not
know (Fleet ignores unknown keys), a bundle label Fleet does not copy to the clusters, a target
without criteria (it matches nothing), a bundle's own `forceSyncGeneration` or service account
that its GitRepo's replaces. The deployment stays the same; the report names each place so that
nothing disappears silently.";
}
