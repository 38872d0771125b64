//! GitLab agent configuration, `.gitlab/agents/<agent>/config.yaml`, per agent registration (one per cluster).
//!
//! The agent server parses this file strictly (protojson): one unknown or misplaced key and it
//! rejects the whole file. So `default_namespace` sits on each `ci_access` entry (never under
//! `ci_access` itself) and `access_as` always holds exactly one key.

use crate::pointer::Ptr;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::{Artifact, Kind};
use crate::model::Registration;
use crate::spec::{AccessAs, CiAccessEntry, UserAccessAs};

#[derive(Serialize)]
struct ConfigFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    ci_access: Option<CiAccess>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_access: Option<UserAccess>,
}

#[derive(Serialize)]
struct CiAccess {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    projects: Vec<Entry>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    groups: Vec<Entry>,
}

#[derive(Serialize)]
struct Entry {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_namespace: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    environments: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    protected_branches_only: bool,
    access_as: Value,
}

#[derive(Serialize)]
struct UserAccess {
    access_as: Value,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    projects: Vec<Id>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    groups: Vec<Id>,
}

#[derive(Serialize)]
struct Id {
    id: String,
}

pub(super) fn emit(shard: &Registration, owner: Ptr) -> Artifact {
    let entry = |e: &CiAccessEntry| Entry {
        id: e.id.clone(),
        default_namespace: e.default_namespace.clone(),
        environments: e.environments.clone(),
        // Older agent servers reject the whole file for this key (GitLab 17.10 made it GA).
        protected_branches_only: e.protected_branches_only && shard.protected_branches,
        access_as: access_as(e.access_as.as_ref()),
    };
    let ci = (!shard.ci_projects.is_empty() || !shard.ci_groups.is_empty()).then(|| CiAccess {
        projects: shard.ci_projects.iter().map(entry).collect(),
        groups: shard.ci_groups.iter().map(entry).collect(),
    });
    let user = shard.user_access.as_ref().map(|u| UserAccess {
        access_as: match u.access_as {
            UserAccessAs::Agent => json!({"agent": {}}),
            UserAccessAs::User => json!({"user": {}}),
        },
        projects: u.projects.iter().map(|id| Id { id: id.clone() }).collect(),
        groups: u.groups.iter().map(|id| Id { id: id.clone() }).collect(),
    });
    let doc = ConfigFile {
        ci_access: ci,
        user_access: user,
    };
    Artifact::new(
        format!(".gitlab/agents/{}/config.yaml", shard.name),
        Kind::AgentConfig,
        owner,
        &doc,
    )
}

/// `access_as` with exactly one key.
fn access_as(a: Option<&AccessAs>) -> Value {
    match a {
        None | Some(AccessAs::Agent) => json!({"agent": {}}),
        Some(AccessAs::CiJob) => json!({"ci_job": {}}),
        Some(AccessAs::Impersonate(i)) => {
            let mut m = Map::new();
            m.insert("username".into(), Value::from(i.username.clone()));
            if !i.groups.is_empty() {
                m.insert("groups".into(), Value::from(i.groups.clone()));
            }
            json!({"impersonate": m})
        }
    }
}
