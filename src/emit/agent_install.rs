//! What installs a GitLab agent on its clusters: Helm values for the `gitlab/gitlab-agent` chart
//! and the RBAC its service account is bound to.
//!
//! The values never hold a token (`config.secretName` names an existing Secret with the key
//! `token`) and turn the chart's own RBAC off, since its default binds cluster-admin. The RBAC
//! here is least privilege: a Role and RoleBinding per namespace, a ClusterRole only for what is
//! cluster-scoped (impersonation, or rules the spec asks for).

use crate::pointer::Ptr;
use serde::Serialize;

use super::k8s::ObjectMeta;
use super::{Artifact, Kind};
use crate::model::{GitLabSide, Registration};
use crate::spec::{AccessAs, RbacRule};

/// Service account the chart creates for agentk.
const SERVICE_ACCOUNT: &str = "gitlab-agent";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Values {
    config: AgentConfig,
    replicas: u32,
    rbac: Rbac,
    service_account: ServiceAccount,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AgentConfig {
    kas_address: String,
    secret_name: String,
    // The chart's own spelling.
    #[serde(rename = "operational_container_scanning")]
    container_scanning: Enabled,
}

#[derive(Serialize)]
struct Enabled {
    enabled: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rbac {
    create: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    use_existing_role: Option<String>,
}

#[derive(Serialize)]
struct ServiceAccount {
    create: bool,
    name: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Role {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    api_groups: Vec<String>,
    resources: Vec<String>,
    verbs: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    resource_names: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Binding {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    role_ref: RoleRef,
    subjects: Vec<Subject>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RoleRef {
    api_group: &'static str,
    kind: &'static str,
    name: String,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct Subject {
    kind: &'static str,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_group: Option<&'static str>,
}

fn role_name(shard: &Registration) -> String {
    format!("gitlab-agent-{}", shard.name)
}

pub(super) fn values(side: &GitLabSide, shard: &Registration, owner: Ptr) -> Artifact {
    let doc = Values {
        config: AgentConfig {
            kas_address: side.kas_address.clone(),
            secret_name: shard.token_secret.clone(),
            container_scanning: Enabled {
                enabled: shard.container_scanning,
            },
        },
        replicas: 2,
        rbac: Rbac {
            create: false,
            use_existing_role: (!shard.cluster_rules.is_empty()).then(|| role_name(shard)),
        },
        service_account: ServiceAccount {
            create: true,
            name: SERVICE_ACCOUNT,
        },
    };
    Artifact::new(
        format!("gitlab-agents/{}/values.yaml", shard.name),
        Kind::AgentValues,
        owner,
        &doc,
    )
}

/// The agent's RBAC, when it needs any.
pub(super) fn rbac(shard: &Registration, owner: Ptr) -> Option<Artifact> {
    let name = role_name(shard);
    let subjects = subjects(shard);
    let labels = [("fleetc.io/agent", shard.name.as_str())];
    let mut docs: Vec<serde_json::Value> = Vec::new();
    // agentk's leader election: a Lease `agent-<id>-lock` in its own namespace, and events
    // (gitlab-agent `cmd/agentk/agentkapp`; the chart creates no Role for it when its RBAC is
    // off).
    let leader = format!("{name}-leader-election");
    docs.push(doc(&Role {
        api_version: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: ObjectMeta::managed(&leader, &shard.namespace, &labels),
        rules: vec![
            Rule {
                api_groups: vec!["coordination.k8s.io".to_owned()],
                resources: vec!["leases".to_owned()],
                verbs: ["get", "create", "update"].map(str::to_owned).to_vec(),
                resource_names: Vec::new(),
            },
            Rule {
                api_groups: vec![String::new()],
                resources: vec!["events".to_owned()],
                verbs: ["create", "patch"].map(str::to_owned).to_vec(),
                resource_names: Vec::new(),
            },
        ],
    }));
    docs.push(doc(&Binding {
        api_version: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: ObjectMeta::managed(&leader, &shard.namespace, &labels),
        role_ref: RoleRef {
            api_group: "rbac.authorization.k8s.io",
            kind: "Role",
            name: leader.clone(),
        },
        subjects: vec![service_account(shard)],
    }));
    for ns in &shard.rbac_namespaces {
        docs.push(doc(&Role {
            api_version: "rbac.authorization.k8s.io/v1",
            kind: "Role",
            metadata: ObjectMeta::managed(&name, ns, &labels),
            rules: rules(&shard.rbac_rules),
        }));
        docs.push(doc(&Binding {
            api_version: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: ObjectMeta::managed(&name, ns, &labels),
            role_ref: RoleRef {
                api_group: "rbac.authorization.k8s.io",
                kind: "Role",
                name: name.clone(),
            },
            subjects: subjects.clone(),
        }));
    }
    if !shard.cluster_rules.is_empty() {
        docs.push(doc(&Role {
            api_version: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: ObjectMeta::cluster_scoped(&name, &labels),
            rules: rules(&shard.cluster_rules),
        }));
        docs.push(doc(&Binding {
            api_version: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: ObjectMeta::cluster_scoped(&name, &labels),
            role_ref: RoleRef {
                api_group: "rbac.authorization.k8s.io",
                kind: "ClusterRole",
                name: name.clone(),
            },
            // Cluster-wide rights go to the agent alone, never to CI identities.
            subjects: vec![service_account(shard)],
        }));
    }
    (!docs.is_empty()).then(|| {
        Artifact::documents(
            format!("gitlab-agents/{}/rbac.yaml", shard.name),
            Kind::AgentRbac,
            owner,
            &docs,
        )
    })
}

fn rules(rules: &[RbacRule]) -> Vec<Rule> {
    rules
        .iter()
        .map(|r| Rule {
            api_groups: r.api_groups.clone(),
            resources: r.resources.clone(),
            verbs: r.verbs.clone(),
            resource_names: r.resource_names.clone(),
        })
        .collect()
}

fn service_account(shard: &Registration) -> Subject {
    Subject {
        kind: "ServiceAccount",
        name: SERVICE_ACCOUNT.to_owned(),
        namespace: Some(shard.namespace.clone()),
        api_group: None,
    }
}

/// Who acts through the namespaced Roles: the agent itself, and the identities CI jobs are
/// impersonated as.
fn subjects(shard: &Registration) -> Vec<Subject> {
    let mut out = vec![service_account(shard)];
    let mut add = |kind: &'static str, name: &str| {
        if !out.iter().any(|s| s.kind == kind && s.name == name) {
            out.push(Subject {
                kind,
                name: name.to_owned(),
                namespace: None,
                api_group: Some("rbac.authorization.k8s.io"),
            });
        }
    };
    for e in shard.ci_projects.iter().chain(&shard.ci_groups) {
        match &e.access_as {
            Some(AccessAs::CiJob) => add("Group", "gitlab:ci_job"),
            Some(AccessAs::Impersonate(i)) => {
                add("User", &i.username);
                for g in &i.groups {
                    add("Group", g);
                }
            }
            _ => {}
        }
    }
    out
}

fn doc(v: &impl Serialize) -> serde_json::Value {
    serde_json::to_value(v).expect("RBAC documents are plain data")
}
